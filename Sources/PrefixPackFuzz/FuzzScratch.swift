import Foundation

/// A private folder for parsers that read files (data rows, sharded indexes): one per process,
/// so parallel libFuzzer jobs never share files, removed at exit.
enum FuzzScratch {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("prefixpack-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            fatalError("prefixpack-fuzz: cannot create the scratch folder \(url.path): \(error)")
        }
        atexit { try? FileManager.default.removeItem(at: FuzzScratch.directory) }
        return url
    }()

    /// Writes `bytes` to `name` inside the scratch folder (replacing it) and returns its path.
    static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> URL {
        let url = directory.appendingPathComponent(name)
        do { try Data(bytes).write(to: url) } catch {
            fatalError("prefixpack-fuzz: cannot write \(url.path): \(error)")
        }
        return url
    }
}
