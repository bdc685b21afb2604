import CQuantKernels

/// The instruction-set paths of the quantized matrix-vector kernels (the `CQuantKernels`
/// target). The best path the CPU supports is chosen at run time; the environment variable
/// `PREFIXPACK_ISA` (`scalar`, `avx2`, `neon`) or ``select(_:)`` overrides it.
public enum KernelISA: String, CaseIterable, Sendable {
    /// Portable C (any CPU).
    case scalar
    /// x86-64 AVX2 + FMA + F16C.
    case avx2
    /// arm64 NEON (untested: the kernels were written for arm64 but never run there).
    case neon

    var cValue: pp_isa {
        switch self {
        case .scalar: PP_ISA_SCALAR
        case .avx2: PP_ISA_AVX2
        case .neon: PP_ISA_NEON
        }
    }

    /// The path products use now.
    public static var current: KernelISA {
        switch pp_isa_current() {
        case PP_ISA_AVX2: .avx2
        case PP_ISA_NEON: .neon
        default: .scalar
        }
    }

    /// The paths this CPU and build can run.
    public static var supported: [KernelISA] { allCases.filter { pp_isa_supported($0.cValue) != 0 } }

    /// Selects `isa` for every later product (nil: the best supported) and returns whether it is
    /// supported (an unsupported request changes nothing). Process-wide; not for use while
    /// other threads run products.
    @discardableResult
    public static func select(_ isa: KernelISA?) -> Bool {
        pp_isa_select(isa?.cValue ?? PP_ISA_AUTO) != 0
    }
}
