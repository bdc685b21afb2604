import Foundation
import PrefixBundle
import PrefixData
import PrefixTrainingRun

/// Prints a run's events: a progress line rewritten in place on a terminal, plain lines
/// otherwise (every `every` steps, plus dev losses and checkpoints), or one JSON object per
/// event with `--json-log`.
final class BuildProgress {
    enum Mode { case terminal, plain, json }
    let mode: Mode
    let every: Int
    /// `--max-length`, named in the data lines.
    let maxLength: Int
    private var startedAt = Date()
    private var firstStep = 0
    private var tokens = 0
    private var lineOpen = false

    init(json: Bool, every: Int, maxLength: Int) {
        mode = json ? .json : (isatty(STDOUT_FILENO) != 0 ? .terminal : .plain)
        self.every = max(1, every)
        self.maxLength = maxLength
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .dataRead(split, report):
            for issue in report.issues.prefix(5) { StandardError.print("warning: skipped row: \(issue)") }
            emit(["event": "data", "split": split, "rows": report.rows, "examples": report.examples,
                  "truncated": report.truncatedExamples, "overlong_skipped": report.overlongSkipped,
                  "bad_rows": report.skippedRows, "longest": report.longestExample, "max_length": maxLength],
                 text: "\(split) data \(report); length limit --max-length \(maxLength)")
        case let .started(step, total, train, dev):
            startedAt = Date(); firstStep = step; tokens = 0
            emit(["event": "start", "step": step, "total_steps": total, "train_examples": train, "dev_examples": dev],
                 text: step > 0 ? "resuming at step \(step)/\(total) (\(train) training examples, \(dev) dev)"
                                : "training \(total) steps on \(train) examples (\(dev) dev)")
        case let .step(r):
            tokens += r.tokens
            let elapsed = Date().timeIntervalSince(startedAt)
            let done = r.step - firstStep
            let rate = elapsed > 0 ? Double(tokens) / elapsed : 0
            let eta = done > 0 ? elapsed / Double(done) * Double(r.totalSteps - r.step) : 0
            switch mode {
            case .json:
                emit(["event": "step", "step": r.step, "total_steps": r.totalSteps, "epoch": r.epoch, "loss": Double(r.loss),
                      "lr": r.learningRate, "grad_norm": Double(r.gradientNorm), "tokens": r.tokens, "seconds": r.seconds], text: "")
            case .terminal:
                let line = String(format: "step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  %.2f s/step  ETA %@",
                                  r.step, r.totalSteps, r.loss, r.learningRate, r.gradientNorm, rate, r.seconds, Self.clock(eta))
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
                lineOpen = true
            case .plain:
                if r.step % every == 0 || r.step == r.totalSteps || done == 1 {
                    Self.write(String(format: "step %d/%d loss %.4f lr %.2e grad_norm %.3f tok/s %.0f s/step %.2f eta %@",
                                 r.step, r.totalSteps, r.loss, r.learningRate, r.gradientNorm, rate, r.seconds, Self.clock(eta)) + "\n")
                }
            }
        case let .evaluated(step, loss, best, bad):
            emit(["event": "dev", "step": step, "dev_loss": Double(loss), "best_dev_loss": Double(best), "evaluations_without_improvement": bad],
                 text: String(format: "step %d dev loss %.4f (best %.4f)", step, loss, best))
        case let .checkpointed(step, path):
            emit(["event": "checkpoint", "step": step, "path": path], text: "checkpoint at step \(step): \(path)")
        case let .finished(ending, step):
            emit(["event": "finished", "ending": ending.rawValue, "step": step], text: "\(ending.rawValue) at step \(step)")
        }
    }

    /// The final line: what was written, how the run ended, the last losses.
    func finish(_ result: BuildJob.Result) {
        let outcome = result.outcome, settings = result.settings
        var summary: [String: Any] = [
            "event": "done", "bundle": settings.output, "ending": outcome.ending.rawValue, "steps": outcome.steps,
            "total_steps": outcome.totalSteps, "seconds": result.seconds, "loss_curve": settings.lossCurvePath,
            "checkpoint": settings.checkpointPath,
        ]
        if let l = outcome.history.recentTrainLoss() { summary["final_train_loss"] = Double(l) }
        if let l = outcome.finalDevLoss { summary["final_dev_loss"] = Double(l) }
        if settings.collapse { summary["raw_bundle"] = settings.rawBundlePath }
        let lossText = outcome.history.recentTrainLoss().map { String(format: ", train loss %.4f", $0) } ?? ""
        let devText = outcome.finalDevLoss.map { String(format: ", dev loss %.4f", $0) } ?? ""
        emit(summary, text: "wrote \(settings.output) (\(outcome.ending.rawValue) at step \(outcome.steps)/\(outcome.totalSteps)"
             + "\(lossText)\(devText), \(String(format: "%.1f", result.seconds)) s); loss curve \(settings.lossCurvePath)"
             + (outcome.ending == .interrupted ? "; continue with --resume" : ""))
    }

    /// One line (JSON object or plain text).
    func emit(_ object: [String: Any], text: String) {
        if mode == .json {
            // As every JSON output of the CLI: keys sorted, slashes plain, Unicode line breaks and
            // format controls (a path may hold them) escaped too.
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                Self.write(PrintableText.jsonEscaped(String(decoding: data, as: UTF8.self)) + "\n")
            }
            return
        }
        guard !text.isEmpty else { return }
        if lineOpen { Self.write("\n"); lineOpen = false }
        Self.write(text + "\n")
    }

    /// Unbuffered write to standard output (lines appear at once in pipes and logs).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
