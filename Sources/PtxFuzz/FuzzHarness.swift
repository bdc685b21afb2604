import PrefixBundle

/// What one fuzz input exercises: full validation from memory, then — when the structure is
/// sound — every decoding path. Library errors are expected; a crash, a hang, an oversized
/// allocation or a broken invariant below is a bug in PrefixBundle.
enum FuzzHarness {
    static func check(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        let findings = BundleReader.findings(bytes: bytes, name: "fuzz-input")
        for f in findings {
            // Messages and codes are built from file-supplied values: they must not trap.
            _ = f.description
            _ = f.code
            precondition(f.isMalformedInput, "in-memory input gave a non-input finding: \(f)")
        }
        let reader: BundleReader
        do {
            reader = try BundleReader(bytes: bytes, name: "fuzz-input")
        } catch {
            precondition(!findings.isEmpty, "open failed (\(error)) but findings(bytes:) reported none")
            precondition(findings.contains(error), "open failed with \(error), which findings(bytes:) did not report")
            return
        }
        // Opening succeeded: findings must be exactly what validate() reports.
        precondition(reader.validate() == findings, "validate() disagrees with findings(bytes:)")
        for t in reader.tensors {
            if let values = try? reader.floats(t.name) {
                precondition(values.count == t.elementCount, "tensor \(t.name): \(values.count) values for shape \(t.shape)")
            }
            _ = try? reader.withFloats(t.name) { $0.reduce(Float(0), +) }
            _ = try? reader.decodedBytes(t.name)
            _ = try? reader.validate(tensor: t.name)
        }
    }
}

/// libFuzzer's entry point (built with `-sanitize=fuzzer -parse-as-library`; see docs/cli-format.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func ptxFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.check(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}
