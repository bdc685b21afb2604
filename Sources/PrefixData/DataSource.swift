import Foundation
import PrefixInterop
import PrefixSupport

/// The text formats a dataset document can have.
public enum DataFormat: String, Sendable, CaseIterable {
    /// Comma-separated values with a header row (RFC 4180 quoting).
    case csv
    /// Tab-separated values with a header row (same quoting rules, tab delimiter).
    case tsv
    /// One JSON object per line.
    case jsonl

    /// The format a file or member name implies (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`,
    /// each optionally followed by `.gz`), or nil.
    public static func detect(name: String) -> DataFormat? {
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        return nil
    }
}

/// Caps on what reading data may allocate.
public struct DataLimits: Sendable, Equatable {
    /// Largest decoded size of one document (file, decompressed `.gz`, or archive member).
    public var maxDocumentBytes: Int
    /// Largest decoded size of everything read from one archive.
    public var maxArchiveBytes: Int
    /// Largest number of members an archive may have.
    public var maxArchiveMembers: Int

    /// Defaults: 1 GiB per document, 4 GiB per archive, 100 000 members.
    public init(maxDocumentBytes: Int = 1 << 30, maxArchiveBytes: Int = 4 << 30, maxArchiveMembers: Int = 100_000) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxArchiveBytes = maxArchiveBytes
        self.maxArchiveMembers = maxArchiveMembers
    }
}

/// One decoded document: a plain file, a decompressed `.gz` file or an archive member.
public struct DataDocument: Sendable, Equatable {
    /// The file (the archive, for a member) as the user named it.
    public var file: String
    /// The member path inside the archive, if any.
    public var member: String?
    /// The decoded bytes.
    public var bytes: [UInt8]

    /// Creates a document.
    public init(file: String, member: String? = nil, bytes: [UInt8]) {
        self.file = file
        self.member = member
        self.bytes = bytes
    }

    /// `file` or `file:member`.
    public var name: String { DataLocation(file: file, member: member, line: 0).document }
    /// The name that tells the format: the member's, else the file's.
    public var formatName: String { member ?? file }
}

/// A data source as named on a command line: `FILE`, `FILE.gz`, `ARCHIVE`, `ARCHIVE:MEMBER` or
/// `ARCHIVE:GLOB` (archives are `.zip`, `.tar`, `.tar.gz`, `.tgz`).
///
/// An archive named without a member must hold exactly one member whose name has a data
/// extension (`.csv`, `.tsv`, `.jsonl`, optionally `.gz`); otherwise name the member. A member
/// whose name ends in `.gz` is decompressed too. Archives are read through
/// `PrefixInterop.ArchiveReader`, which refuses members with absolute paths, `..` components,
/// links and special files.
public struct DataSource: Sendable, Hashable, CustomStringConvertible {
    /// The file path (the archive, for members).
    public var file: String
    /// The member name or glob, for archives.
    public var member: MemberPattern?

    /// A source reading `file` (and `member` inside it, when it is an archive).
    public init(file: String, member: MemberPattern? = nil) {
        self.file = file
        self.member = member
    }

    /// Parses `ARCHIVE:MEMBER` notation. A spec naming an existing file is that file; otherwise it
    /// is split after the first archive extension (`.zip:`, `.tar:`, `.tar.gz:`, `.tgz:`) whose
    /// left part exists (or the first such split, so a missing archive is reported by name).
    public init(parsing spec: String) {
        if FileManager.default.fileExists(atPath: spec) {
            self.init(file: spec)
            return
        }
        var splits: [String.Index] = []
        for ext in ArchiveReader.archiveExtensions {
            var searchStart = spec.startIndex
            while let r = spec.range(of: ext + ":", options: .caseInsensitive, range: searchStart..<spec.endIndex) {
                splits.append(spec.index(before: r.upperBound))
                searchStart = r.upperBound
            }
        }
        splits.sort()
        let chosen = splits.first { FileManager.default.fileExists(atPath: String(spec[..<$0])) } ?? splits.first
        guard let colon = chosen else {
            self.init(file: spec)
            return
        }
        self.init(file: String(spec[..<colon]), member: MemberPattern(String(spec[spec.index(after: colon)...])))
    }

    public var description: String { member.map { "\(file):\($0.text)" } ?? file }

    /// Reads and decodes the documents of this source, in archive order for globs.
    /// - Throws: ``DataError``.
    public func readDocuments(limits: DataLimits = DataLimits()) throws(DataError) -> [DataDocument] {
        guard FileManager.default.fileExists(atPath: file) else { throw .fileMissing(path: file) }
        if ArchiveReader.looksLikeArchive(file) {
            return try readArchive(limits: limits)
        }
        if let member {
            throw .invalidOption(
                name: "data source", found: "'\(file):\(member.text)'",
                expected: "a member only after a .zip, .tar, .tar.gz or .tgz archive")
        }
        return [try readPlainFile(limits: limits)]
    }

    private func readPlainFile(limits: DataLimits) throws(DataError) -> DataDocument {
        if file.lowercased().hasSuffix(".gz") {
            let bytes = try GzipDecoder.decodeFile(path: file, document: file, maxOutputBytes: limits.maxDocumentBytes)
            return DataDocument(file: file, bytes: bytes)
        }
        // A FIFO or device is refused without blocking; the size is checked before reading.
        do {
            return DataDocument(file: file, bytes: try MappedFile.contents(path: file, limit: limits.maxDocumentBytes))
        } catch {
            if case .tooLarge = error { throw .tooLarge(document: file, limit: limits.maxDocumentBytes) }
            throw .unreadable(path: file, detail: error.reason)
        }
    }

    private func readArchive(limits: DataLimits) throws(DataError) -> [DataDocument] {
        let archiveLimits = ArchiveLimits(
            maxMemberBytes: limits.maxDocumentBytes, maxTotalBytes: limits.maxArchiveBytes,
            maxMembers: limits.maxArchiveMembers)
        var allMembers: [String] = []
        var documents: [DataDocument] = []
        do {
            try ArchiveReader.forEachMember(path: file, limits: archiveLimits, include: { path in
                allMembers.append(path)
                // The named member or glob, else every member with a data extension.
                return member?.matches(path) ?? (DataFormat.detect(name: path) != nil)
            }) { entry in
                documents.append(DataDocument(file: file, member: entry.path, bytes: entry.bytes))
                return true
            }
        } catch {
            throw .archive(error)
        }
        if documents.isEmpty {
            throw .noMatchingMember(
                archive: file, pattern: member?.text ?? "*.csv, *.tsv or *.jsonl (optionally .gz)", members: allMembers)
        }
        if member == nil, documents.count > 1 {
            throw .ambiguousArchive(archive: file, members: documents.compactMap(\.member))
        }
        // Members that are themselves gzip files.
        for i in documents.indices where documents[i].formatName.lowercased().hasSuffix(".gz") {
            documents[i].bytes = try GzipDecoder.decode(
                documents[i].bytes, document: documents[i].name, maxOutputBytes: limits.maxDocumentBytes)
        }
        return documents
    }
}
