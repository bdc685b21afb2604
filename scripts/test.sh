#!/usr/bin/env bash
# Installs what is missing, fetches the real models (tests that need one skip without it), runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fetch-model.sh || echo "warning: could not fetch the SmolLM2 model; its tests will be skipped" >&2
scripts/fetch-model.sh gemma3-270m || echo "warning: could not fetch the Gemma 3 270M model; its tests will be skipped" >&2
# Release build with testable imports: the quantized decode kernels and the SmolLM2 parity tests
# run at the speed users see (a debug build takes many times longer on them).
swift build -c release --build-tests -Xswiftc -enable-testing
mkdir -p .build
status=0
swift test -c release --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt || status=$?
# One plain summary line from XCTest's last "Executed N tests, with [S tests skipped and] F failures".
summary=$(grep -E "Executed [0-9]+ tests?, with" .build/test-output.txt | tail -1 || true)
if [ -n "$summary" ]; then
    total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
    failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
    skipped=0
    grep -q "skipped" <<<"$summary" && skipped=$(sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
    echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
# The server against the official `openai` Python client (venv from PyPI; needs the SmolLM2 model).
if [ -f models/SmolLM2-135M-Instruct.Q4_1.gguf ]; then
    echo "== openai client check (scripts/openai-client-check.sh)"
    scripts/openai-client-check.sh || { echo "openai client check: FAILED"; status=1; }
else
    echo "warning: models/SmolLM2-135M-Instruct.Q4_1.gguf missing; openai client check skipped" >&2
fi
# Every fuzz target for a short bounded time (docs/security.md, "In CI"): an unoptimized
# instrumented build in .build-fuzz-debug, 10 s per target; a crash, hang, out-of-memory or broken
# invariant fails the run (the input is in .build-fuzz-debug/findings/<target>/). Linux only (libFuzzer).
if [ "$(uname)" = Linux ]; then
    echo "== fuzzing every parser for 10 s (scripts/fuzz.sh, FUZZ_BUILD=debug)"
    FUZZ_BUILD=debug scripts/fuzz.sh all 10 || { echo "fuzzing: FAILED"; status=1; }
fi
exit "$status"
