// Private declarations of the kernels for the formats of K-quant files: Q5_0 / Q4_K / Q6_K (the
// Q4_K_M mix, with fused row kernels) and Q5_1 / Q2_K / Q3_K / Q5_K / IQ4_NL / IQ4_XS (tile
// formats: dequantized blocks, for tiles and for a row-at-a-time dot product).
//
// Repacked layout (PrefixRuntime's QuantizedBlocks), per row its storage blocks back to back; the
// fp16 `d` (and minimum) of each ggml block become `scales[b]` (and `minimums[b]`), the other
// bytes of the block are kept unchanged and in order as its quant bytes:
// - Q5_0 (32 weights): `scales[b]` = d; 20 quant bytes: little-endian uint32 qh (bit j = fifth
//   bit of weight j), then 16 nibble bytes (weight j low nibble, j + 16 high nibble);
//   w = d · (q − 16).
// - Q5_1 (32): d, `minimums[b]` = m; 20 quant bytes as Q5_0; w = d · q + m.
// - Q8_0, Q4_0, Q4_1 (32; kernels_internal.h's formats, decoded here for tiles): d (and m);
//   32 signed bytes, or 16 nibble bytes as Q5_0's; w = d · q, d · (q − 8), d · q + m.
// - IQ4_NL (32): d; 16 nibble bytes as Q5_0's; w = d · level[q] (pp_iq4_levels).
// - Q4_K (256 weights): `scales[b]` = d, `minimums[b]` = dmin; 140 quant bytes: the 12 packed
//   6-bit sub-block scales/mins, then 128 nibble bytes (sub-blocks 2p, 2p+1 are the low and high
//   nibbles of bytes 32p ..< 32p + 32); w = (d · sc) · q − dmin · m.
// - Q5_K (256): d, dmin; 172 quant bytes: 12 packed scales/mins, qh[32] (bit j of qh[l] = fifth
//   bit of weight l of sub-block j), 128 nibble bytes as Q4_K; w = (d · sc) · q − dmin · m.
// - Q6_K (256 weights): `scales[b]` = d; 208 quant bytes: ql[128], qh[64], int8 scales[16] of the
//   16-weight sub-blocks; weight 128n + 32s + l: low nibble (s < 2) or high nibble (s ≥ 2) of
//   ql[64n + 32(s % 2) + l], bits 2s, 2s+1 of qh[32n + l]; w = (d · sc) · (q − 32).
// - Q2_K (256): d, dmin; 80 quant bytes: scales[16] (low nibble scale, high nibble min of each
//   16-weight sub-block), qs[64]; weight 128n + 32j + l: q = (qs[32n + l] >> 2j) & 3;
//   w = (d · sc) · q − dmin · m.
// - Q3_K (256): d; 108 quant bytes: hmask[32], qs[64], packed 6-bit scales[12]; weight
//   128n + 32j + l: q = ((qs[32n + l] >> 2j) & 3) − (bit 4n + j of hmask[l] ? 0 : 4);
//   w = (d · (sc − 32)) · q.
// - IQ4_XS (256): d; 134 quant bytes: uint16 scales_h, scales_l[4], 128 nibble bytes (bytes
//   16ib ..< 16ib + 16: weights 32ib + j low, 32ib + 16 + j high); w = (d · (ls − 32)) · level[q].
// `blocks_per_row` always counts 32-weight activation blocks (columns / 32).
#ifndef CQUANTKERNELS_KQUANT_INTERNAL_H
#define CQUANTKERNELS_KQUANT_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "kernels_internal.h"

/// Whether `format` is one of the formats of this file (routed to `pp_rows_kquant`).
static inline int pp_is_kquant_format(int format) {
    return format >= PP_FORMAT_Q5_0 && format <= PP_FORMAT_IQ4_XS;
}

/// Whether `format` has fused row kernels (else rows are dequantized block by block and dotted).
static inline int pp_is_fused_kquant_format(int format) {
    return format == PP_FORMAT_Q5_0 || format == PP_FORMAT_Q4_K || format == PP_FORMAT_Q6_K;
}

/// Quant bytes per storage block of a K-quant-file format (and of Q8_0, Q4_0, Q4_1, which
/// `pp_dequantize_rows` decodes too).
static inline int pp_kquant_bytes(int format) {
    switch (format) {
    case PP_FORMAT_Q8_0: case PP_FORMAT_Q4_0: case PP_FORMAT_Q4_1: case PP_FORMAT_Q5_0: return pp_quant_bytes(format);
    case PP_FORMAT_Q5_1: return 20;
    case PP_FORMAT_IQ4_NL: return 16;
    case PP_FORMAT_Q4_K: return 140;
    case PP_FORMAT_Q5_K: return 172;
    case PP_FORMAT_Q6_K: return 208;
    case PP_FORMAT_Q2_K: return 80;
    case PP_FORMAT_Q3_K: return 108;
    default: return 134;  // IQ4_XS
    }
}

/// Weights per storage block (32 for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 and IQ4_NL, 256 for the
/// super-block formats).
static inline int pp_kquant_weights(int format) {
    return format <= PP_FORMAT_Q5_0 || format == PP_FORMAT_Q5_1 || format == PP_FORMAT_IQ4_NL ? 32 : 256;
}

/// The 16 levels a 4-bit IQ4 index selects (ggml's `kvalues_iq4nl`).
extern const float pp_iq4_levels[16];

/// The quant bytes of storage block `b` of row `r`.
static inline const uint8_t *pp_kquant_block(const pp_qmatrix *w, int r, int b) {
    const int per_row = w->blocks_per_row * 32 / pp_kquant_weights(w->format);
    return (const uint8_t *)w->quants + ((size_t)r * per_row + b) * pp_kquant_bytes(w->format);
}

static inline uint32_t pp_load_le32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;  // little-endian hosts only (x86-64, arm64)
}

/// ggml's packed 6-bit scale and min of Q4_K sub-block `j` (0..<8).
static inline void pp_q4k_scale_min(const uint8_t *packed, int j, int *scale, int *min) {
    if (j < 4) {
        *scale = packed[j] & 63;
        *min = packed[j + 4] & 63;
    } else {
        *scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4);
        *min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
    }
}

void pp_rows_kquant_scalar(const pp_qmatrix *w, const pp_activation *a, float *out,
                           int row_start, int row_end, int accumulate);
#if defined(__x86_64__) || defined(__i386__)
void pp_rows_kquant_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                         int row_start, int row_end, int accumulate);
#endif
#if defined(__x86_64__) || defined(__i386__)
/// Fewest columns for which the Q4_K (4) or Q6_K (2) multi-vector kernel runs; with fewer the
/// single-vector kernel per column is as fast or faster (one-thread C harness, 2026-12-03) and
/// gives the same results.
static inline int pp_kquant_multi_min(int format) {
    return format == PP_FORMAT_Q4_K ? 4 : 2;
}
/// The AVX2 multi-vector kernel of Q4_K and Q6_K, int16 activations only (kquant_multi_avx2.c;
/// 1 ≤ columns ≤ PP_MULTI_MAX): column c's result equals `pp_rows_kquant_avx2`'s bit for bit.
void pp_rows_kquant_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out,
                               long out_stride, int row_start, int row_end, int accumulate);
#endif
/// Dequantizes storage block `b` of row `r` (pp_kquant_weights floats) on the portable path.
void pp_dequantize_block_scalar(const pp_qmatrix *w, int r, int b, float *out);
#if defined(__x86_64__) || defined(__i386__)
/// The AVX2 path's block dequantizer: bit-identical to the portable one.
void pp_dequantize_block_avx2(const pp_qmatrix *w, int r, int b, float *out);
#endif

/// The row kernel of the tile formats: each row dequantized block by block with `isa`'s decoder
/// and dotted with the float activations `a->x` (set on both activation paths).
void pp_rows_dequantized_dot(pp_isa isa, const pp_qmatrix *w, const pp_activation *a, float *out,
                             int row_start, int row_end, int accumulate);

/// The selected path's kernel for a K-quant-file format (NEON uses the portable one).
void pp_rows_kquant(pp_isa isa, const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate);

#endif
