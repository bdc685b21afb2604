import ArgumentParser
import Foundation
import PrefixBundle
import PrefixRuntime

/// `prefixpack inspect-model CHECKPOINT [--json] [--tensor NAME --out F.npy]`.
struct InspectModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-model",
        abstract: "Describe a checkpoint: architecture, hyper-parameters, tokenizer and hash, tensor table.",
        discussion: """
            Reads the GGUF header or the Hugging Face folder's config.json, safetensors headers and \
            tokenizer; the weights are not loaded. With --tensor NAME --out F.npy, writes that tensor \
            dequantized to float32 (gguf-py's values, bit for bit), atomically. Exit codes: 0 shown, \
            1 usage or I/O error, 2 malformed checkpoint.
            """
    )

    @Argument(help: "A .gguf file or a Hugging Face model folder.")
    var checkpoint: String

    @Flag(help: "Print one JSON document (schema 1, sorted keys) instead of text.")
    var json = false

    @Option(help: "A tensor to write dequantized to float32 (needs --out).")
    var tensor: String?

    @Option(help: "The .npy file --tensor writes.")
    var out: String?

    func validate() throws {
        guard (tensor == nil) == (out == nil) else { throw ValidationError("--tensor and --out go together") }
    }

    func run() throws {
        try CLIFailure.guarded {
            if let tensor, let out {
                let shape = try CheckpointDescription.writeTensor(path: checkpoint, name: tensor, to: out)
                StandardOutput.print("\(out): float32 \(shape) from \(PrintableText.quoted(tensor))")
                return
            }
            let description = try CheckpointDescription.describe(path: checkpoint)
            print(json ? try JSONOutput.document(description, keys: .convertToSnakeCase) : Self.text(description))
        }
    }

    /// The text form: summary lines, then one line per tensor.
    static func text(_ d: CheckpointDescription) -> String {
        var lines = [
            "checkpoint: \(PrintableText.escaped(d.path)) (\(d.format))",
            "architecture: \(d.architecture)",
            "config: " + d.config.keys.sorted().map { "\($0)=\(d.config[$0]!)" }.joined(separator: " "),
            "tokenizer: \(d.tokenizer.alphabet) BPE, pre-tokenizer \(d.tokenizer.preTokenizer), "
                + "\(d.tokenizer.vocabularySize) ids, \(d.tokenizer.hash)",
            "tensors: \(d.tensors.count), \(d.tensorBytes) bytes",
        ]
        let width = d.tensors.map(\.name.count).max() ?? 0
        for t in d.tensors {
            let name = PrintableText.escaped(t.name)
            lines.append("  \(name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0))  "
                + "\(t.type.padding(toLength: 5, withPad: " ", startingAt: 0))  \(t.shape)  \(t.bytes)")
        }
        return lines.joined(separator: "\n")
    }
}
