import PrefixBundle

/// The invariants every fuzz target shares. A broken one traps with a message (printed in
/// optimized builds too, unlike `precondition`'s), which libFuzzer records as a crash.
enum FuzzInvariant {
    /// Longest error message accepted: messages quote input only in shortened form
    /// (`PrintableText.quoted`), so a large hostile file never yields a large message.
    static let maxMessageBytes = 16 << 10

    /// Traps with `message` when `condition` is false.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("prefixpack-fuzz invariant broken: " + message()) }
    }

    /// A rejection must be a typed ``PrefixError`` whose code and message can be built
    /// (from file-supplied values, without trapping) and stay short.
    static func checkRejection(_ error: any Error, _ parser: String) {
        guard let typed = error as? any PrefixError else {
            require(false, "\(parser) threw an untyped error \(type(of: error)): \(error)")
            return
        }
        let message = typed.description
        require(!typed.code.isEmpty, "\(parser): error without a code: \(message)")
        require(message.utf8.count <= maxMessageBytes,
                "\(parser): \(message.utf8.count)-byte error message [\(typed.code)]: \(message.prefix(300))…")
    }
}

/// Runs `body`; a thrown error must pass ``FuzzInvariant/checkRejection(_:_:)``; returns nil then.
func accepted<T>(_ parser: String, _ body: () throws -> T) -> T? {
    do { return try body() } catch {
        FuzzInvariant.checkRejection(error, parser)
        return nil
    }
}
