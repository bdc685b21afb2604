import ArgumentParser
import PrefixBundle
import PrefixInterop

/// `prefixpack convert BUNDLE -o OUT [--dtype f32|f16|bf16] [--compress | --no-compress]`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Re-encode a bundle (dtype, compression) for distribution.",
        discussion: "Form, manifest and provenance are kept; without options each tensor keeps its dtype and encoding.")

    @Argument(help: "The bundle to convert.")
    var bundle: String

    @Option(name: .shortAndLong, help: "The bundle to write.")
    var output: String

    @Option(help: "Element type of every tensor (default: keep).")
    var dtype: TensorDType?

    @Flag(inversion: .prefixedNo, help: "Store the tensors zlib-compressed (default: as the input).")
    var compress: Bool?

    func run() throws {
        try CLIFailure.guarded {
            let report = try BundleConversion.convert(input: bundle, output: output, dtype: dtype, compress: compress)
            StandardOutput.print("converted \(bundle) (\(report.sourceBytes) bytes) -> \(output) (\(report.outputBytes) bytes, "
                  + "\(report.dtype?.rawValue ?? "dtype kept"), \(report.compressed ? "compressed" : "uncompressed"))")
        }
    }
}
