import Foundation
import PrefixRuntime
import TensorFiles
import TextTokenizers
import XCTest

/// Issue 12 item 3: a FIFO given as a GGUF, a safetensors shard, config.json or tokenizer.json
/// is refused at once with a typed error (open with O_NONBLOCK, fstat before reading). Without
/// the guard each of these calls would block forever: no writer ever opens the FIFOs.
final class SpecialFileCheckpointTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "fifo-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A copy of the tiny Llama folder with `replaced` turned into a FIFO.
    private func tinyFolder(withFIFO replaced: String) throws -> String {
        let source = EngineFixtures.tinyFolder("tiny-llama")
        let copy = folder + "/hf"
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        try FileManager.default.removeItem(atPath: copy + "/" + replaced)
        XCTAssertEqual(mkfifo(copy + "/" + replaced, 0o600), 0)
        return copy
    }

    private func assertNotRegular(_ error: any Error, _ path: String, file: StaticString = #filePath, line: UInt = #line) {
        switch error {
        case TensorFileError.cannotOpen(let f, let reason):
            XCTAssertEqual(f, path, file: file, line: line)
            XCTAssertEqual(reason, "not a regular file (found a FIFO)", file: file, line: line)
        case TokenizerError.unreadable(let f, let detail):
            XCTAssertEqual(f, path, file: file, line: line)
            XCTAssertEqual(detail, "not a regular file (found a FIFO)", file: file, line: line)
        default:
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testFIFOGivenAsGGUFIsRefused() throws {
        let fifo = folder + "/model.gguf"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try Checkpoint.load(path: fifo)) { assertNotRegular($0, fifo) }
        XCTAssertThrowsError(try Checkpoint.loadTokenizer(path: fifo)) { assertNotRegular($0, fifo) }
        XCTAssertThrowsError(try GGUFFile(contentsOf: URL(fileURLWithPath: fifo))) { assertNotRegular($0, fifo) }
    }

    func testFIFOConfigJSONIsRefusedNotCalledAPermissionProblem() throws {
        let hf = try tinyFolder(withFIFO: "config.json")
        XCTAssertThrowsError(try Checkpoint.load(path: hf)) { error in
            assertNotRegular(error, hf + "/config.json")
            XCTAssertFalse("\(error)".contains("permission"), "\(error)")
        }
    }

    func testFIFOSafetensorsShardIsRefused() throws {
        let hf = try tinyFolder(withFIFO: "model.safetensors")
        XCTAssertThrowsError(try Checkpoint.load(path: hf)) { assertNotRegular($0, hf + "/model.safetensors") }
    }

    func testFIFOTokenizerJSONIsRefused() throws {
        let hf = try tinyFolder(withFIFO: "tokenizer.json")
        XCTAssertThrowsError(try Checkpoint.loadTokenizer(path: hf)) { assertNotRegular($0, hf + "/tokenizer.json") }
        XCTAssertThrowsError(try Checkpoint.load(path: hf)) { assertNotRegular($0, hf + "/tokenizer.json") }
    }
}
