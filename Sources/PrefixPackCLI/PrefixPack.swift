import ArgumentParser

/// `prefixpack`: train, inspect, validate and run prefix-tuning bundles.
@main
struct PrefixPack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefixpack",
        abstract: "Prefix-tuning bundles (.ptx): build, inspect, validate, run.",
        subcommands: [CollapseCommand.self, ImportCommand.self, ExportCommand.self, ConvertCommand.self]
    )
}
