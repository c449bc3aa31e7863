/* The full loss's per-entry work, vectorized: softplus and sigmoid of a row of logits. */
#include <tgmath.h> /* exp, fabs, log1p in the precision of vgae_real */

#include "models/decoder_kernel.h"

/* This file alone is compiled with -ffast-math so that expf and log1pf
 * vectorize (glibc's libmvec). The inputs are finite logits; exp(-|x|) lies
 * in (0, 1], so nothing overflows. The row sum is reassociated by the
 * vectorizer, but in the same way on every run and thread count. */
double vgae_decoder_row_negatives(vgae_real *row, int64_t n, double scale)
{
    const vgae_real s = (vgae_real)scale;
    double sum = 0.0;
    for (int64_t j = 0; j < n; j++) {
        vgae_real x = row[j];
        vgae_real e = (vgae_real)exp(-fabs(x));
        vgae_real inv = (vgae_real)1 / ((vgae_real)1 + e);
        /* softplus(x) = max(x, 0) + log1p(e); sigmoid(x) = 1/(1+e) or e/(1+e) */
        sum += (double)((x > 0 ? x : (vgae_real)0) + (vgae_real)log1p(e));
        row[j] = s * (x >= 0 ? inv : e * inv);
    }
    return sum;
}
