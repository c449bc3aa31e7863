/* A latent layer's training state beyond its parameters, reached by checkpoints. */
#ifndef VGAE_VAE_LATENT_STATE_H
#define VGAE_VAE_LATENT_STATE_H

#include <stdint.h>

#include "vgae/vae/latent.h"

/* What training changes in a layer besides its parameters: a vq layer's K
 * usage counts and, with moving averages, their K counts and K x D sums
 * (NULL without); *codes = K, *dim = D. Nothing for other kinds (all NULL,
 * sizes 0). Writable: a checkpoint reads and restores them. */
typedef struct vgae_latent_state {
    int64_t *usage;
    double *ema_n, *ema_m;
    int64_t codes, dim;
} vgae_latent_state;
vgae_latent_state vgae_latent_training_state(vgae_latent *layer);

#endif
