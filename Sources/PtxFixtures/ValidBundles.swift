import PrefixBundle
import PrefixSupport

/// The valid bundles of the conformance corpus. Everything is deterministic: values come from a
/// fixed SplitMix64 sequence, provenance has no dates.
enum ValidBundles {
    static let fingerprint = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64)
    /// Any well-formed hash: the corpus is not tied to a real tokenizer.
    static let tokenizerHash = "sha256:" + String(repeating: "0123456789abcdef", count: 4)
    static let prefixLength = 2

    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(random.next() >> 40) / Float(1 << 23) - 1 }
    }

    static func provenance(_ task: String) -> Provenance {
        Provenance(task: task, description: "conformance corpus bundle", baseModel: "tiny-llama",
                   baseModelDigest: "sha256:" + String(repeating: "0", count: 64), hyperparameters: ["lr": 0.001, "steps": 10],
                   creator: "ptx-fixtures", creatorVersion: "1")
    }

    static func raw(layers: [Int] = [0, 1, 2], dtype: TensorDType = .f32, task: String) throws -> BundleContents {
        let n = fingerprint.nKVHeads * prefixLength * fingerprint.headDim
        return try BundleContents.raw(fingerprint: fingerprint, tokenizerHash: tokenizerHash, prefixLength: prefixLength,
                                      layers: layers, keys: layers.map { values(n, seed: UInt64(2 * $0)) },
                                      values: layers.map { values(n, seed: UInt64(2 * $0 + 1)) },
                                      dtype: dtype, provenance: provenance(task))
    }

    static func reparameterized() throws -> BundleContents {
        let e = 4, h = 4, rows = 3 * 2 * fingerprint.kvDim
        return try BundleContents.reparameterized(
            fingerprint: fingerprint, tokenizerHash: tokenizerHash, prefixLength: prefixLength, layers: [0, 1, 2],
            embeddingDim: e, hiddenDim: h, embedding: values(prefixLength * e, seed: 100), mlp0Weight: values(h * e, seed: 101),
            mlp0Bias: values(h, seed: 102), mlp2Weight: values(rows * h, seed: 103), mlp2Bias: values(rows, seed: 104),
            provenance: provenance("reparameterized"))
    }

    /// File name → bytes of every valid fixture.
    static func all() throws -> [(String, [UInt8])] {
        let plain = BundleWriter(compress: false)
        var out: [(String, [UInt8])] = [
            ("raw-f32.ptx", try plain.encode(try raw(task: "raw-f32"))),
            ("raw-f16.ptx", try plain.encode(try raw(dtype: .f16, task: "raw-f16"))),
            ("raw-bf16.ptx", try plain.encode(try raw(dtype: .bf16, task: "raw-bf16"))),
            ("reparameterized.ptx", try plain.encode(try reparameterized())),
            ("compressed.ptx", try BundleWriter(compress: true).encode(try raw(task: "compressed"))),
            ("subset-layers.ptx", try plain.encode(try raw(layers: [0, 2], task: "subset-layers"))),
        ]
        // The tiny bundle whose hex dump is annotated in Spec/ptx-v1.md.
        let tinyFingerprint = ModelFingerprint(architecture: "llama", nLayers: 1, nKVHeads: 1, headDim: 2, hiddenSize: 2)
        let tiny = try BundleContents.raw(fingerprint: tinyFingerprint, tokenizerHash: "sha256:" + String(repeating: "0", count: 64),
                                          prefixLength: 1, layers: [0], keys: [[0.5, -1.0]], values: [[2.0, 0.25]],
                                          provenance: Provenance(task: "demo"))
        out.append(("tiny.ptx", try plain.encode(tiny)))
        // A file from a newer minor version: unknown optional flag, unknown manifest members.
        var future = try CorpusParts(bytes: try plain.encode(try raw(task: "newer-minor")))
        future.manifest["future_member"] = ["anything": [1, 2, 3]]
        future.fingerprint["future_fingerprint_member"] = "ignored"
        out.append(("newer-minor.ptx", future.assemble(minor: 9, optionalFlags: 0x8000_0001)))
        return out
    }
}
