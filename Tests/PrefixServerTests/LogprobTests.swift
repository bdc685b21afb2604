import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `logprobs`: the log-softmax against a direct Float64 computation, the response shapes of
/// both endpoints (streamed and whole), greedy's token being the top-1, and unchanged output.
final class LogprobTests: XCTestCase {
    /// The tiny model's logits after `prompt`.
    private func logits(_ c: Checkpoint, _ prompt: String) throws -> [Float] {
        let session = c.model.makeSession()
        return try session.forwardLast(try c.promptTokens(prompt)) { Array($0) }
    }

    func testLogSoftmaxEqualsADirectFloat64Computation() throws {
        let c = try ServerFixtures.tiny()
        let calculator = LogprobCalculator(top: 5, tokenizer: c.tokenizer)
        for prompt in ["hello world", "the cat sat on the mat and"] {
            let l = try logits(c, prompt)
            // Direct: ln p_i = l_i - ln Σ_j exp(l_j), every term in Float64, no shift (the tiny
            // model's logits are small enough for exp not to overflow).
            let z = Foundation.log(l.reduce(0.0) { $0 + Foundation.exp(Double($1)) })
            let direct = l.map { Double($0) - z }
            let order = direct.indices.sorted { direct[$0] != direct[$1] ? direct[$0] > direct[$1] : $0 < $1 }
            for chosen in [0, 7, order[0], order[200]] {
                let result = l.withUnsafeBufferPointer { calculator.logprobs($0, chosen: chosen) }
                // Tolerance 1e-9 (absolute, in nats): both are Float64 sums of 512 terms.
                XCTAssertEqual(result.chosen.logprob, direct[chosen], accuracy: 1e-9, prompt)
                XCTAssertEqual(result.top.map(\.id), Array(order.prefix(5)), prompt)
                for candidate in result.top { XCTAssertEqual(candidate.logprob, direct[candidate.id], accuracy: 1e-9) }
                XCTAssertEqual(result.chosen.bytes, c.tokenizer.bytes(forID: chosen))
            }
            let total = direct.reduce(0.0) { $0 + Foundation.exp($1) }
            XCTAssertEqual(total, 1, accuracy: 1e-12)
        }
    }

    func testLogSoftmaxOnSmolLM2sVocabularyEqualsADirectFloat64Computation() throws {
        let c = try ServerFixtures.smolLM2()
        let l = try logits(c, "The capital of France is")
        let z = Foundation.log(l.reduce(0.0) { $0 + Foundation.exp(Double($1)) })  // logits ~ tens: no overflow in Float64
        let calculator = LogprobCalculator(top: 20, tokenizer: c.tokenizer)
        let greedy = l.indices.max { l[$0] < l[$1] || (l[$0] == l[$1] && $0 > $1) }!
        let result = l.withUnsafeBufferPointer { calculator.logprobs($0, chosen: greedy) }
        var worst = 0.0
        for candidate in [result.chosen] + result.top { worst = max(worst, abs(candidate.logprob - (Double(l[candidate.id]) - z))) }
        XCTAssertLessThan(worst, 1e-9, "\(l.count) logits")
        XCTAssertEqual(result.top.first, result.chosen)  // greedy's token is the top-1, same value
        print("SmolLM2 log-softmax: \(l.count) logits, greedy \(result.chosen.text.debugDescription) logprob \(result.chosen.logprob), largest difference to Float64 direct \(worst)")
    }

    func testLogSumExpIsStableForHugeLogitsAndKeepsTiesInIDOrder() {
        let logits: [Float] = [1000, 1000, -.infinity, 999]
        logits.withUnsafeBufferPointer { buffer in
            let expected = 1000 + Foundation.log(2 + Foundation.exp(-1.0))  // exp(1000) alone overflows Float64
            XCTAssertEqual(SoftmaxOp.logSumExp(buffer), expected, accuracy: 1e-9)
            XCTAssertEqual(LogprobCalculator.topIDs(buffer, count: 3), [0, 1, 3])
            XCTAssertEqual(LogprobCalculator.topIDs(buffer, count: 0), [])
        }
        XCTAssertEqual(LogprobJSON.number(-.infinity), "-9999.0")
        XCTAssertEqual(LogprobJSON.number(.nan), "-9999.0")
    }

    func testAnIncompleteUTF8TokenHasItsBytesAndAReplacementCharacter() throws {
        let c = try ServerFixtures.tiny()
        guard let id = (0..<c.tokenizer.vocabularySize).first(where: { c.tokenizer.bytes(forID: $0) == [0xE2] }) else {
            throw XCTSkip("the tiny vocabulary has no lone lead byte")
        }
        let logits = [Float](repeating: 0, count: c.tokenizer.vocabularySize)
        let result = logits.withUnsafeBufferPointer { LogprobCalculator(top: 0, tokenizer: c.tokenizer).logprobs($0, chosen: id) }
        XCTAssertEqual(result.chosen.bytes, [0xE2])
        XCTAssertEqual(result.chosen.text, "\u{FFFD}")
        XCTAssertTrue(LogprobJSON.chat([result]).contains(#""token":"\#u{FFFD}","logprob":"#), LogprobJSON.chat([result]))
        XCTAssertTrue(LogprobJSON.chat([result]).contains(#""bytes":[226]"#))
    }

    func testCompletionLogprobsShapeWholeAndStreamedAndGreedyIsTopOne() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        // The checks run outside the async closure (the 6.3 optimizer crashed splitting a large one).
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            let body = #"{"model": "alpha", "prompt": "the quick brown fox", "max_tokens": 12, "temperature": 0"#
            let plain = try await client.post("/v1/completions", json: body + "}")
            let whole = try await client.post("/v1/completions", json: body + #", "logprobs": 3}"#)
            let stream = try await client.post("/v1/completions", json: body + #", "logprobs": 3, "stream": true}"#)
            return [plain.text, whole.text, stream.text]
        }
        try Self.checkCompletion(plain: bodies[0], whole: bodies[1], stream: bodies[2])
    }

    private static func checkCompletion(plain plainText: String, whole: String, stream: String) throws {
        let plain = try JSONField.parse(Array(plainText.utf8), file: "plain")
        let json = try JSONField.parse(Array(whole.utf8), file: "whole")
        let text = try json.at("choices[0].text").string()
        XCTAssertEqual(text, try plain.at("choices[0].text").string(), "logprobs are observation only")
        XCTAssertEqual(try plain.at("choices[0]").member("logprobs")?.isNull, true)
        let n = try json.at("usage.completion_tokens").int()
        XCTAssertGreaterThan(n, 0)
        let lp = try json.at("choices[0].logprobs")
        let tokens = try lp.at("tokens").array().map { try $0.string() }
        let values = try lp.at("token_logprobs").array().map { try $0.double() }
        let tops = try lp.at("top_logprobs").array().map { try $0.object() }
        let offsets = try lp.at("text_offset").array().map { try $0.int() }
        XCTAssertEqual([tokens.count, values.count, tops.count, offsets.count], [n, n, n, n])
        if !text.contains("\u{FFFD}") { XCTAssertEqual(tokens.joined(), text) }  // else a character split over tokens
        var offset = 0
        for i in 0..<n {
            XCTAssertEqual(offsets[i], offset)
            offset += tokens[i].unicodeScalars.count
            XCTAssertLessThanOrEqual(values[i], 0)
            XCTAssertEqual(tops[i].count, 3)
            // Greedy: the chosen token is the most likely one, with the same value.
            XCTAssertEqual(tops[i].first?.name, tokens[i])
            XCTAssertEqual(try tops[i][0].value.double(), values[i])
            XCTAssertGreaterThanOrEqual(try tops[i][0].value.double(), try tops[i][1].value.double())
        }

        var streamedTokens: [String] = [], streamedOffsets: [Int] = [], streamedText = ""
        for chunk in try chunks(stream) {
            guard let choice = try chunk.at("choices").array().first else { continue }
            let piece = try choice.at("text").string()
            streamedText += piece
            guard let logprobs = choice.member("logprobs"), !logprobs.isNull else { continue }
            streamedTokens += try logprobs.at("tokens").array().map { try $0.string() }
            streamedOffsets += try logprobs.at("text_offset").array().map { try $0.int() }
        }
        XCTAssertEqual(streamedText, text)
        XCTAssertEqual(streamedTokens, tokens)
        XCTAssertEqual(streamedOffsets, offsets)
    }

    func testChatLogprobsShapeWholeAndStreamedAndGreedyIsTopOne() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let server = try ServerFixtures.server(c)
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            let body = #"{"model": "beta", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 10, "temperature": 0"#
            let whole = try await client.post("/v1/chat/completions", json: body + #", "logprobs": true, "top_logprobs": 4}"#)
            let bare = try await client.post("/v1/chat/completions", json: body + #", "logprobs": true}"#)
            let stream = try await client.post("/v1/chat/completions", json: body + #", "logprobs": true, "top_logprobs": 4, "stream": true}"#)
            return [whole.text, bare.text, stream.text]
        }
        try Self.checkChat(whole: bodies[0], bare: bodies[1], stream: bodies[2])
    }

    private static func checkChat(whole: String, bare bareText: String, stream: String) throws {
        let json = try JSONField.parse(Array(whole.utf8), file: "whole")
        let content = try json.at("choices[0].logprobs.content").array()
        XCTAssertEqual(content.count, try json.at("usage.completion_tokens").int())
        XCTAssertGreaterThan(content.count, 0)
        var bytes: [UInt8] = []
        for entry in content {
            let token = try entry.at("token").string()
            let entryBytes = try entry.at("bytes").array().map { try $0.integer(UInt8.self) }
            XCTAssertEqual(String(decoding: entryBytes, as: UTF8.self), token)
            bytes += entryBytes
            let top = try entry.at("top_logprobs").array()
            XCTAssertEqual(top.count, 4)
            XCTAssertEqual(try top[0].at("token").string(), token)
            XCTAssertEqual(try top[0].at("logprob").double(), try entry.at("logprob").double())
            XCTAssertNotNil(top[0].member("bytes"))
        }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), try json.at("choices[0].message.content").string())

        // logprobs without top_logprobs: empty alternatives.
        let bare = try JSONField.parse(Array(bareText.utf8), file: "bare")
        XCTAssertEqual(try bare.at("choices[0].logprobs.content[0].top_logprobs").array().count, 0)

        var streamed: [String] = []
        for chunk in try chunks(stream) {
            guard let choice = try chunk.at("choices").array().first, let logprobs = choice.member("logprobs"), !logprobs.isNull else { continue }
            streamed += try logprobs.at("content").array().map { try $0.at("token").string() }
        }
        XCTAssertEqual(streamed, try content.map { try $0.at("token").string() })
    }

    func testSampledOutputIsTheSameWithLogprobsAndItsValuesAreAtMostTheTopOne() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            let body = #"{"model": "hf", "prompt": "hello world", "max_tokens": 16, "temperature": 0.9, "seed": 7"#
            let plain = try await client.post("/v1/completions", json: body + "}")
            let observed = try await client.post("/v1/completions", json: body + #", "logprobs": 1}"#)
            return [plain.text, observed.text]
        }
        let plain = try JSONField.parse(Array(bodies[0].utf8), file: "plain")
        let observed = try JSONField.parse(Array(bodies[1].utf8), file: "observed")
        XCTAssertEqual(try observed.at("choices[0].text").string(), try plain.at("choices[0].text").string())
        let values = try observed.at("choices[0].logprobs.token_logprobs").array().map { try $0.double() }
        let tops = try observed.at("choices[0].logprobs.top_logprobs").array().map { try $0.object()[0].value.double() }
        XCTAssertEqual(values.count, tops.count)
        for (value, top) in zip(values, tops) { XCTAssertLessThanOrEqual(value, top) }
    }

    func testLogprobFieldsOutOfRangeAreRefused() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let server = try ServerFixtures.server(c)
        let completion = #"{"model": "alpha", "prompt": "x", "max_tokens": 2, "#
        let chat = #"{"model": "alpha", "messages": [{"role": "user", "content": "x"}], "max_tokens": 2, "#
        let cases: [(String, String, String, String)] = [
            ("/v1/completions", completion + #""logprobs": 6}"#, "logprobs", "found 6, expected an integer in 0...5"),
            ("/v1/completions", completion + #""logprobs": true}"#, "logprobs", "found true, expected an integer in 0...5"),
            ("/v1/chat/completions", chat + #""logprobs": true, "top_logprobs": 21}"#, "top_logprobs", "found 21, expected an integer in 0...20"),
            ("/v1/chat/completions", chat + #""top_logprobs": 2}"#, "top_logprobs", "expected null unless logprobs is true"),
            ("/v1/chat/completions", chat + #""logprobs": false, "top_logprobs": 2}"#, "top_logprobs", "expected null unless logprobs is true"),
            ("/v1/chat/completions", chat + #""logprobs": 3}"#, "logprobs", "expected true or false"),
            ("/v1/completions", completion + #""frequency_penalty": 3}"#, "frequency_penalty", "found 3, expected a number in -2...2"),
        ]
        let fineBody = chat + #""logprobs": false, "top_logprobs": null, "presence_penalty": 0}"#
        let results = try await server.application(logger: LogCollector().logger).test(.router) { client -> [(Int, String)] in
            var results: [(Int, String)] = []
            for (uri, body, _, _) in cases {
                let response = try await client.post(uri, json: body)
                results.append((response.status.code, response.text))
            }
            let fine = try await client.post("/v1/chat/completions", json: fineBody)
            results.append((fine.status.code, fine.text))
            return results
        }
        for (i, (uri, body, param, message)) in cases.enumerated() {
            try assertBadRequest(results[i], param: param, message: message, "\(uri) \(body)")
        }
        XCTAssertEqual(results.last?.0, 200, results.last?.1 ?? "")
        XCTAssertEqual(try JSONField.parse(Array(results.last!.1.utf8), file: "fine").at("choices[0]").member("logprobs")?.isNull, true)
    }

    /// The JSON chunks of an SSE body (without `[DONE]`).
    private static func chunks(_ stream: String) throws -> [JSONField] {
        let events = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        return try events.dropLast().map { try JSONField.parse(Array($0.dropFirst(6).utf8), file: "event") }
    }
}
