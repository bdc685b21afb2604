import Foundation
import PrefixData
import PrefixEval
import XCTest

/// CSV/TSV/JSONL rows: RFC 4180 quoting, bad rows named by file and line, templates, fields.
final class RowParsingTests: XCTestCase {
    func testQuotedCSVMatchesPythonCSVAndReportsBadRows() throws {
        let file = DataFixtures.path("quoted.csv")
        let (pairs, report) = try DatasetLoader.readPairs(
            sources: [DataSource(parsing: file)], options: DatasetOptions(fields: .fields(prompt: "mr", target: "ref")))
        // Python's csv module reads the same fields (see Fixtures/data/PROVENANCE.md).
        XCTAssertEqual(pairs.map(\.prompt), [.text("name[A], food[B]"), .text("name[Plain]"), .text("name[Multi]"), .text("name[A], food[B]")])
        XCTAssertEqual(pairs.map(\.target), [
            .text("Says \"hi\", then leaves."), .text("Plain text £ Café"), .text("line one\r\nline two"),
            .text("Second reference for A."),
        ])
        XCTAssertEqual(pairs.map(\.location.line), [2, 3, 4, 9])
        XCTAssertEqual(report.rows, 6)
        XCTAssertEqual(report.skippedRows, 2)
        XCTAssertEqual(report.issues.map(\.location), [DataLocation(file: file, line: 7), DataLocation(file: file, line: 8)])
        XCTAssertTrue(report.issues[0].description.contains("quoted.csv line 7: expected 2 fields"), report.issues[0].description)
        XCTAssertTrue(report.issues[1].reason.contains("after the closing quote"), report.issues[1].reason)
    }

    func testE2EDefaultTemplateAndCustomTemplate() throws {
        let source = DataSource(parsing: DataFixtures.path("quoted.csv"))
        let (automatic, _) = try DatasetLoader.readPairs(sources: [source])
        XCTAssertEqual(automatic[0].prompt, .text("name[A], food[B] => "))
        XCTAssertEqual(automatic[0].target, .text("Says \"hi\", then leaves."))
        let fields = ExampleFields.text(
            prompt: try FieldTemplate("Table: {mr} {{x}}\nText:"), target: try FieldTemplate(" {ref}"))
        let (custom, _) = try DatasetLoader.readPairs(sources: [source], options: DatasetOptions(fields: fields))
        XCTAssertEqual(custom[1].prompt, .text("Table: name[Plain] {x}\nText:"))
        XCTAssertEqual(custom[1].target, .text(" Plain text £ Café"))
    }

    func testTemplateErrors() {
        XCTAssertThrowsError(try FieldTemplate("{mr")) { XCTAssertTrue("\($0)".contains("never closed")) }
        XCTAssertThrowsError(try FieldTemplate("a}b")) { XCTAssertTrue("\($0)".contains("without '{'")) }
        XCTAssertThrowsError(try FieldTemplate("{}"))
        let fields = ExampleFields.text(prompt: FieldTemplate(field: "meaning"), target: FieldTemplate(field: "ref"))
        XCTAssertThrowsError(try DatasetLoader.readPairs(
            sources: [DataSource(parsing: DataFixtures.path("quoted.csv"))], options: DatasetOptions(fields: fields))
        ) { error in
            guard case DataError.missingColumn(_, let column, let available) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(column, "meaning")
            XCTAssertEqual(available, ["mr", "ref"])
        }
    }

    func testJSONLTextFieldsWithBadLines() throws {
        let file = DataFixtures.path("examples.jsonl")
        let (pairs, report) = try DatasetLoader.readPairs(sources: [DataSource(parsing: file)])
        XCTAssertEqual(pairs.map(\.prompt), [.text("Q: 1+1 => "), .text("Q: bye => ")])
        XCTAssertEqual(pairs.map(\.target), [.text("2"), .text("bye é")])
        XCTAssertEqual(pairs.map(\.location.line), [1, 5])
        XCTAssertEqual(report.rows, 4)
        XCTAssertEqual(report.skippedRows, 2)
        XCTAssertEqual(report.issues.map(\.location.line), [2, 3])
        XCTAssertTrue(report.issues[0].reason.contains("field 'target' is the number 5"), report.issues[0].reason)
        XCTAssertTrue(report.issues[1].reason.contains("not valid JSON"), report.issues[1].reason)
        XCTAssertThrowsError(try DatasetLoader.readPairs(
            sources: [DataSource(parsing: file)], options: DatasetOptions(stopAtFirstBadRow: true))
        ) { error in
            guard case DataError.badRow(let issue) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(issue.location.line, 2)
        }
    }

    func testTSVAndExplicitFormat() throws {
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tsv = dir.appendingPathComponent("d.tsv")
        try Data("prompt\ttarget\nin \"a\"\tout, b\n\"x\ty\"\tz\n".utf8).write(to: tsv)
        let (pairs, _) = try DatasetLoader.readPairs(sources: [DataSource(parsing: tsv.path)])
        XCTAssertEqual(pairs.map(\.prompt), [.text("in \"a\""), .text("x\ty")])
        XCTAssertEqual(pairs.map(\.target), [.text("out, b"), .text("z")])
        let noExtension = dir.appendingPathComponent("data")
        try Data("prompt,target\na,b\n".utf8).write(to: noExtension)
        XCTAssertThrowsError(try DatasetLoader.readPairs(sources: [DataSource(parsing: noExtension.path)])) {
            guard case DataError.unknownFormat = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try DatasetLoader.readPairs(
            sources: [DataSource(parsing: noExtension.path)], options: DatasetOptions(format: .csv)).pairs.count, 1)
    }

    func testEmptyAndAllBadDataAreErrors() throws {
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let headerOnly = dir.appendingPathComponent("h.csv")
        try Data("mr,ref\r\n".utf8).write(to: headerOnly)
        XCTAssertThrowsError(try DatasetLoader.readPairs(sources: [DataSource(parsing: headerOnly.path)])) {
            guard case DataError.noExamples(_, 0, 0, nil) = $0 else { return XCTFail("\($0)") }
        }
        let empty = dir.appendingPathComponent("e.csv")
        try Data().write(to: empty)
        XCTAssertThrowsError(try DatasetLoader.readPairs(sources: [DataSource(parsing: empty.path)])) {
            guard case DataError.invalidHeader = $0 else { return XCTFail("\($0)") }
        }
        let allBad = dir.appendingPathComponent("b.jsonl")
        try Data("{\"prompt\": \"a\", \"target\": \"b\"\n[1]\n".utf8).write(to: allBad)
        let fields = ExampleFields.fields(prompt: "prompt", target: "target")
        XCTAssertThrowsError(try DatasetLoader.readPairs(
            sources: [DataSource(parsing: allBad.path)], options: DatasetOptions(fields: fields))
        ) { error in
            guard case DataError.noExamples(_, 2, 2, let first?) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(first.location.line, 1)
            XCTAssertTrue("\(error)".contains("b.jsonl line 1"), "\(error)")
        }
        let latin1 = dir.appendingPathComponent("l.csv")
        try Data([UInt8]("mr,ref\nok,fine\n".utf8) + [0x43, 0x61, 0x66, 0xE9, 0x2C, 0x78, 0x0A]).write(to: latin1)
        let (kept, latinReport) = try DatasetLoader.readPairs(sources: [DataSource(parsing: latin1.path)])
        XCTAssertEqual(kept.count, 1)
        XCTAssertEqual(latinReport.issues.map(\.location.line), [3])
        XCTAssertTrue(latinReport.issues[0].reason.contains("not valid UTF-8"), latinReport.issues[0].reason)
        let unterminated = dir.appendingPathComponent("u.csv")
        try Data("mr,ref\n\"open,x\n".utf8).write(to: unterminated)
        XCTAssertThrowsError(try DatasetLoader.readPairs(sources: [DataSource(parsing: unterminated.path)])) {
            guard case DataError.noExamples(_, 1, 1, let first?) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(first.reason.contains("never closed"), first.reason)
        }
    }

    func testEvalGroupingKeepsFirstAppearanceOrderAndAllReferences() throws {
        let (pairs, _) = try DatasetLoader.readPairs(sources: [DataSource(parsing: DataFixtures.path("quoted.csv"))])
        let groups = groupReferencesByInput(try EvalGrouping.textPairs(pairs))
        XCTAssertEqual(groups.map(\.input), ["name[A], food[B] => ", "name[Plain] => ", "name[Multi] => "])
        XCTAssertEqual(groups[0].references, ["Says \"hi\", then leaves.", "Second reference for A."])
        XCTAssertEqual(pairs[groups[0].sourceIndices[0]].location.line, 2)
        let ids = [DataPair(location: DataLocation(file: "f", line: 1), prompt: .ids([1]), target: .ids([2]))]
        XCTAssertThrowsError(try EvalGrouping.textPairs(ids))
    }
}
