import Foundation
import PrefixBundle

/// Errors raised by the metric functions of `PrefixEval` when their inputs cannot be scored.
///
/// Every case names the offending quantity with the value found and the value expected, so
/// that a caller (for example `prefixpack eval`) can report an actionable message.
public enum EvaluationError: PrefixError, Equatable {
    /// The hypothesis list and the reference list have different lengths.
    case countMismatch(hypotheses: Int, referenceSets: Int)
    /// A hypothesis has no reference at all (an empty string still counts as a reference).
    case noReferences(segment: Int)
    /// There is nothing to score.
    case emptyCorpus

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .countMismatch: return "metrics-count-mismatch"
        case .noReferences: return "metrics-no-references"
        case .emptyCorpus: return "metrics-empty-corpus"
        }
    }

    /// Always usage: the caller handed the metrics inconsistent lists.
    public var category: ErrorCategory { .usage }

    public var description: String {
        switch self {
        case let .countMismatch(hypotheses, referenceSets):
            return "metrics: found \(hypotheses) hypotheses but \(referenceSets) reference sets; "
                + "expected one reference set (one or more references) per hypothesis"
        case let .noReferences(segment):
            return "metrics: segment \(segment) has 0 references; expected at least 1 "
                + "(drop the segment or supply its references)"
        case .emptyCorpus:
            return "metrics: found 0 hypotheses; expected at least 1 segment to score"
        }
    }
}

/// Checks the shape shared by every corpus-level metric: one non-empty reference set per hypothesis.
func validateCorpusShape(hypotheses: [String], references: [[String]]) throws(EvaluationError) {
    guard hypotheses.count == references.count else {
        throw .countMismatch(hypotheses: hypotheses.count, referenceSets: references.count)
    }
    guard !hypotheses.isEmpty else { throw .emptyCorpus }
    if let segment = references.firstIndex(where: { $0.isEmpty }) {
        throw .noReferences(segment: segment)
    }
}
