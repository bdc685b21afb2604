import TextTokenizers

/// What every accepted tokenizer must do without trapping: encode sample texts (fixed ones and
/// text taken from the fuzz input) to ids inside the vocabulary, decode them and arbitrary ids
/// back, and hash itself.
enum TokenizerExercise {
    static let samples = [
        "", "Hello world", "  leading and trailing  ", "digits 1234567 and 3.14", "line\nbreak\r\n\ttab",
        "ünïcödé Ωμέγα 日本語 🤗🏳️‍🌈", "<|im_start|>user\nhi<|im_end|>", "<start_of_turn>model", "<unk><s></s>",
        "\u{0}\u{1}\u{7F}\u{FFFD}",
    ]

    static func run(_ tokenizer: BPETokenizer, seed input: UnsafeRawBufferPointer) {
        let require = FuzzInvariant.require
        let size = tokenizer.vocabularySize
        let fromInput = String(decoding: input.prefix(256), as: UTF8.self)
        for text in samples + [fromInput] {
            let ids = tokenizer.encode(text)
            require(ids.allSatisfy { (0..<size).contains($0) }, "encode(\(text.debugDescription)) gave an id outside 0..<\(size): \(ids)")
            _ = tokenizer.decode(ids)
        }
        let probes = [-1, 0, 1, size - 1, size, Int.max, Int.min] + input.prefix(64).map { Int($0) * 977 % max(size, 1) }
        _ = tokenizer.decode(probes)
        for id in probes {
            _ = tokenizer.bytes(forID: id)
            if let token = tokenizer.token(forID: id) { _ = tokenizer.tokenID(forToken: token) }
        }
        _ = tokenizer.tokenizerHash
    }
}
