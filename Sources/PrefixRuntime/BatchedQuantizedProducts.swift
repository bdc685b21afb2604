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
        // Per row and block: 32 int16 quants, then scale, scaled sum, integer sum and Float block sum.
        let rowBytes = max(bpr, 1) * (64 + 16)
        withUnsafeTemporaryAllocation(byteCount: rowBytes * rows, alignment: 32) { scratch in
            withUnsafeTemporaryAllocation(of: pp_activation.self, capacity: rows) { activations in
                for r in 0..<rows {
                    let base = scratch.baseAddress! + r * rowBytes
                    let floats = (base + bpr * 64).bindMemory(to: Float.self, capacity: bpr * 4)
                    activations[r] = pp_activation(
                        blocks: 0, exact: 0, x: nil, block_sums: floats + 3 * bpr,
                        q: base.bindMemory(to: Int16.self, capacity: bpr * 32), d: floats, s: floats + bpr,
                        isum: UnsafeMutableRawPointer(floats + 2 * bpr).bindMemory(to: Int32.self, capacity: bpr))
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
