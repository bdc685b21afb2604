import Foundation
import PrefixBundle

/// Renders an ``InspectReport`` as readable text for a terminal. Every line is escaped with
/// ``PrintableText`` (provenance and names come from the file), so only our own line breaks remain.
enum InspectTextRenderer {
    static func render(_ r: InspectReport) -> String {
        var out: [String] = []
        let fp = r.fingerprint
        out.append("bundle       \(r.file)")
        out.append("format       .ptx v\(r.formatVersion.major).\(r.formatVersion.minor)")
        out.append("form         \(r.form)")
        out.append("prefix       P = \(r.prefixLength) virtual tokens")
        out.append("layers       \(r.layers.count) of \(fp.nLayers) prefixed: \(layerList(r.layers, of: fp.nLayers))")
        out.append("fingerprint  \(fp.architecture), \(fp.nLayers) layers, \(fp.nKVHeads) KV heads × head_dim \(fp.headDim) (kv_dim \(fp.kvDim)), hidden \(fp.hiddenSize)")
        out.append("             keys \(fp.keyLayout), positions \(fp.positionConvention)")
        if let rp = r.reparameterization {
            out.append("mlp          embedding E = \(rp.embeddingDim) → Linear → \(rp.activation) (H = \(rp.hiddenDim)) → Linear → \(r.layers.count)·2·\(fp.kvDim)")
        }
        out.append("tokenizer    \(r.tokenizerHash)")
        let c = r.compression
        out.append("size         \(byteText(UInt64(r.fileSize))) file, \(r.tensorCount) tensors: \(byteText(c.storedBytes)) stored, \(byteText(c.decodedBytes)) decoded")
        let ratio = String(format: "%.3f", c.ratio)
        out.append("compression  \(c.encoding == "none" ? "none (raw)" : "\(c.encoding), stored/decoded = \(ratio)")")
        let prov = r.provenance.fields
        if prov.isEmpty {
            out.append("provenance   (none)")
        } else {
            out.append("provenance")
            for key in prov.keys.sorted() {
                out.append("  \(key.padding(toLength: max(key.count, 18), withPad: " ", startingAt: 0)) \(valueText(prov[key] ?? .null))")
            }
        }
        if let tensors = r.tensors {
            out.append("")
            out.append(contentsOf: tensorTable(tensors))
        }
        if let s = r.statistics {
            out.append("")
            out.append(contentsOf: statisticsTable(s))
        }
        return out.map { PrintableText.escaped($0) }.joined(separator: "\n")
    }

    /// "0, 1, 2" or "all" when every layer carries a prefix.
    static func layerList(_ layers: [Int], of n: Int) -> String {
        if layers.count == n, layers == Array(0..<n) { return "all (0..<\(n))" }
        return layers.map(String.init).joined(separator: ", ")
    }

    static func byteText(_ n: UInt64) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var v = Double(n) / 1024, i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        return String(format: "%.1f", v) + " \(units[i]) (\(n) B)"
    }

    static func valueText(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let d): return d.rounded() == d && abs(d) < 9e15 ? String(Int64(d)) : String(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(valueText).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(valueText(o[$0] ?? .null))" }.joined(separator: ", ") + "}"
        }
    }

    static func tensorTable(_ tensors: [TensorEntry]) -> [String] {
        let header = ["name", "dtype", "shape", "offset", "stored", "decoded", "encoding", "crc32"]
        let rows = tensors.map { t in
            [t.name, t.dtype.rawValue, "[" + t.shape.map(String.init).joined(separator: ", ") + "]", String(t.offset),
             String(t.storedLength), String(t.decodedLength), t.encoding.rawValue, String(format: "%08x", t.crc32)]
        }
        return ["tensors"] + table(header: header, rows: rows, rightAligned: [3, 4, 5])
    }

    static func statisticsTable(_ s: BundleStatistics) -> [String] {
        let header = ["", "count", "l2_norm", "mean", "min", "max", "non_finite"]
        func cells(_ label: String, _ t: TensorStatistics) -> [String] {
            [label, String(t.count), num(t.l2Norm), num(t.mean), num(t.min), num(t.max), String(t.nonFinite)]
        }
        var rows: [[String]] = []
        for l in s.layers {
            rows.append(cells("layer \(l.layer) key", l.key))
            rows.append(cells("layer \(l.layer) value", l.value))
        }
        for t in s.tensors { rows.append(cells(t.name, t.statistics)) }
        var out = ["statistics (\(s.basis))"]
        if let note = s.note { out.append("note: \(note)") }
        return out + table(header: header, rows: rows, rightAligned: [1, 2, 3, 4, 5, 6])
    }

    static func num(_ d: Double) -> String { String(format: "%.6g", d) }

    /// Column-aligned rows, two spaces between columns, indented by two.
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let rows = rows.map { $0.map { PrintableText.escaped($0) } }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }
            return "  " + padded.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return [line(header)] + rows.map(line)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
