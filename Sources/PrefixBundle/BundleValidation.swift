/// Full validation: the checks whose cost grows with the tensor data (Spec/ptx-v1.md §7, step 5).
extension BundleReader {
    /// Checks every tensor's CRC-32, inflates every deflate tensor (bounded by its declared size)
    /// and scans every value for NaN and ±Inf. Returns every finding in table order; an empty
    /// array means the bundle is valid. Structural checks already passed when the reader opened.
    public func validate() -> [BundleError] {
        manifest.tensors.flatMap { validateTensor($0) }
    }

    /// Findings for one tensor (CRC, deflate, values).
    public func validate(tensor name: String) throws(BundleError) -> [BundleError] {
        validateTensor(try entry(name))
    }

    func validateTensor(_ t: TensorEntry) -> [BundleError] {
        var out: [BundleError] = []
        withExtendedLifetime(storage) {
            let stored = storedBytes(t)
            let crc = CRC32.checksum(stored)
            if crc != t.crc32 {
                out.append(.checksumMismatch(file: file, tensor: t.name, found: crc, expected: t.crc32))
            }
            var scan: ElementConversion.NonFinite
            switch t.encoding {
            case .raw:
                scan = ElementConversion.scanNonFinite(stored, dtype: t.dtype)
            case .deflate:
                let decoded: [UInt8]
                do throws(BundleError) {
                    decoded = try decode(t)
                } catch {
                    out.append(error)
                    return
                }
                scan = decoded.withUnsafeBytes { ElementConversion.scanNonFinite($0, dtype: t.dtype) }
            }
            if scan.nanCount > 0 {
                out.append(.notANumber(file: file, tensor: t.name, firstIndex: scan.firstNaN, count: scan.nanCount))
            }
            if scan.infCount > 0 {
                out.append(.infiniteValue(file: file, tensor: t.name, firstIndex: scan.firstInf, count: scan.infCount))
            }
        }
        return out
    }
}
