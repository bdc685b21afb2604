import Crypto
import Foundation

/// SHA-256 digests as `"sha256:<64 lowercase hex>"`: of bytes, of text, of one file, and of a
/// checkpoint (`base_model_digest`, Spec/ptx-v1.md §6 "Checkpoint digest").
package enum FileDigest {
    /// The digest of `bytes`.
    package static func sha256(_ bytes: some DataProtocol) -> String {
        format(SHA256.hash(data: bytes))
    }

    /// The digest of a string's UTF-8 bytes.
    package static func sha256(text: String) -> String {
        sha256(Data(text.utf8))
    }

    /// The digest of the regular file at `path` (read through a memory mapping, no copy).
    package static func sha256(file path: String) throws(FileAccessError) -> String {
        let file = try MappedFile(path: path)
        var hasher = SHA256()
        hasher.update(bufferPointer: file.bytes)
        return format(hasher.finalize())
    }

    /// Names of the files of a Hugging Face folder that its checkpoint digest covers.
    package static func isCheckpointFile(_ name: String) -> Bool {
        name == "config.json" || name.hasSuffix(".safetensors") || name == "model.safetensors.index.json"
    }

    /// `base_model_digest` of a checkpoint. A file (GGUF) digests as ``sha256(file:)``. A folder
    /// (Hugging Face) digests the files ``isCheckpointFile(_:)`` selects, sorted by the bytes of
    /// their UTF-8 names; for each, in order, the hash takes the name's UTF-8 bytes, one 0x00
    /// byte, the file's length as 8 bytes little-endian, then the file's bytes.
    package static func checkpoint(path: String) throws(FileAccessError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return try sha256(file: path)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .systemCall(path: path, operation: "list the folder", detail: error.localizedDescription)
        }
        var hasher = SHA256()
        for name in names.filter(isCheckpointFile).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let file = try MappedFile(path: (path as NSString).appendingPathComponent(name))
            hasher.update(data: Array(name.utf8) + [0])
            withUnsafeBytes(of: UInt64(file.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: file.bytes)
        }
        return format(hasher.finalize())
    }

    /// A finished SHA-256 as every digest here is written: `sha256:` + 64 lowercase hex digits.
    package static func format(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
