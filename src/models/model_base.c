/* What every model has in common: parameters, Adam with a divergence check, the latent layer, epochs, seed. */
#include "io/model_file.h"
#include "models/model_base.h"

vgae_status vgae_model_base_init(vgae_ctx *ctx, vgae_model_base *base, const char *latent_kind,
                                 int64_t latent_dim)
{
    return vgae_model_base_init_with(ctx, base, latent_kind, latent_dim, NULL);
}

vgae_status vgae_model_base_init_with(vgae_ctx *ctx, vgae_model_base *base, const char *latent_kind,
                                      int64_t latent_dim, const vgae_latent_options *options)
{
    *base = (vgae_model_base){0};
    base->seed = vgae_ctx_seed(ctx);
    return vgae_latent_new_with(ctx, latent_kind, latent_dim, options, vgae_ctx_rng(ctx, VGAE_STREAM_INIT),
                                &base->latent);
}

vgae_status vgae_model_base_optimizer(vgae_ctx *ctx, vgae_model_base *base, double lr)
{
    vgae_adam_options ao = vgae_adam_defaults();
    ao.lr = lr;
    return vgae_adam_init(ctx, &base->adam, &base->params, &ao);
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

vgae_status vgae_model_base_step(vgae_ctx *ctx, vgae_model_base *base, int check)
{
    if (check && !gradients_finite(&base->params))
        return vgae_fail(ctx, VGAE_ERANGE, "the gradient is not finite at epoch %lld: training "
                         "diverged (try a smaller --lr)", (long long)base->epoch + 1);
    vgae_adam_step(ctx, &base->adam);
    return VGAE_OK;
}

void vgae_model_base_destroy(vgae_model_base *base)
{
    vgae_params_destroy(&base->params);
    vgae_adam_destroy(&base->adam);
    vgae_latent_free(base->latent);
    *base = (vgae_model_base){0};
}

int vgae_kl_meta_keys(vgae_meta_key *k, int n, vgae_kl_schedule *s, int *anneal)
{
    static const char *const anneal_names[] = {"constant", "linear", "cyclical", NULL};
    k[n++] = (vgae_meta_key){.key = "kl_anneal", .type = VGAE_META_NAME, .value = anneal, .names = anneal_names};
    k[n++] = (vgae_meta_key){.key = "kl_warmup", .type = VGAE_META_REAL, .value = &s->warmup, .min = 1e-9, .max = 1e12};
    k[n++] = (vgae_meta_key){.key = "kl_cycles", .type = VGAE_META_INT, .value = &s->cycles, .min = 1, .max = 1000000};
    k[n++] = (vgae_meta_key){.key = "kl_ratio", .type = VGAE_META_REAL, .value = &s->ratio, .min = 1e-9, .max = 1};
    k[n++] = (vgae_meta_key){.key = "kl_capacity", .type = VGAE_META_REAL, .value = &s->capacity, .min = 0, .max = 1e12};
    k[n++] = (vgae_meta_key){.key = "kl_capacity_epochs", .type = VGAE_META_REAL, .value = &s->capacity_epochs,
                             .min = 0, .max = 1e12};
    k[n++] = (vgae_meta_key){.key = "kl_gamma", .type = VGAE_META_REAL, .value = &s->gamma, .min = 1e-12, .max = 1e12};
    return n;
}
