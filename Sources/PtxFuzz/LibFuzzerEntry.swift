import FuzzSupport

/// libFuzzer's entry point (built with `-sanitize=fuzzer -parse-as-library`; see docs/cli-format.md).
/// It sits in the file that passes it to the driver: in a debug (non-WMO) build, a `@_cdecl`
/// function used as a C function pointer from another file is emitted in that file too, and the
/// link fails with two definitions of `LLVMFuzzerTestOneInput`.
@_cdecl("LLVMFuzzerTestOneInput")
public func ptxFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.check(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

// Only in the libFuzzer build (-sanitize=fuzzer -parse-as-library -DPTX_LIBFUZZER).
//
// SwiftPM links every executable with `--defsym main=<module>_main` (so tests can link
// executables); with -parse-as-library no such symbol is emitted, so the link fails. This file
// provides `ptx_fuzz_main` and hands control to libFuzzer's driver with our callback, which is
// exactly what libFuzzer's own `main` does.
#if PTX_LIBFUZZER
@_cdecl("ptx_fuzz_main")
public func ptxFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return llvmFuzzerRunDriver(&count, &vector, ptxFuzzTestOneInput)
}
#endif
