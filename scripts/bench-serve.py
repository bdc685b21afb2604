#!/usr/bin/env python3
"""Load generator for `prefixpack serve` (run by scripts/bench-serve.sh).

    bench-serve.py BASE_URL BASE_MODEL PREFIX_NAMES(comma-separated) [MAX_TOKENS] [CONCURRENCIES] [ROUNDS]

For each concurrency C and each of ROUNDS rounds (default 3), runs 2*C streamed completions
(greedy, `ignore_eos`, so every request generates exactly MAX_TOKENS tokens) C at a time, first
all for the base model, then spread round-robin over the prefixes (the two take turns, round
after round); prints aggregate generated tokens/s (completion tokens / wall time) and p50/p95
time to first token. Figures only, nothing asserted."""
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
                            "ignore_eos": True, "stream": True, "stream_options": {"include_usage": True}}) as r:
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


ROUNDS = int(sys.argv[6]) if len(sys.argv) > 6 else 3
MIXED = f"{len(PREFIXES)} prefixes"
print(f"{ROUNDS} rounds per concurrency, base and mixed taking turns (so a change of machine load hits both);")
print("figures are over all rounds; 'mixed/base' is the median of the per-round ratios of aggregate tok/s.")
print(f"| concurrency | models | requests | tokens | wall s | aggregate tok/s | TTFT p50 s | TTFT p95 s | mixed/base |")
print(f"|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for c in LEVELS:
    runs = {"base": [], MIXED: []}
    for _ in range(ROUNDS):
        for label, models in [("base", [BASE]), (MIXED, PREFIXES)]:
            runs[label].append(level(models, c))
    ratios = sorted(m[0] / b[0] for b, m in zip(runs["base"], runs[MIXED]) if b[0] > 0)
    for label in ["base", MIXED]:
        tokens = sum(r[3] for r in runs[label])
        wall = sum(r[4] for r in runs[label])
        p50 = statistics.median(r[1] for r in runs[label])
        p95 = max(r[2] for r in runs[label])
        ratio = f"{statistics.median(ratios):.2f}" if label == MIXED and ratios else ""
        print(f"| {c} | {label} | {2 * c * ROUNDS} | {tokens} | {wall:.1f} | {tokens / wall:.1f} | {p50:.3f} | {p95:.3f} | {ratio} |",
              flush=True)
