import Foundation
import PrefixSupport
import XCTest
@testable import PrefixBundle

/// Truncations and seeded random mutations of valid bundles must end in success or a clean
/// ``BundleError`` — never a crash, a hang or an unbounded allocation.
final class RobustnessTests: XCTestCase {
    static func validFixtures() throws -> [(String, [UInt8])] {
        let dir = TestSupport.packageRoot.appendingPathComponent("Fixtures/bundles/valid")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().filter { $0.hasSuffix(".ptx") }.map {
            ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0))))
        }
    }

    /// Opens and fully validates; returns the findings (empty = valid). Also exercises decoding.
    static func check(_ bytes: [UInt8]) -> [BundleError] {
        let findings = BundleReader.findings(bytes: bytes, name: "mutant")
        if findings.isEmpty, let reader = try? BundleReader(bytes: bytes, name: "mutant") {
            for t in reader.tensors { _ = try? reader.floats(t.name) }
        }
        return findings
    }

    func testTruncationAtEveryByteGivesACleanError() throws {
        var checked = 0
        let chosen = try Self.validFixtures().filter { ["raw-f32.ptx", "compressed.ptx"].contains($0.0) }
        XCTAssertEqual(chosen.count, 2)
        for (name, bytes) in chosen {
            for n in 0..<bytes.count {
                checked += 1
                let findings = Self.check(Array(bytes[0..<n]))
                XCTAssertFalse(findings.isEmpty, "\(name) cut to \(n) bytes was accepted")
                let expected = n == 0 ? "empty-file" : "truncated"
                XCTAssertEqual(findings.first?.code, expected, "\(name) cut to \(n) bytes: \(findings.first.map { "\($0)" } ?? "-")")
            }
        }
        XCTAssertEqual(checked, chosen.map(\.1.count).reduce(0, +))
        print("truncation: \(checked) truncated files, each rejected")
    }

    func testSeededMutationsEndInSuccessOrCleanErrors() throws {
        var rng = SeededGenerator(seed: 0x5054_5821)
        let fixtures = try Self.validFixtures()
        var outcomes: [String: Int] = [:]
        let iterations = 4000
        for i in 0..<iterations {
            var (_, bytes) = fixtures[i % fixtures.count]
            let kind = rng.next() % 6
            switch kind {
            case 0:  // flip 1–4 random bits
                for _ in 0...(rng.next() % 4) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] ^= UInt8(1) << UInt8(rng.next() % 8)
                }
            case 1:  // truncate
                bytes.removeSubrange(Int(rng.next() % UInt64(bytes.count))...)
            case 2:  // insert 1–8 random bytes
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                let n = Int(1 + rng.next() % 8)
                bytes.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 3:  // overwrite a byte of the preamble or manifest with a random value
                let at = Int(rng.next() % UInt64(min(bytes.count, 600)))
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 4:  // replace a manifest byte with a JSON-ish character, then fix both CRCs
                let manifestLength = Int(bytes[20]) | Int(bytes[21]) << 8
                let alphabet = Array("0123456789-\"{}[],:.e ".utf8) + [0x00, 0x80, 0xff]
                let at = BundlePreamble.size + Int(rng.next() % UInt64(manifestLength))
                bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                Self.fixChecksums(&bytes)
            default:  // set a preamble field byte (versions, flags, lengths), then fix the preamble CRC
                let at = 8 + Int(rng.next() % 28)
                bytes[at] = UInt8(truncatingIfNeeded: rng.next() % 3 == 0 ? rng.next() : rng.next() % 4)
                Self.fixChecksums(&bytes, manifest: false)
            }
            let findings = Self.check(bytes)
            for f in findings { XCTAssertTrue(f.category == .malformedInput, "unexpected finding kind: \(f)") }
            outcomes[findings.first?.code ?? "valid", default: 0] += 1
        }
        print("mutation outcomes (first finding code → count): \(outcomes.sorted { $0.key < $1.key })")
        // Most mutations must be detected; a flip inside zero padding or an ignored field may pass.
        let accepted = outcomes["valid", default: 0]
        XCTAssertLessThan(accepted, iterations / 6, "\(outcomes)")
        XCTAssertGreaterThan(outcomes.count, 5, "mutations should reach many different checks: \(outcomes)")
    }

    /// Recomputes the manifest CRC (when the manifest lies inside the file) and the preamble CRC.
    static func fixChecksums(_ b: inout [UInt8], manifest: Bool = true) {
        guard b.count >= BundlePreamble.size else { return }
        func put(_ v: UInt32, at: Int) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        var length = 0
        for i in 0..<8 { length |= Int(b[20 + i]) << (8 * i) }
        if manifest, length >= 0, length <= b.count - BundlePreamble.size {
            put(CRC32.checksum(Array(b[BundlePreamble.size..<(BundlePreamble.size + length)])), at: 36)
        }
        put(CRC32.checksum(Array(b[0..<40])), at: 40)
    }

    func testValidateReportsEveryFindingNotJustTheFirst() throws {
        var bytes = try BundleWriter().encode(try TestSupport.rawContents())
        let reader = try BundleReader(bytes: bytes)
        // Corrupt two tensors (CRC) and put a NaN into a third without fixing its CRC.
        let t0 = reader.tensors[0], t3 = reader.tensors[3], t5 = reader.tensors[5]
        bytes[Int(t0.offset)] ^= 1
        bytes[Int(t3.offset) + 7] ^= 0x10
        bytes.replaceSubrange(Int(t5.offset)..<Int(t5.offset + 4), with: [0, 0, 0xc0, 0x7f])
        let findings = try BundleReader(bytes: bytes).validate()
        XCTAssertEqual(findings.map(\.code), ["crc-mismatch", "crc-mismatch", "crc-mismatch", "nan"])
        if case .notANumber(_, let tensor, let first, let count) = findings[3] {
            XCTAssertEqual(tensor, t5.name); XCTAssertEqual(first, 0); XCTAssertEqual(count, 1)
        } else { XCTFail("\(findings[3])") }
    }

    func testStructuralFindingsAreAllReported() throws {
        // A manifest with several independent problems reports each of them.
        let bytes = try BundleWriter().encode(try TestSupport.rawContents())
        let reader = try BundleReader(bytes: bytes)
        var m = reader.manifest
        m.tensors[0].offset += 4                   // misaligned (and overlapping)
        m.tensors[2].name = "layers.9.key"         // unexpected + missing layers.1.key
        m.tensors[4].shape = [2, 2, 17]            // decoded length no longer matches
        let json = try BundleWriter.manifestJSON(m)
        let regions = reader.tensors.map { t in
            BundleAssembler.Region(offset: t.offset, bytes: (try? reader.withStoredBytes(t.name) { Array($0) }) ?? [])
        }
        let broken = BundleAssembler.assemble(manifestJSON: json, regions: regions)
        let codes = BundleReader.findings(bytes: broken).map(\.code)
        for code in ["misaligned", "overlapping-tensors", "unexpected-tensor", "missing-tensor", "length-mismatch", "shape-mismatch"] {
            XCTAssertTrue(codes.contains(code), "\(code) not in \(codes)")
        }
    }
}
