import ArgumentParser
import Foundation
import PrefixRuntime
import PrefixSupport
import PrefixTraining

/// `prefixpack bench train --model M [--batch 8] [--tokens 64] [--json]`: the time of one
/// prefix-tuning optimizer step (forward, backward to the prefix and the MLP, AdamW) and peak memory.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time training steps (forward + backward + AdamW) of a reparameterized prefix on seeded random batches.",
        discussion: """
            Each step trains a --prefix-length prefix through PEFT's reparameterization MLP (hidden --hidden) on a \
            batch of --batch sequences of --tokens seeded random ids, all real (no padding); the first half of \
            each sequence is prompt (label -100), the second half target. The checkpoint is loaded with f32 \
            weights as `build` does. --warmup steps are run first, then the median wall and CPU time of --steps \
            steps is reported. --json prints one object (step_seconds, step_cpu_seconds, load_seconds, \
            peak_rss_bytes, …). Build with -c release for meaningful figures; nothing is asserted.
            """
    )

    @OptionGroup var checkpointOption: CheckpointOption
    @OptionGroup var threads: ThreadsOption
    @Option(help: "Sequences per batch.") var batch = 8
    @Option(help: "Tokens per sequence.") var tokens = 64
    @Option(name: .customLong("prefix-length"), help: "Virtual tokens P.") var prefixLength = 10
    @Option(help: "Hidden width of the reparameterization MLP.") var hidden = 512
    @Option(help: "Timed steps (the median is reported).") var steps = 5
    @Option(help: "Untimed warm-up steps.") var warmup = 1
    @Flag(help: "Print one JSON object instead of the text lines.") var json = false

    func validate() throws {
        for (name, v, range) in [("--batch", batch, 1...4096), ("--tokens", tokens, 2...65536),
                                 ("--prefix-length", prefixLength, 1...65536), ("--hidden", hidden, 1...65536),
                                 ("--steps", steps, 1...10000), ("--warmup", warmup, 0...10000)]
        where !range.contains(v) {
            throw ValidationError("\(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(v))")
        }
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            let loadStart = BenchClock.now()
            let checkpoint = try Checkpoint.load(path: checkpointOption.model, keepQuantized: false)
            let load = BenchClock.now().since(loadStart)
            let c = checkpoint.config
            let prefix = TrainablePrefix.forModel(c, prefixLength: prefixLength, hiddenWidth: hidden)
            let backpropagation = try PrefixBackpropagation(model: checkpoint.model, prefixLength: prefixLength)
            var trainer = try PrefixTrainer(
                backpropagation: backpropagation, prefix: prefix,
                parameters: try PrefixInitialization.random(for: prefix, seed: 1),
                options: .init(optimizer: AdamW.Configuration(learningRate: 5e-4)))
            let trainingBatch = try Self.randomBatch(sequences: batch, tokens: tokens, vocabularySize: c.vocabSize, seed: 42)
            var times: [BenchClock] = []
            var losses: [Float] = []
            for run in 0..<(warmup + steps) {
                let t0 = BenchClock.now()
                let report = try trainer.step(on: trainingBatch)
                if run >= warmup { times.append(BenchClock.now().since(t0)) }
                losses.append(report.loss)
            }
            let median = BenchClock.median(times)
            let report = TrainingBenchmarkReport(
                model: checkpointOption.model, blasKernels: blasKernelName(), blasThreads: blasThreadCount(), batch: batch, tokens: tokens,
                prefixLength: prefixLength, hidden: hidden, steps: steps, loadSeconds: load.wall,
                stepSeconds: median.wall, stepCPUSeconds: median.cpu, stepSecondsAll: times.map(\.wall),
                losses: losses, peakRSSBytes: PeakMemory.residentBytes())
            if json {
                try JSONOutput.printLine(report)
                return
            }
            StandardOutput.print("model: \(checkpointOption.model) (\(c.architecture.name), \(c.layerCount) layers, hidden \(c.hiddenSize)); BLAS: \(blasKernelName()) kernels, \(blasThreadCount()) threads")
            print("step: batch \(batch) x \(tokens) tokens, P = \(prefixLength), MLP hidden \(hidden)")
            print(String(format: "load: %.3f s", load.wall))
            print(String(format: "training step (median of %d): %.3f s wall, %.3f s CPU (%.2f cores busy)",
                         steps, median.wall, median.cpu, median.cpu / max(median.wall, 1e-9)))
            print("losses: " + losses.map { String(format: "%.4f", $0) }.joined(separator: " "))
            if let peak = report.peakRSSBytes { print(String(format: "peak resident memory: %.1f MiB", Double(peak) / 1048576)) }
        }
    }

    /// `sequences × tokens` seeded random ids, no padding; labels on the second half of each sequence.
    static func randomBatch(sequences: Int, tokens: Int, vocabularySize: Int, seed: UInt64) throws -> TrainingBatch {
        var random = SeededGenerator(seed: seed)
        let ids = (0..<sequences * tokens).map { _ in Int(random.next() % UInt64(vocabularySize)) }
        let labels = ids.enumerated().map { i, id in i % tokens < tokens / 2 ? MaskedCrossEntropy.ignoreIndex : Int32(id) }
        return try TrainingBatch(sequences: sequences, tokens: tokens, inputIDs: ids,
                                 attentionMask: [Bool](repeating: true, count: ids.count), labels: labels)
    }
}

/// What `bench train --json` prints (``JSONOutput/printLine(_:)``: keys sorted, snake_case); times in seconds.
struct TrainingBenchmarkReport: Encodable {
    var model: String
    /// OpenBLAS's kernel family (`blasKernelName()`).
    var blasKernels: String
    var blasThreads: Int
    var batch: Int
    var tokens: Int
    var prefixLength: Int
    var hidden: Int
    var steps: Int
    var loadSeconds: Double
    /// Median wall time of one optimizer step.
    var stepSeconds: Double
    /// Median process CPU time of one step (cores busy = CPU / wall).
    var stepCPUSeconds: Double
    var stepSecondsAll: [Double]
    /// Loss of every step, warm-up included (before each update).
    var losses: [Float]
    var peakRSSBytes: Int?
}
