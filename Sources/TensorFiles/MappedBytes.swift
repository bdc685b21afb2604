import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes of a whole file, memory-mapped (or, for in-memory input, copied once into an
/// owned allocation). The bytes stay valid for the object's lifetime and are never written.
public final class MappedBytes: @unchecked Sendable {
    /// The bytes. Immutable after `init`, so sharing across threads is safe.
    public let buffer: UnsafeRawBufferPointer
    /// The path, or the label given to `init(data:label:)`; used in error messages.
    public let label: String
    private let isMapped: Bool

    /// Maps the file at `url` read-only.
    public init(contentsOf url: URL) throws {
        let path = url.path
        label = path
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw TensorFileError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw TensorFileError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw TensorFileError.cannotOpen(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            buffer = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapped = false
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw TensorFileError.cannotOpen(file: path, reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        buffer = UnsafeRawBufferPointer(start: base, count: size)
        isMapped = true
    }

    /// Copies `data` once into an owned buffer (for tests and in-memory files).
    public init(data: Data, label: String) {
        self.label = label
        isMapped = false
        if data.isEmpty {
            buffer = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        // 64-byte alignment so that aligned offsets inside the data stay aligned in memory.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 64)
        _ = data.copyBytes(to: raw.bindMemory(to: UInt8.self))
        buffer = UnsafeRawBufferPointer(raw)
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), buffer.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// Number of bytes.
    public var count: Int { buffer.count }
}

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
