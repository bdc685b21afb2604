import PrefixSupport

/// Safetensors headers and shard indexes through PrefixSupport's strict JSON parser, with the
/// extra strictness of the format: nesting at most 64 levels, no member name twice.
enum SafetensorsJSON {
    static let maxDepth = 64

    /// Parses `bytes`; a syntax error is `invalidHeader` naming `field` and the byte offset, a
    /// member name repeated in any object is `duplicateKey`.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String, field: String) throws(TensorFileError) -> JSONNode {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes, maxDepth: maxDepth, documentName: "the \(field)")
        } catch {
            throw .invalidHeader(file: file, field: "\(field) (JSON byte \(error.byteOffset))", found: error.problem, expected: "RFC 8259 JSON")
        }
        var pending = [root]
        while let node = pending.popLast() {
            switch node {
            case .object(let o):
                if let name = o.duplicateName { throw .duplicateKey(file: file, key: name) }
                pending.append(contentsOf: o.members.map(\.value))
            case .array(let a):
                pending.append(contentsOf: a)
            default:
                break
            }
        }
        return root
    }
}

extension JSONNode {
    /// The value as a non-negative integer written with digits only that fits in `Int`, or nil.
    var nonNegativeInt: Int? {
        guard case let .number(text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int(text)
    }
}
