import Foundation

/// The input files the fuzz executables replay in their standalone (non-libFuzzer) mode.
package enum FuzzInputFiles {
    /// Every regular file under `root` (or `root` itself when it is a file), `.md` notes excluded.
    package static func regularFiles(under root: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else { return [] }
        if !isDir.boolValue { return [root] }
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            let path = (root as NSString).appendingPathComponent(rel)
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &d), !d.boolValue, !rel.hasSuffix(".md") { out.append(path) }
        }
        return out
    }

    /// The folder holding `Package.swift` above `sourceFile` (a `#filePath`).
    package static func packageRoot(above sourceFile: String) -> URL {
        var url = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
            url.deleteLastPathComponent()
        }
        return url
    }
}
