import Crypto
import Foundation
import PrefixData

/// One training or evaluation example as read from a data file: a prompt and a target, as text
/// or already tokenized.
public struct TextExample: Sendable, Equatable {
    /// The prompt text (already rendered with the template), when given as text.
    public var prompt: String?
    /// The target text (without EOS), when given as text.
    public var target: String?
    /// Pre-tokenized prompt ids (`prompt_ids`), when given.
    public var promptIDs: [Int]?
    /// Pre-tokenized target ids (`target_ids`, EOS included as given), when given.
    public var targetIDs: [Int]?
    /// What the references are grouped by: the rendered prompt (E2E: `MR => `).
    public var input: String
    /// The 1-based line (CSV record or JSONL line) the example came from.
    public var line: Int

    /// An example.
    public init(prompt: String?, target: String?, promptIDs: [Int]? = nil, targetIDs: [Int]? = nil,
                input: String, line: Int) {
        self.prompt = prompt
        self.target = target
        self.promptIDs = promptIDs
        self.targetIDs = targetIDs
        self.input = input
        self.line = line
    }
}

/// The examples of one data source with what the reader skipped.
public struct TextExampleSet: Sendable {
    /// The usable examples, in file order.
    public var examples: [TextExample]
    /// Messages for skipped rows (`file line N: reason`), at most ``PrefixData/DatasetReport/keptIssues``.
    public var skipped: [String]
    /// Number of skipped rows.
    public var skippedCount: Int
    /// sha256 (hex) of the bytes of every document read, in order.
    public var digest: String
    /// The name shown in messages (`file` or `archive:member`).
    public var label: String
}

/// Reads examples through PrefixData (`DatasetLoader.readPairs`): CSV/TSV with a header (E2E's
/// `mr,ref` → prompt `{mr} => `, target `{ref}`; or `prompt,target`) or JSONL (also
/// `prompt_ids`/`target_ids`), plain, `.gz`, or members of `.zip`/`.tar`/`.tar.gz` archives written
/// `ARCHIVE:MEMBER`.
public enum TextExampleReader {
    /// Reads `spec` (`FILE` or `ARCHIVE:MEMBER`). `promptTemplate`/`targetTemplate` use PrefixData's
    /// `{column}` placeholders; nil = chosen from the columns.
    /// - Throws: `DataError` for unreadable sources, malformed templates and data without a usable row.
    public static func read(_ spec: String, promptTemplate: String? = nil, targetTemplate: String? = nil) throws -> TextExampleSet {
        let source = DataSource(parsing: spec)
        var options = DatasetOptions()
        if promptTemplate != nil || targetTemplate != nil {
            options.fields = .text(prompt: try FieldTemplate(promptTemplate ?? "{mr} => "),
                                   target: try FieldTemplate(targetTemplate ?? "{ref}"))
        }
        let (pairs, report) = try DatasetLoader.readPairs(sources: [source], options: options)
        var hasher = SHA256()
        for document in try source.readDocuments(limits: options.limits) { hasher.update(data: document.bytes) }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let examples = pairs.map { pair -> TextExample in
            var example = TextExample(prompt: nil, target: nil, input: "", line: pair.location.line)
            switch pair.prompt {
            case let .text(t): example.prompt = t; example.input = t
            case let .ids(ids): example.promptIDs = ids; example.input = ids.map(String.init).joined(separator: " ")
            }
            switch pair.target {
            case let .text(t): example.target = t
            case let .ids(ids): example.targetIDs = ids
            }
            return example
        }
        return TextExampleSet(examples: examples, skipped: report.issues.map(\.description),
                              skippedCount: report.skippedRows, digest: digest, label: source.description)
    }
}
