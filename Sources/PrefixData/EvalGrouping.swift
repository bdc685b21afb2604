/// The text side of evaluation data: evaluation needs text prompts and references (E2E repeats
/// an MR on one row per reference); PrefixEval's `groupReferencesByInput` groups them.
public enum EvalGrouping {
    /// The prompt and target texts of every pair, in order.
    /// - Throws: ``DataError/contentKindMismatch(location:expected:found:)`` for a token-id row.
    public static func textPairs(_ pairs: [DataPair]) throws(DataError) -> [(input: String, reference: String)] {
        try pairs.map { pair throws(DataError) in
            guard case .text(let input) = pair.prompt, case .text(let reference) = pair.target else {
                throw .contentKindMismatch(location: pair.location, expected: "text prompt and target", found: "token ids")
            }
            return (input, reference)
        }
    }
}
