import XCTest
@testable import PrefixBundle

final class TokenizerHashTests: XCTestCase {
    func testCanonicalBytesLayout() {
        let input = TokenizerHash.Input(modelType: "bpe", tokens: ["a", "b", "ab"], merges: [("a", "b")], specialTokenIDs: [2, 0, 2])
        let bytes = TokenizerHash.canonicalBytes(input)
        var expected = Array(TokenizerHash.tag.utf8)
        expected += [3, 0, 0, 0] + Array("bpe".utf8)
        expected += [3, 0, 0, 0] + [1, 0, 0, 0, 0x61] + [1, 0, 0, 0, 0x62] + [2, 0, 0, 0, 0x61, 0x62]
        expected += [1, 0, 0, 0] + [1, 0, 0, 0, 0x61] + [1, 0, 0, 0, 0x62]
        expected += [2, 0, 0, 0] + [0, 0, 0, 0] + [2, 0, 0, 0]
        XCTAssertEqual(bytes, expected)
    }

    func testHashFormatAndSensitivity() {
        let a = TokenizerHash.Input(modelType: "bpe", tokens: ["a", "b", "ab"], merges: [("a", "b")], specialTokenIDs: [0])
        var b = a
        b.tokens[2] = "ba"
        let ha = TokenizerHash.compute(a)
        XCTAssertTrue(ha.hasPrefix("sha256:"))
        XCTAssertEqual(ha.count, 7 + 64)
        XCTAssertNotEqual(ha, TokenizerHash.compute(b))
        // Splitting differently must not collide: ("ab","") vs ("a","b").
        let c = TokenizerHash.Input(modelType: "bpe", tokens: ["ab", ""], merges: [], specialTokenIDs: [])
        let d = TokenizerHash.Input(modelType: "bpe", tokens: ["a", "b"], merges: [], specialTokenIDs: [])
        XCTAssertNotEqual(TokenizerHash.compute(c), TokenizerHash.compute(d))
    }
}
