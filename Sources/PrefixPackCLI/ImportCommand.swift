import ArgumentParser
import PrefixInterop

/// `prefixpack import peft …`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a prefix from another toolkit.",
        subcommands: [ImportPEFTCommand.self])
}

/// `prefixpack import peft DIR|ARCHIVE --model CHECKPOINT -o OUT.ptx [--encoder-weights F.safetensors]`.
struct ImportPEFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peft",
        abstract: "Convert a PEFT prefix-tuning adapter to a .ptx bundle.",
        discussion: """
            Reads adapter_config.json and adapter_model.safetensors from a folder or a .zip/.tar/.tar.gz \
            archive, checks peft_type, task_type and the shape fields against the checkpoint (a Hugging Face \
            folder or a .gguf file), and writes a raw bundle. With --encoder-weights (PEFT prompt-encoder \
            parameters: embedding.weight, transform.0.*, transform.2.*) it writes the reparameterized form, \
            after checking that the MLP reproduces the adapter's prompt_embeddings. adapter_model.bin \
            (pickle) is refused.
            """)

    @Argument(help: "The adapter folder or archive (.zip, .tar, .tar.gz).")
    var adapter: String

    @OptionGroup var checkpoint: CheckpointOption

    @Option(name: .shortAndLong, help: "The bundle to write.")
    var output: String

    @Option(help: "PEFT prompt-encoder parameters (safetensors) to write the reparameterized form.")
    var encoderWeights: String?

    @OptionGroup var encoding: BundleEncodingOptions

    func run() throws {
        try CLIFailure.guarded {
            let report = try PEFTImporter.importAdapter(adapterPath: adapter, checkpointPath: checkpoint.model, outputPath: output,
                                                        encoderWeightsPath: encoderWeights, dtype: encoding.dtype,
                                                        compress: encoding.compress)
            StandardOutput.print("imported \(adapter) -> \(output): \(report.form.rawValue) bundle, P = \(report.prefixLength), "
                  + "\(report.layerCount) layers, \(report.outputBytes) bytes")
        }
    }
}
