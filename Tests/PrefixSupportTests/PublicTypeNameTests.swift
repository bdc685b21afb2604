import Foundation
import XCTest

/// Reads every Swift file under `Sources/` and checks that no top-level `public` or `package`
/// type name (struct, enum, class, protocol, typealias, actor) is defined in two targets: two
/// `HalfPrecision`s or two `JSONValue`s in one import scope are ambiguous, and they drift apart.
final class PublicTypeNameTests: XCTestCase {
    /// The package root: this file is `Tests/PrefixSupportTests/PublicTypeNameTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `public final class Name`, `package enum Name`, … at the start of a line (top level).
    static let pattern = #"^(?:public|package|open)\s+(?:(?:final|indirect)\s+)*(?:struct|enum|class|protocol|typealias|actor)\s+([A-Za-z_][A-Za-z_0-9]*)"#

    /// Type name → the targets (first folder under `Sources/`) that define it.
    static func definitions(in sources: URL) throws -> [String: Set<String>] {
        let declaration = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        var targets: [String: Set<String>] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(sources.standardizedFileURL.path.count + 1)
            guard let target = relative.split(separator: "/").first.map(String.init) else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in declaration.matches(in: text, range: range) {
                guard let name = Range(match.range(at: 1), in: text).map({ String(text[$0]) }) else { continue }
                targets[name, default: []].insert(target)
            }
        }
        return targets
    }

    func testNoPublicTypeNameIsDefinedInTwoTargets() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources")
        let definitions = try Self.definitions(in: sources)
        XCTAssertGreaterThan(definitions.count, 100, "expected to find the package's public types under \(sources.path)")
        XCTAssertEqual(definitions["HalfPrecision"], ["PrefixBundle"])
        let twice = definitions.filter { $0.value.count > 1 }.map { "\($0.key): \($0.value.sorted().joined(separator: ", "))" }
        XCTAssertEqual(twice.sorted(), [], "type names defined in more than one target")
    }

    /// The scan itself finds a name defined in two targets (so the check above can fail).
    func testScanFindsADuplicate() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("typenames-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (target, text) in [("A", "public enum Twice {}\n"), ("B", "package struct Twice {}\n    public struct Nested {}\n")] {
            let folder = root.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent("F.swift"))
        }
        let definitions = try Self.definitions(in: root)
        XCTAssertEqual(definitions["Twice"], ["A", "B"])
        XCTAssertNil(definitions["Nested"], "nested types are qualified by their parent")
    }
}
