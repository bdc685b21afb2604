#!/usr/bin/env python3
"""Times a 128-token prompt on `prefixpack serve` with and without `echo` + `logprobs`
(docs/serving.md, "Echo"): prefill + 1 token, the same with logprobs, and echo with logprobs 0
or 5 and max_tokens 0 or 1; 7 interleaved rounds after a warm-up, so every case sees the same
background load; medians and the ratio to the first case.
    scripts/echo-cost.py .build/release/prefixpack models/gemma-3-270m-q4_k_m.gguf
Starts the server on a free loopback port with an empty bundles directory."""
import json, statistics, subprocess, sys, tempfile, time, urllib.request

BINARY, MODEL = sys.argv[1:3]
bundles = tempfile.mkdtemp()
proc = subprocess.Popen([BINARY, "serve", "--model", MODEL, "--bundles", bundles, "--port", "0"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
address = None
while True:
    line = proc.stdout.readline()
    if not line:
        sys.exit("server did not start: " + proc.stderr.read())
    if "listening on " in line:
        address = line.strip().split("listening on ")[1]
    if line.startswith("serving "):
        break
name = MODEL.rsplit("/", 1)[-1].removesuffix(".gguf")

def post(body):
    request = urllib.request.Request(address + "/v1/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as r:
        answer = json.loads(r.read())
    return time.perf_counter() - start, answer

try:
    words = ("The old lighthouse keeper climbed the spiral stairs every evening, lit the lamp, and wrote the weather, "
             "the ships he saw and the state of the sea into a worn leather book. ").split(" ")
    n = 40
    while True:  # the longest run of words with at most 128 prompt tokens
        _, a = post({"model": name, "prompt": " ".join((words * 10)[:n]), "max_tokens": 0})
        if a["usage"]["prompt_tokens"] > 128:
            break
        n += 1
    prompt = " ".join((words * 10)[:n - 1])
    cases = [("max_tokens 1", {"max_tokens": 1}),
             ("max_tokens 1, logprobs 5", {"max_tokens": 1, "logprobs": 5}),
             ("echo, logprobs 0, max_tokens 0", {"echo": True, "logprobs": 0, "max_tokens": 0}),
             ("echo, logprobs 5, max_tokens 0", {"echo": True, "logprobs": 5, "max_tokens": 0}),
             ("echo, logprobs 5, max_tokens 1", {"echo": True, "logprobs": 5, "max_tokens": 1})]
    bodies = [{"model": name, "prompt": prompt, "temperature": 0, **extra} for _, extra in cases]
    for body in bodies:
        post(body)  # warm-up
    times = [[] for _ in cases]
    tokens = 0
    for _ in range(7):  # interleaved rounds: every case sees the same background load
        for i, body in enumerate(bodies):
            t, a = post(body)
            times[i].append(t)
            tokens = a["usage"]["prompt_tokens"]
    base = statistics.median(times[0])
    for (label, _), ts in zip(cases, times):
        print(f"{name}: {tokens} prompt tokens, {label}: median {statistics.median(ts) * 1000:.0f} ms "
              f"(min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f}; {statistics.median(ts) / base:.2f}x)", flush=True)
finally:
    proc.terminate()
    proc.wait(timeout=60)
