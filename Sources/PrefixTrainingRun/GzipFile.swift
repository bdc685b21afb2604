import CZlib
import Foundation

/// Reads a whole `.gz` file (gzip, possibly several members) through zlib, with a size cap.
enum GzipFile {
    /// Largest decompressed size accepted (1 GiB).
    static let maximumBytes = 1 << 30

    static func read(path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw TrainingRunError.unreadableData(file: path, detail: "cannot open the gzip file")
        }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
                throw TrainingRunError.unreadableData(file: path, detail: "corrupt gzip data: \(message)")
            }
            if n == 0 { break }
            guard out.count + Int(n) <= maximumBytes else {
                throw TrainingRunError.unreadableData(file: path, detail: "decompresses to more than \(maximumBytes) bytes")
            }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}
