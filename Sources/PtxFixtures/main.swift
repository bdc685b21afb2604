// ptx-fixtures OUTDIR — writes the `.ptx` conformance corpus:
//   OUTDIR/valid/*.ptx       bundles every reader must accept
//   OUTDIR/invalid/*.ptx     one bundle per bad-input case
//   OUTDIR/expected.json     {"valid": [file, …], "invalid": {file: error code, …}}
// The output is deterministic; Tests/PrefixBundleTests checks the committed corpus matches it.
import Foundation
import PrefixBundle
import PrefixSupport

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("ptx-fixtures: " + message + "\n").utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 2, !arguments[1].hasPrefix("-") else {
    fail("usage: ptx-fixtures OUTDIR   (writes OUTDIR/valid, OUTDIR/invalid, OUTDIR/expected.json)")
}
let outDir = URL(fileURLWithPath: arguments[1])

do {
    let valid = try ValidBundles.all()
    guard let rawF32 = valid.first(where: { $0.0 == "raw-f32.ptx" })?.1,
          let compressed = valid.first(where: { $0.0 == "compressed.ptx" })?.1 else { fail("internal: base bundles missing") }
    let invalid = try InvalidBundles.all(rawF32: rawF32, compressed: compressed)
    let fm = FileManager.default
    for sub in ["valid", "invalid"] {
        let dir = outDir.appendingPathComponent(sub)
        // Start from an empty directory so removed cases do not linger.
        if fm.fileExists(atPath: dir.path) {
            for name in try fm.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".ptx") {
                try fm.removeItem(at: dir.appendingPathComponent(name))
            }
        }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    for (name, bytes) in valid {
        try AtomicFileWriter.write(bytes, to: outDir.appendingPathComponent("valid/" + name).path)
    }
    var codes: [String: String] = [:]
    for c in invalid {
        guard codes[c.file] == nil else { fail("internal: duplicate fixture name \(c.file)") }
        codes[c.file] = c.code
        try AtomicFileWriter.write(c.bytes, to: outDir.appendingPathComponent("invalid/" + c.file).path)
    }
    let expected: [String: Any] = ["valid": valid.map(\.0).sorted(), "invalid": codes]
    var json = try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    json.append(0x0a)
    try AtomicFileWriter.write(Array(json), to: outDir.appendingPathComponent("expected.json").path)
    print("wrote \(valid.count) valid and \(invalid.count) invalid bundles to \(outDir.path)")
} catch {
    fail("\(error)")
}
