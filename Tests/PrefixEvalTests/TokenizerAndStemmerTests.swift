import XCTest
@testable import PrefixEval

/// Hand-derived cases for sacrebleu's 13a tokenizer and NLTK's Porter stemmer.
final class TokenizerAndStemmerTests: XCTestCase {
    func tokens(_ s: String) -> [String] {
        Tokenizer13a.tokenize(s).map { String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init))) }
    }

    func testPunctuationAndDigits() {
        XCTAssertEqual(tokens("Hello, world."), ["Hello", ",", "world", "."])
        XCTAssertEqual(tokens("It costs £20-25."), ["It", "costs", "£20", "-", "25", "."])
        XCTAssertEqual(tokens("Rated 3.5 of 1,000"), ["Rated", "3.5", "of", "1,000"])
        XCTAssertEqual(tokens("a family-friendly (cheap) place"), ["a", "family-friendly", "(", "cheap", ")", "place"])
        XCTAssertEqual(tokens("U.S.A."), ["U", ".", "S", ".", "A", "."])
        XCTAssertEqual(tokens("x.y"), ["x", ".", "y"])
    }

    func testEscapesSkippedAndLineBreaks() {
        XCTAssertEqual(tokens("&quot;x&quot; &amp; y &lt;z&gt;"), ["\"", "x", "\"", "&", "y", "<", "z", ">"])
        XCTAssertEqual(tokens("a<skipped>b"), ["ab"])
        XCTAssertEqual(tokens("end-\nline\nnext"), ["endline", "next"])
        XCTAssertEqual(tokens("Hi!Bye?"), ["Hi", "!", "Bye", "?"])
    }

    func testPythonWhitespaceAndNoNormalization() {
        XCTAssertEqual(tokens("a\u{00A0}b\u{2009}c\u{3000}d"), ["a", "b", "c", "d"])
        // Precomposed and decomposed é are different tokens, as in Python.
        let composed = Tokenizer13a.tokenize("caf\u{00E9}"), decomposed = Tokenizer13a.tokenize("cafe\u{0301}")
        XCTAssertNotEqual(composed, decomposed)
    }

    func testPorterStemmerNLTKExtensions() {
        let cases: [(String, String)] = [
            ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("cats", "cat"), ("feed", "feed"),
            ("agreed", "agre"), ("plastered", "plaster"), ("motoring", "motor"), ("sing", "sing"),
            ("hopping", "hop"), ("falling", "fall"), ("filing", "file"), ("happy", "happi"),
            ("generalization", "gener"), ("dying", "die"), ("skies", "sky"), ("running", "run"),
            ("restaurants", "restaur"), ("friendly", "friendli"), ("at", "at"),
        ]
        for (word, stem) in cases { XCTAssertEqual(PorterStemmer.stem(word), stem, word) }
    }

    func testRougeTokenizer() {
        let t = RougeL.tokenize("The Café £20-25, RATED 5!", useStemmer: false).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(t, ["the", "caf", "20", "25", "rated", "5"])
        let s = RougeL.tokenize("restaurants running", useStemmer: true).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(s, ["restaur", "run"])
    }
}
