import Crypto
import Foundation
import PrefixInterop

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
    /// The raw input the references are grouped by (E2E: the MR).
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

/// The examples of one data file with what the reader skipped.
public struct TextExampleSet: Sendable {
    /// The usable examples, in file order.
    public var examples: [TextExample]
    /// Messages for skipped rows (`file:line: reason`).
    public var skipped: [String]
    /// sha256 (hex) of the bytes read (the file, or the archive member).
    public var digest: String
    /// The name shown in messages (`file` or `archive:member`).
    public var label: String
}

/// Reads examples from CSV/TSV (header row; E2E's `mr,ref` or `prompt,target` columns) or JSONL
/// (`prompt`/`target`, `mr`/`ref`, or `prompt_ids`/`target_ids`), from a plain or `.gz` file or from a
/// member of a `.zip`/`.tar`/`.tar.gz` archive named as `ARCHIVE:MEMBER`.
///
/// The prompt is rendered with `template`, where `{input}` is the `mr`/`prompt` field; E2E's MR
/// is used verbatim (`name[The Vaults], eatType[pub], …`), so the default template `"{input} => "`
/// gives the prompt format of the reference batches.
///
/// Interim reader of the `build` branch; to be replaced by the PrefixData target when it lands.
public enum TextExampleReader {
    /// The default prompt template: the linearized input followed by ` => `.
    public static let defaultTemplate = "{input} => "

    /// Reads `spec` (`FILE` or `ARCHIVE:MEMBER`).
    /// - Throws: ``TrainingRunError`` for unreadable files, and when no row is usable.
    public static func read(_ spec: String, template: String = defaultTemplate) throws -> TextExampleSet {
        let (bytes, label) = try load(spec)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw TrainingRunError.unreadableData(file: label, detail: "not UTF-8 text")
        }
        var lower = label.lowercased()
        if lower.hasSuffix(".gz") { lower = String(lower.dropLast(3)) }
        var set: TextExampleSet
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") {
            set = try readJSONLines(text, label: label, template: template)
        } else {
            let separator: Character = lower.hasSuffix(".tsv") ? "\t" : ","
            set = try readDelimited(text, separator: separator, label: label, template: template)
        }
        set.digest = digest
        guard !set.examples.isEmpty else {
            throw TrainingRunError.noExamples(file: label, detail: "\(set.skipped.count) rows skipped")
        }
        return set
    }

    static func load(_ spec: String) throws -> ([UInt8], String) {
        if FileManager.default.fileExists(atPath: spec) {
            if spec.lowercased().hasSuffix(".gz") && !spec.lowercased().hasSuffix(".tar.gz") {
                return (try GzipFile.read(path: spec), spec)
            }
            guard let data = FileManager.default.contents(atPath: spec) else {
                throw TrainingRunError.unreadableData(file: spec, detail: "cannot open the file")
            }
            return ([UInt8](data), spec)
        }
        guard let colon = spec.lastIndex(of: ":") else {
            throw TrainingRunError.unreadableData(file: spec, detail: "no such file")
        }
        let archive = String(spec[..<colon]), member = String(spec[spec.index(after: colon)...])
        guard ArchiveReader.looksLikeArchive(archive), !member.isEmpty else {
            throw TrainingRunError.unreadableData(file: spec, detail: "no such file (ARCHIVE:MEMBER needs a .zip, .tar or .tar.gz archive)")
        }
        let members: [ArchiveMember]
        do {
            members = try ArchiveReader.readMembers(path: archive) { $0 == member }
        } catch {
            throw TrainingRunError.unreadableData(file: archive, detail: "\(error)")
        }
        guard let found = members.first else {
            throw TrainingRunError.unreadableData(file: archive, detail: "no member named '\(member)'")
        }
        return (found.bytes, spec)
    }

    public static func render(_ template: String, input: String) -> String {
        template.replacingOccurrences(of: "{input}", with: input)
    }

    static func readDelimited(_ text: String, separator: Character, label: String, template: String) throws -> TextExampleSet {
        let records = DelimitedRecords.parse(text, separator: separator)
        guard let header = records.first else { throw TrainingRunError.noExamples(file: label, detail: "empty file") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let inputColumn = names.firstIndex(of: "mr") ?? names.firstIndex(of: "prompt"),
              let targetColumn = names.firstIndex(of: "ref") ?? names.firstIndex(of: "target")
        else {
            throw TrainingRunError.badRow(file: label, line: 1,
                                          detail: "header is \(names), expected columns mr,ref or prompt,target")
        }
        var examples: [TextExample] = [], skipped: [String] = []
        for record in records.dropFirst() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            guard record.fields.count == names.count else {
                skipped.append("\(label):\(record.line): \(record.fields.count) fields, expected \(names.count)")
                continue
            }
            let input = record.fields[inputColumn], target = record.fields[targetColumn]
            guard !input.isEmpty, !target.isEmpty else {
                skipped.append("\(label):\(record.line): empty \(input.isEmpty ? names[inputColumn] : names[targetColumn])")
                continue
            }
            examples.append(TextExample(prompt: render(template, input: input), target: target, input: input, line: record.line))
        }
        return TextExampleSet(examples: examples, skipped: skipped, digest: "", label: label)
    }

    static func readJSONLines(_ text: String, label: String, template: String) throws -> TextExampleSet {
        var examples: [TextExample] = [], skipped: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let number = index + 1
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                skipped.append("\(label):\(number): not a JSON object")
                continue
            }
            if let p = object["prompt_ids"] as? [Int], let t = object["target_ids"] as? [Int], !t.isEmpty {
                let input = object["mr"] as? String ?? object["prompt"] as? String ?? p.map(String.init).joined(separator: " ")
                examples.append(TextExample(prompt: nil, target: object["ref"] as? String ?? object["target"] as? String,
                                            promptIDs: p, targetIDs: t, input: input, line: number))
                continue
            }
            guard let input = object["mr"] as? String ?? object["prompt"] as? String,
                  let target = object["ref"] as? String ?? object["target"] as? String, !target.isEmpty
            else {
                skipped.append("\(label):\(number): needs mr/ref, prompt/target or prompt_ids/target_ids")
                continue
            }
            examples.append(TextExample(prompt: render(template, input: input), target: target, input: input, line: number))
        }
        return TextExampleSet(examples: examples, skipped: skipped, digest: "", label: label)
    }
}

/// RFC 4180 records (quoted fields, `""` escapes, CRLF or LF line ends, line breaks inside
/// quotes), each with the 1-based line it starts on.
struct DelimitedRecords {
    var fields: [String]
    var line: Int

    static func parse(_ text: String, separator: Character) -> [DelimitedRecords] {
        var records: [DelimitedRecords] = []
        var fields: [String] = [], field = "", inQuotes = false, line = 1, start = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    let after = next()
                    if after == "\"" { field.append("\"") } else { inQuotes = false; pending = after }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
            case separator:
                fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                fields.append(field); field = ""
                records.append(DelimitedRecords(fields: fields, line: start))
                fields = []; line += 1; start = line
            default:
                field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(DelimitedRecords(fields: fields, line: start))
        }
        return records
    }
}
