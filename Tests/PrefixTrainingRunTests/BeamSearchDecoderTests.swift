import Foundation
import PrefixRuntime
import PrefixTrainingRun
import XCTest

/// Beam search on the tiny Llama: width 1 is greedy decoding; a wider beam's reported score is
/// the length-normalized log-probability of what it returns, recomputed independently.
final class BeamSearchDecoderTests: XCTestCase {
    func logSoftmax(_ row: ArraySlice<Float>) -> [Double] {
        let m = Double(row.max() ?? 0)
        let z = m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
        return row.map { Double($0) - z }
    }

    /// Greedy reference: argmax until a stop token, a newline token or 6 tokens.
    func greedyTokens(_ checkpoint: Checkpoint, _ prompt: [Int], stops: Set<Int>, exactActivations: Bool) throws -> [Int] {
        let session = checkpoint.model.makeSession()
        session.exactActivations = exactActivations
        var logits = try session.forward(prompt, logits: .last)
        var greedy: [Int] = []
        for _ in 0..<6 {
            let next = logits.indices.max { logits[$0] < logits[$1] } ?? 0
            if stops.contains(next) || checkpoint.tokenizer.decode([next]).contains("\n") { break }
            greedy.append(next)
            logits = try session.forward([next], logits: .last)
        }
        return greedy
    }

    func testWidthOneIsGreedyAndScoresAreExact() throws {
        let checkpoint = try Checkpoint.load(path: TrainingRunFixtures.tinyModel)
        let tokenizer = checkpoint.tokenizer
        let prompt = tokenizer.encode("name[The Eagle], food[French] => ")
        let vocab = checkpoint.config.vocabSize
        let stops: Set<Int> = [try XCTUnwrap(tokenizer.eosTokenID)]

        let greedy = try greedyTokens(checkpoint, prompt, stops: stops, exactActivations: true)
        let one = try BeamSearchDecoder(model: checkpoint.model, prefix: nil, tokenizer: tokenizer, width: 1,
                                        maxTokens: 6, stopTokenIDs: stops, stopStrings: ["\n"]).decode(prompt: prompt)
        XCTAssertEqual(one.tokens, greedy)

        let decoder = try BeamSearchDecoder(model: checkpoint.model, prefix: nil, tokenizer: tokenizer, width: 3,
                                            maxTokens: 6, stopTokenIDs: stops, stopStrings: ["\n"])
        let best = try decoder.decode(prompt: prompt)
        XCTAssertFalse(best.tokens.isEmpty)
        XCTAssertEqual(try decoder.decode(prompt: prompt).tokens, best.tokens, "deterministic, sessions reused")
        // Recompute: sum of log p(token) over the output (+ the stop token when it ended early) / length.
        let fresh = checkpoint.model.makeSession()
        let all = try fresh.forward(prompt + best.tokens, logits: .all)
        var sum = 0.0
        for (i, token) in best.tokens.enumerated() {
            let row = prompt.count - 1 + i
            sum += logSoftmax(all[row * vocab..<(row + 1) * vocab])[token]
        }
        var length = best.tokens.count
        if best.tokens.count < 6 {
            let row = prompt.count + best.tokens.count - 1
            let last = logSoftmax(all[row * vocab..<(row + 1) * vocab])
            let stopLogProb = last.indices.filter { stops.contains($0) || tokenizer.decode([$0]).contains("\n") }
                .map { last[$0] }.max() ?? -.infinity
            sum += stopLogProb
            length += 1
        }
        XCTAssertEqual(best.score, sum / Double(length), accuracy: 1e-3)
    }

    /// int16 activations (what `eval --beams` uses): on a quantized model, width 1 follows the
    /// greedy tokens of a session on the same path, and a wider beam is deterministic and
    /// returns the same hypothesis as the exact path on this prompt or one scored within 1e-2.
    func testFastActivationsFollowFastGreedy() throws {
        let path = TrainingRunFixtures.path("Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf")
        let checkpoint = try Checkpoint.load(path: path)
        let tokenizer = checkpoint.tokenizer
        let prompt = tokenizer.encode("name[The Eagle], food[French] => ")
        let stops: Set<Int> = [try XCTUnwrap(tokenizer.eosTokenID)]
        let greedy = try greedyTokens(checkpoint, prompt, stops: stops, exactActivations: false)
        func beam(_ width: Int, exact: Bool) throws -> BeamSearchDecoder {
            try BeamSearchDecoder(model: checkpoint.model, prefix: nil, tokenizer: tokenizer, width: width, maxTokens: 6,
                                  stopTokenIDs: stops, stopStrings: ["\n"], exactActivations: exact)
        }
        XCTAssertEqual(try beam(1, exact: false).decode(prompt: prompt).tokens, greedy)
        let fast = try beam(4, exact: false)
        let best = try fast.decode(prompt: prompt)
        XCTAssertFalse(best.tokens.isEmpty)
        XCTAssertEqual(try fast.decode(prompt: prompt).tokens, best.tokens, "deterministic, sessions reused")
        let exact = try beam(4, exact: true).decode(prompt: prompt)
        if exact.tokens != best.tokens { XCTAssertEqual(exact.score, best.score, accuracy: 1e-2) }
    }
}
