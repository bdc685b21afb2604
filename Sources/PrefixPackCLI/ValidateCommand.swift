import ArgumentParser
import PrefixBundle

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

    @Option(name: .long, help: "Also check the bundle against this checkpoint (needs the runtime; not available in this build).")
    var model: String?

    func run() throws {
        try CLIFailure.guarded {
            if model != nil {
                throw CLIError.notAvailable(
                    feature: "validate --model",
                    reason: "checking a bundle against a checkpoint needs the model runtime, which this build does not include yet; run without --model to validate the bundle alone")
            }
            let findings = BundleReader.findings(path: bundle)
            if !findings.isEmpty { throw CLIFailure.report(findings) }
            let reader = try BundleReader(path: bundle)
            let m = reader.manifest
            print("\(bundle): valid (\(m.form.rawValue), P = \(m.prefixLength), \(m.layers.count) prefixed layers, \(m.tensors.count) tensors)")
        }
    }
}
