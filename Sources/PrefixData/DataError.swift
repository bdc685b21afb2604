import Foundation
import PrefixBundle
import PrefixInterop

/// Where a row of data came from: the file, the archive member (if any) and the 1-based line
/// on which the row starts.
public struct DataLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (the archive for archive members).
    public var file: String
    /// The archive member, when the row comes from an archive.
    public var member: String?
    /// The 1-based line on which the row starts (0 when the problem concerns the whole document).
    public var line: Int

    /// Creates a location.
    public init(file: String, member: String? = nil, line: Int) {
        self.file = file
        self.member = member
        self.line = line
    }

    /// `file:member` (or `file`) — the document part of the location.
    public var document: String { member.map { "\(file):\($0)" } ?? file }

    /// `file:member line N`.
    public var description: String { line > 0 ? "\(document) line \(line)" : document }
}

/// One row that was skipped, with the reason.
public struct DataIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where the row starts.
    public var location: DataLocation
    /// What is wrong with it, in words a user can act on.
    public var reason: String

    /// Creates an issue.
    public init(location: DataLocation, reason: String) {
        self.location = location
        self.reason = reason
    }

    /// `file:member line N: reason`.
    public var description: String { "\(location): \(reason)" }
}

/// Every way reading a dataset can fail. Each case names the file (and member) involved and
/// what was found against what was expected.
public enum DataError: PrefixError, Equatable {
    /// The data file does not exist.
    case fileMissing(path: String)
    /// The file exists but could not be read (not a regular file, I/O error).
    case unreadable(path: String, detail: String)
    /// A document (file, decompressed file or archive member) is larger than the limit.
    case tooLarge(document: String, limit: Int)
    /// A `.gz` stream is corrupt or truncated.
    case corruptGzip(document: String, detail: String)
    /// The archive reader refused the archive or a member (unsafe path, link, size cap, ...).
    case archive(InteropError)
    /// No member of the archive matches the requested name or pattern.
    case noMatchingMember(archive: String, pattern: String, members: [String])
    /// An archive was named without a member and holds several data members.
    case ambiguousArchive(archive: String, members: [String])
    /// The format (CSV, TSV, JSONL) cannot be told from the name; pass it explicitly.
    case unknownFormat(document: String)
    /// The CSV/TSV header is missing, empty or repeats a column name.
    case invalidHeader(document: String, detail: String)
    /// A template or field option names a column the header does not have.
    case missingColumn(document: String, column: String, available: [String])
    /// A prompt/target template is malformed.
    case invalidTemplate(template: String, detail: String)
    /// The fields of a JSONL file could not be chosen automatically.
    case fieldsNotDetected(document: String, keys: [String])
    /// An option has an unusable value.
    case invalidOption(name: String, found: String, expected: String)
    /// The tokenizer lacks a token the options need (EOS, BOS).
    case tokenizerLacksToken(token: String, needed: String)
    /// A row is malformed and the options ask to stop at the first bad row.
    case badRow(DataIssue)
    /// Tokenized ids were given where text is needed (evaluation), or the other way round.
    case contentKindMismatch(location: DataLocation, expected: String, found: String)
    /// The data holds no usable example: it is empty, or every row was skipped.
    case noExamples(documents: [String], rows: Int, skipped: Int, firstIssue: DataIssue?)

    /// Stable name of the case (an archive error keeps its own).
    public var code: String {
        switch self {
        case .fileMissing: return "file-missing"
        case .unreadable: return "unreadable"
        case .tooLarge: return "data-too-large"
        case .corruptGzip: return "corrupt-gzip"
        case .archive(let error): return error.code
        case .noMatchingMember: return "no-matching-member"
        case .ambiguousArchive: return "ambiguous-archive"
        case .unknownFormat: return "unknown-data-format"
        case .invalidHeader: return "invalid-data-header"
        case .missingColumn: return "missing-column"
        case .invalidTemplate: return "invalid-template"
        case .fieldsNotDetected: return "fields-not-detected"
        case .invalidOption: return "invalid-option"
        case .tokenizerLacksToken: return "tokenizer-lacks-token"
        case .badRow: return "bad-row"
        case .contentKindMismatch: return "content-kind-mismatch"
        case .noExamples: return "no-examples"
        }
    }

    /// Malformed input for data that cannot be parsed or yields nothing usable, I/O for missing
    /// and unreadable files, usage for options and names that do not match the data.
    public var category: ErrorCategory {
        switch self {
        case .fileMissing, .unreadable: return .io
        case .archive(let error): return error.category
        case .tooLarge, .corruptGzip, .invalidHeader, .badRow, .contentKindMismatch, .noExamples: return .malformedInput
        case .noMatchingMember, .ambiguousArchive, .unknownFormat, .missingColumn, .invalidTemplate, .fieldsNotDetected,
             .invalidOption, .tokenizerLacksToken:
            return .usage
        }
    }

    public var description: String {
        switch self {
        case .fileMissing(let path):
            return "\(path): data file does not exist"
        case .unreadable(let path, let detail):
            return "\(path): cannot read the data file: \(detail)"
        case .tooLarge(let document, let limit):
            return "\(document): larger than the limit of \(limit) bytes; split it or raise the limit"
        case .corruptGzip(let document, let detail):
            return "\(document): not a valid gzip stream: \(detail)"
        case .archive(let error):
            return "\(error)"
        case .noMatchingMember(let archive, let pattern, let members):
            return "\(archive): no member matches \(PrintableText.quoted(pattern)); its members are: " + Self.list(members)
        case .ambiguousArchive(let archive, let members):
            return "\(archive): several data members (\(Self.list(members))); name one as "
                + "'\(archive):MEMBER' or a glob such as '\(archive):*.csv'"
        case .unknownFormat(let document):
            return "\(document): cannot tell the format from the name; expected a .csv, .tsv or .jsonl name "
                + "(optionally .gz), or pass the format explicitly"
        case .invalidHeader(let document, let detail):
            return "\(document): invalid header: \(detail)"
        case .missingColumn(let document, let column, let available):
            return "\(document): no column \(PrintableText.quoted(column)); available: \(Self.list(available))"
        case .invalidTemplate(let template, let detail):
            return "invalid template \(PrintableText.quoted(template)): \(detail)"
        case .fieldsNotDetected(let document, let keys):
            return "\(document): cannot choose the prompt/target fields from the keys \(Self.list(keys)); "
                + "expected prompt_ids/target_ids, prompt/target or mr/ref, or pass the field names or templates"
        case .invalidOption(let name, let found, let expected):
            return "option \(name): found \(found), expected \(expected)"
        case .tokenizerLacksToken(let token, let needed):
            return "the tokenizer has no \(token) token, which is needed \(needed)"
        case .badRow(let issue):
            return "\(issue.location): bad row: \(issue.reason)"
        case .contentKindMismatch(let location, let expected, let found):
            return "\(location): expected \(expected), found \(found)"
        case .noExamples(let documents, let rows, let skipped, let firstIssue):
            var text = "\(documents.joined(separator: ", ")): no usable example: \(rows) rows read, \(skipped) skipped"
            if let firstIssue { text += "; first problem: \(firstIssue)" }
            return text
        }
    }

    private static func list(_ names: [String]) -> String {
        if names.isEmpty { return "(none)" }
        let shown = names.prefix(20).map { PrintableText.quoted($0) }.joined(separator: ", ")
        return names.count > 20 ? shown + ", ... (\(names.count) in all)" : shown
    }
}
