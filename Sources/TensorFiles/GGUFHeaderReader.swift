/// The pieces of a GGUF header: strings, metadata values, tensor infos, and the data layout
/// check. Every length or count is compared with the bytes that remain before anything is
/// allocated.
extension GGUFFile {
    /// A `gguf_string`: u64 length then that many UTF-8 bytes.
    static func readString(_ cursor: inout ByteCursor, field: String) throws -> String {
        let length = try cursor.u64("length of \(field)")
        guard length <= UInt64(cursor.remaining) else {
            guard length <= UInt64(Int.max) else {
                throw TensorFileError.invalidHeader(file: cursor.file, field: "length of \(field)", found: "\(length)",
                                                    expected: "at most the \(cursor.remaining) bytes that remain")
            }
            throw TensorFileError.truncated(file: cursor.file, field: field, offset: cursor.offset,
                                            needed: Int(length), available: cursor.remaining)
        }
        return try cursor.utf8String(Int(length), field)
    }

    static func readValue(_ cursor: inout ByteCursor, type: GGUFValueType, field: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.u8(field))
        case .int8: return .int8(try cursor.i8(field))
        case .uint16: return .uint16(try cursor.u16(field))
        case .int16: return .int16(try cursor.i16(field))
        case .uint32: return .uint32(try cursor.u32(field))
        case .int32: return .int32(try cursor.i32(field))
        case .uint64: return .uint64(try cursor.u64(field))
        case .int64: return .int64(try cursor.i64(field))
        case .float32: return .float32(try cursor.f32(field))
        case .float64: return .float64(try cursor.f64(field))
        case .bool:
            let byte = try cursor.u8(field)
            guard byte <= 1 else {
                throw TensorFileError.invalidHeader(file: cursor.file, field: field, found: "bool byte \(byte)", expected: "0 or 1")
            }
            return .bool(byte == 1)
        case .string:
            return .string(try readString(&cursor, field: field))
        case .array:
            guard depth < GGUFFile.maxArrayNesting else {
                throw TensorFileError.invalidHeader(
                    file: cursor.file, field: field, found: "arrays nested deeper than \(GGUFFile.maxArrayNesting)", expected: "shallower nesting")
            }
            let rawType = try cursor.u32("element type of \(field)")
            guard let elementType = GGUFValueType(rawValue: rawType) else {
                throw TensorFileError.invalidHeader(
                    file: cursor.file, field: "element type of \(field)", found: "\(rawType)", expected: "a GGUF value type 0...12")
            }
            let count = try cursor.u64("length of \(field)")
            let limit = cursor.remaining / elementType.minimumSize
            guard count <= UInt64(limit) else {
                throw TensorFileError.invalidHeader(
                    file: cursor.file, field: "length of \(field)", found: "\(count)",
                    expected: "at most \(limit) \(elementType) values in the remaining \(cursor.remaining) bytes")
            }
            // Stored compactly: fixed-size elements as their bytes (checked, never one value each),
            // strings as strings; only nested arrays are kept as values.
            let n = Int(count)
            if let width = elementType.fixedSize {
                let raw = try cursor.slice(n * width, "\(field) (\(n) \(elementType) values)")
                if elementType == .bool, let bad = raw.firstIndex(where: { $0 > 1 }) {
                    throw TensorFileError.invalidHeader(file: cursor.file, field: "\(field)[\(bad)]", found: "bool byte \(raw[bad])", expected: "0 or 1")
                }
                return .list(GGUFArray(elementType: elementType, storage: .scalars(Array(raw))))
            }
            if elementType == .string {
                var strings: [String] = []
                strings.reserveCapacity(n)
                for index in 0..<n { strings.append(try readString(&cursor, field: "\(field)[\(index)]")) }
                return .list(GGUFArray(elementType: elementType, storage: .strings(strings)))
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(n)
            for index in 0..<n {
                values.append(try readValue(&cursor, type: elementType, field: "\(field)[\(index)]", depth: depth + 1))
            }
            return .list(GGUFArray(elementType: elementType, storage: .values(values)))
        }
    }

    static func readTensorInfo(_ cursor: inout ByteCursor, index: Int, alignment: Int) throws -> GGUFTensorInfo {
        let file = cursor.file
        let name = try readString(&cursor, field: "name of tensor #\(index)")
        func bad(_ field: String, _ found: String, _ expected: String) -> TensorFileError {
            TensorFileError.invalidTensor(file: file, tensor: name, field: field, found: found, expected: expected)
        }
        guard name.utf8.count < GGUFFile.maxNameLength else {
            throw bad("name length", "\(name.utf8.count) bytes", "fewer than \(GGUFFile.maxNameLength)")
        }
        let dimensionCount = try cursor.u32("dimension count of '\(name)'")
        guard dimensionCount <= UInt32(GGUFFile.maxDimensions) else {
            throw bad("dimension count", "\(dimensionCount)", "at most \(GGUFFile.maxDimensions)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for d in 0..<Int(dimensionCount) {
            let value = try cursor.i64("ne[\(d)] of '\(name)'")
            guard value > 0 else { throw bad("ne[\(d)]", "\(value)", "a positive size") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(value))
            guard !overflow else { throw bad("element count", "ne \(dimensions + [Int(value)])", "a product below 2^63") }
            elements = product
            dimensions.append(Int(value))
        }
        let rawType = try cursor.u32("type of '\(name)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw TensorFileError.unknownType(file: file, tensor: name, found: "ggml type \(rawType)")
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw bad("row length ne[0]", "\(rowLength)", "a multiple of \(type.name)'s block size \(type.blockSize)")
        }
        let (byteCount, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.blockBytes)
        guard !overflow else { throw bad("byte size", "\(elements) elements of \(type.name)", "a size below 2^63") }
        let offset = try cursor.u64("offset of '\(name)'")
        guard offset <= UInt64(Int.max) else { throw bad("offset", "\(offset)", "an offset inside the file") }
        guard Int(offset) % alignment == 0 else {
            throw bad("offset", "\(offset)", "a multiple of the alignment \(alignment)")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(offset), byteCount: byteCount)
    }

    /// Every tensor lies inside the file and no two overlap.
    static func validateLayout(_ infos: [GGUFTensorInfo], dataOffset: Int, fileSize: Int, file: String) throws {
        let available = max(0, fileSize - dataOffset)
        for info in infos {
            let (end, overflow) = info.offset.addingReportingOverflow(info.byteCount)
            guard !overflow, end <= available else {
                throw TensorFileError.invalidTensor(
                    file: file, tensor: info.name, field: "data range",
                    found: "bytes \(info.offset)..<\(overflow ? "overflow" : String(end)) of the data section",
                    expected: "within the \(available) bytes after offset \(dataOffset)")
            }
        }
        let sorted = infos.sorted { ($0.offset, $0.byteCount) < ($1.offset, $1.byteCount) }
        var previous: GGUFTensorInfo?
        for info in sorted {
            if let previous, previous.offset + previous.byteCount > info.offset {
                throw TensorFileError.invalidTensor(
                    file: file, tensor: info.name, field: "offset",
                    found: "\(info.offset), inside '\(previous.name)' (\(previous.offset)..<\(previous.offset + previous.byteCount))",
                    expected: "non-overlapping tensor data")
            }
            previous = info
        }
    }
}
