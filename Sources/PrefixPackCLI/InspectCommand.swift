import ArgumentParser
import PrefixBundle

/// `prefixpack inspect BUNDLE [--json] [--tensors] [--stats]`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a .ptx bundle holds: form, prefix length, layers, fingerprint, sizes, provenance.",
        discussion: """
            Opening checks the bundle's structure (preamble, manifest, tensor table) but not every \
            CRC and value; use `prefixpack validate` for that. Exit codes: 0 shown, 1 usage or I/O \
            error, 2 malformed bundle.
            """
    )

    @Argument(help: "The .ptx bundle to inspect.")
    var bundle: String

    @Flag(help: "Print the stable JSON document (schema in docs/cli-format.md) instead of text.")
    var json = false

    @Flag(help: "Include the tensor table (name, dtype, shape, offset, lengths, encoding, CRC-32).")
    var tensors = false

    @Flag(help: "Include per-layer statistics of keys and values (L2 norm, mean, min, max); reads every tensor.")
    var stats = false

    func run() throws {
        try CLIFailure.guarded {
            let reader = try BundleReader(path: bundle)
            let report = try InspectReport(bundle: reader, includeTensors: tensors, includeStatistics: stats)
            print(json ? try JSONOutput.document(report) : InspectTextRenderer.render(report))
        }
    }
}
