import PrefixSupport

/// The `logprobs` object of a choice, in OpenAI's two shapes.
///
/// - Completions: `{"tokens": [...], "token_logprobs": [...], "top_logprobs": [{token: logprob}
///   per position], "text_offset": [...]}`. `text_offset` counts Unicode scalars (Python's
///   `len`) of the token pieces before each token, from 0 at the start of the text (as vLLM):
///   the completion's, or with `echo` the prompt's (``echoed(_:firstIsAdded:then:offset:)``). A
///   `top_logprobs` object keeps the first (more likely) of two tokens with the same text, as
///   JSON names must differ.
/// - Chat: `{"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob",
///   "bytes"}]}]}`.
///
/// A log probability that is not finite (a `-inf` logit) is written `-9999.0`, OpenAI's value
/// for "very unlikely", as JSON has no infinity.
enum LogprobJSON {
    /// A log probability as a JSON number.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "-9999.0"
    }

    /// The completions shape; `offset` is the text offset of the first entry and is advanced past the last.
    static func completion(_ entries: [TokenLogprob], offset: inout Int) -> String {
        object(columns(entries, offset: &offset))
    }

    /// The completions shape of an echoed prompt followed by the completion's `entries`
    /// (`echo` with `logprobs`): the prompt's first token with `null` in `token_logprobs` and
    /// `top_logprobs` (nothing precedes it), its other tokens, then `entries`. Text offsets count
    /// from the start of the echoed text; when `firstIsAdded` (a BOS the server put in front,
    /// whose text is not part of the echoed text) the first token's offset is 0 and does not
    /// advance, so every other offset is its token's place in the text. `offset` is set to the
    /// text offset after the last entry (a stream's next chunk continues from there).
    static func echoed(_ prompt: PromptLogprobs, firstIsAdded: Bool, then entries: [TokenLogprob], offset: inout Int) -> String {
        offset = firstIsAdded ? 0 : prompt.firstText.unicodeScalars.count
        var rest = columns(prompt.rest + entries, offset: &offset)
        rest.tokens.insert(prompt.firstText.jsonLiteral, at: 0)
        rest.values.insert("null", at: 0)
        rest.tops.insert("null", at: 0)
        rest.offsets.insert("0", at: 0)
        return object(rest)
    }

    /// The four arrays of the completions shape, one JSON value per entry.
    private struct Columns {
        var tokens: [String] = [], values: [String] = [], tops: [String] = [], offsets: [String] = []
    }

    private static func columns(_ entries: [TokenLogprob], offset: inout Int) -> Columns {
        var columns = Columns()
        columns.offsets.reserveCapacity(entries.count)
        for entry in entries {
            columns.offsets.append(String(offset))
            offset += entry.chosen.text.unicodeScalars.count
        }
        columns.tops = entries.map { entry -> String in
            var seen: Set<String> = []
            let members = entry.top.compactMap { c -> String? in
                seen.insert(c.text).inserted ? "\(c.text.jsonLiteral):\(number(c.logprob))" : nil
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        columns.tokens = entries.map(\.chosen.text.jsonLiteral)
        columns.values = entries.map { number($0.chosen.logprob) }
        return columns
    }

    private static func object(_ c: Columns) -> String {
        "{\"tokens\":[" + c.tokens.joined(separator: ",") + "],\"token_logprobs\":[" + c.values.joined(separator: ",")
            + "],\"top_logprobs\":[" + c.tops.joined(separator: ",") + "],\"text_offset\":[" + c.offsets.joined(separator: ",") + "]}"
    }

    /// The chat shape.
    static func chat(_ entries: [TokenLogprob]) -> String {
        func fields(_ c: TokenLogprob.Candidate) -> String {
            "\"token\":\(c.text.jsonLiteral),\"logprob\":\(number(c.logprob)),\"bytes\":[" + c.bytes.map { String($0) }.joined(separator: ",") + "]"
        }
        let content = entries.map { entry in
            "{" + fields(entry.chosen) + ",\"top_logprobs\":[" + entry.top.map { "{" + fields($0) + "}" }.joined(separator: ",") + "]}"
        }
        return "{\"content\":[" + content.joined(separator: ",") + "]}"
    }
}
