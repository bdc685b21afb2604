import ArgumentParser
import Foundation
import PrefixBundle
import PrefixInterop
import PrefixRuntime
import TensorFiles
import TextTokenizers

/// The documented exit codes of `prefixpack` (docs/cli-format.md, "Exit codes").
///
/// Every command reports failures through ``CLIFailure``, which maps typed errors from the
/// libraries to one of these codes and to a message on standard error.
enum CLIExitCode: Int32, CaseIterable {
    /// Success; for `validate`, the bundle is valid.
    case success = 0
    /// Usage or I/O problem: bad arguments, a missing or unreadable file, a feature that is not
    /// available in this build.
    case usageOrIO = 1
    /// The input is not a well-formed bundle: malformed, truncated or corrupt.
    case malformed = 2
    /// The bundle is valid but does not fit the given checkpoint (fingerprint or tokenizer).
    case incompatible = 3
}

/// Failures raised by the command-line layer itself (not by a library).
enum CLIError: Error, CustomStringConvertible {
    /// An option or command needs a component this build does not contain.
    case notAvailable(feature: String, reason: String)
    /// A command-line value is out of range or inconsistent.
    case invalidArgument(option: String, found: String, expected: String)
    /// Writing or removing a file the command itself manages failed.
    case io(path: String, operation: String, detail: String)

    var description: String {
        switch self {
        case .notAvailable(let feature, let reason):
            return "\(feature) is not available in this build: \(reason)"
        case .invalidArgument(let option, let found, let expected):
            return "\(option) is \(found), expected \(expected)"
        case .io(let path, let operation, let detail):
            return "\(path): cannot \(operation): \(detail)"
        }
    }
}

/// The one place that turns errors and validation findings into messages and exit codes.
enum CLIFailure {
    /// The exit code for one error.
    static func exitCode(for error: any Error) -> CLIExitCode {
        switch error {
        case let e as BundleError:
            return e.isMalformedInput ? .malformed : .usageOrIO
        case let e as InteropError:
            if e.isCheckpointMismatch { return .incompatible }
            return e.isMalformedInput ? .malformed : .usageOrIO
        case let e as EngineError:
            switch e {
            case .incompatibleBundle, .tokenizerModelMismatch: return .incompatible
            case .unrecognizedCheckpoint, .missingTokenizer: return .malformed
            case .checkpointNotFound, .noChatTemplate, .emptyPrompt: return .usageOrIO
            }
        case let e as TensorFileError:
            switch e {
            case .cannotOpen, .writeFailed, .invalidInput, .bufferSize: return .usageOrIO
            default: return .malformed
            }
        case let e as TokenizerError:
            if case .unreadable = e { return .usageOrIO }
            return .malformed
        case is RuntimeError:
            // Checkpoints whose configuration or tensors are inconsistent.
            return .malformed
        case is CLIError:
            return .usageOrIO
        default:
            return .usageOrIO
        }
    }

    /// The one-line message for an error: `error[code]: description`, where `code` is the stable
    /// finding name (``BundleError/code``) for bundle errors.
    static func message(for error: any Error) -> String {
        switch error {
        case let e as BundleError:
            return "error[\(e.code)]: \(e.description)"
        case let e as CLIError:
            return "error: \(e.description)"
        default:
            return "error: \(error)"
        }
    }

    /// The exit code for a set of findings: the most specific failure wins
    /// (any I/O problem → 1, otherwise malformed → 2). Empty → success.
    static func exitCode(for findings: [any Error]) -> CLIExitCode {
        if findings.isEmpty { return .success }
        let codes = findings.map(exitCode(for:))
        if codes.contains(.usageOrIO) { return .usageOrIO }
        if codes.contains(.malformed) { return .malformed }
        return codes.max { $0.rawValue < $1.rawValue } ?? .usageOrIO
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

/// Unbuffered writes to standard error.
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
