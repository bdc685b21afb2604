#!/usr/bin/env python3
"""Load generator for `prefixpack serve` (run by scripts/bench-serve.sh).

    bench-serve.py BASE_URL BASE_MODEL PREFIX_NAMES(comma-separated) [MAX_TOKENS] [CONCURRENCIES]

For each concurrency C, runs 2*C streamed completions (greedy, max_tokens fixed, EOS ignored is not
available over the API, so short prompts that do not end early are used) C at a time, first all for
the base model, then spread round-robin over the prefixes; prints aggregate generated tokens/s
(completion tokens / wall time) and p50/p95 time to first token. Figures only, nothing asserted."""
import concurrent.futures
import json
import statistics
import sys
import time

try:
    import httpx
except ImportError:  # openai 3.x depends on httpx2, the same API under a new name
    import httpx2 as httpx

URL, BASE, PREFIXES = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
MAX_TOKENS = int(sys.argv[4]) if len(sys.argv) > 4 else 32
LEVELS = [int(c) for c in (sys.argv[5] if len(sys.argv) > 5 else "1,4,16,32").split(",")]
PROMPTS = ["Write a short story about a robot.", "Describe the sea in detail.", "List many fruits and their colours:",
           "Explain how a bicycle works, step by step."]


def one(model, prompt):
    start = time.perf_counter()
    first = None
    tokens = 0
    with httpx.stream("POST", URL + "/v1/completions", timeout=600,
                      json={"model": model, "prompt": prompt, "max_tokens": MAX_TOKENS, "temperature": 0,
                            "stream": True, "stream_options": {"include_usage": True}}) as r:
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if first is None and chunk["choices"] and chunk["choices"][0]["text"]:
                first = time.perf_counter() - start
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
    return (first if first is not None else time.perf_counter() - start), tokens


def level(models, concurrency):
    jobs = [(models[i % len(models)], PROMPTS[i % len(PROMPTS)]) for i in range(2 * concurrency)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda j: one(*j), jobs))
    wall = time.perf_counter() - start
    ttft = sorted(r[0] for r in results)
    tokens = sum(r[1] for r in results)
    p95 = ttft[min(len(ttft) - 1, int(round(0.95 * (len(ttft) - 1))))]
    return tokens / wall, statistics.median(ttft), p95, tokens, wall


print(f"| concurrency | models | requests | tokens | wall s | aggregate tok/s | TTFT p50 s | TTFT p95 s |")
print(f"|---:|---|---:|---:|---:|---:|---:|---:|")
for c in LEVELS:
    for label, models in [("base", [BASE]), (f"{len(PREFIXES)} prefixes", PREFIXES)]:
        rate, p50, p95, tokens, wall = level(models, c)
        print(f"| {c} | {label} | {2 * c} | {tokens} | {wall:.1f} | {rate:.1f} | {p50:.3f} | {p95:.3f} |", flush=True)
