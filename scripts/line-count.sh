#!/usr/bin/env bash
# Line count of Sources/ (.swift/.c/.h) against the redesign's baseline (issue 8), and the lines
# of the whole files that features of the same period added. Run from anywhere in the repository;
# docs/architecture.md ("Line count") quotes its output. `scripts/line-count.sh REF` also prints
# the change since REF (e.g. the commit a clean-up branch started from).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

BASELINE=ad5beea   # the last commit before the redesign

count_tree() {  # lines of .swift/.c/.h under Sources/ at commit $1
    git ls-tree -r --name-only "$1" -- Sources \
        | grep -E '\.(swift|c|h)$' \
        | while read -r f; do git show "$1:$f"; done | wc -l
}
count_now() {   # lines of .swift/.c/.h under Sources/ in the working tree
    find Sources -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' \) -print0 | xargs -0 cat | wc -l
}
count_files() { # lines of the given files (paths under Sources/) that exist
    local total=0 f
    for f in "$@"; do
        if [ -f "Sources/$f" ]; then total=$((total + $(wc -l < "Sources/$f"))); fi
    done
    echo "$total"
}

# Whole files that features added after the baseline (not the redesign): name, then files.
FEATURES=(
    "Qwen2/Qwen3/Gemma 3 architectures (issue 9)|PrefixRuntime/Model/Architectures/Qwen2.swift PrefixRuntime/Model/Architectures/Qwen3.swift PrefixRuntime/Model/Architectures/Gemma3.swift"
    "K-quant and IQ4 dequantizers (issue 9)|TensorFiles/KQuantBlocks.swift TensorFiles/IQ4QuantBlocks.swift"
    "Qwen and Gemma tokenizers (issue 9)|TextTokenizers/Qwen2Split.swift TextTokenizers/ScoredMerges.swift TextTokenizers/BPEAlphabet.swift"
    "C kernel target, CPU dispatch, worker pool (issue 10)|$(cd Sources && find CQuantKernels -type f \( -name '*.c' -o -name '*.h' \) | sort | tr '\n' ' ')PrefixRuntime/KernelISA.swift PrefixRuntime/WorkerPool.swift"
    "Batched decode (issue 10)|PrefixRuntime/BatchDecoder.swift PrefixRuntime/BatchedQuantizedProducts.swift PrefixRuntime/Block/SequenceCaches.swift PrefixRuntime/Ops/SequenceRowsLinear.swift"
    "Block-form K-quant-file formats (issue 9)|PrefixRuntime/QuantizedBlockLayout.swift"
    "inspect-model (issue 9)|PrefixRuntime/Model/CheckpointDescription.swift PrefixPackCLI/InspectModelCommand.swift"
    "bench --json, peak memory (issue 10)|PrefixPackCLI/BenchClock.swift PrefixPackCLI/PeakMemory.swift PrefixPackCLI/ModelBenchmarkReport.swift"
    "bench train, training buffers kept between steps (issue 10)|PrefixPackCLI/BenchTrainCommand.swift PrefixTraining/TrainingWorkspace.swift"
    "Prefix K/V stored once, shared by its sequences (issue 11)|PrefixRuntime/PrefixSlotStorage.swift"
    "Penalties/logit bias in the sampler, prompt scoring for echo (issue 11)|PrefixRuntime/LogitAdjustments.swift PrefixRuntime/InferenceSession+RowLogits.swift"
    "The server (issue 11)|$(cd Sources && find PrefixServer OpenAIRequests -type f -name '*.swift' | sort | tr '\n' ' ')PrefixPackCLI/ServeCommand.swift"
    "Parser fuzzers (issue 12)|$(cd Sources && find PrefixPackFuzz FuzzSupport -type f -name '*.swift' | sort | tr '\n' ' ')"
    "Hardening caps and escaping (issue 12)|PrefixBundle/DerivedSizes.swift PrefixBundle/PrintableText.swift PrefixBundle/FiniteValues.swift TensorFiles/GGUFArray.swift PrefixPackCLI/TerminalOutput.swift"
    "Loss-curve round ticks (issue 8 loose end)|PrefixTrainingRun/AxisTicks.swift"
)

baseline=$(count_tree "$BASELINE")
now=$(count_now)
echo "Sources/ lines (.swift/.c/.h)"
printf '  %-58s %6d\n' "baseline ($BASELINE)" "$baseline"
printf '  %-58s %6d\n' "now ($(git rev-parse --short HEAD)$(git diff --quiet -- Sources || echo '+changes'))" "$now"
features=0
echo "Whole files added by features since the baseline"
for entry in "${FEATURES[@]}"; do
    name=${entry%%|*}
    # shellcheck disable=SC2086
    lines=$(count_files ${entry#*|})
    features=$((features + lines))
    printf '  %-58s %6d\n' "$name" "$lines"
done
printf '  %-58s %6d\n' "all listed features" "$features"
echo "The rest (now - baseline - listed features)"
printf '  %-58s %+6d\n' "redesign and smaller changes" "$((now - baseline - features))"
if [ $# -ge 1 ]; then
    since=$(count_tree "$1")
    printf '  %-58s %+6d\n' "change since $1 ($since lines there)" "$((now - since))"
fi

# The same change, commit by commit: every commit since the baseline that is not a merge, its
# .swift/.c/.h lines added minus removed under Sources/; the commits of issue 8 are listed in
# scripts/issue8-commits.txt, all others are features and fixes; merges' own resolutions are
# the remainder.
commit_delta() {
    git show --numstat --format= "$1" -- Sources \
        | awk '$3 ~ /\.(swift|c|h)$/ { a += $1; d += $2 } END { print a - d + 0 }'
}
declare -A listed=()
while read -r hash _; do
    case "$hash" in ''|'#'*) continue ;; esac
    listed[$(git rev-parse "$hash")]=1
done < scripts/issue8-commits.txt
own=0; others=0; owncount=0
for c in $(git rev-list --no-merges "$BASELINE..HEAD"); do
    n=$(commit_delta "$c")
    if [ -n "${listed[$c]:-}" ]; then own=$((own + n)); owncount=$((owncount + 1)); else others=$((others + n)); fi
done
committed=$(count_tree HEAD)
echo "By commit ($BASELINE..$(git rev-parse --short HEAD), committed lines only)"
printf '  %-58s %+6d\n' "issue 8's $owncount commits (scripts/issue8-commits.txt)" "$own"
printf '  %-58s %+6d\n' "every other commit (features and fixes)" "$others"
printf '  %-58s %+6d\n' "merge resolutions" "$((committed - baseline - own - others))"
