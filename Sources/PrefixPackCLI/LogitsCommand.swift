import ArgumentParser
import Foundation
import PrefixRuntime
import TensorFiles

/// `prefixpack logits --model M [--bundle B] (--text TEXT | --ids 1,2,3) --out F.npy [--all]`.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Write the model's logits for a text or id sequence as a float32 .npy (for parity checks).",
        discussion: """
            Without --all the file holds the last position's logits [vocab]; with --all every position's [T, vocab]. \
            --text is tokenized like generate's prompt (BOS only when the checkpoint asks for it).
            """
    )

    @OptionGroup var checkpoint: CheckpointOption
    @OptionGroup var prefix: BundleOption
    @OptionGroup var threads: ThreadsOption

    @Option(name: .long, help: "Text to run.")
    var text: String?

    @Option(name: .long, help: "Comma-separated token ids to run, e.g. 1,2,3.")
    var ids: String?

    @Option(name: .long, help: "Output .npy file (written atomically).")
    var out: String

    @Flag(name: .long, help: "Write the logits of every position, not just the last.")
    var all = false

    func validate() throws {
        guard (text == nil) != (ids == nil) else { throw ValidationError("give exactly one of --text and --ids") }
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            let loaded = try Checkpoint.load(path: checkpoint.model)
            let attached = try ValidateModelCheck.attach(prefix.bundle, to: loaded, modelPath: checkpoint.model)
            let tokens = try ids.map { try TokenIDList.parse($0, option: "--ids") } ?? loaded.promptTokens(text ?? "")
            guard !tokens.isEmpty else { throw CLIError.invalidArgument(option: "--ids", found: "no ids", expected: "at least one id") }
            let session = try loaded.makeSession(prefix: attached)
            let logits = try session.inference.forward(tokens, logits: all ? .all : .last)
            let vocab = loaded.config.vocabSize
            let shape = all ? [tokens.count, vocab] : [vocab]
            try NpyArray(shape: shape, floats: logits).write(to: URL(fileURLWithPath: out), distinctFrom: [checkpoint.model] + (prefix.bundle.map { [$0] } ?? []))
            StandardOutput.print("\(out): float32 \(shape) logits for \(tokens.count) tokens\(attached.map { " with a \($0.virtualTokenCount)-token prefix" } ?? "")")
        }
    }
}
