import PrefixSupport

extension TrainingRunError {
    /// Runs a read of PrefixSupport (open, stat, map, digest); a failure becomes
    /// ``unreadableData(file:detail:)`` naming the file and the reason.
    package static func reading<T>(_ body: () throws(FileAccessError) -> T) throws(TrainingRunError) -> T {
        do { return try body() } catch { throw .unreadableData(file: error.path, detail: error.reason) }
    }
}
