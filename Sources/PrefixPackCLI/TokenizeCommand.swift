import ArgumentParser
import Foundation
import PrefixBundle
import PrefixRuntime

/// `prefixpack tokenize --model M (--text TEXT [--json] | --decode 1,2,3 | --hash)`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a checkpoint's tokenizer, or decode ids back to text.",
        discussion: """
            --text prints the ids comma-separated (no BOS is added; special tokens in the text are matched); \
            --json prints {"ids": [...], "pieces": [...]} with each id's vocabulary entry. \
            --decode prints the text of comma-separated ids; --hash prints the bundle tokenizer hash. \
            Only the tokenizer is read, not the weights.
            """
    )

    @OptionGroup var checkpoint: CheckpointOption

    @Option(name: .long, help: "Text to tokenize.")
    var text: String?

    @Option(name: .long, help: "Comma-separated ids to decode, e.g. 1,2,3.")
    var decode: String?

    @Flag(name: .long, help: "Print JSON with ids and pieces.")
    var json = false

    @Flag(name: .long, help: "Print the tokenizer hash that bundles for this checkpoint must carry.")
    var hash = false

    func validate() throws {
        guard [text != nil, decode != nil, hash].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --text, --decode and --hash")
        }
    }

    func run() throws {
        try CLIFailure.guarded {
            let tokenizer = try Checkpoint.loadTokenizer(path: checkpoint.model)
            if hash {
                print(tokenizer.tokenizerHash)
            } else if let decode {
                let ids = try TokenIDList.parse(decode, option: "--decode")
                if let bad = ids.first(where: { $0 >= tokenizer.vocabularySize }) {
                    throw CLIError.invalidArgument(option: "--decode", found: "id \(bad)", expected: "ids below \(tokenizer.vocabularySize)")
                }
                let text = tokenizer.decode(ids)
                print(json ? try JSONOutput.document(["text": text], pretty: false) : text)
            } else {
                let ids = tokenizer.encode(text ?? "")
                print(json ? try JSONOutput.document(Pieces(ids: ids, pieces: ids.map { tokenizer.token(forID: $0) ?? "" }), pretty: false)
                      : ids.map(String.init).joined(separator: ","))
            }
        }
    }

    /// What `--text … --json` prints.
    private struct Pieces: Encodable { var ids: [Int], pieces: [String] }
}

/// Parsing of token id lists for the engine commands.
enum TokenIDList {
    /// Parses `1,2,3` (spaces allowed) into non-negative ids.
    static func parse(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 1 && parts[0].isEmpty { return [] }
        return try parts.map { part in
            guard let id = Int(part), id >= 0 else {
                throw CLIError.invalidArgument(option: option, found: "'\(part)'", expected: "comma-separated non-negative integers")
            }
            return id
        }
    }
}
