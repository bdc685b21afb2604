import ArgumentParser

/// `prefixpack bench`: benchmarks (figures are printed, never asserted).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks; build with -c release for meaningful figures.",
        subcommands: [BenchBundleCommand.self, BenchModelCommand.self, BenchTrainCommand.self]
    )
}

/// `prefixpack bench bundle`: open time and full-validation throughput of synthetic bundles.
struct BenchBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Time opening and fully validating synthetic raw and compressed f32 bundles.",
        discussion: """
            Writes temporary bundles shaped like SmolLM2-135M prefixes (30 layers, 3 KV heads, \
            head_dim 64) whose P is chosen to reach each size, then reports the median time to open \
            (preamble, manifest and table checks; should not grow with size) and the median time and \
            throughput (decoded GB/s) of full validation (every CRC and value).
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Target raw sizes in MB (10^6 bytes).")
    var sizes: [Double] = [1, 100]

    @Option(name: .long, help: "Number of opens per bundle (the median is reported).")
    var opens = 51

    @Option(name: .long, help: "Number of full validations per bundle (the median is reported).")
    var validations = 5

    @Flag(name: .long, inversion: .prefixedNo, help: "Also benchmark deflate-compressed bundles.")
    var compressed = true

    @Option(name: .long, help: "Directory for the temporary bundles (default: the system temporary directory).")
    var directory: String?

    func run() throws {
        try CLIFailure.guarded {
            let benchmark = BundleBenchmark(
                sizesMB: sizes, opens: opens, validations: validations, includeCompressed: compressed, directory: directory
            )
            let rows = try benchmark.run { StandardError.print($0) }
            print(BundleBenchmark.table(rows))
        }
    }
}
