import ArgumentParser
import Foundation
import PrefixServer

/// `prefixpack serve --model M --bundles DIR ...`: the OpenAI-compatible server (docs/serving.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a checkpoint and every compatible .ptx bundle of a directory over an OpenAI-compatible HTTP API.",
        discussion: """
            The base model is served under its file or folder name (without .gguf), each bundle under its file \
            name without .ptx; requests for different prefixes share one decode batch. Binds 127.0.0.1 unless \
            --host says otherwise. SIGTERM/SIGINT stop accepting, let running requests finish (--drain-timeout), \
            then exit. Endpoints, errors and limits: docs/serving.md.
            """
    )

    @OptionGroup var checkpoint: CheckpointOption
    @OptionGroup var threads: ThreadsOption

    @Option(help: "Directory of .ptx bundles; only plain file names inside it can be loaded.")
    var bundles: String

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = any free port; the ready line prints it).")
    var port = 8080

    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' on every endpoint but /health.")
    var apiKey: String?

    @Option(name: .customLong("max-batch"), help: "Largest number of sequences decoded together.")
    var maxBatch = 8

    @Option(name: .customLong("max-queue"), help: "Largest number of waiting requests (429 beyond).")
    var maxQueue = 64

    @Option(name: .customLong("prefill-chunk"), help: "Prompt tokens prefilled per scheduler step (a prompt within one chunk is prefilled in one pass, bit for bit as generate).")
    var prefillChunk = 512

    @Option(name: .customLong("max-prefix-memory"), help: "Bytes of resident prefixes; least recently used idle ones are unloaded beyond.")
    var maxPrefixMemory: Int?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body (413 beyond).")
    var maxBodyBytes = 1 << 20

    @Option(name: .customLong("max-tokens-limit"), help: "Largest max_tokens a request may ask for.")
    var maxTokensLimit = 2048

    @Option(name: .customLong("request-timeout"), help: "Seconds a request may run.")
    var requestTimeout = 300

    @Option(name: .customLong("drain-timeout"), help: "Seconds SIGTERM waits for running requests.")
    var drainTimeout = 30

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535 (got \(port))") }
        for (name, value) in [("--max-batch", maxBatch), ("--max-queue", maxQueue), ("--max-body-bytes", maxBodyBytes),
                              ("--max-tokens-limit", maxTokensLimit), ("--request-timeout", requestTimeout)] where value < 1 {
            throw ValidationError("\(name) must be >= 1 (got \(value))")
        }
        guard prefillChunk >= 2 else { throw ValidationError("--prefill-chunk must be >= 2 (got \(prefillChunk))") }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must be >= 0 (got \(drainTimeout))") }
        if let maxPrefixMemory, maxPrefixMemory < 1 { throw ValidationError("--max-prefix-memory must be >= 1 (got \(maxPrefixMemory))") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
    }

    func run() async throws {
        threads.apply()
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.apiKey = apiKey
        options.limits = SchedulerLimits(maxBatch: maxBatch, maxQueue: maxQueue, prefillChunk: prefillChunk)
        options.maxPrefixMemory = maxPrefixMemory
        options.maxBodyBytes = maxBodyBytes
        options.maxTokensLimit = maxTokensLimit
        options.requestTimeoutSeconds = requestTimeout
        options.drainTimeoutSeconds = drainTimeout
        do {
            try await ServerLauncher.run(modelPath: checkpoint.model, bundlesPath: bundles, options: options) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch {
            throw CLIFailure.report([error])
        }
    }
}
