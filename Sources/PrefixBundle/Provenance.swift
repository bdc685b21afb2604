/// Free-form record of where a prefix came from (Spec/ptx-v1.md §6).
///
/// Stored as a JSON object; every member is optional and readers ignore members they do not know.
/// The conventional members have typed accessors.
public struct Provenance: Encodable, Sendable, Equatable {
    /// All members, conventional or not.
    public var fields: [String: JSONValue]

    /// Creates a provenance record from raw members.
    public init(fields: [String: JSONValue] = [:]) { self.fields = fields }

    /// Creates a provenance record from the conventional members (nil members are omitted).
    public init(task: String? = nil, description: String? = nil, baseModel: String? = nil,
                baseModelDigest: String? = nil, hyperparameters: [String: JSONValue]? = nil,
                dataDigest: String? = nil, initText: String? = nil, creator: String? = nil,
                creatorVersion: String? = nil) {
        fields = [:]
        self.task = task; self.description = description; self.baseModel = baseModel
        self.baseModelDigest = baseModelDigest; self.hyperparameters = hyperparameters
        self.dataDigest = dataDigest; self.initText = initText; self.creator = creator
        self.creatorVersion = creatorVersion
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fields)
    }

    private func string(_ k: String) -> String? { fields[k]?.stringValue }
    private mutating func set(_ k: String, _ v: String?) { fields[k] = v.map(JSONValue.string) }

    /// Task name, e.g. `"e2e-nlg"` (member `task`).
    public var task: String? { get { string("task") } set { set("task", newValue) } }
    /// Human description (member `description`).
    public var description: String? { get { string("description") } set { set("description", newValue) } }
    /// Base model name (member `base_model`).
    public var baseModel: String? { get { string("base_model") } set { set("base_model", newValue) } }
    /// Digest of the base checkpoint, `"sha256:<hex>"` (member `base_model_digest`).
    public var baseModelDigest: String? { get { string("base_model_digest") } set { set("base_model_digest", newValue) } }
    /// Training hyperparameters (member `hyperparameters`).
    public var hyperparameters: [String: JSONValue]? {
        get { fields["hyperparameters"]?.objectValue }
        set { fields["hyperparameters"] = newValue.map(JSONValue.object) }
    }
    /// Digest of the training data, `"sha256:<hex>"` (member `data_digest`).
    public var dataDigest: String? { get { string("data_digest") } set { set("data_digest", newValue) } }
    /// Text the prefix was initialised from (member `init_text`).
    public var initText: String? { get { string("init_text") } set { set("init_text", newValue) } }
    /// Tool that created the bundle (member `creator`).
    public var creator: String? { get { string("creator") } set { set("creator", newValue) } }
    /// Version of that tool (member `creator_version`).
    public var creatorVersion: String? { get { string("creator_version") } set { set("creator_version", newValue) } }
}
