/* The dense image VAE (Kingma & Welling 2013) on the shared core: MLP encoder and decoder, Bernoulli pixels. */
#ifndef VGAE_MODELS_IMAGE_VAE_H
#define VGAE_MODELS_IMAGE_VAE_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/io/images.h"
#include "vgae/io/model_file.h"
#include "vgae/models/checkpoint.h"
#include "vgae/nn/dense.h"
#include "vgae/vae/elbo.h"
#include "vgae/vae/kl_schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VGAE_VAE_MAX_HIDDEN 4

typedef enum vgae_binarize {
    VGAE_BINARIZE_NONE = 0,   /* grayscale targets in [0, 1], as pytorch/examples does */
    VGAE_BINARIZE_DYNAMIC = 1 /* a fresh Bernoulli draw of every pixel each time it is used */
} vgae_binarize;

typedef struct vgae_image_vae_options {
    int n_hidden;                     /* hidden layers, 1..4 (1) */
    int hidden[VGAE_VAE_MAX_HIDDEN];  /* their sizes, encoder order (400) */
    int latent;                       /* 20 */
    int batch;                        /* 128 */
    double lr;                        /* Adam, 1e-3 */
    int epochs;                       /* 10 */
    double beta;                      /* weight of the KL (1) */
    vgae_binarize binarize;           /* none */
    vgae_kl_schedule kl;              /* KL annealing and capacity (constant, none) */
    /* The conditional VAE (Sohn, Lee & Yan 2015): with classes C >= 2 each
     * image's label (0..C-1) enters the encoder beside the pixels and the
     * decoder beside z, one-hot; the model then learns p(x | y). 0: none. */
    int classes;
    /* The latent layer: VGAE_IMAGE_GAUSSIAN (the VAE) or VGAE_IMAGE_VQ (the
     * vector-quantized VAE, van den Oord et al. 2017: latent = codes x D,
     * settings in vq; with restart, each epoch moves the codes it did not
     * pick onto encoder outputs of its last batch). */
    int latent_kind;
    vgae_latent_options vq;
    int restart;
} vgae_image_vae_options;

enum { VGAE_IMAGE_GAUSSIAN = 0, VGAE_IMAGE_VQ = 1 };

/* 784-400-20 as pytorch/examples' VAE: one hidden layer of 400, latent 20,
 * batch 128, Adam 1e-3, 10 epochs, beta 1, grayscale targets. */
VGAE_EXPORT vgae_image_vae_options vgae_image_vae_defaults(void);

/* x -> [linear, ReLU] per hidden layer -> mean, logvar -> Gaussian latent
 * layer -> z -> [linear, ReLU] per hidden layer (reversed) -> linear ->
 * logits. The loss, through the shared vgae_elbo_compute, is the ELBO
 * summed over the batch: Bernoulli negative log-likelihood summed over
 * pixels plus beta * KL. The model knows its image shape, its seed, where
 * its training images came from and what it last measured, and saves all
 * of it in its file. Opaque. */
typedef struct vgae_image_vae vgae_image_vae;

/* The negative ELBO per image, in nats, over a set of images. */
typedef struct vgae_image_figures {
    double neg_elbo, recon, kl; /* means per image */
    int64_t images;
} vgae_image_figures;

/* A model for images like `images`: their height and width, and the folder
 * they were read from (recorded for the model file; none for images not
 * read from a folder). Weights from VGAE_STREAM_INIT; the context's seed is
 * recorded. The images are not kept. */
VGAE_EXPORT vgae_status vgae_image_vae_new(vgae_ctx *ctx, const vgae_image_vae_options *options,
                                           const vgae_images *images, vgae_image_vae **out);

/* One pass over the images of train (in a fresh order from
 * VGAE_STREAM_SHUFFLE; with dynamic binarization, pixels drawn from
 * VGAE_STREAM_DATA), one Adam step per batch. *loss receives the mean
 * negative ELBO per image. The images must have the model's shape. */
VGAE_EXPORT vgae_status vgae_image_vae_train_epoch(vgae_ctx *ctx, vgae_image_vae *model,
                                       const vgae_images *train, double *loss);

/* Writes a checkpoint (see vgae/models/checkpoint.h) of the model
 * training on train, and of the context's random streams: after an epoch,
 * or after vgae_image_vae_train_epoch returned VGAE_EINTR part way through
 * one (the next call goes on from that batch). user_meta: the caller's
 * lines ("user_KEY VALUE\n" each; NULL: none). */
VGAE_EXPORT vgae_status vgae_image_vae_checkpoint(vgae_ctx *ctx, vgae_image_vae *model,
                                                  const vgae_images *train, const char *path,
                                                  const char *user_meta);
/* Puts a model made as the run was (the same options and seed, on the same
 * training images) into the state of a checkpoint of that run; the next
 * vgae_image_vae_train_epoch goes on from there (part way through an epoch
 * if that is where it stopped), and training ends as the uninterrupted run
 * would have, bit for bit. A checkpoint of another run is VGAE_EINVAL
 * naming what differs; on any error, make the model again. */
VGAE_EXPORT vgae_status vgae_image_vae_resume(vgae_ctx *ctx, vgae_image_vae *model,
                                              const vgae_images *train,
                                              const vgae_model_file *checkpoint);

/* The negative ELBO of the first n images of test (all if n is 0 or more
 * than there are) with one draw of z each; per_image (NULL, or n values)
 * receives each image's recon + KL. The draws come from noise, or with noise
 * NULL from a stream of the evaluation's own: sub-stream E (the epochs
 * trained) of the noise stream of the context's seed, so that evaluating
 * does not move the training's draws, and the same model and seed evaluate
 * the same at any later time. The figures are kept as the model's last
 * measurement (saved in its file). */
VGAE_EXPORT vgae_status vgae_image_vae_evaluate(vgae_ctx *ctx, vgae_image_vae *model,
                                                const vgae_images *test, int64_t n,
                                                vgae_rng *noise, double *per_image,
                                                vgae_image_figures *out);

/* Makes test the targets the model is scored against: for a model trained
 * with dynamic binarization, one fixed draw of the pixels from the model's
 * seed (vgae_images_binarize); unchanged otherwise. Call once. */
VGAE_EXPORT void vgae_image_vae_prepare_test(const vgae_image_vae *model, vgae_images *test);

/* Called as a long computation goes: done of total, seconds so far. */
typedef void (*vgae_count_fn)(void *user, int64_t done, int64_t total, double seconds);

/* The importance-weighted estimate of -log p(x) (Burda et al. 2016) with k
 * draws per image, mean over the first n images of test (all if n is 0):
 * -log (1/k sum_i p(x|z_i) p(z_i) / q(z_i|x)). It is a bound that tightens
 * as k grows (k = 1: the negative ELBO). Noise from the context's
 * VGAE_STREAM_NOISE. progress (may be NULL) is called after each image. */
VGAE_EXPORT vgae_status vgae_image_vae_iwae(vgae_ctx *ctx, vgae_image_vae *model, const vgae_images *test,
                                int64_t n, int k, vgae_count_fn progress, void *user, double *nll);

/* The means of q(z|x) (of q(z|x, y) for a conditional model, labels
 * holding the n labels; NULL otherwise) for n images (n x pixels floats in
 * [0, 1], row-major, as vgae_images holds them) into out (resized to n x
 * latent). */
VGAE_EXPORT vgae_status vgae_image_vae_encode(vgae_ctx *ctx, vgae_image_vae *model,
                                              const float *pixels, const uint8_t *labels, int64_t n,
                                              vgae_mat *out);
/* What each latent dimension carries, over the first n images of test (all
 * if n is 0): kl[d], the mean over the images of KL(q(z_d|x) || N(0, 1)) in
 * nats (the KL splits over dimensions: the kl[d] add up to the KL per
 * image), and activity[d], the variance over the images of the posterior
 * mean E[z_d | x]; Burda et al. (2016) count a dimension as active when its
 * activity exceeds 0.01. Both hold `latent` values. */
VGAE_EXPORT vgae_status vgae_image_vae_latent_stats(vgae_ctx *ctx, vgae_image_vae *model,
                                                    const vgae_images *test, int64_t n, double *kl,
                                                    double *activity);
/* A vq model's code indices for n images (n x codes values into index),
 * and the codebook (K x D); VGAE_EINVAL for a Gaussian model. */
VGAE_EXPORT vgae_status vgae_image_vae_codes(vgae_ctx *ctx, vgae_image_vae *model, const float *pixels,
                                             const uint8_t *labels, int64_t n, int32_t *index);
VGAE_EXPORT const vgae_mat *vgae_image_vae_codebook(const vgae_image_vae *model);
/* Pixel probabilities sigmoid(decoder(z)) (decoder(z, y) for a conditional
 * model: labels holds one label per row; NULL otherwise) for the rows of z
 * (rows x latent) into out (resized to rows x pixels). */
VGAE_EXPORT vgae_status vgae_image_vae_decode(vgae_ctx *ctx, vgae_image_vae *model, const vgae_mat *z,
                                              const uint8_t *labels, vgae_mat *out);

/* Writes the model file (kind "image-vae"; see vgae/io/model_file.h):
 * options, image shape, seed, epochs trained, the training images' folder
 * and count, the last training loss and measured figures, seconds per
 * epoch, the library version, and the weights. Whole or not at all. */
VGAE_EXPORT vgae_status vgae_image_vae_save(vgae_ctx *ctx, const vgae_image_vae *model, const char *path);
/* The model a file holds (VGAE_EINVAL for another kind of model). A file of
 * vgae 0.1.0 saved through its library without the image shape gets square
 * images when the pixel count is a square, else one row of pixels; a
 * missing seed is 42, that version's default. */
VGAE_EXPORT vgae_status vgae_image_vae_from_file(vgae_ctx *ctx, const vgae_model_file *file,
                                     vgae_image_vae **out);
/* vgae_model_file_read then vgae_image_vae_from_file. */
VGAE_EXPORT vgae_status vgae_image_vae_load(vgae_ctx *ctx, const char *path, vgae_image_vae **out);
/* Frees a model; accepts NULL. */
VGAE_EXPORT void vgae_image_vae_free(vgae_image_vae *model);

/* ---- what the model holds ---- */
VGAE_EXPORT const vgae_image_vae_options *vgae_image_vae_settings(const vgae_image_vae *model);
VGAE_EXPORT int32_t vgae_image_vae_height(const vgae_image_vae *model);
VGAE_EXPORT int32_t vgae_image_vae_width(const vgae_image_vae *model);
/* Epochs trained (counting those before a save). */
VGAE_EXPORT int64_t vgae_image_vae_epoch(const vgae_image_vae *model);
/* The seed the model was made with. */
VGAE_EXPORT uint64_t vgae_image_vae_seed(const vgae_image_vae *model);
/* The absolute folder of its training images, or NULL if not known. */
VGAE_EXPORT const char *vgae_image_vae_folder(const vgae_image_vae *model);
/* Seconds spent in training epochs (counting those before a save). */
VGAE_EXPORT double vgae_image_vae_train_seconds(const vgae_image_vae *model);
/* The figures of its last evaluation (NaN before any). */
VGAE_EXPORT vgae_image_figures vgae_image_vae_reported(const vgae_image_vae *model);

#ifdef __cplusplus
}
#endif
#endif
