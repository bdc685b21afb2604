import Foundation
import FuzzSupport

/// Without libFuzzer (a plain `swift build`), `prefixpack-fuzz [TARGET] [PATH …]` runs every file
/// under the paths through the target once: by default every target over its seed corpus
/// `Fuzz/corpus/<target>` and its saved findings `Fuzz/regressions/<target>`, so ordinary
/// builds and the tests (CLITests/ParserFuzzCorpusTests) replay them.
enum StandaloneRunner {
    static func run(_ arguments: [String]) -> Int32 {
        var arguments = arguments
        let targets: [FuzzTarget]
        if let first = arguments.first, let target = FuzzTarget(rawValue: first) {
            targets = [target]
            arguments.removeFirst()
        } else if arguments.first == "all" || arguments.isEmpty {
            targets = FuzzTarget.allCases
            if !arguments.isEmpty { arguments.removeFirst() }
        } else {
            return usage("unknown target '\(arguments[0])'")
        }
        guard arguments.isEmpty || targets.count == 1 else { return usage("paths need one target") }
        for target in targets {
            let roots = arguments.isEmpty ? defaultRoots(target) : arguments
            let files = roots.flatMap(FuzzInputFiles.regularFiles(under:)).sorted()
            guard !files.isEmpty else { return usage("no input files for \(target.rawValue) under \(roots.joined(separator: ", "))") }
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else { return usage("cannot read \(path)") }
                data.withUnsafeBytes { target.run($0) }
            }
            print("prefixpack-fuzz \(target.rawValue): \(files.count) inputs ran, every invariant held (standalone mode; scripts/fuzz.sh fuzzes)")
        }
        return 0
    }

    static func usage(_ problem: String) -> Int32 {
        FileHandle.standardError.write(Data("prefixpack-fuzz: \(problem)\nusage: prefixpack-fuzz [all | TARGET [PATH …]], TARGET one of \(FuzzTarget.names)\n".utf8))
        return 1
    }

    /// Fuzz/corpus/<target> and Fuzz/regressions/<target> of the package this file belongs to.
    static func defaultRoots(_ target: FuzzTarget) -> [String] {
        let url = FuzzInputFiles.packageRoot(above: #filePath)
        return ["Fuzz/corpus", "Fuzz/regressions"].map { url.appendingPathComponent($0).appendingPathComponent(target.rawValue).path }
    }
}
