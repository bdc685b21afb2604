#!/usr/bin/env bash
# Serving benchmark: aggregate generated tokens/s and p50/p95 time to first token at several
# concurrencies, for the base model alone and for requests spread over 16 prefixes (figures only).
# Needs models/SmolLM2-135M-Instruct.Q4_1.gguf and a release build; uses the venv of
# scripts/openai-client-check.sh (httpx). The 16 prefixes are 16 different bundles made by
# `prefixpack build`: each initialised from the model's K/V of its own text (--init-text,
# P = PREFIX_LENGTH, default 10) and trained one step, so every prefix has different slots. Every
# request uses `ignore_eos`, so base and prefixed requests generate exactly MAX_TOKENS tokens.
#   MAX_TOKENS=32 LEVELS=1,4,16,32 ROUNDS=3 MAX_BATCH=32 PREFIX_LENGTH=10 scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
BIN=.build/release/prefixpack
VENV=.build/openai-venv
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install --quiet openai; }
BUNDLES=$(mktemp -d)
LOG=$(mktemp)
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$BUNDLES" "$LOG"; }
trap cleanup EXIT
TEXTS=("Translate English to French." "Summarize the news article." "Answer questions about cooking."
       "Write Python code." "Describe restaurants politely." "Classify the sentiment of reviews."
       "Explain physics to children." "Write short poems about nature." "Correct English grammar."
       "Answer medical questions carefully." "Plan travel itineraries." "Tell jokes about cats."
       "Give chess advice." "Write product descriptions." "Explain the history of Rome." "Answer in formal legal style.")
NAMES=""
for i in $(seq 1 16); do
    name=$(printf "task%02d" "$i")
    "$BIN" build --model "$MODEL" --data data/e2e/e2e-train-dev.zip:train.csv --output "$BUNDLES/$name.ptx" \
        --prefix-length "${PREFIX_LENGTH:-10}" --reparam none --init-text "${TEXTS[$((i - 1))]}" \
        --max-steps 1 --batch-size 1 --limit 1 --lr 1e-4 --seed "$i" >/dev/null
    NAMES="$NAMES${NAMES:+,}$name"
done
"$BIN" serve --model "$MODEL" --bundles "$BUNDLES" --port 0 --max-batch "${MAX_BATCH:-32}" --max-queue 256 >"$LOG" 2>/dev/null &
PID=$!
for _ in $(seq 1 600); do grep -q "^serving" "$LOG" && break; sleep 0.2; done
URL=$(sed -n 's/.*listening on //p' "$LOG")
[ -n "$URL" ] || { echo "server did not start" >&2; exit 1; }
BASE=$(basename "$MODEL" .gguf)
"$VENV/bin/python" scripts/bench-serve.py "$URL" "$BASE" "$NAMES" "${MAX_TOKENS:-32}" "${LEVELS:-1,4,16,32}" "${ROUNDS:-3}"
