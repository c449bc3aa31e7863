/* A small MLP VAE over the core (encoder -> Gaussian layer -> decoder -> ELBO), shared by the core tests. */
#ifndef VGAE_TINY_VAE_H
#define VGAE_TINY_VAE_H

#include "vgae/vgae.h"

/* x (rows x in, in [0,1]) -> relu(x W0 + b0) -> mean, logvar -> z -> logits = z Wd + bd
 * -> Bernoulli(x). gae = 1 takes the "point" latent layer (z = mean, no KL). */
typedef struct tiny_vae {
    vgae_linear enc, mu, lv, dec;
    vgae_params params;
    vgae_mat x, h, mean, logvar, logits, dlogits, dh, dh2, dmean, dlogvar;
    vgae_elbo_work work;
    vgae_latent *latent; /* "gaussian", or "point" for gae */
    vgae_elbo_config config;
    vgae_bernoulli_options bern;
    int gae;
} tiny_vae;

static vgae_status tiny_decode(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                               vgae_mat *dz, double *nll)
{
    tiny_vae *m = self;
    vgae_status st = vgae_linear_forward(ctx, &m->dec, z, &m->logits);
    if (!st)
        st = vgae_bernoulli_nll(ctx, m->logits.data, m->x.data, vgae_mat_size(&m->x), &m->bern,
                                grad_scale, dz ? m->dlogits.data : NULL, nll);
    if (!st && dz)
        st = vgae_linear_backward(ctx, &m->dec, z, &m->dlogits, dz);
    return st;
}

static inline void tiny_vae_destroy(tiny_vae *m)
{
    vgae_linear_destroy(&m->enc);
    vgae_linear_destroy(&m->mu);
    vgae_linear_destroy(&m->lv);
    vgae_linear_destroy(&m->dec);
    vgae_params_destroy(&m->params);
    vgae_mat *mats[] = {&m->x, &m->h, &m->mean, &m->logvar, &m->logits, &m->dlogits,
                        &m->dh, &m->dh2, &m->dmean, &m->dlogvar};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    vgae_elbo_work_destroy(&m->work);
    vgae_latent_free(m->latent);
}

/* Weights from the context's init stream; data drawn from its data stream
 * (a third of the pixels exactly 0 or 1, the rest grayscale). */
static inline vgae_status tiny_vae_init(vgae_ctx *ctx, tiny_vae *m, int64_t rows, int64_t in,
                                        int64_t hidden, int64_t latent, int gae)
{
    *m = (tiny_vae){0};
    m->gae = gae;
    m->config = vgae_elbo_defaults();
    m->bern = vgae_bernoulli_plain();
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    vgae_status st = vgae_latent_new(ctx, gae ? "point" : "gaussian", latent, &m->latent);
    if (!st) st = vgae_linear_init(ctx, &m->enc, in, hidden, 1, init);
    if (!st) st = vgae_linear_init(ctx, &m->mu, hidden, latent, 1, init);
    if (!st) st = vgae_linear_init(ctx, &m->lv, hidden, latent, 1, init);
    if (!st) st = vgae_linear_init(ctx, &m->dec, latent, in, 1, init);
    if (!st) st = vgae_linear_params(ctx, &m->enc, "enc", &m->params);
    if (!st) st = vgae_linear_params(ctx, &m->mu, "mu", &m->params);
    if (!st && !gae) st = vgae_linear_params(ctx, &m->lv, "logvar", &m->params);
    if (!st) st = vgae_linear_params(ctx, &m->dec, "dec", &m->params);
    if (!st) st = vgae_mat_init(ctx, &m->x, rows, in);
    if (!st) st = vgae_mat_init(ctx, &m->h, rows, hidden);
    if (!st) st = vgae_mat_init(ctx, &m->dh, rows, hidden);
    if (!st) st = vgae_mat_init(ctx, &m->dh2, rows, hidden);
    if (!st) st = vgae_mat_init(ctx, &m->mean, rows, latent);
    if (!st) st = vgae_mat_init(ctx, &m->logvar, rows, latent);
    if (!st) st = vgae_mat_init(ctx, &m->dmean, rows, latent);
    if (!st) st = vgae_mat_init(ctx, &m->dlogvar, rows, latent);
    if (!st) st = vgae_mat_init(ctx, &m->logits, rows, in);
    if (!st) st = vgae_mat_init(ctx, &m->dlogits, rows, in);
    if (st) {
        tiny_vae_destroy(m);
        return st;
    }
    vgae_rng *data = vgae_ctx_rng(ctx, VGAE_STREAM_DATA);
    for (int64_t k = 0; k < vgae_mat_size(&m->x); k++) {
        double u = vgae_rng_uniform(data);
        m->x.data[k] = (vgae_real)(u < 1.0 / 6 ? 0.0 : u < 1.0 / 3 ? 1.0 : vgae_rng_uniform(data));
    }
    return VGAE_OK;
}

/* The loss for the current parameters; with backward, the parameter
 * gradients (zeroed first) too. noise is used as given (pass a copy to
 * replay the same eps). */
static inline vgae_status tiny_vae_loss(vgae_ctx *ctx, tiny_vae *m, vgae_rng *noise, int backward,
                                        vgae_elbo_terms *terms)
{
    if (backward)
        vgae_params_zero_grad(&m->params);
    vgae_status st = vgae_linear_forward(ctx, &m->enc, &m->x, &m->h);
    if (!st) st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &m->h, &m->h);
    if (!st) st = vgae_linear_forward(ctx, &m->mu, &m->h, &m->mean);
    if (!st && !m->gae) st = vgae_linear_forward(ctx, &m->lv, &m->h, &m->logvar);
    const vgae_mat *heads[] = {&m->mean, &m->logvar};
    vgae_mat *d_heads[] = {&m->dmean, &m->dlogvar};
    if (!st)
        st = vgae_elbo_compute(ctx, &m->config, m->latent, heads, noise, tiny_decode, m, &m->work,
                               backward ? d_heads : NULL, terms);
    if (st || !backward)
        return st;
    st = vgae_linear_backward(ctx, &m->mu, &m->h, &m->dmean, &m->dh);
    if (!st && !m->gae) {
        st = vgae_linear_backward(ctx, &m->lv, &m->h, &m->dlogvar, &m->dh2);
        for (int64_t k = 0; !st && k < vgae_mat_size(&m->dh); k++)
            m->dh.data[k] += m->dh2.data[k];
    }
    if (!st) st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &m->h, &m->dh, &m->dh);
    if (!st) st = vgae_linear_backward(ctx, &m->enc, &m->x, &m->dh, NULL);
    return st;
}

#endif
