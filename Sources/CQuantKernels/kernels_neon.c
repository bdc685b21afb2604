// arm64 NEON row kernels for the int16 activation path; the exact path uses the portable kernel.
// UNTESTED: written for arm64 but never run (the development machines are x86-64).
#if defined(__aarch64__)
#include <arm_neon.h>
#include "kernels_internal.h"

/// Σ_j w[j]·y[j] over one block: `w0`/`w1` elements 0..15 and 16..31 as int8 (nibbles are 0...15),
/// `y` the block's 32 int16 activations.
static inline int32_t dot32(int8x16_t w0, int8x16_t w1, const int16_t *y) {
    const int16x8_t a = vmovl_s8(vget_low_s8(w0)), b = vmovl_s8(vget_high_s8(w0));
    const int16x8_t c = vmovl_s8(vget_low_s8(w1)), e = vmovl_s8(vget_high_s8(w1));
    int32x4_t s = vmull_s16(vget_low_s16(a), vld1_s16(y));
    s = vmlal_s16(s, vget_high_s16(a), vld1_s16(y + 4));
    s = vmlal_s16(s, vget_low_s16(b), vld1_s16(y + 8));
    s = vmlal_s16(s, vget_high_s16(b), vld1_s16(y + 12));
    s = vmlal_s16(s, vget_low_s16(c), vld1_s16(y + 16));
    s = vmlal_s16(s, vget_high_s16(c), vld1_s16(y + 20));
    s = vmlal_s16(s, vget_low_s16(e), vld1_s16(y + 24));
    s = vmlal_s16(s, vget_high_s16(e), vld1_s16(y + 28));
    return vaddvq_s32(s);
}

static float dot_int(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    float acc = 0;
    for (int b = 0; b < bpr; b++, q += qb) {
        const int16_t *y = a->q + 32 * b;
        int32_t s;
        if (w->format == PP_FORMAT_Q8_0) {
            s = dot32(vld1q_s8((const int8_t *)q), vld1q_s8((const int8_t *)q + 16), y);
        } else {
            const uint8x16_t bytes = vld1q_u8(q);
            const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(bytes, vdupq_n_u8(15)));
            const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(bytes, 4));
            s = dot32(lo, hi, y);
            if (w->format == PP_FORMAT_Q4_0) s -= 8 * a->isum[b];
        }
        acc += d[b] * a->d[b] * (float)s;
        if (w->format == PP_FORMAT_Q4_1) acc += w->minimums[(size_t)r * bpr + b] * a->s[b];
    }
    return acc;
}

void pp_rows_neon(const pp_qmatrix *w, const pp_activation *a, float *out,
                  int row_start, int row_end, int accumulate) {
    if (a->exact) {
        pp_rows_scalar(w, a, out, row_start, row_end, accumulate);
        return;
    }
    for (int r = row_start; r < row_end; r++) pp_store(out, r, dot_int(w, a, r), accumulate);
}
#endif
