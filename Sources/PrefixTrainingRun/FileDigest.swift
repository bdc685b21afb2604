import Crypto
import Foundation

/// sha256 digests of checkpoints and data, streamed in 4 MiB pieces (no whole-file copy).
public enum FileDigest {
    /// `sha256:<hex>` of a file, or of a Hugging Face folder's `config.json` and `*.safetensors`
    /// files (sorted by name, concatenated).
    public static func sha256(path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TrainingRunError.unreadableData(file: path, detail: "no such file")
        }
        var hasher = SHA256()
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0 == "config.json" || $0.hasSuffix(".safetensors") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        for file in files {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw TrainingRunError.unreadableData(file: file, detail: "cannot open the file")
            }
            defer { try? handle.close() }
            while true {
                let chunk = (try? handle.read(upToCount: 4 << 20)) ?? nil
                guard let chunk, !chunk.isEmpty else { break }
                hasher.update(data: chunk)
            }
        }
        return "sha256:" + hex(hasher.finalize())
    }

    /// `sha256:<hex>` of a string's UTF-8 bytes.
    public static func sha256(text: String) -> String {
        "sha256:" + hex(SHA256.hash(data: Data(text.utf8)))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
