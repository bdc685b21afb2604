import XCTest
import PrefixBundle

/// Every binary16 bit pattern, rounding against `Float16`, and bfloat16 ties (moved here with
/// ``HalfPrecision`` from TensorFiles, which had a second copy).
final class HalfPrecisionTests: XCTestCase {
    func testHalfConversionIsExactForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let value = HalfPrecision.float(fromHalf: bits)
            if value.isNaN {
                XCTAssertEqual(bits & 0x7C00, 0x7C00)
                XCTAssertNotEqual(bits & 0x03FF, 0)
                continue
            }
            // Round trip through the encoder gives the same bits (also for -0, subnormals, inf).
            if HalfPrecision.halfBits(from: value) != bits {
                return XCTFail("half 0x\(String(bits, radix: 16)) -> \(value) -> 0x\(String(HalfPrecision.halfBits(from: value), radix: 16))")
            }
            #if arch(x86_64) || arch(arm64)
            if #available(macOS 11, *) {
                XCTAssertEqual(value, Float(Float16(bitPattern: bits)), "0x\(String(bits, radix: 16))")
            }
            #endif
        }
    }

    func testHalfEncoderRoundsLikeFloat16() {
        let samples: [Float] = [0.1, -0.3333, 1 + 1.0 / 2048, 1 + 3.0 / 2048, 65519, 65520, 1e-8, 3e-8, -2.98e-8, 6.1e-5, 1e10, -.infinity]
        for value in samples {
            #if arch(x86_64) || arch(arm64)
            if #available(macOS 11, *) {
                XCTAssertEqual(HalfPrecision.halfBits(from: value), Float16(value).bitPattern, "\(value)")
            }
            #endif
        }
        XCTAssertTrue(HalfPrecision.float(fromHalf: HalfPrecision.halfBits(from: .nan)).isNaN)
        // NaN keeps its sign and payload top bits and comes out quiet, as Float16(_:) does.
        for nanBits: UInt32 in [0x7FC0_0000, 0xFFC0_0000, 0x7F80_2000, 0x7FA0_4000, 0xFF80_0001] {
            #if arch(x86_64) || arch(arm64)
            if #available(macOS 11, *) {
                let nan = Float(bitPattern: nanBits)
                XCTAssertEqual(HalfPrecision.halfBits(from: nan), Float16(nan).bitPattern, String(nanBits, radix: 16))
            }
            #endif
        }
    }

    func testBFloat16() {
        XCTAssertEqual(HalfPrecision.float(fromBFloat16: 0x3F80), 1)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1), 0x3F80)
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even gives 1; a hair above rounds up.
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 1.0 / 256), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 3.0 / 256), 0x3F82)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
    }
}
