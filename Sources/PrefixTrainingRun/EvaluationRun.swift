import Foundation
import PrefixBundle
import PrefixEval
import PrefixRuntime

/// What `prefixpack eval` runs: groups a data set's rows by input (each group's rows are its
/// references), generates once per input with the checkpoint and an optional attached prefix,
/// scores corpus BLEU, chrF and ROUGE-L (PrefixEval) and writes `generations.jsonl` and
/// `summary.json`.
///
/// The prompt is the same as in training (the template's text, BOS by the rule of
/// `Checkpoint.promptTokens`); decoding is greedy (``Generator`` through ``TextSession``) or beam
/// search (``BeamSearchDecoder``), and stops at EOS, at a newline (``StopStrings``) or after
/// `maxTokens`.
public struct EvaluationRun {
    /// Decoding and data settings.
    public struct Options: Sendable, Equatable {
        /// Largest number of generated tokens per input.
        public var maxTokens = 64
        /// Beam width; 1 = greedy.
        public var beams = 1
        /// Evaluate only the first `limit` distinct inputs.
        public var limit: Int?
        /// Prompt template with `{column}` placeholders (nil = from the columns).
        public var promptTemplate: String?

        /// The defaults: greedy, 64 tokens, every input, the columns' template.
        public init() {}
    }

    /// The result of ``run(checkpoint:prefix:data:options:progress:)``.
    public struct Outcome: Sendable {
        /// The distinct inputs with their references, in first-appearance order.
        public var groups: [ReferenceGroup]
        /// One generation per group (whitespace-trimmed).
        public var hypotheses: [String]
        /// Corpus scores.
        public var report: MetricsReport
        /// Per-input scores.
        public var segments: [SegmentScores]
        /// The data set's label and `"sha256:<hex>"` digest.
        public var dataLabel: String, dataDigest: String
        /// Rows of the data set that were skipped, and how many.
        public var skippedRows: Int
        /// Wall-clock generation time and the number of generated tokens.
        public var generationSeconds: Double, generatedTokens: Int
        /// `"greedy"` or `"beam K"`.
        public var decoding: String
    }

    /// Generates for every distinct input of `data` (FILE or ARCHIVE:MEMBER) and scores.
    /// - Parameter progress: called after each input with (done, total).
    /// - Throws: `TrainingRunError` for unreadable data, `EvaluationError` for unscorable data,
    ///   `RuntimeError` / `EngineError` from generation.
    public static func run(checkpoint: Checkpoint, prefix: AttachedPrefix?, data: String, options: Options,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        let set = try TextExampleReader.read(data, promptTemplate: options.promptTemplate)
        var groups = groupReferencesByInput(set.examples.map { (input: $0.input, reference: $0.target ?? "") })
        if let limit = options.limit { groups = Array(groups.prefix(limit)) }

        let tokenizer = checkpoint.tokenizer
        var generation = GenerationOptions(maxTokens: options.maxTokens, stopStrings: ["\n"])
        if let eos = tokenizer.eosTokenID { generation.stopTokenIDs.insert(eos) }
        let session = try checkpoint.makeSession(prefix: prefix)
        let beamSearch = options.beams > 1 ? try BeamSearchDecoder(
            model: checkpoint.model, prefix: prefix, tokenizer: tokenizer, width: options.beams,
            maxTokens: options.maxTokens, stopTokenIDs: generation.stopTokenIDs, stopStrings: generation.stopStrings) : nil
        let started = Date()
        var hypotheses: [String] = [], generated = 0
        for (i, group) in groups.enumerated() {
            let ids = try checkpoint.promptTokens(group.input)
            let text: String
            if let beamSearch {
                let best = try beamSearch.decode(prompt: ids)
                generated += best.tokens.count
                text = tokenizer.decode(best.tokens)
            } else {
                let result = try session.generate(promptTokens: ids, options: generation)
                generated += result.tokens.count
                text = result.text
            }
            hypotheses.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
            progress(i + 1, groups.count)
        }
        let seconds = Date().timeIntervalSince(started)
        let (report, segments) = try scoreSegments(hypotheses: hypotheses, references: groups.map(\.references))
        return Outcome(groups: groups, hypotheses: hypotheses, report: report, segments: segments,
                       dataLabel: set.label, dataDigest: "sha256:" + set.digest, skippedRows: set.skippedCount,
                       generationSeconds: seconds, generatedTokens: generated,
                       decoding: options.beams > 1 ? "beam \(options.beams)" : "greedy")
    }

    /// Writes `folder/generations.jsonl` (one object per input: input, generation, references,
    /// sentence BLEU/chrF, ROUGE-L F) and `folder/summary.json` (model, bundle, data and its digest,
    /// decoding, metrics, timing), each atomically.
    /// - Throws: `BundleError.io` naming the file that could not be written.
    public static func write(_ outcome: Outcome, to folder: String, model: String, bundle: String?, maxTokens: Int) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw BundleError.io(file: folder, operation: "create the output folder", detail: error.localizedDescription)
        }
        var lines = ""
        for (i, group) in outcome.groups.enumerated() {
            let object: [String: Any] = [
                "input": group.input, "generation": outcome.hypotheses[i], "references": group.references,
                "sentence_bleu": outcome.segments[i].sentenceBLEU, "sentence_chrf": outcome.segments[i].sentenceCHRF,
                "rougeL_f": outcome.segments[i].rougeL,
            ]
            lines += try jsonText(object) + "\n"
        }
        try AtomicFileWriter.write(Array(lines.utf8), to: folder + "/generations.jsonl")
        let metrics = try JSONSerialization.jsonObject(with: JSONEncoder().encode(outcome.report))
        let summary: [String: Any] = [
            "model": model, "bundle": bundle ?? NSNull(), "data": outcome.dataLabel, "data_digest": outcome.dataDigest,
            "decoding": outcome.decoding, "max_tokens": maxTokens, "segments": outcome.groups.count, "metrics": metrics,
            "generation_seconds": outcome.generationSeconds, "generated_tokens": outcome.generatedTokens,
        ]
        try AtomicFileWriter.write(Array((try jsonText(summary, pretty: true) + "\n").utf8), to: folder + "/summary.json")
    }

    private static func jsonText(_ object: Any, pretty: Bool = false) throws -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
    }
}
