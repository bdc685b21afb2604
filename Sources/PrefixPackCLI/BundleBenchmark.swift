import Foundation
import PrefixSupport
import PrefixBundle

/// The bundle benchmark behind `prefixpack bench bundle`: open time and full-validation
/// throughput of synthetic bundles of several sizes, raw and deflate-compressed.
///
/// Figures are reported, never asserted (timing depends on the machine and its load).
struct BundleBenchmark {
    /// Target decoded sizes in MB (10^6 bytes).
    let sizesMB: [Double]
    let opens: Int
    let validations: Int
    let includeCompressed: Bool
    /// Where the temporary bundles go; nil = the system temporary directory.
    let directory: String?

    /// One measured bundle.
    struct Row {
        var targetMB: Double
        var encoding: String
        var prefixLength: Int
        var fileBytes: Int
        var decodedBytes: UInt64
        var openMedian: Double
        var openMax: Double
        var validateMedian: Double

        /// Decoded bytes checked per second of full validation, in GB/s (10^9 bytes).
        var validateGBps: Double { validateMedian > 0 ? Double(decodedBytes) / validateMedian / 1e9 : 0 }
    }

    /// SmolLM2-135M's attention shape: the bundles look like real prefixes for that model.
    static let fingerprint = ModelFingerprint(architecture: "llama", nLayers: 30, nKVHeads: 3, headDim: 64, hiddenSize: 576)

    /// Bytes of raw f32 keys and values per virtual token over all layers.
    static var bytesPerToken: Int {
        fingerprint.nLayers * 2 * fingerprint.kvDim * TensorDType.f32.byteWidth
    }

    /// The prefix length whose raw f32 data comes closest to `megabytes`.
    static func prefixLength(forMB megabytes: Double) -> Int {
        max(1, Int((megabytes * 1e6 / Double(bytesPerToken)).rounded()))
    }

    func validateConfiguration() throws {
        guard opens >= 1 else { throw CLIError.invalidArgument(option: "--opens", found: "\(opens)", expected: "at least 1") }
        guard validations >= 1 else {
            throw CLIError.invalidArgument(option: "--validations", found: "\(validations)", expected: "at least 1")
        }
        for s in sizesMB where !(s > 0 && s <= 2000) {
            throw CLIError.invalidArgument(option: "--sizes", found: "\(s)", expected: "a size in MB in (0, 2000]")
        }
    }

    /// Runs every measurement; `progress` receives a line before each slow step.
    func run(progress: (String) -> Void) throws -> [Row] {
        try validateConfiguration()
        let base = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("prefixpack-bench-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError.io(path: dir.path, operation: "create directory", detail: "\(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: dir) }

        var rows: [Row] = []
        for mb in sizesMB {
            let p = BundleBenchmark.prefixLength(forMB: mb)
            progress("bench: building P = \(p) bundle (~\(mb) MB raw f32)")
            let contents = try BundleBenchmark.contents(prefixLength: p)
            for compress in includeCompressed ? [false, true] : [false] {
                let path = dir.appendingPathComponent("bench-\(p)-\(compress ? "deflate" : "raw").ptx").path
                progress("bench: writing \(compress ? "compressed" : "raw") bundle")
                try BundleWriter(compress: compress).write(contents, to: path)
                progress("bench: timing \(opens) opens and \(validations) validations")
                rows.append(try measure(path: path, targetMB: mb, encoding: compress ? "deflate" : "raw", prefixLength: p))
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return rows
    }

    func measure(path: String, targetMB: Double, encoding: String, prefixLength: Int) throws -> Row {
        let openTimes = try (0..<opens).map { _ in try BundleBenchmark.seconds { _ = try BundleReader(path: path) } }
        let reader = try BundleReader(path: path)
        var validateTimes: [Double] = []
        for _ in 0..<validations {
            var findings: [BundleError] = []
            validateTimes.append(BundleBenchmark.seconds { findings = reader.validate() })
            if let first = findings.first { throw first }  // the writer only writes valid bundles
        }
        let decoded = reader.tensors.reduce(UInt64(0)) { $0 &+ $1.decodedLength }
        return Row(targetMB: targetMB, encoding: encoding, prefixLength: prefixLength, fileBytes: reader.fileSize,
                   decodedBytes: decoded, openMedian: BenchClock.median(openTimes), openMax: openTimes.max() ?? 0,
                   validateMedian: BenchClock.median(validateTimes))
    }

    /// A raw f32 bundle with every layer prefixed and deterministic values in [-1, 1).
    static func contents(prefixLength p: Int) throws -> BundleContents {
        let fp = fingerprint
        let n = fp.nKVHeads * p * fp.headDim
        var random = SeededGenerator(seed: 0x5EED)
        func tensor() -> [Float] {
            [Float](unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n {
                    buf[i] = Float(random.next() >> 40) / Float(1 << 23) - 1
                }
                count = n
            }
        }
        let layers = Array(0..<fp.nLayers)
        var keys: [[Float]] = [], values: [[Float]] = []
        for _ in layers { keys.append(tensor()); values.append(tensor()) }
        return try BundleContents.raw(fingerprint: fp, tokenizerHash: "sha256:" + String(repeating: "0", count: 64),
                                      prefixLength: p, layers: layers, keys: keys, values: values, dtype: .f32,
                                      provenance: Provenance(task: "bench", creator: "prefixpack bench bundle"))
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The results as an aligned text table.
    static func table(_ rows: [Row]) -> String {
        let header = ["size", "encoding", "P", "file bytes", "open median", "open max", "validate median", "validate GB/s"]
        let cells = rows.map { r in
            [String(format: "%g MB", r.targetMB), r.encoding, String(r.prefixLength), String(r.fileBytes),
             String(format: "%.1f µs", r.openMedian * 1e6), String(format: "%.1f µs", r.openMax * 1e6),
             String(format: "%.2f ms", r.validateMedian * 1e3), String(format: "%.2f", r.validateGBps)]
        }
        return InspectTextRenderer.table(header: header, rows: cells, rightAligned: [2, 3, 4, 5, 6, 7]).joined(separator: "\n")
    }
}
