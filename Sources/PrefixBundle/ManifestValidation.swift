/// Consistency checks of a decoded manifest against itself and the file size
/// (Spec/ptx-v1.md §7, step 4). Returns every finding, in a fixed order.
enum ManifestValidation {
    static func align(_ x: UInt64) -> UInt64 {
        let a = BundleLimits.alignment
        return (x + a - 1) / a * a
    }

    /// Offset of the data section: the manifest end rounded up to the alignment.
    static func dataStart(manifestLength: UInt64) -> UInt64 {
        align(UInt64(BundlePreamble.size) + manifestLength)
    }

    static func isTokenizerHash(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 71, s.hasPrefix("sha256:") else { return false }
        return u[7...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func check(_ m: BundleManifest, manifestLength: UInt64, fileLength: UInt64, file: String) -> [BundleError] {
        var out: [BundleError] = []
        let dimRange = 1...BundleLimits.maxModelDimension
        func dim(_ field: String, _ v: Int) {
            if !dimRange.contains(v) {
                out.append(.invalidField(file: file, field: field, found: "\(v)", expected: "an integer in \(dimRange.lowerBound)...\(dimRange.upperBound)"))
            }
        }
        // Scalars.
        if m.prefixLength == 0 {
            out.append(.prefixLengthZero(file: file))
        } else if m.prefixLength < 0 || m.prefixLength > BundleLimits.maxElementsPerTensor {
            out.append(.invalidField(file: file, field: "prefix_length", found: "\(m.prefixLength)", expected: "an integer in 1...\(BundleLimits.maxElementsPerTensor)"))
        }
        let fp = m.fingerprint
        if fp.architecture.isEmpty {
            out.append(.invalidField(file: file, field: "fingerprint.architecture", found: "\"\"", expected: "a non-empty architecture family such as \"llama\""))
        }
        dim("fingerprint.n_layers", fp.nLayers)
        dim("fingerprint.n_kv_heads", fp.nKVHeads)
        dim("fingerprint.head_dim", fp.headDim)
        dim("fingerprint.hidden_size", fp.hiddenSize)
        if fp.keyLayout != ModelFingerprint.postRopeRotateHalf {
            out.append(.invalidField(file: file, field: "fingerprint.key_layout", found: "\"\(fp.keyLayout)\"", expected: "\"\(ModelFingerprint.postRopeRotateHalf)\""))
        }
        if fp.positionConvention != ModelFingerprint.realTokensStartAtP {
            out.append(.invalidField(file: file, field: "fingerprint.position_convention", found: "\"\(fp.positionConvention)\"", expected: "\"\(ModelFingerprint.realTokensStartAtP)\""))
        }
        if !isTokenizerHash(m.tokenizerHash) {
            out.append(.invalidField(file: file, field: "tokenizer_hash", found: "\"\(m.tokenizerHash.prefix(80))\"", expected: "\"sha256:\" followed by 64 lowercase hex digits"))
        }
        // Layers.
        if m.layers.isEmpty {
            out.append(.invalidField(file: file, field: "layers", found: "[]", expected: "at least one layer index"))
        }
        var previous = -1
        var ordered = true
        for (i, layer) in m.layers.enumerated() {
            if layer < 0 || layer >= fp.nLayers {
                out.append(.layerOutOfRange(file: file, field: "layers[\(i)]", found: layer, expected: fp.nLayers))
            }
            if layer <= previous { ordered = false }
            previous = layer
        }
        if !ordered {
            out.append(.invalidField(file: file, field: "layers", found: "\(m.layers.prefix(16))", expected: "strictly increasing layer indices"))
        }
        // Reparameterization.
        switch (m.form, m.reparameterization) {
        case (.raw, .some):
            out.append(.invalidField(file: file, field: "reparameterization", found: "an object", expected: "absent for the raw form"))
        case (.reparameterized, .none):
            out.append(.missingField(file: file, field: "reparameterization"))
        case (.reparameterized, .some(let r)):
            dim("reparameterization.embedding_dim", r.embeddingDim)
            dim("reparameterization.hidden_dim", r.hiddenDim)
            if r.activation != "tanh" {
                out.append(.invalidField(file: file, field: "reparameterization.activation", found: "\"\(r.activation)\"", expected: "\"tanh\""))
            }
        case (.raw, .none):
            break
        }
        // Tensor table.
        if m.tensors.count > BundleLimits.maxTensors {
            out.append(.tooManyTensors(file: file, found: m.tensors.count, cap: BundleLimits.maxTensors))
            return out
        }
        let start = dataStart(manifestLength: manifestLength)
        var seen = Set<String>()
        var inBounds: [(offset: UInt64, end: UInt64, name: String)] = []
        for (i, t) in m.tensors.enumerated() {
            if !seen.insert(t.name).inserted {
                out.append(.duplicateTensor(file: file, tensor: t.name))
            }
            checkEntry(t, index: i, dataStart: start, fileLength: fileLength, file: file, into: &out, inBounds: &inBounds)
        }
        inBounds.sort { ($0.offset, $0.end) < ($1.offset, $1.end) }
        var maxEnd: (end: UInt64, name: String)? = nil
        for r in inBounds {
            if let prev = maxEnd, r.offset < prev.end {
                out.append(.overlappingTensors(file: file, tensor: r.name, other: prev.name))
            }
            if maxEnd == nil || r.end > maxEnd!.end { maxEnd = (r.end, r.name) }
        }
        // Form-specific names and shapes (only once the numbers they derive from are sane).
        let sane = m.prefixLength > 0 && m.prefixLength <= BundleLimits.maxElementsPerTensor
            && dimRange.contains(fp.nKVHeads) && dimRange.contains(fp.headDim)
            && (m.reparameterization.map { dimRange.contains($0.embeddingDim) && dimRange.contains($0.hiddenDim) } ?? true)
        if sane, m.form == .raw ? m.layers.count <= BundleLimits.maxTensors / 2 : true,
           let expected = PrefixFormLayout.expectedTensors(form: m.form, prefixLength: m.prefixLength, layers: m.layers,
                                                           fingerprint: fp, reparameterization: m.reparameterization) {
            var expectedShape: [String: [Int]] = [:]
            for e in expected where expectedShape[e.name] == nil { expectedShape[e.name] = e.shape }
            var checked = Set<String>()
            for t in m.tensors where checked.insert(t.name).inserted {
                if let shape = expectedShape[t.name] {
                    if shape != t.shape { out.append(.shapeMismatch(file: file, tensor: t.name, found: t.shape, expected: shape)) }
                } else {
                    out.append(.unexpectedTensor(file: file, tensor: t.name, form: m.form.rawValue))
                }
            }
            for e in expected where !seen.contains(e.name) {
                out.append(.missingTensor(file: file, tensor: e.name))
            }
        }
        if sane { out += DerivedSizes(manifest: m).findings(file: file) }
        return out
    }

    private static func checkEntry(_ t: TensorEntry, index i: Int, dataStart: UInt64, fileLength: UInt64, file: String,
                                   into out: inout [BundleError], inBounds: inout [(offset: UInt64, end: UInt64, name: String)]) {
        if t.name.isEmpty {
            out.append(.invalidField(file: file, field: "tensors[\(i)].name", found: "\"\"", expected: "a tensor name"))
        }
        var shapeOK = true
        if t.shape.count > BundleLimits.maxDimensions {
            out.append(.tooManyDimensions(file: file, tensor: t.name, found: t.shape.count, cap: BundleLimits.maxDimensions))
            shapeOK = false
        } else if let bad = t.shape.firstIndex(where: { $0 < 0 }) {
            out.append(.invalidField(file: file, field: "tensors[\(i)].shape[\(bad)]", found: "\(t.shape[bad])", expected: "a non-negative integer"))
            shapeOK = false
        }
        if shapeOK {
            var count = 1
            var overflow = false
            for d in t.shape {
                let (r, o) = count.multipliedReportingOverflow(by: d)
                if o { overflow = true; break }
                count = r
            }
            if overflow {
                out.append(.elementCountOverflow(file: file, tensor: t.name, shape: t.shape))
            } else if count > BundleLimits.maxElementsPerTensor {
                out.append(.elementCountExceedsCap(file: file, tensor: t.name, found: count, cap: BundleLimits.maxElementsPerTensor))
            } else {
                let decoded = count * t.dtype.byteWidth  // ≤ 2^30: cannot overflow
                if t.decodedLength != UInt64(decoded) {
                    out.append(.lengthMismatch(file: file, tensor: t.name, field: "decoded_length", found: t.decodedLength, expected: decoded))
                } else if t.encoding == .raw, t.storedLength != t.decodedLength {
                    out.append(.lengthMismatch(file: file, tensor: t.name, field: "stored_length", found: t.storedLength, expected: decoded))
                } else if t.encoding == .deflate {
                    let (maxOut, o) = t.storedLength.multipliedReportingOverflow(by: UInt64(BundleLimits.maxDeflateRatio))
                    if !o, maxOut &+ 64 < t.decodedLength {
                        out.append(.invalidField(file: file, field: "tensors[\(i)].decoded_length", found: "\(t.decodedLength)",
                                                 expected: "at most \(maxOut + 64) (the most \(t.storedLength) deflate bytes can inflate to)"))
                    }
                }
            }
        }
        if t.offset % BundleLimits.alignment != 0 {
            out.append(.misaligned(file: file, tensor: t.name, found: t.offset, expected: BundleLimits.alignment))
        }
        let (end, o) = t.offset.addingReportingOverflow(t.storedLength)
        if o || t.offset < dataStart || end > fileLength {
            out.append(.offsetOutOfBounds(file: file, tensor: t.name, found: t.offset, length: t.storedLength, dataStart: dataStart, fileLength: fileLength))
        } else if t.storedLength > 0 {
            inBounds.append((t.offset, end, t.name))
        }
    }

}
