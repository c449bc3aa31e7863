/* The ELBO: sample z, run the decoder's likelihood, add the scaled KL, and backpropagate to the encoder. */
#include <math.h>

#include "nn/nn_internal.h"
#include "vgae/elbo.h"

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
}

static int finite_nonnegative(double x)
{
    return isfinite(x) && x >= 0;
}

vgae_status vgae_elbo_compute(vgae_ctx *ctx, const vgae_elbo_config *config,
                              const vgae_mat *mean, const vgae_mat *logvar, vgae_rng *noise,
                              vgae_decoder_fn decode, void *decoder, vgae_elbo_work *work,
                              vgae_mat *dmean, vgae_mat *dlogvar, vgae_elbo_terms *terms)
{
    const vgae_elbo_config c = *config;
    if (terms)
        *terms = (vgae_elbo_terms){0};
    if (!terms && !dmean)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: asked for neither the loss nor its gradient");
    if (!finite_nonnegative(c.recon_scale) || !finite_nonnegative(c.kl_scale) ||
        !finite_nonnegative(c.beta))
        return vgae_fail(ctx, VGAE_EINVAL,
                         "elbo: scales must be finite and >= 0 (recon %g, kl %g, beta %g)",
                         c.recon_scale, c.kl_scale, c.beta);
    const int stochastic = logvar != NULL, sampling = stochastic && c.sample;
    if (sampling && !noise)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: sampling z needs a noise stream");
    if (dmean && stochastic && !dlogvar)
        return vgae_fail(ctx, VGAE_EINVAL, "elbo: the gradient needs dlogvar as well as dmean");

    /* every shape before the decoder runs: it adds to its own gradients */
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "elbo: mean, logvar, dmean, dlogvar", mean, logvar,
                                       dmean, dmean ? dlogvar : NULL);
    if (!st)
        st = vgae_mat_ensure(ctx, &work->z, mean->rows, mean->cols);
    if (!st)
        st = vgae_mat_ensure(ctx, &work->eps, mean->rows, mean->cols);
    if (!st && stochastic)
        st = vgae_gaussian_sample(ctx, mean, logvar, sampling ? noise : NULL, &work->eps, &work->z);
    else if (!st)
        st = vgae_mat_copy(ctx, &work->z, mean);
    if (st)
        return st;

    /* the decoder writes dL/dz straight into dmean: the Gaussian layer's
     * backward turns it into dL/dmean in place, element by element */
    double nll = 0.0, kl = 0.0;
    st = decode(ctx, decoder, &work->z, c.recon_scale, dmean, terms ? &nll : NULL);
    if (!st && stochastic && terms)
        st = vgae_gaussian_kl(ctx, mean, logvar, NULL, &kl);
    if (st)
        return st;
    const double kl_weight = c.beta * c.kl_scale;
    if (terms) {
        terms->nll = nll;
        terms->kl = kl;
        terms->loss = c.recon_scale * nll + kl_weight * kl;
    }
    if (!dmean || !stochastic)
        return VGAE_OK;
    return vgae_gaussian_backward(ctx, mean, logvar, sampling ? &work->eps : NULL, dmean,
                                  kl_weight, dmean, dlogvar);
}
