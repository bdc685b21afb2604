import PrefixSupport

// PrefixSupport sits below the error protocol, so its errors join ``PrefixError`` here: one
// that reaches the command line unwrapped still prints `error[CODE]` and exits with its
// category's documented code, never as `error[unexpected]`.

extension FileAccessError: PrefixError {
    /// `io-error`, as ``BundleError/io(file:operation:detail:)``.
    package var code: String { "io-error" }
    /// Always ``ErrorCategory/io``: a file could not be read, mapped or written (exit 1).
    package var category: ErrorCategory { .io }
}

extension JSONFieldError: PrefixError {
    /// `invalid-field`, as ``BundleError/invalidField(file:field:found:expected:)``.
    package var code: String { "invalid-field" }
    /// Always ``ErrorCategory/malformedInput`` (exit 2).
    package var category: ErrorCategory { .malformedInput }
}

extension JSONSyntaxError: PrefixError {
    /// `invalid-json`.
    package var code: String { "invalid-json" }
    /// Always ``ErrorCategory/malformedInput`` (exit 2).
    package var category: ErrorCategory { .malformedInput }
}
