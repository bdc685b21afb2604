#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz (separate from .build) and fuzzes each parser
# for a bounded time. Usage: scripts/fuzz.sh [TARGET|all] [SECONDS per target, default 20]
# TARGET: gguf safetensors safetensors-index tokenizer config data-rows archive server-request ptx.
# New inputs go to .build-fuzz/corpus/<target> (kept between runs); crashes, timeouts and
# out-of-memory inputs to .build-fuzz/findings/<target>/. Exits non-zero when any run fails.
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS="-jobs=2 -workers=2"). docs/security.md, "Fuzzing".
# FUZZ_BUILD=debug builds an unoptimized instrumented binary into .build-fuzz-debug (corpus and
# findings there too) instead, with a per-input timeout of 20 s; fewer executions per second, a
# much shorter build (scripts/test.sh runs it in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
seconds=${2:-20}
config=${FUZZ_BUILD:-release}
case "$config" in
    release) scratch=.build-fuzz; timeout=5 ;;
    debug) scratch=.build-fuzz-debug; timeout=20 ;;
    *) echo "FUZZ_BUILD must be release or debug, not '$config'" >&2; exit 2 ;;
esac
targets=(gguf safetensors safetensors-index tokenizer config data-rows archive server-request ptx)
if [ "$which" != all ]; then targets=("$which"); fi

products=()
for t in "${targets[@]}"; do
    if [ "$t" = ptx ]; then products+=(ptx-fuzz); else products+=(prefixpack-fuzz); fi
done
flags=(-c "$config" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
       -Xswiftc -DPTX_LIBFUZZER -Xswiftc -DPREFIXPACK_LIBFUZZER)
for p in $(printf '%s\n' "${products[@]}" | sort -u); do
    swift build "${flags[@]}" --product "$p"
done

status=0
for t in "${targets[@]}"; do
    corpus=$scratch/corpus/$t
    findings=$scratch/findings/$t
    mkdir -p "$corpus" "$findings"
    if [ "$t" = ptx ]; then
        cmd=("$scratch/$config/ptx-fuzz" "$corpus" Fixtures/bundles/valid Fixtures/bundles/invalid -dict=Fixtures/fuzz/ptx.dict -max_len=16384)
    else
        seeds=(Fuzz/corpus/"$t")
        [ -d Fuzz/regressions/"$t" ] && seeds+=(Fuzz/regressions/"$t")
        cmd=("$scratch/$config/prefixpack-fuzz" "$t" "$corpus" "${seeds[@]}" -max_len=65536)
        [ -f Fuzz/"$t".dict ] && cmd+=(-dict=Fuzz/"$t".dict)
    fi
    echo "== fuzzing $t for ${seconds}s"
    # Swift's backtracer would otherwise hold the crashing process for seconds (and trips ASan).
    if ! SWIFT_BACKTRACE=enable=no "${cmd[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout="$timeout" \
        -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_ARGS:-} >"$scratch/$t.log" 2>&1; then
        status=1
        echo "!! $t: a finding; see $scratch/$t.log and $findings/" >&2
        grep -E "ERROR|invariant broken|Fatal error|==[0-9]+==" "$scratch/$t.log" | head -5 >&2 || true
    fi
    grep -E "^stat::number_of_executed_runs|^#[0-9]+.*DONE" "$scratch/$t.log" | tail -2 || true
done
exit "$status"
