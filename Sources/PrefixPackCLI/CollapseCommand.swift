import ArgumentParser
import PrefixBundle
import PrefixInterop

/// `prefixpack collapse IN.ptx -o OUT.ptx [--dtype f32|f16|bf16] [--compress]`.
struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Collapse a reparameterized bundle to the raw form (P = MLP(P′)).",
        discussion: """
            Writes the raw bundle with the same fingerprint, tokenizer hash and provenance, records the \
            source bundle's sha256 under provenance.collapsed_from, and checks that the written K/V reproduce \
            the reparameterized K/V (bit-identical for f32; within rounding of each value for f16/bf16).
            """)

    @Argument(help: "The reparameterized bundle.")
    var input: String

    @Option(name: .shortAndLong, help: "The raw bundle to write.")
    var output: String

    @OptionGroup var encoding: BundleEncodingOptions

    func run() throws {
        try CLIFailure.guarded {
            let report = try BundleCollapse.collapseFile(input: input, output: output,
                                                         dtype: encoding.dtype, compress: encoding.compress)
            StandardOutput.print("collapsed \(input) (\(report.sourceBytes) bytes, reparameterized) -> \(output) (\(report.outputBytes) bytes, raw \(encoding.dtype.rawValue))")
            StandardOutput.print("source digest: \(report.sourceDigest)")
            StandardOutput.print("K/V check: max |diff| \(report.maxAbsError); bound: \(report.bound)")
        }
    }
}
