import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: the bytes go to a temporary file in the same directory, are
/// flushed with `fsync`, and the temporary file is renamed over the destination. Readers see
/// either the old file or the complete new one, never a partial write.
public enum AtomicFileWriter {
    /// Writes `data` to `url` atomically (mode 0644).
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        func failure(_ what: String) -> TensorFileError {
            TensorFileError.writeFailed(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw failure("cannot create temporary file \(temporary)") }
        var success = false
        defer {
            if !success { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var written = 0
                while written < raw.count {
                    guard let base = raw.baseAddress else { break }
                    let n = Glibc_write(fd, base + written, raw.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failure("write")
                    }
                    written += n
                }
            }
            if fsync(fd) != 0 { throw failure("fsync") }
        }
        if rename(temporary, path) != 0 { throw failure("rename") }
        success = true
        // Make the rename itself durable.
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
