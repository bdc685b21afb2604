import PrefixSupport

extension BundleError {
    /// The bundle error for a file that could not be opened, mapped or written: `io`, naming the
    /// failed operation (a FIFO, device or directory is "not a regular file").
    package init(_ error: FileAccessError) {
        switch error {
        case let .systemCall(path, operation, detail):
            self = .io(file: path, operation: operation, detail: detail)
        case .notRegularFile, .tooLarge:
            self = .io(file: error.path, operation: "open", detail: error.reason)
        case .sameFileAsInput:
            self = .io(file: error.path, operation: "write", detail: error.reason)
        }
    }

    /// Runs a file operation of PrefixSupport, turning its error into a ``BundleError``.
    package static func mapping<T>(_ body: () throws(FileAccessError) -> T) throws(BundleError) -> T {
        do { return try body() } catch { throw BundleError(error) }
    }
}
