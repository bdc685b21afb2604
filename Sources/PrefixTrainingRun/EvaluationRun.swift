import Foundation
import PrefixData
import PrefixEval
import PrefixRuntime
import PrefixSupport

/// What `prefixpack eval` runs: groups a data set's rows by input (its rows are the references),
/// generates once per input (prompt by `Checkpoint.promptTokens`, the BOS rule of every prompt;
/// greedy through ``TextSession`` or ``BeamSearchDecoder``; stops at EOS, a newline or
/// `maxTokens`), scores corpus BLEU, chrF and ROUGE-L, and writes `generations.jsonl` and `summary.json`.
public struct EvaluationRun: Sendable {
    /// The distinct inputs with their references, in first-appearance order.
    public var groups: [ReferenceGroup]
    /// One whitespace-trimmed generation per group.
    public var hypotheses: [String]
    /// Corpus and per-input scores.
    public var report: MetricsReport, segments: [SegmentScores]
    /// The data set's label, `"sha256:<hex>"` digest and skipped-row count.
    public var dataLabel: String, dataDigest: String, skippedRows: Int
    /// The data file read (the archive for `ARCHIVE:MEMBER`).
    public var dataFile: String
    /// Generation time, generated tokens, and `"greedy"` or `"beam K"`.
    public var generationSeconds: Double, generatedTokens: Int, decoding: String

    /// Generates for the first `limit` distinct inputs of `data` (FILE or ARCHIVE:MEMBER) and scores.
    /// - Parameter progress: called after each input with (done, total).
    public init(checkpoint: Checkpoint, prefix: AttachedPrefix?, data: String, promptTemplate: String? = nil, limit: Int? = nil,
                maxTokens: Int = 64, beams: Int = 1, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let source = DataSource(parsing: data)
        let dataOptions = DatasetOptions(fields: try ExampleFields.templates(prompt: promptTemplate, target: nil))
        let (pairs, dataReport) = try DatasetLoader.readPairs(sources: [source], options: dataOptions)
        let groups = Array(groupReferencesByInput(try EvalGrouping.textPairs(pairs)).prefix(limit ?? Int.max))
        let tokenizer = checkpoint.tokenizer
        var options = GenerationOptions(maxTokens: maxTokens, stopStrings: ["\n"])
        if let eos = tokenizer.eosTokenID { options.stopTokenIDs.insert(eos) }
        let session = try checkpoint.makeSession(prefix: prefix)
        session.inference.exactActivations = false  // int16 activations: faster decode, same greedy tokens
        let beamSearch = beams > 1 ? try BeamSearchDecoder(
            model: checkpoint.model, prefix: prefix, tokenizer: tokenizer, width: beams, maxTokens: maxTokens,
            stopTokenIDs: options.stopTokenIDs, stopStrings: options.stopStrings, exactActivations: false) : nil
        let started = Date()
        var hypotheses: [String] = [], generated = 0
        for (i, group) in groups.enumerated() {
            let ids = try checkpoint.promptTokens(group.input)
            let (text, count): (String, Int)
            if let beamSearch {
                let best = try beamSearch.decode(prompt: ids)
                (text, count) = (tokenizer.decode(best.tokens), best.tokens.count)
            } else {
                let result = try session.generate(promptTokens: ids, options: options)
                (text, count) = (result.text, result.tokens.count)
            }
            generated += count
            hypotheses.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
            progress(i + 1, groups.count)
        }
        self.groups = groups
        generationSeconds = Date().timeIntervalSince(started)
        (report, segments) = try scoreSegments(hypotheses: hypotheses, references: groups.map(\.references))
        self.hypotheses = hypotheses
        generatedTokens = generated
        dataLabel = source.description
        dataFile = source.file
        dataDigest = dataReport.sourceDigest
        skippedRows = dataReport.skippedRows
        decoding = beams > 1 ? "beam \(beams)" : "greedy"
    }

    /// Writes `folder/generations.jsonl` (per input: input, generation, references, sentence
    /// BLEU/chrF, ROUGE-L F) and `folder/summary.json` (model, bundle, data, digest, decoding,
    /// metrics, timing), each atomically.
    /// - Throws: `FileAccessError` naming what could not be written, or an output file that is
    ///   the model, the bundle or the data file (however spelled).
    public func write(to folder: String, model: String, bundle: String?, maxTokens: Int) throws {
        let inputs = [model, dataFile] + (bundle.map { [$0] } ?? [])
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw FileAccessError.systemCall(path: folder, operation: "create the output folder", detail: error.localizedDescription)
        }
        let lines = try groups.indices.map { i in
            try Self.json(["input": groups[i].input, "generation": hypotheses[i], "references": groups[i].references,
                           "sentence_bleu": segments[i].sentenceBLEU, "sentence_chrf": segments[i].sentenceCHRF,
                           "rougeL_f": segments[i].rougeL]) + "\n"
        }
        try AtomicFileWriter.write(Array(lines.joined().utf8), to: folder + "/generations.jsonl", distinctFrom: inputs)
        let summary: [String: Any] = [
            "model": model, "bundle": bundle ?? NSNull(), "data": dataLabel, "data_digest": dataDigest, "decoding": decoding,
            "max_tokens": maxTokens, "segments": groups.count, "generation_seconds": generationSeconds,
            "generated_tokens": generatedTokens, "metrics": try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)),
        ]
        try AtomicFileWriter.write(Array((try Self.json(summary, pretty: true) + "\n").utf8), to: folder + "/summary.json", distinctFrom: inputs)
    }

    /// Checks before any generation that the files ``write(to:model:bundle:maxTokens:)`` will
    /// write in `folder` may be replaced: not a FIFO, device or directory, not the model, the
    /// bundle or the data file (`data` as given to `init`).
    /// - Throws: ``TrainingRunError/outputRefused(file:detail:)`` naming the refused output.
    public static func checkOutputs(folder: String, model: String, bundle: String?, data: String) throws {
        let inputs = [model, DataSource(parsing: data).file] + (bundle.map { [$0] } ?? [])
        for name in ["generations.jsonl", "summary.json"] {
            try TrainingRunError.checkOutput(folder + "/" + name, distinctFrom: inputs)
        }
    }

    private static func json(_ object: Any, pretty: Bool = false) throws -> String {
        let options: JSONSerialization.WritingOptions = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
    }
}
