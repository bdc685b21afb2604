import CArchive
import Foundation

/// Caps that bound what reading an archive may allocate.
public struct ArchiveLimits: Sendable, Equatable {
    /// Largest decoded size of one member, in bytes.
    public var maxMemberBytes: Int
    /// Largest decoded size of all members read, in bytes.
    public var maxTotalBytes: Int
    /// Largest number of members (of any type) in the archive.
    public var maxMembers: Int
    /// Smaller caps for members by file name (last path component), e.g. `tokenizer.json` → 64 MiB;
    /// enforced while the member is inflated, like ``maxMemberBytes``.
    public var maxBytesByName: [String: Int]

    /// Creates limits; the defaults suit adapters and datasets (1 GiB per member, 2 GiB in
    /// total, 100 000 members).
    public init(maxMemberBytes: Int = 1 << 30, maxTotalBytes: Int = 2 << 30, maxMembers: Int = 100_000,
                maxBytesByName: [String: Int] = [:]) {
        self.maxMemberBytes = maxMemberBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxMembers = maxMembers
        self.maxBytesByName = maxBytesByName
    }

    /// The cap for the member at the normalized `path`.
    public func maxBytes(forMember path: String) -> Int {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return min(maxMemberBytes, maxBytesByName[name] ?? maxMemberBytes)
    }
}

/// One regular file read from an archive.
public struct ArchiveMember: Sendable, Equatable {
    /// The member's normalized relative path (`/`-separated, no leading `./`).
    public var path: String
    /// The member's decoded bytes.
    public var bytes: [UInt8]

    /// Wraps a member.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// Reads `.zip`, `.tar` and `.tar.gz` archives through libarchive, safely.
///
/// Every member is checked before anything is read: absolute paths, `..` components, drive
/// letters, symbolic and hard links, and device/FIFO/socket members are refused with a typed
/// error (the whole archive is refused, not only the member). Directories are skipped. Member
/// data is read into memory in bounded chunks, so a member that inflates past
/// `ArchiveLimits.maxMemberBytes` (whatever its header claims) stops the read. Nothing is ever
/// written to disk.
public enum ArchiveReader {
    /// File names this reader treats as archives (by extension, case-insensitive).
    public static let archiveExtensions = [".zip", ".tar", ".tar.gz", ".tgz"]

    /// Whether `path` names an archive by its extension.
    public static func looksLikeArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return archiveExtensions.contains { lower.hasSuffix($0) }
    }

    /// Reads the regular members of the archive at `path` for which `include` returns true
    /// (every member's path and type is checked regardless).
    /// - Throws: `InteropError` naming the archive and member.
    public static func readMembers(
        path: String, limits: ArchiveLimits = ArchiveLimits(), include: (String) -> Bool = { _ in true }
    ) throws(InteropError) -> [ArchiveMember] {
        let a = try openFile(path)
        defer { archive_read_free(a) }
        return try readEntries(a, archive: path, limits: limits, include: include)
    }

    /// A libarchive reader for zip/tar/tar.gz opened on the regular file `path` (caller frees it).
    private static func openFile(_ path: String) throws(InteropError) -> OpaquePointer {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileMissing(path: path, what: "the archive") }
        // Only regular files: opening a FIFO or device would block or read without end.
        let type = (try? FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath))?[.type]
        guard (type as? FileAttributeType) == .typeRegular else {
            throw .archiveUnreadable(archive: path, detail: "not a regular file")
        }
        guard let a = archive_read_new() else { throw .archiveUnreadable(archive: path, detail: "libarchive: out of memory") }
        archive_read_support_format_zip(a)
        archive_read_support_format_tar(a)
        archive_read_support_filter_gzip(a)
        guard archive_read_open_filename(a, path, 65536) == ARCHIVE_OK else {
            let detail = errorText(a)
            archive_read_free(a)
            throw .archiveUnreadable(archive: path, detail: detail)
        }
        return a
    }

    /// Like `readMembers(path:limits:include:)`, but hands each wanted member to `body` as soon
    /// as it is read, so only one member is held at a time (for large datasets). `body` returns
    /// false to stop early. Members before the failing one have already been delivered when a
    /// later member is refused; `limits.maxTotalBytes` still bounds everything read.
    public static func forEachMember(
        path: String, limits: ArchiveLimits = ArchiveLimits(), include: (String) -> Bool = { _ in true },
        _ body: (ArchiveMember) -> Bool
    ) throws(InteropError) {
        let a = try openFile(path)
        defer { archive_read_free(a) }
        try streamEntries(a, archive: path, limits: limits, include: include, sink: body)
    }

    /// Reads the members of an archive held in memory; `name` is used in error messages.
    public static func readMembers(
        bytes: [UInt8], name: String, limits: ArchiveLimits = ArchiveLimits(), include: (String) -> Bool = { _ in true }
    ) throws(InteropError) -> [ArchiveMember] {
        guard let a = archive_read_new() else { throw .archiveUnreadable(archive: name, detail: "libarchive: out of memory") }
        defer { archive_read_free(a) }
        archive_read_support_format_zip(a)
        archive_read_support_format_tar(a)
        archive_read_support_filter_gzip(a)
        let result = bytes.withUnsafeBytes { (buf: UnsafeRawBufferPointer) -> Result<[ArchiveMember], InteropError> in
            guard let base = buf.baseAddress, archive_read_open_memory(a, base, buf.count) == ARCHIVE_OK else {
                return .failure(.archiveUnreadable(archive: name, detail: errorText(a)))
            }
            return Result { () throws(InteropError) in try readEntries(a, archive: name, limits: limits, include: include) }
        }
        return try result.get()
    }

    /// Mode bits of the entry types (`AE_IF*` in archive_entry.h).
    enum EntryType {
        static let mask: UInt32 = 0o170000
        static let regular: UInt32 = 0o100000
        static let directory: UInt32 = 0o040000
        static let symlink: UInt32 = 0o120000

        static func name(_ t: UInt32) -> String {
            switch t {
            case 0o020000: return "character device"
            case 0o060000: return "block device"
            case 0o010000: return "FIFO"
            case 0o140000: return "socket"
            default: return "member of unknown type (mode \(String(t, radix: 8)))"
            }
        }
    }

    private static func readEntries(
        _ a: OpaquePointer, archive: String, limits: ArchiveLimits, include: (String) -> Bool
    ) throws(InteropError) -> [ArchiveMember] {
        var members: [ArchiveMember] = []
        try streamEntries(a, archive: archive, limits: limits, include: include) { members.append($0); return true }
        return members
    }

    /// Checks every entry and hands each wanted regular member to `sink` as soon as it is read;
    /// `sink` returns false to stop early.
    private static func streamEntries(
        _ a: OpaquePointer, archive: String, limits: ArchiveLimits, include: (String) -> Bool,
        sink: (ArchiveMember) -> Bool
    ) throws(InteropError) {
        var seen = Set<String>()
        var total = 0
        var count = 0
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == ARCHIVE_EOF { break }
            guard r == ARCHIVE_OK || r == ARCHIVE_WARN, let entry else {
                throw .archiveUnreadable(archive: archive, detail: errorText(a))
            }
            count += 1
            if count > limits.maxMembers { throw .tooManyMembers(archive: archive, limit: limits.maxMembers) }
            let raw = entryPath(entry)
            let path = try MemberPath.normalize(raw, archive: archive)
            if let target = archive_entry_hardlink(entry) {
                throw .linkMember(archive: archive, member: raw, target: String(cString: target))
            }
            let type = UInt32(archive_entry_filetype(entry)) & EntryType.mask
            if type == EntryType.symlink {
                let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? "?"
                throw .linkMember(archive: archive, member: raw, target: target)
            }
            if type == EntryType.directory { continue }
            guard type == EntryType.regular else {
                throw .unsupportedMemberType(archive: archive, member: raw, type: EntryType.name(type))
            }
            guard seen.insert(path).inserted else { throw .duplicateMember(archive: archive, member: path) }
            guard include(path) else { continue }
            let cap = limits.maxBytes(forMember: path)
            var declared: Int?
            if archive_entry_size_is_set(entry) != 0 {
                let size = archive_entry_size(entry)
                if size > Int64(cap) { throw .memberTooLarge(archive: archive, member: path, limit: cap) }
                declared = Int(max(size, 0))
            }
            let bytes = try readData(a, archive: archive, member: path, cap: cap, declared: declared, limits: limits, alreadyRead: total)
            total += bytes.count
            if !sink(ArchiveMember(path: path, bytes: bytes)) { return }
        }
    }

    /// Reads the current member's data in chunks, never holding more than the caps allow: the
    /// member's `cap` and the archive's total are checked before each chunk is kept. A member
    /// whose header declares its size gets exactly that capacity and may not inflate past it
    /// (a bomb that under-declares is refused at the declared size, not at the cap); one
    /// without a declared size grows geometrically up to `cap`.
    private static func readData(
        _ a: OpaquePointer, archive: String, member: String, cap: Int, declared: Int?, limits: ArchiveLimits, alreadyRead: Int
    ) throws(InteropError) -> [UInt8] {
        var out: [UInt8] = []
        if let declared { out.reserveCapacity(declared) }
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, chunkSize) }
            if n == 0 { break }
            guard n > 0 else { throw .archiveUnreadable(archive: archive, detail: "member '\(member)': \(errorText(a))") }
            if out.count + n > cap {
                throw .memberTooLarge(archive: archive, member: member, limit: cap)
            }
            if let declared, out.count + n > declared {
                throw .archiveUnreadable(archive: archive, detail: "member '\(member)' inflates past the \(declared) bytes its header declares")
            }
            if alreadyRead + out.count + n > limits.maxTotalBytes {
                throw .archiveTooLarge(archive: archive, limit: limits.maxTotalBytes)
            }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    private static func entryPath(_ entry: OpaquePointer) -> String {
        if let p = archive_entry_pathname_utf8(entry) { return String(cString: p) }
        if let p = archive_entry_pathname(entry) { return String(decoding: Data(bytes: p, count: strlen(p)), as: UTF8.self) }
        return ""
    }

    static func errorText(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

/// Validation and normalization of archive member paths.
enum MemberPath {
    /// Returns the path with `./` components removed and `/` separators, or throws when it is
    /// empty, absolute, has a drive letter, contains `..` or NUL, or uses `\` separators.
    static func normalize(_ raw: String, archive: String) throws(InteropError) -> String {
        func refused(_ reason: String) -> InteropError { .unsafeMemberPath(archive: archive, member: raw, reason: reason) }
        if raw.isEmpty { throw refused("empty path") }
        if raw.utf8.contains(0) { throw refused("NUL byte in the path") }
        if raw.hasPrefix("/") { throw refused("absolute path") }
        if raw.contains("\\") { throw refused("backslash in the path (Windows separator)") }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let first = parts.first, first.count >= 2, first.dropFirst().first == ":" { throw refused("drive-letter path") }
        if parts.contains("..") { throw refused("'..' component escapes the archive") }
        let kept = parts.filter { $0 != "." }
        if kept.isEmpty { throw refused("path names no file") }
        return kept.joined(separator: "/")
    }
}
