import Foundation
import XCTest
@testable import PrefixBundle

final class ConversionAndSniffTests: XCTestCase {
    func testF16RoundsToNearestEven() {
        XCTAssertEqual(HalfPrecision.halfBits(from: 1.0), 0x3c00)
        XCTAssertEqual(HalfPrecision.halfBits(from: -2.0), 0xc000)
        XCTAssertEqual(HalfPrecision.halfBits(from: 65504), 0x7bff)
        XCTAssertEqual(HalfPrecision.halfBits(from: 65520), 0x7c00)        // rounds up to Inf
        XCTAssertEqual(HalfPrecision.halfBits(from: 1 + 1.0 / 2048), 0x3c00)  // tie → even (down)
        XCTAssertEqual(HalfPrecision.halfBits(from: 1 + 3.0 / 2048), 0x3c02)  // tie → even (up)
        XCTAssertEqual(HalfPrecision.halfBits(from: 5.960464477539063e-08), 0x0001)  // smallest subnormal
        XCTAssertEqual(HalfPrecision.halfBits(from: 2.9802322387695312e-08), 0x0000)  // half of it: tie → even (0)
        XCTAssertEqual(HalfPrecision.halfBits(from: 6.097555160522461e-05), 0x03ff)  // largest subnormal
        XCTAssertEqual(HalfPrecision.halfBits(from: .infinity), 0x7c00)
        XCTAssertTrue(HalfPrecision.float(fromHalf: HalfPrecision.halfBits(from: .nan)).isNaN)
        // Every f16 value converts to Float and back exactly.
        for h in UInt16(0)...UInt16.max where h & 0x7c00 != 0x7c00 || h & 0x3ff == 0 {
            XCTAssertEqual(HalfPrecision.halfBits(from: HalfPrecision.float(fromHalf: h)), h)
        }
    }

    func testBF16RoundsToNearestEven() {
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1.0), 0x3f80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3f80_8000)), 0x3f80)  // tie → even (down)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3f81_8000)), 0x3f82)  // tie → even (up)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3f80_8001)), 0x3f81)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16: 0xc040), -3.0)
    }

    func testSniffRecognisesCommonFormats() {
        XCTAssertEqual(DetectedFileKind.sniff(Array("GGUF".utf8) + [3, 0, 0, 0]), .gguf)
        XCTAssertEqual(DetectedFileKind.sniff([0x1f, 0x8b, 8]), .gzip)
        XCTAssertEqual(DetectedFileKind.sniff([0x50, 0x4b, 3, 4, 0]), .zip)
        XCTAssertEqual(DetectedFileKind.sniff([16, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\":{}}".utf8)), .safetensors)
        XCTAssertEqual(DetectedFileKind.sniff(Array("héllo wörld\n".utf8)), .text)
        XCTAssertEqual(DetectedFileKind.sniff([0, 1, 2, 3, 0xfe]), .unknown)
        var tar = [UInt8](repeating: 0, count: 600)
        tar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        XCTAssertEqual(DetectedFileKind.sniff(tar), .tar)
    }

    func testNonFiniteScanFindsEveryValueInEveryDType() {
        var values = [Float](repeating: 1.5, count: 10_000)
        values[4099] = .nan; values[9999] = .nan; values[5000] = -.infinity; values[3] = .infinity
        for dtype in TensorDType.allCases {
            let bytes = ElementConversion.bytes(values, dtype: dtype)
            for shift in [0, 1] {  // aligned and unaligned storage
                let buffer = [UInt8](repeating: 0, count: shift) + bytes
                let r = buffer.withUnsafeBytes { ElementConversion.scanNonFinite(UnsafeRawBufferPointer(rebasing: $0[shift...]), dtype: dtype) }
                XCTAssertEqual(r, ElementConversion.NonFinite(nanCount: 2, firstNaN: 4099, infCount: 2, firstInf: 3), "\(dtype) shift \(shift)")
            }
        }
    }

    func testCRC32MatchesKnownVector() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xcbf4_3926)
    }

    func testReaderAPIErrors() throws {
        let r = try BundleReader(bytes: try BundleWriter().encode(try TestSupport.rawContents()), name: "x.ptx")
        XCTAssertThrowsError(try r.floats("layers.7.key")) { e in
            XCTAssertEqual(e as? BundleError, .noSuchTensor(file: "x.ptx", tensor: "layers.7.key"))
        }
        XCTAssertThrowsError(try BundleReader(path: "/nonexistent/dir/x.ptx")) { e in
            XCTAssertEqual((e as? BundleError)?.code, "io-error")
        }
        XCTAssertEqual(BundleReader.findings(path: "/nonexistent/dir/x.ptx").first?.code, "io-error")
        // A directory and a FIFO are rejected without blocking.
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(BundleReader.findings(path: dir.path).first?.code, "io-error")
        let fifo = dir.appendingPathComponent("pipe.ptx").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertEqual(BundleReader.findings(path: fifo).first?.code, "io-error")
    }
}
