import Foundation
import PrefixBundle
import XCTest

/// `inspect --stats` on a reparameterized bundle: per-layer statistics of the collapsed keys and
/// values (checked against an independent double-precision MLP evaluation here, and against
/// `inspect --stats` of the bundle `prefixpack collapse` writes), plus the stored tensors.
final class InspectCollapsedStatisticsTests: XCTestCase {
    let bundlePath = "Fixtures/bundles/valid/reparameterized.ptx"

    func statistics(_ path: String) throws -> [String: Any] {
        let r = try CLIRunner.run(["inspect", "--json", "--stats", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try CLIRunner.jsonObject(r.stdout)["statistics"] as? [String: Any])
    }

    func testTextReportShowsCollapsedLayersAndStoredTensors() throws {
        let r = try CLIRunner.run(["inspect", "--stats", "--tensors", bundlePath])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("statistics (collapsed-layers)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("note: reparameterized bundle: layer statistics are of the keys/values the MLP collapses to"), r.stdout)
        XCTAssertFalse(r.stdout.contains("not available"), r.stdout)
        XCTAssertTrue(r.stdout.contains("mlp          embedding E = "), r.stdout)
        let b = try BundleReader(path: CLIRunner.packageRoot.appendingPathComponent(bundlePath).path)
        for layer in b.manifest.layers {
            XCTAssertTrue(r.stdout.contains("\n  layer \(layer) key "), "missing layer \(layer) key")
            XCTAssertTrue(r.stdout.contains("\n  layer \(layer) value "), "missing layer \(layer) value")
        }
        for name in PrefixFormLayout.reparameterizedNames {
            XCTAssertTrue(r.stdout.contains("\n  \(name) "), "missing \(name)")
        }
    }

    func testCollapsedLayerStatisticsMatchAnIndependentMLPEvaluation() throws {
        let b = try BundleReader(path: CLIRunner.packageRoot.appendingPathComponent(bundlePath).path)
        let m = b.manifest
        let r = try XCTUnwrap(m.reparameterization)
        let stats = try statistics(bundlePath)
        XCTAssertEqual(stats["basis"] as? String, "collapsed-layers")
        XCTAssertTrue(stats["note"] is String)
        XCTAssertEqual((stats["tensors"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, m.tensors.map(\.name))
        let layers = try XCTUnwrap(stats["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.compactMap { $0["layer"] as? Int }, m.layers)

        // embedding [P, E] → tanh(W1·e + b1) [P, H] → W2·h + b2 [P, L·2·kv_dim] (PEFT layout), in Double.
        let (p, e, h) = (m.prefixLength, r.embeddingDim, r.hiddenDim)
        let emb = try b.floats("embedding"), w1 = try b.floats("mlp.0.weight"), b1 = try b.floats("mlp.0.bias")
        let w2 = try b.floats("mlp.2.weight"), b2 = try b.floats("mlp.2.bias")
        let kvDim = m.fingerprint.kvDim, width = m.layers.count * 2 * kvDim
        var flat = [Double](repeating: 0, count: p * width)
        for t in 0..<p {
            var hidden = [Double](repeating: 0, count: h)
            for j in 0..<h {
                var acc = Double(b1[j])
                for k in 0..<e { acc += Double(w1[j * e + k]) * Double(emb[t * e + k]) }
                hidden[j] = tanh(acc)
            }
            for o in 0..<width {
                var acc = Double(b2[o])
                for j in 0..<h { acc += Double(w2[o * h + j]) * hidden[j] }
                flat[t * width + o] = acc
            }
        }
        var maxRelDiff = 0.0
        for (j, l) in layers.enumerated() {
            for (s, kind) in ["key", "value"].enumerated() {
                var values: [Double] = []
                for t in 0..<p {
                    let start: Int = t * width + (2 * j + s) * kvDim
                    values.append(contentsOf: flat[start..<(start + kvDim)])
                }
                let got = try XCTUnwrap(l[kind] as? [String: Any])
                XCTAssertEqual(got["count"] as? Int, p * kvDim)
                XCTAssertEqual(got["non_finite"] as? Int, 0)
                let want: [(String, Double)] = [("l2_norm", values.reduce(0) { $0 + $1 * $1 }.squareRoot()),
                                                ("mean", values.reduce(0, +) / Double(values.count)),
                                                ("min", values.min() ?? .nan), ("max", values.max() ?? .nan)]
                let scale = values.map(abs).max() ?? 1
                for (key, w) in want {
                    let g = try XCTUnwrap(got[key] as? Double, key)
                    // float32 MLP vs double: relative to the layer's largest |value|.
                    maxRelDiff = max(maxRelDiff, abs(g - w) / max(scale, 1e-12))
                }
            }
        }
        XCTAssertLessThan(maxRelDiff, 1e-5, "collapsed statistics differ from a double-precision MLP")
        print("collapsed-layers statistics vs double MLP: max rel diff \(maxRelDiff)")
    }

    func testCollapsedLayerStatisticsEqualThoseOfTheCollapsedBundle() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-collapse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("raw.ptx").path
        let c = try CLIRunner.run(["collapse", bundlePath, "-o", out])
        XCTAssertEqual(c.status, 0, c.stderr)
        let collapsed = try statistics(bundlePath), raw = try statistics(out)
        XCTAssertEqual(raw["basis"] as? String, "prefixed-layers")
        let a = try XCTUnwrap(collapsed["layers"] as? NSArray), b = try XCTUnwrap(raw["layers"] as? NSArray)
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(a, b, "inspect --stats of the reparameterized bundle and of its f32 collapse differ")
    }
}
