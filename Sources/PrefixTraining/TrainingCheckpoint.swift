import Foundation
import TensorFiles

/// Everything needed to continue a run exactly: the trainable parameters, AdamW's moments and
/// step, the data-order generator's state and free-form progress fields (epoch, position, …).
///
/// Stored as a safetensors file written atomically (temporary file, fsync, rename), so that a
/// run killed at any moment leaves either the previous or the new checkpoint: tensors
/// `param/<name>`, `exp_avg/<name>`, `exp_avg_sq/<name>`; metadata `format`, `version`, `step`,
/// `rng_state` and `progress.<key>` entries.
public struct TrainingCheckpoint: Sendable, Equatable {
    /// The `format` metadata value.
    public static let format = "prefixpack-training-checkpoint"
    /// The `version` metadata value.
    public static let version = "1"

    /// Trainable parameters.
    public var parameters: ParameterSet
    /// AdamW `exp_avg`.
    public var firstMoments: ParameterSet
    /// AdamW `exp_avg_sq`.
    public var secondMoments: ParameterSet
    /// AdamW steps taken.
    public var step: Int
    /// `SeededGenerator.currentState` of the data-order generator.
    public var generatorState: UInt64
    /// Caller-defined progress fields (e.g. `epoch`, `example`), restored verbatim.
    public var progress: [String: String]

    /// A checkpoint of the given state.
    public init(parameters: ParameterSet, firstMoments: ParameterSet, secondMoments: ParameterSet,
                step: Int, generatorState: UInt64, progress: [String: String] = [:]) {
        self.parameters = parameters
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
        self.step = step
        self.generatorState = generatorState
        self.progress = progress
    }

    /// Writes the checkpoint atomically to `url`.
    public func write(to url: URL) throws {
        var metadata = [
            "format": Self.format, "version": Self.version, "step": String(step),
            "rng_state": String(generatorState),
        ]
        for (key, value) in progress { metadata["progress.\(key)"] = value }
        var writer = SafetensorsWriter(metadata: metadata)
        for (prefix, set) in [("param/", parameters), ("exp_avg/", firstMoments), ("exp_avg_sq/", secondMoments)] {
            for (name, tensor) in set.tensors.sorted(by: { $0.key < $1.key }) {
                try writer.add(prefix + name, shape: tensor.shape, values: tensor.values)
            }
        }
        try writer.write(to: url)
    }

    /// Reads and validates a checkpoint written by ``write(to:)``.
    /// - Throws: `TensorFileError` for a file that is not valid safetensors, and
    ///   `TrainingError.invalidCheckpoint` for one that is not a consistent training checkpoint.
    public init(contentsOf url: URL) throws {
        let file = try SafetensorsFile(contentsOf: url)
        let path = url.path
        func fail(_ field: String, _ found: String, _ expected: String) -> TrainingError {
            .invalidCheckpoint(file: path, field: field, found: found, expected: expected)
        }
        guard file.metadata["format"] == Self.format else {
            throw fail("metadata 'format'", file.metadata["format"] ?? "absent", "'\(Self.format)'")
        }
        guard file.metadata["version"] == Self.version else {
            throw fail("metadata 'version'", file.metadata["version"] ?? "absent", "'\(Self.version)'")
        }
        guard let stepText = file.metadata["step"], let step = Int(stepText), step >= 0 else {
            throw fail("metadata 'step'", file.metadata["step"] ?? "absent", "a whole number >= 0")
        }
        guard let stateText = file.metadata["rng_state"], let state = UInt64(stateText) else {
            throw fail("metadata 'rng_state'", file.metadata["rng_state"] ?? "absent", "an unsigned 64-bit integer")
        }
        var sets: [String: ParameterSet] = ["param/": ParameterSet(), "exp_avg/": ParameterSet(), "exp_avg_sq/": ParameterSet()]
        for name in file.names {
            guard let prefix = sets.keys.sorted(by: { $0.count > $1.count }).first(where: { name.hasPrefix($0) }),
                  let descriptor = file.descriptors[name]
            else {
                throw fail("tensor '\(name)'", "an unknown name", "param/…, exp_avg/… or exp_avg_sq/… in F32")
            }
            try sets[prefix]?.set(String(name.dropFirst(prefix.count)), shape: descriptor.shape,
                                  values: try file.floats(name))
        }
        let parameters = sets["param/"] ?? ParameterSet()
        guard !parameters.names.isEmpty else { throw fail("tensors", "no param/… tensors", "at least one parameter") }
        let shapes = parameters.tensors.mapValues(\.shape)
        for key in ["exp_avg/", "exp_avg_sq/"] {
            let set = sets[key] ?? ParameterSet()
            guard set.tensors.mapValues(\.shape) == shapes else {
                throw fail("\(key)… tensors", "names/shapes \(set.tensors.mapValues(\.shape).sorted { $0.key < $1.key })",
                           "the parameters' \(shapes.sorted { $0.key < $1.key })")
            }
        }
        var progress: [String: String] = [:]
        for (key, value) in file.metadata where key.hasPrefix("progress.") {
            progress[String(key.dropFirst("progress.".count))] = value
        }
        self.init(parameters: parameters, firstMoments: sets["exp_avg/"] ?? ParameterSet(),
                  secondMoments: sets["exp_avg_sq/"] ?? ParameterSet(), step: step,
                  generatorState: state, progress: progress)
    }
}
