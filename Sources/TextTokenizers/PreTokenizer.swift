/// How text between special tokens is split into words before BPE.
public enum PreTokenizer: String, Sendable, Equatable {
    /// The GPT-2 regex
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    /// (Hugging Face `ByteLevel(use_regex: true)`, GGUF `tokenizer.ggml.pre = "gpt-2"`).
    case gpt2
    /// Every `\p{N}` scalar is its own word, then the GPT-2 regex runs on the text between them
    /// (Hugging Face `Sequence[Digits(individual_digits: true), ByteLevel]`, GGUF `"smollm"`).
    case digitsThenGPT2
    /// The Qwen2 regex (``scanQwen2(_:_:_:_:)``): letters with one leading non-letter, single
    /// digits, punctuation runs with their line breaks (Hugging Face
    /// `Sequence[Split(<that regex>, Isolated), ByteLevel(use_regex: false)]`, GGUF `"qwen2"`).
    case qwen2
    /// No split: the whole text between added tokens is one word (SentencePiece-style BPE).
    case none
}

extension PreTokenizer {
    /// Calls `emit` with the byte range of every word of the decoded run in `buffer`.
    func split(_ buffer: ScalarBuffer, _ emit: (Range<Int>) -> Void) {
        let count = buffer.values.count
        switch self {
        case .gpt2:
            Self.scanGPT2(buffer, 0, count, emit)
        case .qwen2:
            Self.scanQwen2(buffer, 0, count, emit)
        case .none:
            if count > 0 { emit(buffer.offsets[0]..<buffer.offsets[count]) }
        case .digitsThenGPT2:
            var start = 0
            for i in 0..<count where buffer.classes[i] == .number {
                if start < i { Self.scanGPT2(buffer, start, i, emit) }
                emit(buffer.offsets[i]..<buffer.offsets[i + 1])
                start = i + 1
            }
            if start < count { Self.scanGPT2(buffer, start, count, emit) }
        }
    }
}
