/* The ELBO shared by every model: latent layer, reconstruction term and KL, forward and backward. */
#ifndef VGAE_VAE_ELBO_H
#define VGAE_VAE_ELBO_H

#include "vgae/core/export.h"
#include "vgae/nn/dense.h"
#include "vgae/vae/latent.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The loss minimized is
 *     loss = recon_scale * NLL + beta * kl_scale * KL
 * where NLL is the decoder's negative log-likelihood of the data given z
 * (a sum over the terms it counts) and KL is the latent layer's
 * KL(q(z|x) || p(z)) summed over rows (0 for a "point" layer). With all three scales 1 the loss is the negative ELBO.
 *
 * recon_scale and kl_scale say what the loss is averaged over (1 / batch
 * size for a per-example loss, ...); beta weighs the KL on top (beta-VAE;
 * 0 turns the KL off while keeping the noise). The reference VGAE
 * (Kipf's gae) minimizes norm * mean(weighted BCE over the N^2 pairs) +
 * KL / N^2 (its "KL / N" is a per-node mean divided once more by N), that is
 * recon_scale = norm / N^2, kl_scale = 1 / N^2, beta = 1, with
 * norm = N^2 / (2 (N^2 - S)) and the decoder's pos_weight (N^2 - S) / S,
 * S = the sum of the training adjacency (2 E_train; the diagonal that the
 * target A_train + I adds is not counted). */
typedef struct vgae_elbo_config {
    double recon_scale, kl_scale, beta;
    /* The capacity objective (Burgess et al. 2018; vgae/vae/kl_schedule.h):
     * with capacity_gamma > 0 the KL term is
     *     capacity_gamma * kl_scale * |KL - capacity * rows|
     * (capacity in nats per row) instead of beta * kl_scale * KL. 0: off. */
    double capacity, capacity_gamma;
    /* Free bits (Kingma et al. 2016), per latent dimension: with
     * free_bits > 0 (nats per dimension and row) the KL term is
     *     beta * kl_scale * sum_j max(free_bits * rows, KL_j)
     * with KL_j dimension j's KL summed over the rows: a dimension whose
     * KL is under its floor is not pushed towards the prior, so the
     * decoder cannot gain by leaving it unused (posterior collapse).
     * Gaussian layers only; not with the capacity objective. 0: off. */
    double free_bits;
    /* 1: z is a draw of the latent layer, its noise from the noise stream
     * (training); 0: z is its deterministic code, the mean (evaluation). */
    int sample;
} vgae_elbo_config;

/* recon_scale 1, kl_scale 1, beta 1, sample 1: the plain negative ELBO. */
VGAE_EXPORT vgae_elbo_config vgae_elbo_defaults(void);

typedef struct vgae_elbo_terms {
    double loss; /* recon_scale * nll + beta * kl_scale * kl */
    double nll;  /* the decoder's negative log-likelihood, unscaled */
    double kl;   /* KL(q || prior), unscaled; 0 without a stochastic layer */
    /* the latent layer's training penalty (vq: codebook and commitment
     * losses), in loss with weight 1; 0 for the other layers */
    double penalty;
} vgae_elbo_terms;

/* A model's decoder and likelihood: from z (rows x d) compute the negative
 * log-likelihood of the data into *nll. If dz is not NULL, also write
 * grad_scale * d nll / dz into dz (overwrite) and add grad_scale times the
 * gradients of the decoder's own parameters to their gradients. nll is
 * NULL when only the gradient is wanted: a decoder may then skip the loss. */
typedef vgae_status (*vgae_decoder_fn)(vgae_ctx *ctx, void *decoder, const vgae_mat *z,
                                       double grad_scale, vgae_mat *dz, double *nll);

/* Buffers kept between calls (zero-initialize; free with vgae_elbo_work_destroy).
 * After a call, z holds the latent values the decoder saw and eps the noise.
 * (The decoder's dz is written into d_heads[0], which the layer's backward
 * then turns into d loss / d heads[0] in place: no third buffer.)
 * eps_in, if set, is the caller's buffer of the heads' shape that takes the
 * noise instead of eps: it may be d_heads[1] (a Gaussian layer's backward
 * reads each noise value before it writes that element of the logvar
 * gradient), which saves a buffer as large as z; after a call with the
 * gradient it holds that gradient, not the noise. */
typedef struct vgae_elbo_work {
    vgae_mat eps, z;
    vgae_mat *eps_in;
    double *dims; /* free bits: 2 x dim (each dimension's KL, then its weight) */
    size_t dims_cap;
} vgae_elbo_work;
VGAE_EXPORT void vgae_elbo_work_destroy(vgae_elbo_work *work);

/* One evaluation of the loss, and its gradient if d_heads is not NULL.
 * heads are the latent layer's inputs from the encoder (vgae_latent_heads
 * of them, each rows x dim: mean and logvar for "gaussian", mean for
 * "point"). noise is the stream the layer draws from (needed when
 * sampling from a stochastic layer). On return d_heads[h] holds
 * d loss / d heads[h] and the decoder's parameter gradients have been
 * accumulated. terms may be NULL when the gradient is all that is wanted:
 * the loss is then not computed (the graph decoders' full loss is faster
 * without it). */
VGAE_EXPORT vgae_status vgae_elbo_compute(vgae_ctx *ctx, const vgae_elbo_config *config,
                                          const vgae_latent *latent, const vgae_mat *const *heads,
                                          vgae_rng *noise, vgae_decoder_fn decode, void *decoder,
                                          vgae_elbo_work *work, vgae_mat *const *d_heads,
                                          vgae_elbo_terms *terms);

#ifdef __cplusplus
}
#endif
#endif
