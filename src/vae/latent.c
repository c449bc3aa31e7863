/* The latent layer interface: the table of kinds, and calls checked and passed to a layer's kind. */
#include <stdlib.h>
#include <string.h>

#include "vae/latent_impl.h"

/* Every kind of latent layer; a new kind is a new file and a line here. */
static const vgae_latent_ops *const kinds[] = {&vgae_latent_gaussian, &vgae_latent_point};
enum { N_KINDS = sizeof kinds / sizeof kinds[0] };

vgae_status vgae_latent_new(vgae_ctx *ctx, const char *kind, int64_t dim, vgae_latent **out)
{
    *out = NULL;
    int k = 0;
    while (k < N_KINDS && strcmp(kinds[k]->name, kind) != 0)
        k++;
    if (k == N_KINDS) {
        char known[256] = "";
        for (int j = 0; j < N_KINDS; j++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", j ? ", " : "",
                     kinds[j]->name);
        return vgae_fail(ctx, VGAE_EINVAL, "unknown latent layer '%s' (the kinds: %s)", kind, known);
    }
    if (dim < 1 || dim > 65536)
        return vgae_fail(ctx, VGAE_EINVAL, "a latent layer of %lld dimensions (1..65536)",
                         (long long)dim);
    vgae_latent *l = vgae_calloc(ctx, 1, sizeof *l);
    if (!l)
        return VGAE_ENOMEM;
    l->kind = kinds[k];
    l->dim = dim;
    *out = l;
    return VGAE_OK;
}

void vgae_latent_free(vgae_latent *layer)
{
    free(layer);
}

const char *vgae_latent_kind(const vgae_latent *layer)
{
    return layer->kind->name;
}

int64_t vgae_latent_dim(const vgae_latent *layer)
{
    return layer->dim;
}

int vgae_latent_heads(const vgae_latent *layer)
{
    return layer->kind->heads;
}

const char *vgae_latent_head_name(const vgae_latent *layer, int h)
{
    return h >= 0 && h < layer->kind->heads ? layer->kind->head_names[h] : NULL;
}

int vgae_latent_is_stochastic(const vgae_latent *layer)
{
    return layer->kind->stochastic;
}

/* Every head given, each rows x dim like the first. */
static vgae_status check_heads(vgae_ctx *ctx, const vgae_latent *layer, const char *what,
                               const vgae_mat *const *heads)
{
    if (!heads)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: no heads given", what);
    for (int h = 0; h < layer->kind->heads; h++) {
        if (!heads[h])
            return vgae_fail(ctx, VGAE_EINVAL, "%s: the %s layer's head '%s' is missing", what,
                             layer->kind->name, layer->kind->head_names[h]);
        if (heads[h]->cols != layer->dim || heads[h]->rows != heads[0]->rows)
            return vgae_fail(ctx, VGAE_EINVAL, "%s: head '%s' is %lld x %lld, not %lld x %lld", what,
                             layer->kind->head_names[h], (long long)heads[h]->rows,
                             (long long)heads[h]->cols, (long long)heads[0]->rows,
                             (long long)layer->dim);
    }
    return VGAE_OK;
}

vgae_status vgae_latent_sample(vgae_ctx *ctx, const vgae_latent *layer,
                               const vgae_mat *const *heads, vgae_rng *noise, vgae_mat *eps,
                               vgae_mat *z)
{
    vgae_status st = check_heads(ctx, layer, "latent sample", heads);
    return st ? st : layer->kind->sample(ctx, layer, heads, noise, eps, z);
}

vgae_status vgae_latent_kl(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                           double *per_row, double *total)
{
    vgae_status st = check_heads(ctx, layer, "latent KL", heads);
    return st ? st : layer->kind->kl(ctx, layer, heads, per_row, total);
}

vgae_status vgae_latent_backward(vgae_ctx *ctx, const vgae_latent *layer,
                                 const vgae_mat *const *heads, const vgae_mat *eps,
                                 const vgae_mat *dz, double kl_weight, vgae_mat *const *d_heads)
{
    vgae_status st = check_heads(ctx, layer, "latent backward", heads);
    if (!st)
        st = check_heads(ctx, layer, "latent backward", (const vgae_mat *const *)d_heads);
    return st ? st : layer->kind->backward(ctx, layer, heads, eps, dz, kl_weight, d_heads);
}

vgae_status vgae_latent_log_ratio(vgae_ctx *ctx, const vgae_latent *layer,
                                  const vgae_mat *const *heads, const vgae_mat *eps,
                                  const vgae_mat *z, double *per_row)
{
    if (!layer->kind->log_ratio)
        return vgae_fail(ctx, VGAE_EINVAL, "the %s latent layer has no density: no importance "
                         "weights", layer->kind->name);
    vgae_status st = check_heads(ctx, layer, "latent log ratio", heads);
    return st ? st : layer->kind->log_ratio(ctx, layer, heads, eps, z, per_row);
}
