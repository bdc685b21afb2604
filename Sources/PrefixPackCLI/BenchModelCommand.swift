import ArgumentParser
import Foundation
import PrefixRuntime
import PrefixSupport

/// `prefixpack bench model --model M [--bundle B]`: load time, prefill and decode throughput.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time model loading, prefill of a 128-token prompt and batch-1 decoding, with and without a prefix.",
        discussion: """
            The prefix is the --bundle if given, else a seeded random 10-token prefix on every layer. \
            The prompt is seeded random ids. Each figure is the median of --repeats runs (after one warm-up). \
            Build with -c release for meaningful figures; nothing is asserted.
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

    func validate() throws {
        for (name, v) in [("--prompt-tokens", promptTokens), ("--decode-tokens", decodeTokens), ("--repeats", repeats), ("--prefix-tokens", prefixTokens)]
        where v < 1 || v > 1 << 16 {
            throw ValidationError("\(name) must be in 1...65536 (got \(v))")
        }
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

            StandardOutput.print("model: \(model) (\(c.architecture.name), \(c.layerCount) layers, hidden \(c.hiddenSize), vocab \(c.vocabSize)); BLAS threads: \(blasThreadCount())")
            print(String(format: "load: %.3f s", loadSeconds))
            StandardOutput.print("prefix: \(prefixLabel)")
            print("| prefix | prefill \(promptTokens) tok (tok/s) | decode \(decodeTokens) tok at batch 1 (tok/s) |")
            print("|---|---|---|")
            for withPrefix in [false, true] {
                let kv = withPrefix ? prefix : nil
                let (prefill, decode) = try measure(session, kv, prompt)
                print(String(format: "| %@ | %.1f (%.3f s) | %.1f (%.1f ms/token) |",
                             withPrefix ? "yes" : "no", Double(promptTokens) / prefill, prefill,
                             Double(decodeTokens) / decode, 1000 * decode / Double(decodeTokens)))
            }
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
    private func measure(_ session: InferenceSession, _ prefix: PrefixKV?, _ prompt: [Int]) throws -> (Double, Double) {
        var prefills: [Double] = [], decodes: [Double] = []
        for run in 0...repeats {
            try session.attach(prefix)
            let t0 = Date()
            var next = try session.forwardLast(prompt) { BenchModelCommand.argmax($0) }
            let t1 = Date()
            for _ in 0..<decodeTokens {
                next = try session.forwardLast(token: next) { BenchModelCommand.argmax($0) }
            }
            let t2 = Date()
            if run > 0 {
                prefills.append(t1.timeIntervalSince(t0))
                decodes.append(t2.timeIntervalSince(t1))
            }
        }
        return (Self.median(prefills), Self.median(decodes))
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    static func argmax(_ v: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
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
