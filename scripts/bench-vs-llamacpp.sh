#!/usr/bin/env bash
# Side-by-side batch-1 decode and prefill throughput: prefixpack vs llama.cpp (llama-cpp-python,
# built from source for this CPU into .venv-llamacpp once; later runs reuse it) on the same GGUF
# file, thread count, prompt length (seeded random ids) and number of decoded tokens.
# Usage: scripts/bench-vs-llamacpp.sh [MODEL.gguf] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
THREADS=${2:-2}
PROMPT_TOKENS=128
DECODE_TOKENS=64
VENV=.venv-llamacpp

if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # Compiles llama.cpp (several minutes on 2 cores); nice keeps a shared machine usable.
    CMAKE_ARGS="-DGGML_NATIVE=ON" nice "$VENV/bin/pip" install --no-binary llama-cpp-python "llama-cpp-python==0.3.36" numpy
fi
[ -x .build/release/prefixpack ] || swift build -c release --product prefixpack

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
llama=$("$VENV/bin/python" - "$MODEL" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS" <<'PY'
import random, sys, time
import numpy as np
from llama_cpp import Llama
model, threads, prompt_tokens, decode_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=model, n_threads=threads, n_threads_batch=threads, n_ctx=512, n_batch=512, verbose=False)
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
    --decode-tokens "$DECODE_TOKENS" --no-kernel-probe)
echo "$ours" | grep -E "^quantized products"
# Rows "| no | 590.0 (0.217 s) | 35.3 (28.3 ms/token) |" and "| yes | ... |".
row() { echo "$ours" | awk -F'|' -v p="$1" '$2 ~ " "p" " { split($3, a, " "); split($4, b, " "); print a[1], b[1] }'; }
read -r plain_prefill plain_decode <<<"$(row no)"
read -r prefix_prefill prefix_decode <<<"$(row yes)"
printf "| %s, %s threads | prefill %d tok (tok/s) | decode %d tok (tok/s) |\n" "$(basename "$MODEL")" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS"
echo "|---|---|---|"
printf "| llama.cpp | %.1f | %.1f |\n" "$llama_prefill" "$llama_decode"
printf "| prefixpack | %.1f | %.1f |\n" "$plain_prefill" "$plain_decode"
printf "| prefixpack, 10-token prefix | %.1f | %.1f |\n" "$prefix_prefill" "$prefix_decode"
awk -v a="$plain_prefill" -v b="$llama_prefill" -v c="$plain_decode" -v d="$llama_decode" -v e="$prefix_decode" \
    'BEGIN { printf "ratio prefixpack / llama.cpp: prefill %.2fx, decode %.2fx (with the prefix %.2fx)\n", a / b, c / d, e / d }'
