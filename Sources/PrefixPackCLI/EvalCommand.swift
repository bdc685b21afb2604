import ArgumentParser
import Foundation
import PrefixEval
import PrefixRuntime
import PrefixTrainingRun

/// `prefixpack eval --model M [--bundle B] --data FILE -o OUTDIR`: generate for each distinct
/// input and score BLEU / chrF / ROUGE-L against all of that input's references.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Generate for each distinct input of a data set and score BLEU, chrF and ROUGE-L.",
        discussion: """
            Rows are grouped by input (E2E: the MR, first-appearance order); each group's rows are its \
            references. The prompt is the same as in training (template "{input} => ", BOS only when the \
            checkpoint asks for it); decoding is greedy (or beam search with --beams N, length-normalized scores) \
            and stops at EOS, at a newline or after --max-tokens. \
            Scores: sacrebleu's default corpus BLEU (13a, exp smoothing), chrF (nc 6, beta 2) and rouge-score \
            ROUGE-L F (best reference per segment, mean over segments). Writes OUTDIR/generations.jsonl and \
            OUTDIR/summary.json.
            """)

    @Option(help: "Checkpoint: a .gguf file or a Hugging Face model folder.") var model: String
    @Option(help: "A .ptx bundle to attach (none = the bare model).") var bundle: String?
    @Option(help: "Data: FILE or ARCHIVE:MEMBER (CSV mr,ref / prompt,target, or JSONL).") var data: String
    @Option(help: "Evaluate only the first N distinct inputs.") var limit: Int?
    @Option(name: .customLong("max-tokens"), help: "Largest number of generated tokens.") var maxTokens = 64
    @Option(help: "Beam width; 1 = greedy.") var beams = 1
    @Option(name: .customLong("prompt-template"), help: "Prompt template with {column} placeholders (default: from the columns; E2E: \"{mr} => \").") var promptTemplate: String?
    @Option(help: "BLAS threads.") var threads: Int?
    @Option(help: "Print this many sample generations.") var show = 3
    @Option(name: .shortAndLong, help: "Output folder.") var output: String

    func validate() throws {
        guard (limit ?? 1) >= 1 else { throw ValidationError("--limit must be >= 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be >= 1") }
        guard beams >= 1 else { throw ValidationError("--beams must be >= 1") }
    }

    func run() throws {
        try CLIFailure.guarded {
            if let threads { setBLASThreadCount(threads) }
            let checkpoint = try Checkpoint.load(path: model)
            let prefix = try bundle.map { try checkpoint.attach(bundlePath: $0) }
            for w in prefix?.warnings ?? [] { StandardError.print("warning: \(w)") }
            let set = try TextExampleReader.read(data, promptTemplate: promptTemplate)
            if set.skippedCount > 0 { StandardError.print("warning: \(set.label): \(set.skippedCount) rows skipped") }
            var groups = groupReferencesByInput(set.examples.map { (input: $0.input, reference: $0.target ?? "") })
            if let limit { groups = Array(groups.prefix(limit)) }

            let session = try checkpoint.makeSession(prefix: prefix)
            session.inference.exactActivations = false  // int16 activations: faster decode, same greedy tokens
            var options = GenerationOptions(maxTokens: maxTokens, stopStrings: ["\n"])
            if let eos = checkpoint.tokenizer.eosTokenID { options.stopTokenIDs.insert(eos) }
            let beamSearch = beams > 1 ? try BeamSearchDecoder(
                model: checkpoint.model, prefix: prefix?.kv, tokenizer: checkpoint.tokenizer, width: beams,
                maxTokens: maxTokens, stopTokenIDs: options.stopTokenIDs) : nil
            let started = Date()
            var hypotheses: [String] = [], generated = 0
            for (i, group) in groups.enumerated() {
                var ids = checkpoint.tokenizer.encode(group.input)
                if checkpoint.addsBOS, let bos = checkpoint.tokenizer.bosTokenID { ids.insert(bos, at: 0) }
                if let beamSearch {
                    let best = try beamSearch.decode(prompt: ids)
                    generated += best.tokens.count
                    hypotheses.append(checkpoint.tokenizer.decode(best.tokens).trimmingCharacters(in: .whitespacesAndNewlines))
                } else {
                    let result = try session.generate(promptTokens: ids, options: options)
                    generated += result.tokens.count
                    hypotheses.append(result.text.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                if isatty(STDERR_FILENO) != 0 {
                    FileHandle.standardError.write(Data("\r\u{1B}[Kgenerating \(i + 1)/\(groups.count)".utf8))
                }
            }
            if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            let references = groups.map(\.references)
            let (report, segments) = try scoreSegments(hypotheses: hypotheses, references: references)

            let folder = URL(fileURLWithPath: output)
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw CLIError.io(path: output, operation: "create the output folder", detail: error.localizedDescription)
            }
            var lines = ""
            for (i, group) in groups.enumerated() {
                let object: [String: Any] = [
                    "input": group.input, "generation": hypotheses[i], "references": group.references,
                    "sentence_bleu": segments[i].sentenceBLEU, "sentence_chrf": segments[i].sentenceCHRF,
                    "rougeL_f": segments[i].rougeL,
                ]
                lines += try jsonLine(object) + "\n"
            }
            try write(lines, to: folder.appendingPathComponent("generations.jsonl"))
            let metrics = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report))
            let summary: [String: Any] = [
                "model": model, "bundle": bundle ?? NSNull(), "data": set.label, "data_digest": "sha256:" + set.digest,
                "decoding": beams > 1 ? "beam \(beams)" : "greedy", "max_tokens": maxTokens, "segments": groups.count, "metrics": metrics,
                "generation_seconds": seconds, "generated_tokens": generated,
            ]
            try write(try jsonLine(summary, pretty: true) + "\n", to: folder.appendingPathComponent("summary.json"))

            for i in 0..<min(show, groups.count) {
                print("input:      \(groups[i].input)")
                print("generation: \(hypotheses[i])")
                print("reference:  \(groups[i].references.first ?? "")")
            }
            print(String(format: "%@: %d inputs, BLEU %.2f, chrF %.2f, ROUGE-L %.4f (%.1f s, %.1f tokens/s); %@/summary.json",
                         bundle ?? "no prefix", groups.count, report.bleu.score, report.chrf, report.rougeL,
                         seconds, seconds > 0 ? Double(generated) / seconds : 0, output))
        }
    }

    private func jsonLine(_ object: Any, pretty: Bool = false) throws -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        let data = try JSONSerialization.data(withJSONObject: object, options: options)
        return String(decoding: data, as: UTF8.self)
    }

    private func write(_ text: String, to url: URL) throws {
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw CLIError.io(path: url.path, operation: "write", detail: error.localizedDescription)
        }
    }
}
