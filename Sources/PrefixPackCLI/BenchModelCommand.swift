import ArgumentParser
import Foundation
import PrefixRuntime
import PrefixSupport

/// `prefixpack bench model --model M [--bundle B] [--batch B] [--json]`: load time, prefill, batch-1
/// and batched decode throughput, peak memory.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time model loading, prefill of a 128-token prompt and batch-1 decoding, with and without a prefix.",
        discussion: """
            The prefix is the --bundle if given, else a seeded random 10-token prefix on every layer. \
            The prompt is seeded random ids. Each figure is the median of --repeats runs (after one warm-up). \
            With --batch B, B sequences (each the prompt, then greedy tokens) also decode together \
            through BatchDecoder, and the aggregate tokens/s is reported. --json prints one object \
            (load_seconds, prefill_tokens_per_second, decode_tokens_per_second, \
            batched_decode_tokens_per_second, peak_rss_bytes; the figures with the prefix under \
            "prefix") instead of the tables. Build with -c release for meaningful figures; nothing is asserted.
            """
    )

    @OptionGroup var checkpointOption: CheckpointOption

    @Option(name: .long, help: "A .ptx bundle to use as the prefix (default: a random 10-token prefix).")
    var bundle: String?
    @OptionGroup var threads: ThreadsOption

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length for the prefill measurement.")
    var promptTokens = 128

    @Option(name: .customLong("decode-tokens"), help: "Tokens generated one at a time for the decode measurement.")
    var decodeTokens = 64

    @Option(name: .long, help: "Timed runs per figure (median reported).")
    var repeats = 3

    @Option(name: .customLong("prefix-tokens"), help: "Length of the random prefix when no --bundle is given.")
    var prefixTokens = 10

    @Flag(name: .customLong("no-kernel-probe"), help: "Skip the weight-streaming (sgemv bandwidth) measurement.")
    var noKernelProbe = false

    @Flag(name: .long, help: "Decode with exact Float activations (as `logits` does) instead of int16-quantized ones.")
    var exact = false

    @Option(name: .long, help: "Also decode this many sequences together in one batched step (aggregate tok/s).")
    var batch: Int?

    @Flag(name: .long, help: "Print one JSON object instead of the tables (no weight-streaming probe).")
    var json = false

    func validate() throws {
        for (name, v) in [("--prompt-tokens", promptTokens), ("--decode-tokens", decodeTokens), ("--repeats", repeats), ("--prefix-tokens", prefixTokens)]
        where v < 1 || v > 1 << 16 {
            throw ValidationError("\(name) must be in 1...65536 (got \(v))")
        }
        if let batch, !(1...256).contains(batch) { throw ValidationError("--batch must be in 1...256 (got \(batch))") }
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            let model = checkpointOption.model
            let loadStart = Date()
            let checkpoint = try Checkpoint.load(path: model)
            let loadSeconds = Date().timeIntervalSince(loadStart)
            let c = checkpoint.config
            let prefix: PrefixKV
            var prefixLabel: String
            if let bundle {
                guard let attached = try ValidateModelCheck.attach(bundle, to: checkpoint, modelPath: model) else { return }
                prefix = attached.kv
                prefixLabel = "\(bundle) (P = \(attached.virtualTokenCount))"
            } else {
                prefix = try BenchModelCommand.randomPrefix(config: c, tokens: prefixTokens, seed: 7)
                prefixLabel = "random, P = \(prefixTokens)"
            }
            var random = SeededGenerator(seed: 42)
            let prompt = (0..<promptTokens).map { _ in Int(random.next() % UInt64(c.vocabSize)) }
            let session = checkpoint.model.makeSession()
            session.exactActivations = exact

            let activations = exact ? "exact Float" : "int16"
            if !json {
                StandardOutput.print("model: \(model) (\(c.architecture.name), \(c.layerCount) layers, hidden \(c.hiddenSize), vocab \(c.vocabSize)); BLAS: \(blasKernelName()) kernels, \(blasThreadCount()) threads")
                print("quantized products: \(KernelISA.current.rawValue) kernels, \(activations) activations, \(session.matVecThreadCount) threads")
                print(String(format: "load: %.3f s", loadSeconds))
                StandardOutput.print("prefix: \(prefixLabel)")
                let batchColumn = batch.map { " decode \(decodeTokens) steps at batch \($0) (aggregate tok/s) |" } ?? ""
                print("| prefix | prefill \(promptTokens) tok (tok/s) | decode \(decodeTokens) tok at batch 1 (tok/s) |\(batchColumn)")
                print("|---|---|---|\(batch == nil ? "" : "---|")")
            }
            var figures: [ModelBenchmarkReport.Figures] = []
            for withPrefix in [false, true] {
                let kv = withPrefix ? prefix : nil
                let (prefill, decode) = try measure(session, kv, prompt)
                let p = Double(promptTokens), d = Double(decodeTokens)
                var f = ModelBenchmarkReport.Figures(
                    prefillTokensPerSecond: p / prefill.wall, decodeTokensPerSecond: d / decode.wall,
                    prefillTokensPerCPUSecond: p / prefill.cpu, decodeTokensPerCPUSecond: d / decode.cpu)
                var batchCell = ""
                if let batch {
                    let time = try measureBatched(checkpoint.model, kv, prompt, batch: batch,
                                                  threads: session.matVecThreadCount)
                    let rate = Double(batch) * d / time.wall, cpuRate = Double(batch) * d / time.cpu
                    f.batchedDecodeTokensPerSecond = rate
                    f.batchedDecodeTokensPerCPUSecond = cpuRate
                    batchCell = String(format: " %.1f (%.1f ms/step, %.2fx batch 1; per CPU-second %.1f, %.2fx) |", rate,
                                       1000 * time.wall / d, rate / f.decodeTokensPerSecond, cpuRate,
                                       cpuRate / f.decodeTokensPerCPUSecond)
                }
                figures.append(f)
                if !json {
                    print(String(format: "| %@ | %.1f (%.3f s; per CPU-second %.1f) | %.1f (%.1f ms/token; per CPU-second %.1f) |",
                                 withPrefix ? "yes" : "no", f.prefillTokensPerSecond, prefill.wall, f.prefillTokensPerCPUSecond,
                                 f.decodeTokensPerSecond, 1000 * decode.wall / d, f.decodeTokensPerCPUSecond) + batchCell)
                }
            }
            let peak = PeakMemory.residentBytes()
            if json {
                let report = ModelBenchmarkReport(plain: figures[0], run: .init(
                    model: model, kernelISA: KernelISA.current.rawValue, blasKernels: blasKernelName(), activations: exact ? "exact" : "int16",
                    threads: session.matVecThreadCount, promptTokens: promptTokens, decodeTokens: decodeTokens,
                    batch: batch, loadSeconds: loadSeconds, prefix: figures[1], prefixDescription: prefixLabel, peakRSSBytes: peak))
                try JSONOutput.printLine(report)
                return
            }
            if let peak { print(String(format: "peak resident memory: %.1f MiB", Double(peak) / 1048576)) }
            if !noKernelProbe { kernelProbe(checkpoint) }
        }
    }

    /// Weight-streaming bound of batch-1 decoding (see `WeightStreamingProbe`).
    private func kernelProbe(_ checkpoint: Checkpoint) {
        let probe = WeightStreamingProbe(model: checkpoint.model, repeats: 2 * repeats + 1)
        let c = checkpoint.config
        print(String(format: "weight streaming: f32 sgemv of the output head shape [%d, %d] %.2f ms = %.1f GB/s; a decode step reads %.0f MB of weights as stored -> at most %.1f tok/s at that bandwidth",
                     c.vocabSize, c.hiddenSize, 1000 * probe.headSeconds, probe.bandwidth / 1e9,
                     probe.bytesPerToken / 1e6, probe.tokensPerSecondBound))
    }

    /// Median prefill and decode times (seconds) over `repeats` runs after a warm-up.
    private func measure(_ session: InferenceSession, _ prefix: PrefixKV?, _ prompt: [Int]) throws -> (BenchClock, BenchClock) {
        var prefills: [BenchClock] = [], decodes: [BenchClock] = []
        var greedy = TokenSampler(options: .greedy)
        for run in 0...repeats {
            try session.attach(prefix)
            let t0 = BenchClock.now()
            var next = try session.forwardLast(prompt) { greedy.sample($0) }
            let t1 = BenchClock.now()
            for _ in 0..<decodeTokens {
                next = try session.forwardLast(token: next) { greedy.sample($0) }
            }
            let t2 = BenchClock.now()
            if run > 0 {
                prefills.append(t1.since(t0))
                decodes.append(t2.since(t1))
            }
        }
        return (BenchClock.median(prefills), BenchClock.median(decodes))
    }

    /// Median time (seconds) of `decodeTokens` batched steps of `batch` sequences (each prefilled
    /// with `prompt` after `prefix`, then fed its own greedy token) over `repeats` runs after a warm-up.
    private func measureBatched(_ model: LanguageModel, _ prefix: PrefixKV?, _ prompt: [Int], batch: Int,
                                threads: Int) throws -> BenchClock {
        let sessions = (0..<batch).map { _ in model.makeSession() }
        let decoder = BatchDecoder(model: model, exactActivations: exact)
        decoder.matVecThreadCount = threads
        var times: [BenchClock] = [], greedy = TokenSampler(options: .greedy)
        for run in 0...repeats {
            var next: [Int] = []
            for s in sessions {
                s.exactActivations = exact
                try s.attach(prefix)
                next.append(try s.forwardLast(prompt) { greedy.sample($0) })
            }
            let t0 = BenchClock.now()
            for _ in 0..<decodeTokens {
                try decoder.step(sessions, tokens: next) { i, logits in next[i] = greedy.sample(logits) }
            }
            if run > 0 { times.append(BenchClock.now().since(t0)) }
        }
        return BenchClock.median(times)
    }

    /// A prefix on every layer with seeded uniform values in [-1, 1).
    static func randomPrefix(config c: ModelConfig, tokens p: Int, seed: UInt64) throws -> PrefixKV {
        var random = SeededGenerator(seed: seed)
        let n = c.kvHeadCount * p * c.headDim
        func values() -> [Float] { (0..<n).map { _ in Float(random.next() >> 40) / Float(1 << 23) - 1 } }
        let layers: [LayerPrefix?] = (0..<c.layerCount).map { _ in LayerPrefix(keys: values(), values: values()) }
        return try PrefixKV(virtualTokenCount: p, kvHeadCount: c.kvHeadCount, headDim: c.headDim, layers: layers)
    }
}
