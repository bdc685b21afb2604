// prefixpack-example: the ten-line example of docs/runtime-api.md (run from the package root).
import Foundation
import PrefixRuntime

do {
    let checkpoint = try Checkpoint.load(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    let prefix = try checkpoint.attach(bundlePath: "Fixtures/smollm2/smollm2-peft-raw-init.ptx")  // lists every mismatch
    prefix.warnings.forEach { print("warning:", $0) }
    let options = GenerationOptions(maxTokens: 24, stopStrings: ["\n\n"])
    for try await piece in checkpoint.stream(prompt: "The capital of France is", prefix: prefix, options: options) {
        print(piece.text, terminator: "")
    }
    print()
} catch { print("error:", error); exit(1) }
