import ArgumentParser
import Foundation

/// `prefixpack`: train, inspect, validate and run prefix-tuning bundles.
@main
struct PrefixPack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefixpack",
        abstract: "Prefix-tuning bundles (.ptx): build, inspect, validate, run.",
        discussion: "Exit codes: 0 success, 1 usage or I/O error, 2 malformed or corrupt bundle, 3 bundle incompatible with the model.",
        subcommands: [InspectCommand.self, ValidateCommand.self, BenchCommand.self,
                      CollapseCommand.self, ImportCommand.self, ExportCommand.self, ConvertCommand.self,
                      GenerateCommand.self, LogitsCommand.self, TokenizeCommand.self,
                      BuildCommand.self, EvalCommand.self, ServeCommand.self,
                      InspectModelCommand.self]
    )

    /// Parses and runs the command; usage errors exit with 1 (not argument-parser's 64) so the
    /// codes documented in docs/cli-format.md hold for every failure.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.printLines(fullMessage(for: error))
                Foundation.exit(CLIExitCode.usageOrIO.rawValue)
            }
            exit(withError: error)
        }
    }
}
