import Foundation
import PrefixSupport

/// The two files of a PEFT adapter, read into memory from a folder or an archive.
public struct PEFTAdapterFiles: Sendable {
    /// `adapter_config.json`.
    public static let configName = "adapter_config.json"
    /// `adapter_model.safetensors`.
    public static let weightsName = "adapter_model.safetensors"
    /// The pickled weights file PEFT writes with `safe_serialization=False`; never loaded.
    public static let pickleName = "adapter_model.bin"
    /// A tokenizer saved beside the adapter (`tokenizer.save_pretrained(adapter_dir)`), optional.
    public static let tokenizerName = "tokenizer.json"
    /// Largest accepted `tokenizer.json` beside an adapter, in bytes (64 MiB).
    public static let maxTokenizerBytes = 64 << 20
    /// Largest accepted `adapter_model.safetensors`, in bytes (1 GiB).
    public static let maxWeightsBytes = 1 << 30

    /// Where the adapter came from (folder path, or `archive:member-folder`), for messages.
    public var source: String
    /// The bytes of `adapter_config.json`.
    public var configBytes: [UInt8]
    /// The bytes of `adapter_model.safetensors`.
    public var weightsBytes: [UInt8]
    /// The bytes of a `tokenizer.json` saved beside the adapter, if any.
    public var tokenizerBytes: [UInt8]?

    /// Creates the pair (and optional tokenizer) from bytes already in memory.
    public init(source: String, configBytes: [UInt8], weightsBytes: [UInt8], tokenizerBytes: [UInt8]? = nil) {
        self.source = source
        self.configBytes = configBytes
        self.weightsBytes = weightsBytes
        self.tokenizerBytes = tokenizerBytes
    }

    /// The caps applied while an adapter archive is read: each file's own cap (config, tokenizer,
    /// weights) is enforced as its member inflates, never after.
    public static let archiveLimits = ArchiveLimits(
        maxMemberBytes: maxWeightsBytes, maxTotalBytes: maxWeightsBytes + PEFTPrefixConfig.maxConfigBytes + maxTokenizerBytes,
        maxBytesByName: [configName: PEFTPrefixConfig.maxConfigBytes, tokenizerName: maxTokenizerBytes])

    /// Reads an adapter from a folder, or from a `.zip` / `.tar` / `.tar.gz` archive whose
    /// members are the two files, either at the top level or in one sub-folder.
    /// - Throws: `InteropError` (missing files, pickled weights, unsafe archives, size caps).
    public static func load(from path: String, limits: ArchiveLimits = archiveLimits) throws(InteropError) -> PEFTAdapterFiles {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileMissing(path: path, what: "the adapter folder or archive")
        }
        if isDirectory.boolValue { return try loadFolder(path) }
        return try loadArchive(path, limits: limits)
    }

    private static func loadFolder(_ path: String) throws(InteropError) -> PEFTAdapterFiles {
        let folder = URL(fileURLWithPath: path)
        let configURL = folder.appendingPathComponent(configName)
        let weightsURL = folder.appendingPathComponent(weightsName)
        let fm = FileManager.default
        guard fm.fileExists(atPath: configURL.path) else { throw .adapterFileMissing(source: path, file: configName) }
        guard fm.fileExists(atPath: weightsURL.path) else {
            if fm.fileExists(atPath: folder.appendingPathComponent(pickleName).path) {
                throw .pickledAdapter(source: path, file: pickleName)
            }
            throw .adapterFileMissing(source: path, file: weightsName)
        }
        let config = try readRegularFile(configURL.path, limit: PEFTPrefixConfig.maxConfigBytes)
        let weights = try readRegularFile(weightsURL.path, limit: maxWeightsBytes)
        let tokenizerURL = folder.appendingPathComponent(tokenizerName)
        let tokenizer = fm.fileExists(atPath: tokenizerURL.path) ? try readRegularFile(tokenizerURL.path, limit: maxTokenizerBytes) : nil
        return PEFTAdapterFiles(source: path, configBytes: config, weightsBytes: weights, tokenizerBytes: tokenizer)
    }

    private static func loadArchive(_ path: String, limits: ArchiveLimits) throws(InteropError) -> PEFTAdapterFiles {
        let wanted: Set<String> = [configName, weightsName, pickleName, tokenizerName]
        let members = try ArchiveReader.readMembers(path: path, limits: limits) { member in
            wanted.contains(member.split(separator: "/").last.map(String.init) ?? "")
        }
        func folder(_ m: ArchiveMember) -> String {
            var parts = m.path.split(separator: "/").map(String.init)
            parts.removeLast()
            return parts.joined(separator: "/")
        }
        func name(_ m: ArchiveMember) -> String { m.path.split(separator: "/").last.map(String.init) ?? "" }
        let configs = members.filter { name($0) == configName }
        guard !configs.isEmpty else { throw .adapterFileMissing(source: path, file: configName) }
        guard configs.count == 1 else { throw .ambiguousAdapter(source: path, candidates: configs.map(\.path)) }
        let root = folder(configs[0])
        let source = root.isEmpty ? path : "\(path):\(root)"
        guard let weights = members.first(where: { name($0) == weightsName && folder($0) == root }) else {
            if members.contains(where: { name($0) == pickleName && folder($0) == root }) {
                throw .pickledAdapter(source: source, file: pickleName)
            }
            throw .adapterFileMissing(source: source, file: weightsName)
        }
        // Each member's cap was enforced while it was read (`archiveLimits.maxBytesByName`).
        let tokenizer = members.first { name($0) == tokenizerName && folder($0) == root }
        return PEFTAdapterFiles(source: source, configBytes: configs[0].bytes, weightsBytes: weights.bytes,
                                tokenizerBytes: tokenizer?.bytes)
    }

    /// Reads a regular file of at most `limit` bytes (symbolic links are followed as the
    /// user named the folder; FIFOs and devices are refused before reading, the size is checked
    /// before reading).
    static func readRegularFile(_ path: String, limit: Int) throws(InteropError) -> [UInt8] {
        try InteropError.reading { () throws(FileAccessError) in try MappedFile.contents(path: path, limit: limit) }
    }
}
