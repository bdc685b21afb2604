import ArgumentParser
import PrefixInterop

/// `prefixpack export peft …`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a bundle for another toolkit.",
        subcommands: [ExportPEFTCommand.self])
}

/// `prefixpack export peft BUNDLE -o DIR|FILE.zip|FILE.tar.gz`.
struct ExportPEFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peft",
        abstract: "Write a PEFT prefix-tuning adapter (adapter_config.json + adapter_model.safetensors).",
        discussion: """
            The adapter has prefix_projection false and the prefix as prompt_embeddings; reparameterized \
            bundles are collapsed first. The output is a folder (new or empty) or, by its extension, a .zip, \
            .tar or .tar.gz archive; it appears only when complete. Load it with \
            PeftModel.from_pretrained(base_model, PATH) (PEFT 0.21).
            """)

    @Argument(help: "The bundle to export.")
    var bundle: String

    @Option(name: .shortAndLong, help: "A folder, or an archive named .zip, .tar or .tar.gz.")
    var output: String

    func run() throws {
        try CLIFailure.guarded {
            let report = try PEFTExporter.export(bundlePath: bundle, outputPath: output)
            StandardOutput.print("exported \(bundle) -> \(output) (\(report.kind)\(report.collapsed ? ", collapsed from the reparameterized form" : ""))")
            if report.baseModel == nil {
                StandardOutput.print("note: the bundle's provenance names no base model; base_model_name_or_path is null")
            }
        }
    }
}
