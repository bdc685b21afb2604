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

    @Option(help: "Element type of the written tensors: f32, f16 or bf16.")
    var dtype: String = "f32"

    @Flag(help: "Store the tensors zlib-compressed.")
    var compress = false

    func run() throws {
        try CLIFailure.guarded {
            let report = try BundleCollapse.collapseFile(input: input, output: output,
                                                         dtype: try parseDType(dtype), compress: compress)
            print("collapsed \(input) (\(report.sourceBytes) bytes, reparameterized) -> \(output) (\(report.outputBytes) bytes, raw \(dtype))")
            print("source digest: \(report.sourceDigest)")
            print("K/V check: max |diff| \(report.maxAbsError); bound: \(report.bound)")
        }
    }
}

/// Parses `f32`, `f16` or `bf16`.
func parseDType(_ text: String) throws -> TensorDType {
    guard let d = TensorDType(rawValue: text.lowercased()) else {
        throw CLIError.invalidArgument(option: "--dtype", found: "'\(text)'", expected: "f32, f16 or bf16")
    }
    return d
}
