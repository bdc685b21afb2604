import Foundation
import PrefixBundle

/// The `--bundles` directory: the only place bundles are loaded from. A request names a bundle
/// by a plain file name; anything that could reach outside the directory (a path separator,
/// `..`, a hidden name, a symbolic link leading elsewhere) is refused.
public struct BundleDirectory: Sendable {
    /// The directory, with symbolic links resolved.
    public let url: URL

    /// The directory at `path`.
    /// - Throws: ``ServerSetupError/notADirectory(_:)`` when it is missing or not a directory.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServerSetupError.notADirectory(path)
        }
        url = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
    }

    /// The served name of a bundle file: its name without `.ptx`.
    public static func servedName(ofFile fileName: String) -> String {
        fileName.hasSuffix(".ptx") ? String(fileName.dropLast(4)) : fileName
    }

    /// Every `*.ptx` regular file directly in the directory, sorted by name.
    public func bundleFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".ptx") && !$0.hasPrefix(".") }
            .sorted()
            .compactMap { try? bundleFile(named: $0) }
    }

    /// The bundle file a request names: `name` or `name.ptx`, a plain file name inside the
    /// directory (after resolving symbolic links) that exists and is a regular file.
    /// - Throws: 400 for a name that is not a plain bundle file name, 404 when there is no such file.
    public func bundleFile(named name: String) throws(APIError) -> URL {
        let fileName = name.hasSuffix(".ptx") ? name : name + ".ptx"
        let plain = !name.isEmpty && fileName.utf8.count <= 255 && !fileName.hasPrefix(".")
            && !fileName.contains("/") && !fileName.contains("\\") && !fileName.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{7f}" }
        guard plain else {
            throw APIError.invalidRequest(
                "'name' must be a plain bundle file name inside the bundles directory (no path, not hidden); found \(PrintableText.quoted(name))",
                param: "name", code: "invalid_bundle_name")
        }
        let candidate = url.appendingPathComponent(fileName).resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard candidate.deletingLastPathComponent().path == url.path,
              FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw APIError(status: .notFound, message: "No bundle file '\(fileName)' in the bundles directory",
                           type: "invalid_request_error", param: "name", code: "bundle_not_found")
        }
        return candidate
    }
}
