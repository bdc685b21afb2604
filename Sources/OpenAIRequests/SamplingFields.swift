import PrefixSupport

/// The request fields that shape the choices rather than the prompt: `n`, `presence_penalty`,
/// `frequency_penalty` and `logit_bias`, read with OpenAI's ranges. Each malformed value is a
/// 400 naming the field, the value found and the value expected.
extension CompletionParameters {
    /// Largest `n` (choices per prompt). Each choice is one sequence of the batch and takes one
    /// queue place, so a server also refuses an `n` (or k prompts × `n`) above its `--max-queue`.
    package static let maxChoices = 8
    /// `presence_penalty` and `frequency_penalty` lie in -2...2, as OpenAI.
    package static let penaltyRange: ClosedRange<Double> = -2...2
    /// A `logit_bias` value lies in -100...100, as OpenAI.
    package static let biasRange: ClosedRange<Double> = -100...100
    /// Largest number of `logit_bias` entries (OpenAI accepts up to 300).
    package static let maxLogitBiasEntries = 300

    /// `n`: 1 (absent or null) ... ``maxChoices``.
    static func choiceCount(_ root: JSONField) throws(APIError) -> Int {
        try RequestBodyReader.field { () throws(JSONFieldError) -> Int in
            guard let field = root.member("n"), !field.isNull else { return 1 }
            guard let n = field.node.integer(Int.self), (1...maxChoices).contains(n) else {
                throw field.error(expected: "an integer in 1...\(maxChoices)")
            }
            return n
        }
    }

    /// `presence_penalty` or `frequency_penalty`: 0 (absent or null), else a number in ``penaltyRange``.
    static func penalty(_ root: JSONField, _ name: String) throws(APIError) -> Float {
        try RequestBodyReader.field { () throws(JSONFieldError) -> Float in
            guard let field = root.member(name), !field.isNull else { return 0 }
            let value = try field.double()
            guard penaltyRange.contains(value) else { throw field.error(expected: "a number in -2...2") }
            return Float(value)
        }
    }

    /// `logit_bias`: an object from token ids, written as decimal strings (`"50256"`), to numbers
    /// in ``biasRange``; at most ``maxLogitBiasEntries`` entries, each id once. Empty when absent
    /// or null. Whether each id is in the model's vocabulary is checked by the server.
    static func logitBias(_ root: JSONField) throws(APIError) -> [Int: Float] {
        try RequestBodyReader.field { () throws(JSONFieldError) -> [Int: Float] in
            guard let field = root.member("logit_bias"), !field.isNull else { return [:] }
            let members = try field.object()
            guard members.count <= maxLogitBiasEntries else {
                throw field.error(expected: "an object of at most \(maxLogitBiasEntries) entries")
            }
            var bias: [Int: Float] = [:]
            for (name, value) in members {
                let key = JSONField(.string(name), file: field.file, path: field.path)
                guard !name.isEmpty, name.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                      let id = Int(name) else {
                    throw key.error(expected: "token ids written as decimal strings, such as \"50256\"")
                }
                guard bias[id] == nil else { throw key.error(expected: "each token id once") }
                let number = try value.double()
                guard biasRange.contains(number) else { throw value.error(expected: "a number in -100...100") }
                bias[id] = Float(number)
            }
            return bias
        }
    }
}
