import PrefixBundle

/// What one fuzz input exercises: full validation from memory, then — when the structure is
/// sound — every decoding path. Library errors are expected; a crash, a hang, an oversized
/// allocation or a broken invariant below is a bug in PrefixBundle.
///
/// Each input runs twice: as given, and "repaired" (preamble and manifest CRC-32s and
/// `file_length` recomputed), so mutations inside the manifest reach the JSON decoder and the
/// table checks instead of stopping at a checksum.
enum FuzzHarness {
    static func check(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        checkBytes(bytes)
        if let repaired = repairedChecksums(bytes), repaired != bytes { checkBytes(repaired) }
    }

    /// `bytes` with `file_length` set to its length and both preamble CRCs recomputed, when it
    /// starts with the magic and its manifest lies inside it; nil otherwise.
    static func repairedChecksums(_ bytes: [UInt8]) -> [UInt8]? {
        let size = BundlePreamble.size
        guard bytes.count >= size, Array(bytes[0..<8]) == BundlePreamble.magic else { return nil }
        var out = bytes
        var manifestLength: UInt64 = 0
        for i in 0..<8 { manifestLength |= UInt64(out[20 + i]) << (8 * UInt64(i)) }
        guard manifestLength <= UInt64(out.count - size) else { return nil }
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for i in 0..<width { out[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        put(UInt64(out.count), at: 28, width: 8)
        put(UInt64(CRC32.checksum(Array(out[size..<(size + Int(manifestLength))]))), at: 36, width: 4)
        put(UInt64(CRC32.checksum(Array(out[0..<40]))), at: 40, width: 4)
        return out
    }

    static func checkBytes(_ bytes: [UInt8]) {
        let findings = BundleReader.findings(bytes: bytes, name: "fuzz-input")
        for f in findings {
            // Messages and codes are built from file-supplied values: they must not trap.
            _ = f.description
            _ = f.code
            require(f.category == .malformedInput, "in-memory input gave a non-input finding: \(f)")
        }
        let reader: BundleReader
        do {
            reader = try BundleReader(bytes: bytes, name: "fuzz-input")
        } catch {
            require(!findings.isEmpty, "open failed (\(error)) but findings(bytes:) reported none")
            require(findings.contains(error), "open failed with \(error), which findings(bytes:) did not report; findings: \(findings)")
            return
        }
        // Opening succeeded: findings must be exactly what validate() reports.
        let validated = reader.validate()
        require(validated == findings, "validate() gave \(validated) but findings(bytes:) gave \(findings)")
        for t in reader.tensors {
            if let values = try? reader.floats(t.name) {
                require(values.count == t.elementCount, "tensor \(t.name): \(values.count) values for shape \(t.shape)")
            }
            _ = try? reader.withFloats(t.name) { $0.reduce(Float(0), +) }
            _ = try? reader.decodedBytes(t.name)
            _ = try? reader.validate(tensor: t.name)
        }
    }
}

/// Traps with `message` (printed in optimized builds too, unlike `precondition`'s) when an
/// invariant of the library is broken.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("ptx-fuzz invariant broken: " + message()) }
}
