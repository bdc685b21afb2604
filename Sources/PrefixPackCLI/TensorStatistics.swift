import PrefixBundle
import PrefixInterop
import PrefixRuntime

/// Summary statistics of one tensor's elements, computed in `Double` over the finite values.
///
/// Non-finite elements (NaN, ±Inf) are counted in ``nonFinite`` and left out of the other
/// figures, so a damaged tensor still gives readable numbers (`validate` reports it as an error).
struct TensorStatistics: Codable, Equatable {
    /// Number of elements.
    var count: Int
    /// Euclidean norm of the finite elements.
    var l2Norm: Double
    /// Mean of the finite elements (0 when there are none).
    var mean: Double
    /// Smallest finite element (0 when there are none).
    var min: Double
    /// Largest finite element (0 when there are none).
    var max: Double
    /// Number of NaN and ±Inf elements.
    var nonFinite: Int

    enum CodingKeys: String, CodingKey {
        case count, l2Norm = "l2_norm", mean, min, max, nonFinite = "non_finite"
    }

    /// Statistics of `values` in one pass, without allocating.
    init(_ values: UnsafeBufferPointer<Float>) {
        var sum = 0.0, sumSquares = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        var finite = 0
        for v in values {
            guard v.isFinite else { continue }
            let d = Double(v)
            sum += d
            sumSquares += d * d
            if d < lo { lo = d }
            if d > hi { hi = d }
            finite += 1
        }
        count = values.count
        nonFinite = values.count - finite
        l2Norm = sumSquares.squareRoot()
        mean = finite > 0 ? sum / Double(finite) : 0
        min = finite > 0 ? lo : 0
        max = finite > 0 ? hi : 0
    }

    /// Statistics of tensor `name` of `bundle` (zero-copy for raw f32, otherwise decoded).
    init(bundle: BundleReader, tensor name: String) throws {
        self = try bundle.withFloats(name) { TensorStatistics($0) }
    }
}

/// Statistics of one prefixed layer's key and value tensors.
struct LayerStatistics: Codable, Equatable {
    var layer: Int
    var key: TensorStatistics
    var value: TensorStatistics
}

/// What `inspect --stats` reports.
///
/// For the raw form, ``layers`` holds one entry per prefixed layer, read from the stored
/// `layers.N.key/value` tensors. For the reparameterized form the per-layer keys and values are
/// computed by collapsing the MLP exactly as `prefixpack collapse` does (PrefixInterop's
/// `BundleCollapse`, float32), ``layers`` holds their statistics and ``tensors`` the statistics of
/// each stored tensor (embedding and MLP parameters), with ``note`` saying so.
struct BundleStatistics: Encodable {
    /// `"prefixed-layers"` (raw form) or `"collapsed-layers"` (reparameterized form).
    var basis: String
    var layers: [LayerStatistics]
    var tensors: [NamedStatistics]
    /// Explanation when ``basis`` is `"collapsed-layers"`; nil (written as `null`) otherwise.
    @NullWhenAbsent var note: String?

    struct NamedStatistics: Codable, Equatable {
        var name: String
        var statistics: TensorStatistics
    }

    static let collapsedNote =
        "reparameterized bundle: layer statistics are of the keys/values the MLP collapses to (float32, as `prefixpack collapse` writes them); tensor statistics are of the stored tensors"

    init(bundle: BundleReader) throws {
        let m = bundle.manifest
        switch m.form {
        case .raw:
            basis = "prefixed-layers"
            layers = try m.layers.map { layer in
                LayerStatistics(layer: layer,
                                key: try TensorStatistics(bundle: bundle, tensor: PrefixFormLayout.keyName(layer: layer)),
                                value: try TensorStatistics(bundle: bundle, tensor: PrefixFormLayout.valueName(layer: layer)))
            }
            tensors = []
            note = nil
        case .reparameterized:
            basis = "collapsed-layers"
            layers = try BundleStatistics.collapsedLayers(bundle)
            tensors = try m.tensors.map { NamedStatistics(name: $0.name, statistics: try TensorStatistics(bundle: bundle, tensor: $0.name)) }
            note = BundleStatistics.collapsedNote
        }
    }

    /// Per-layer statistics of a reparameterized bundle's collapsed keys and values.
    static func collapsedLayers(_ bundle: BundleReader) throws -> [LayerStatistics] {
        let m = bundle.manifest
        let flat = try PrefixMLP.flatPrefix(of: bundle)
        let kv = try PrefixKV.fromPEFTFlat(flat, virtualTokenCount: m.prefixLength, layerCount: m.layers.count,
                                           kvHeadCount: m.fingerprint.nKVHeads, headDim: m.fingerprint.headDim)
        return zip(m.layers, kv.layers).compactMap { layer, prefix in
            guard let prefix else { return nil }
            return LayerStatistics(layer: layer,
                                   key: prefix.keys.withUnsafeBufferPointer { TensorStatistics($0) },
                                   value: prefix.values.withUnsafeBufferPointer { TensorStatistics($0) })
        }
    }
}
