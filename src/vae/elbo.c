/* The ELBO: draw z through the latent layer, run the decoder's likelihood, add the scaled KL, backpropagate to the encoder's heads. */
#include <math.h>

#include <stdlib.h>

#include "vae/latent_impl.h"
#include "vgae/vae/elbo.h"

vgae_elbo_config vgae_elbo_defaults(void)
{
    vgae_elbo_config c = {.recon_scale = 1.0, .kl_scale = 1.0, .beta = 1.0, .sample = 1};
    return c;
}

void vgae_elbo_work_destroy(vgae_elbo_work *work)
{
    if (!work)
        return;
    vgae_mat_destroy(&work->eps);
    vgae_mat_destroy(&work->z);
    free(work->dims);
    work->dims = NULL;
    work->dims_cap = 0;
}

static int finite_nonnegative(double x)
{
    return isfinite(x) && x >= 0;
}

vgae_status vgae_elbo_compute(vgae_ctx *ctx, const vgae_elbo_config *config,
                              const vgae_latent *latent, const vgae_mat *const *heads,
                              vgae_rng *noise, vgae_decoder_fn decode, void *decoder,
                              vgae_elbo_work *work, vgae_mat *const *d_heads,
                              vgae_elbo_terms *terms)
{
    const vgae_elbo_config c = *config;
    if (terms)
        *terms = (vgae_elbo_terms){0};
    if (!terms && !d_heads)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: asked for neither the loss nor its gradient");
    if (!finite_nonnegative(c.recon_scale) || !finite_nonnegative(c.kl_scale) ||
        !finite_nonnegative(c.beta) || !finite_nonnegative(c.capacity) || !finite_nonnegative(c.capacity_gamma) ||
        !finite_nonnegative(c.free_bits))
        return vgae_fail(ctx, VGAE_EINVAL,
                         "elbo: scales must be finite and >= 0 (recon %g, kl %g, beta %g, capacity %g, gamma %g, "
                         "free bits %g)",
                         c.recon_scale, c.kl_scale, c.beta, c.capacity, c.capacity_gamma, c.free_bits);
    if (c.free_bits > 0 && c.capacity_gamma > 0)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: free bits and the capacity objective do not go together");
    const int stochastic = vgae_latent_is_stochastic(latent), sampling = stochastic && c.sample;
    if (sampling && !noise)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: sampling z needs a noise stream");
    const vgae_mat *mean = heads ? heads[0] : NULL;
    if (!mean)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: no encoder output");

    /* every shape before the decoder runs: it adds to its own gradients */
    for (int h = 0; d_heads && h < vgae_latent_heads(latent); h++) {
        vgae_status st = d_heads[h] ? vgae_mat_check_same(ctx, "elbo: a head and its gradient",
                                                          heads[h], d_heads[h])
                                    : vgae_fail(ctx, VGAE_EINVAL, "elbo: the gradient needs every "
                                                "head's gradient (%s)",
                                                vgae_latent_head_name(latent, h));
        if (st)
            return st;
    }
    vgae_mat *eps = work->eps_in ? work->eps_in : &work->eps;
    vgae_status st = vgae_mat_ensure(ctx, &work->z, mean->rows, mean->cols);
    if (!st)
        st = work->eps_in ? vgae_mat_check_same(ctx, "elbo: the noise's buffer and the mean", eps, mean)
                          : vgae_mat_ensure(ctx, eps, mean->rows, mean->cols);
    if (!st)
        st = vgae_latent_sample(ctx, latent, heads, sampling ? noise : NULL, eps, &work->z);
    if (st)
        return st;

    /* the decoder writes dL/dz straight into d_heads[0]: the layer's
     * backward turns it into dL/dhead[0] in place, element by element */
    double nll = 0.0, kl = 0.0;
    const int capacity = c.capacity_gamma > 0 && stochastic; /* no KL, no capacity (GAE) */
    const int free_bits = c.free_bits > 0 && stochastic;
    const int64_t dim = mean->cols;
    if (free_bits && !latent->kind->kl_dims)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: free bits need a latent layer whose KL splits by dimension "
                         "(gaussian), not %s", vgae_latent_kind(latent));
    if (free_bits && vgae_grow(ctx, (void **)&work->dims, &work->dims_cap, 2 * (size_t)dim, sizeof *work->dims))
        return VGAE_ENOMEM;
    st = decode(ctx, decoder, &work->z, c.recon_scale, d_heads ? d_heads[0] : NULL,
                terms ? &nll : NULL);
    /* the capacity objective needs the KL for its gradient's sign */
    if (!st && stochastic && (terms || capacity))
        st = vgae_latent_kl(ctx, latent, heads, NULL, &kl);
    if (st)
        return st;
    double kl_weight = c.beta * c.kl_scale, kl_term = kl_weight * kl;
    if (capacity) {
        /* d/dKL of gamma * |KL - C|: gamma times the sign (0 exactly at C) */
        const double gap = kl - c.capacity * (double)mean->rows;
        kl_weight = c.capacity_gamma * c.kl_scale * (gap > 0 ? 1.0 : gap < 0 ? -1.0 : 0.0);
        kl_term = c.capacity_gamma * c.kl_scale * fabs(gap);
    }
    if (free_bits) { /* each dimension's KL over the rows, floored; only those above their floor pull */
        double *per = work->dims, *weight = work->dims + dim, floored = 0.0;
        const double floor_kl = c.free_bits * (double)mean->rows;
        if ((st = vgae_latent_kl_dims(ctx, latent, heads, per)))
            return st;
        for (int64_t j = 0; j < dim; j++) {
            floored += per[j] > floor_kl ? per[j] : floor_kl;
            weight[j] = per[j] > floor_kl ? kl_weight : 0.0;
        }
        kl_term = kl_weight * floored;
    }
    double penalty = 0.0;
    if (terms && (st = vgae_latent_penalty(ctx, latent, heads, &penalty)))
        return st;
    if (terms) {
        terms->nll = nll;
        terms->kl = kl;
        terms->penalty = penalty;
        terms->loss = c.recon_scale * nll + kl_term + penalty;
    }
    if (!d_heads)
        return VGAE_OK;
    if (free_bits)
        return vgae_latent_backward_dims(ctx, latent, heads, sampling ? eps : NULL, d_heads[0], work->dims + dim,
                                         d_heads);
    return vgae_latent_backward(ctx, latent, heads, sampling ? eps : NULL, d_heads[0],
                                kl_weight, d_heads);
}
