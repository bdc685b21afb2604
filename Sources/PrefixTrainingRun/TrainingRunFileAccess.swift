import PrefixSupport

extension TrainingRunError {
    /// Runs a read of PrefixSupport (open, stat, map, digest); a failure becomes
    /// ``unreadableData(file:detail:)`` naming the file and the reason.
    package static func reading<T>(_ body: () throws(FileAccessError) -> T) throws(TrainingRunError) -> T {
        do { return try body() } catch { throw .unreadableData(file: error.path, detail: error.reason) }
    }

    /// Checks, before any work, that `path` may be replaced (PrefixSupport's
    /// `AtomicFileWriter.checkDestination`): absent, or a regular file that is none of `inputs`.
    package static func checkOutput(_ path: String, distinctFrom inputs: [String]) throws(TrainingRunError) {
        do { try AtomicFileWriter.checkDestination(path, distinctFrom: inputs) } catch {
            throw .outputRefused(file: error.path, detail: error.reason)
        }
    }
}
