/* Standard normals in float from random words, vectorized: Box-Muller with its own log, sin and cos. */
#include <math.h>
#include <stdint.h>

#include "core/normals.h"

/* Compiled alone at -O3 with contracted multiply-adds and without errno
 * from sqrt, one copy per instruction set, like src/nn/kernels.c: glibc's
 * logf and sincosf do not vectorize without -ffast-math. */

typedef union {
    float f;
    int32_t i;
} bits32;

/* log(u) for u in [2^-24, 1]: u = 2^e m with m in [sqrt(1/2), sqrt(2)),
 * log m = 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.1716; the series
 * 2f (1 + f^2/3 + ... + f^8/9) leaves a relative remainder below
 * 0.0295^5 / 11 < 2.1e-9. */
static inline __attribute__((always_inline)) float log_unit(float u)
{
    bits32 b = {.f = u};
    const int32_t mant = b.i & 0x7FFFFF, big = mant > 0x3504F3; /* m > sqrt(2) */
    const int32_t e = (b.i >> 23) - 127 + (big ? 1 : 0);
    b.i = mant | (big ? 0x3F000000 : 0x3F800000); /* m, or m / 2 */
    const float m = b.f, f = (m - 1.0f) / (m + 1.0f), s = f * f;
    float p = 1.0f / 9.0f;
    p = p * s + 1.0f / 7.0f;
    p = p * s + 1.0f / 5.0f;
    p = p * s + 1.0f / 3.0f;
    p = p * s + 1.0f;
    return (float)e * 0.693147180559945309f + 2.0f * f * p;
}

#ifdef __clang__ /* one copy: clang 14 does not know these clones (the fuzzing build) */
static void normals(const uint32_t *w, int64_t pairs, float *out);
#else
static void normals(const uint32_t *w, int64_t pairs, float *out)
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")));
#endif

/* For each pair k: u1 = (w[2k] >> 8 + 1) 2^-24 in (0, 1] and
 * v = (w[2k+1] >> 8) 2^-24 in [0, 1); radius sqrt(-2 log u1), angle 2 pi v.
 * The angle is reduced to x = 2 pi (v - q/4) in [-pi/4, pi/4] (v - q/4 is
 * exact), where the Taylor polynomials of sin (to x^9) and cos (to x^8)
 * are within 2e-9 and 2.5e-8; the quadrant q swaps and negates them. The
 * largest radius, for u1 = 2^-24, is 5.77: a normal is further out with
 * probability 8e-9. */
static void normals(const uint32_t *w, int64_t pairs, float *out)
{
    for (int64_t k = 0; k < pairs; k++) {
        const float u1 = (float)((w[2 * k] >> 8) + 1) * 0x1p-24f;
        const float v = (float)(w[2 * k + 1] >> 8) * 0x1p-24f;
        const float radius = sqrtf(-2.0f * log_unit(u1));
        const int32_t q = (int32_t)(v * 4.0f + 0.5f);
        const float x = (v - (float)q * 0.25f) * 6.28318530717958648f, x2 = x * x;
        float sn = 1.0f / 362880.0f;
        sn = sn * x2 - 1.0f / 5040.0f;
        sn = sn * x2 + 1.0f / 120.0f;
        sn = sn * x2 - 1.0f / 6.0f;
        sn = (sn * x2) * x + x;
        float cs = 1.0f / 40320.0f;
        cs = cs * x2 - 1.0f / 720.0f;
        cs = cs * x2 + 1.0f / 24.0f;
        cs = cs * x2 - 0.5f;
        cs = cs * x2 + 1.0f;
        /* angle = q pi/2 + x: quadrants 1 and 3 swap sin and cos; cos is
         * negated in quadrants 1 and 2, sin in 2 and 3 */
        const int32_t qq = q & 3;
        const float c0 = (qq & 1) ? sn : cs, s0 = (qq & 1) ? cs : sn;
        const float c1 = (qq == 1 || qq == 2) ? -c0 : c0, s1 = (qq >= 2) ? -s0 : s0;
        out[2 * k] = radius * c1;
        out[2 * k + 1] = radius * s1;
    }
}

/* A plain function around the clones, whose dispatcher GCC would otherwise
 * export from the shared library. */
void vgae_normals_from_words(const uint32_t *w, int64_t pairs, float *out)
{
    normals(w, pairs, out);
}
