/// llama.cpp's converter (`convert_hf_to_gguf.py`, `LlamaModel.permute`) reorders the rows of
/// Llama `q_proj` / `k_proj` weights for ggml's interleaved RoPE: within each head of
/// `headDim` rows, GGUF row `2i + j` holds Hugging Face row `j * headDim/2 + i`
/// (`i < headDim/2`, `j ∈ {0, 1}`). A runtime that applies RoPE in the Hugging Face
/// `rotate_half` layout (the layout prefix bundles store keys in) must undo this on load:
/// `attn_q` with `heads = llama.attention.head_count`, `attn_k` with
/// `heads = llama.attention.head_count_kv`. GPT-2 and other non-RoPE tensors are not permuted.
public enum LlamaQKPermutation {
    /// Turns GGUF row order into Hugging Face row order, in place. `matrix` is row-major
    /// `[rows, columns]` (a bias is `columns = 1`); `rows` must be `heads × headDim` with an even
    /// `headDim`.
    public static func unpermute(
        _ matrix: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int
    ) throws {
        try reorder(matrix, rows: rows, columns: columns, heads: heads, toHuggingFace: true)
    }

    /// The converter's direction (Hugging Face → GGUF), in place; the inverse of `unpermute`.
    public static func permute(
        _ matrix: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int
    ) throws {
        try reorder(matrix, rows: rows, columns: columns, heads: heads, toHuggingFace: false)
    }

    /// The GGUF row that holds Hugging Face row `row` of a matrix with `headDim` (even) rows per head.
    public static func ggufRow(ofHuggingFaceRow row: Int, headDim: Int) -> Int {
        let half = headDim / 2, within = row % headDim
        return row - within + 2 * (within % half) + within / half
    }

    private static func reorder(
        _ matrix: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int, toHuggingFace: Bool
    ) throws {
        guard heads > 0, rows > 0, columns > 0, rows % heads == 0, (rows / heads) % 2 == 0 else {
            throw TensorFileError.invalidInput(
                what: "Q/K permutation", found: "\(rows) rows, \(heads) heads",
                expected: "rows = heads x an even head dimension")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count == matrix.count else {
            throw TensorFileError.invalidInput(
                what: "Q/K permutation buffer", found: "\(matrix.count) elements", expected: "\(rows) x \(columns)")
        }
        guard let base = matrix.baseAddress else { return }
        let headDim = rows / heads
        let headElements = headDim * columns
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: headElements)
        defer { scratch.deallocate() }
        for head in 0..<heads {
            let block = base + head * headElements
            scratch.update(from: block, count: headElements)
            for hfRow in 0..<headDim {
                let ggufRow = ggufRow(ofHuggingFaceRow: hfRow, headDim: headDim)
                let (to, from) = toHuggingFace ? (hfRow, ggufRow) : (ggufRow, hfRow)
                (block + to * columns).update(from: scratch + from * columns, count: columns)
            }
        }
    }
}
