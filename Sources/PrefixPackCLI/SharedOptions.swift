import ArgumentParser
import PrefixBundle
import PrefixRuntime

/// `--model`: the checkpoint a command loads.
struct CheckpointOption: ParsableArguments {
    @Option(help: "Checkpoint: a .gguf file or a Hugging Face model folder.")
    var model: String
}

/// `--bundle`: a prefix to attach to the checkpoint (none = the bare model).
struct BundleOption: ParsableArguments {
    @Option(help: "A .ptx bundle to attach (default: none, the bare model).")
    var bundle: String?
}

/// `--threads`: the process's compute threads (the runtime's products and OpenBLAS's).
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads for the model's products (quantized kernels and OpenBLAS), 1...256 (default: every online CPU).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be in 1...256 (got \(threads))")
        }
    }

    /// Sets the thread count when one was given.
    func apply() {
        if let threads { ComputeThreads.setDefaultCount(threads) }
    }
}

/// `--dtype` and `--compress` of the commands that write a bundle from a computed prefix.
struct BundleEncodingOptions: ParsableArguments {
    @Option(help: "Element type of the written tensors.")
    var dtype: TensorDType = .f32

    @Flag(help: "Store the tensors zlib-compressed.")
    var compress = false
}

extension TensorDType: ExpressibleByArgument {
    /// Parses `f32`, `f16` or `bf16` (any case).
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
