/// Every architecture the runtime implements, one line each, looked up by the Hugging Face
/// `architectures`/`model_type` of a `config.json` or the GGUF `general.architecture`.
public enum ArchitectureRegistry {
    /// The registered architectures.
    public static let all: [ModelArchitecture] = [
        .llama,
        .gpt2,
        .qwen2,
        .qwen3,
        .gemma3,
    ]

    /// The architecture whose class is listed in `classes` or, when `classes` is empty, whose
    /// model type is `modelType`.
    public static func huggingFace(classes: [String], modelType: String?) -> ModelArchitecture? {
        if !classes.isEmpty {
            return all.first { arch in classes.contains { arch.huggingFaceClasses.contains($0) } }
        }
        return all.first { arch in modelType.map { arch.huggingFaceModelTypes.contains($0) } ?? false }
    }

    /// The architecture with GGUF name `name`.
    public static func gguf(_ name: String) -> ModelArchitecture? { all.first { $0.ggufName == name } }
}
