import Crypto
import PrefixSupport

/// The digest of a dataset as training sees it, for bundle provenance (`data_digest`).
///
/// SHA-256 over the canonical example list, in file order:
/// the ASCII bytes `prefixpack-data-v1\n`, the example count as a little-endian UInt64, then for
/// each example the prompt length and the target length (UInt64 LE) followed by every prompt id
/// and every target id (UInt32 LE). Written as `"sha256:"` + 64 lowercase hex digits.
///
/// Only token ids enter the digest (after templates, BOS/EOS and truncation), so the same
/// examples read from a CSV, a `.gz` or an archive member give the same digest, and a different
/// tokenizer, template or length limit gives a different one. File names and line numbers do not
/// enter it.
public enum DatasetDigest {
    /// The format tag hashed first.
    public static let formatTag = "prefixpack-data-v1\n"

    /// The digest of `examples`.
    public static func digest(_ examples: [TrainingExample]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(formatTag.utf8))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func put64(_ v: Int) { withUnsafeBytes(of: UInt64(truncatingIfNeeded: v).littleEndian) { buffer.append(contentsOf: $0) } }
        func put32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { buffer.append(contentsOf: $0) } }
        put64(examples.count)
        for example in examples {
            put64(example.promptIDs.count)
            put64(example.targetIDs.count)
            for id in example.promptIDs { put32(id) }
            for id in example.targetIDs { put32(id) }
            if buffer.count >= 1 << 15 {
                hasher.update(data: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        hasher.update(data: buffer)
        return FileDigest.format(hasher.finalize())
    }
}
