#!/usr/bin/env bash
# Side-by-side batch-1 decode and prefill throughput: prefixpack vs llama.cpp (llama-cpp-python,
# built from source for this CPU into .venv-llamacpp once; later runs reuse it) on the same GGUF
# file, thread count, prompt length (seeded random ids) and number of decoded tokens.
# prefixpack also decodes BATCH sequences together (aggregate tok/s against its own batch 1).
# Usage: [PROMPT_TOKENS=128] [DECODE_TOKENS=64] scripts/bench-vs-llamacpp.sh [MODEL.gguf] [THREADS] [BATCH]
# (the issue's figure is at the default 128-token prompt; a longer one measures long-context decode).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
THREADS=${2:-2}
BATCH=${3:-8}
PROMPT_TOKENS=${PROMPT_TOKENS:-128}
DECODE_TOKENS=${DECODE_TOKENS:-64}
VENV=.venv-llamacpp

if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # The build needs CMake >= 3.21: the system's (apt-get install cmake) or PyPI's, fetched here
    # up front (pip's isolated build fetches it too, but a failed download there aborts the build).
    command -v cmake >/dev/null || "$VENV/bin/pip" install --quiet cmake
    # Compiles llama.cpp (several minutes on 2 cores); nice keeps a shared machine usable.
    CMAKE_ARGS="-DGGML_NATIVE=ON" nice "$VENV/bin/pip" install --no-binary llama-cpp-python "llama-cpp-python==0.3.36" numpy
fi
[ -x .build/release/prefixpack ] || swift build -c release --product prefixpack

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset (OpenBLAS chooses its kernels for the CPU)}"
llama=$("$VENV/bin/python" - "$MODEL" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS" <<'PY'
import random, sys, time
import numpy as np
from llama_cpp import Llama
model, threads, prompt_tokens, decode_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
context = max(512, prompt_tokens + decode_tokens)  # one batch for the whole prompt, as at the default 128
llm = Llama(model_path=model, n_threads=threads, n_threads_batch=threads, n_ctx=context, n_batch=context, verbose=False)
rng = random.Random(42)
prompt = [rng.randrange(llm.n_vocab()) for _ in range(prompt_tokens)]
prefills, decodes = [], []
for run in range(4):  # one warm-up, then three timed runs; medians
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(prompt)
    t1 = time.perf_counter()
    for _ in range(decode_tokens):
        llm.eval([int(np.argmax(llm.scores[llm.n_tokens - 1]))])
    t2 = time.perf_counter()
    if run > 0:
        prefills.append(t1 - t0)
        decodes.append(t2 - t1)
print(prompt_tokens / sorted(prefills)[1], decode_tokens / sorted(decodes)[1])
PY
)
read -r llama_prefill llama_decode <<<"$llama"
ours=$(.build/release/prefixpack bench model --model "$MODEL" --threads "$THREADS" --prompt-tokens "$PROMPT_TOKENS" \
    --decode-tokens "$DECODE_TOKENS" --batch "$BATCH" --json)
echo "load after both runs: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$MODEL" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS" "$BATCH" "$llama_prefill" "$llama_decode" "$ours" <<'PY'
import json, os, sys
model, threads, prompt, decode, batch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
llama_prefill, llama_decode, ours = float(sys.argv[6]), float(sys.argv[7]), json.loads(sys.argv[8])
plain, prefixed = ours, ours["prefix"]
print(f"prefixpack: {ours['kernel_isa']} kernels, {ours['activations']} activations, {ours['threads']} threads; "
      f"peak RSS {ours['peak_rss_bytes'] / 2**20:.1f} MiB")
print(f"| {os.path.basename(model)}, {threads} threads | prefill {prompt} tok (tok/s) | decode {decode} tok, batch 1 (tok/s) | decode, batch {batch} (aggregate tok/s) |")
print("|---|---|---|---|")
print(f"| llama.cpp | {llama_prefill:.1f} | {llama_decode:.1f} | |")
for label, f in [("prefixpack", plain), ("prefixpack, 10-token prefix", prefixed)]:
    print(f"| {label} | {f['prefill_tokens_per_second']:.1f} | {f['decode_tokens_per_second']:.1f} | {f['batched_decode_tokens_per_second']:.1f} |")
print(f"ratio prefixpack / llama.cpp: prefill {plain['prefill_tokens_per_second'] / llama_prefill:.2f}x, "
      f"decode {plain['decode_tokens_per_second'] / llama_decode:.2f}x "
      f"(with the prefix {prefixed['decode_tokens_per_second'] / llama_decode:.2f}x); "
      f"batch {batch} aggregate / prefixpack batch 1: {plain['batched_decode_tokens_per_second'] / plain['decode_tokens_per_second']:.2f}x")
PY
