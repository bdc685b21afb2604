import CArchive
import Foundation
import PrefixSupport
#if canImport(Glibc)
import Glibc
#endif

/// The archive formats prefixpack writes.
public enum ArchiveKind: String, Sendable, CaseIterable {
    /// PKWARE zip, members deflated.
    case zip
    /// POSIX (pax restricted) tar, uncompressed.
    case tar
    /// POSIX (pax restricted) tar, gzip-compressed.
    case tarGzip = "tar.gz"

    /// The kind named by a file name's extension (`.zip`, `.tar`, `.tar.gz`, `.tgz`), or nil.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".zip") { self = .zip }
        else if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") { self = .tarGzip }
        else if lower.hasSuffix(".tar") { self = .tar }
        else { return nil }
    }
}

/// Writes archives of regular files through libarchive, crash-safely: the archive is written
/// to a temporary file next to the target, fsynced and renamed over the target, so the target
/// name only ever holds a complete archive. Member times are fixed (epoch 0) and members are
/// written in the given order, so the member data is reproducible.
public enum ArchiveWriter {
    /// Writes `members` (relative `/`-separated paths, validated like the reader's) to `path`.
    /// - Throws: `InteropError.unsafeMemberPath` for a bad member name, `.writeFailed` otherwise
    ///   (including a destination that is not a regular file or is one of `inputs`).
    /// An existing `path` must be a regular file other than each of `inputs` (see `AtomicFileWriter.checkDestination`).
    public static func write(_ members: [ArchiveMember], kind: ArchiveKind, to path: String, distinctFrom inputs: [String] = []) throws(InteropError) {
        for m in members { _ = try MemberPath.normalize(m.path, archive: path) }
        do { try AtomicFileWriter.checkDestination(path, distinctFrom: inputs) } catch {
            throw .writeFailed(path: path, detail: error.reason)
        }
        AtomicFileWriter.removeStaleTemporaries(of: path)
        let tmp = AtomicFileWriter.temporaryPath(for: path)
        var ok = false
        defer { if !ok { unlink(tmp) } }
        try writeArchive(members, kind: kind, to: tmp, target: path)
        try syncFile(tmp, target: path)
        guard rename(tmp, path) == 0 else { throw .writeFailed(path: path, detail: "rename: \(String(cString: strerror(errno)))") }
        ok = true
    }

    private static func writeArchive(_ members: [ArchiveMember], kind: ArchiveKind, to tmp: String, target: String) throws(InteropError) {
        guard let a = archive_write_new() else { throw .writeFailed(path: target, detail: "libarchive: out of memory") }
        defer { archive_write_free(a) }
        func check(_ r: Int32, _ what: String) throws(InteropError) {
            if r != ARCHIVE_OK { throw .writeFailed(path: target, detail: "\(what): \(ArchiveReader.errorText(a))") }
        }
        switch kind {
        case .zip:
            try check(archive_write_set_format_zip(a), "zip format")
        case .tar:
            try check(archive_write_set_format_pax_restricted(a), "tar format")
        case .tarGzip:
            try check(archive_write_set_format_pax_restricted(a), "tar format")
            try check(archive_write_add_filter_gzip(a), "gzip filter")
            _ = archive_write_set_filter_option(a, "gzip", "timestamp", nil)  // no mtime in the gzip header
        }
        // Create the file exclusively so that an existing file is never written through.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: target, detail: "create \(tmp): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try check(archive_write_open_fd(a, fd), "open")
        for m in members {
            guard let e = archive_entry_new() else { throw .writeFailed(path: target, detail: "libarchive: out of memory") }
            defer { archive_entry_free(e) }
            archive_entry_set_pathname(e, m.path)
            archive_entry_set_size(e, Int64(m.bytes.count))
            archive_entry_set_filetype(e, ArchiveReader.EntryType.regular)
            archive_entry_set_perm(e, 0o644)
            archive_entry_set_mtime(e, 0, 0)
            try check(archive_write_header(a, e), "member \(m.path)")
            let written = m.bytes.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            if written != m.bytes.count {
                throw .writeFailed(path: target, detail: "member \(m.path): \(ArchiveReader.errorText(a))")
            }
            try check(archive_write_finish_entry(a), "member \(m.path)")
        }
        try check(archive_write_close(a), "close")
    }

    private static func syncFile(_ tmp: String, target: String) throws(InteropError) {
        let fd = open(tmp, O_RDONLY)
        guard fd >= 0 else { throw .writeFailed(path: target, detail: "reopen \(tmp): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw .writeFailed(path: target, detail: "fsync \(tmp): \(String(cString: strerror(errno)))") }
    }
}
