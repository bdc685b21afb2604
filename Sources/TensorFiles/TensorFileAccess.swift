import PrefixSupport

extension TensorFileError {
    /// Runs a read of PrefixSupport (open, stat, map); a failure becomes ``cannotOpen(file:reason:)``
    /// (a FIFO or device is "not a regular file (found a FIFO)").
    package static func reading<T>(_ body: () throws(FileAccessError) -> T) throws(TensorFileError) -> T {
        do { return try body() } catch { throw .cannotOpen(file: error.path, reason: error.reason) }
    }

    /// Runs a write of PrefixSupport's atomic writer; a failure becomes ``writeFailed(file:reason:)``.
    package static func writing<T>(_ body: () throws(FileAccessError) -> T) throws(TensorFileError) -> T {
        do { return try body() } catch { throw .writeFailed(file: error.path, reason: error.reason) }
    }
}
