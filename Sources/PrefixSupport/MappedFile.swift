import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The read-only bytes of a whole file: a private memory mapping, or an owned 64-byte-aligned
/// copy of in-memory bytes. Immutable after creation, so it can be shared across threads.
///
/// Every file prefixpack reads from a path (bundles, GGUF, safetensors, npy, config.json,
/// tokenizer files) goes through ``init(path:limit:)``: it opens with `O_NONBLOCK`, so opening a
/// FIFO cannot block, and checks with `fstat` that the opened file is a regular file before
/// reading a byte. A mapped file must not be truncated by another process while mapped (the OS
/// would raise SIGBUS); prefixpack's own writers replace files by rename, which never does that.
package final class MappedFile: @unchecked Sendable {
    /// The bytes; valid for the object's lifetime.
    package let bytes: UnsafeRawBufferPointer
    /// The path, or the label given to ``init(copying:label:)``; used in messages.
    package let label: String
    private let isMapped: Bool

    /// Maps the regular file at `path` read-only; an empty file gives an empty buffer.
    /// - Parameter limit: the largest size accepted, checked before mapping.
    /// - Throws: ``FileAccessError`` (``FileAccessError/notRegularFile(path:found:)`` for a FIFO,
    ///   device, directory or socket).
    package init(path: String, limit: Int = .max) throws(FileAccessError) {
        label = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .systemCall(path: path, operation: "open", detail: errnoDescription()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .systemCall(path: path, operation: "stat", detail: errnoDescription()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notRegularFile(path: path, found: fileKindDescription(info.st_mode))
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapped = false
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .systemCall(path: path, operation: "memory-map", detail: errnoDescription())
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        isMapped = true
    }

    /// Copies `data` once into 64-byte-aligned memory owned by this object (aligned offsets
    /// inside the data stay aligned in memory).
    package init(copying data: UnsafeRawBufferPointer, label: String = "(memory)") {
        self.label = label
        isMapped = false
        guard let source = data.baseAddress, !data.isEmpty else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 64)
        p.copyMemory(from: source, byteCount: data.count)
        bytes = UnsafeRawBufferPointer(start: p, count: data.count)
    }

    /// Copies `data` once (for tests and in-memory files).
    package static func copying(_ data: Data, label: String) -> MappedFile {
        data.withUnsafeBytes { MappedFile(copying: $0, label: label) }
    }

    /// Reads a whole regular file of at most `limit` bytes into an array (small files:
    /// config.json, tokenizer files, adapter files).
    package static func contents(path: String, limit: Int) throws(FileAccessError) -> [UInt8] {
        let file = try MappedFile(path: path, limit: limit)
        return [UInt8](file.bytes)
    }

    /// Number of bytes.
    package var count: Int { bytes.count }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
