#!/usr/bin/env bash
# Installs the Debian packages prefixpack needs, if any is missing (run as root, or with sudo available).
set -euo pipefail
need=()
for p in zlib1g-dev libarchive-dev libopenblas-dev pkg-config unzip; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing: ${need[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6 (https://swift.org/install) and retry" >&2; exit 1; }
