/// The three fields of an `.npy` header dictionary.
struct NpyHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]
}

/// Parses the Python dict literal of an `.npy` header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (12, 512), }`. Exactly the keys
/// `descr`, `fortran_order` and `shape` are accepted, each once.
struct NpyHeaderParser {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0

    init(text: String, file: String) {
        scalars = Array(text.unicodeScalars)
        self.file = file
    }

    private func fail(_ found: String, _ expected: String) -> TensorFileError {
        TensorFileError.invalidHeader(file: file, field: "npy header at character \(index)", found: found, expected: expected)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipSpace() {
        while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
    }

    private mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard current == c else { throw fail(current.map { "'\($0)'" } ?? "end of header", "'\(c)'") }
        index += 1
    }

    private mutating func string() throws -> String {
        skipSpace()
        guard let quote = current, quote == "'" || quote == "\"" else {
            throw fail(current.map { "'\($0)'" } ?? "end of header", "a quoted string")
        }
        index += 1
        var text = ""
        while let c = current, c != quote {
            if c == "\\" { throw fail("escape sequence", "a plain string") }
            text.unicodeScalars.append(c)
            index += 1
        }
        guard current == quote else { throw fail("end of header", "closing quote") }
        index += 1
        return text
    }

    private mutating func word() -> String {
        skipSpace()
        var text = ""
        while let c = current, c.properties.isAlphabetic { text.unicodeScalars.append(c); index += 1 }
        return text
    }

    private mutating func integer() throws -> Int {
        skipSpace()
        var value = 0
        var digits = 0
        while let c = current, let digit = Int(String(c)), c.isASCII {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(digit)
            if o1 || o2 { throw fail("a dimension too large", "a dimension below 2^63") }
            value = sum
            digits += 1
            index += 1
        }
        if digits == 0 { throw fail(current.map { "'\($0)'" } ?? "end of header", "a non-negative integer") }
        return value
    }

    private mutating func tuple() throws -> [Int] {
        try expect("(")
        var values: [Int] = []
        while true {
            skipSpace()
            if current == ")" { index += 1; return values }
            values.append(try integer())
            skipSpace()
            if current == "," { index += 1; continue }
            try expect(")")
            return values
        }
    }

    mutating func parse() throws -> NpyHeader {
        var descr: String?
        var fortran: Bool?
        var shape: [Int]?
        try expect("{")
        while true {
            skipSpace()
            if current == "}" { index += 1; break }
            let key = try string()
            try expect(":")
            switch key {
            case "descr":
                if descr != nil { throw TensorFileError.duplicateKey(file: file, key: key) }
                descr = try string()
            case "fortran_order":
                if fortran != nil { throw TensorFileError.duplicateKey(file: file, key: key) }
                switch word() {
                case "True": fortran = true
                case "False": fortran = false
                case let other: throw fail("'\(other)'", "True or False")
                }
            case "shape":
                if shape != nil { throw TensorFileError.duplicateKey(file: file, key: key) }
                shape = try tuple()
            default:
                throw TensorFileError.invalidHeader(file: file, field: "npy header key", found: "'\(key)'", expected: "descr, fortran_order or shape")
            }
            skipSpace()
            if current == "," { index += 1; continue }
            try expect("}")
            break
        }
        skipSpace()
        if index != scalars.count { throw fail("trailing characters", "end of header") }
        guard let descr, let fortran, let shape else {
            let missing = [descr == nil ? "descr" : nil, fortran == nil ? "fortran_order" : nil, shape == nil ? "shape" : nil]
            throw TensorFileError.invalidHeader(
                file: file, field: "npy header", found: "missing \(missing.compactMap { $0 }.joined(separator: ", "))",
                expected: "descr, fortran_order and shape")
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }
}
