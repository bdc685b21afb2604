// Portable multi-vector row kernels: each weight block is unpacked once and applied to up to
// PP_MULTI_MAX activation vectors. Per column the arithmetic is kernels_scalar.c's, expression for
// expression (same operands, same order), so every column's result equals the single-vector one.
#include "kernels_internal.h"

/// The 32 element values of block `q` (before the scale) as float, bias subtracted, exactly as
/// kernels_scalar.c converts them.
static void unpack_floats(int format, const uint8_t *q, float *wv) {
    if (format == PP_FORMAT_Q8_0) {
        for (int j = 0; j < 32; j++) wv[j] = (float)(int8_t)q[j];
        return;
    }
    const int bias = format == PP_FORMAT_Q4_0 ? 8 : 0;
    for (int j = 0; j < 16; j++) {
        wv[j] = (float)((q[j] & 15) - bias);
        wv[j + 16] = (float)((q[j] >> 4) - bias);
    }
}

static void rows_exact(const pp_qmatrix *w, const pp_activation *a, int n, float *out, long stride, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    float acc[PP_MULTI_MAX] = {0}, offset[PP_MULTI_MAX] = {0}, wv[32];
    for (int b = 0; b < bpr; b++, q += qb) {
        unpack_floats(w->format, q, wv);
        for (int c = 0; c < n; c++) {
            const float *x = a[c].x + 32 * b;
            float s = 0;
            if (w->format == PP_FORMAT_Q8_0) {
                for (int j = 0; j < 32; j++) s += wv[j] * x[j];
            } else {
                for (int j = 0; j < 16; j++) s += wv[j] * x[j] + wv[j + 16] * x[j + 16];
            }
            acc[c] += d[b] * s;
            if (w->format == PP_FORMAT_Q4_1) offset[c] += w->minimums[(size_t)r * bpr + b] * a[c].block_sums[b];
        }
    }
    for (int c = 0; c < n; c++) out[c * stride] = acc[c] + offset[c];
}

static void rows_int(const pp_qmatrix *w, const pp_activation *a, int n, float *out, long stride, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    float acc[PP_MULTI_MAX] = {0};
    int32_t wi[32];
    for (int b = 0; b < bpr; b++, q += qb) {
        if (w->format == PP_FORMAT_Q8_0) {
            for (int j = 0; j < 32; j++) wi[j] = (int8_t)q[j];
        } else {
            for (int j = 0; j < 16; j++) {
                wi[j] = q[j] & 15;
                wi[j + 16] = q[j] >> 4;
            }
        }
        for (int c = 0; c < n; c++) {
            const int16_t *y = a[c].q + 32 * b;
            int32_t s = 0;  // integer sums are exact: any order gives the single kernel's value
            for (int j = 0; j < 32; j++) s += wi[j] * y[j];
            if (w->format == PP_FORMAT_Q4_0) s -= 8 * a[c].isum[b];
            acc[c] += d[b] * a[c].d[b] * (float)s;
            if (w->format == PP_FORMAT_Q4_1) acc[c] += w->minimums[(size_t)r * bpr + b] * a[c].s[b];
        }
    }
    for (int c = 0; c < n; c++) out[c * stride] = acc[c];
}

void pp_rows_multi_scalar(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                          int row_start, int row_end, int accumulate) {
    float results[PP_MULTI_MAX];
    for (int r = row_start; r < row_end; r++) {
        if (a[0].exact) rows_exact(w, a, columns, results, 1, r); else rows_int(w, a, columns, results, 1, r);
        for (int c = 0; c < columns; c++) pp_store(out + c * out_stride, r, results[c], accumulate);
    }
}
