/* The ELBO shared by every model: stochastic layer, reconstruction term and KL, forward and backward. */
#ifndef VGAE_ELBO_H
#define VGAE_ELBO_H

#include "vgae/dense.h"
#include "vgae/stochastic.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The loss minimized is
 *     loss = recon_scale * NLL + beta * kl_scale * KL
 * where NLL is the decoder's negative log-likelihood of the data given z
 * (a sum over the terms it counts) and KL = KL(q(z|x) || N(0, I)) summed
 * over rows. With all three scales 1 the loss is the negative ELBO.
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
    /* 1: z = mean + exp(logvar/2) * eps, eps drawn from the noise stream
     * (training); 0: z = mean (evaluation, embeddings). */
    int sample;
} vgae_elbo_config;

/* recon_scale 1, kl_scale 1, beta 1, sample 1: the plain negative ELBO. */
vgae_elbo_config vgae_elbo_defaults(void);

typedef struct vgae_elbo_terms {
    double loss; /* recon_scale * nll + beta * kl_scale * kl */
    double nll;  /* the decoder's negative log-likelihood, unscaled */
    double kl;   /* KL(q || prior), unscaled; 0 without a stochastic layer */
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
 * (The decoder's dz is written into dmean, which the backward then turns
 * into d loss / d mean in place: no third buffer.) */
typedef struct vgae_elbo_work {
    vgae_mat eps, z;
} vgae_elbo_work;
void vgae_elbo_work_destroy(vgae_elbo_work *work);

/* One evaluation of the loss, and its gradient if dmean is not NULL.
 * mean and logvar (rows x d) come from the encoder; logvar NULL means a
 * plain autoencoder (GAE): no stochastic layer, z = mean, no KL. noise is
 * the stream eps is drawn from (needed when sampling). On return dmean
 * (and dlogvar) hold d loss / d mean (and d loss / d logvar) and the
 * decoder's parameter gradients have been accumulated. terms may be NULL
 * when the gradient is all that is wanted: the loss is then not computed
 * (the graph decoders' full loss is faster without it). */
vgae_status vgae_elbo_compute(vgae_ctx *ctx, const vgae_elbo_config *config,
                              const vgae_mat *mean, const vgae_mat *logvar, vgae_rng *noise,
                              vgae_decoder_fn decode, void *decoder, vgae_elbo_work *work,
                              vgae_mat *dmean, vgae_mat *dlogvar, vgae_elbo_terms *terms);

#ifdef __cplusplus
}
#endif
#endif
