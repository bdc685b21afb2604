import OpenAIRequests
import PrefixSupport
import TextTokenizers

/// The server's request decoding, as `POST /v1/completions` and `/v1/chat/completions` run it on
/// a body before anything reaches the model: `RequestBodyReader.object`, then
/// `CompletionParameters` as a completion and as a chat completion.
///
/// Invariants: no crash, no hang; a rejection is an ``APIError`` with status 400, type
/// `invalid_request_error` and a message under 16 KiB, whose `json` is OpenAI's error object
/// (`{"error": {"message", "type", "param", "code"}}`, read back with the strict parser);
/// accepted parameters are within the documented bounds (docs/serving.md: temperature in 0…2,
/// top_p in (0, 1], max_tokens ≥ 0, at most 4 stop strings, at least one message, 1...64 prompts
/// (token-id prompts non-empty, ids ≥ 0), n in 1...8,
/// penalties in -2...2, at most 300 logit_bias entries each in -100...100), and the body
/// written back from them decodes to the same parameters.
enum ServerRequestFuzzer {
    static func run(_ input: UnsafeRawBufferPointer) {
        let body = [UInt8](input)
        for chat in [false, true] {
            guard let parameters = decoded(body, chat: chat) else { continue }
            checkBounds(parameters)
            let rewritten = Array(canonicalBody(parameters).utf8)
            let again = decoded(rewritten, chat: chat)
            FuzzInvariant.require(again.map { same($0, parameters) } ?? false,
                                  "accepted parameters do not survive being written back: \(String(decoding: rewritten, as: UTF8.self).prefix(300))")
        }
    }

    /// The parameters, or nil after checking the rejection.
    static func decoded(_ body: [UInt8], chat: Bool) -> CompletionParameters? {
        do throws(APIError) {
            return try CompletionParameters(RequestBodyReader.object(body), chat: chat)
        } catch {
            checkRejection(error)
            return nil
        }
    }

    static func checkBounds(_ p: CompletionParameters) {
        let require = FuzzInvariant.require
        require((0...2).contains(p.temperature), "temperature \(p.temperature) outside 0...2")
        require(p.topP > 0 && p.topP <= 1, "top_p \(p.topP) outside (0, 1]")
        require((p.maxTokens ?? 0) >= 0, "max_tokens \(p.maxTokens ?? 0) < 0")
        require(p.stop.count <= CompletionParameters.maxStopStrings, "\(p.stop.count) stop strings")
        switch p.input {
        case .chat(let messages):
            require(!messages.isEmpty, "a chat without messages")
        case .prompts(let prompts):
            require((1...CompletionParameters.maxPrompts).contains(prompts.count), "\(prompts.count) prompts")
            for case .tokens(let ids) in prompts { require(!ids.isEmpty && ids.allSatisfy { $0 >= 0 }, "token ids \(ids.prefix(8))") }
        }
        require((1...CompletionParameters.maxChoices).contains(p.n), "n \(p.n) outside 1...\(CompletionParameters.maxChoices)")
        for penalty in [p.presencePenalty, p.frequencyPenalty] {
            require(CompletionParameters.penaltyRange.contains(Double(penalty)), "penalty \(penalty) outside -2...2")
        }
        require(p.logitBias.count <= CompletionParameters.maxLogitBiasEntries, "\(p.logitBias.count) logit_bias entries")
        for (id, bias) in p.logitBias {
            require(id >= 0 && CompletionParameters.biasRange.contains(Double(bias)), "logit_bias \(id): \(bias)")
        }
    }

    static func checkRejection(_ error: APIError) {
        let require = FuzzInvariant.require
        require(error.status.code == 400, "status \(error.status.code) for a malformed body: \(error.message.prefix(300))")
        require(error.type == "invalid_request_error", "type \(error.type)")
        require(!error.message.isEmpty, "an empty message")
        let size = error.message.utf8.count + (error.param?.utf8.count ?? 0) + (error.code?.utf8.count ?? 0)
        require(size <= FuzzInvariant.maxMessageBytes, "a \(size)-byte error: \(error.message.prefix(300))…")
        let shape: JSONField
        do throws(JSONSyntaxError) {
            shape = try JSONField.parse(Array(error.json.utf8), file: "error", requireObject: true)
        } catch let syntax {
            require(false, "the error body is not JSON (\(syntax.detail)): \(error.message.prefix(300))")
            return
        }
        guard case .object(let root) = shape.node, root.names == ["error"], case .object(let fields)? = root["error"] else {
            require(false, "the error body is not {\"error\": {...}}")
            return
        }
        require(fields.names == ["message", "type", "param", "code"], "error members \(fields.names)")
        require(fields["message"] == .string(error.message) && fields["type"] == .string(error.type),
                "message or type changed in the JSON body")
        require(fields["param"] == error.param.map(JSONNode.string) ?? .null, "param changed in the JSON body")
        require(fields["code"] == error.code.map(JSONNode.string) ?? .null, "code changed in the JSON body")
    }

    /// A body that states every parameter explicitly (the chat form reads `max_tokens` too).
    static func canonicalBody(_ p: CompletionParameters) -> String {
        var fields = ["\"model\":" + p.model.jsonLiteral]
        switch p.input {
        case .prompts(let prompts):
            func written(_ prompt: CompletionParameters.Prompt) -> String {
                switch prompt {
                case .text(let text): return text.jsonLiteral
                case .tokens(let ids): return "[" + ids.map(String.init).joined(separator: ",") + "]"
                }
            }
            // One prompt in its plain form, several as a list.
            let list = prompts.map(written)
            fields.append("\"prompt\":" + (list.count == 1 ? list[0] : "[" + list.joined(separator: ",") + "]"))
        case .chat(let messages):
            let items = messages.map { "{\"role\":\($0.role.jsonLiteral),\"content\":\($0.content.jsonLiteral)}" }
            fields.append("\"messages\":[" + items.joined(separator: ",") + "]")
        }
        if let maxTokens = p.maxTokens { fields.append("\"max_tokens\":\(maxTokens)") }
        fields.append("\"temperature\":\(Double(p.temperature))")
        fields.append("\"top_p\":\(Double(p.topP))")
        if let seed = p.seed { fields.append("\"seed\":\(Int64(bitPattern: seed))") }
        fields.append("\"stop\":[" + p.stop.map(\.jsonLiteral).joined(separator: ",") + "]")
        fields.append("\"stream\":\(p.stream)")
        fields.append("\"stream_options\":{\"include_usage\":\(p.includeUsage)}")
        fields.append("\"ignore_eos\":\(p.ignoreEOS)")
        fields.append("\"n\":\(p.n)")
        fields.append("\"presence_penalty\":\(Double(p.presencePenalty))")
        fields.append("\"frequency_penalty\":\(Double(p.frequencyPenalty))")
        let bias = p.logitBias.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(Double($0.value))" }
        fields.append("\"logit_bias\":{" + bias.joined(separator: ",") + "}")
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func same(_ a: CompletionParameters, _ b: CompletionParameters) -> Bool {
        let input: Bool
        switch (a.input, b.input) {
        case (.prompts(let x), .prompts(let y)): input = x == y
        case (.chat(let x), .chat(let y)): input = x == y
        default: input = false
        }
        return input && a.model == b.model && a.maxTokens == b.maxTokens && a.temperature == b.temperature && a.topP == b.topP
            && a.seed == b.seed && a.stop == b.stop && a.stream == b.stream && a.includeUsage == b.includeUsage
            && a.ignoreEOS == b.ignoreEOS && a.n == b.n && a.presencePenalty == b.presencePenalty
            && a.frequencyPenalty == b.frequencyPenalty && a.logitBias == b.logitBias
    }
}
