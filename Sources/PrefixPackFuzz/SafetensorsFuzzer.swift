import Foundation
import TensorFiles

/// Single-file safetensors: `SafetensorsFile(data:)`, then every accepted tensor's bytes and values.
///
/// Invariants: no crash, no hang, bounded memory; header accepted ⇒ every tensor's byte range
/// lies inside the file, is exactly elements × dtype width, and the ranges tile the data area.
enum SafetensorsFuzzer {
    static let maxConvertedElements = 1 << 22

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let file = accepted("SafetensorsFile", { try SafetensorsFile(data: Data(input), label: "fuzz.safetensors") }) else {
            return
        }
        let require = FuzzInvariant.require
        var covered = 0
        for name in file.names {
            guard let info = file.tensors[name] else { continue }
            let range = info.dataOffsets
            require(range.lowerBound >= 0 && file.dataStart + range.upperBound <= input.count,
                    "tensor '\(name)' bytes \(range) after \(file.dataStart) outside the \(input.count)-byte file")
            let elements = info.shape.reduce(1, *)
            require(elements * info.dtype.bitWidth == range.count * 8,
                    "tensor '\(name)': \(range.count) bytes for shape \(info.shape) of \(info.dtype.rawValue)")
            covered += range.count
            guard let raw = accepted("SafetensorsFile.rawBytes", { try file.rawBytes(name) }) else {
                require(false, "accepted tensor '\(name)' has no raw bytes")
                return
            }
            require(raw.count == range.count, "raw bytes of '\(name)': \(raw.count), expected \(range.count)")
            if info.dtype.elementType != nil, elements <= maxConvertedElements,
               let values = accepted("SafetensorsFile.floats", { try file.floats(name) }) {
                require(values.count == elements, "'\(name)': \(values.count) values for shape \(info.shape)")
            }
        }
        require(file.dataStart + covered == input.count,
                "tensors cover \(covered) bytes after \(file.dataStart), the file has \(input.count)")
    }
}
