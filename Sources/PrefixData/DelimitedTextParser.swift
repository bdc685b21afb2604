/// One record of a CSV/TSV document.
public struct DelimitedRecord: Sendable, Equatable {
    /// The 1-based line on which the record starts.
    public var line: Int
    /// The fields, unquoted.
    public var fields: [String]
    /// Why the record is malformed, or nil when it parsed cleanly.
    public var problem: String?
}

/// Splits CSV/TSV text into records following RFC 4180.
///
/// - Fields are separated by the delimiter (`,` or tab); records end at CRLF, LF or a lone CR.
/// - A field that starts with `"` is quoted: it may hold delimiters, line breaks and doubled
///   quotes (`""` is one `"`), and ends at the next single `"`, which must be followed by the
///   delimiter or the end of the record (anything else makes the record malformed).
/// - A `"` inside an unquoted field is kept as a literal character (as Python's `csv` does).
/// - A UTF-8 byte order mark at the start is ignored; blank lines are skipped; a quoted field
///   still open at the end of the document, or a field that is not valid UTF-8, makes its
///   record malformed. Malformed records are returned with a `problem`, never dropped silently.
public struct DelimitedTextParser: Sendable {
    /// The field delimiter byte.
    public let delimiter: UInt8

    /// A parser splitting fields at `delimiter` (`,` for CSV, tab for TSV).
    public init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Parses a whole document.
    public func records(_ bytes: [UInt8]) -> [DelimitedRecord] {
        var out: [DelimitedRecord] = []
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1
        let quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

        var fieldBytes: [UInt8] = []
        var fields: [String] = []
        var problem: String?
        var recordLine = line

        func finishField() {
            if let s = Self.validUTF8(fieldBytes) {
                fields.append(s)
            } else {
                fields.append(String(decoding: fieldBytes, as: UTF8.self))
                if problem == nil { problem = "field \(fields.count) is not valid UTF-8" }
            }
            fieldBytes.removeAll(keepingCapacity: true)
        }
        /// Consumes the line break (CRLF, LF or a lone CR) that starts at `i`.
        func consumeLineBreak() {
            if bytes[i] == cr, i + 1 < n, bytes[i + 1] == lf { i += 1 }
            i += 1
            line += 1
        }

        while i < n {
            // Start of a record: skip blank lines.
            if bytes[i] == cr || bytes[i] == lf {
                consumeLineBreak()
                continue
            }
            recordLine = line
            fields = []
            problem = nil
            var recordDone = false
            while !recordDone {
                // Start of a field.
                if i < n, bytes[i] == quote {
                    i += 1
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == quote {
                            if i + 1 < n, bytes[i + 1] == quote {
                                fieldBytes.append(quote)
                                i += 2
                                continue
                            }
                            i += 1
                            closed = true
                            break
                        }
                        if b == lf || (b == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
                        fieldBytes.append(b)
                        i += 1
                    }
                    if !closed {
                        problem = problem ?? "a quoted field opened on line \(recordLine) is never closed"
                        finishField()
                        recordDone = true
                        break
                    }
                    // After the closing quote: delimiter, end of record, or junk (kept by the loop below).
                    if i < n, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf {
                        problem = problem ?? "text after the closing quote of field \(fields.count + 1)"
                    }
                }
                // The rest of the field (all of it when unquoted).
                while i < n, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf {
                    fieldBytes.append(bytes[i])
                    i += 1
                }
                finishField()
                if i >= n {
                    recordDone = true
                } else if bytes[i] == delimiter {
                    i += 1
                    if i >= n { fields.append(""); recordDone = true }
                } else {
                    consumeLineBreak()
                    recordDone = true
                }
            }
            out.append(DelimitedRecord(line: recordLine, fields: fields, problem: problem))
        }
        return out
    }

    /// The bytes as a string, or nil when they are not valid UTF-8.
    static func validUTF8(_ bytes: [UInt8]) -> String? {
        if #available(macOS 15, *) { return String(validating: bytes, as: UTF8.self) }
        return String(bytes: bytes, encoding: .utf8)
    }
}
