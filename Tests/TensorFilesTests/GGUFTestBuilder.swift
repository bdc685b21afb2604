import Foundation
import TensorFiles

/// Writes GGUF bytes field by field so tests can build valid files and break them on purpose.
struct GGUFTestBuilder {
    struct Tensor {
        var name: String
        var ne: [Int64]
        var type: UInt32
        var data: Data
        var offset: UInt64? = nil  // nil: next aligned offset
    }

    var magic: UInt32 = 0x4655_4747
    var version: UInt32 = 3
    var alignment = 32
    var metadata: [(key: String, type: UInt32, payload: Data)] = []
    var tensors: [Tensor] = []
    var tensorCountOverride: UInt64?
    var keyCountOverride: UInt64?

    static func u8(_ v: UInt8) -> Data { Data([v]) }
    static func u32(_ v: UInt32) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    static func u64(_ v: UInt64) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    static func i64(_ v: Int64) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    static func string(_ s: String) -> Data { u64(UInt64(s.utf8.count)) + Data(s.utf8) }

    mutating func add(_ key: String, type: GGUFValueType, _ payload: Data) {
        metadata.append((key, type.rawValue, payload))
    }

    mutating func addString(_ key: String, _ value: String) { add(key, type: .string, Self.string(value)) }
    mutating func addU32(_ key: String, _ value: UInt32) { add(key, type: .uint32, Self.u32(value)) }

    mutating func addTensor(_ name: String, ne: [Int64], type: GGMLType, data: Data, offset: UInt64? = nil) {
        tensors.append(Tensor(name: name, ne: ne, type: type.rawValue, data: data, offset: offset))
    }

    mutating func addF32Tensor(_ name: String, ne: [Int64], values: [Float]) {
        addTensor(name, ne: ne, type: .f32, data: values.withUnsafeBytes { Data($0) })
    }

    func build() -> Data {
        var out = Self.u32(magic) + Self.u32(version)
        out += Self.u64(tensorCountOverride ?? UInt64(tensors.count))
        out += Self.u64(keyCountOverride ?? UInt64(metadata.count))
        for entry in metadata {
            out += Self.string(entry.key) + Self.u32(entry.type) + entry.payload
        }
        var offsets: [UInt64] = []
        var next: UInt64 = 0
        for tensor in tensors {
            let offset = tensor.offset ?? next
            offsets.append(offset)
            guard offset < 1 << 30 else { continue }  // deliberately bogus offsets get no data
            let end = offset + UInt64(tensor.data.count)
            next = max(next, (end + UInt64(alignment) - 1) / UInt64(alignment) * UInt64(alignment))
        }
        for (tensor, offset) in zip(tensors, offsets) {
            out += Self.string(tensor.name) + Self.u32(UInt32(tensor.ne.count))
            for n in tensor.ne { out += Self.i64(n) }
            out += Self.u32(tensor.type) + Self.u64(offset)
        }
        while out.count % alignment != 0 { out.append(0) }
        let dataStart = out.count
        for (tensor, offset) in zip(tensors, offsets) where offset < 1 << 30 {
            let position = dataStart + Int(offset)
            if out.count < position + tensor.data.count { out.append(Data(count: position + tensor.data.count - out.count)) }
            out.replaceSubrange(position..<(position + tensor.data.count), with: tensor.data)
        }
        return out
    }
}
