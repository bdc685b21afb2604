/// SentencePiece BPE merge order from token scores (GGUF `tokenizer.ggml.scores`, which carries no
/// merge list): two adjacent symbols merge when their concatenation is a token, the pair whose
/// token has the highest score first, leftmost among equals, as llama.cpp's SentencePiece
/// tokenizer does. Tokens with equal scores are ordered by id (llama.cpp orders such pairs by position).
struct ScoredMerges: MergePriority {
    private let tokenBytes: [[UInt8]]
    private let idForToken: [[UInt8]: Int]
    /// `rankForID[id]`: the position of `id` when tokens are sorted by score (highest first), then id.
    private let rankForID: [UInt32]

    init(tokens: [String], idForToken: [[UInt8]: Int], scores: [Float]) {
        self.tokenBytes = tokens.map { Array($0.utf8) }
        self.idForToken = idForToken
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var rank = [UInt32](repeating: 0, count: scores.count)
        for (position, id) in order.enumerated() { rank[id] = UInt32(truncatingIfNeeded: position) }
        self.rankForID = rank
    }

    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        guard let merged = idForToken[tokenBytes[Int(left)] + tokenBytes[Int(right)]] else { return nil }
        return UInt64(rankForID[merged]) << 32 | UInt64(UInt32(truncatingIfNeeded: merged))
    }
}

/// The merge order of a BPE tokenizer.
public enum MergeOrder: Sendable {
    /// A merge list in rank order (rank 0 merges first), each as its left and right token texts.
    case ranked([(String, String)])
    /// One score per token (SentencePiece, GGUF `tokenizer.ggml.scores`): the adjacent pair whose
    /// concatenation is the highest-scoring token merges first.
    case scored([Float])
}
