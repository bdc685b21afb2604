// Portable row kernels for Q5_0, Q4_K and Q6_K (any CPU), and the path selection for the
// K-quant-file formats (the tile formats' row kernel is in kquant_tiles.c).
#include "kquant_internal.h"

/// Σ w·x (exact) or Σ w·y scaled (int16) over one Q5_0 row.
static float q5_0_dot(const pp_qmatrix *w, const pp_activation *a, int r) {
    float acc = 0;
    for (int b = 0; b < w->blocks_per_row; b++) {
        const uint8_t *q = pp_kquant_block(w, r, b), *nib = q + 4;
        const uint32_t qh = pp_load_le32(q);
        const float d = w->scales[(size_t)r * w->blocks_per_row + b];
        if (a->exact) {
            const float *x = a->x + 32 * b;
            float s = 0;
            for (int j = 0; j < 16; j++) {
                const int lo = (nib[j] & 15) | (int)((qh >> j) & 1) << 4, hi = (nib[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
                s += (float)(lo - 16) * x[j] + (float)(hi - 16) * x[j + 16];
            }
            acc += d * s;
        } else {
            const int16_t *y = a->q + 32 * b;
            int32_t s = 0;
            for (int j = 0; j < 16; j++) {
                const int lo = (nib[j] & 15) | (int)((qh >> j) & 1) << 4, hi = (nib[j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
                s += (lo - 16) * y[j] + (hi - 16) * y[j + 16];
            }
            acc += d * a->d[b] * (float)s;
        }
    }
    return acc;
}

static float q4_k_dot(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    float acc = 0;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *q = pp_kquant_block(w, r, sb), *nib = q + 12;
        const float d = w->scales[(size_t)r * supers + sb], dmin = w->minimums[(size_t)r * supers + sb];
        for (int j = 0; j < 8; j++) {
            int sc, m;
            pp_q4k_scale_min(q, j, &sc, &m);
            const int blk = 8 * sb + j, shift = 4 * (j % 2);
            const uint8_t *bytes = nib + 32 * (j / 2);
            if (a->exact) {
                const float *x = a->x + 32 * blk;
                float s = 0;
                for (int l = 0; l < 32; l++) s += (float)((bytes[l] >> shift) & 15) * x[l];
                acc += d * (float)sc * s - dmin * (float)m * a->block_sums[blk];
            } else {
                const int16_t *y = a->q + 32 * blk;
                int32_t s = 0;
                for (int l = 0; l < 32; l++) s += ((bytes[l] >> shift) & 15) * y[l];
                acc += d * (float)sc * a->d[blk] * (float)s - dmin * (float)m * a->s[blk];
            }
        }
    }
    return acc;
}

static float q6_k_dot(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    float acc = 0;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *ql = pp_kquant_block(w, r, sb), *qh = ql + 128;
        const int8_t *scales = (const int8_t *)(ql + 192);
        const float d = w->scales[(size_t)r * supers + sb];
        for (int n = 0; n < 2; n++) {
            for (int s = 0; s < 4; s++) {
                const int blk = 8 * sb + 4 * n + s;
                const uint8_t *low = ql + 64 * n + 32 * (s % 2), *high = qh + 32 * n;
                float sums[2] = {0, 0};
                for (int half = 0; half < 2; half++) {
                    if (a->exact) {
                        float t = 0;
                        for (int l = 16 * half; l < 16 * half + 16; l++) {
                            const int v = (((low[l] >> (4 * (s / 2))) & 15) | ((high[l] >> (2 * s)) & 3) << 4) - 32;
                            t += (float)v * a->x[32 * blk + l];
                        }
                        sums[half] = t;
                    } else {
                        int32_t t = 0;
                        for (int l = 16 * half; l < 16 * half + 16; l++) {
                            const int v = (((low[l] >> (4 * (s / 2))) & 15) | ((high[l] >> (2 * s)) & 3) << 4) - 32;
                            t += v * a->q[32 * blk + l];
                        }
                        sums[half] = (float)t * a->d[blk];
                    }
                }
                acc += d * (float)scales[8 * n + 2 * s] * sums[0] + d * (float)scales[8 * n + 2 * s + 1] * sums[1];
            }
        }
    }
    return acc;
}

void pp_rows_kquant_scalar(const pp_qmatrix *w, const pp_activation *a, float *out,
                           int row_start, int row_end, int accumulate) {
    for (int r = row_start; r < row_end; r++) {
        float v;
        switch (w->format) {
        case PP_FORMAT_Q5_0: v = q5_0_dot(w, a, r); break;
        case PP_FORMAT_Q4_K: v = q4_k_dot(w, a, r); break;
        default: v = q6_k_dot(w, a, r); break;
        }
        pp_store(out, r, v, accumulate);
    }
}

void pp_rows_kquant(pp_isa isa, const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate) {
    if (!pp_is_fused_kquant_format(w->format)) {
        pp_rows_dequantized_dot(isa, w, a, out, row_start, row_end, accumulate);
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (isa == PP_ISA_AVX2) {
        pp_rows_kquant_avx2(w, a, out, row_start, row_end, accumulate);
        return;
    }
#endif
    (void)isa;
    pp_rows_kquant_scalar(w, a, out, row_start, row_end, accumulate);
}
