import PrefixData

/// How the trainable parameters become the prefix (`build --reparam`).
public enum ReparameterizationChoice: String, Sendable, CaseIterable {
    /// PEFT's `prefix_projection`: a trained embedding through a two-layer MLP, P = MLP(P′).
    case mlp
    /// The per-layer keys and values are the parameters.
    case none
}

/// Everything one ``BuildJob`` decides: the checkpoint, the data and how it becomes examples,
/// the prefix's shape and start, the run's hyperparameters and the files written. The defaults
/// are `prefixpack build`'s.
public struct BuildSettings: Sendable {
    /// Default longest prompt + target in tokens: every E2E example fits whole with SmolLM2's
    /// tokenizer (at most 110 tokens in the quick start's 2000, 127 in train, 140 in dev).
    public static let defaultMaxLength = 160

    /// The checkpoint: a `.gguf` file or a Hugging Face model folder.
    public var model: String
    /// Training data, `FILE` or `ARCHIVE:MEMBER` (PrefixData's ``PrefixData/DataSource``).
    public var data: String
    /// Dev data for the dev loss, or nil.
    public var dev: String?
    /// The bundle to write; must end in `.ptx`.
    public var output: String
    /// Virtual tokens P (nil: 10, or a `.bundle` start's own; a different value is an error there).
    public var prefixLength: Int?
    /// MLP reparameterization or raw K/V (nil: MLP, or a `.bundle` start's own form).
    public var reparameterization: ReparameterizationChoice?
    /// Hidden width H of the MLP (nil: 512, or a `.bundle` start's own).
    public var hiddenWidth: Int?
    /// Where the parameters start.
    public var start = PrefixStart.random
    /// Prefixed layers (nil = all, or a `.bundle` start's own; a different list is an error there).
    public var layers: [Int]?
    /// Longest prompt + target in tokens.
    public var maxLength = BuildSettings.defaultMaxLength
    /// What happens to longer examples.
    public var overlong = OverlongPolicy.truncate
    /// Use only the first N usable training rows (nil = all).
    public var limit: Int?
    /// Dev rows used for the dev loss (0 = no dev loss).
    public var devLimit = 200
    /// `{column}` template of the prompt (nil = chosen from the columns).
    public var promptTemplate: String?
    /// `{column}` template of the target (nil = chosen from the columns).
    public var targetTemplate: String?
    /// Batches, schedule, optimizer, evaluation and checkpoint cadence.
    public var training = TrainingRunConfiguration()
    /// Continue from ``checkpointPath`` when it exists.
    public var resume = false
    /// Stop as if interrupted after this step (tests of resumption).
    public var stopAfterSteps: Int?
    /// Also write the collapsed raw bundle ``rawBundlePath``.
    public var collapse = false
    /// Store bundle tensors zlib-compressed.
    public var compress = false

    /// Settings with the defaults for everything but the files.
    public init(model: String, data: String, dev: String? = nil, output: String) {
        self.model = model
        self.data = data
        self.dev = dev
        self.output = output
    }

    /// The training checkpoint beside the bundle: `OUT.ptx.ckpt`.
    public var checkpointPath: String { output + ".ckpt" }
    /// The loss curve: `OUT.loss.svg`.
    public var lossCurvePath: String { stem + ".loss.svg" }
    /// The collapsed bundle written with ``collapse``: `OUT.raw.ptx`.
    public var rawBundlePath: String { stem + ".raw.ptx" }
    private var stem: String { output.hasSuffix(".ptx") ? String(output.dropLast(4)) : output }
    /// The files the build reads: the model, the data and dev files (the archive for `ARCHIVE:MEMBER`)
    /// and the `--init-from` bundle. No output may be one of them.
    public var inputPaths: [String] {
        var paths = [model, DataSource(parsing: data).file] + (dev.map { [DataSource(parsing: $0).file] } ?? [])
        if case let .bundle(path) = start { paths.append(path) }
        return paths
    }
    /// Every file the build writes: the bundle, its checkpoint, the loss curve and, with ``collapse``, the raw bundle.
    public var outputPaths: [String] { [output, checkpointPath, lossCurvePath] + (collapse ? [rawBundlePath] : []) }

    /// Throws ``TrainingRunError/invalidSetting(name:found:expected:)`` for a value out of range.
    public func validate() throws {
        try TrainingRunError.require(output.hasSuffix(".ptx"), "-o", "'\(output)'", "a .ptx file name")
        try TrainingRunError.require((prefixLength ?? 1) >= 1, "--prefix-length", prefixLength ?? 1, "at least 1")
        try TrainingRunError.require((hiddenWidth ?? 1) >= 1, "--hidden", hiddenWidth ?? 1, "at least 1")
        try TrainingRunError.require(maxLength >= 2, "--max-length", maxLength, "at least 2")
        try TrainingRunError.require(devLimit >= 0, "--dev-limit", devLimit, "0 or more")
        try training.validate()
    }

    /// The prefixed layers, sorted and without repeats, for a model with `layerCount` layers.
    public func layerIndices(layerCount: Int) throws -> [Int] {
        guard let layers else { return Array(0..<layerCount) }
        let sorted = Array(Set(layers)).sorted()
        guard let first = sorted.first, let last = sorted.last, first >= 0, last < layerCount else {
            throw TrainingRunError.invalidSetting(
                name: "--layers", found: layers.map(String.init).joined(separator: ","),
                expected: "one or more layer indices in 0..<\(layerCount)")
        }
        return sorted
    }

    /// How the start is named in the provenance: `text`, `random`, `zero` or `bundle:PATH`.
    var startLabel: String {
        if case let .bundle(path) = start { return "bundle:\(path)" }
        return initText != nil ? "text" : start == .zero ? "zero" : "random"
    }

    /// The `--init-text` words, if the start is text.
    var initText: String? {
        if case let .text(text) = start { return text }
        return nil
    }
}
