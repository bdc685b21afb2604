import Foundation
import XCTest
@testable import PrefixBundle

final class RoundTripTests: XCTestCase {
    func roundTrip(_ contents: BundleContents, compress: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> BundleReader {
        let bytes = try BundleWriter(compress: compress).encode(contents)
        let reader = try BundleReader(bytes: bytes, name: "roundtrip.ptx")
        XCTAssertEqual(reader.validate(), [], file: file, line: line)
        XCTAssertEqual(reader.manifest.form, contents.form, file: file, line: line)
        XCTAssertEqual(reader.manifest.prefixLength, contents.prefixLength, file: file, line: line)
        XCTAssertEqual(reader.manifest.layers, contents.layers, file: file, line: line)
        XCTAssertEqual(reader.manifest.fingerprint, contents.fingerprint, file: file, line: line)
        XCTAssertEqual(reader.manifest.provenance, contents.provenance, file: file, line: line)
        for t in contents.tensors {
            XCTAssertEqual(try reader.decodedBytes(t.name), t.bytes, "tensor \(t.name)", file: file, line: line)
            let entry = try reader.entry(t.name)
            XCTAssertEqual(entry.shape, t.shape, file: file, line: line)
            XCTAssertEqual(entry.encoding, compress ? .deflate : .raw, file: file, line: line)
            XCTAssertEqual(entry.offset % 64, 0, file: file, line: line)
        }
        return reader
    }

    func testRawF32RoundTripIsExact() throws {
        let contents = try TestSupport.rawContents()
        for compress in [false, true] {
            let reader = try roundTrip(contents, compress: compress)
            let n = 2 * 4 * 16
            XCTAssertEqual(try reader.floats("layers.1.key"), TestSupport.values(n, seed: 2))
            XCTAssertEqual(try reader.floats("layers.2.value"), TestSupport.values(n, seed: 5))
            XCTAssertEqual(reader.isZeroCopy("layers.0.key"), !compress)
            try reader.withFloats("layers.0.value") { buf in
                XCTAssertEqual(Array(buf), TestSupport.values(n, seed: 1))
            }
        }
    }

    func testHalfPrecisionRoundTripsWithinRounding() throws {
        for (dtype, relTol) in [(TensorDType.f16, Float(1.0 / 2048)), (.bf16, Float(1.0 / 256))] {
            for compress in [false, true] {
                let reader = try roundTrip(try TestSupport.rawContents(dtype: dtype), compress: compress)
                let got = try reader.floats("layers.0.key")
                let want = TestSupport.values(got.count, seed: 0)
                var maxRel: Float = 0
                for (g, w) in zip(got, want) where w != 0 { maxRel = max(maxRel, abs(g - w) / abs(w)) }
                XCTAssertLessThanOrEqual(maxRel, relTol, "\(dtype)")
                XCTAssertFalse(reader.isZeroCopy("layers.0.key"))
            }
        }
    }

    func testReparameterizedAndSubsetRoundTrip() throws {
        let reader = try roundTrip(try TestSupport.reparamContents(), compress: false)
        XCTAssertEqual(reader.manifest.reparameterization, Reparameterization(embeddingDim: 8, hiddenDim: 12))
        XCTAssertEqual(reader.tensors.map(\.name), PrefixFormLayout.reparameterizedNames)
        XCTAssertEqual(try reader.entry("mlp.2.weight").shape, [3 * 2 * 32, 12])
        _ = try roundTrip(try TestSupport.reparamContents(dtype: .bf16), compress: true)
        let subset = try roundTrip(try TestSupport.rawContents(layers: [1]), compress: false)
        XCTAssertEqual(subset.tensors.map(\.name), ["layers.1.key", "layers.1.value"])
    }

    func testFlatPEFTLayoutSplitsIntoPerLayerTensors() throws {
        let fp = TestSupport.fingerprint
        let p = 2, row = 2 * 2 * fp.kvDim  // two prefixed layers
        let flat = (0..<(p * row)).map(Float.init)
        let c = try BundleContents.raw(fingerprint: fp, tokenizerHash: TestSupport.tokenizerHash, prefixLength: p, layers: [0, 2], flatPrefix: flat)
        let r = try BundleReader(bytes: try BundleWriter().encode(c))
        // Value (s=1) of the second prefixed layer (j=1, model layer 2), head 1, token 1, d 3.
        let v = try r.floats("layers.2.value")
        XCTAssertEqual(v[(1 * p + 1) * 16 + 3], Float(1 * row + ((2 * 1 + 1) * 2 + 1) * 16 + 3))
        XCTAssertEqual(try r.flatPrefix(), flat)
        XCTAssertEqual(try r.keyValue(layer: 2).value, v)
        let reparam = try BundleReader(bytes: try BundleWriter().encode(try TestSupport.reparamContents()))
        XCTAssertThrowsError(try reparam.flatPrefix())
    }
}
