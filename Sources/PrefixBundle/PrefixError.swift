import Foundation

/// What kind of problem an error reports. The command-line tool maps it to its exit code
/// (usage and I/O → 1, malformed input → 2, incompatible → 3).
public enum ErrorCategory: String, Sendable, CaseIterable {
    /// Bad arguments or options, or an API used with inconsistent values.
    case usage
    /// A file or folder is missing, unreadable or unwritable.
    case io
    /// An input file (bundle, checkpoint, tokenizer, adapter, archive, data) is malformed,
    /// corrupt, hostile or of an unsupported kind.
    case malformedInput = "malformed-input"
    /// Each input is well formed but they do not fit each other (bundle vs checkpoint).
    case incompatible
}

/// The one error protocol of prefixpack: every error enum of every target conforms.
///
/// ``code`` is a stable kebab-case name (the bundle codes are listed in Spec/ptx-v1.md §9),
/// ``category`` says what kind of problem it is, and `description` is a message that names the
/// file (first, as `FILE: …`), the field, the value found and the value expected. Quote input
/// in messages with ``PrintableText/quoted(_:)`` so that it is short and cannot control a terminal.
public protocol PrefixError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// Stable, machine-readable name of the case, e.g. `"crc-mismatch"`.
    var code: String { get }
    /// What kind of problem this is.
    var category: ErrorCategory { get }
}

extension PrefixError {
    /// Same as `description`.
    public var errorDescription: String? { description }
}
