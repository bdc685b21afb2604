import PrefixSupport

/// Writing JSON text by hand for the API's responses.
package enum JSONText {
    /// `s` as a JSON string literal, quotes included: PrefixSupport's one escaper
    /// (`String.jsonLiteral`: control characters and U+2028/U+2029 escaped, so generated text can
    /// never break a response or an SSE event line).
    package static func quote(_ s: String) -> String { s.jsonLiteral }
}
