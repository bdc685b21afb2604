// Portable row kernels (any CPU): plain loops the compiler may vectorize for the baseline ISA.
#include "kernels_internal.h"

static float dot_exact(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    float acc = 0, offset = 0;
    for (int b = 0; b < bpr; b++, q += qb) {
        const float *x = a->x + 32 * b;
        float s = 0;
        if (w->format == PP_FORMAT_Q8_0) {
            for (int j = 0; j < 32; j++) s += (float)(int8_t)q[j] * x[j];
        } else {
            const int bias = w->format == PP_FORMAT_Q4_0 ? 8 : 0;
            for (int j = 0; j < 16; j++) {
                s += (float)((q[j] & 15) - bias) * x[j] + (float)((q[j] >> 4) - bias) * x[j + 16];
            }
        }
        acc += d[b] * s;
        if (w->format == PP_FORMAT_Q4_1) offset += w->minimums[(size_t)r * bpr + b] * a->block_sums[b];
    }
    return acc + offset;
}

static float dot_int(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    float acc = 0;
    for (int b = 0; b < bpr; b++, q += qb) {
        const int16_t *y = a->q + 32 * b;
        int32_t s = 0;
        if (w->format == PP_FORMAT_Q8_0) {
            for (int j = 0; j < 32; j++) s += (int32_t)(int8_t)q[j] * y[j];
        } else {
            for (int j = 0; j < 16; j++) s += (q[j] & 15) * y[j] + (q[j] >> 4) * y[j + 16];
            if (w->format == PP_FORMAT_Q4_0) s -= 8 * a->isum[b];
        }
        acc += d[b] * a->d[b] * (float)s;
        if (w->format == PP_FORMAT_Q4_1) acc += w->minimums[(size_t)r * bpr + b] * a->s[b];
    }
    return acc;
}

void pp_rows_scalar(const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate) {
    for (int r = row_start; r < row_end; r++) {
        pp_store(out, r, a->exact ? dot_exact(w, a, r) : dot_int(w, a, r), accumulate);
    }
}
