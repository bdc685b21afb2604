import Foundation

/// Every way a `.ptx` bundle can be malformed, corrupt, or misused, as listed in Spec/ptx-v1.md §9.
///
/// Each case names the file (`file`), the offending field or tensor, the value found and the value
/// expected where that makes sense. ``code`` is a stable machine-readable name for the case (used by
/// `Fixtures/bundles/expected.json`, the CLI and the spec); ``description`` is a message a user can act on.
public enum BundleError: PrefixError, Equatable {
    // MARK: Preamble
    /// The file has zero bytes.
    case emptyFile(file: String)
    /// The file ends before `expected` bytes (it has `found`); `field` names what was being read.
    case truncated(file: String, field: String, found: UInt64, expected: UInt64)
    /// The file does not start with the `.ptx` magic; `detected` says what it looks like instead.
    case wrongMagic(file: String, detected: DetectedFileKind, found: [UInt8])
    /// The major version is not one this reader understands.
    case unsupportedMajorVersion(file: String, found: UInt16, expected: UInt16)
    /// Required flags are set that this reader does not know (`found` is the unknown bits only).
    case unknownRequiredFlags(file: String, found: UInt32, known: UInt32)
    /// The preamble's CRC-32 does not match its bytes.
    case preambleChecksumMismatch(file: String, found: UInt32, expected: UInt32)
    /// The file is longer than the length recorded in the preamble.
    case trailingData(file: String, found: UInt64, expected: UInt64)

    // MARK: Manifest
    /// The manifest length exceeds the documented cap (``BundleLimits/maxManifestBytes``).
    case manifestTooLarge(file: String, found: UInt64, cap: UInt64)
    /// The manifest would end (`found`) past the end of the file (`fileSize`).
    case manifestPastEndOfFile(file: String, found: UInt64, fileSize: UInt64)
    /// The manifest bytes do not match the manifest CRC-32 recorded in the preamble.
    case manifestChecksumMismatch(file: String, found: UInt32, expected: UInt32)
    /// The manifest is not valid UTF-8; `byteOffset` is the first bad byte within the manifest.
    case manifestNotUTF8(file: String, byteOffset: Int)
    /// The manifest is UTF-8 but not a JSON object.
    case manifestNotJSON(file: String, detail: String)
    /// A required manifest field is absent (`field` is a dotted path, e.g. `fingerprint.n_layers`).
    case missingField(file: String, field: String)
    /// A manifest field has the wrong type or a value outside what v1 allows.
    case invalidField(file: String, field: String, found: String, expected: String)
    /// The prefix length P is zero.
    case prefixLengthZero(file: String)
    /// A layer index is not below the fingerprint's `n_layers`.
    case layerOutOfRange(file: String, field: String, found: Int, expected: Int)

    // MARK: Tensor table
    /// The tensor table has more entries than ``BundleLimits/maxTensors``.
    case tooManyTensors(file: String, found: Int, cap: Int)
    /// Two table entries share a name.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor that the form does not define.
    case unexpectedTensor(file: String, tensor: String, form: String)
    /// A tensor that the form requires is absent.
    case missingTensor(file: String, tensor: String)
    /// A shape has more dimensions than ``BundleLimits/maxDimensions``.
    case tooManyDimensions(file: String, tensor: String, found: Int, cap: Int)
    /// The product of the shape's dimensions does not fit in 64 bits.
    case elementCountOverflow(file: String, tensor: String, shape: [Int])
    /// The element count exceeds ``BundleLimits/maxElementsPerTensor``.
    case elementCountExceedsCap(file: String, tensor: String, found: Int, cap: Int)
    /// A size the bundle implies beyond its stored tensors (``DerivedSizes``) exceeds
    /// ``BundleLimits/maxDerivedElements``; `quantity` says which and how it is computed.
    case derivedSizeExceedsCap(file: String, quantity: String, found: Int, cap: Int)
    /// The shape is not the one the form and fingerprint require.
    case shapeMismatch(file: String, tensor: String, found: [Int], expected: [Int])
    /// A declared length disagrees with shape × dtype (`decoded_length`) or, for raw encoding,
    /// `stored_length` differs from `decoded_length`.
    case lengthMismatch(file: String, tensor: String, field: String, found: UInt64, expected: Int)
    /// A tensor's bytes `[found, found + length)` are not inside the data section `[dataStart, fileLength)`.
    case offsetOutOfBounds(file: String, tensor: String, found: UInt64, length: UInt64, dataStart: UInt64, fileLength: UInt64)
    /// A tensor offset is not a multiple of ``BundleLimits/alignment``.
    case misaligned(file: String, tensor: String, found: UInt64, expected: UInt64)
    /// Two tensors' stored bytes overlap.
    case overlappingTensors(file: String, tensor: String, other: String)

    // MARK: Data (full validation and decoding)
    /// A deflate stream is not valid zlib data or ends before `decoded_length` bytes.
    case deflateCorrupt(file: String, tensor: String, detail: String)
    /// A deflate stream produces more than the declared `decoded_length` bytes.
    case inflatesPastDeclaredSize(file: String, tensor: String, expected: Int)
    /// The CRC-32 of the stored bytes differs from the table's `crc32`.
    case checksumMismatch(file: String, tensor: String, found: UInt32, expected: UInt32)
    /// A tensor holds NaN values (`count` of them, the first at element `firstIndex`).
    case notANumber(file: String, tensor: String, firstIndex: Int, count: Int)
    /// A tensor holds ±Inf values (`count` of them, the first at element `firstIndex`).
    case infiniteValue(file: String, tensor: String, firstIndex: Int, count: Int)

    // MARK: Use of the API
    /// The file could not be opened, read, mapped or written.
    case io(file: String, operation: String, detail: String)
    /// No tensor of that name exists in the bundle.
    case noSuchTensor(file: String, tensor: String)
    /// Input given to the writer or a builder is inconsistent (never produced by reading a file).
    case invalidInput(field: String, found: String, expected: String)

    /// Stable, machine-readable name of the case (Spec/ptx-v1.md §9), e.g. `"truncated"`,
    /// `"wrong-magic-gguf"`.
    public var code: String {
        switch self {
        case .emptyFile: return "empty-file"
        case .truncated: return "truncated"
        case .wrongMagic(_, let kind, _): return "wrong-magic-\(kind.rawValue)"
        case .unsupportedMajorVersion: return "unsupported-major-version"
        case .unknownRequiredFlags: return "unknown-required-flags"
        case .preambleChecksumMismatch: return "preamble-crc-mismatch"
        case .trailingData: return "trailing-data"
        case .manifestTooLarge: return "manifest-too-large"
        case .manifestPastEndOfFile: return "manifest-past-eof"
        case .manifestChecksumMismatch: return "manifest-crc-mismatch"
        case .manifestNotUTF8: return "manifest-not-utf8"
        case .manifestNotJSON: return "manifest-not-json"
        case .missingField: return "missing-field"
        case .invalidField: return "invalid-field"
        case .prefixLengthZero: return "prefix-length-zero"
        case .layerOutOfRange: return "layer-out-of-range"
        case .tooManyTensors: return "too-many-tensors"
        case .duplicateTensor: return "duplicate-tensor"
        case .unexpectedTensor: return "unexpected-tensor"
        case .missingTensor: return "missing-tensor"
        case .tooManyDimensions: return "too-many-dimensions"
        case .elementCountOverflow: return "element-count-overflow"
        case .elementCountExceedsCap: return "element-count-exceeds-cap"
        case .derivedSizeExceedsCap: return "derived-size-exceeds-cap"
        case .shapeMismatch: return "shape-mismatch"
        case .lengthMismatch: return "length-mismatch"
        case .offsetOutOfBounds: return "offset-out-of-bounds"
        case .misaligned: return "misaligned"
        case .overlappingTensors: return "overlapping-tensors"
        case .deflateCorrupt: return "deflate-corrupt"
        case .inflatesPastDeclaredSize: return "inflates-past-size"
        case .checksumMismatch: return "crc-mismatch"
        case .notANumber: return "nan"
        case .infiniteValue: return "inf"
        case .io: return "io-error"
        case .noSuchTensor: return "no-such-tensor"
        case .invalidInput: return "invalid-input"
        }
    }

    /// Malformed input for every finding about the file's bytes; I/O for ``io(file:operation:detail:)``;
    /// usage for ``noSuchTensor(file:tensor:)`` and ``invalidInput(field:found:expected:)``.
    public var category: ErrorCategory {
        switch self {
        case .io: return .io
        case .noSuchTensor, .invalidInput: return .usage
        default: return .malformedInput
        }
    }
}

extension BundleError {
    /// A message naming the file, the field or tensor, the value found and the value expected.
    public var description: String {
        switch self {
        case .emptyFile(let f):
            return "\(f): the file is empty (0 bytes); a .ptx bundle starts with a \(BundlePreamble.size)-byte preamble"
        case .truncated(let f, let field, let found, let expected):
            return "\(f): truncated while reading \(field): the file has \(found) bytes but \(expected) are needed; the copy or download was probably cut short"
        case .wrongMagic(let f, let kind, let found):
            let hex = found.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            if kind == .unknown {
                return "\(f): not a .ptx bundle: the first bytes are \(hex), expected the magic 89 50 54 58 0d 0a 1a 0a"
            }
            if kind == .ptxDamagedByTextTransfer {
                return "\(f): this .ptx bundle was damaged by a text-mode transfer (line endings were converted in the magic \(hex)); copy it again in binary mode"
            }
            return "\(f): this is \(kind.article) \(kind.displayName) file, not a .ptx bundle (first bytes: \(hex))"
        case .unsupportedMajorVersion(let f, let found, let expected):
            return "\(f): format major version \(found) is not supported (this reader understands major version \(expected)); upgrade prefixpack"
        case .unknownRequiredFlags(let f, let found, let known):
            return "\(f): required flags 0x\(String(found, radix: 16)) are unknown to this reader (known required flags: 0x\(String(known, radix: 16))); upgrade prefixpack"
        case .preambleChecksumMismatch(let f, let found, let expected):
            return "\(f): preamble CRC-32 is 0x\(hex32(found)) but the preamble bytes give 0x\(hex32(expected)); the file is corrupt"
        case .trailingData(let f, let found, let expected):
            return "\(f): the file has \(found) bytes but its preamble records \(expected); extra data was appended"
        case .manifestTooLarge(let f, let found, let cap):
            return "\(f): manifest_length is \(found) bytes, above the cap of \(cap) bytes"
        case .manifestPastEndOfFile(let f, let found, let size):
            return "\(f): the manifest would end at byte \(found) but the file has only \(size) bytes"
        case .manifestChecksumMismatch(let f, let found, let expected):
            return "\(f): manifest CRC-32 is 0x\(hex32(found)) but the manifest bytes give 0x\(hex32(expected)); the file is corrupt"
        case .manifestNotUTF8(let f, let offset):
            return "\(f): the manifest is not valid UTF-8 (first bad byte at manifest offset \(offset))"
        case .manifestNotJSON(let f, let detail):
            return "\(f): the manifest is not a JSON object: \(detail)"
        case .missingField(let f, let field):
            return "\(f): manifest field \(field) is missing"
        case .invalidField(let f, let field, let found, let expected):
            return "\(f): manifest field \(field) is \(found), expected \(expected)"
        case .prefixLengthZero(let f):
            return "\(f): prefix_length is 0; a prefix needs at least one virtual token"
        case .layerOutOfRange(let f, let field, let found, let expected):
            return "\(f): \(field) names layer \(found) but the model has \(expected) layers (valid: 0..<\(expected))"
        case .tooManyTensors(let f, let found, let cap):
            return "\(f): the tensor table has \(found) entries, above the cap of \(cap)"
        case .duplicateTensor(let f, let t):
            return "\(f): tensor \(t) appears more than once in the tensor table"
        case .unexpectedTensor(let f, let t, let form):
            return "\(f): tensor \(t) is not part of a \(form) bundle with these layers"
        case .missingTensor(let f, let t):
            return "\(f): tensor \(t) is required but missing from the tensor table"
        case .tooManyDimensions(let f, let t, let found, let cap):
            return "\(f): tensor \(t) has \(found) dimensions, above the cap of \(cap)"
        case .elementCountOverflow(let f, let t, let shape):
            return "\(f): tensor \(t) shape \(shape) has an element count that overflows 64 bits"
        case .elementCountExceedsCap(let f, let t, let found, let cap):
            return "\(f): tensor \(t) has \(found) elements, above the cap of \(cap)"
        case .derivedSizeExceedsCap(let f, let quantity, let found, let cap):
            return "\(f): the \(quantity) would need \(found) elements, above the cap of \(cap); no command could process this bundle"
        case .shapeMismatch(let f, let t, let found, let expected):
            return "\(f): tensor \(t) has shape \(found), expected \(expected) from the form, prefix length and fingerprint"
        case .lengthMismatch(let f, let t, let field, let found, let expected):
            return "\(f): tensor \(t) \(field) is \(found), expected \(expected)"
        case .offsetOutOfBounds(let f, let t, let found, let length, let start, let end):
            let (stop, overflow) = found.addingReportingOverflow(length)
            let bytes = overflow ? "bytes from \(found) on (length \(length), ending past 2^64)" : "bytes \(found)..<\(stop) (length \(length))"
            return "\(f): tensor \(t) occupies \(bytes), outside the data section \(start)..<\(end)"
        case .misaligned(let f, let t, let found, let expected):
            return "\(f): tensor \(t) offset \(found) is not a multiple of \(expected)"
        case .overlappingTensors(let f, let t, let other):
            return "\(f): tensors \(other) and \(t) overlap in the file"
        case .deflateCorrupt(let f, let t, let detail):
            return "\(f): tensor \(t) deflate data is corrupt: \(detail)"
        case .inflatesPastDeclaredSize(let f, let t, let expected):
            return "\(f): tensor \(t) deflate data inflates past its declared decoded_length of \(expected) bytes"
        case .checksumMismatch(let f, let t, let found, let expected):
            return "\(f): tensor \(t) CRC-32 of the stored bytes is 0x\(hex32(found)), the table says 0x\(hex32(expected)); the file is corrupt"
        case .notANumber(let f, let t, let first, let count):
            return "\(f): tensor \(t) holds \(count) NaN value(s), the first at element \(first)"
        case .infiniteValue(let f, let t, let first, let count):
            return "\(f): tensor \(t) holds \(count) infinite value(s), the first at element \(first)"
        case .io(let f, let op, let detail):
            return "\(f): cannot \(op): \(detail)"
        case .noSuchTensor(let f, let t):
            return "\(f): no tensor named \(t)"
        case .invalidInput(let field, let found, let expected):
            return "invalid bundle contents: \(field) is \(found), expected \(expected)"
        }
    }
}

@inline(__always) func hex32(_ v: UInt32) -> String {
    String(format: "%08x", v)
}
