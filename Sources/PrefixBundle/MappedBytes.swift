#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes of a bundle: a private read-only memory mapping of a file, or an owned copy
/// of in-memory bytes. Immutable after creation, so it can be shared across threads.
///
/// A mapped file must not be truncated by another process while mapped (the OS would signal
/// SIGBUS on access); bundles are written by atomic rename, which never does that.
final class MappedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    /// Maps the whole file at `path` read-only. An empty file gives an empty buffer.
    init(path: String) throws(BundleError) {
        // O_NONBLOCK: opening a FIFO by mistake must not hang (it is then rejected as not a regular file).
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw BundleError.io(file: path, operation: "open", detail: errnoText()) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BundleError.io(file: path, operation: "stat", detail: errnoText()) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw BundleError.io(file: path, operation: "open", detail: "not a regular file")
        }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapped = false
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw BundleError.io(file: path, operation: "memory-map", detail: errnoText())
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
        isMapped = true
    }

    /// Copies `data` into 64-byte-aligned memory owned by this object.
    init(copying data: UnsafeRawBufferPointer) {
        if data.isEmpty {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        } else {
            let p = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 64)
            p.copyMemory(from: data.baseAddress!, byteCount: data.count)
            bytes = UnsafeRawBufferPointer(start: p, count: data.count)
        }
        isMapped = false
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}

func errnoText() -> String {
    let e = errno
    return String(cString: strerror(e)) + " (errno \(e))"
}
