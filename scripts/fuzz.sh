#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz (separate from .build) and fuzzes each parser
# for a bounded time. Usage: scripts/fuzz.sh [TARGET|all] [SECONDS per target, default 20]
# TARGET: gguf safetensors safetensors-index tokenizer config data-rows archive ptx.
# New inputs go to .build-fuzz/corpus/<target> (kept between runs); crashes, timeouts and
# out-of-memory inputs to .build-fuzz/findings/<target>/. Exits non-zero when any run fails.
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS="-jobs=2 -workers=2"). docs/security.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
seconds=${2:-20}
targets=(gguf safetensors safetensors-index tokenizer config data-rows archive ptx)
if [ "$which" != all ]; then targets=("$which"); fi

products=()
for t in "${targets[@]}"; do
    if [ "$t" = ptx ]; then products+=(ptx-fuzz); else products+=(prefixpack-fuzz); fi
done
flags=(-c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
       -Xswiftc -DPTX_LIBFUZZER -Xswiftc -DPREFIXPACK_LIBFUZZER)
for p in $(printf '%s\n' "${products[@]}" | sort -u); do
    swift build "${flags[@]}" --product "$p"
done

status=0
for t in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$t
    findings=.build-fuzz/findings/$t
    mkdir -p "$corpus" "$findings"
    if [ "$t" = ptx ]; then
        cmd=(.build-fuzz/release/ptx-fuzz "$corpus" Fixtures/bundles/valid Fixtures/bundles/invalid -dict=Fixtures/fuzz/ptx.dict -max_len=16384)
    else
        seeds=(Fuzz/corpus/"$t")
        [ -d Fuzz/regressions/"$t" ] && seeds+=(Fuzz/regressions/"$t")
        cmd=(.build-fuzz/release/prefixpack-fuzz "$t" "$corpus" "${seeds[@]}" -max_len=65536)
    fi
    echo "== fuzzing $t for ${seconds}s"
    # Swift's backtracer would otherwise hold the crashing process for seconds (and trips ASan).
    if ! SWIFT_BACKTRACE=enable=no "${cmd[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 \
        -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_ARGS:-} >".build-fuzz/$t.log" 2>&1; then
        status=1
        echo "!! $t: a finding; see .build-fuzz/$t.log and $findings/" >&2
        grep -E "ERROR|invariant broken|Fatal error|==[0-9]+==" ".build-fuzz/$t.log" | head -5 >&2 || true
    fi
    grep -E "^stat::number_of_executed_runs|^#[0-9]+.*DONE" ".build-fuzz/$t.log" | tail -2 || true
done
exit "$status"
