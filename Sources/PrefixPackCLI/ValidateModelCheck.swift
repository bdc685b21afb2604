import ArgumentParser
import PrefixBundle
import PrefixRuntime

/// The checkpoint half of the engine commands: `validate --model` reports the same
/// compatibility check that `Checkpoint.attach` applies, and every command that attaches a
/// bundle exits with code 3 (valid but incompatible) when it does not fit.
enum ValidateModelCheck {
    /// Loads `modelPath` and compares it with the (already validated) bundle. Prints every
    /// mismatch as `error[incompatible]: ...` and every warning to stderr; throws exit code 3
    /// (valid but incompatible) when there is a mismatch. A compatible bundle is then attached
    /// as `generate` would, so one whose MLP collapses to NaN/Inf fails here too.
    static func run(bundle reader: BundleReader, bundlePath: String, modelPath: String) throws {
        let checkpoint = try Checkpoint.load(path: modelPath)
        let report = checkpoint.compatibility(with: reader.manifest)
        for warning in report.warnings { StandardError.print("warning: \(bundlePath): \(warning)") }
        guard report.isCompatible else {
            throw incompatible(bundlePath: bundlePath, modelPath: modelPath, report.errors)
        }
        // Validation checks what the bundle becomes when attached: a reparameterized bundle is
        // collapsed, and a non-finite result is refused (`error[nan]` / `error[inf]`).
        _ = try checkpoint.attach(reader)
    }

    /// Attaches the bundle at `bundlePath` (nil = none), printing its warnings; an incompatible
    /// bundle is reported like `validate --model` and ends the command with exit code 3.
    static func attach(_ bundlePath: String?, to checkpoint: Checkpoint, modelPath: String) throws -> AttachedPrefix? {
        guard let bundlePath else { return nil }
        do {
            let prefix = try checkpoint.attach(bundlePath: bundlePath)
            for warning in prefix.warnings { StandardError.print("warning: \(bundlePath): \(warning)") }
            return prefix
        } catch EngineError.incompatibleBundle(_, _, let mismatches) {
            throw incompatible(bundlePath: bundlePath, modelPath: modelPath, mismatches)
        }
    }

    private static func incompatible(bundlePath: String, modelPath: String, _ mismatches: [String]) -> ExitCode {
        for m in mismatches {
            StandardError.print("error[incompatible]: \(bundlePath): does not fit \(modelPath): \(m)")
        }
        return ExitCode(CLIExitCode.incompatible.rawValue)
    }
}
