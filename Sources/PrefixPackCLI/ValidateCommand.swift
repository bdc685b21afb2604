import ArgumentParser
import PrefixBundle
import PrefixRuntime

/// `prefixpack validate BUNDLE [--model CHECKPOINT]`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Fully validate a .ptx bundle: structure, every CRC-32, every value (NaN/Inf).",
        discussion: """
            Prints every finding to standard error, one per line, as `error[CODE]: FILE: message`. \
            Exit codes: 0 valid, 1 usage or I/O error (missing or unreadable file, option not \
            available), 2 malformed or corrupt, 3 valid but incompatible with --model.
            """
    )

    @Argument(help: "The .ptx bundle to validate.")
    var bundle: String

    @Option(name: .long, help: "Also check that the bundle fits this checkpoint (a .gguf file or a Hugging Face folder).")
    var model: String?

    func run() throws {
        try CLIFailure.guarded {
            let findings = BundleReader.findings(path: bundle)
            if !findings.isEmpty { throw CLIFailure.report(findings) }
            let reader = try BundleReader(path: bundle)
            if let model {
                try ValidateModelCheck.run(bundle: reader, bundlePath: bundle, modelPath: model)
            } else if reader.manifest.form == .reparameterized {
                // What every command would collapse it to must be finite (`error[nan]` / `error[inf]`);
                // with --model the attach above checks the same.
                _ = try PrefixMLP.flatPrefix(of: reader)
            }
            let m = reader.manifest
            StandardOutput.print("\(bundle): valid (\(m.form.rawValue), P = \(m.prefixLength), \(m.layers.count) prefixed layers, \(m.tensors.count) tensors)")
        }
    }
}
