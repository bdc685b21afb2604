import PrefixInterop

/// Archive listings and members (`.zip`, `.tar`, `.tar.gz` through libarchive):
/// `ArchiveReader.readMembers(bytes:)` with small caps, so a bomb is refused at the cap.
///
/// Invariants: no crash, no hang, bounded memory; listing accepted ⇒ every member path is
/// relative, normalized and unique, and no member or total exceeds the caps.
enum ArchiveFuzzer {
    static let limits = ArchiveLimits(maxMemberBytes: 1 << 20, maxTotalBytes: 4 << 20, maxMembers: 1000,
                                      maxBytesByName: ["tokenizer.json": 64 << 10])

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let members = accepted("ArchiveReader.readMembers", {
            try ArchiveReader.readMembers(bytes: Array(input), name: "fuzz-archive", limits: limits)
        }) else { return }
        let require = FuzzInvariant.require
        require(members.count <= limits.maxMembers, "\(members.count) members")
        var seen = Set<String>()
        var total = 0
        for member in members {
            let path = member.path
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            require(!path.isEmpty && !path.hasPrefix("/") && !path.contains("\\") && !path.utf8.contains(0)
                        && !parts.contains("..") && !parts.contains(".") && !parts.contains(""),
                    "unsafe member path accepted: \(path.debugDescription)")
            require(seen.insert(path).inserted, "member \(path.debugDescription) returned twice")
            require(member.bytes.count <= limits.maxBytes(forMember: path), "member \(path.debugDescription): \(member.bytes.count) bytes")
            total += member.bytes.count
        }
        require(total <= limits.maxTotalBytes, "\(total) bytes in total")
    }
}
