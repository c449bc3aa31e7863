/* The image VAE's inside, shared by its files and reached by the gradient checks: the struct and the batch loss. */
#ifndef VGAE_MODELS_IMAGE_VAE_IMPL_H
#define VGAE_MODELS_IMAGE_VAE_IMPL_H

#include "models/model_base.h"
#include "vgae/models/image_vae.h"
#include "vgae/nn/layers.h"

struct vgae_image_vae {
    vgae_model_base base;            /* parameters, Adam, the latent layer, epoch, seed, time */
    vgae_image_vae_options options;
    int32_t height, width, input;    /* input = height * width pixels */
    /* encoder layers, one output layer per head of the latent layer, decoder layers */
    vgae_linear enc[VGAE_VAE_MAX_HIDDEN], head[VGAE_LATENT_MAX_HEADS], dec[VGAE_VAE_MAX_HIDDEN + 1];
    /* work space for up to `capacity` rows */
    int64_t capacity;
    vgae_mat x, target, z, eps;
    /* conditional (classes > 0): x is [pixels, one-hot label] (input + classes
     * wide), px the pixels alone, zc = [z, one-hot label] what the decoder
     * reads and dzc its gradient; y the batch's labels */
    vgae_mat px, zc, dzc;
    int32_t *y;
    vgae_mat out[VGAE_LATENT_MAX_HEADS], dout[VGAE_LATENT_MAX_HEADS]; /* the heads and their gradients */
    vgae_mat a_enc[VGAE_VAE_MAX_HIDDEN], d_enc[VGAE_VAE_MAX_HIDDEN];
    vgae_mat a_dec[VGAE_VAE_MAX_HIDDEN + 1], d_dec[VGAE_VAE_MAX_HIDDEN + 1];
    vgae_elbo_work elbo;
    /* lanes (image_vae.c): per lane, its loss and status; dscratch
     * (rows x hidden[n-1]) for the heads' input gradients; parameters
     * 0..layer_params-1 are the linear layers' */
    int layer_params;
    double *lane_nll;
    vgae_status *lane_status;
    vgae_mat dscratch;
    double kl_time;                  /* the training time (epochs, fractional) the KL schedule reads */
    int restarted;                   /* vq: codes the last epoch's restart moved */
    int64_t *order;                  /* shuffled image order */
    int64_t order_n;
    /* an epoch stopped part way (interrupted, or resumed from a checkpoint
     * of it): the images done (0: at an epoch's start), the sum of their
     * losses, and the shuffle stream as it was before the epoch's order was
     * drawn (the order is drawn again from it) */
    int64_t at;
    double at_sum;
    vgae_rng order_rng;
    /* the training images' checksum for checkpoints, and of which images */
    uint32_t images_crc;
    const float *images_crc_of;
    int64_t images_crc_n;
    /* facts for the model file */
    int64_t train_images;
    double train_loss;
    vgae_image_figures reported;
    char folder[1024];
};

/* The model's metadata as its file records it (checkpoint: the figures of
 * no measurement yet), malloc'ed; NULL on error. */
char *vgae_image_vae_meta_text(vgae_ctx *ctx, const vgae_image_vae *v, int checkpoint);
/* The lowest format version that holds the model's options. */
int vgae_image_vae_file_version(const vgae_image_vae *v);

/* The loss (terms summed over the rows) of rows images x (rows x pixels,
 * values in [0, 1]) with their labels (a conditional model's; else NULL)
 * against targets (the same, or binarized). sample 0 uses z = mean. With
 * backward, the parameter gradients (zeroed first). */
vgae_status vgae_image_vae_loss(vgae_ctx *ctx, vgae_image_vae *m, const vgae_real *x, const uint8_t *labels,
                                const vgae_real *target, int64_t rows, int sample, int backward,
                                vgae_elbo_terms *terms);

#endif
