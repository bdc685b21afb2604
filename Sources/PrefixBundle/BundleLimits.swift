/// Format constants and the documented caps of `.ptx` v1 (Spec/ptx-v1.md §8).
///
/// Readers reject any file that exceeds a cap before allocating anything sized by the file.
public enum BundleLimits {
    /// Major version written and understood by this library.
    public static let majorVersion: UInt16 = 1
    /// Minor version written by this library. Readers accept any minor version.
    public static let minorVersion: UInt16 = 0
    /// Required flags this reader understands (v1.0 defines none).
    public static let knownRequiredFlags: UInt32 = 0
    /// Alignment of every tensor's offset, in bytes (relative to the start of the file).
    public static let alignment: UInt64 = 64
    /// Largest manifest accepted, in bytes (1 MiB).
    public static let maxManifestBytes: UInt64 = 1 << 20
    /// Largest number of entries in the tensor table.
    public static let maxTensors = 4096
    /// Deepest nesting of JSON arrays and objects in a manifest (the top-level object is level 1).
    /// 511 is the deepest Foundation's `JSONEncoder` writes (it refuses a container at level 512),
    /// and it writes manifests, `inspect --json` and converted/collapsed bundles with provenance
    /// at the manifest's depth: every manifest a reader accepts can be written again.
    public static let maxManifestNesting = 511
    /// Largest number of dimensions of a tensor shape.
    public static let maxDimensions = 8
    /// Largest number of elements of one tensor (2^28; 1 GiB as f32).
    public static let maxElementsPerTensor = 1 << 28
    /// Largest number of float elements a bundle may imply beyond its stored tensors (2^28; 1 GiB
    /// as f32): the attached prefix P·Lp·2·kv_dim and the MLP's hidden activations P·H (``DerivedSizes``).
    public static let maxDerivedElements = 1 << 28
    /// Largest `n_layers`, `n_kv_heads`, `head_dim`, `hidden_size`, embedding width E and MLP width H.
    public static let maxModelDimension = 1 << 20
    /// Largest ratio of decoded to stored bytes that zlib deflate can achieve (its format limit is
    /// about 1032:1), used to reject impossible `decoded_length` values before inflating.
    public static let maxDeflateRatio = 1032
}
