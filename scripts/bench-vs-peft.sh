#!/usr/bin/env bash
# Side-by-side prefix-tuning training step: prefixpack vs PEFT (PyTorch, CPU) on SmolLM2-135M's shapes:
# P = 10 virtual tokens, reparameterization MLP hidden 512, batch 8 x 64 tokens, THREADS threads each.
# PEFT runs on a LlamaForCausalLM with SmolLM2's configuration and random weights (timing only);
# prefixpack on the real Q4_1 GGUF, loaded with f32 weights as `prefixpack build` does. The two
# processes run in turn ROUNDS times (PEFT, prefixpack, PEFT, ...); each reports the median of STEPS
# timed steps after one warm-up, and the ratio is taken round by round (machine speed drifts).
# torch, transformers and peft are installed into .venv-peft once (PyPI; a local CPU wheel of torch
# is used where pip's configuration offers one); later runs reuse it.
# Usage: scripts/bench-vs-peft.sh [MODEL.gguf] [THREADS] [ROUNDS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
THREADS=${2:-2}
ROUNDS=${3:-3}
STEPS=${4:-5}
VENV=.venv-peft

if ! "$VENV/bin/python" -c "import torch, transformers, peft" 2>/dev/null; then
    python3 -m venv "$VENV"
    nice "$VENV/bin/pip" install --quiet "torch==2.13.0" transformers peft
fi
[ -x .build/release/prefixpack ] || swift build -c release --product prefixpack

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset (OpenBLAS chooses its kernels for the CPU)}"
results=()
for round in $(seq "$ROUNDS"); do
    peft=$("$VENV/bin/python" scripts/bench-vs-peft.py --threads "$THREADS" --steps "$STEPS")
    ours=$(OPENBLAS_NUM_THREADS="$THREADS" .build/release/prefixpack bench train --model "$MODEL" --threads "$THREADS" \
        --steps "$STEPS" --json)
    results+=("$peft" "$ours")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$THREADS" "${results[@]}" <<'PY'
import json, statistics, sys
threads, runs = sys.argv[1], [json.loads(s) for s in sys.argv[2:]]
print(f"batch 8 x 64 tokens, P = 10, MLP hidden 512, {threads} threads; each cell: median step of one process")
print("| round | PEFT step (s, CPU s) | prefixpack step (s, CPU s) | ratio prefixpack / PEFT |")
print("|---|---|---|---|")
ratios = []
for i in range(0, len(runs), 2):
    peft, ours = runs[i], runs[i + 1]
    ratios.append(ours["step_seconds"] / peft["step_seconds"])
    print(f"| {i // 2 + 1} | {peft['step_seconds']:.3f} ({peft['step_cpu_seconds']:.2f}) | "
          f"{ours['step_seconds']:.3f} ({ours['step_cpu_seconds']:.2f}) | {ratios[-1]:.2f}x |")
peft, ours = runs[-2], runs[-1]
print(f"median ratio: {statistics.median(ratios):.2f}x (goal <= 0.35x); peak RSS: PEFT {peft['peak_rss_bytes'] / 2**20:.0f} MiB "
      f"(torch {peft['torch']}, {peft['attn']} attention), prefixpack {ours['peak_rss_bytes'] / 2**20:.0f} MiB")
PY
