import ArgumentParser
import Foundation
import PrefixRuntime

/// `prefixpack generate --model M [--bundle B] --prompt TEXT ...`: stream a continuation to stdout.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with a checkpoint, optionally with a .ptx prefix attached; tokens stream to stdout.",
        discussion: """
            MODEL is a GGUF file or a Hugging Face folder (config.json, model.safetensors, tokenizer.json). \
            Greedy by default; --temperature > 0 samples (then --top-k, --top-p, --seed apply). \
            Generation ends at EOS (unless --ignore-eos), at a --stop string (not printed) or after --max-tokens. \
            Compatibility warnings and the summary go to stderr.
            """
    )

    @OptionGroup var checkpoint: CheckpointOption
    @OptionGroup var prefix: BundleOption
    @OptionGroup var threads: ThreadsOption

    @Option(name: .long, help: "The prompt text (special tokens written in it are matched).")
    var prompt: String

    @Option(name: .customLong("max-tokens"), help: "Largest number of new tokens.")
    var maxTokens = 128

    @Flag(name: .long, help: "Wrap the prompt as a user message in the checkpoint's chat template.")
    var chat = false

    @Option(name: .long, help: "Sampling temperature; 0 = greedy.")
    var temperature: Float = 0

    @Option(name: .customLong("top-k"), help: "Keep only the K most likely tokens (0 = all).")
    var topK = 0

    @Option(name: .customLong("top-p"), help: "Keep the most likely tokens up to this total probability (1 = all).")
    var topP: Float = 1

    @Option(name: .long, help: "Random seed for sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Stop when this text appears (repeatable); it is not printed.")
    var stop: [String] = []

    @Flag(name: .customLong("ignore-eos"), help: "Do not stop at the end-of-sequence token.")
    var ignoreEOS = false

    @Flag(name: .customLong("print-ids"), help: "After generating, print the prompt and new token ids to stderr.")
    var printIDs = false

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be >= 0 (got \(maxTokens))") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be a finite number >= 0") }
        guard topK >= 0 else { throw ValidationError("--top-k must be >= 0 (got \(topK))") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1] (got \(topP))") }
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            let loaded = try Checkpoint.load(path: checkpoint.model)
            let attached = try ValidateModelCheck.attach(prefix.bundle, to: loaded, modelPath: checkpoint.model)
            let options = GenerationOptions(
                maxTokens: maxTokens,
                sampling: SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed),
                stopTokenIDs: ignoreEOS ? [] : nil, stopStrings: stop)
            let session = try loaded.makeSession(prefix: attached)
            session.inference.exactActivations = false  // int16 activations: faster decode, same greedy tokens
            let out = FileHandle.standardOutput
            let result = try session.generate(prompt: prompt, chat: chat, options: options) { piece in
                if !piece.text.isEmpty { out.write(Data(piece.text.utf8)) }
                return true
            }
            out.write(Data("\n".utf8))
            if printIDs {
                StandardError.print("prompt ids: " + result.promptTokens.map(String.init).joined(separator: ","))
                StandardError.print("new ids: " + result.tokens.map(String.init).joined(separator: ","))
                StandardError.print("stop: \(result.stopReason)")
            }
        }
    }
}
