/* The full loss's per-entry work, vectorized: softplus and sigmoid of a row of logits. */
#include <math.h>
#include <stdint.h>

#include "models/decoder_kernel.h"

#ifdef VGAE_REAL_DOUBLE

/* The double build (used by the gradient checks) takes libm's functions. */
double vgae_decoder_row_negatives(vgae_real *row, int64_t n, double scale)
{
    double sum = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double x = row[j], e = exp(-fabs(x)), inv = 1 / (1 + e);
        sum += (x > 0 ? x : 0) + log1p(e);
        row[j] = scale * (x >= 0 ? inv : e * inv);
    }
    return sum;
}

const char *vgae_decoder_kernel_isa(void)
{
    return "libm (double)";
}

#else

/* exp(-a) for a >= 0, in float, written so that the compiler vectorizes it
 * (no library calls): a = k ln 2 - r with |r| <= ln2 / 2, exp(-a) = 2^-k
 * exp(r). ln 2 is split in two (its first 9 bits exact, so k * LN2_HI is
 * exact for k < 2^15) and exp(r) is its Taylor polynomial to degree 7,
 * whose remainder (ln2/2)^8 / 8! < 5e-9 is below half a float ulp. Past
 * a = 87 it returns exp(-87) (2^-125.5, a normal float): an absolute error
 * below 2e-38 in a term of softplus or sigmoid. */
static inline __attribute__((always_inline)) float exp_neg(float a)
{
    const float LOG2E = 1.44269504088896341f;
    const float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /* y = -min(a, 87), the minimum taken on the bits (a >= 0, so they
     * order as the values do): GCC vectorizes neither fminf here nor a
     * comparison of fabsf(v), which it turns into a range test. */
    union {
        float f;
        int32_t i;
    } u = {.f = a};
    u.i = u.i < 0x42AE0000 ? u.i : 0x42AE0000; /* 87.0f */
    const float y = -u.f;
    /* y log2(e) - 1/2 truncated toward zero: the nearest integer to y log2(e) */
    const int32_t k = (int32_t)(y * LOG2E - 0.5f);
    const float fk = (float)k;
    const float r = (y - fk * LN2_HI) - fk * LN2_LO;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    u.i = (k + 127) << 23; /* 2^k, k in [-126, 0] */
    return p * u.f;
}

/* log1p(e) for e in [0, 1]: with t = e / (2 + e) in [0, 1/3],
 * log1p(e) = 2 atanh(t) = 2t (1 + t^2/3 + t^4/5 + ...). Stopping after
 * t^12/13 leaves a relative remainder below (1/9)^7 / 15 < 1.5e-8, a
 * quarter of a float ulp; it keeps full relative accuracy for tiny e. */
static inline __attribute__((always_inline)) float log1p_unit(float e)
{
    const float t = e / (2.0f + e), s = t * t;
    float p = 1.0f / 13.0f;
    p = p * s + 1.0f / 11.0f;
    p = p * s + 1.0f / 9.0f;
    p = p * s + 1.0f / 7.0f;
    p = p * s + 1.0f / 5.0f;
    p = p * s + 1.0f / 3.0f;
    p = p * s + 1.0f;
    return 2.0f * t * p;
}

/* The row is taken in blocks of BLOCK entries: a vectorized pass writes
 * the block's softplus terms to a small buffer, and a second adds them to
 * LANES double accumulators, entry j to lane j mod LANES. The sum is thus
 * taken in one fixed order on every machine and thread count (no
 * reassociation is allowed or needed). */
#define BLOCK 256
#define LANES 16

/* One copy per instruction set, picked when the library loads. */
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
double vgae_decoder_row_negatives(vgae_real *row, int64_t n, double scale)
{
    const float s = (float)scale;
    float terms[BLOCK];
    double acc[LANES] = {0};
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK) {
        const int len = (int)(n - j0 < BLOCK ? n - j0 : BLOCK);
        float *x = row + j0;
        for (int j = 0; j < len; j++) {
            /* nan = v - v is 0 for a finite v, and carries a NaN or an
             * infinite logit into both outputs (exp_neg's clamp would not) */
            const float v = x[j], nan = v - v;
            const float e = exp_neg(fabsf(v)), inv = 1.0f / (1.0f + e);
            x[j] = s * (v >= 0.0f ? inv : e * inv) + nan;
            terms[j] = (v > 0.0f ? v : 0.0f) + log1p_unit(e) + nan;
        }
        for (int j = len; j < BLOCK; j++)
            terms[j] = 0.0f;
        for (int b = 0; b < BLOCK; b += LANES)
            for (int l = 0; l < LANES; l++)
                acc[l] += (double)terms[b + l];
    }
    double sum = 0.0;
    for (int l = 0; l < LANES; l++)
        sum += acc[l];
    return sum;
}

const char *vgae_decoder_kernel_isa(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3"))
        return "x86-64-v3 (AVX2, FMA)";
    return "x86-64 (SSE2)";
}

#endif
