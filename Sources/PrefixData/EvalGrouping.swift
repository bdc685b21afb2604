/// One distinct input with every reference given for it, for multi-reference evaluation.
public struct EvalGroup: Sendable, Equatable {
    /// The prompt text (rendered from the template).
    public var input: String
    /// Every target text given for this input, in file order (duplicates kept).
    public var references: [String]
    /// Where the input first appears.
    public var firstLocation: DataLocation
}

/// Groups rows by their prompt for evaluation: distinct inputs in order of first appearance,
/// each with all its references (E2E repeats an MR on one row per reference).
public enum EvalGrouping {
    /// Groups text pairs.
    /// - Throws: ``DataError/contentKindMismatch(location:expected:found:)`` for token-id rows
    ///   (evaluation needs text references).
    public static func group(_ pairs: [DataPair]) throws(DataError) -> [EvalGroup] {
        var index: [String: Int] = [:]
        var groups: [EvalGroup] = []
        for pair in pairs {
            guard case .text(let input) = pair.prompt, case .text(let reference) = pair.target else {
                throw .contentKindMismatch(location: pair.location, expected: "text prompt and target", found: "token ids")
            }
            if let i = index[input] {
                groups[i].references.append(reference)
            } else {
                index[input] = groups.count
                groups.append(EvalGroup(input: input, references: [reference], firstLocation: pair.location))
            }
        }
        return groups
    }
}
