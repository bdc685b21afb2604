import TextTokenizers

/// What to do with an example longer than the maximum sequence length.
public enum OverlongPolicy: String, Sendable, CaseIterable {
    /// Keep the first `maxSequenceLength` tokens (the target loses its tail, EOS included).
    /// An example whose prompt alone fills the limit keeps no target token and is skipped.
    case truncate
    /// Skip the example.
    case skip
}

/// How examples are tokenized.
public struct EncodingOptions: Sendable, Equatable {
    /// Largest prompt + target length in tokens, or nil for no limit.
    public var maxSequenceLength: Int?
    /// What to do with longer examples (always counted in ``DatasetReport``).
    public var overlong: OverlongPolicy
    /// Prepend the BOS token to text prompts (off by default: the reference convention has no
    /// BOS; token-id prompts are always used as given).
    public var addBOS: Bool
    /// The EOS id appended to text targets; nil takes the tokenizer's EOS.
    public var eosTokenID: Int?
    /// The BOS id used by `addBOS`; nil takes the tokenizer's BOS.
    public var bosTokenID: Int?

    /// Creates options; the defaults are no length limit, truncation, no BOS, the tokenizer's EOS.
    public init(
        maxSequenceLength: Int? = nil, overlong: OverlongPolicy = .truncate, addBOS: Bool = false,
        eosTokenID: Int? = nil, bosTokenID: Int? = nil
    ) {
        self.maxSequenceLength = maxSequenceLength
        self.overlong = overlong
        self.addBOS = addBOS
        self.eosTokenID = eosTokenID
        self.bosTokenID = bosTokenID
    }
}

/// A tokenized training example: the prompt ids followed by the target ids.
public struct TrainingExample: Sendable, Hashable {
    /// Where the row starts.
    public var location: DataLocation
    /// Prompt ids (BOS first when asked for).
    public var promptIDs: [Int]
    /// Target ids (ending with EOS unless truncated or given as ids).
    public var targetIDs: [Int]

    /// Creates an example.
    public init(location: DataLocation, promptIDs: [Int], targetIDs: [Int]) {
        self.location = location
        self.promptIDs = promptIDs
        self.targetIDs = targetIDs
    }

    /// Prompt + target length.
    public var count: Int { promptIDs.count + targetIDs.count }
}

/// Tokenizes ``DataPair``s into ``TrainingExample``s: prompt and target separately (special
/// tokens written in the text are matched), concatenated, a text target ending with EOS, BOS
/// before a text prompt only when asked for; token ids are used exactly as given.
///
/// Length policy (the one `prefixpack build` uses): an example longer than the limit keeps its
/// first `maxSequenceLength` tokens, as Hugging Face's `input_ids[:max_length]` does, so the
/// prompt stays whole and the target loses its tail (EOS included). An example whose prompt alone
/// fills the limit would keep no target token (nothing to learn) and is skipped as overlong.
public struct ExampleEncoder: Sendable {
    /// What happened to one pair.
    public enum Outcome: Sendable, Equatable {
        /// A usable example; `truncated` when the length limit cut it.
        case example(TrainingExample, truncated: Bool)
        /// Skipped because it is longer than the limit (its full length).
        case overlong(length: Int)
        /// Not usable (ids outside the vocabulary, empty target, ...).
        case invalid(String)
    }

    /// The tokenizer.
    public let tokenizer: any TextTokenizer
    /// The options.
    public let options: EncodingOptions
    /// The EOS id appended to text targets.
    public let eosTokenID: Int
    /// The BOS id prepended when `options.addBOS`.
    public let bosTokenID: Int?

    /// Checks the options against the tokenizer.
    /// - Throws: ``DataError/tokenizerLacksToken(token:needed:)``, ``DataError/invalidOption(name:found:expected:)``.
    public init(tokenizer: any TextTokenizer, options: EncodingOptions = EncodingOptions()) throws(DataError) {
        func checked(_ id: Int?, token: String, needed: String) throws(DataError) -> Int {
            guard let id else { throw .tokenizerLacksToken(token: token, needed: needed) }
            guard (0..<tokenizer.vocabularySize).contains(id) else {
                throw .invalidOption(name: "\(token) id", found: "\(id)", expected: "an id below \(tokenizer.vocabularySize)")
            }
            return id
        }
        let eos = try checked(
            options.eosTokenID ?? tokenizer.eosTokenID, token: "EOS", needed: "to end every target; pass its id explicitly")
        let bos: Int? = try options.addBOS
            ? checked(options.bosTokenID ?? tokenizer.bosTokenID, token: "BOS", needed: "because BOS was asked for") : nil
        if let max = options.maxSequenceLength, max < 2 {
            throw .invalidOption(name: "max sequence length", found: "\(max)", expected: "at least 2")
        }
        self.tokenizer = tokenizer
        self.options = options
        eosTokenID = eos
        bosTokenID = bos
    }

    /// Tokenizes one pair and applies the length policy.
    public func encode(_ pair: DataPair) -> Outcome {
        var prompt: [Int]
        var target: [Int]
        switch pair.prompt {
        case .text(let s): prompt = (bosTokenID.map { [$0] } ?? []) + tokenizer.encode(s)
        case .ids(let ids): prompt = ids
        }
        switch pair.target {
        case .text(let s): target = tokenizer.encode(s) + [eosTokenID]
        case .ids(let ids): target = ids
        }
        let vocabulary = tokenizer.vocabularySize
        if let bad = (prompt + target).first(where: { $0 >= vocabulary }) {
            return .invalid("token id \(bad) is outside the tokenizer's vocabulary of \(vocabulary)")
        }
        if target.isEmpty { return .invalid("the target has no token") }
        let length = prompt.count + target.count
        guard let max = options.maxSequenceLength, length > max else {
            return .example(TrainingExample(location: pair.location, promptIDs: prompt, targetIDs: target), truncated: false)
        }
        switch options.overlong {
        case .skip:
            return .overlong(length: length)
        case .truncate:
            guard prompt.count < max else { return .overlong(length: length) }
            target.removeLast(length - max)
            return .example(TrainingExample(location: pair.location, promptIDs: prompt, targetIDs: target), truncated: true)
        }
    }
}
