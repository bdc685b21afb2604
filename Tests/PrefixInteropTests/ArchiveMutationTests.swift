import Foundation
import PrefixSupport
import XCTest
@testable import PrefixInterop

/// Seeded mutations of exported adapter archives: every byte flip, truncation or insertion
/// ends in a clean error or a successful import, never a crash or a hang.
final class ArchiveMutationTests: XCTestCase {
    func testMutatedAdapterArchivesFailCleanly() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let model = "tiny-llama"
        let bundle = dir.appendingPathComponent("b.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter(model, "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint(model), outputPath: bundle)
        let checkpoint = try CheckpointSummary.read(path: InteropFixtures.checkpoint(model))
        var rng = SeededGenerator(seed: 20261127)
        var outcomes = [String: Int]()
        for kind in ["zip", "tar.gz"] {
            let archive = dir.appendingPathComponent("a.\(kind)").path
            _ = try PEFTExporter.export(bundlePath: bundle, outputPath: archive)
            let original = try InteropFixtures.bytes(archive)
            for i in 0..<150 {
                var bytes = original
                switch rng.below(3) {
                case 0:
                    for _ in 0...rng.below(4) { bytes[rng.below(bytes.count)] ^= UInt8(1 << rng.below(8)) }
                case 1:
                    bytes.removeLast(1 + rng.below(bytes.count - 1))
                default:
                    bytes.insert(contentsOf: (0...rng.below(16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                                 at: rng.below(bytes.count))
                }
                let path = dir.appendingPathComponent("m\(i).\(kind)").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                do {
                    let files = try PEFTAdapterFiles.load(from: path)
                    _ = try PEFTImporter.makeBundle(adapter: files, checkpoint: checkpoint)
                    outcomes["ok", default: 0] += 1
                } catch {
                    outcomes[String(describing: type(of: error)), default: 0] += 1
                }
                try FileManager.default.removeItem(atPath: path)
            }
        }
        print("archive mutations: \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertEqual(outcomes.values.reduce(0, +), 300)
        XCTAssertGreaterThan(outcomes["InteropError", default: 0], 0)
    }
}

private extension SeededGenerator {
    /// A draw in `0..<n` (modulo: fine for mutation tests).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
