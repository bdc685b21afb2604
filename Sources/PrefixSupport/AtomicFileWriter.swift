import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe replacement of a file: the bytes go to a temporary file in the same directory
/// (opened `O_CLOEXEC`), are fsynced, the temporary file is renamed over the destination, and the
/// directory is fsynced so the rename is durable. A crash or failure at any point leaves either
/// the old file or the complete new one under the destination name, never a partial file; on
/// failure the temporary file is removed.
///
/// A destination that exists must be a regular file: a FIFO, a device or a directory is refused
/// (never replaced), and a replaced file keeps its permission bits (0600 stays 0600). A new file
/// gets mode 0644 minus the umask.
package enum AtomicFileWriter {
    /// Writes `bytes` to `path` atomically.
    /// - Throws: ``FileAccessError/notRegularFile(path:found:)`` for an existing non-regular
    ///   destination, ``FileAccessError/systemCall(path:operation:detail:)`` for any failing step,
    ///   including an fsync of the directory that fails after the rename.
    package static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FileAccessError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var replacedMode: mode_t?
        var existing = stat()
        if stat(path, &existing) == 0 {
            guard (existing.st_mode & S_IFMT) == S_IFREG else {
                throw .notRegularFile(path: path, found: fileKindDescription(existing.st_mode))
            }
            replacedMode = existing.st_mode & 0o7777
        }
        var random = SystemRandomNumberGenerator()
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(String(random.next() as UInt64, radix: 36))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .systemCall(path: path, operation: "create temporary file \(temporary)", detail: errnoDescription()) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do throws(FileAccessError) {
            var done = 0
            while done < bytes.count, let base = bytes.baseAddress {
                let n = systemWrite(fd, base + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .systemCall(path: path, operation: "write \(temporary)", detail: errnoDescription())
                }
                done += n
            }
            // A replaced file keeps its permissions; a new one has 0644 less the umask.
            if let replacedMode, fchmod(fd, replacedMode) != 0 {
                throw .systemCall(path: path, operation: "set the mode of \(temporary)", detail: errnoDescription())
            }
            #if canImport(Darwin)
            // On Darwin fsync does not flush the drive's cache; F_FULLFSYNC does.
            if fcntl(fd, F_FULLFSYNC) != 0, fsync(fd) != 0 {
                throw .systemCall(path: path, operation: "fsync \(temporary)", detail: errnoDescription())
            }
            #else
            if fsync(fd) != 0 { throw .systemCall(path: path, operation: "fsync \(temporary)", detail: errnoDescription()) }
            #endif
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw .systemCall(path: path, operation: "close \(temporary)", detail: errnoDescription()) }
        if rename(temporary, path) != 0 {
            throw .systemCall(path: path, operation: "rename \(temporary) to the destination", detail: errnoDescription())
        }
        renamed = true
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        let result = fsync(dfd)
        let e = errno
        close(dfd)
        // Some filesystems refuse fsync on directories (EINVAL/EBADF); any other failure means
        // the new file is in place but its rename may not be durable yet, which is reported.
        if result != 0 && e != EINVAL && e != EBADF {
            throw .systemCall(path: path, operation: "fsync directory \(directory)", detail: String(cString: strerror(e)) + " (errno \(e))")
        }
    }

    /// Writes `bytes` to `path` atomically (see ``write(_:to:)-(UnsafeRawBufferPointer,_)``).
    package static func write(_ bytes: [UInt8], to path: String) throws(FileAccessError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(FileAccessError) in try write(raw, to: path) } }.get()
    }

    /// Writes `data` to `path` atomically.
    package static func write(_ data: Data, to path: String) throws(FileAccessError) {
        try data.withUnsafeBytes { raw in Result { () throws(FileAccessError) in try write(raw, to: path) } }.get()
    }
}

@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
