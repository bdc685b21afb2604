import PrefixSupport

/// The prompt or the target of a row: text (tokenized later) or token ids given in the file.
public enum PairContent: Sendable, Hashable {
    /// Text to tokenize.
    case text(String)
    /// Ids used exactly as given.
    case ids([Int])
}

/// One usable row: where it starts, its prompt and its target.
public struct DataPair: Sendable, Hashable {
    /// Where the row starts.
    public var location: DataLocation
    /// The prompt.
    public var prompt: PairContent
    /// The target (without EOS; ``ExampleEncoder`` appends it for text).
    public var target: PairContent

    /// Creates a pair.
    public init(location: DataLocation, prompt: PairContent, target: PairContent) {
        self.location = location
        self.prompt = prompt
        self.target = target
    }
}

/// Why a line or row could not be used.
struct LineProblem: Error, Sendable, Equatable {
    var reason: String
}

/// Turns the rows of one document into ``DataPair``s, collecting the malformed rows as issues.
enum DataRowReader {
    /// Reads `document` as `format` with `fields`. Document-level problems (header, unknown
    /// columns) throw; row-level problems are appended to `issues`.
    static func pairs(
        _ document: DataDocument, format: DataFormat, fields: ExampleFields, issues: inout [DataIssue]
    ) throws(DataError) -> (pairs: [DataPair], rows: Int) {
        switch format {
        case .csv: return try delimited(document, delimiter: UInt8(ascii: ","), fields: fields, issues: &issues)
        case .tsv: return try delimited(document, delimiter: 0x09, fields: fields, issues: &issues)
        case .jsonl: return try jsonLines(document, fields: fields, issues: &issues)
        }
    }

    private static func delimited(
        _ document: DataDocument, delimiter: UInt8, fields: ExampleFields, issues: inout [DataIssue]
    ) throws(DataError) -> (pairs: [DataPair], rows: Int) {
        let records = DelimitedTextParser(delimiter: delimiter).records(document.bytes)
        guard let header = records.first else {
            throw .invalidHeader(document: document.name, detail: "the document is empty (no header row)")
        }
        if let problem = header.problem { throw .invalidHeader(document: document.name, detail: problem) }
        var column: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            guard column[name] == nil else {
                throw .invalidHeader(document: document.name, detail: "the column name '\(name)' appears twice")
            }
            column[name] = i
        }
        let promptTemplate: FieldTemplate, targetTemplate: FieldTemplate
        switch fields {
        case .automatic:
            // Without token ids, detection only ever chooses text templates.
            guard case .text(let prompt, let target) = ExampleFields.detect(Set(header.fields), allowTokenized: false) else {
                throw .fieldsNotDetected(document: document.name, keys: header.fields)
            }
            (promptTemplate, targetTemplate) = (prompt, target)
        case .tokenized:
            throw .invalidOption(
                name: "fields", found: "token-id fields for the CSV/TSV document '\(document.name)'",
                expected: "token ids only in JSONL (integer arrays); use text templates for CSV/TSV")
        case .text(let prompt, let target):
            (promptTemplate, targetTemplate) = (prompt, target)
        }
        for name in promptTemplate.fieldNames + targetTemplate.fieldNames where column[name] == nil {
            throw .missingColumn(document: document.name, column: name, available: header.fields)
        }
        var pairs: [DataPair] = []
        pairs.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            let location = DataLocation(file: document.file, member: document.member, line: record.line)
            if let problem = record.problem {
                issues.append(DataIssue(location: location, reason: problem))
                continue
            }
            guard record.fields.count == header.fields.count else {
                issues.append(DataIssue(
                    location: location,
                    reason: "expected \(header.fields.count) fields as in the header, found \(record.fields.count)"))
                continue
            }
            let lookup: (String) -> Result<String, LineProblem> = { name in
                // Every name was checked against the header above.
                .success(record.fields[column[name] ?? 0])
            }
            switch (promptTemplate.render(lookup), targetTemplate.render(lookup)) {
            case (.success(let prompt), .success(let target)):
                pairs.append(DataPair(location: location, prompt: .text(prompt), target: .text(target)))
            case (.failure(let problem), _), (_, .failure(let problem)):
                issues.append(DataIssue(location: location, reason: problem.reason))
            }
        }
        return (pairs, records.count - 1)
    }

    private static func jsonLines(
        _ document: DataDocument, fields: ExampleFields, issues: inout [DataIssue]
    ) throws(DataError) -> (pairs: [DataPair], rows: Int) {
        var pairs: [DataPair] = []
        var rows = 0
        var chosen: ExampleFields? = fields == .automatic ? nil : fields
        let bytes = document.bytes
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            rows += 1
            let location = DataLocation(file: document.file, member: document.member, line: lineNumber)
            let object: JSONObject
            switch parseLineObject(line) {
            case .success(let o): object = o
            case .failure(let problem):
                issues.append(DataIssue(location: location, reason: problem.reason))
                continue
            }
            if chosen == nil {
                guard let detected = ExampleFields.detect(Set(object.names), allowTokenized: true) else {
                    throw .fieldsNotDetected(document: document.name, keys: Set(object.names).sorted())
                }
                chosen = detected
            }
            switch pair(object, fields: chosen ?? fields, location: location) {
            case .success(let p): pairs.append(p)
            case .failure(let problem): issues.append(DataIssue(location: location, reason: problem.reason))
            }
        }
        return (pairs, rows)
    }

    /// Parses one JSONL line with PrefixSupport's strict parser; returns the object, or a reason
    /// why the line is not a JSON object.
    private static func parseLineObject(_ bytes: ArraySlice<UInt8>) -> Result<JSONObject, LineProblem> {
        let value: JSONNode
        do {
            value = try JSONParser.parse(Array(bytes), documentName: "the line")
        } catch {
            return .failure(LineProblem(reason: "not valid JSON (\(error.detail))"))
        }
        guard case .object(let object) = value else {
            return .failure(LineProblem(reason: "expected a JSON object, found \(value.kind)"))
        }
        return .success(object)
    }

    private static func pair(
        _ object: JSONObject, fields: ExampleFields, location: DataLocation
    ) -> Result<DataPair, LineProblem> {
        switch fields {
        case .automatic:
            return .failure(LineProblem(reason: "no prompt/target fields chosen"))
        case .tokenized(let promptKey, let targetKey):
            return ids(object, promptKey).flatMap { p in
                ids(object, targetKey).map { DataPair(location: location, prompt: .ids(p), target: .ids($0)) }
            }
        case .text(let promptTemplate, let targetTemplate):
            let lookup: (String) -> Result<String, LineProblem> = { name in
                guard let value = object[name] else { return .failure(LineProblem(reason: "missing field '\(name)'")) }
                guard case .string(let s) = value else {
                    return .failure(LineProblem(reason: "field '\(name)' is \(value.kind), expected a string"))
                }
                return .success(s)
            }
            return promptTemplate.render(lookup).flatMap { p in
                targetTemplate.render(lookup).map { DataPair(location: location, prompt: .text(p), target: .text($0)) }
            }
        }
    }

    private static func ids(_ object: JSONObject, _ key: String) -> Result<[Int], LineProblem> {
        guard let value = object[key] else { return .failure(LineProblem(reason: "missing field '\(key)'")) }
        guard case .array(let items) = value else {
            return .failure(LineProblem(reason: "field '\(key)' is \(value.kind), expected an array of token ids"))
        }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let id = item.integer(Int.self), id >= 0 else {
                return .failure(LineProblem(reason: "field '\(key)'[\(i)] is \(item.kind), expected a token id (integer >= 0)"))
            }
            out.append(id)
        }
        return .success(out)
    }
}
