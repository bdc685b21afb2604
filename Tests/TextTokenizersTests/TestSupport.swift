import Foundation
import XCTest

/// Locations of fixtures and optional model files, found by walking up from this file.
enum TestPaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Fixtures/tokenizers").appendingPathComponent(name)
    }

    static let smolLM2GGUF = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixture(name)))
    }
}

/// A deliberately small, TEST-ONLY reader of GGUF metadata key/values (no tensors), used to feed
/// `BPETokenizer(ggufModel:...)` until the TensorFiles GGUF reader is available. Not for production.
struct TestGGUFMetadata {
    enum Value {
        case int(Int), float(Double), bool(Bool), string(String), array([Value])
    }

    var values: [String: Value] = [:]

    struct Malformed: Error {}

    init(url: URL, maxBytes: Int = 16 << 20) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let bytes = [UInt8](try handle.read(upToCount: maxBytes) ?? Data())
        var p = 0
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, p + n <= bytes.count else { throw Malformed() }
            defer { p += n }
            return bytes[p..<(p + n)]
        }
        func uint(_ n: Int) throws -> UInt64 {
            var v: UInt64 = 0
            for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            return v
        }
        func string() throws -> String {
            let n = try uint(8)
            guard n < UInt64(bytes.count) else { throw Malformed() }
            return String(decoding: try take(Int(n)), as: UTF8.self)
        }
        func value(_ type: UInt64) throws -> Value {
            switch type {
            case 0, 1: let v = try uint(1); return .int(type == 1 ? Int(Int8(truncatingIfNeeded: v)) : Int(v))
            case 2, 3: let v = try uint(2); return .int(type == 3 ? Int(Int16(truncatingIfNeeded: v)) : Int(v))
            case 4, 5: let v = try uint(4); return .int(type == 5 ? Int(Int32(truncatingIfNeeded: v)) : Int(v))
            case 10, 11: return .int(Int(truncatingIfNeeded: try uint(8)))
            case 6: return .float(Double(Float(bitPattern: UInt32(try uint(4)))))
            case 12: return .float(Double(bitPattern: try uint(8)))
            case 7: return .bool(try uint(1) != 0)
            case 8: return .string(try string())
            case 9:
                let elementType = try uint(4)
                let n = try uint(8)
                guard n < UInt64(bytes.count) else { throw Malformed() }
                var out: [Value] = []
                for _ in 0..<Int(n) { out.append(try value(elementType)) }
                return .array(out)
            default: throw Malformed()
            }
        }
        guard try take(4).elementsEqual(Array("GGUF".utf8)) else { throw Malformed() }
        _ = try uint(4)  // version
        _ = try uint(8)  // tensor count
        let count = try uint(8)
        guard count < 1 << 20 else { throw Malformed() }
        for _ in 0..<Int(count) {
            let key = try string()
            values[key] = try value(try uint(4))
        }
    }

    func string(_ key: String) -> String? {
        if case .string(let s)? = values[key] { return s }
        return nil
    }

    func int(_ key: String) -> Int? {
        if case .int(let v)? = values[key] { return v }
        return nil
    }

    func strings(_ key: String) -> [String]? {
        guard case .array(let a)? = values[key] else { return nil }
        return a.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    func ints(_ key: String) -> [Int]? {
        guard case .array(let a)? = values[key] else { return nil }
        return a.compactMap { if case .int(let v) = $0 { return v } else { return nil } }
    }
}
