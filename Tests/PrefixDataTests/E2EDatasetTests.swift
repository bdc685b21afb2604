import Foundation
import PrefixData
import PrefixEval
import XCTest

/// The real E2E release shipped in data/e2e, read straight from its zip. Expected counts are those
/// of the dataset's README (Python `csv`).
final class E2EDatasetTests: XCTestCase {
    func testTrainFromZipMatchesTheREADME() throws {
        let zip = try DataFixtures.e2eZip()
        let (pairs, report) = try DatasetLoader.readPairs(sources: [DataSource(parsing: zip + ":train.csv")])
        XCTAssertEqual(report.documents, [zip + ":train.csv"])
        XCTAssertEqual(report.rows, 42_061)
        XCTAssertEqual(report.skippedRows, 0)
        XCTAssertEqual(pairs.count, 42_061)
        XCTAssertEqual(pairs[0].prompt, .text(
            "name[The Vaults], eatType[pub], priceRange[more than £30], customer rating[5 out of 5], near[Café Adriatic] => "))
        XCTAssertEqual(pairs[0].target, .text("The Vaults pub near Café Adriatic has a 5 star rating.  Prices start at £30."))
        // The two rows whose quoted ref holds a CRLF start on file lines 15766 and 32412.
        let withBreak = pairs.filter { if case .text(let t) = $0.target { return t.contains("\r\n") } else { return false } }
        XCTAssertEqual(withBreak.map(\.location.line), [15_766, 32_412])
        XCTAssertEqual(pairs[15_764].location.line, 15_766)
        XCTAssertEqual(pairs[15_765].location.line, 15_768)
        let groups = groupReferencesByInput(try EvalGrouping.textPairs(pairs))
        XCTAssertEqual(groups.count, 4_862)
        XCTAssertEqual(groups[0].references.count, 16)
        XCTAssertEqual(groups.map(\.references.count).reduce(0, +), 42_061)
    }

    func testDevFromZipEqualsPlainFileAndGroups() throws {
        let zip = try DataFixtures.e2eZip()
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let encoder = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: 96))
        let fromZip = try DatasetLoader.load(sources: [DataSource(parsing: zip + ":dev.csv")], encoder: encoder)
        XCTAssertEqual(fromZip.report.rows, 4_672)
        XCTAssertEqual(fromZip.report.skippedRows, 0)
        XCTAssertEqual(fromZip.examples.count + fromZip.report.overlongSkipped, 4_672)
        if let plain = DataFixtures.sharedE2EDevCSV {
            let fromFile = try DatasetLoader.load(sources: [DataSource(parsing: plain)], encoder: encoder)
            XCTAssertEqual(fromFile.digest, fromZip.digest)
            XCTAssertEqual(fromFile.report.truncatedExamples, fromZip.report.truncatedExamples)
        }
        let (pairs, _) = try DatasetLoader.readPairs(sources: [DataSource(parsing: zip + ":dev.csv")])
        let groups = groupReferencesByInput(try EvalGrouping.textPairs(pairs))
        XCTAssertEqual(groups.count, 547)
        XCTAssertEqual(groups[0].input, "name[Alimentum], area[city centre], familyFriendly[no] => ")
        XCTAssertEqual(groups[0].references.count, 6)
        XCTAssertThrowsError(try DataSource(parsing: zip).readDocuments()) {
            guard case DataError.ambiguousArchive = $0 else { return XCTFail("\($0)") }
        }
        let both = try DataSource(parsing: zip + ":*.csv").readDocuments()
        XCTAssertEqual(both.compactMap(\.member).sorted(), ["dev.csv", "train.csv"])
    }
}
