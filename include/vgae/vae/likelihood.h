/* Reconstruction likelihoods: Bernoulli with logits (weighted, masked) and Gaussian with fixed variance. */
#ifndef VGAE_VAE_LIKELIHOOD_H
#define VGAE_VAE_LIKELIHOOD_H

#include <math.h>
#include <stddef.h>

#include "vgae/core/export.h"
#include "vgae/nn/dense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The logistic function 1 / (1 + exp(-x)): the probability of a Bernoulli
 * with logit x (an edge's probability, a pixel's intensity). exp(-x)
 * overflows to +inf for x below -709, which gives exactly 0. */
static inline double vgae_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)): exact for any finite x,
 * no overflow at x = +-1000. */
static inline double vgae_log_sigmoid(double x)
{
    return (x < 0 ? x : 0.0) - log1p(exp(-fabs(x)));
}

/* One Bernoulli term with logit x, target t in [0, 1] and positive-class
 * weight pw:  -(pw t log sigmoid(x) + (1 - t) log sigmoid(-x)).
 * Writes its derivative in x, (1 - t) sigmoid(x) - pw t sigmoid(-x), to *dx.
 * Shared by vgae_bernoulli_nll and the graph decoder's fused kernels. */
static inline double vgae_bernoulli_term(double x, double t, double pw, double *dx)
{
    double e = exp(-fabs(x));     /* in (0, 1]: never overflows */
    double soft = log1p(e);
    double sig = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e); /* sigmoid(x) */
    double sig_neg = x >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e); /* sigmoid(-x) */
    *dx = (1.0 - t) * sig - pw * t * sig_neg;
    /* log sigmoid(x) = min(x,0) - soft, log sigmoid(-x) = min(-x,0) - soft;
     * a part with coefficient 0 is left out, so that x = +-inf is exact */
    double loss = 0.0;
    if (t != 0)
        loss -= pw * t * ((x < 0 ? x : 0.0) - soft);
    if (t != 1)
        loss -= (1.0 - t) * ((x > 0 ? -x : 0.0) - soft);
    return loss;
}

/* Which terms count and how much. A zero-filled struct is not valid
 * (pos_weight 0): start from vgae_bernoulli_plain(). */
typedef struct vgae_bernoulli_options {
    /* Weight of the target-1 part of each term, as in
     * weighted_cross_entropy_with_logits; 1 for the plain likelihood. The
     * reference VGAE uses (N^2 - E) / E to balance the rare edges. */
    double pos_weight;
    /* NULL, or one weight >= 0 per entry multiplying its term (0 leaves it out). */
    const vgae_real *mask;
    /* NULL, or the entries that count (indices into logits and targets; an
     * index listed twice counts twice); the gradient of the others is 0. */
    const int64_t *entries;
    int64_t n_entries;
} vgae_bernoulli_options;

static inline vgae_bernoulli_options vgae_bernoulli_plain(void)
{
    vgae_bernoulli_options o = {1.0, NULL, NULL, 0};
    return o;
}

/* Negative log-likelihood of targets (each in [0, 1]: 0/1 data or
 * grayscale) under independent Bernoullis with the given logits, summed in
 * double over the entries that count:
 *   nll = sum_k mask_k * -(pw t_k log sigmoid(x_k) + (1 - t_k) log sigmoid(-x_k)).
 * If grad is not NULL it receives grad_scale * d nll / d logits (n values,
 * overwritten). options NULL means plain. A target outside [0, 1], a
 * negative mask weight or a pos_weight not finite and > 0 gives
 * VGAE_EINVAL; entries of mask weight 0 are not looked at (gradient 0). The sum does
 * not depend on the thread count. */
VGAE_EXPORT vgae_status vgae_bernoulli_nll(vgae_ctx *ctx, const vgae_real *logits, const vgae_real *targets,
                               int64_t n, const vgae_bernoulli_options *options,
                               double grad_scale, vgae_real *grad, double *nll);

/* Negative log-likelihood of real targets under N(mean_k, variance):
 *   nll = sum_k mask_k * ((t_k - mean_k)^2 / (2 variance) + log(2 pi variance) / 2),
 * and, if grad is not NULL, grad_scale * d nll / d mean = grad_scale * mask_k (mean_k - t_k) / variance.
 * mask NULL counts every entry once (weight 0 entries are not looked at);
 * variance must be finite and > 0. */
VGAE_EXPORT vgae_status vgae_normal_nll(vgae_ctx *ctx, const vgae_real *means, const vgae_real *targets,
                            int64_t n, double variance, const vgae_real *mask, double grad_scale,
                            vgae_real *grad, double *nll);

#ifdef __cplusplus
}
#endif
#endif
