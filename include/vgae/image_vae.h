/* The dense image VAE (Kingma & Welling 2013) on the shared core: MLP encoder and decoder, Bernoulli pixels. */
#ifndef VGAE_IMAGE_VAE_H
#define VGAE_IMAGE_VAE_H

#include "vgae/dense.h"
#include "vgae/elbo.h"
#include "vgae/layers.h"
#include "vgae/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VGAE_VAE_MAX_HIDDEN 4

typedef enum vgae_binarize {
    VGAE_BINARIZE_NONE = 0,   /* grayscale targets in [0, 1], as pytorch/examples does */
    VGAE_BINARIZE_DYNAMIC = 1 /* a fresh Bernoulli draw of every pixel each time it is used */
} vgae_binarize;

typedef struct vgae_vae_options {
    int n_hidden;                     /* hidden layers, 1..4 (1) */
    int hidden[VGAE_VAE_MAX_HIDDEN];  /* their sizes, encoder order (400) */
    int latent;                       /* 20 */
    int batch;                        /* 128 */
    double lr;                        /* Adam, 1e-3 */
    int epochs;                       /* 10 */
    double beta;                      /* weight of the KL (1) */
    vgae_binarize binarize;           /* none */
} vgae_vae_options;

/* 784-400-20 as pytorch/examples' VAE: one hidden layer of 400, latent 20,
 * batch 128, Adam 1e-3, 10 epochs, beta 1, grayscale targets. */
vgae_vae_options vgae_vae_defaults(void);

/* x -> [linear, ReLU] per hidden layer -> mean, logvar -> Gaussian layer ->
 * z -> [linear, ReLU] per hidden layer (reversed) -> linear -> logits. The
 * loss, through the shared vgae_elbo_compute, is the ELBO summed over the
 * batch: Bernoulli negative log-likelihood summed over pixels plus beta * KL. */
typedef struct vgae_vae {
    vgae_vae_options options;
    int32_t input;                   /* pixels per image */
    vgae_linear enc[VGAE_VAE_MAX_HIDDEN], mu, lv, dec[VGAE_VAE_MAX_HIDDEN + 1];
    vgae_params params;
    vgae_adam adam;
    int64_t epoch;
    /* work space for up to `capacity` rows */
    int64_t capacity;
    vgae_mat x, target, mean, logvar, dmean, dlogvar, z, eps;
    vgae_mat a_enc[VGAE_VAE_MAX_HIDDEN], d_enc[VGAE_VAE_MAX_HIDDEN];
    vgae_mat a_dec[VGAE_VAE_MAX_HIDDEN + 1], d_dec[VGAE_VAE_MAX_HIDDEN + 1];
    vgae_elbo_work elbo;
    int64_t rows;                    /* rows of the current batch */
    int64_t *order;                  /* shuffled image order */
    int64_t order_n;
} vgae_vae;

/* A model for images of `input` pixels, weights from VGAE_STREAM_INIT. */
vgae_status vgae_vae_new(vgae_ctx *ctx, const vgae_vae_options *options, int32_t input, vgae_vae **out);
void vgae_vae_free(vgae_vae *vae);

/* The loss (terms summed over the rows) of rows images x (rows x input,
 * values in [0, 1]) against targets (the same, or binarized). sample 0
 * uses z = mean. With backward, the parameter gradients (zeroed first). */
vgae_status vgae_vae_loss(vgae_ctx *ctx, vgae_vae *vae, const vgae_real *x,
                          const vgae_real *target, int64_t rows, int sample, int backward,
                          vgae_elbo_terms *terms);

/* One pass over n images (in a fresh order from VGAE_STREAM_SHUFFLE; with
 * dynamic binarization, pixels drawn from VGAE_STREAM_DATA), one Adam step
 * per batch. *loss receives the mean negative ELBO per image. */
vgae_status vgae_vae_train_epoch(vgae_ctx *ctx, vgae_vae *vae, const vgae_real *pixels, int64_t n,
                                 double *loss);

/* Per image: the negative ELBO with one draw of z (recon and KL parts;
 * per_image NULL or n values of recon + KL). Noise from VGAE_STREAM_NOISE. */
typedef struct vgae_vae_figures {
    double neg_elbo, recon, kl; /* means per image, nats */
    int64_t images;
} vgae_vae_figures;
vgae_status vgae_vae_evaluate(vgae_ctx *ctx, vgae_vae *vae, const vgae_real *targets, int64_t n,
                              double *per_image, vgae_vae_figures *out);

/* The importance-weighted estimate of -log p(x) (Burda et al. 2016) with k
 * draws per image, mean over n images: -log (1/k sum_i p(x|z_i) p(z_i) / q(z_i|x)).
 * It is a bound that tightens as k grows (k = 1: the negative ELBO).
 * progress (may be NULL) is called after each image with the count done. */
typedef void (*vgae_count_fn)(void *user, int64_t done, int64_t total);
vgae_status vgae_vae_iwae(vgae_ctx *ctx, vgae_vae *vae, const vgae_real *targets, int64_t n, int k,
                          vgae_count_fn progress, void *user, double *nll);

/* The means of q(z|x) for n images into out (n x latent). */
vgae_status vgae_vae_encode(vgae_ctx *ctx, vgae_vae *vae, const vgae_real *x, int64_t n,
                            vgae_mat *out);
/* Pixel probabilities sigmoid(decoder(z)) for the rows of z into out (rows x input). */
vgae_status vgae_vae_decode(vgae_ctx *ctx, vgae_vae *vae, const vgae_mat *z, vgae_mat *out);

/* Saves the model (the common container, kind "image-vae"); extra_meta
 * ("key value" lines, may be NULL) is added to the metadata. */
vgae_status vgae_vae_save(vgae_ctx *ctx, const char *path, const vgae_vae *vae, const char *extra_meta);
/* Reads a model saved by vgae_vae_save; *meta_text (may be NULL) receives
 * the metadata lines (the caller frees). */
vgae_status vgae_vae_load(vgae_ctx *ctx, const char *path, vgae_vae **out, char **meta_text);

#ifdef __cplusplus
}
#endif
#endif
