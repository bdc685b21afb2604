// Dequantization of the K-quant-file formats (layouts in kquant_internal.h): the portable block
// decoders, the tile entry point `pp_dequantize_rows` (prefill tiles, embedding rows), and the
// row kernel of the tile formats (Q5_1, Q2_K, Q3_K, Q5_K, IQ4_NL, IQ4_XS), which dequantizes a
// row block by block and takes its dot product with the float activations.
//
// Every decoder evaluates gguf-py's float products in its order, without fused multiply-add, so
// its floats equal TensorFiles' decoders (and gguf-py, ggml) bit for bit on every path.
#pragma STDC FP_CONTRACT OFF
#include "kquant_internal.h"

const float pp_iq4_levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

/// ggml's packed 6-bit scale of Q3_K sub-block `i` (0..<16) in the 12 bytes at `packed`, minus 32.
static inline int q3_k_scale(const uint8_t *packed, int i) {
    const int low4 = (packed[i % 8] >> (4 * (i / 8))) & 15, high2 = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
    return (low4 | high2 << 4) - 32;
}

/// Q5_0 (`minimum` NULL: w = d · (q − 16)) or Q5_1 (w = d · q + m) from its 20 quant bytes.
static void five_bit_block(const uint8_t *q, float d, const float *minimum, float *o) {
    const uint32_t qh = pp_load_le32(q);
    for (int j = 0; j < 16; j++) {
        const int lo = (q[4 + j] & 15) | (int)((qh >> j) & 1) << 4, hi = (q[4 + j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
        if (minimum) {
            o[j] = d * (float)lo + *minimum;
            o[j + 16] = d * (float)hi + *minimum;
        } else {
            o[j] = d * (float)(lo - 16);
            o[j + 16] = d * (float)(hi - 16);
        }
    }
}

/// Q8_0 (w = d · q), Q4_0 (`minimum` NULL: w = d · (q − 8)) or Q4_1 (w = d · q + m).
static void legacy_block(int format, const uint8_t *q, float d, const float *minimum, float *o) {
    for (int j = 0; j < 16; j++) {
        if (format == PP_FORMAT_Q8_0) {
            o[j] = d * (float)(int8_t)q[j];
            o[j + 16] = d * (float)(int8_t)q[j + 16];
        } else if (minimum) {
            o[j] = d * (float)(q[j] & 15) + *minimum;
            o[j + 16] = d * (float)(q[j] >> 4) + *minimum;
        } else {
            o[j] = d * (float)((q[j] & 15) - 8);
            o[j + 16] = d * (float)((q[j] >> 4) - 8);
        }
    }
}

/// Q4_K (`fifth_bits` NULL) or Q5_K: eight 32-weight sub-blocks with 6-bit scales and mins.
static void scaled_nibbles_block(const uint8_t *packed, const uint8_t *fifth_bits, const uint8_t *nibbles,
                                 float d, float dmin, float *o) {
    for (int j = 0; j < 8; j++) {
        int sc, m;
        pp_q4k_scale_min(packed, j, &sc, &m);
        const float scale = d * (float)sc, min = dmin * (float)m;
        const int shift = 4 * (j % 2);
        for (int l = 0; l < 32; l++) {
            int v = (nibbles[32 * (j / 2) + l] >> shift) & 15;
            if (fifth_bits) v |= ((fifth_bits[l] >> j) & 1) << 4;
            o[32 * j + l] = scale * (float)v - min;
        }
    }
}

static void q6_k_block(const uint8_t *q, float d, float *o) {
    for (int n = 0; n < 2; n++) {
        for (int s = 0; s < 4; s++) {
            for (int half = 0; half < 2; half++) {
                const float scale = d * (float)(int8_t)q[192 + 8 * n + 2 * s + half];
                for (int l = 16 * half; l < 16 * half + 16; l++) {
                    const int low = (q[64 * n + 32 * (s % 2) + l] >> (4 * (s / 2))) & 15;
                    const int high = (q[128 + 32 * n + l] >> (2 * s)) & 3;
                    o[128 * n + 32 * s + l] = scale * (float)((low | high << 4) - 32);
                }
            }
        }
    }
}

static void q2_k_block(const uint8_t *q, float d, float dmin, float *o) {
    for (int n = 0; n < 2; n++) {
        for (int j = 0; j < 4; j++) {
            for (int half = 0; half < 2; half++) {
                const int sc = q[(128 * n + 32 * j + 16 * half) / 16];
                const float scale = d * (float)(sc & 15), min = dmin * (float)(sc >> 4);
                for (int l = 16 * half; l < 16 * half + 16; l++) {
                    o[128 * n + 32 * j + l] = scale * (float)((q[16 + 32 * n + l] >> (2 * j)) & 3) - min;
                }
            }
        }
    }
}

static void q3_k_block(const uint8_t *q, float d, float *o) {
    for (int n = 0; n < 2; n++) {
        for (int j = 0; j < 4; j++) {
            for (int half = 0; half < 2; half++) {
                const float scale = d * (float)q3_k_scale(q + 96, (128 * n + 32 * j + 16 * half) / 16);
                for (int l = 16 * half; l < 16 * half + 16; l++) {
                    const int low2 = (q[32 + 32 * n + l] >> (2 * j)) & 3, high = (q[l] >> (4 * n + j)) & 1;
                    o[128 * n + 32 * j + l] = scale * (float)(low2 - (high ? 0 : 4));
                }
            }
        }
    }
}

/// 16 nibble bytes as 32 IQ4 levels times `scale` (weight j low nibble, j + 16 high).
static void iq4_nibbles(const uint8_t *nibbles, float scale, float *o) {
    for (int j = 0; j < 16; j++) {
        o[j] = scale * pp_iq4_levels[nibbles[j] & 15];
        o[j + 16] = scale * pp_iq4_levels[nibbles[j] >> 4];
    }
}

static void iq4_xs_block(const uint8_t *q, float d, float *o) {
    const int scales_high = q[0] | q[1] << 8;
    for (int ib = 0; ib < 8; ib++) {
        const int ls = ((q[2 + ib / 2] >> (4 * (ib % 2))) & 15) | ((scales_high >> (2 * ib)) & 3) << 4;
        iq4_nibbles(q + 6 + 16 * ib, d * (float)(ls - 32), o + 32 * ib);
    }
}

void pp_dequantize_block_scalar(const pp_qmatrix *w, int r, int b, float *o) {
    const size_t i = (size_t)r * (w->blocks_per_row * 32 / pp_kquant_weights(w->format)) + b;
    const uint8_t *q = pp_kquant_block(w, r, b);
    const float d = w->scales[i], dmin = w->minimums ? w->minimums[i] : 0;
    switch (w->format) {
    case PP_FORMAT_Q8_0: case PP_FORMAT_Q4_0: legacy_block(w->format, q, d, NULL, o); break;
    case PP_FORMAT_Q4_1: legacy_block(w->format, q, d, &w->minimums[i], o); break;
    case PP_FORMAT_Q5_0: five_bit_block(q, d, NULL, o); break;
    case PP_FORMAT_Q5_1: five_bit_block(q, d, &w->minimums[i], o); break;
    case PP_FORMAT_IQ4_NL: iq4_nibbles(q, d, o); break;
    case PP_FORMAT_Q4_K: scaled_nibbles_block(q, NULL, q + 12, d, dmin, o); break;
    case PP_FORMAT_Q5_K: scaled_nibbles_block(q, q + 12, q + 44, d, dmin, o); break;
    case PP_FORMAT_Q6_K: q6_k_block(q, d, o); break;
    case PP_FORMAT_Q2_K: q2_k_block(q, d, dmin, o); break;
    case PP_FORMAT_Q3_K: q3_k_block(q, d, o); break;
    case PP_FORMAT_IQ4_XS: iq4_xs_block(q, d, o); break;
    default: break;
    }
}

/// The selected path's block decoder.
static void (*block_decoder(pp_isa isa))(const pp_qmatrix *, int, int, float *) {
#if defined(__x86_64__) || defined(__i386__)
    if (isa == PP_ISA_AVX2) return pp_dequantize_block_avx2;
#endif
    (void)isa;
    return pp_dequantize_block_scalar;
}

void pp_dequantize_rows(const pp_qmatrix *w, int row_start, int row_count, float *out) {
    if (w->format < PP_FORMAT_Q8_0 || w->format > PP_FORMAT_IQ4_XS) return;
    void (*decode)(const pp_qmatrix *, int, int, float *) = block_decoder(pp_isa_current());
    const int weights = pp_kquant_weights(w->format), per_row = w->blocks_per_row * 32 / weights;
    for (int r = 0; r < row_count; r++) {
        for (int b = 0; b < per_row; b++) decode(w, row_start + r, b, out + ((size_t)r * per_row + b) * weights);
    }
}

void pp_rows_dequantized_dot(pp_isa isa, const pp_qmatrix *w, const pp_activation *a, float *out,
                             int row_start, int row_end, int accumulate) {
    void (*decode)(const pp_qmatrix *, int, int, float *) = block_decoder(isa);
    const int weights = pp_kquant_weights(w->format), per_row = w->blocks_per_row * 32 / weights;
    float block[256];
    for (int r = row_start; r < row_end; r++) {
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int b = 0; b < per_row; b++) {
            decode(w, r, b, block);
            const float *x = a->x + (size_t)b * weights;
            for (int k = 0; k < weights; k += 8) {
                for (int l = 0; l < 8; l++) lanes[l] += block[k + l] * x[k + l];
            }
        }
        pp_store(out, r, ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])),
                 accumulate);
    }
}
