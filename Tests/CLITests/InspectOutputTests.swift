import Foundation
import PrefixBundle
import XCTest

/// Content of `inspect` output: summary, tensor table, statistics (checked against values
/// computed here from the library's decoded floats), JSON stability.
final class InspectOutputTests: XCTestCase {
    func path(_ name: String) -> String { "Fixtures/bundles/valid/\(name)" }

    func reader(_ name: String) throws -> BundleReader {
        try BundleReader(path: CLIRunner.packageRoot.appendingPathComponent(path(name)).path)
    }

    func testTextSummaryTensorTableAndStatistics() throws {
        let r = try CLIRunner.run(["inspect", "--tensors", "--stats", path("subset-layers.ptx")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let b = try reader("subset-layers.ptx")
        let out = r.stdout
        XCTAssertTrue(out.contains("form         raw"), out)
        XCTAssertTrue(out.contains("P = \(b.manifest.prefixLength) virtual tokens"), out)
        XCTAssertTrue(out.contains("2 of 3 prefixed: 0, 2"), out)
        XCTAssertTrue(out.contains(b.manifest.tokenizerHash), out)
        XCTAssertTrue(out.contains("(\(b.fileSize) B) file"), out)
        XCTAssertTrue(out.contains("compression  none (raw)"), out)
        XCTAssertTrue(out.contains("task               subset-layers"), out)
        // Tensor table: one row per tensor with its offset and CRC.
        for t in b.tensors {
            let row = out.split(separator: "\n").first { $0.hasPrefix("  \(t.name) ") }
            let cells = try XCTUnwrap(row, "no table row for \(t.name)").split(separator: " ")
            XCTAssertTrue(cells.contains(Substring(String(t.offset))), "row \(cells)")
            XCTAssertTrue(cells.contains(Substring(String(t.crc32, radix: 16).leftPadded(8))), "row \(cells)")
        }
        // Statistics rows for each prefixed layer, with the min computed here.
        XCTAssertTrue(out.contains("statistics (prefixed-layers)"), out)
        for layer in b.manifest.layers {
            for kind in ["key", "value"] {
                let values = try b.floats("layers.\(layer).\(kind)")
                let row = try XCTUnwrap(out.split(separator: "\n").first { $0.hasPrefix("  layer \(layer) \(kind) ") })
                XCTAssertTrue(row.contains(String(format: "%.6g", Double(values.min() ?? 0))), "row \(row)")
                XCTAssertTrue(row.contains(" \(values.count) "), "row \(row)")
            }
        }
        XCTAssertFalse(out.contains("layer 1 key"), "layer 1 carries no prefix")
    }

    func testJSONStatisticsMatchTheData() throws {
        for name in ["raw-f32.ptx", "raw-bf16.ptx", "compressed.ptx"] {
            let r = try CLIRunner.run(["inspect", "--json", "--stats", path(name)])
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = try CLIRunner.jsonObject(r.stdout)
            XCTAssertNil(json["tensors"], "tensor table only with --tensors")
            let stats = try XCTUnwrap(json["statistics"] as? [String: Any])
            XCTAssertEqual(stats["basis"] as? String, "prefixed-layers")
            XCTAssertTrue(stats["note"] is NSNull)
            let layers = try XCTUnwrap(stats["layers"] as? [[String: Any]])
            let b = try reader(name)
            XCTAssertEqual(layers.map { $0["layer"] as? Int }, b.manifest.layers.map { $0 })
            var maxRelDiff = 0.0
            for l in layers {
                for kind in ["key", "value"] {
                    let s = try XCTUnwrap(l[kind] as? [String: Any])
                    let values = try b.floats("layers.\(l["layer"] as? Int ?? -1).\(kind)").map(Double.init)
                    let l2 = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    let mean = values.reduce(0, +) / Double(values.count)
                    let pairs: [(Double?, Double)] = [(s["l2_norm"] as? Double, l2), (s["mean"] as? Double, mean),
                                                      (s["min"] as? Double, values.min() ?? .nan), (s["max"] as? Double, values.max() ?? .nan)]
                    for (got, want) in pairs {
                        let g = try XCTUnwrap(got)
                        maxRelDiff = max(maxRelDiff, abs(g - want) / max(abs(want), 1e-12))
                    }
                    XCTAssertEqual(s["count"] as? Int, values.count)
                    XCTAssertEqual(s["non_finite"] as? Int, 0)
                }
            }
            XCTAssertLessThan(maxRelDiff, 1e-9, "\(name): statistics differ from the data")
        }
    }

    func testCompressedSummaryShowsDeflate() throws {
        let r = try CLIRunner.run(["inspect", path("compressed.ptx")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("compression  deflate, stored/decoded = "), r.stdout)
    }

    func testJSONIsStableAndSorted() throws {
        let args = ["inspect", "--json", "--tensors", "--stats", path("raw-f16.ptx")]
        let a = try CLIRunner.run(args), b = try CLIRunner.run(args)
        XCTAssertEqual(a.status, 0)
        XCTAssertEqual(a.stdout, b.stdout)
        // Top-level keys (two-space indent) appear in sorted order.
        let keys = a.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.dropFirst(3).prefix { $0 != "\"" } }
        XCTAssertEqual(keys.map(String.init), keys.map(String.init).sorted())
        XCTAssertEqual(Set(keys.map(String.init)), [
            "compression", "file", "file_size", "fingerprint", "form", "format_version", "layers", "prefix_length",
            "provenance", "reparameterization", "schema", "statistics", "tensor_count", "tensors", "tokenizer_hash",
        ])
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
