/* The VGAE/GAE model: construction, one training epoch through the shared ELBO, encoding. */
#include <stdlib.h>

#include "models/model_internal.h"
#include "vgae/normalize.h"

vgae_model_options vgae_model_defaults(void)
{
    vgae_model_options o = {.kind = VGAE_MODEL_VGAE, .hidden = 32, .latent = 16, .lr = 0.01,
                            .epochs = 200, .beta = 1.0, .loss = VGAE_LOSS_FULL};
    return o;
}

void vgae_model_free(vgae_model *m)
{
    if (!m)
        return;
    vgae_csr_free(m->a_hat);
    vgae_csr_free(m->xt);
    vgae_mat *mats[] = {&m->w0, &m->wmu, &m->wsig, &m->dw0, &m->dwmu, &m->dwsig, &m->h0,
                        &m->h1, &m->pmu, &m->mean, &m->logvar, &m->dmean, &m->dlogvar, &m->dh1,
                        &m->tile};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    vgae_params_destroy(&m->params);
    vgae_adam_destroy(&m->adam);
    vgae_elbo_work_destroy(&m->elbo);
    free(m->neg_buf);
    free(m);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_model_options *o)
{
    if (o->kind != VGAE_MODEL_VGAE && o->kind != VGAE_MODEL_GAE)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown model kind %d", (int)o->kind);
    if (o->loss != VGAE_LOSS_FULL && o->loss != VGAE_LOSS_SAMPLED)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown loss kind %d", (int)o->loss);
    if (o->hidden < 1 || o->latent < 1 || o->hidden > 65536 || o->latent > 65536)
        return vgae_fail(ctx, VGAE_EINVAL, "hidden (%d) and latent (%d) sizes must be 1..65536",
                         o->hidden, o->latent);
    if (o->epochs < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "epochs must be >= 0, not %d", o->epochs);
    if (!(o->beta >= 0) || !(o->beta < 1e300))
        return vgae_fail(ctx, VGAE_EINVAL, "beta must be finite and >= 0, not %g", o->beta);
    return VGAE_OK; /* lr is checked by Adam */
}

vgae_status vgae_model_new(vgae_ctx *ctx, const vgae_model_options *options,
                           const vgae_graph *train, const vgae_csr *features, vgae_model **out)
{
    *out = NULL;
    vgae_status st = check_options(ctx, options);
    if (st)
        return st;
    if (features && features->rows != train->n)
        return vgae_fail(ctx, VGAE_EINVAL, "the feature matrix has %d rows for a graph of %d nodes",
                         features->rows, train->n);
    if (train->n_edges < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "the training graph has no edges");
    if (options->loss == VGAE_LOSS_SAMPLED &&
        (double)train->n * (train->n - 1) / 2 - (double)train->n_edges < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "the training graph is complete: the sampled loss has "
                         "no non-edges to draw (use --loss full)");
    vgae_model *m = vgae_calloc(ctx, 1, sizeof *m);
    if (!m)
        return VGAE_ENOMEM;
    m->options = *options;
    m->n = train->n;
    m->x = features;
    m->n_features = features ? features->cols : 0;
    m->train = train;
    const double nn = (double)m->n * m->n, s = 2.0 * (double)train->n_edges;
    m->pos_weight = (nn - s) / s;
    m->norm = nn / (2 * (nn - s));
    const int64_t n = m->n, h = options->hidden, l = options->latent;
    const int stochastic = options->kind == VGAE_MODEL_VGAE;
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    st = vgae_gcn_normalize(ctx, train, &m->a_hat);
    if (!st && features)
        st = vgae_csr_transpose(ctx, features, &m->xt);
    if (!st) st = vgae_mat_init(ctx, &m->w0, features ? features->cols : n, h);
    if (!st) st = vgae_mat_init(ctx, &m->dw0, m->w0.rows, h);
    if (!st) st = vgae_mat_init(ctx, &m->wmu, h, l);
    if (!st) st = vgae_mat_init(ctx, &m->dwmu, h, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->wsig, h, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->dwsig, h, l);
    if (!st && features) st = vgae_mat_init(ctx, &m->h0, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->h1, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->dh1, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->pmu, n, l);
    if (!st) st = vgae_mat_init(ctx, &m->mean, n, l);
    if (!st) st = vgae_mat_init(ctx, &m->dmean, n, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->logvar, n, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->dlogvar, n, l);
    if (!st) st = vgae_params_add(ctx, &m->params, "gcn.w0", &m->w0, &m->dw0);
    if (!st) st = vgae_params_add(ctx, &m->params, "gcn.wmu", &m->wmu, &m->dwmu);
    if (!st && stochastic) st = vgae_params_add(ctx, &m->params, "gcn.wsigma", &m->wsig, &m->dwsig);
    if (!st && options->loss == VGAE_LOSS_SAMPLED) {
        m->neg_buf = vgae_alloc(ctx, (size_t)train->n_edges * 2, sizeof(int32_t));
        st = m->neg_buf ? VGAE_OK : VGAE_ENOMEM;
    }
    if (!st) {
        vgae_adam_options ao = vgae_adam_defaults();
        ao.lr = options->lr;
        st = vgae_adam_init(ctx, &m->adam, &m->params, &ao);
    }
    if (st) {
        vgae_model_free(m);
        return st;
    }
    /* Glorot-uniform weights, drawn in this order from the init stream */
    vgae_glorot_uniform(ctx, &m->w0, init);
    vgae_glorot_uniform(ctx, &m->wmu, init);
    if (stochastic)
        vgae_glorot_uniform(ctx, &m->wsig, init);
    *out = m;
    return VGAE_OK;
}

/* The ELBO's decoder callback: the model's loss kind over z. */
static vgae_status decode(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                          vgae_mat *dz, double *nll)
{
    vgae_model *m = self;
    if (m->options.loss == VGAE_LOSS_SAMPLED)
        return vgae_decoder_sampled(ctx, m, z, m->neg_buf, m->train->n_edges,
                                    grad_scale, dz, nll);
    return vgae_decoder_full(ctx, m, z, grad_scale, dz, &m->tile, vgae_full_block(m->n), nll);
}

vgae_status vgae_model_loss(vgae_ctx *ctx, vgae_model *m, int backward, vgae_elbo_terms *terms)
{
    const int stochastic = m->options.kind == VGAE_MODEL_VGAE;
    const double nn = (double)m->n * m->n;
    vgae_elbo_config cfg = vgae_elbo_defaults();
    /* the reference's scales (see vgae/elbo.h): KL / N^2, reconstruction
     * norm / N^2 for the full loss, a mean over each half for the sampled one */
    cfg.kl_scale = 1.0 / nn;
    cfg.beta = m->options.beta;
    if (m->options.loss == VGAE_LOSS_SAMPLED) {
        cfg.recon_scale = 1.0 / (double)m->train->n_edges;
        vgae_sampled_draw_negatives(ctx, m);
    } else {
        cfg.recon_scale = m->norm / nn;
    }
    if (backward)
        vgae_params_zero_grad(&m->params);
    vgae_status st = vgae_gcn_forward(ctx, m, 1);
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, &m->mean, stochastic ? &m->logvar : NULL,
                               vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), decode, m, &m->elbo,
                               backward ? &m->dmean : NULL,
                               backward && stochastic ? &m->dlogvar : NULL, terms);
    if (!st && backward)
        st = vgae_gcn_backward(ctx, m);
    return st;
}

/* 1 if every gradient entry is finite: g - g is 0 for a finite g and NaN
 * otherwise, and a NaN stays in the sum. */
static int gradients_finite(const vgae_params *params)
{
    for (int p = 0; p < params->count; p++) {
        const vgae_mat *g = params->items[p].grad;
        vgae_real probe = 0;
        for (int64_t k = 0; k < vgae_mat_size(g); k++)
            probe += g->data[k] - g->data[k];
        if (probe != 0)
            return 0;
    }
    return 1;
}

vgae_status vgae_model_train_epoch(vgae_ctx *ctx, vgae_model *m, vgae_elbo_terms *terms)
{
    vgae_status st = vgae_model_loss(ctx, m, 1, terms);
    if (st)
        return st;
    /* without the loss to look at, a diverged run shows in its gradient */
    if (!terms && !gradients_finite(&m->params))
        return vgae_fail(ctx, VGAE_ERANGE, "the gradient is not finite at epoch %lld: training "
                         "diverged (try a smaller --lr)", (long long)m->epoch + 1);
    vgae_adam_step(ctx, &m->adam);
    m->epoch++;
    return VGAE_OK;
}

vgae_status vgae_model_encode(vgae_ctx *ctx, vgae_model *m)
{
    return vgae_gcn_forward(ctx, m, 1);
}
