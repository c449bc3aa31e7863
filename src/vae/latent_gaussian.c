/* The "gaussian" latent layer: q(z|x) = N(mean, diag(exp(logvar))), the reparameterization trick, KL to N(0, I). */
#include "vae/latent_impl.h"
#include "vgae/vae/gaussian.h"

/* heads[0] is the mean, heads[1] the log-variance */

static vgae_status sample(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                          vgae_rng *noise, vgae_mat *eps, vgae_mat *z)
{
    (void)layer;
    return vgae_gaussian_sample(ctx, heads[0], heads[1], noise, eps, z);
}

static vgae_status kl(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                      double *per_row, double *total)
{
    (void)layer;
    return vgae_gaussian_kl(ctx, heads[0], heads[1], per_row, total);
}

static vgae_status backward(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                            const vgae_mat *eps, const vgae_mat *dz, double kl_weight,
                            vgae_mat *const *d_heads)
{
    (void)layer;
    return vgae_gaussian_backward(ctx, heads[0], heads[1], eps, dz, kl_weight, d_heads[0],
                                  d_heads[1]);
}

static vgae_status kl_dims(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                           double *per_dim)
{
    (void)layer;
    return vgae_gaussian_kl_dims(ctx, heads[0], heads[1], per_dim);
}

static vgae_status backward_dims(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                 const vgae_mat *eps, const vgae_mat *dz, const double *kl_weights,
                                 vgae_mat *const *d_heads)
{
    (void)layer;
    return vgae_gaussian_backward_dims(ctx, heads[0], heads[1], eps, dz, kl_weights, d_heads[0], d_heads[1]);
}

static vgae_status log_ratio(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                             const vgae_mat *eps, const vgae_mat *z, double *per_row)
{
    (void)layer;
    return vgae_gaussian_log_ratio(ctx, heads[1], eps, z, per_row);
}

const vgae_latent_ops vgae_latent_gaussian = {
    .name = "gaussian",
    .heads = 2,
    .head_names = {"mean", "logvar"},
    .stochastic = 1,
    .sample = sample,
    .kl = kl,
    .backward = backward,
    .kl_dims = kl_dims,
    .backward_dims = backward_dims,
    .log_ratio = log_ratio,
};
