import Foundation
import PrefixData

/// Training/eval data rows: the input is written as `rows.csv`, `rows.tsv` and `rows.jsonl`
/// (and `rows.jsonl.gz` when it starts with the gzip magic) and read with
/// `DatasetLoader.readPairs`, which detects the fields and parses every row.
///
/// Invariants: no crash, no hang, bounded memory; rows accepted ⇒ no more pairs than rows, and
/// every skipped row counted with its reason.
enum DataRowsFuzzer {
    static let limits = DataLimits(maxDocumentBytes: 4 << 20, maxArchiveBytes: 8 << 20, maxArchiveMembers: 1000)

    static func run(_ input: UnsafeRawBufferPointer) {
        var names = ["rows.csv", "rows.tsv", "rows.jsonl"]
        if input.starts(with: [0x1F, 0x8B]) { names.append("rows.jsonl.gz") }
        for name in names {
            let url = FuzzScratch.write(input, as: name)
            let options = DatasetOptions(limits: limits)
            guard let (pairs, report) = accepted("DatasetLoader.readPairs(\(name))", {
                try DatasetLoader.readPairs(sources: [DataSource(file: url.path)], options: options)
            }) else { continue }
            let require = FuzzInvariant.require
            require(!pairs.isEmpty && pairs.count <= report.rows, "\(name): \(pairs.count) pairs from \(report.rows) rows")
            require(pairs.count + report.skippedRows == report.rows,
                    "\(name): \(pairs.count) pairs + \(report.skippedRows) skipped != \(report.rows) rows")
            require(report.issues.count <= DatasetReport.keptIssues, "\(name): \(report.issues.count) issues kept")
            for issue in report.issues {
                require(issue.reason.utf8.count <= FuzzInvariant.maxMessageBytes, "\(name): \(issue.reason.utf8.count)-byte row issue")
            }
        }
    }
}
