import Foundation
import PrefixBundle

/// Why a tokenizer file or tokenizer metadata could not be used.
///
/// `source` names the file or metadata origin (for example a `tokenizer.json` path or
/// `"GGUF metadata"`); `field` names the JSON path or GGUF key that is wrong.
public enum TokenizerError: PrefixError, Equatable {
    /// The bytes are not valid JSON (or the top level is not an object).
    case invalidJSON(source: String, detail: String)
    /// The file cannot be read.
    case unreadable(source: String, detail: String)
    /// A field names a token (by its text) that is not in the vocabulary.
    case unknownToken(source: String, field: String, token: String)
    /// A required field is absent.
    case missingField(source: String, field: String)
    /// A field has the wrong JSON/metadata type.
    case wrongType(source: String, field: String, expected: String, found: String)
    /// A field names a feature this implementation does not support.
    case unsupported(source: String, field: String, found: String, supported: String)
    /// A merge is not of the form `"left right"` / `[left, right]`.
    case malformedMerge(source: String, rank: Int, found: String)
    /// A merge names a token that is not in the vocabulary.
    case mergeUnknownToken(source: String, rank: Int, token: String)
    /// A merge produces a token that is not in the vocabulary.
    case mergeResultUnknown(source: String, rank: Int, merged: String)
    /// The ids are not `0..<count`: `missingID` is never assigned.
    case idGap(source: String, missingID: Int, count: Int)
    /// Two different tokens claim the same id.
    case duplicateID(source: String, id: Int, first: String, second: String)
    /// Two ids carry the same token text.
    case duplicateToken(source: String, token: String, firstID: Int, secondID: Int)
    /// An id is negative or outside the vocabulary.
    case idOutOfRange(source: String, field: String, id: Int, vocabularySize: Int)
    /// Two parallel arrays disagree in length.
    case countMismatch(source: String, field: String, found: Int, expected: Int)
    /// A count or size exceeds what a tokenizer can plausibly need.
    case tooLarge(source: String, field: String, found: Int, limit: Int)

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .invalidJSON: return "tokenizer-invalid-json"
        case .unreadable: return "tokenizer-unreadable"
        case .unknownToken: return "unknown-token"
        case .missingField: return "tokenizer-missing-field"
        case .wrongType: return "tokenizer-wrong-type"
        case .unsupported: return "tokenizer-unsupported"
        case .malformedMerge: return "malformed-merge"
        case .mergeUnknownToken: return "merge-unknown-token"
        case .mergeResultUnknown: return "merge-result-unknown"
        case .idGap: return "id-gap"
        case .duplicateID: return "duplicate-id"
        case .duplicateToken: return "duplicate-token"
        case .idOutOfRange: return "id-out-of-range"
        case .countMismatch: return "count-mismatch"
        case .tooLarge: return "tokenizer-too-large"
        }
    }

    /// I/O when the file cannot be read, malformed input otherwise.
    public var category: ErrorCategory {
        if case .unreadable = self { return .io }
        return .malformedInput
    }

    public var description: String {
        switch self {
        case let .invalidJSON(source, detail):
            return "\(source): not a valid tokenizer.json (\(detail))"
        case let .unreadable(source, detail):
            return "\(source): cannot read the file (\(detail))"
        case let .unknownToken(source, field, token):
            return "\(source): '\(field)' names \(PrintableText.quoted(token)), which is not in the vocabulary"
        case let .missingField(source, field):
            return "\(source): required field '\(field)' is missing"
        case let .wrongType(source, field, expected, found):
            return "\(source): field '\(field)' should be \(expected), found \(found)"
        case let .unsupported(source, field, found, supported):
            return "\(source): '\(field)' = \(found) is not supported (supported: \(supported))"
        case let .malformedMerge(source, rank, found):
            return "\(source): merge #\(rank) should be two tokens separated by a space, found \(PrintableText.quoted(found))"
        case let .mergeUnknownToken(source, rank, token):
            return "\(source): merge #\(rank) names \(PrintableText.quoted(token)), which is not in the vocabulary"
        case let .mergeResultUnknown(source, rank, merged):
            return "\(source): merge #\(rank) produces \(PrintableText.quoted(merged)), which is not in the vocabulary"
        case let .idGap(source, missingID, count):
            return "\(source): token ids must be 0..<\(count) without gaps, but id \(missingID) is not assigned"
        case let .duplicateID(source, id, first, second):
            return "\(source): id \(id) is used by both \(PrintableText.quoted(first)) and \(PrintableText.quoted(second))"
        case let .duplicateToken(source, token, firstID, secondID):
            return "\(source): token \(PrintableText.quoted(token)) appears with ids \(firstID) and \(secondID)"
        case let .idOutOfRange(source, field, id, vocabularySize):
            return "\(source): '\(field)' = \(id) is outside the vocabulary 0..<\(vocabularySize)"
        case let .countMismatch(source, field, found, expected):
            return "\(source): '\(field)' has \(found) entries, expected \(expected)"
        case let .tooLarge(source, field, found, limit):
            return "\(source): '\(field)' is \(found), more than the limit \(limit)"
        }
    }
}
