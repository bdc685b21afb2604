import Foundation
import FuzzSupport

/// Without libFuzzer (a plain `swift build`), `ptx-fuzz [PATH ...]` runs every file under the
/// given paths (default: the repository's Fixtures/bundles and Fixtures/fuzz-crashes) through the
/// fuzz harness once, so the target is built, linked and exercised by ordinary builds too.
enum StandaloneRunner {
    static func run(_ arguments: [String]) -> Int32 {
        let roots = arguments.isEmpty ? defaultRoots() : arguments
        var files: [String] = []
        for root in roots { files.append(contentsOf: FuzzInputFiles.regularFiles(under: root)) }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("ptx-fuzz: no input files under \(roots.joined(separator: ", "))\n".utf8))
            return 1
        }
        for path in files.sorted() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("ptx-fuzz: cannot read \(path)\n".utf8))
                return 1
            }
            data.withUnsafeBytes { FuzzHarness.check($0) }
        }
        print("ptx-fuzz: \(files.count) inputs ran without a crash (standalone mode; build with -sanitize=fuzzer to fuzz)")
        return 0
    }

    /// Fixtures/bundles and Fixtures/fuzz-crashes of the package this file belongs to.
    static func defaultRoots() -> [String] {
        let url = FuzzInputFiles.packageRoot(above: #filePath)
        return ["Fixtures/bundles", "Fixtures/fuzz-crashes"].map { url.appendingPathComponent($0).path }
    }
}
