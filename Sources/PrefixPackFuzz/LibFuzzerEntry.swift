import Foundation
import FuzzSupport

/// The target this process fuzzes, chosen once before libFuzzer starts.
nonisolated(unsafe) private var selectedTarget: FuzzTarget?

/// libFuzzer's callback: runs the input through the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func prefixpackFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let target = selectedTarget ?? ProcessInfo.processInfo.environment[FuzzTarget.environmentVariable].flatMap(FuzzTarget.init)
    guard let target else { fatalError("prefixpack-fuzz: no target; set \(FuzzTarget.environmentVariable) to one of \(FuzzTarget.names)") }
    target.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

// Only in the libFuzzer build (-sanitize=fuzzer -parse-as-library -DPREFIXPACK_LIBFUZZER).
//
// SwiftPM links every executable with `--defsym main=<module>_main`; with -parse-as-library no
// such symbol is emitted, so this file provides `prefixpack_fuzz_main`. It takes the target
// from the first argument (`prefixpack-fuzz gguf CORPUS… -max_total_time=20`) or from
// PREFIXPACK_FUZZ_TARGET, exports it in the environment (libFuzzer's -fork/-jobs children
// inherit it), removes it from argv and hands over to libFuzzer's driver.
#if PREFIXPACK_LIBFUZZER
@_cdecl("prefixpack_fuzz_main")
public func prefixpackFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    guard let argv else { return 1 }
    var count = argc
    if count > 1, let first = argv[1], let target = FuzzTarget(rawValue: String(cString: first)) {
        selectedTarget = target
        for i in 1..<Int(count) { argv[i] = argv[i + 1] }   // argv[argc] is the terminating NULL
        count -= 1
    } else {
        selectedTarget = ProcessInfo.processInfo.environment[FuzzTarget.environmentVariable].flatMap(FuzzTarget.init)
    }
    guard let target = selectedTarget else {
        FileHandle.standardError.write(Data("usage: prefixpack-fuzz TARGET [libFuzzer arguments], TARGET one of \(FuzzTarget.names) (or set \(FuzzTarget.environmentVariable))\n".utf8))
        return 1
    }
    setenv(FuzzTarget.environmentVariable, target.rawValue, 1)
    var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return llvmFuzzerRunDriver(&count, &vector, prefixpackFuzzTestOneInput)
}
#endif
