import ArgumentParser
import Foundation
import PrefixBundle

/// The documented exit codes of `prefixpack` (README, "Exit codes").
enum CLIExitCode: Int32, CaseIterable {
    /// Success; for `validate`, the bundle is valid.
    case success = 0
    /// Usage or I/O problem: bad arguments, a missing or unreadable file.
    case usageOrIO = 1
    /// An input file is malformed, truncated, corrupt or of an unsupported kind.
    case malformed = 2
    /// The bundle is valid but does not fit the given checkpoint (fingerprint or tokenizer).
    case incompatible = 3

    /// The code for an error category: usage and I/O → 1, malformed input → 2, incompatible → 3.
    init(_ category: ErrorCategory) {
        switch category {
        case .usage, .io: self = .usageOrIO
        case .malformedInput: self = .malformed
        case .incompatible: self = .incompatible
        }
    }
}

/// Failures raised by the command-line layer itself (not by a library).
enum CLIError: PrefixError {
    /// A command-line value is out of range or inconsistent.
    case invalidArgument(option: String, found: String, expected: String)
    /// Writing or removing a file the command itself manages failed.
    case io(path: String, operation: String, detail: String)

    var code: String {
        switch self {
        case .invalidArgument: return "invalid-argument"
        case .io: return "io-error"
        }
    }

    var category: ErrorCategory {
        if case .io = self { return .io }
        return .usage
    }

    var description: String {
        switch self {
        case .invalidArgument(let option, let found, let expected):
            return "\(option) is \(found), expected \(expected)"
        case .io(let path, let operation, let detail):
            return "\(path): cannot \(operation): \(detail)"
        }
    }
}

/// The one place that turns errors into messages and exit codes: every ``PrefixError`` prints as
/// `error[CODE]: FILE: message` (escaped and shortened by ``StandardError``) and exits with the
/// code of its category; any other error prints as `error[unexpected]` and exits with 1.
enum CLIFailure {
    /// The exit code for one error.
    static func exitCode(for error: any Error) -> CLIExitCode {
        (error as? any PrefixError).map { CLIExitCode($0.category) } ?? .usageOrIO
    }

    /// The one-line message for an error: `error[CODE]: description`.
    static func message(for error: any Error) -> String {
        let code = (error as? any PrefixError)?.code ?? "unexpected"
        return "error[\(code)]: \(error)"
    }

    /// The exit code for a set of findings: any usage or I/O problem → 1, otherwise the most
    /// specific failure (malformed → 2 before incompatible → 3), i.e. the lowest code, as no
    /// error maps to success. Empty → success.
    static func exitCode(for findings: [any Error]) -> CLIExitCode {
        findings.map(exitCode(for:)).min { $0.rawValue < $1.rawValue } ?? .success
    }

    /// Prints every finding to standard error, one per line, and returns the exit code to throw.
    static func report(_ findings: [any Error]) -> ExitCode {
        for f in findings { StandardError.print(message(for: f)) }
        return ExitCode(exitCode(for: findings).rawValue)
    }

    /// Runs a command body; any error is printed to standard error and turned into the
    /// documented exit code (argument-parser exit/clean-exit requests pass through unchanged).
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ExitCode {
            throw e
        } catch {
            throw report([error])
        }
    }
}
