// Private declarations of the Q5_0 / Q4_K / Q6_K row kernels (the formats of a Q4_K_M file).
//
// Repacked layout (PrefixRuntime's QuantizedBlocks), per row its storage blocks back to back:
// - Q5_0 (32 weights): `scales[b]` = d; 20 quant bytes: little-endian uint32 qh (bit j = fifth
//   bit of weight j), then 16 nibble bytes (weight j low nibble, j + 16 high nibble);
//   w = d · (q − 16).
// - Q4_K (256 weights): `scales[b]` = d, `minimums[b]` = dmin; 140 quant bytes: the 12 packed
//   6-bit sub-block scales/mins, then 128 nibble bytes (sub-blocks 2p, 2p+1 are the low and high
//   nibbles of bytes 32p ..< 32p + 32); w = (d · sc) · q − dmin · m.
// - Q6_K (256 weights): `scales[b]` = d; 208 quant bytes: ql[128], qh[64], int8 scales[16] of the
//   16-weight sub-blocks; weight 128n + 32s + l: low nibble (s < 2) or high nibble (s ≥ 2) of
//   ql[64n + 32(s % 2) + l], bits 2s, 2s+1 of qh[32n + l]; w = (d · sc) · (q − 32).
// `blocks_per_row` always counts 32-weight activation blocks (columns / 32).
#ifndef CQUANTKERNELS_KQUANT_INTERNAL_H
#define CQUANTKERNELS_KQUANT_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "kernels_internal.h"

/// Whether `format` is one of the formats of this file (routed to `pp_rows_kquant`).
static inline int pp_is_kquant_format(int format) {
    return format == PP_FORMAT_Q5_0 || format == PP_FORMAT_Q4_K || format == PP_FORMAT_Q6_K;
}

/// Quant bytes per storage block of a K-quant-file format.
static inline int pp_kquant_bytes(int format) {
    return format == PP_FORMAT_Q5_0 ? 20 : format == PP_FORMAT_Q4_K ? 140 : 208;
}

/// Weights per storage block (32 for Q5_0, 256 for the K formats).
static inline int pp_kquant_weights(int format) { return format == PP_FORMAT_Q5_0 ? 32 : 256; }

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
/// The selected path's kernel for a K-quant-file format (NEON uses the portable one).
void pp_rows_kquant(pp_isa isa, const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate);

#endif
