/// The parsers of untrusted input that `prefixpack-fuzz` exercises, one per file beside this one.
/// The raw value is the name given on the command line (or in `PREFIXPACK_FUZZ_TARGET`) and the
/// folder of its seed corpus, `Fuzz/corpus/<name>`.
enum FuzzTarget: String, CaseIterable, Sendable {
    case gguf
    case safetensors
    case safetensorsIndex = "safetensors-index"
    case tokenizer
    case config
    case dataRows = "data-rows"
    case archive
    case serverRequest = "server-request"

    /// Runs one input through this target's parser and checks its invariants (traps when one is broken).
    func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .gguf: GGUFFuzzer.run(input)
        case .safetensors: SafetensorsFuzzer.run(input)
        case .safetensorsIndex: SafetensorsIndexFuzzer.run(input)
        case .tokenizer: TokenizerFuzzer.run(input)
        case .config: ModelConfigFuzzer.run(input)
        case .dataRows: DataRowsFuzzer.run(input)
        case .archive: ArchiveFuzzer.run(input)
        case .serverRequest: ServerRequestFuzzer.run(input)
        }
    }

    /// The names accepted on the command line, for usage messages.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Environment variable naming the target, inherited by libFuzzer's `-fork`/`-jobs` children.
    static let environmentVariable = "PREFIXPACK_FUZZ_TARGET"
}
