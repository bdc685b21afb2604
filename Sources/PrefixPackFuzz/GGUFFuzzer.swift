import Foundation
import PrefixRuntime
import TensorFiles

/// GGUF checkpoints: `GGUFFile(data:)` (header, metadata, tensor table), then for an accepted
/// header every tensor's bytes and values, the model configuration and the tokenizer that the
/// metadata describe (what `Checkpoint.load` reads before any weight).
///
/// Invariants: no crash, no hang, bounded memory; header accepted ⇒ every tensor's byte range
/// lies inside the file and matches its element count and type.
enum GGUFFuzzer {
    /// Largest tensor converted to `Float` per input (values decoded are bounded by the file
    /// size anyway; this keeps each run fast).
    static let maxConvertedElements = 1 << 22

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let file = accepted("GGUFFile", { try GGUFFile(data: Data(input), label: "fuzz.gguf") }) else { return }
        let require = FuzzInvariant.require
        require(file.dataOffset % file.alignment == 0, "data offset \(file.dataOffset) not aligned to \(file.alignment)")
        for info in file.tensorInfos {
            let (start, o1) = file.dataOffset.addingReportingOverflow(info.offset)
            let (end, o2) = start.addingReportingOverflow(info.byteCount)
            require(!o1 && !o2 && info.offset >= 0 && info.byteCount >= 0 && end <= input.count,
                    "tensor '\(info.name)' bytes \(info.offset)+\(info.byteCount) after \(file.dataOffset) outside the \(input.count)-byte file")
            require(info.elementCount % info.type.blockSize == 0
                        && info.byteCount == info.elementCount / info.type.blockSize * info.type.blockBytes,
                    "tensor '\(info.name)': \(info.byteCount) bytes for \(info.elementCount) \(info.type.name) elements")
            guard let raw = accepted("GGUFFile.rawBytes", { try file.rawBytes(info.name) }) else {
                require(false, "accepted tensor '\(info.name)' has no raw bytes")
                return
            }
            require(raw.count == info.byteCount, "raw bytes of '\(info.name)': \(raw.count), expected \(info.byteCount)")
            if info.type.elementType != nil, info.elementCount <= maxConvertedElements,
               let values = accepted("GGUFFile.floats", { try file.floats(info.name) }) {
                require(values.count == info.elementCount, "'\(info.name)': \(values.count) values for \(info.elementCount) elements")
            }
        }
        _ = accepted("ModelConfig.fromGGUF") { try ModelConfig.fromGGUF(file) }
        if let tokenizer = accepted("Checkpoint.ggufTokenizer", { try Checkpoint.ggufTokenizer(file) }) {
            TokenizerExercise.run(tokenizer, seed: input)
        }
    }
}
