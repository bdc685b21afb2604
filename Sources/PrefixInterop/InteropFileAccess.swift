import PrefixSupport

extension InteropError {
    /// Runs a read of PrefixSupport (open, stat, map, digest); a failure becomes
    /// ``unreadable(path:detail:)`` (a FIFO or device is "not a regular file (found a FIFO)").
    static func reading<T>(_ body: () throws(FileAccessError) -> T) throws(InteropError) -> T {
        do { return try body() } catch { throw .unreadable(path: error.path, detail: error.reason) }
    }
}
