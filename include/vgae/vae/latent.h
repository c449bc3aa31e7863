/* The stochastic layer between an encoder and a decoder, behind one interface: Gaussian or point (none). */
#ifndef VGAE_VAE_LATENT_H
#define VGAE_VAE_LATENT_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/core/rng.h"
#include "vgae/nn/dense.h"
#include "vgae/nn/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A latent layer turns the encoder's outputs for each row (a node, an
 * image) into the code z that the decoder reads, and says what that costs
 * in the ELBO (the KL of q(z|x) to the prior). The encoder gives it
 * vgae_latent_heads() matrices of rows x dim, its "heads", in the order of
 * vgae_latent_head_name(). The kinds:
 *
 *   "gaussian"  heads mean and logvar: q(z|x) = N(mean, diag(exp(logvar))),
 *               z = mean + exp(logvar / 2) * eps (the reparameterization
 *               trick), KL to N(0, I) in closed form (vgae/vae/gaussian.h).
 *               The VAE and the VGAE.
 *   "point"     head mean: z = mean, no noise, no KL. The plain (graph)
 *               autoencoder, GAE.
 *   "vq"        head z_e (the encoder's M code vectors of D = dim / M
 *               dimensions, side by side): each is replaced by its nearest
 *               vector of a learned codebook of K (van den Oord et al. 2017),
 *               z = z_q. The KL to a uniform prior over the codes is the
 *               constant M log K; training adds the penalty
 *               ||sg(z_e) - z_q||^2 + commitment ||z_e - sg(z_q)||^2 and passes
 *               the decoder's gradient straight through z_q to z_e. The
 *               codebook is the layer's own parameter (vgae_latent_params).
 *
 * A model holds its layer and calls it through these functions only, so a
 * new kind (a vector-quantized layer, say) is a new file in src/vae/ and one
 * line in the table of kinds, not a change in the models. The ELBO
 * (vgae/vae/elbo.h) drives the layer for training. */
typedef struct vgae_latent vgae_latent;

/* The most heads a layer takes. */
#define VGAE_LATENT_MAX_HEADS 2

/* A layer of the named kind over dim latent dimensions. VGAE_EINVAL for an
 * unknown kind (the message lists the kinds) or dim outside 1..65536. */
VGAE_EXPORT vgae_status vgae_latent_new(vgae_ctx *ctx, const char *kind, int64_t dim,
                                        vgae_latent **out);

/* The settings of the kinds that have any ("vq"). */
typedef struct vgae_latent_options {
    int codes;         /* vq: M code vectors a row; dim must be a multiple (1) */
    int codebook;      /* vq: K vectors in the codebook (512) */
    double commitment; /* vq: the commitment loss's weight (0.25, as van den Oord et al.) */
    /* vq: 0, the codebook learns from its loss's gradient; in (0, 1), it
     * follows exponential moving averages of the encoder outputs each code
     * picks instead, with this decay (van den Oord et al.'s appendix: 0.99),
     * updated by vgae_latent_vq_update after each step (0) */
    double ema;
} vgae_latent_options;
VGAE_EXPORT vgae_latent_options vgae_latent_defaults(void);
/* vgae_latent_new with settings; a vq codebook is drawn uniform in
 * [-1/K, 1/K] from init. VGAE_EINVAL for settings out of range. */
VGAE_EXPORT vgae_status vgae_latent_new_with(vgae_ctx *ctx, const char *kind, int64_t dim,
                                             const vgae_latent_options *options, vgae_rng *init,
                                             vgae_latent **out);
VGAE_EXPORT vgae_latent_options vgae_latent_settings(const vgae_latent *layer);
/* Adds the layer's own trainable tensors to list ("codebook" for vq;
 * nothing for the others). */
VGAE_EXPORT vgae_status vgae_latent_params(vgae_ctx *ctx, vgae_latent *layer, vgae_params *list);
/* The training penalty the layer adds to the loss, summed over rows (vq:
 * (1 + commitment) ||z_e - z_q||^2; 0 for the others); its gradient is part
 * of vgae_latent_backward. */
VGAE_EXPORT vgae_status vgae_latent_penalty(vgae_ctx *ctx, const vgae_latent *layer,
                                            const vgae_mat *const *heads, double *total);
/* vq: the codebook row each of the rows x M code vectors of z_e is nearest
 * to (index[r * M + m]); VGAE_EINVAL for another kind. */
VGAE_EXPORT vgae_status vgae_latent_vq_assign(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *z_e,
                                              int32_t *index);
/* vq: the codebook (K x D), else NULL. */
VGAE_EXPORT vgae_mat *vgae_latent_codebook(const vgae_latent *layer);
/* vq: how many times each code was picked in training since the last call
 * of vgae_latent_vq_restart (K counts), else NULL. */
VGAE_EXPORT const int64_t *vgae_latent_vq_usage(const vgae_latent *layer);
/* vq with ema: moves each code to the moving average of the encoder
 * outputs that picked it, counts and sums kept since the last update (the
 * backward passes' picks; Laplace-smoothed counts, epsilon 1e-5); nothing
 * otherwise. Call after each optimizer step. */
VGAE_EXPORT vgae_status vgae_latent_vq_update(vgae_ctx *ctx, vgae_latent *layer);
/* vq: every code that training has not picked since the last call is
 * moved onto a code vector of z_e (rows x dim, the encoder's output for
 * some recent images) chosen from rng, as dead-code restarts do; the usage
 * counts start again. *restarted receives how many moved. */
VGAE_EXPORT vgae_status vgae_latent_vq_restart(vgae_ctx *ctx, vgae_latent *layer, const vgae_mat *z_e,
                                               vgae_rng *rng, int *restarted);
/* Frees a layer; accepts NULL. */
VGAE_EXPORT void vgae_latent_free(vgae_latent *layer);

/* The kind's name ("gaussian", "point"). */
VGAE_EXPORT const char *vgae_latent_kind(const vgae_latent *layer);
VGAE_EXPORT int64_t vgae_latent_dim(const vgae_latent *layer);
/* How many heads the layer takes (1..VGAE_LATENT_MAX_HEADS), and the name
 * of head h ("mean", "logvar"). */
VGAE_EXPORT int vgae_latent_heads(const vgae_latent *layer);
VGAE_EXPORT const char *vgae_latent_head_name(const vgae_latent *layer, int h);
/* 1 if the layer draws noise when sampling (and so has a KL term), else 0. */
VGAE_EXPORT int vgae_latent_is_stochastic(const vgae_latent *layer);

/* z (rows x dim) from the heads. With noise, a draw: eps (rows x dim)
 * receives the noise used (the Gaussian's eps ~ N(0, I)); with noise NULL
 * the deterministic code (the mean), for evaluation and embeddings, and eps
 * is zero. eps may be NULL for a layer that draws no noise. */
VGAE_EXPORT vgae_status vgae_latent_sample(vgae_ctx *ctx, const vgae_latent *layer,
                                           const vgae_mat *const *heads, vgae_rng *noise,
                                           vgae_mat *eps, vgae_mat *z);
/* The layer's KL(q(z|x) || p(z)) summed over rows into *total, in double,
 * and per row into per_row if not NULL (rows values); 0 for "point". */
VGAE_EXPORT vgae_status vgae_latent_kl(vgae_ctx *ctx, const vgae_latent *layer,
                                       const vgae_mat *const *heads, double *per_row,
                                       double *total);
/* The KL summed over rows for each dimension (dim values into per_dim);
 * VGAE_EINVAL for a layer whose KL does not split so (vq, point). */
VGAE_EXPORT vgae_status vgae_latent_kl_dims(vgae_ctx *ctx, const vgae_latent *layer,
                                            const vgae_mat *const *heads, double *per_dim);
/* Backward through the draw z and a term kl_weight * KL added to the loss:
 * d_heads[h] = d loss / d heads[h] from dz = d loss / d z (dz NULL: the KL
 * alone). eps is the noise of the draw (NULL: the deterministic mode). The
 * d_heads are overwritten; dz may be d_heads[0] itself. */
VGAE_EXPORT vgae_status vgae_latent_backward(vgae_ctx *ctx, const vgae_latent *layer,
                                             const vgae_mat *const *heads, const vgae_mat *eps,
                                             const vgae_mat *dz, double kl_weight,
                                             vgae_mat *const *d_heads);
/* Per row, log q(z|x) - log p(z) at the draw z made with eps (for
 * importance-weighted bounds). VGAE_EINVAL for a layer without a density
 * ("point"). */
VGAE_EXPORT vgae_status vgae_latent_log_ratio(vgae_ctx *ctx, const vgae_latent *layer,
                                              const vgae_mat *const *heads, const vgae_mat *eps,
                                              const vgae_mat *z, double *per_row);

/* ---- walks through a latent space, for pictures ---- */

/* steps codes on the straight line from a to b (dim values each), ends
 * included: row s of out (steps x dim) is (1 - t) a + t b with
 * t = s / (steps - 1), computed in double. steps >= 2. */
VGAE_EXPORT vgae_status vgae_latent_interpolate(vgae_ctx *ctx, const vgae_real *a,
                                                const vgae_real *b, int64_t dim, int64_t steps,
                                                vgae_mat *out);
/* A size x size grid over a 2-D latent space laid out by equal prior
 * probability, as in Kingma & Welling's figure 4: row i * size + j of out
 * (size^2 x 2) is (q((j + 1/2) / size), q(1 - (i + 1/2) / size)) with q the
 * standard normal's quantile, so that the first dimension grows left to
 * right and the second bottom to top. size >= 2. */
VGAE_EXPORT vgae_status vgae_latent_grid(vgae_ctx *ctx, int64_t size, vgae_mat *out);

#ifdef __cplusplus
}
#endif
#endif
