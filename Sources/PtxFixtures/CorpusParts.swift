import Foundation
import PrefixBundle

/// A bundle taken apart into a mutable JSON manifest and its tensors' stored bytes, so that the
/// corpus generator can break exactly one thing and reassemble the file.
///
/// Every tensor offset is shifted by ``slack`` so that an edited manifest that grows still fits
/// before the data section (readers allow gaps).
struct CorpusParts {
    static let slack: UInt64 = 1024

    var manifest: [String: Any]
    var regions: [BundleAssembler.Region]

    init(bytes: [UInt8]) throws {
        let reader = try BundleReader(bytes: bytes)
        let start = BundlePreamble.size
        let json = Data(bytes[start..<(start + Int(reader.preamble.manifestLength))])
        guard var m = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              var tensors = m["tensors"] as? [[String: Any]] else {
            throw BundleError.invalidInput(field: "manifest", found: "not an object", expected: "an object")
        }
        var regions: [BundleAssembler.Region] = []
        for (i, t) in reader.tensors.enumerated() {
            let stored = try reader.withStoredBytes(t.name) { Array($0) }
            regions.append(.init(offset: t.offset + CorpusParts.slack, bytes: stored))
            tensors[i]["offset"] = Int(t.offset + CorpusParts.slack)
        }
        m["tensors"] = tensors
        manifest = m
        self.regions = regions
    }

    /// The tensor table entries.
    var tensors: [[String: Any]] {
        get { manifest["tensors"] as? [[String: Any]] ?? [] }
        set { manifest["tensors"] = newValue }
    }

    /// The fingerprint object.
    var fingerprint: [String: Any] {
        get { manifest["fingerprint"] as? [String: Any] ?? [:] }
        set { manifest["fingerprint"] = newValue }
    }

    /// Index of the tensor named `name`.
    func index(_ name: String) -> Int {
        tensors.firstIndex { ($0["name"] as? String) == name } ?? -1
    }

    /// Replaces tensor `i`'s stored bytes and updates its CRC (so only the intended defect remains).
    mutating func replaceStored(_ i: Int, with bytes: [UInt8]) {
        regions[i].bytes = bytes
        tensors[i]["crc32"] = Int(CRC32.checksum(bytes))
        tensors[i]["stored_length"] = bytes.count
    }

    func manifestJSON() -> [UInt8] {
        // Sorted keys make the output deterministic.
        let data = (try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }

    func assemble(manifestJSON json: [UInt8]? = nil, major: UInt16 = 1, minor: UInt16 = 0,
                  requiredFlags: UInt32 = 0, optionalFlags: UInt32 = 0) -> [UInt8] {
        BundleAssembler.assemble(manifestJSON: json ?? manifestJSON(), regions: regions, major: major, minor: minor,
                                 requiredFlags: requiredFlags, optionalFlags: optionalFlags)
    }
}
