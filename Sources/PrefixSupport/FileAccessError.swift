/// Why a file could not be read, mapped or written. Each case names the path; callers wrap it
/// in their own domain error (bundle, checkpoint, tokenizer, …) with their stable error code.
package enum FileAccessError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `open`, `stat`, `mmap`, `write`, `fsync`, `rename` or `close` failed; `detail` is the OS reason.
    case systemCall(path: String, operation: String, detail: String)
    /// The path names something other than a regular file (a FIFO, a device, a directory, a socket).
    case notRegularFile(path: String, found: String)
    /// The file is larger than the reader accepts.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The output path names the same file as the input `input` (same device and inode, however
    /// either is spelled: another name, a hard link, a symbolic link).
    case sameFileAsInput(path: String, input: String)

    /// The path the error is about.
    package var path: String {
        switch self {
        case let .systemCall(path, _, _), let .notRegularFile(path, _), let .tooLarge(path, _, _),
             let .sameFileAsInput(path, _): return path
        }
    }

    /// The reason without the path, e.g. `"not a regular file (found a FIFO)"`.
    package var reason: String {
        switch self {
        case let .systemCall(_, operation, detail): return "\(operation): \(detail)"
        case let .notRegularFile(_, found): return "not a regular file (found \(found))"
        case let .tooLarge(_, size, limit): return "\(size) bytes, more than the cap of \(limit) bytes"
        case let .sameFileAsInput(_, input): return "is the input file \(input); writing it would destroy the input, choose another output"
        }
    }

    package var description: String { "\(path): \(reason)" }
}
