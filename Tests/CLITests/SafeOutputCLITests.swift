import Foundation
import PrefixBundle
import XCTest

/// Human-readable output cannot be steered by input (issue 12, item 6), long input makes short
/// messages (item 8), and every error maps to `error[CODE]` and its category's exit code.
final class SafeOutputCLITests: XCTestCase {
    let model = "Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf"
    static let fingerprint = ModelFingerprint(architecture: "llama", nLayers: 2, nKVHeads: 1, headDim: 4, hiddenSize: 8)
    static let forged = "\nerror[crc-mismatch]: forged"
    static let hostile = ["title": "\u{1b}]0;pwned\u{7}", "overwrite": "ok\r\u{1b}[2Kvalid", "forge": forged,
                          "c1": "\u{9b}31mred", "bidi": "abc\u{202e}fdp.exe"]

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safe-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A valid raw bundle whose provenance holds `strings`.
    func hostileBundle(in dir: URL, name: String = "hostile.ptx", strings: [String: String] = hostile) throws -> String {
        var provenance = Provenance(task: "\u{1b}[31mtask\u{1b}[0m", description: "one\ntwo\rthree")
        for (k, v) in strings { provenance.fields[k] = .string(v) }
        provenance.fields["nested"] = .object(["list": .array([.string(Self.forged)])])
        let n = Self.fingerprint.nKVHeads * 2 * Self.fingerprint.headDim
        let contents = try BundleContents.raw(fingerprint: Self.fingerprint, tokenizerHash: "sha256:" + String(repeating: "cd", count: 32),
                                              prefixLength: 2, layers: [0, 1], keys: [[Float](repeating: 0.5, count: n), [Float](repeating: 0.25, count: n)],
                                              values: [[Float](repeating: -1, count: n), [Float](repeating: 1, count: n)],
                                              dtype: .f32, provenance: provenance)
        let path = dir.appendingPathComponent(name).path
        try BundleWriter().write(contents, to: path)
        return path
    }

    /// Fails when `text` holds a control character other than our own line breaks, or a line
    /// that starts like a finding other than those in `allowed`.
    func assertSafe(_ text: String, allowedCodes allowed: Set<String> = [], _ what: String, line: UInt = #line) {
        for scalar in text.unicodeScalars where scalar != "\n" {
            XCTAssertFalse(PrintableText.needsEscape(scalar), "\(what): raw U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)", line: line)
        }
        for l in text.split(separator: "\n") where l.hasPrefix("error[") {
            let code = l.dropFirst(6).prefix { $0 != "]" }
            XCTAssertTrue(allowed.contains(String(code)), "\(what): unexpected line \(l)", line: line)
        }
    }

    func testInspectAndValidateEscapeHostileProvenance() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = try hostileBundle(in: dir)

        let text = try CLIRunner.run(["inspect", bundle])
        XCTAssertEqual(text.status, 0, text.stderr)
        assertSafe(text.stdout + text.stderr, "inspect")
        XCTAssertTrue(text.stdout.contains("\\u{1b}]0;pwned\\u{7}"), text.stdout)
        XCTAssertTrue(text.stdout.contains("ok\\r\\u{1b}[2Kvalid"), text.stdout)
        XCTAssertTrue(text.stdout.contains("\\nerror[crc-mismatch]: forged"), text.stdout)
        XCTAssertTrue(text.stdout.contains("one\\ntwo\\rthree"), text.stdout)

        // JSON keeps the provenance verbatim (JSON escapes are the machine-readable form).
        let json = try CLIRunner.run(["inspect", "--json", bundle])
        XCTAssertEqual(json.status, 0, json.stderr)
        assertSafe(json.stdout, "inspect --json")
        let provenance = try XCTUnwrap(try CLIRunner.jsonObject(json.stdout)["provenance"] as? [String: Any])
        XCTAssertEqual(provenance["forge"] as? String, Self.forged)
        XCTAssertEqual(provenance["title"] as? String, Self.hostile["title"])

        let valid = try CLIRunner.run(["validate", bundle])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        assertSafe(valid.stdout + valid.stderr, "validate")
    }

    func testFindingsAndPathsCannotForgeLines() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file name that tries to start a line of its own.
        let named = try hostileBundle(in: dir, name: "x\rerror[crc-mismatch]: forged\n.ptx")
        let ok = try CLIRunner.run(["validate", named])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        assertSafe(ok.stdout + ok.stderr, "validate valid")
        XCTAssertTrue(ok.stdout.contains("x\\rerror[crc-mismatch]: forged\\n.ptx: valid"), ok.stdout)

        // A truncated copy under that name: one finding, one line, its own code.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: named))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: named))
        let bad = try CLIRunner.run(["validate", named])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        assertSafe(bad.stdout + bad.stderr, allowedCodes: ["trailing-data", "truncated"], "validate truncated")
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)

        // A manifest string value that a finding quotes (decoding stops there, so no tensor data is needed).
        let manifest = try BundleReader(path: try hostileBundle(in: dir)).manifest
        let json = String(decoding: try BundleWriter.manifestJSON(manifest), as: UTF8.self)
        XCTAssertTrue(json.contains("\"form\":\"raw\""))
        let edited = json.replacingOccurrences(of: "\"form\":\"raw\"", with: "\"form\":\"raw\\nerror[crc-mismatch]: forged\\u001b]0;x\\u0007\"")
        let forgedForm = dir.appendingPathComponent("form.ptx")
        try Data(BundleAssembler.assemble(manifestJSON: Array(edited.utf8), regions: [])).write(to: forgedForm)
        for command in ["validate", "inspect"] {
            let r = try CLIRunner.run([command, forgedForm.path])
            XCTAssertEqual(r.status, 2, r.stderr)
            assertSafe(r.stdout + r.stderr, allowedCodes: ["invalid-field"], command)
            XCTAssertTrue(r.stderr.hasPrefix("error[invalid-field]: \(forgedForm.path): "), r.stderr)
        }
    }

    func testLongQuotedInputMakesAShortMessage() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A 5 MB first line of a CSV: its column names are quoted in the message.
        let data = dir.appendingPathComponent("wide.csv")
        try Data((String(repeating: "m", count: 5_000_000) + "\u{1b}]0;x,b\n1,2\n").utf8).write(to: data)
        let wide = try CLIRunner.run(["build", "--model", model, "--data", data.path, "-o", dir.appendingPathComponent("x.ptx").path])
        XCTAssertEqual(wide.status, 1, String(wide.stderr.prefix(500)))
        XCTAssertTrue(wide.stderr.hasPrefix("error[fields-not-detected]: \(data.path): "), String(wide.stderr.prefix(500)))
        XCTAssertLessThan(wide.stderr.utf8.count, 1000, String(wide.stderr.prefix(500)))
        XCTAssertTrue(wide.stderr.contains("… (5000005 bytes in all)', 'b'"), String(wide.stderr.prefix(500)))
        // A 100 kB template option.
        let template = "{" + String(repeating: "m", count: 100_000)
        let r = try CLIRunner.run(["build", "--model", model, "--data", "Fixtures/trainingrun/e2e-train-48.csv",
                                   "-o", dir.appendingPathComponent("x.ptx").path, "--prompt-template", template])
        XCTAssertEqual(r.status, 1, String(r.stderr.prefix(500)))
        XCTAssertTrue(r.stderr.hasPrefix("error[invalid-template]: "), String(r.stderr.prefix(500)))
        XCTAssertLessThan(r.stderr.utf8.count, 1000, String(r.stderr.prefix(500)))
        XCTAssertTrue(r.stderr.contains("(100001 bytes in all)"), String(r.stderr.prefix(500)))
    }

    func testMalformedDataFilesExitTwo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notJSON = dir.appendingPathComponent("rows.jsonl")
        try Data("{\"prompt\": \"a\", \"target\": \n{not json}\n[1, 2]\n".utf8).write(to: notJSON)
        let badGzip = dir.appendingPathComponent("rows.csv.gz")
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]).write(to: badGzip)
        for data in [notJSON.path, badGzip.path] {
            let build = try CLIRunner.run(["build", "--model", model, "--data", data, "-o", dir.appendingPathComponent("x.ptx").path])
            XCTAssertEqual(build.status, 2, "build \(data): \(build.stderr)")
            XCTAssertTrue(build.stderr.hasPrefix("error[") && build.stderr.contains(data), build.stderr)
            let eval = try CLIRunner.run(["eval", "--model", model, "--data", data, "-o", dir.appendingPathComponent("eval").path])
            XCTAssertEqual(eval.status, 2, "eval \(data): \(eval.stderr)")
        }
        // A missing data file is an I/O problem.
        let missing = try CLIRunner.run(["build", "--model", model, "--data", dir.appendingPathComponent("none.csv").path,
                                         "-o", dir.appendingPathComponent("x.ptx").path])
        XCTAssertEqual(missing.status, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.hasPrefix("error[file-missing]: "), missing.stderr)
    }

    func testEmptyTargetIDsAreNotReportedAsTooLong() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ids.jsonl")
        let rows = (0..<6).map { i in "{\"prompt_ids\": [\(i + 5), 6], \"target_ids\": [7, \(i + 8)]}" } + ["{\"prompt_ids\": [5], \"target_ids\": []}"]
        try Data(rows.joined(separator: "\n").utf8).write(to: data)
        let r = try CLIRunner.run(["build", "--model", model, "--data", data.path, "-o", dir.appendingPathComponent("x.ptx").path,
                                   "--prefix-length", "2", "--hidden", "8", "--max-steps", "1", "--batch-size", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // PrefixData reports the row by file and line as unusable, not as overlong.
        XCTAssertTrue(r.stderr.contains("ids.jsonl line 7: the target has no token"), r.stderr)
        XCTAssertFalse(r.stderr.contains("longer than"), r.stderr)
    }

    func testDTypeIsAChoiceListedInHelpAndCheckedByTheParser() throws {
        let help = try CLIRunner.run(["collapse", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("f32") && help.stdout.contains("f16") && help.stdout.contains("bf16"), help.stdout)
        let bad = try CLIRunner.run(["collapse", "Fixtures/bundles/valid/reparameterized.ptx", "-o", "/tmp/never.ptx", "--dtype", "f8"])
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("f8"), bad.stderr)
        let threads = try CLIRunner.run(["generate", "--model", model, "--prompt", "a", "--threads", "0"])
        XCTAssertEqual(threads.status, 1, threads.stderr)
        XCTAssertTrue(threads.stderr.contains("--threads"), threads.stderr)
    }
}
