import Foundation
import PrefixBundle
import PrefixRuntime
import TensorFiles
import PrefixSupport
#if canImport(Glibc)
import Glibc
#endif

/// Turns a `.ptx` bundle into a PEFT prefix-tuning adapter (`adapter_config.json` +
/// `adapter_model.safetensors` holding `prompt_embeddings`), which PEFT 0.21 loads with
/// `PeftModel.from_pretrained`. Reparameterized bundles are collapsed first.
public enum PEFTExporter {
    /// The adapter's two files in memory.
    public struct Files: Sendable {
        /// `adapter_config.json`.
        public var config: [UInt8]
        /// `adapter_model.safetensors`.
        public var weights: [UInt8]
        /// The configuration written.
        public var peftConfig: PEFTPrefixConfig
    }

    /// The PEFT flat prefix `[P, L·2·kv_dim]` of a bundle that covers every layer.
    /// - Throws: `InteropError.partialLayers` when some layers carry no prefix.
    public static func flatPrefix(of reader: BundleReader) throws -> [Float] {
        let m = reader.manifest
        let fp = m.fingerprint
        guard m.layers == Array(0..<fp.nLayers) else {
            throw InteropError.partialLayers(path: reader.file, layers: m.layers, modelLayers: fp.nLayers)
        }
        switch m.form {
        case .reparameterized:
            return try PrefixMLP.flatPrefix(of: reader)
        case .raw:
            return try reader.flatPrefix()
        }
    }

    /// Builds the adapter files for the bundle `reader`.
    public static func files(for reader: BundleReader) throws -> Files {
        let m = reader.manifest
        let fp = m.fingerprint
        let flat = try flatPrefix(of: reader)
        let config = PEFTPrefixConfig(numVirtualTokens: m.prefixLength, numLayers: fp.nLayers, tokenDim: fp.kvDim,
                                      numAttentionHeads: fp.nKVHeads, prefixProjection: false, encoderHiddenSize: fp.kvDim,
                                      baseModelNameOrPath: m.provenance.baseModel)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add(PEFTImporter.promptEmbeddingsName, shape: [m.prefixLength, config.flatWidth], values: flat, as: .f32)
        return Files(config: config.exportJSON(), weights: [UInt8](writer.encoded()), peftConfig: config)
    }

    /// Summary of one export.
    public struct Report: Sendable {
        /// Folder or archive written.
        public var output: String
        /// What was written there.
        public var kind: String
        /// Whether the bundle was reparameterized and collapsed first.
        public var collapsed: Bool
        /// Bytes of `adapter_model.safetensors`.
        public var weightsBytes: Int
        /// The base model recorded (nil when the bundle's provenance names none).
        public var baseModel: String?
    }

    /// Exports the bundle at `bundlePath` to `outputPath`: a `.zip`, `.tar`, `.tar.gz`/`.tgz`
    /// archive, or otherwise a folder (which must not exist or be empty). Everything is written
    /// under a temporary name and renamed into place only when complete.
    public static func export(bundlePath: String, outputPath: String) throws -> Report {
        let input = try BundleInput(path: bundlePath)
        let files = try files(for: input.reader)
        let members = [ArchiveMember(path: PEFTAdapterFiles.configName, bytes: files.config),
                       ArchiveMember(path: PEFTAdapterFiles.weightsName, bytes: files.weights)]
        let kind: String
        if let archive = ArchiveKind(fileName: outputPath) {
            try ArchiveWriter.write(members, kind: archive, to: outputPath, distinctFrom: [bundlePath])
            kind = archive.rawValue
        } else {
            try writeFolder(members, to: outputPath)
            kind = "folder"
        }
        return Report(output: outputPath, kind: kind, collapsed: input.reader.manifest.form == .reparameterized,
                      weightsBytes: files.weights.count, baseModel: files.peftConfig.baseModelNameOrPath)
    }

    /// Writes the members into a temporary folder next to `path`, then renames it to `path`.
    static func writeFolder(_ members: [ArchiveMember], to path: String) throws(InteropError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? false)
            guard empty else {
                throw .writeFailed(path: path, detail: "it already exists and is not an empty folder; choose a new name or remove it")
            }
        }
        let tmp = ArchiveWriter.temporaryPath(for: path)
        guard mkdir(tmp, 0o755) == 0 else { throw .writeFailed(path: path, detail: "mkdir \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer { if !ok { try? fm.removeItem(atPath: tmp) } }
        for m in members {
            do { try AtomicFileWriter.write(m.bytes, to: tmp + "/" + m.path) } catch {
                throw .writeFailed(path: path, detail: error.description)
            }
        }
        guard rename(tmp, path) == 0 else { throw .writeFailed(path: path, detail: "rename: \(String(cString: strerror(errno)))") }
        ok = true
    }
}
