/* Gaussian negative log-likelihood with a fixed variance, for real-valued data. */
#include <math.h>

#include "nn/internal.h"
#include "vgae/vae/likelihood.h"

vgae_status vgae_normal_nll(vgae_ctx *ctx, const vgae_real *means, const vgae_real *targets,
                            int64_t n, double variance, const vgae_real *mask, double grad_scale,
                            vgae_real *grad, double *nll)
{
    *nll = 0.0;
    if (!(variance > 0) || !isfinite(variance))
        return vgae_fail(ctx, VGAE_EINVAL, "gaussian likelihood: variance %g is not finite and > 0", variance);
    const double log_norm = 0.5 * log(6.283185307179586476925286766559 * variance);
    const int threads = vgae_ctx_threads(ctx);
    double part[VGAE_CHUNKS];
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
    for (int c = 0; c < VGAE_CHUNKS; c++) {
        double sum = 0.0;
        for (int64_t k = vgae_chunk_start(n, c); k < vgae_chunk_start(n, c + 1); k++) {
            double w = mask ? mask[k] : 1.0;
            if (w == 0) { /* left out: its mean and target are not looked at */
                if (grad)
                    grad[k] = 0;
                continue;
            }
            double r = (double)means[k] - targets[k];
            sum += w * (0.5 * r * r / variance + log_norm);
            if (grad)
                grad[k] = (vgae_real)(grad_scale * w * r / variance);
        }
        part[c] = sum;
    }
    *nll = vgae_sum_chunks(part);
    return VGAE_OK;
}
