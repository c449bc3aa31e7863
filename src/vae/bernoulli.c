/* Bernoulli negative log-likelihood with logits: weighted, masked or over listed entries. */
#include <math.h>

#include "nn/kernels.h"
#include "nn/internal.h"
#include "vgae/vae/likelihood.h"

static vgae_status bad_target(vgae_ctx *ctx, int64_t k, double t)
{
    return vgae_fail(ctx, VGAE_EINVAL, "bernoulli likelihood: target %lld is %g, not in [0, 1]",
                     (long long)k, t);
}

static vgae_status bad_weight(vgae_ctx *ctx, int64_t k, double w)
{
    return vgae_fail(ctx, VGAE_EINVAL, "bernoulli likelihood: mask weight %lld is %g, not >= 0",
                     (long long)k, w);
}

/* The listed-entries form, sequential: a repeated index adds to its gradient twice. */
static vgae_status nll_listed(vgae_ctx *ctx, const vgae_real *logits, const vgae_real *targets,
                              int64_t n, const vgae_bernoulli_options *o, double grad_scale,
                              vgae_real *grad, double *nll)
{
    if (grad)
        for (int64_t k = 0; k < n; k++)
            grad[k] = 0;
    double sum = 0.0;
    for (int64_t e = 0; e < o->n_entries; e++) {
        int64_t k = o->entries[e];
        if (k < 0 || k >= n)
            return vgae_fail(ctx, VGAE_EINVAL,
                             "bernoulli likelihood: entry %lld is outside 0..%lld",
                             (long long)k, (long long)n - 1);
        double t = targets[k], w = o->mask ? o->mask[k] : 1.0, dx;
        if (!(w >= 0))
            return bad_weight(ctx, k, w);
        if (w == 0) /* left out: its logit and target are not looked at */
            continue;
        if (!(t >= 0 && t <= 1))
            return bad_target(ctx, k, t);
        sum += w * vgae_bernoulli_term(logits[k], t, o->pos_weight, &dx);
        if (grad)
            grad[k] = (vgae_real)(grad[k] + grad_scale * w * dx);
    }
    *nll = sum;
    return VGAE_OK;
}

vgae_status vgae_bernoulli_nll(vgae_ctx *ctx, const vgae_real *logits, const vgae_real *targets,
                               int64_t n, const vgae_bernoulli_options *options,
                               double grad_scale, vgae_real *grad, double *nll)
{
    const vgae_bernoulli_options o = options ? *options : vgae_bernoulli_plain();
    *nll = 0.0;
    if (!(o.pos_weight > 0) || !isfinite(o.pos_weight))
        return vgae_fail(ctx, VGAE_EINVAL, "bernoulli likelihood: pos_weight %g is not finite and > 0",
                         o.pos_weight);
    if (o.entries)
        return nll_listed(ctx, logits, targets, n, &o, grad_scale, grad, nll);

    const int threads = vgae_ctx_threads(ctx);
    double part[VGAE_CHUNKS];
    int64_t bad[VGAE_CHUNKS]; /* first invalid entry of each chunk, or -1 */
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
    for (int c = 0; c < VGAE_CHUNKS; c++) {
        const int64_t k0 = vgae_chunk_start(n, c), k1 = vgae_chunk_start(n, c + 1);
        double sum = 0.0;
        bad[c] = -1;
        if (!o.mask) { /* the common case, vectorized; it flags bad targets */
            int invalid = 0;
            part[c] = vgae_kernel_bernoulli(logits + k0, targets + k0, k1 - k0, o.pos_weight,
                                            grad_scale, grad ? grad + k0 : NULL, &invalid);
            if (!invalid)
                continue;
        }
        for (int64_t k = k0; k < k1; k++) {
            double t = targets[k], w = o.mask ? o.mask[k] : 1.0, dx;
            if (w == 0) { /* left out: its logit and target are not looked at */
                if (grad)
                    grad[k] = 0;
                continue;
            }
            if (!(t >= 0 && t <= 1) || !(w >= 0)) {
                bad[c] = k;
                break;
            }
            sum += w * vgae_bernoulli_term(logits[k], t, o.pos_weight, &dx);
            if (grad)
                grad[k] = (vgae_real)(grad_scale * w * dx);
        }
        part[c] = sum;
    }
    for (int c = 0; c < VGAE_CHUNKS; c++)
        if (bad[c] >= 0) {
            double t = targets[bad[c]];
            return (t >= 0 && t <= 1) ? bad_weight(ctx, bad[c], o.mask[bad[c]])
                                      : bad_target(ctx, bad[c], t);
        }
    *nll = vgae_sum_chunks(part);
    return VGAE_OK;
}
