/* The Gaussian posterior's math: reparameterized draws, KL to N(0, I), log-density ratios, backward. */
#ifndef VGAE_VAE_GAUSSIAN_H
#define VGAE_VAE_GAUSSIAN_H

#include "vgae/core/export.h"
#include "vgae/nn/dense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each row i of mean and logvar (rows x d, log-variances) describes
 * q(z_i) = N(mean_i, diag(exp(logvar_i))). The "gaussian" latent layer
 * (vgae/vae/latent.h) is these functions behind the layer interface; both
 * models, the VGAE (one row per node) and the image VAE (one row per
 * image), reach them through it. */

/* The reparameterization trick: eps ~ N(0, I) drawn from `noise` (the
 * context's VGAE_STREAM_NOISE in a model) into eps, then
 * z = mean + exp(logvar / 2) * eps. With noise NULL this is the
 * deterministic mode for evaluation and embeddings: eps = 0 and z = mean. */
VGAE_EXPORT vgae_status vgae_gaussian_sample(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                 vgae_rng *noise, vgae_mat *eps, vgae_mat *z);
/* z = mean + exp(logvar / 2) * eps for a given eps. */
VGAE_EXPORT vgae_status vgae_gaussian_reparameterize(vgae_ctx *ctx, const vgae_mat *mean,
                                         const vgae_mat *logvar, const vgae_mat *eps, vgae_mat *z);

/* KL(q || N(0, I)) = sum over rows and dimensions of
 * (mean^2 + exp(logvar) - 1 - logvar) / 2, in closed form, summed in double.
 * per_row, if not NULL, receives each row's KL (rows values). */
VGAE_EXPORT vgae_status vgae_gaussian_kl(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                             double *per_row, double *kl);
/* The same KL summed over the rows for each dimension into per_dim (d
 * values), in double, row after row. */
VGAE_EXPORT vgae_status vgae_gaussian_kl_dims(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                              double *per_dim);

/* For each row, log q(z|x) - log p(z) at z = mean + exp(logvar/2) * eps:
 *   sum_j ( -(logvar_j + eps_j^2) / 2 + z_j^2 / 2 )
 * (the log(2 pi) terms cancel), in double. Its mean over draws of eps is
 * the row's KL; importance-weighted bounds (IWAE) need it per draw. */
VGAE_EXPORT vgae_status vgae_gaussian_log_ratio(vgae_ctx *ctx, const vgae_mat *logvar, const vgae_mat *eps,
                                    const vgae_mat *z, double *per_row);

/* Backward through z = mean + exp(logvar / 2) * eps and a term
 * kl_weight * KL added to the loss:
 *   dmean   = dz + kl_weight * mean
 *   dlogvar = dz * eps * exp(logvar / 2) / 2 + kl_weight * (exp(logvar) - 1) / 2
 * dz NULL means no loss flows through z (the KL alone); eps NULL means the
 * deterministic mode (z = mean). dmean and dlogvar are overwritten; dz
 * may be dmean itself (each element is read before it is written). */
VGAE_EXPORT vgae_status vgae_gaussian_backward(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                   const vgae_mat *eps, const vgae_mat *dz, double kl_weight,
                                   vgae_mat *dmean, vgae_mat *dlogvar);
/* The same with a weight of its own for each dimension's KL (d values):
 * the term sum_j kl_weights[j] * KL_j (free bits weigh the dimensions
 * under their floor 0). */
VGAE_EXPORT vgae_status vgae_gaussian_backward_dims(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                                    const vgae_mat *eps, const vgae_mat *dz,
                                                    const double *kl_weights, vgae_mat *dmean, vgae_mat *dlogvar);

#ifdef __cplusplus
}
#endif
#endif
