import PrefixSupport

/// The `logprobs` object of a choice, in OpenAI's two shapes.
///
/// - Completions: `{"tokens": [...], "token_logprobs": [...], "top_logprobs": [{token: logprob}
///   per position], "text_offset": [...]}`. `text_offset` counts Unicode scalars (Python's
///   `len`) of the token pieces before each token, from 0 at the start of the completion (as
///   vLLM; `echo` is not supported, so the prompt is never part of the text). A `top_logprobs`
///   object keeps the first (more likely) of two tokens with the same text, as JSON names must
///   differ.
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
        var offsets: [String] = []
        offsets.reserveCapacity(entries.count)
        for entry in entries {
            offsets.append(String(offset))
            offset += entry.chosen.text.unicodeScalars.count
        }
        let tops = entries.map { entry -> String in
            var seen: Set<String> = []
            let members = entry.top.compactMap { c -> String? in
                seen.insert(c.text).inserted ? "\(c.text.jsonLiteral):\(number(c.logprob))" : nil
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        return "{\"tokens\":[" + entries.map(\.chosen.text.jsonLiteral).joined(separator: ",")
            + "],\"token_logprobs\":[" + entries.map { number($0.chosen.logprob) }.joined(separator: ",")
            + "],\"top_logprobs\":[" + tops.joined(separator: ",")
            + "],\"text_offset\":[" + offsets.joined(separator: ",") + "]}"
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
