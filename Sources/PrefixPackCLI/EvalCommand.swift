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

    @OptionGroup var checkpointOption: CheckpointOption
    @OptionGroup var prefixOption: BundleOption
    @Option(help: "Data: FILE or ARCHIVE:MEMBER (CSV mr,ref / prompt,target, or JSONL).") var data: String
    @Option(help: "Evaluate only the first N distinct inputs.") var limit: Int?
    @Option(name: .customLong("max-tokens"), help: "Largest number of generated tokens.") var maxTokens = 64
    @Option(help: "Beam width; 1 = greedy.") var beams = 1
    @Option(name: .customLong("prompt-template"), help: "Prompt template with {column} placeholders (default: from the columns; E2E: \"{mr} => \").") var promptTemplate: String?
    @OptionGroup var threads: ThreadsOption
    @Option(help: "Print this many sample generations.") var show = 3
    @Option(name: .shortAndLong, help: "Output folder.") var output: String

    private var model: String { checkpointOption.model }
    private var bundle: String? { prefixOption.bundle }

    func validate() throws {
        guard (limit ?? 1) >= 1 else { throw ValidationError("--limit must be >= 1") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be >= 1") }
        guard beams >= 1 else { throw ValidationError("--beams must be >= 1") }
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            try EvaluationRun.checkOutputs(folder: output, model: model, bundle: bundle, data: data)
            let checkpoint = try Checkpoint.load(path: model)
            let prefix = try bundle.map { try checkpoint.attach(bundlePath: $0) }
            for w in prefix?.warnings ?? [] { StandardError.print("warning: \(w)") }
            let onTerminal = isatty(STDERR_FILENO) != 0
            let outcome = try EvaluationRun(checkpoint: checkpoint, prefix: prefix, data: data, promptTemplate: promptTemplate,
                                            limit: limit, maxTokens: maxTokens, beams: beams) { done, total in
                if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[Kgenerating \(done)/\(total)".utf8)) }
            }
            if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
            if outcome.skippedRows > 0 { StandardError.print("warning: \(outcome.dataLabel): \(outcome.skippedRows) rows skipped") }
            try outcome.write(to: output, model: model, bundle: bundle, maxTokens: maxTokens)

            for i in 0..<min(show, outcome.groups.count) {
                print("input:      \(outcome.groups[i].input)")
                print("generation: \(outcome.hypotheses[i])")
                print("reference:  \(outcome.groups[i].references.first ?? "")")
            }
            let seconds = outcome.generationSeconds, report = outcome.report
            print(String(format: "%@: %d inputs, BLEU %.2f, chrF %.2f, ROUGE-L %.4f (%.1f s, %.1f tokens/s); %@/summary.json",
                         bundle ?? "no prefix", outcome.groups.count, report.bleu.score, report.chrf, report.rougeL,
                         seconds, seconds > 0 ? Double(outcome.generatedTokens) / seconds : 0, output))
        }
    }
}
