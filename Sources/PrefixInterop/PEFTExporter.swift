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
        let reader = try BundleInput(path: bundlePath).reader
        let m = reader.manifest
        let fp = m.fingerprint
        // The PEFT flat prefix `[P, L·2·kv_dim]` needs a bundle that covers every layer.
        guard m.layers == Array(0..<fp.nLayers) else {
            throw InteropError.partialLayers(path: reader.file, layers: m.layers, modelLayers: fp.nLayers)
        }
        let flat = try m.form == .reparameterized ? PrefixMLP.flatPrefix(of: reader) : reader.flatPrefix()
        let config = PEFTPrefixConfig(numVirtualTokens: m.prefixLength, numLayers: fp.nLayers, tokenDim: fp.kvDim,
                                      numAttentionHeads: fp.nKVHeads, prefixProjection: false, encoderHiddenSize: fp.kvDim,
                                      baseModelNameOrPath: m.provenance.baseModel)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add(PEFTImporter.promptEmbeddingsName, shape: [m.prefixLength, config.flatWidth], values: flat, as: .f32)
        let weights = [UInt8](writer.encoded())
        let members = [ArchiveMember(path: PEFTAdapterFiles.configName, bytes: config.exportJSON()),
                       ArchiveMember(path: PEFTAdapterFiles.weightsName, bytes: weights)]
        let kind: String
        if let archive = ArchiveKind(fileName: outputPath) {
            try ArchiveWriter.write(members, kind: archive, to: outputPath, distinctFrom: [bundlePath])
            kind = archive.rawValue
        } else {
            try writeFolder(members, to: outputPath)
            kind = "folder"
        }
        return Report(output: outputPath, kind: kind, collapsed: m.form == .reparameterized,
                      weightsBytes: weights.count, baseModel: config.baseModelNameOrPath)
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
        let tmp = AtomicFileWriter.temporaryPath(for: path)
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
