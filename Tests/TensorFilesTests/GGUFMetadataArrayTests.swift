import Foundation
import XCTest
@testable import TensorFiles

/// Issue 12 item 7: metadata arrays are stored compactly (a large array costs about its bytes in
/// the file, not one enum value per element) and checked element by element without expanding.
final class GGUFMetadataArrayTests: XCTestCase {
    typealias B = GGUFTestBuilder

    private func file(_ key: String, elementType: GGUFValueType, count: Int, elements: Data) throws -> GGUFFile {
        var b = GGUFTestBuilder()
        b.addString("general.architecture", "llama")
        b.add(key, type: .array, B.u32(elementType.rawValue) + B.u64(UInt64(count)) + elements)
        return try GGUFFile(data: b.build(), label: "big.gguf")
    }

    func testLargeNumericArrayIsStoredAsItsBytes() throws {
        let n = 4 << 20  // 4 Mi uint8 elements: 4 MiB in the file
        let bytes = Data((0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let f = try file("big", elementType: .uint8, count: n, elements: bytes)
        guard case let .list(array)? = f.value("big"), case let .scalars(stored) = array.storage else {
            return XCTFail("expected a compact array")
        }
        XCTAssertEqual(stored.count, n, "one byte per uint8 element")
        XCTAssertEqual(array.count, n)
        XCTAssertEqual(array[12345], .uint8(UInt8(truncatingIfNeeded: 12345 &* 31)))
        let ints = try XCTUnwrap(f.value("big")?.ints)
        XCTAssertEqual(ints.count, n)
        XCTAssertEqual(ints[n - 1], Int(UInt8(truncatingIfNeeded: (n - 1) &* 31)))
    }

    func testEveryFixedSizeTypeReadsBackFromCompactStorage() throws {
        let cases: [(GGUFValueType, Data, [GGUFValue])] = [
            (.int16, B.u32(0xFFFE_0001).prefix(4), [.int16(1), .int16(-2)]),
            (.uint64, B.u64(.max) + B.u64(7), [.uint64(.max), .uint64(7)]),
            (.float32, B.u32(Float(-0.5).bitPattern) + B.u32(Float(3).bitPattern), [.float32(-0.5), .float32(3)]),
            (.float64, B.u64(Double(2.25).bitPattern), [.float64(2.25)]),
            (.bool, Data([1, 0, 1]), [.bool(true), .bool(false), .bool(true)]),
        ]
        for (type, payload, expected) in cases {
            let f = try file("a", elementType: type, count: expected.count, elements: payload)
            XCTAssertEqual(f.array("a"), expected, "\(type)")
            XCTAssertEqual(f.value("a"), .array(elementType: type, values: expected), "\(type)")
        }
        XCTAssertEqual(try file("f", elementType: .float32, count: 1, elements: B.u32(Float(1.5).bitPattern)).value("f")?.floats, [1.5])
    }

    func testBadBoolInsideALargeArrayNamesTheElement() throws {
        var payload = Data(repeating: 1, count: 100_000)
        payload[77_777] = 2
        XCTAssertThrowsError(try file("flags", elementType: .bool, count: payload.count, elements: payload)) { error in
            guard case let .invalidHeader(file, field, found, _)? = error as? TensorFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "big.gguf")
            XCTAssertEqual(field, "'flags'[77777]")
            XCTAssertEqual(found, "bool byte 2")
        }
    }

    func testArrayLongerThanTheFileIsRefusedBeforeAllocating() throws {
        XCTAssertThrowsError(try file("big", elementType: .uint64, count: 1 << 40, elements: Data(count: 64))) { error in
            guard case let .invalidHeader(_, field, found, _)? = error as? TensorFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "length of 'big'")
            XCTAssertEqual(found, "\(1 << 40)")
        }
    }
}
