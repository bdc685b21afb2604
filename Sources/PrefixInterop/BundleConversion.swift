import PrefixBundle
import PrefixSupport

/// Re-encodes a bundle for distribution: another dtype and/or deflate compression, same
/// form, manifest and provenance.
public enum BundleConversion {
    /// Summary of one conversion.
    public struct Report: Sendable {
        /// Size of the input.
        public var sourceBytes: Int
        /// Size of the output.
        public var outputBytes: Int
        /// Whether the output is compressed.
        public var compressed: Bool
        /// The output dtype (nil: each tensor kept its dtype).
        public var dtype: TensorDType?
    }

    /// Converts the bundle at `input` and writes `output` crash-safely.
    /// - Parameters:
    ///   - dtype: new element type of every tensor (nil keeps each tensor's).
    ///   - compress: deflate every tensor (true), store raw (false), or keep the input's choice (nil).
    public static func convert(input: String, output: String, dtype: TensorDType? = nil, compress: Bool? = nil) throws -> Report {
        let source = try BundleInput(path: input)
        let contents = try source.contents(dtype: dtype)
        let compressed = compress ?? source.isCompressed
        let bytes = try BundleWriter(compress: compressed).encode(contents)
        try BundleError.mapping { () throws(FileAccessError) in try AtomicFileWriter.write(bytes, to: output, distinctFrom: [input]) }
        return Report(sourceBytes: source.fileSize, outputBytes: bytes.count, compressed: compressed, dtype: dtype)
    }
}
