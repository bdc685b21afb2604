// Private declarations shared by the kernel files of CQuantKernels.
#ifndef CQUANTKERNELS_INTERNAL_H
#define CQUANTKERNELS_INTERNAL_H

#include <stddef.h>
#include "include/CQuantKernels.h"

/// One instruction-set path's row kernel: every format, both activation paths.
typedef void (*pp_rows_kernel)(const pp_qmatrix *w, const pp_activation *a, float *out,
                               int row_start, int row_end, int accumulate);

void pp_rows_scalar(const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate);
#if defined(__x86_64__) || defined(__i386__)
void pp_rows_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                  int row_start, int row_end, int accumulate);
#endif
#if defined(__aarch64__)
void pp_rows_neon(const pp_qmatrix *w, const pp_activation *a, float *out,
                  int row_start, int row_end, int accumulate);
#endif

/// Most activation vectors a multi-vector kernel takes at once (more are done in groups).
enum { PP_MULTI_MAX = 8 };

/// One instruction-set path's multi-vector row kernel (Q8_0/Q4_0/Q4_1; 1 ≤ columns ≤
/// PP_MULTI_MAX; all activations on the same path): column c's result equals the row kernel's.
void pp_rows_multi_scalar(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                          int row_start, int row_end, int accumulate);
#if defined(__x86_64__) || defined(__i386__)
void pp_rows_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                        int row_start, int row_end, int accumulate);
#endif

/// Bytes of quants per block of a format (32 for Q8_0, 16 for the 4-bit formats).
static inline int pp_quant_bytes(int format) { return format == PP_FORMAT_Q8_0 ? 32 : 16; }

/// Stores `v` into out[r], adding the old value when accumulating.
static inline void pp_store(float *out, int r, float v, int accumulate) {
    out[r] = accumulate ? out[r] + v : v;
}

#endif
