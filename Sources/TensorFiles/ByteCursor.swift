/// A bounds-checked little-endian reader over a byte buffer. Every read checks the remaining
/// length first and throws `TensorFileError.truncated` naming the field.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, file: String, offset: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, _ field: String) throws {
        if count < 0 || count > remaining {
            throw TensorFileError.truncated(file: file, field: field, offset: offset, needed: count, available: remaining)
        }
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type, _ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, field)
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    mutating func u8(_ field: String) throws -> UInt8 { try load(UInt8.self, field) }
    mutating func u16(_ field: String) throws -> UInt16 { try load(UInt16.self, field) }
    mutating func u32(_ field: String) throws -> UInt32 { try load(UInt32.self, field) }
    mutating func u64(_ field: String) throws -> UInt64 { try load(UInt64.self, field) }
    mutating func i8(_ field: String) throws -> Int8 { try load(Int8.self, field) }
    mutating func i16(_ field: String) throws -> Int16 { try load(Int16.self, field) }
    mutating func i32(_ field: String) throws -> Int32 { try load(Int32.self, field) }
    mutating func i64(_ field: String) throws -> Int64 { try load(Int64.self, field) }
    mutating func f32(_ field: String) throws -> Float { Float(bitPattern: try u32(field)) }
    mutating func f64(_ field: String) throws -> Double { Double(bitPattern: try u64(field)) }

    /// The next `count` bytes as a slice of the underlying buffer (no copy).
    mutating func slice(_ count: Int, _ field: String) throws -> UnsafeRawBufferPointer {
        try require(count, field)
        let result = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return result
    }

    /// Decodes `count` bytes as strict UTF-8 (invalid sequences are an error, never replaced).
    mutating func utf8String(_ count: Int, _ field: String) throws -> String {
        let raw = try slice(count, field)
        guard let text = String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw TensorFileError.invalidHeader(file: file, field: field, found: "invalid UTF-8", expected: "UTF-8 text")
        }
        return text
    }
}
