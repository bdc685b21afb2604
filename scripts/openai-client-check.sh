#!/usr/bin/env bash
# Real-client check of `prefixpack serve` with the official `openai` Python package.
# Makes a venv (.build/openai-venv, `pip install openai`), two SmolLM2 bundles from Fixtures
# (raw: the PEFT raw-prefix fixture bundle; proj: `import peft` of the PEFT reparameterized
# fixture), then runs scripts/openai-client-check.py against a server on a free loopback port.
# Needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch-model.sh) and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
BIN=.build/release/prefixpack
[ -f "$MODEL" ] || { echo "missing $MODEL (scripts/fetch-model.sh fetches it)" >&2; exit 1; }
[ -x "$BIN" ] || swift build -c release --product prefixpack
VENV=.build/openai-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet openai
fi
BUNDLES=$(mktemp -d)
trap 'rm -rf "$BUNDLES"' EXIT
cp Fixtures/smollm2/smollm2-peft-raw-init.ptx "$BUNDLES/raw.ptx"
"$BIN" import peft Fixtures/interop/smollm2/peft_proj --model "$MODEL" -o "$BUNDLES/proj.ptx" >/dev/null
"$VENV/bin/python" scripts/openai-client-check.py "$BIN" "$MODEL" "$BUNDLES"
