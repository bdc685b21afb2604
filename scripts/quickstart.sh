#!/usr/bin/env bash
# Quick start: train a table-to-text prefix for SmolLM2-135M-Instruct on a subset of E2E and
# show what it does. About ten minutes on 2 cores:
#   1. installs missing Debian packages, fetches the model (98 MB) and builds prefixpack (release);
#   2. scores the bare model on 50 dev MRs (greedy, prompt "MR => "): sample generations + BLEU;
#   3. trains a 10-token prefix (MLP reparameterization, init from "table-to-text:") for 80 steps
#      of batch 8 on the first 2000 training rows, dev loss on 64 dev rows;
#   4. scores the model with the prefix on the same 50 MRs and prints BLEU before and after.
# The E2E train/dev zip ships in the repository (data/e2e/, CC BY-SA 4.0, see data/e2e/README.md);
# E2E_ZIP names another copy. Outputs go to out/quickstart/. Settings can be changed with STEPS,
# LIMIT, EVAL_MRS. MODEL=gemma3-270m runs the same with Gemma 3 270M Q4_K_M (outputs in
# out/quickstart-gemma3-270m/; about 25 minutes of training on 2 cores, 2.8 GB of memory).
set -euo pipefail
cd "$(dirname "$0")/.."
E2E_ZIP=${E2E_ZIP:-data/e2e/e2e-train-dev.zip}
STEPS=${STEPS:-80}
LIMIT=${LIMIT:-2000}
EVAL_MRS=${EVAL_MRS:-50}
case "${MODEL:-smollm2}" in
smollm2) MODEL_NAME=smollm2; MODEL_FILE=models/SmolLM2-135M-Instruct.Q4_1.gguf; OUT=out/quickstart ;;
gemma3-270m) MODEL_NAME=gemma3-270m; MODEL_FILE=models/gemma-3-270m-q4_k_m.gguf; OUT=out/quickstart-gemma3-270m ;;
*) echo "MODEL must be smollm2 or gemma3-270m (got ${MODEL})" >&2; exit 1 ;;
esac

if [ ! -f "$E2E_ZIP" ]; then
    echo "E2E data not found at $E2E_ZIP (set E2E_ZIP=path/to/e2e-train-dev.zip)" >&2
    exit 1
fi
scripts/install-deps.sh
scripts/fetch-model.sh "$MODEL_NAME"
swift build -c release --product prefixpack
P=.build/release/prefixpack
mkdir -p "$OUT"

echo
echo "== 1/3 the bare model on $EVAL_MRS dev MRs (no prefix)"
$P eval --model "$MODEL_FILE" --data "$E2E_ZIP:dev.csv" --limit "$EVAL_MRS" -o "$OUT/eval-before" | tee "$OUT/eval-before.txt"

echo
echo "== 2/3 training the prefix ($STEPS steps, batch 8, first $LIMIT training rows)"
$P build --model "$MODEL_FILE" --data "$E2E_ZIP:train.csv" --dev "$E2E_ZIP:dev.csv" --dev-limit 64 \
    -o "$OUT/e2e.ptx" --limit "$LIMIT" --max-steps "$STEPS" --batch-size 8 --lr 5e-4 \
    --init-text "table-to-text:" --eval-every 40 --checkpoint-every 20 --seed 0

echo
echo "== 3/3 the model with the prefix on the same $EVAL_MRS dev MRs"
$P eval --model "$MODEL_FILE" --bundle "$OUT/e2e.ptx" --data "$E2E_ZIP:dev.csv" --limit "$EVAL_MRS" -o "$OUT/eval-after" | tee "$OUT/eval-after.txt"

bleu() { python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['metrics']['bleu']['score'])" "$1"; }
echo
echo "dev BLEU (greedy, $EVAL_MRS MRs): before $(bleu "$OUT/eval-before/summary.json"), after $(bleu "$OUT/eval-after/summary.json")"
echo "bundle: $OUT/e2e.ptx   loss curve: $OUT/e2e.loss.svg   generations: $OUT/eval-*/generations.jsonl"
