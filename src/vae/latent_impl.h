/* The latent layer's inside: a kind is a table of functions, a layer is a kind with its size and state. */
#ifndef VGAE_VAE_LATENT_IMPL_H
#define VGAE_VAE_LATENT_IMPL_H

#include "nn/internal.h"
#include "vgae/vae/latent.h"

/* What a kind of latent layer implements (see vgae/vae/latent.h for the
 * meaning of each call; the dispatching functions in latent.c check the
 * arguments' shapes before calling these). A new kind is a file defining
 * one of these and a line in the table of kinds in latent.c. */
typedef struct vgae_latent_ops {
    const char *name;
    int heads;
    const char *head_names[VGAE_LATENT_MAX_HEADS];
    int stochastic;
    vgae_status (*sample)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                          vgae_rng *noise, vgae_mat *eps, vgae_mat *z);
    vgae_status (*kl)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                      double *per_row, double *total);
    vgae_status (*backward)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                            const vgae_mat *eps, const vgae_mat *dz, double kl_weight,
                            vgae_mat *const *d_heads);
    /* NULL: the KL does not split by dimension (no free bits): the KL
     * summed over rows per dimension, and backward with a weight per
     * dimension's KL */
    vgae_status (*kl_dims)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                           double *per_dim);
    vgae_status (*backward_dims)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                 const vgae_mat *eps, const vgae_mat *dz, const double *kl_weights,
                                 vgae_mat *const *d_heads);
    /* NULL: no training penalty beyond the KL */
    vgae_status (*penalty)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                           double *total);
    /* NULL: the kind has no density (vgae_latent_log_ratio refuses) */
    vgae_status (*log_ratio)(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                             const vgae_mat *eps, const vgae_mat *z, double *per_row);
} vgae_latent_ops;

struct vgae_latent {
    const vgae_latent_ops *kind;
    int64_t dim;
    vgae_latent_options options;
    vgae_mat codebook, codebook_grad; /* vq: K x D */
    int64_t *usage;                   /* vq: K counts of training's picks */
    vgae_mat work;                    /* vq: work space, D x K: the transposed codebook */
    int32_t *index;                   /* vq: work space, rows x codes picks */
    vgae_real *norms;                 /* vq: work space, K squared norms of the codebook */
    int64_t index_cap;
    double *ema_n, *ema_m;            /* vq with ema: K moving counts, K x D moving sums */
    double *step_n, *step_m;          /* vq with ema: the picks' counts and sums since the last update */
    const vgae_real *picked_for;      /* vq: the z_e whose picks index holds (set by sample) */
    int64_t picked_rows;
};

/* vgae_latent_backward with a weight per dimension's KL (kinds with kl_dims). */
vgae_status vgae_latent_backward_dims(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                      const vgae_mat *eps, const vgae_mat *dz, const double *kl_weights,
                                      vgae_mat *const *d_heads);

extern const vgae_latent_ops vgae_latent_gaussian;
extern const vgae_latent_ops vgae_latent_point;
extern const vgae_latent_ops vgae_latent_vq;

#endif
