import Foundation
import PrefixBundle

/// Human-readable lines on standard output. Each call prints ONE line: every control character
/// in it (a newline included) is escaped by ``PrintableText``, so text from a file can neither
/// start a line of its own nor control the terminal, and a line longer than ``lineLimit`` bytes
/// is cut with a length note. Machine output (JSON, generated text) uses `print`.
enum StandardOutput {
    /// Longest line printed, in UTF-8 bytes.
    static let lineLimit = 4096

    static func print(_ line: String) {
        Swift.print(PrintableText.escaped(line, limit: lineLimit))
    }
}

/// Human-readable lines on standard error, unbuffered; escaped and shortened like ``StandardOutput``.
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((PrintableText.escaped(line, limit: StandardOutput.lineLimit) + "\n").utf8))
    }

    /// Text whose line breaks are the formatter's own (argument-parser's usage messages):
    /// each line is escaped on its own.
    static func printLines(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { print(String(line)) }
    }
}
