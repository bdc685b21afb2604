import CQuantKernels

extension QuantizedMatVec {
    /// Runs every product of `products` (all with the same column count) over `rows` input rows
    /// `x [rows, columns]` that are separate decoding sequences: product `p` writes
    /// `p.out [rows, p.weight.rows]`. Each row is quantized once (when `exactActivations` is
    /// false) and the multi-vector kernels read every weight block once for up to 8 rows; row `r`'s
    /// results equal ``multiply(_:x:exactActivations:threads:)`` on that row alone, bit for bit.
    static func multiplyRows(_ products: [Product], x: UnsafePointer<Float>, rows: Int, exactActivations: Bool,
                             threads: Int) {
        guard let bpr = products.first?.weight.blocksPerRow, rows > 0 else { return }
        precondition(products.allSatisfy { $0.weight.blocksPerRow == bpr }, "products over one input share its width")
        let elements = rows * products.reduce(0) { $0 + $1.weight.rows * bpr * 32 }
        let parallel = elements >= minimumParallelElements ? threads : 1
        let rowBytes = activationBytes(blocks: bpr)
        withUnsafeTemporaryAllocation(byteCount: rowBytes * rows, alignment: 32) { scratch in
            withUnsafeTemporaryAllocation(of: pp_activation.self, capacity: rows) { activations in
                for r in 0..<rows {
                    activations[r] = activation(in: scratch.baseAddress! + r * rowBytes, blocks: bpr)
                    pp_activation_prepare(activations.baseAddress! + r, x + r * bpr * 32, Int32(bpr),
                                          exactActivations ? 1 : 0)
                }
                withUnsafeTemporaryAllocation(of: pp_batched_product.self, capacity: products.count) { list in
                    for (i, p) in products.enumerated() {
                        list[i] = pp_batched_product(
                            matrix: p.weight.cMatrix, activations: UnsafePointer(activations.baseAddress!),
                            columns: Int32(rows), out_stride: p.weight.rows, out: p.out, accumulate: p.accumulate ? 1 : 0)
                    }
                    pp_pool_run_batched(list.baseAddress, Int32(products.count), Int32(parallel))
                }
            }
        }
    }
}
