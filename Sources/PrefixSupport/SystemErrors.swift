#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The current `errno` as text, e.g. `"No such file or directory (errno 2)"`.
package func errnoDescription() -> String {
    let e = errno
    return String(cString: strerror(e)) + " (errno \(e))"
}

/// The kind of a file from its `st_mode`, in words, for messages ("a FIFO", "a directory", …).
package func fileKindDescription(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "a special file"
    }
}
