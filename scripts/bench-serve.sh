#!/usr/bin/env bash
# Serving benchmark: aggregate generated tokens/s and p50/p95 time to first token at several
# concurrencies, for the base model alone and for requests spread over 16 prefixes (figures only).
# Needs models/SmolLM2-135M-Instruct.Q4_1.gguf and a release build; uses the venv of
# scripts/openai-client-check.sh (httpx). The 16 prefixes are 16 copies of the Fixtures SmolLM2
# bundle under different names: the server validates, holds and attaches each separately.
#   MAX_TOKENS=32 LEVELS=1,4,16,32 MAX_BATCH=32 scripts/bench-serve.sh
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
NAMES=""
for i in $(seq -w 1 16); do
    cp Fixtures/smollm2/smollm2-peft-raw-init.ptx "$BUNDLES/task$i.ptx"
    NAMES="$NAMES${NAMES:+,}task$i"
done
"$BIN" serve --model "$MODEL" --bundles "$BUNDLES" --port 0 --max-batch "${MAX_BATCH:-32}" --max-queue 256 >"$LOG" 2>/dev/null &
PID=$!
for _ in $(seq 1 600); do grep -q "^serving" "$LOG" && break; sleep 0.2; done
URL=$(sed -n 's/.*listening on //p' "$LOG")
[ -n "$URL" ] || { echo "server did not start" >&2; exit 1; }
BASE=$(basename "$MODEL" .gguf)
"$VENV/bin/python" scripts/bench-serve.py "$URL" "$BASE" "$NAMES" "${MAX_TOKENS:-32}" "${LEVELS:-1,4,16,32}"
