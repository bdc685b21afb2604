import Crypto
import PrefixSupport

/// How a dataset is read.
public struct DatasetOptions: Sendable, Equatable {
    /// The format of every document, or nil to tell it from each document's name.
    public var format: DataFormat?
    /// How prompts and targets are taken from rows.
    public var fields: ExampleFields
    /// Size caps.
    public var limits: DataLimits
    /// Throw ``DataError/badRow(_:)`` at the first malformed row instead of skipping it.
    public var stopAtFirstBadRow: Bool
    /// Use only the first `limit` usable rows, in file order (`build --limit`); nil = all.
    public var limit: Int?

    /// Creates options; by default the format comes from the names, the fields are chosen
    /// automatically, and malformed rows are skipped and counted.
    public init(
        format: DataFormat? = nil, fields: ExampleFields = .automatic, limits: DataLimits = DataLimits(),
        stopAtFirstBadRow: Bool = false, limit: Int? = nil
    ) {
        self.format = format
        self.fields = fields
        self.limits = limits
        self.stopAtFirstBadRow = stopAtFirstBadRow
        self.limit = limit
    }
}

/// What reading a dataset did: rows read, rows skipped (with the reasons), examples truncated or
/// skipped for length. Nothing is dropped without being counted here.
public struct DatasetReport: Sendable, Equatable, CustomStringConvertible {
    /// Number of issues kept in ``issues`` (all are counted in ``skippedRows``).
    public static let keptIssues = 100

    /// The documents read, as `file` or `file:member`.
    public var documents: [String] = []
    /// SHA-256 (`sha256:<hex>`) of the bytes of every document read, in order: identifies the
    /// files themselves (``DatasetDigest`` identifies the examples training sees).
    public var sourceDigest = ""
    /// Usable rows left out by ``DatasetOptions/limit``.
    public var beyondLimit = 0
    /// Data rows seen (header and blank lines excluded).
    public var rows = 0
    /// Rows skipped because they are malformed or unusable.
    public var skippedRows = 0
    /// The first ``keptIssues`` skipped rows with their reasons.
    public var issues: [DataIssue] = []
    /// Examples cut to the maximum sequence length.
    public var truncatedExamples = 0
    /// Examples skipped because they are longer than the maximum sequence length.
    public var overlongSkipped = 0
    /// Usable examples.
    public var examples = 0
    /// Longest example kept, in tokens.
    public var longestExample = 0

    /// Creates an empty report.
    public init() {}

    mutating func record(_ issue: DataIssue) {
        skippedRows += 1
        if issues.count < Self.keptIssues { issues.append(issue) }
    }

    /// One line: rows, examples and the longest, bad rows, rows beyond the limit, truncated (always
    /// said, also when 0) and overlong examples.
    public var description: String {
        var text = "\(documents.joined(separator: ", ")): \(rows) rows, \(examples) examples (longest \(longestExample) tokens)"
        text += ", \(skippedRows) bad rows skipped"
        if beyondLimit > 0 { text += ", \(beyondLimit) rows beyond the limit" }
        text += ", \(truncatedExamples) truncated to the length limit"
        if truncatedExamples > 0 { text += " (their targets lose the tail and EOS)" }
        if overlongSkipped > 0 { text += ", \(overlongSkipped) skipped as longer than the length limit" }
        return text
    }
}

/// A tokenized dataset with its report and digest.
public struct Dataset: Sendable {
    /// The examples in file order.
    public var examples: [TrainingExample]
    /// What reading did.
    public var report: DatasetReport
    /// ``DatasetDigest`` of the examples (`sha256:<hex>`), for bundle provenance.
    public var digest: String
}

/// Reads datasets: sources → documents → rows → pairs → examples.
public enum DatasetLoader {
    /// Reads the rows of every source as prompt/target pairs (text or ids), in order.
    /// - Throws: ``DataError``; ``DataError/noExamples(documents:rows:skipped:firstIssue:)`` when no
    ///   row is usable.
    public static func readPairs(
        sources: [DataSource], options: DatasetOptions = DatasetOptions()
    ) throws(DataError) -> (pairs: [DataPair], report: DatasetReport) {
        if let limit = options.limit, limit < 1 {
            throw .invalidOption(name: "limit", found: "\(limit)", expected: "at least 1")
        }
        var report = DatasetReport()
        var pairs: [DataPair] = []
        var hasher = SHA256()
        for source in sources {
            for document in try source.readDocuments(limits: options.limits) {
                hasher.update(data: document.bytes)
                guard let format = options.format ?? DataFormat.detect(name: document.formatName) else {
                    throw .unknownFormat(document: document.name)
                }
                var issues: [DataIssue] = []
                let read = try DataRowReader.pairs(document, format: format, fields: options.fields, issues: &issues)
                if options.stopAtFirstBadRow, let first = issues.first { throw .badRow(first) }
                report.documents.append(document.name)
                report.rows += read.rows
                for issue in issues { report.record(issue) }
                pairs += read.pairs
            }
        }
        report.sourceDigest = FileDigest.format(hasher.finalize())
        if let limit = options.limit, pairs.count > limit {
            report.beyondLimit = pairs.count - limit
            pairs.removeLast(pairs.count - limit)
        }
        if pairs.isEmpty {
            throw .noExamples(
                documents: report.documents, rows: report.rows, skipped: report.skippedRows, firstIssue: report.issues.first)
        }
        return (pairs, report)
    }

    /// Reads and tokenizes every source.
    /// - Throws: ``DataError``; ``DataError/noExamples(documents:rows:skipped:firstIssue:)`` when no
    ///   example is left (empty data, every row bad, or every example too long).
    public static func load(
        sources: [DataSource], options: DatasetOptions = DatasetOptions(), encoder: ExampleEncoder
    ) throws(DataError) -> Dataset {
        var (pairs, report) = try readPairs(sources: sources, options: options)
        var examples: [TrainingExample] = []
        examples.reserveCapacity(pairs.count)
        for pair in pairs {
            switch encoder.encode(pair) {
            case .example(let example, let truncated):
                if truncated { report.truncatedExamples += 1 }
                report.longestExample = max(report.longestExample, example.count)
                examples.append(example)
            case .overlong:
                report.overlongSkipped += 1
            case .invalid(let reason):
                let issue = DataIssue(location: pair.location, reason: reason)
                if options.stopAtFirstBadRow { throw .badRow(issue) }
                report.record(issue)
            }
        }
        pairs.removeAll()
        report.examples = examples.count
        if examples.isEmpty {
            throw .noExamples(
                documents: report.documents, rows: report.rows, skipped: report.skippedRows + report.overlongSkipped,
                firstIssue: report.issues.first)
        }
        return Dataset(examples: examples, report: report, digest: DatasetDigest.digest(examples))
    }
}
