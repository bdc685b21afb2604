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
/// gets mode 0644 minus the umask. Temporaries that a killed writer left for the same destination
/// are removed by the next write (``removeStaleTemporaries(of:)``). A destination that is one of the command's inputs (same
/// device and inode, however spelled) is refused, so `collapse X -o X` cannot destroy X.
package enum AtomicFileWriter {
    /// Checks that `path` may be replaced: when it exists it must be a regular file and not the
    /// same file as one of `inputs` (device and inode compared after following symbolic links).
    /// Returns the permission bits of the existing file, nil when there is none. Every writer that
    /// renames a temporary file over a destination (this one, archives) calls it first.
    /// A path whose parent is not a directory (`file.txt/out.ptx`) is refused too, so a long job
    /// does not find out only when it writes.
    /// - Throws: ``FileAccessError/notRegularFile(path:found:)``, ``FileAccessError/sameFileAsInput(path:input:)``,
    ///   ``FileAccessError/systemCall(path:operation:detail:)`` for a parent that is not a directory.
    @discardableResult
    package static func checkDestination(_ path: String, distinctFrom inputs: [String] = []) throws(FileAccessError) -> mode_t? {
        var existing = stat()
        guard stat(path, &existing) == 0 else {
            // A parent that is not a directory fails every later write: say so before any work.
            if errno == ENOTDIR {
                throw .systemCall(path: path, operation: "stat", detail: String(cString: strerror(ENOTDIR))
                    + " (a parent of the output is not a directory)")
            }
            return nil
        }
        guard (existing.st_mode & S_IFMT) == S_IFREG else {
            throw .notRegularFile(path: path, found: fileKindDescription(existing.st_mode))
        }
        for input in inputs {
            var s = stat()
            if stat(input, &s) == 0, s.st_dev == existing.st_dev, s.st_ino == existing.st_ino {
                throw .sameFileAsInput(path: path, input: input)
            }
        }
        return existing.st_mode & 0o7777
    }

    /// The start of every temporary name used for `path`: `.<file name>.tmp-`; the full name
    /// appends `<pid>-<random base-36>`.
    package static func temporaryNamePrefix(for path: String) -> String {
        "." + URL(fileURLWithPath: path).lastPathComponent + ".tmp-"
    }

    /// A fresh temporary name for `path` in the same directory, owned by this process.
    package static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        var random = SystemRandomNumberGenerator()
        return url.deletingLastPathComponent().path + "/" + temporaryNamePrefix(for: path)
            + "\(getpid())-\(String(random.next() as UInt64, radix: 36))"
    }

    /// Removes the temporary files of `path` that a writer killed mid-write (kill -9, power loss)
    /// left behind: regular files in its directory named ``temporaryNamePrefix(for:)`` +
    /// `<pid>-<base 36>` whose process no longer exists. Temporaries of this process and of live
    /// processes are kept (they may be writing right now). Returns the removed paths.
    @discardableResult
    package static func removeStaleTemporaries(of path: String) -> [String] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let prefix = temporaryNamePrefix(for: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, pid != getpid(), !parts[1].isEmpty,
                  parts[1].allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLowercase) }) else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it exists).
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let candidate = directory + "/" + name
            var info = stat()
            guard lstat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(candidate) == 0 { removed.append(candidate) }
        }
        return removed
    }

    /// Writes `bytes` to `path` atomically.
    /// - Throws: ``FileAccessError/notRegularFile(path:found:)`` for an existing non-regular
    ///   destination, ``FileAccessError/systemCall(path:operation:detail:)`` for any failing step,
    ///   including an fsync of the directory that fails after the rename,
    ///   ``FileAccessError/sameFileAsInput(path:input:)`` when `path` is one of `inputs`.
    package static func write(_ bytes: UnsafeRawBufferPointer, to path: String, distinctFrom inputs: [String] = []) throws(FileAccessError) {
        let replacedMode = try checkDestination(path, distinctFrom: inputs)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        removeStaleTemporaries(of: path)
        let temporary = temporaryPath(for: path)
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
    package static func write(_ bytes: [UInt8], to path: String, distinctFrom inputs: [String] = []) throws(FileAccessError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(FileAccessError) in try write(raw, to: path, distinctFrom: inputs) } }.get()
    }

    /// Writes `data` to `path` atomically.
    package static func write(_ data: Data, to path: String, distinctFrom inputs: [String] = []) throws(FileAccessError) {
        try data.withUnsafeBytes { raw in Result { () throws(FileAccessError) in try write(raw, to: path, distinctFrom: inputs) } }.get()
    }
}

@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
