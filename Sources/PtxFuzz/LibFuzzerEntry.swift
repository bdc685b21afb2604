import FuzzSupport

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
