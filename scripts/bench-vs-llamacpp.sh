#!/usr/bin/env bash
# Side-by-side prefill and decode throughput: prefixpack vs llama.cpp (llama-cpp-python,
# built from source for this CPU into .venv-llamacpp once; later runs reuse it) on the same GGUF
# file, thread count, prompt length (seeded random ids) and number of decoded tokens.
# Both also decode BATCH sequences together (aggregate tok/s; llama.cpp: one llama_decode of BATCH
# tokens per step, scripts/bench-llamacpp.py), each compared with its own batch 1 and with the other.
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
llama=$("$VENV/bin/python" scripts/bench-llamacpp.py "$MODEL" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS" "$BATCH")
ours=$(.build/release/prefixpack bench model --model "$MODEL" --threads "$THREADS" --prompt-tokens "$PROMPT_TOKENS" \
    --decode-tokens "$DECODE_TOKENS" --batch "$BATCH" --json)
echo "load after both runs: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$MODEL" "$THREADS" "$PROMPT_TOKENS" "$DECODE_TOKENS" "$BATCH" "$llama" "$ours" <<'PY'
import json, os, sys
model, threads, prompt, decode, batch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
llama, ours = json.loads(sys.argv[6]), json.loads(sys.argv[7])
plain, prefixed = ours, ours["prefix"]
print(f"prefixpack: {ours['kernel_isa']} kernels, {ours['activations']} activations, {ours['threads']} threads; "
      f"peak RSS {ours['peak_rss_bytes'] / 2**20:.1f} MiB")
print(f"| {os.path.basename(model)}, {threads} threads | prefill {prompt} tok (tok/s) | decode {decode} tok, batch 1 (tok/s) | decode, batch {batch} (aggregate tok/s) |")
print("|---|---|---|---|")
for label, f in [("llama.cpp", llama), ("prefixpack", plain), ("prefixpack, 10-token prefix", prefixed)]:
    print(f"| {label} | {f['prefill_tokens_per_second']:.1f} | {f['decode_tokens_per_second']:.1f} | {f['batched_decode_tokens_per_second']:.1f} |")
def scaling(f):
    return f["batched_decode_tokens_per_second"] / f["decode_tokens_per_second"]
print(f"ratio prefixpack / llama.cpp: prefill {plain['prefill_tokens_per_second'] / llama['prefill_tokens_per_second']:.2f}x, "
      f"decode {plain['decode_tokens_per_second'] / llama['decode_tokens_per_second']:.2f}x "
      f"(with the prefix {prefixed['decode_tokens_per_second'] / llama['decode_tokens_per_second']:.2f}x), "
      f"batch {batch} aggregate {plain['batched_decode_tokens_per_second'] / llama['batched_decode_tokens_per_second']:.2f}x")
print(f"batch {batch} aggregate / batch 1, each against itself: prefixpack {scaling(plain):.2f}x, llama.cpp {scaling(llama):.2f}x")
PY
