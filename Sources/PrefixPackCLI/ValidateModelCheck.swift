import ArgumentParser
import PrefixBundle
import PrefixRuntime

/// The `--model` half of `prefixpack validate`: the same compatibility check that
/// `Checkpoint.attach` applies, reported finding by finding.
enum ValidateModelCheck {
    /// Loads `modelPath` and compares it with the (already validated) bundle. Prints every
    /// mismatch as `error[incompatible]: ...` and every warning to stderr; throws exit code 3
    /// (valid but incompatible) when there is a mismatch.
    static func run(bundle reader: BundleReader, bundlePath: String, modelPath: String) throws {
        let checkpoint = try Checkpoint.load(path: modelPath)
        let report = checkpoint.compatibility(with: reader.manifest)
        for warning in report.warnings { StandardError.print("warning: \(bundlePath): \(warning)") }
        guard report.isCompatible else {
            for m in report.errors {
                StandardError.print("error[incompatible]: \(bundlePath): does not fit \(modelPath): \(m)")
            }
            throw ExitCode(CLIExitCode.incompatible.rawValue)
        }
    }
}
