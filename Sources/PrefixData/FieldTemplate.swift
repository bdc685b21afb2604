/// A prompt or target template: literal text with `{column}` placeholders naming columns (CSV,
/// TSV) or string fields (JSONL). `{{` and `}}` stand for literal braces.
///
/// E2E's default prompt template is `{mr} => ` and its target template `{ref}`: the meaning
/// representation is used exactly as written in the file (`name[The Vaults], eatType[pub], ...`),
/// followed by `" => "`, which is the format of the reference batches.
public struct FieldTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a template.
    enum Piece: Sendable, Hashable {
        case literal(String)
        case field(String)
    }

    /// The template as written (for a single field, `{name}`).
    public let text: String
    let pieces: [Piece]

    /// Parses a template.
    /// - Throws: ``DataError/invalidTemplate(template:detail:)`` for an unclosed `{`, a stray `}`
    ///   or an empty placeholder.
    public init(_ text: String) throws(DataError) {
        var pieces: [Piece] = []
        var literal = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            switch c {
            case "{":
                if chars.first == "{" {
                    chars.removeFirst()
                    literal.append("{")
                    continue
                }
                guard let close = chars.firstIndex(of: "}") else {
                    throw .invalidTemplate(template: text, detail: "a '{' is never closed (write '{{' for a literal brace)")
                }
                let name = String(chars[chars.startIndex..<close])
                guard !name.isEmpty else { throw .invalidTemplate(template: text, detail: "empty placeholder '{}'") }
                guard !name.contains("{") else {
                    throw .invalidTemplate(template: text, detail: "'{' inside the placeholder '{\(name)}'")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.field(name))
                chars = chars[chars.index(after: close)...]
            case "}":
                guard chars.first == "}" else {
                    throw .invalidTemplate(template: text, detail: "a '}' without '{' (write '}}' for a literal brace)")
                }
                chars.removeFirst()
                literal.append("}")
            default:
                literal.append(c)
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.text = text
        self.pieces = pieces
    }

    /// A template that is exactly one field's value (any field name, braces included).
    public init(field name: String) {
        text = "{\(name)}"
        pieces = [.field(name)]
    }

    /// The field names the template uses, in order of first use.
    public var fieldNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for case .field(let name) in pieces where seen.insert(name).inserted { names.append(name) }
        return names
    }

    /// Fills the placeholders with `value(name)`; a field that `value` cannot supply is a problem.
    func render(_ value: (String) -> Result<String, LineProblem>) -> Result<String, LineProblem> {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let s): out += s
            case .field(let name):
                switch value(name) {
                case .success(let s): out += s
                case .failure(let problem): return .failure(problem)
                }
            }
        }
        return .success(out)
    }

    public var description: String { text }
}

/// How the prompt and target of each example are taken from a row.
public enum ExampleFields: Sendable, Hashable {
    /// Chosen from the columns or keys: `prompt_ids`/`target_ids` (JSONL only) →
    /// ``tokenized(promptIDs:targetIDs:)``; `prompt`/`target` → those fields as they are;
    /// `mr`/`ref` → ``e2e``.
    case automatic
    /// Text rendered from templates, then tokenized.
    case text(prompt: FieldTemplate, target: FieldTemplate)
    /// Already tokenized integer arrays (JSONL), used exactly as given: no BOS/EOS is added.
    case tokenized(promptIDs: String, targetIDs: String)

    /// Two fields used as they are (`--prompt-field`/`--target-field`).
    public static func fields(prompt: String, target: String) -> ExampleFields {
        .text(prompt: FieldTemplate(field: prompt), target: FieldTemplate(field: target))
    }

    /// `--prompt-template`/`--target-template`: nil for both = ``automatic``; one given = the
    /// other from ``e2e`` (`{mr} => `, `{ref}`).
    /// - Throws: ``DataError`` for a malformed template.
    public static func templates(prompt: String?, target: String?) throws(DataError) -> ExampleFields {
        guard prompt != nil || target != nil else { return .automatic }
        return .text(prompt: try FieldTemplate(prompt ?? "{mr} => "), target: try FieldTemplate(target ?? "{ref}"))
    }

    /// E2E: prompt = the MR as written + `" => "`, target = the reference.
    public static let e2e = ExampleFields.text(
        prompt: FieldTemplate(unchecked: [.field("mr"), .literal(" => ")], text: "{mr} => "),
        target: FieldTemplate(field: "ref"))

    /// The reference data's tokenized fields, `prompt_ids`/`target_ids`.
    public static let tokenizedIDs = ExampleFields.tokenized(promptIDs: "prompt_ids", targetIDs: "target_ids")

    /// The choice ``automatic`` makes for a document with these column names or keys.
    static func detect(_ names: Set<String>, allowTokenized: Bool) -> ExampleFields? {
        if allowTokenized, names.contains("prompt_ids"), names.contains("target_ids") { return .tokenizedIDs }
        if names.contains("prompt"), names.contains("target") { return .fields(prompt: "prompt", target: "target") }
        if names.contains("mr"), names.contains("ref") { return .e2e }
        return nil
    }
}

extension FieldTemplate {
    /// Builds a template from pieces known to be valid.
    fileprivate init(unchecked pieces: [Piece], text: String) {
        self.text = text
        self.pieces = pieces
    }
}
