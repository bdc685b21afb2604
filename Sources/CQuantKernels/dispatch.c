// Run-time selection of the instruction-set path, activation preparation, and the row entry point.
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "kernels_internal.h"
#include "kquant_internal.h"

int pp_isa_supported(pp_isa isa) {
    switch (isa) {
    case PP_ISA_AUTO:
    case PP_ISA_SCALAR:
        return 1;
    case PP_ISA_AVX2:
#if defined(__x86_64__) || defined(__i386__)
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
        return 0;
#endif
    case PP_ISA_NEON:
#if defined(__aarch64__)
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

static pp_isa best_supported(void) {
    if (pp_isa_supported(PP_ISA_AVX2)) return PP_ISA_AVX2;
    if (pp_isa_supported(PP_ISA_NEON)) return PP_ISA_NEON;
    return PP_ISA_SCALAR;
}

/// The selected path; 0 (PP_ISA_AUTO) until the first use resolves it.
static _Atomic int selected_isa = PP_ISA_AUTO;

const char *pp_isa_name(pp_isa isa) {
    switch (isa) {
    case PP_ISA_SCALAR: return "scalar";
    case PP_ISA_AVX2: return "avx2";
    case PP_ISA_NEON: return "neon";
    default: return "auto";
    }
}

int pp_isa_select(pp_isa isa) {
    if (!pp_isa_supported(isa)) return 0;
    atomic_store(&selected_isa, isa == PP_ISA_AUTO ? best_supported() : isa);
    return 1;
}

pp_isa pp_isa_current(void) {
    int isa = atomic_load_explicit(&selected_isa, memory_order_relaxed);
    if (isa != PP_ISA_AUTO) return (pp_isa)isa;
    pp_isa wanted = PP_ISA_AUTO;
    const char *env = getenv("PREFIXPACK_ISA");
    if (env) {
        for (int i = PP_ISA_SCALAR; i <= PP_ISA_NEON; i++) {
            if (strcmp(env, pp_isa_name((pp_isa)i)) == 0) wanted = (pp_isa)i;
        }
    }
    if (!pp_isa_select(wanted)) pp_isa_select(PP_ISA_AUTO);
    return (pp_isa)atomic_load(&selected_isa);
}

void pp_activation_prepare(pp_activation *a, const float *x, int blocks, int exact) {
    a->blocks = blocks;
    a->exact = exact;
    a->x = x;
    int first = 0;  // blocks before it are quantized (and in nibble order) already
#if defined(__x86_64__) || defined(__i386__)
    if (!exact && pp_isa_current() == PP_ISA_AVX2) first = pp_activation_quantize_avx2(a, x, blocks);
#endif
    for (int b = first; b < blocks; b++) {
        const float *v = x + 32 * b;
        if (exact) {
            float s = 0;
            for (int j = 0; j < 32; j++) s += v[j];
            a->block_sums[b] = s;
            continue;
        }
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(v[j]));
        const float d = amax / 32767, inverse = d != 0 ? 1 / d : 0;
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            const int16_t q = (int16_t)lrintf(v[j] * inverse);
            a->q[32 * b + j] = q;
            sum += q;
        }
        a->d[b] = d;
        a->isum[b] = sum;
        a->s[b] = d * (float)sum;
    }
    if (!exact) {
        // Nibble order (CQuantKernels.h): blocks in pairs, an odd last block alone.
        for (int b = first; b < blocks; b += 2) {
            const int pair = b + 1 < blocks, width = pair ? 16 : 8;
            for (int half = 0; half <= pair; half++) {
                const int16_t *q = a->q + 32 * (b + half);
                int16_t *n = a->q_nibble + 32 * b + 8 * half;
                for (int k = 0; k < 8; k++) {
                    n[k] = q[2 * k];
                    n[width + k] = q[2 * k + 1];
                    n[2 * width + k] = q[2 * k + 16];
                    n[3 * width + k] = q[2 * k + 17];
                }
            }
        }
    }
}

void pp_matvec_rows(const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate) {
    if (pp_is_kquant_format(w->format)) {
        pp_rows_kquant(pp_isa_current(), w, a, out, row_start, row_end, accumulate);
        return;
    }
    switch (pp_isa_current()) {
#if defined(__x86_64__) || defined(__i386__)
    case PP_ISA_AVX2:
        pp_rows_avx2(w, a, out, row_start, row_end, accumulate);
        return;
#endif
#if defined(__aarch64__)
    case PP_ISA_NEON:
        pp_rows_neon(w, a, out, row_start, row_end, accumulate);
        return;
#endif
    default:
        pp_rows_scalar(w, a, out, row_start, row_end, accumulate);
    }
}
