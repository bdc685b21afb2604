import Foundation

// Two build modes share this file:
// - plain `swift build`: main.swift is script code, so the global below is initialised eagerly
//   at start-up and runs the seed corpus once (StandaloneRunner), then exits.
// - `swift build -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library`: the file is library
//   code, no `main` is emitted, libFuzzer supplies its own `main` and calls
//   LLVMFuzzerTestOneInput (LibFuzzerEntry.swift); this lazy global is never touched.
let standaloneExitStatus: Int32 = {
    exit(StandaloneRunner.run(Array(CommandLine.arguments.dropFirst())))
}()
