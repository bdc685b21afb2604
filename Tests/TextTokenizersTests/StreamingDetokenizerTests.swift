import Foundation
import XCTest
@testable import TextTokenizers

final class StreamingDetokenizerTests: XCTestCase {
    func streamed(_ tok: BPETokenizer, _ ids: [Int]) -> (String, [String]) {
        var stream = StreamingDetokenizer(tokenizer: tok)
        var pieces = ids.map { stream.append($0) }
        pieces.append(stream.finish())
        return (pieces.joined(), pieces)
    }

    /// Token-by-token output concatenates to the full decode for every reference id list.
    func testStreamEqualsFullDecode() throws {
        let tok = try SmolLM2TokenizerTests.fromJSON.get()
        let cases = try ReferenceCase.load("smollm2-corpus.json")
        let fuzz = try FuzzReferenceTests.reference.get().smollm2.ids
        for ids in cases.map(\.ids) + fuzz {
            XCTAssertEqual(Array(streamed(tok, ids).0.utf8), Array(tok.decode(ids).utf8))
        }
    }

    func testSplitCharacterIsHeldUntilComplete() throws {
        let tok = try SmolLM2TokenizerTests.fromJSON.get()
        // "ðŁĺ" + "Ģ" are the four bytes of 😀 (see tokenization_detail.json).
        let ids = [try XCTUnwrap(tok.tokenID(forToken: "ĠðŁĺ")), try XCTUnwrap(tok.tokenID(forToken: "Ģ"))]
        let (text, pieces) = streamed(tok, ids)
        XCTAssertEqual(pieces, [" ", "😀", ""])  // the space is complete at once
        XCTAssertEqual(text, " 😀")
        // An incomplete character left at the end becomes U+FFFD.
        XCTAssertEqual(streamed(tok, [ids[0]]).1, [" ", "\u{FFFD}"])
    }

    func testIncompleteTailLength() {
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0x61]), 0)
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0x61, 0xE2]), 1)
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0xE2, 0x82]), 2)
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0xE2, 0x82, 0xAC]), 0)
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0xF0, 0x9F, 0x98]), 3)
        XCTAssertEqual(StreamingDetokenizer.incompleteTailLength([0x80, 0x80, 0x80, 0x80]), 0)
    }
}
