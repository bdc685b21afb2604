import Foundation
import PrefixBundle

/// How every `--json` of the CLI is produced: Foundation's `JSONEncoder`, keys sorted, slashes
/// unescaped (JSON escapes the control characters).
enum JSONOutput {
    /// A document (pretty-printed: `inspect`, `inspect-model`; one line: `tokenize`) whose Unicode
    /// line breaks and format controls are escaped as well (``PrintableText/jsonEscaped(_:)``).
    static func document<Value: Encodable>(
        _ value: Value, pretty: Bool = true, keys: JSONEncoder.KeyEncodingStrategy = .useDefaultKeys
    ) throws -> String {
        PrintableText.jsonEscaped(try encode(value, pretty ? [.prettyPrinted] : [], keys: keys))
    }

    /// Every `bench … --json` report: one line, property names in snake_case
    /// (`stepCPUSeconds` → `step_cpu_seconds`), so a report declares no key names.
    static func printLine<Report: Encodable>(_ report: Report) throws {
        print(try encode(report, [], keys: .convertToSnakeCase))
    }

    private static func encode<Value: Encodable>(
        _ value: Value, _ formatting: JSONEncoder.OutputFormatting, keys: JSONEncoder.KeyEncodingStrategy
    ) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting.union([.sortedKeys, .withoutEscapingSlashes])
        encoder.keyEncodingStrategy = keys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
