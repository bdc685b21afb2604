// prefixpack-example [MODEL] [BUNDLE]: the ten-line example of docs/runtime-api.md.
import PrefixRuntime

let args = CommandLine.arguments
let checkpoint = try Checkpoint.load(path: args.count > 1 ? args[1] : "models/SmolLM2-135M-Instruct.Q4_1.gguf")
let prefix = args.count > 2 ? try checkpoint.attach(bundlePath: args[2]) : nil   // throws listing every mismatch
for warning in prefix?.warnings ?? [] { print("warning:", warning) }
let options = GenerationOptions(maxTokens: 24, stopStrings: ["\n\n"])
for try await piece in checkpoint.stream(prompt: "The capital of France is", prefix: prefix, options: options) {
    print(piece.text, terminator: "")
}
print()
