/* What every model has: its parameters and Adam, its latent layer, its epoch count, seed and training time. */
#ifndef VGAE_MODELS_MODEL_BASE_H
#define VGAE_MODELS_MODEL_BASE_H

#include <stdint.h>

#include "core/internal.h"
#include "vgae/nn/optim.h"
#include "vgae/vae/kl_schedule.h"
#include "vgae/vae/latent.h"

typedef struct vgae_model_base {
    vgae_params params;
    vgae_adam adam;
    vgae_latent *latent;
    int64_t epoch;        /* epochs trained */
    uint64_t seed;        /* the context's seed when the model was made */
    double train_seconds; /* time spent in training epochs */
} vgae_model_base;

/* Starts a model's common parts: its latent layer of the given kind and
 * size, and the context's seed. Add the parameters, then call
 * vgae_model_base_optimizer. */
vgae_status vgae_model_base_init(vgae_ctx *ctx, vgae_model_base *base, const char *latent_kind,
                                 int64_t latent_dim);
/* The same with the latent layer's settings (a vq codebook is drawn from
 * the context's VGAE_STREAM_INIT); options NULL: the defaults. */
vgae_status vgae_model_base_init_with(vgae_ctx *ctx, vgae_model_base *base, const char *latent_kind,
                                      int64_t latent_dim, const vgae_latent_options *options);
/* Starts Adam over the parameters added so far, with learning rate lr. */
vgae_status vgae_model_base_optimizer(vgae_ctx *ctx, vgae_model_base *base, double lr);
/* One Adam step. With check, a gradient with a NaN or infinite entry fails
 * with VGAE_ERANGE first ("the gradient is not finite at epoch E") and no
 * weight changes. */
vgae_status vgae_model_base_step(vgae_ctx *ctx, vgae_model_base *base, int check);
void vgae_model_base_destroy(vgae_model_base *base);

/* The KL schedule's keys in a model file's metadata table (kl_anneal,
 * kl_warmup, kl_cycles, kl_ratio, kl_capacity, kl_capacity_epochs,
 * kl_gamma), read into or written from s, anneal through *anneal; appended
 * at k[n...]; returns the new count. A file without them has the defaults. */
struct vgae_meta_key;
int vgae_kl_meta_keys(struct vgae_meta_key *k, int n, vgae_kl_schedule *s, int *anneal);

#endif
