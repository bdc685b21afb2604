/// libFuzzer's own driver (compiler-rt, `LLVMFuzzerRunDriver`): parses the libFuzzer flags in
/// `argv` and runs `callback` on every input. Only the `-sanitize=fuzzer` builds link it; the
/// fuzz executables call it from their `-DPTX_LIBFUZZER` / `-DPREFIXPACK_LIBFUZZER` entry points.
@_silgen_name("LLVMFuzzerRunDriver")
package func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
