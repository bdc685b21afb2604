import PrefixBundle

/// A problem that stops `prefixpack serve` from starting, naming the path or option at fault.
public enum ServerSetupError: PrefixError, Equatable {
    /// `--bundles` is missing or not a directory.
    case notADirectory(String)
    /// A served name is used twice (the base model's name and a bundle's).
    case nameClash(String)

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .notADirectory: return "not-a-directory"
        case .nameClash: return "name-clash"
        }
    }

    /// A missing directory is an I/O problem, a clash a usage one (both exit with 1).
    public var category: ErrorCategory {
        switch self {
        case .notADirectory: return .io
        case .nameClash: return .usage
        }
    }

    /// The message.
    public var description: String {
        switch self {
        case .notADirectory(let path): return "\(path): the bundles directory does not exist or is not a directory"
        case .nameClash(let name): return "the served name '\(name)' is both the base model's and a bundle's"
        }
    }
}
