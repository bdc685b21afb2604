import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe replacement of a file: write a temporary file in the same directory, fsync it,
/// rename it over the target, fsync the directory. A crash or failure at any point leaves
/// either the old file or the complete new one under the target name, never a partial file;
/// on failure the temporary file is removed.
public enum AtomicFileWriter {
    /// Writes `bytes` to `path` atomically with mode 0644.
    public static func write(_ bytes: [UInt8], to path: String) throws(BundleError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        var rng = SystemRandomNumberGenerator()
        let tmp = dir + "/." + base + ".tmp-\(getpid())-\(String(rng.next() as UInt64, radix: 36))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BundleError.io(file: path, operation: "create temporary file \(tmp)", detail: errnoText()) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do throws(BundleError) {
            let failure: BundleError? = bytes.withUnsafeBytes { buf in
                var done = 0
                while done < buf.count {
                    let n = Glibc_write(fd, buf.baseAddress! + done, buf.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return BundleError.io(file: path, operation: "write \(tmp)", detail: errnoText())
                    }
                    done += n
                }
                return nil
            }
            if let failure { throw failure }
            #if canImport(Darwin)
            // On Darwin fsync does not flush the drive's cache; F_FULLFSYNC does.
            if fcntl(fd, F_FULLFSYNC) == 0 { /* flushed */ } else if fsync(fd) != 0 {
                throw BundleError.io(file: path, operation: "fsync \(tmp)", detail: errnoText())
            }
            #else
            if fsync(fd) != 0 { throw BundleError.io(file: path, operation: "fsync \(tmp)", detail: errnoText()) }
            #endif
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw BundleError.io(file: path, operation: "close \(tmp)", detail: errnoText()) }
        if rename(tmp, path) != 0 { throw BundleError.io(file: path, operation: "rename \(tmp) to the target", detail: errnoText()) }
        ok = true
        let dfd = open(dir, O_RDONLY)
        if dfd >= 0 {
            let r = fsync(dfd)
            let e = errno
            close(dfd)
            // Some filesystems refuse fsync on directories; the rename itself already happened.
            if r != 0 && e != EINVAL && e != EBADF {
                // The new file is in place but its rename may not be durable yet.
                throw BundleError.io(file: path, operation: "fsync directory \(dir)", detail: String(cString: strerror(e)) + " (errno \(e))")
            }
        }
    }
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
