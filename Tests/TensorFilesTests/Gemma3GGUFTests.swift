import Foundation
import XCTest
@testable import TensorFiles

/// The real Gemma 3 270M Q4_K_M file (`scripts/fetch-model.sh gemma3-270m`; skipped when absent):
/// every tensor has a known, dequantizable type, every value is finite, and six tensors equal
/// gguf-py's dequantization bit for bit (`Fixtures/quants/gemma3-270m-pins.json`).
final class Gemma3GGUFTests: XCTestCase {
    private struct Pins: Decodable {
        struct Tensor: Decodable {
            var name: String
            var type: String
            var shape: [Int]
            var fnv1a64_of_float32_le: String
            var first8: [Float]
            var sum_f64: Double
            var max_abs: Float
        }
        var type_counts: [String: Int]
        var tensors: [Tensor]
    }

    private func gemma() throws -> GGUFFile {
        let url = FixturePaths.packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/gemma-3-270m-q4_k_m.gguf not present (run scripts/fetch-model.sh gemma3-270m)")
        }
        return try GGUFFile(contentsOf: url)
    }

    private func pins() throws -> Pins {
        try JSONDecoder().decode(Pins.self, from: Data(contentsOf: FixturePaths.fixture("quants/gemma3-270m-pins.json")))
    }

    /// FNV-1a 64 of the little-endian float32 bytes.
    private func fnv1a64(_ values: [Float]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            var bits = value.bitPattern
            for _ in 0..<4 {
                hash = (hash ^ UInt64(bits & 0xFF)) &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return hash
    }

    func testEveryTensorHasAKnownTypeAndFiniteValues() throws {
        let file = try gemma()
        XCTAssertEqual(file.architecture, "gemma3")
        XCTAssertEqual(file.tensorInfos.count, 236)
        let counts = Dictionary(grouping: file.tensorInfos, by: \.type.name).mapValues(\.count)
        XCTAssertEqual(counts, try pins().type_counts)
        for info in file.tensorInfos {
            XCTAssertNotNil(info.type.elementType, "\(info.name) has type \(info.type.name)")
            XCTAssertEqual(file.descriptors[info.name]?.shape, info.shape, info.name)
        }
        // Dequantize every tensor, a slab of rows at a time (token_embd alone is 167M values).
        let slabElements = 1 << 22
        var buffer = [Float](repeating: 0, count: slabElements)
        var total = 0
        for info in file.tensorInfos {
            let raw = try file.rawBytes(info.name)
            let rowLength = info.dimensions[0], rows = info.elementCount / rowLength
            let rowBytes = rowLength / info.type.blockSize * info.type.blockBytes
            let rowsPerSlab = max(1, slabElements / rowLength)
            var nonFinite = 0
            for first in stride(from: 0, to: rows, by: rowsPerSlab) {
                let count = min(rowsPerSlab, rows - first)
                let source = UnsafeRawBufferPointer(rebasing: raw[(first * rowBytes)..<((first + count) * rowBytes)])
                try buffer.withUnsafeMutableBufferPointer { out in
                    let slab = UnsafeMutableBufferPointer(rebasing: out[0..<(count * rowLength)])
                    switch info.type {
                    case .f32: for i in 0..<slab.count { slab[i] = source.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
                    default: try GGUFDequantizer.dequantize(info.type, blocks: source, into: slab, tensor: info.name, file: file.label)
                    }
                    nonFinite += slab.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                }
            }
            XCTAssertEqual(nonFinite, 0, "\(info.name): non-finite values")
            total += info.elementCount
        }
        XCTAssertEqual(total, 268_098_176, "every parameter of the model (the reference config counts 268,098,176)")
    }

    func testTensorsEqualGGUFPyDequantization() throws {
        let file = try gemma()
        let pins = try pins()
        XCTAssertEqual(Set(pins.tensors.map(\.type)), ["F32", "Q4_K", "Q6_K", "Q5_0", "Q8_0"])
        for pin in pins.tensors {
            let info = try XCTUnwrap(file.tensorInfo(pin.name))
            XCTAssertEqual(info.type.name, pin.type, pin.name)
            XCTAssertEqual(info.shape, pin.shape, pin.name)
            let values = try file.floats(pin.name)
            XCTAssertEqual(Array(values.prefix(8)), pin.first8, pin.name)
            XCTAssertEqual(values.reduce(0.0) { $0 + Double($1) }, pin.sum_f64, accuracy: 1e-6, pin.name)
            XCTAssertEqual(values.map { abs($0) }.max(), pin.max_abs, pin.name)
            XCTAssertEqual(String(fnv1a64(values), radix: 16).leftPadded(to: 16), pin.fnv1a64_of_float32_le, "\(pin.name): bits differ from gguf-py")
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
