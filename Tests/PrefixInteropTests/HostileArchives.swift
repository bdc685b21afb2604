import CArchive
import Foundation

/// Writes archives with arbitrary (also hostile) members straight through libarchive, which
/// the library's `ArchiveWriter` refuses to do.
enum HostileArchives {
    enum Member {
        case file(String, [UInt8])
        case symlink(String, target: String)
        case hardlink(String, target: String)
        case fifo(String)
    }

    enum Format { case zip, tar, tarGzip }

    struct WriteError: Error { let detail: String }

    static func write(_ members: [Member], format: Format, to path: String) throws {
        guard let a = archive_write_new() else { throw WriteError(detail: "archive_write_new") }
        defer { archive_write_free(a) }
        switch format {
        case .zip: archive_write_set_format_zip(a)
        case .tar: archive_write_set_format_pax_restricted(a)
        case .tarGzip:
            archive_write_set_format_pax_restricted(a)
            archive_write_add_filter_gzip(a)
        }
        guard archive_write_open_filename(a, path) == ARCHIVE_OK else { throw WriteError(detail: "open \(path)") }
        for m in members {
            guard let e = archive_entry_new() else { throw WriteError(detail: "entry") }
            defer { archive_entry_free(e) }
            archive_entry_set_perm(e, 0o644)
            var data: [UInt8] = []
            switch m {
            case let .file(name, bytes):
                archive_entry_set_pathname(e, name)
                archive_entry_set_filetype(e, 0o100000)
                archive_entry_set_size(e, Int64(bytes.count))
                data = bytes
            case let .symlink(name, target):
                archive_entry_set_pathname(e, name)
                archive_entry_set_filetype(e, 0o120000)
                archive_entry_set_symlink(e, target)
            case let .hardlink(name, target):
                archive_entry_set_pathname(e, name)
                archive_entry_set_filetype(e, 0o100000)
                archive_entry_set_hardlink(e, target)
            case let .fifo(name):
                archive_entry_set_pathname(e, name)
                archive_entry_set_filetype(e, 0o010000)
            }
            guard archive_write_header(a, e) == ARCHIVE_OK else {
                throw WriteError(detail: "header: \(String(cString: archive_error_string(a)))")
            }
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            }
        }
        guard archive_write_close(a) == ARCHIVE_OK else { throw WriteError(detail: "close") }
    }
}
