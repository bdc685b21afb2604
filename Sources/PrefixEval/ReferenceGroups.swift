/// One distinct input with all of its references, in the order they appeared.
public struct ReferenceGroup: Sendable, Equatable {
    /// The input (for E2E, the meaning representation).
    public var input: String
    /// Every reference given for this input.
    public var references: [String]
    /// Indices of the (input, reference) pairs that formed this group.
    public var sourceIndices: [Int]
}

/// Groups (input, reference) pairs by distinct input, preserving the order in which each
/// input first appears and the order of references within an input — how E2E's dev set
/// (several references per meaning representation) becomes one segment per input.
///
/// Inputs are compared by their Unicode scalars (no normalization), like Python strings.
public func groupReferencesByInput(_ pairs: [(input: String, reference: String)]) -> [ReferenceGroup] {
    var indexOfInput: [[UInt32]: Int] = [:]
    var groups: [ReferenceGroup] = []
    for (i, pair) in pairs.enumerated() {
        let key = PythonText.scalars(pair.input)
        if let g = indexOfInput[key] {
            groups[g].references.append(pair.reference)
            groups[g].sourceIndices.append(i)
        } else {
            indexOfInput[key] = groups.count
            groups.append(ReferenceGroup(input: pair.input, references: [pair.reference], sourceIndices: [i]))
        }
    }
    return groups
}
