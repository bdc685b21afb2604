import Foundation
import PrefixSupport
import XCTest
@testable import TensorFiles

final class ConversionTests: XCTestCase {
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

    private func parse(_ text: String) throws -> JSONNode {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { (raw) throws(TensorFileError) in try SafetensorsJSON.parse(raw, file: "t.json", field: "test") }
    }

    func testStrictJSON() throws {
        XCTAssertEqual(try parse(#" {"a": [1, -2.5e3, true, null, "x\u00e9\ud83d\ude00\n\"\\/"]} "#),
                       .object(JSONObject(members: [(name: "a", value: .array([.number("1"), .number("-2.5e3"), .bool(true), .null, .string("xé😀\n\"\\/")]))])))
        XCTAssertEqual(try parse("18446744073709551616"), .number("18446744073709551616"))
        XCTAssertNil(JSONNode.number("18446744073709551616").nonNegativeInt)
        XCTAssertEqual(JSONNode.number("42").nonNegativeInt, 42)
        XCTAssertNil(JSONNode.number("-1").nonNegativeInt)
        XCTAssertNil(JSONNode.number("1e2").nonNegativeInt)
        let bad = [#"{"a":1,"a":2}"#, "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{01}\"", #""\x""#, #""\ud800""#,
                   #""\udc00""#, "tru", "[1] [2]", "{", "\"abc", #""\u12""#, "", "nul"]
        for text in bad {
            expectTensorFileError(try parse(text), text)
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        expectTensorFileError(try parse(deep), "depth 65")
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    }
}
