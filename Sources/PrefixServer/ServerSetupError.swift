import PrefixBundle

/// A problem that stops `prefixpack serve` from starting, naming the path or option at fault.
public enum ServerSetupError: PrefixError, Equatable {
    /// `--bundles` is missing or not a directory.
    case notADirectory(String)

    /// Stable name of the case.
    public var code: String { "not-a-directory" }

    /// A missing directory is an I/O problem (exit 1).
    public var category: ErrorCategory { .io }

    /// The message.
    public var description: String {
        switch self {
        case .notADirectory(let path): return "\(path): the bundles directory does not exist or is not a directory"
        }
    }
}
