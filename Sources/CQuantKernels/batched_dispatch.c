// The multi-vector entry point: which kernel runs several activation vectors against one matrix.
#include "kernels_internal.h"
#include "kquant_internal.h"

/// Whether a multi-vector kernel exists for this format on path `isa` (Q5_0, Q4_K and Q6_K: the
/// AVX2 int16 path only).
static int has_multi_kernel(int format, pp_isa isa, int exact) {
    if (format == PP_FORMAT_Q8_0 || format == PP_FORMAT_Q4_0 || format == PP_FORMAT_Q4_1) {
        return isa == PP_ISA_SCALAR || isa == PP_ISA_AVX2;
    }
    const int int16_avx2 = format == PP_FORMAT_Q5_0 || format == PP_FORMAT_Q4_K || format == PP_FORMAT_Q6_K;
    return int16_avx2 && isa == PP_ISA_AVX2 && !exact;
}

void pp_matmul_rows(const pp_qmatrix *w, const pp_activation *activations, int columns, float *out,
                    long out_stride, int row_start, int row_end, int accumulate) {
    int same_path = 1;
    for (int c = 1; c < columns; c++) same_path &= activations[c].exact == activations[0].exact;
    const pp_isa isa = pp_isa_current();
    const int multi = columns > 1 && same_path && has_multi_kernel(w->format, isa, activations[0].exact);
    if (!multi) {
        // Other formats and paths: the single-vector kernel per column (the same results).
        for (int c = 0; c < columns; c++) {
            pp_matvec_rows(w, &activations[c], out + c * out_stride, row_start, row_end, accumulate);
        }
        return;
    }
    for (int c = 0; c < columns; c += PP_MULTI_MAX) {
        const int n = columns - c < PP_MULTI_MAX ? columns - c : PP_MULTI_MAX;
#if defined(__x86_64__) || defined(__i386__)
        if (isa == PP_ISA_AVX2 && (w->format == PP_FORMAT_Q4_K || w->format == PP_FORMAT_Q6_K)) {
            pp_rows_kquant_multi_avx2(w, activations + c, n, out + c * out_stride, out_stride, row_start, row_end, accumulate);
            continue;
        }
        if (isa == PP_ISA_AVX2) {
            pp_rows_multi_avx2(w, activations + c, n, out + c * out_stride, out_stride, row_start, row_end, accumulate);
            continue;
        }
#endif
        pp_rows_multi_scalar(w, activations + c, n, out + c * out_stride, out_stride, row_start, row_end, accumulate);
    }
}
