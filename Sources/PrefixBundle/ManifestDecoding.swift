import PrefixSupport

/// Decodes a manifest from PrefixSupport's parsed JSON, member by member in the fixed order of
/// Spec/ptx-v1.md §7 step 3, so the same bytes always give the same first error. Every error is
/// a ``BundleError`` naming the field's path (`tensors[2].crc32`), the value found and the value
/// expected. Unknown members are ignored.
struct ManifestDecoding {
    let file: String

    /// Parses the manifest text (syntax errors are `manifest-not-json` with the byte offset) and
    /// decodes it.
    static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws(BundleError) -> BundleManifest {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes, maxDepth: BundleLimits.maxManifestNesting, documentName: "the manifest", requireObject: true)
        } catch {
            throw .manifestNotJSON(file: file, detail: error.detail)
        }
        return try ManifestDecoding(file: file).manifest(JSONField(root, file: file))
    }

    func manifest(_ m: JSONField) throws(BundleError) -> BundleManifest {
        let form = try oneOf(required(m, "form"), PrefixForm.self)
        let prefixLength = try integer(required(m, "prefix_length"), Int.self)
        let layers = try integers(required(m, "layers"))
        let fingerprint = try self.fingerprint(required(m, "fingerprint"))
        let tokenizerHash = try string(required(m, "tokenizer_hash"))
        let reparameterization = try present(m, "reparameterization").map { (r) throws(BundleError) in try self.reparameterization(r) }
        let provenance = try present(m, "provenance").map { (p) throws(BundleError) in try self.provenance(p) } ?? Provenance()
        let tensors = try array(required(m, "tensors")).map { (t) throws(BundleError) in try tensor(t) }
        return BundleManifest(form: form, prefixLength: prefixLength, layers: layers, fingerprint: fingerprint,
                              tokenizerHash: tokenizerHash, reparameterization: reparameterization,
                              provenance: provenance, tensors: tensors)
    }

    func fingerprint(_ f: JSONField) throws(BundleError) -> ModelFingerprint {
        return ModelFingerprint(
            architecture: try string(required(f, "architecture")),
            nLayers: try integer(required(f, "n_layers"), Int.self),
            nKVHeads: try integer(required(f, "n_kv_heads"), Int.self),
            headDim: try integer(required(f, "head_dim"), Int.self),
            hiddenSize: try integer(required(f, "hidden_size"), Int.self),
            keyLayout: try string(required(f, "key_layout")),
            positionConvention: try string(required(f, "position_convention")))
    }

    func reparameterization(_ r: JSONField) throws(BundleError) -> Reparameterization {
        return Reparameterization(embeddingDim: try integer(required(r, "embedding_dim"), Int.self),
                                  hiddenDim: try integer(required(r, "hidden_dim"), Int.self),
                                  activation: try string(required(r, "activation")))
    }

    func tensor(_ t: JSONField) throws(BundleError) -> TensorEntry {
        return TensorEntry(
            name: try string(required(t, "name")),
            dtype: try oneOf(required(t, "dtype"), TensorDType.self),
            shape: try integers(required(t, "shape")),
            offset: try integer(required(t, "offset"), UInt64.self),
            storedLength: try integer(required(t, "stored_length"), UInt64.self),
            encoding: try oneOf(required(t, "encoding"), TensorEncoding.self),
            decodedLength: try integer(required(t, "decoded_length"), UInt64.self),
            crc32: try integer(required(t, "crc32"), UInt32.self))
    }

    /// Provenance: any JSON object. Members are visited in ascending order of their names as
    /// UTF-8 bytes (the first of a repeated name wins), arrays in index order; the only value
    /// that can fail is a number beyond a 64-bit float's range. Each value is visited once and
    /// the path of a value is spelled out only for an error, so the cost is linear in the size.
    func provenance(_ p: JSONField) throws(BundleError) -> Provenance {
        guard case .object = p.node else { throw invalid(p, expected: "a JSON object") }
        var path: [PathComponent] = [.member(p.path)]
        guard case .object(let fields) = try value(p.node, path: &path) else { throw invalid(p, expected: "a JSON object") }
        return Provenance(fields: fields)
    }

    private enum PathComponent {
        case member(String)
        case index(Int)
    }

    /// Recursion depth is bounded by the parser's nesting limit.
    private func value(_ node: JSONNode, path: inout [PathComponent]) throws(BundleError) -> JSONValue {
        switch node {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .number:
            guard let d = node.double else {
                let field = path.enumerated().map { (i, c) -> String in
                    switch c {
                    case .member(let name): return i == 0 ? name : "." + name
                    case .index(let k): return "[\(k)]"
                    }
                }.joined()
                throw .invalidField(file: file, field: field, found: "a number beyond the range of a 64-bit float",
                                    expected: "a number within ±1.8e308")
            }
            return .number(d)
        case .array(let elements):
            var out: [JSONValue] = []
            out.reserveCapacity(elements.count)
            for (k, element) in elements.enumerated() {
                path.append(.index(k))
                out.append(try value(element, path: &path))
                path.removeLast()
            }
            return .array(out)
        case .object(let o):
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(o.count)
            for name in o.names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where out[name] == nil {
                guard let member = o[name] else { continue }
                path.append(.member(name))
                out[name] = try value(member, path: &path)
                path.removeLast()
            }
            return .object(out)
        }
    }

    // MARK: - Typed reads with errors naming the field

    private func invalid(_ f: JSONField, expected: String) -> BundleError {
        .invalidField(file: file, field: f.path, found: f.node.summary, expected: expected)
    }

    /// The member `name` of object `f`; absent → `missing-field`.
    private func required(_ f: JSONField, _ name: String) throws(BundleError) -> JSONField {
        guard case .object = f.node else { throw invalid(f, expected: "a JSON object") }
        guard let member = f.member(name) else {
            throw .missingField(file: file, field: f.path.isEmpty ? name : f.path + "." + name)
        }
        return member
    }

    /// The member `name` of object `f` unless it is absent or `null`.
    private func present(_ f: JSONField, _ name: String) -> JSONField? {
        guard let member = f.member(name), !member.isNull else { return nil }
        return member
    }

    private func string(_ f: JSONField) throws(BundleError) -> String {
        guard case .string(let s) = f.node else { throw invalid(f, expected: "a string") }
        return s
    }

    private func array(_ f: JSONField, expected: String = "an array") throws(BundleError) -> [JSONField] {
        do { return try f.array() } catch { throw invalid(f, expected: expected) }
    }

    private func integer<T: FixedWidthInteger>(_ f: JSONField, _ type: T.Type) throws(BundleError) -> T {
        guard let v = f.node.integer(type) else { throw invalid(f, expected: "an integer in \(T.min)...\(T.max)") }
        return v
    }

    private func integers(_ f: JSONField) throws(BundleError) -> [Int] {
        try array(f, expected: "an array of integers").map { (element) throws(BundleError) in try integer(element, Int.self) }
    }

    private func oneOf<T: RawRepresentable & CaseIterable>(_ f: JSONField, _: T.Type) throws(BundleError) -> T where T.RawValue == String {
        let expected = "one of " + T.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let s) = f.node, let v = T(rawValue: s) else { throw invalid(f, expected: expected) }
        return v
    }
}
