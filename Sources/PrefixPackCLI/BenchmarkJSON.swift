import Foundation

/// How every `bench … --json` report is printed: one line, keys sorted, property names in
/// snake_case (`stepCPUSeconds` → `step_cpu_seconds`), so a report declares no key names.
enum BenchmarkJSON {
    static func print<Report: Encodable>(_ report: Report) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))  // JSON escapes control characters
    }
}
