/* The "point" latent layer: z is the encoder's output itself, no noise, no KL (a plain autoencoder). */
#include "vae/latent_impl.h"

static vgae_status sample(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                          vgae_rng *noise, vgae_mat *eps, vgae_mat *z)
{
    (void)layer;
    (void)noise;
    if (eps)
        vgae_mat_zero(eps);
    return vgae_mat_copy(ctx, z, heads[0]);
}

static vgae_status kl(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                      double *per_row, double *total)
{
    (void)ctx;
    (void)layer;
    for (int64_t r = 0; per_row && r < heads[0]->rows; r++)
        per_row[r] = 0.0;
    *total = 0.0;
    return VGAE_OK;
}

/* d mean = dz: nothing to do when the decoder wrote dz into d_heads[0] */
static vgae_status backward(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                            const vgae_mat *eps, const vgae_mat *dz, double kl_weight,
                            vgae_mat *const *d_heads)
{
    (void)layer;
    (void)heads;
    (void)eps;
    (void)kl_weight;
    if (!dz) {
        vgae_mat_zero(d_heads[0]);
        return VGAE_OK;
    }
    return dz == d_heads[0] ? VGAE_OK : vgae_mat_copy(ctx, d_heads[0], dz);
}

const vgae_latent_ops vgae_latent_point = {
    .name = "point",
    .heads = 1,
    .head_names = {"mean"},
    .stochastic = 0,
    .sample = sample,
    .kl = kl,
    .backward = backward,
    .log_ratio = NULL,
};
