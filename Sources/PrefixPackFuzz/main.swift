import Foundation

// Two build modes share this file (as in Sources/PtxFuzz):
// - plain `swift build`: main.swift is script code, so the global below is initialised eagerly
//   at start-up and replays the seed corpora once (StandaloneRunner), then exits.
// - `-sanitize=fuzzer -parse-as-library -DPREFIXPACK_LIBFUZZER` (scripts/fuzz.sh): the file is
//   library code, LibFuzzerEntry.swift supplies the entry point and this lazy global is never touched.
let standaloneExitStatus: Int32 = {
    exit(StandaloneRunner.run(Array(CommandLine.arguments.dropFirst())))
}()
