import Foundation
import PrefixRuntime

/// The served prefixes and the ones resident in memory.
///
/// *Served* names are the bundles of the directory that passed validation at start or were
/// loaded by `POST /v1/prefixes` and not deleted since; requests for any other name get 404.
/// A served prefix is *resident* when its ``AttachedPrefix`` (validated and checked against the
/// model once) is in memory; every request for it shares that one value. Resident prefixes take
/// at most ``maxResidentBytes``: making room unloads the least recently used prefix that no
/// request is using, and a later request for it loads it again from its file. Thread-safe.
public final class PrefixRegistry: @unchecked Sendable {
    /// Where bundles come from.
    public let directory: BundleDirectory
    /// The bound on resident prefix memory (keys and values as `Float`); nil = unbounded.
    public let maxResidentBytes: Int?
    private let checkpoint: Checkpoint
    private let lock = NSLock()
    private var served: [String: URL] = [:]
    private var resident: [String: Resident] = [:]
    private var useClock: UInt64 = 0

    private struct Resident {
        let prefix: AttachedPrefix
        let bytes: Int
        var users = 0
        var lastUse: UInt64
    }

    /// A registry over `directory` for `checkpoint`'s model, empty until ``loadAll(log:)``.
    public init(checkpoint: Checkpoint, directory: BundleDirectory, maxResidentBytes: Int?) {
        self.checkpoint = checkpoint
        self.directory = directory
        self.maxResidentBytes = maxResidentBytes
    }

    /// Memory a prefix takes: its keys and values as `Float`, held once and shared by every
    /// request's KV cache (``PrefixKV/byteCount``).
    public static func residentBytes(of prefix: AttachedPrefix) -> Int { prefix.kv.byteCount }

    /// Validates every `*.ptx` of the directory against the model and serves the compatible
    /// ones (resident while memory allows). Calls `log(fileName, problem)` for each bundle not
    /// served, with the reason, and returns the served names.
    @discardableResult
    public func loadAll(log: (String, String) -> Void) -> [String] {
        let files: [URL]
        do { files = try directory.bundleFiles() } catch {
            log(directory.url.path, "cannot list the bundles directory: \(error)")
            return []
        }
        for file in files {
            do throws(APIError) { _ = try load(file: file, reservedNames: [], evicting: false) } catch {
                log(file.lastPathComponent, error.message)
            }
        }
        return servedNames
    }

    /// Served names, sorted.
    public var servedNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return served.keys.sorted()
    }

    /// Names resident in memory, sorted.
    public var residentNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return resident.keys.sorted()
    }

    /// Loads (or reloads) the bundle file `name` of the directory and serves it.
    /// - Parameter reservedNames: names that may not be taken (the base model's).
    /// - Returns: the served name.
    /// - Throws: 400 for a bad name or an incompatible/corrupt bundle, 404 for a missing file,
    ///   503 when resident memory is full of prefixes in use.
    public func load(fileName name: String, reservedNames: Set<String>) throws(APIError) -> String {
        try load(file: try directory.bundleFile(named: name), reservedNames: reservedNames, evicting: true)
    }

    /// Serves `file`; it becomes resident if it fits (`evicting`: after unloading idle
    /// prefixes, least recently used first), else it is loaded on its first request.
    private func load(file: URL, reservedNames: Set<String>, evicting: Bool) throws(APIError) -> String {
        let name = BundleDirectory.servedName(ofFile: file.lastPathComponent)
        guard !reservedNames.contains(name) else {
            throw APIError.invalidRequest("The bundle name '\(name)' is the base model's name", param: "name", code: "name_taken")
        }
        let prefix = try attach(file)
        lock.lock()
        defer { lock.unlock() }
        served[name] = file
        if resident[name] == nil { try? insertLocked(name, prefix, evicting: evicting) }
        return name
    }

    /// Stops serving `name`: new requests get 404; running ones finish, then it leaves memory.
    /// - Throws: 404 when `name` is not served.
    public func unload(_ name: String) throws(APIError) {
        lock.lock()
        defer { lock.unlock() }
        guard served.removeValue(forKey: name) != nil else { throw APIError.modelNotFound(name) }
        if let entry = resident[name], entry.users == 0 { resident[name] = nil }
    }

    /// The prefix served as `name`, loaded again if it was unloaded for memory, marked in use
    /// until ``release(_:)``.
    /// - Throws: 404 when `name` is not served; 503 when memory is full of prefixes in use.
    public func lease(_ name: String) throws(APIError) -> AttachedPrefix {
        lock.lock()
        guard let file = served[name] else { lock.unlock(); throw APIError.modelNotFound(name) }
        if let prefix = useLocked(name) { lock.unlock(); return prefix }
        lock.unlock()
        let prefix = try attach(file)
        lock.lock()
        defer { lock.unlock() }
        if resident[name] == nil { try insertLocked(name, prefix, evicting: true) }
        return useLocked(name) ?? prefix
    }

    /// Ends one use of `name` begun by ``lease(_:)``.
    public func release(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        guard var entry = resident[name] else { return }
        entry.users = max(0, entry.users - 1)
        resident[name] = entry.users == 0 && served[name] == nil ? nil : entry
    }

    private func useLocked(_ name: String) -> AttachedPrefix? {
        guard var entry = resident[name] else { return nil }
        useClock += 1
        entry.users += 1
        entry.lastUse = useClock
        resident[name] = entry
        return entry.prefix
    }

    private func insertLocked(_ name: String, _ prefix: AttachedPrefix, evicting: Bool) throws(APIError) {
        let bytes = Self.residentBytes(of: prefix)
        if let limit = maxResidentBytes {
            var total = resident.values.reduce(0) { $0 + $1.bytes }
            while total + bytes > limit {
                guard evicting, let victim = resident.filter({ $0.value.users == 0 }).min(by: { $0.value.lastUse < $1.value.lastUse }) else {
                    throw APIError(status: .serviceUnavailable,
                                   message: "Prefix memory is full (\(total) of \(limit) bytes in use by running requests; '\(name)' needs \(bytes)); retry later",
                                   type: "server_error", code: "prefix_memory_full", retryAfterSeconds: 1)
                }
                resident[victim.key] = nil
                total -= victim.value.bytes
            }
        }
        useClock += 1
        resident[name] = Resident(prefix: prefix, bytes: bytes, lastUse: useClock)
    }

    private func attach(_ file: URL) throws(APIError) -> AttachedPrefix {
        do {
            return try checkpoint.attach(bundlePath: file.path)
        } catch {
            throw APIError.invalidRequest("The bundle '\(file.lastPathComponent)' cannot be served: \(error)",
                                          param: "name", code: "invalid_bundle")
        }
    }
}
