import Foundation
import XCTest
@testable import PrefixBundle

/// Issue 12 item 1: a bundle `validate` accepts must be processable, so the sizes it implies
/// (the collapsed prefix, the MLP's hidden activations) are capped during validation.
final class DerivedSizeTests: XCTestCase {
    /// A reparameterized bundle of zero-valued, deflated tensors with the given dimensions, built
    /// without the writer's checks (the writer refuses such bundles). A few KB on disk.
    static func reparameterized(p: Int, e: Int, h: Int, layers: Int, kvHeads: Int, headDim: Int) throws -> [UInt8] {
        let fp = ModelFingerprint(architecture: "llama", nLayers: layers, nKVHeads: kvHeads, headDim: headDim, hiddenSize: 64)
        let shapes = try XCTUnwrap(PrefixFormLayout.expectedTensors(
            form: .reparameterized, prefixLength: p, layers: Array(0..<layers), fingerprint: fp,
            reparameterization: Reparameterization(embeddingDim: e, hiddenDim: h)))
        let dataStart: UInt64 = 8192  // past any manifest this builds
        var offset = dataStart
        var entries: [TensorEntry] = []
        var regions: [BundleAssembler.Region] = []
        for (name, shape) in shapes {
            let decoded = [UInt8](repeating: 0, count: shape.reduce(1, *) * 4)
            let stored = try decoded.withUnsafeBytes { b in try Deflate.compress(b) }
            entries.append(TensorEntry(name: name, dtype: .f32, shape: shape, offset: offset, storedLength: UInt64(stored.count),
                                       encoding: .deflate, decodedLength: UInt64(decoded.count), crc32: CRC32.checksum(stored)))
            regions.append(.init(offset: offset, bytes: stored))
            offset = ManifestValidation.align(offset + UInt64(stored.count))
        }
        let manifest = BundleManifest(form: .reparameterized, prefixLength: p, layers: Array(0..<layers), fingerprint: fp,
                                      tokenizerHash: TestSupport.tokenizerHash,
                                      reparameterization: Reparameterization(embeddingDim: e, hiddenDim: h),
                                      provenance: Provenance(), tensors: entries)
        let json = try BundleWriter.manifestJSON(manifest)
        XCTAssertLessThanOrEqual(ManifestValidation.dataStart(manifestLength: UInt64(json.count)), dataStart)
        return BundleAssembler.assemble(manifestJSON: json, regions: regions)
    }

    private func codes(_ bytes: [UInt8]) -> [String] { BundleReader.findings(bytes: bytes).map(\.code) }

    func testCollapsedPrefixAboveTheCapIsRefusedAtOpen() throws {
        // P · layers · 2 · kv_dim = 2^14 · 1 · 2 · 2^14 = 2^29 floats (2 GiB), every tensor small.
        let bytes = try Self.reparameterized(p: 1 << 14, e: 1, h: 1, layers: 1, kvHeads: 1, headDim: 1 << 14)
        XCTAssertLessThan(bytes.count, 64 << 10, "the hostile bundle is small")
        XCTAssertEqual(codes(bytes), ["derived-size-exceeds-cap"])
        XCTAssertThrowsError(try BundleReader(bytes: bytes, name: "huge.ptx")) { error in
            guard case let .derivedSizeExceedsCap(file, quantity, found, cap)? = error as? BundleError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, "huge.ptx")
            XCTAssertTrue(quantity.contains("prefix keys/values"), quantity)
            XCTAssertEqual(found, 1 << 29)
            XCTAssertEqual(cap, BundleLimits.maxDerivedElements)
        }
    }

    func testMLPHiddenActivationsAboveTheCapAreRefused() throws {
        // P · H = 2^15 · 2^14 = 2^29; the collapsed prefix (P · 2) is small.
        let bytes = try Self.reparameterized(p: 1 << 15, e: 1, h: 1 << 14, layers: 1, kvHeads: 1, headDim: 1)
        XCTAssertEqual(codes(bytes), ["derived-size-exceeds-cap"])
        XCTAssertTrue(BundleReader.findings(bytes: bytes).first?.description.contains("MLP hidden activations") ?? false)
    }

    func testDerivedSizesAtTheCapAreAccepted() throws {
        let bytes = try Self.reparameterized(p: 1 << 13, e: 1, h: 1, layers: 1, kvHeads: 1, headDim: 1 << 14)
        XCTAssertEqual(codes(bytes), [])
        let reader = try BundleReader(bytes: bytes, name: "at-cap.ptx")
        XCTAssertEqual(DerivedSizes(manifest: reader.manifest).prefixKVElements, BundleLimits.maxDerivedElements)
    }

    func testRawFormDerivedSizeIsCappedToo() throws {
        var m = try BundleReader(bytes: try BundleWriter().encode(try TestSupport.rawContents())).manifest
        XCTAssertEqual(DerivedSizes(manifest: m).prefixKVElements, 4 * 3 * 2 * 32)
        XCTAssertEqual(DerivedSizes(manifest: m).mlpHiddenElements, 0)
        m.prefixLength = 1 << 28
        XCTAssertEqual(DerivedSizes(manifest: m).findings(file: "f").map(\.code), ["derived-size-exceeds-cap"])
        m.fingerprint.headDim = Int.max
        XCTAssertEqual(DerivedSizes(manifest: m).prefixKVElements, Int.max, "saturates instead of overflowing")
    }

    func testWriterRefusesContentsAboveTheCap() throws {
        let fp = ModelFingerprint(architecture: "llama", nLayers: 1, nKVHeads: 1, headDim: 1 << 14, hiddenSize: 64)
        let contents = try BundleContents.reparameterized(
            fingerprint: fp, tokenizerHash: TestSupport.tokenizerHash, prefixLength: 1 << 14, layers: [0], embeddingDim: 1,
            hiddenDim: 1, embedding: [Float](repeating: 0, count: 1 << 14), mlp0Weight: [0], mlp0Bias: [0],
            mlp2Weight: [Float](repeating: 0, count: 1 << 15), mlp2Bias: [Float](repeating: 0, count: 1 << 15))
        XCTAssertThrowsError(try BundleWriter().encode(contents)) { error in
            XCTAssertTrue("\(error)".contains("derived") || "\(error)".contains("cap"), "\(error)")
        }
    }
}
