import Foundation
import PrefixBundle

/// The invalid bundles of the conformance corpus: one file per bad-input case, each with the
/// ``BundleError/code`` a reader must report first.
enum InvalidBundles {
    struct Case {
        let file: String
        let code: String
        let bytes: [UInt8]
    }

    /// Sets a little-endian preamble field and recomputes the preamble CRC.
    static func patchPreamble(_ bytes: [UInt8], at offset: Int, width: Int, value: UInt64) -> [UInt8] {
        var b = bytes
        for i in 0..<width { b[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        let crc = CRC32.checksum(Array(b[0..<40]))
        for i in 0..<4 { b[40 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        return b
    }

    static func f32Bytes(_ bits: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) } }

    static func all(rawF32 base: [UInt8], compressed: [UInt8]) throws -> [Case] {
        var out: [Case] = []
        func add(_ file: String, _ code: String, _ bytes: [UInt8]) { out.append(Case(file: file, code: code, bytes: bytes)) }
        func edit(_ source: [UInt8] = base, _ change: (inout CorpusParts) -> Void) throws -> [UInt8] {
            var p = try CorpusParts(bytes: source)
            change(&p)
            return p.assemble()
        }

        // Preamble and framing.
        add("empty.ptx", "empty-file", [])
        add("truncated-in-preamble.ptx", "truncated", Array(base[0..<20]))
        add("truncated-in-data.ptx", "truncated", Array(base[0..<(base.count - 100)]))
        var gguf = Array("GGUF".utf8) + [3, 0, 0, 0]
        gguf += [UInt8](repeating: 0, count: 16)
        add("wrong-magic-gguf.ptx", "wrong-magic-gguf", gguf)
        let header = Array("{\"__metadata__\":{\"format\":\"pt\"}}".utf8)
        add("wrong-magic-safetensors.ptx", "wrong-magic-safetensors", [UInt8(header.count), 0, 0, 0, 0, 0, 0, 0] + header)
        add("wrong-magic-zip.ptx", "wrong-magic-zip", [0x50, 0x4b, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        var tar = [UInt8](repeating: 0, count: 512)
        tar.replaceSubrange(0..<9, with: Array("prefix.pt".utf8))
        tar.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        add("wrong-magic-tar.ptx", "wrong-magic-tar", tar)
        add("wrong-magic-gzip.ptx", "wrong-magic-gzip", [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
        add("wrong-magic-text.ptx", "wrong-magic-text", Array("This is a note about my prefix, not a bundle.\n".utf8))
        var damaged: [UInt8] = []  // \r\n → \n, as a text-mode transfer would do
        var i = 0
        while i < base.count {
            if base[i] == 0x0d, i + 1 < base.count, base[i + 1] == 0x0a { i += 1; continue }
            damaged.append(base[i]); i += 1
        }
        add("wrong-magic-text-transfer.ptx", "wrong-magic-ptx-text-damaged", damaged)
        add("unsupported-major-version.ptx", "unsupported-major-version", try CorpusParts(bytes: base).assemble(major: 2))
        add("unknown-required-flag.ptx", "unknown-required-flags", try CorpusParts(bytes: base).assemble(requiredFlags: 0x4))
        var badCRC = base
        badCRC[16] ^= 0x01
        add("preamble-crc-mismatch.ptx", "preamble-crc-mismatch", badCRC)
        add("trailing-data.ptx", "trailing-data", base + [0, 0, 0, 0])

        // Manifest.
        add("manifest-too-large.ptx", "manifest-too-large", patchPreamble(base, at: 20, width: 8, value: 2 << 20))
        add("manifest-past-eof.ptx", "manifest-past-eof", patchPreamble(base, at: 20, width: 8, value: UInt64(base.count)))
        var badManifest = base
        badManifest[BundlePreamble.size + 3] ^= 0x20
        add("manifest-crc-mismatch.ptx", "manifest-crc-mismatch", badManifest)
        let parts = try CorpusParts(bytes: base)
        var json = parts.manifestJSON()
        if let at = json.firstIndex(of: UInt8(ascii: "l")) { json[at] = 0xff }  // inside a key string
        add("manifest-not-utf8.ptx", "manifest-not-utf8", parts.assemble(manifestJSON: json))
        add("manifest-not-json.ptx", "manifest-not-json", parts.assemble(manifestJSON: Array("{\"form\": raw, \"prefix_length\": 2".utf8)))
        add("manifest-missing-field.ptx", "missing-field", try edit { $0.manifest["fingerprint"] = nil })
        add("manifest-invalid-field.ptx", "invalid-field", try edit { $0.tensors[0]["dtype"] = "f8" })
        add("prefix-length-zero.ptx", "prefix-length-zero", try edit { $0.manifest["prefix_length"] = 0 })
        add("layer-out-of-range.ptx", "layer-out-of-range", try edit { p in
            p.manifest["layers"] = [0, 1, 7]
            p.tensors[4]["name"] = "layers.7.key"
            p.tensors[5]["name"] = "layers.7.value"
        })

        // Tensor table.
        add("duplicate-tensor.ptx", "duplicate-tensor", try edit { $0.tensors[1]["name"] = "layers.0.key" })
        add("unexpected-tensor.ptx", "unexpected-tensor", try edit { p in
            var extra = p.tensors[5]
            let end = (p.regions.last?.offset ?? 0) + UInt64(p.regions.last?.bytes.count ?? 0)
            let offset = (end + 63) / 64 * 64
            extra["name"] = "layers.0.gate"
            extra["offset"] = Int(offset)
            p.tensors.append(extra)
            p.regions.append(.init(offset: offset, bytes: p.regions[5].bytes))
        })
        add("missing-tensor.ptx", "missing-tensor", try edit { p in
            p.tensors.removeLast()
            p.regions.removeLast()
        })
        add("offset-out-of-bounds.ptx", "offset-out-of-bounds", try edit { p in
            let end = (p.regions.last?.offset ?? 0) + UInt64(p.regions.last?.bytes.count ?? 0)
            p.tensors[5]["offset"] = Int((end + 63) / 64 * 64 + 64)
        })
        add("overlapping-tensors.ptx", "overlapping-tensors", try edit { p in
            p.tensors[1]["offset"] = (p.tensors[0]["offset"] as? Int ?? 0) + 64
        })
        add("misaligned.ptx", "misaligned", try edit { p in
            p.tensors[2]["offset"] = (p.tensors[2]["offset"] as? Int ?? 0) + 4
        })
        add("length-mismatch.ptx", "length-mismatch", try edit { $0.tensors[0]["dtype"] = "f16" })
        add("shape-mismatch.ptx", "shape-mismatch", try edit { $0.tensors[0]["shape"] = [2, 4, 8] })
        add("element-count-overflow.ptx", "element-count-overflow", try edit { $0.tensors[0]["shape"] = [1 << 32, 1 << 32, 2] })
        add("element-count-exceeds-cap.ptx", "element-count-exceeds-cap", try edit { $0.tensors[0]["shape"] = [2, 1 << 28, 16] })
        add("too-many-dimensions.ptx", "too-many-dimensions", try edit { $0.tensors[0]["shape"] = [1, 1, 1, 1, 1, 1, 2, 2, 16] })

        // Data.
        add("crc-mismatch.ptx", "crc-mismatch", try edit { p in p.regions[2].bytes[0] ^= 0x01 })
        add("nan.ptx", "nan", try edit { p in
            var b = p.regions[2].bytes
            b.replaceSubrange(20..<24, with: f32Bytes(0x7fc0_0000))
            p.replaceStored(2, with: b)
        })
        add("inf.ptx", "inf", try edit { p in
            var b = p.regions[3].bytes
            b.replaceSubrange(8..<12, with: f32Bytes(0xff80_0000))
            p.replaceStored(3, with: b)
        })
        add("deflate-corrupt.ptx", "deflate-corrupt", try edit(compressed) { p in
            var b = p.regions[0].bytes
            b[1] ^= 0x01  // the zlib header check (FCHECK) no longer holds
            p.replaceStored(0, with: b)
        })
        add("inflates-past-size.ptx", "inflates-past-size", try edit(compressed) { p in
            // A valid zlib stream of decoded_length + 64 bytes.
            let longer = [UInt8](repeating: 0x3c, count: (p.tensors[0]["decoded_length"] as? Int ?? 0) + 64)
            p.replaceStored(0, with: (try? BundleDeflate.compress(longer)) ?? [])
        })
        return out
    }
}
