/* The latent layer interface: the table of kinds, and calls checked and passed to a layer's kind. */
#include <stdlib.h>
#include <string.h>

#include "vae/latent_impl.h"
#include "vae/latent_state.h"

/* Every kind of latent layer; a new kind is a new file and a line here. */
static const vgae_latent_ops *const kinds[] = {&vgae_latent_gaussian, &vgae_latent_point, &vgae_latent_vq};
enum { N_KINDS = sizeof kinds / sizeof kinds[0] };

static vgae_status check_heads(vgae_ctx *ctx, const vgae_latent *layer, const char *what,
                               const vgae_mat *const *heads);

vgae_latent_options vgae_latent_defaults(void)
{
    vgae_latent_options o = {.codes = 1, .codebook = 512, .commitment = 0.25, .ema = 0};
    return o;
}

vgae_latent_options vgae_latent_settings(const vgae_latent *layer)
{
    return layer->options;
}

vgae_status vgae_latent_new(vgae_ctx *ctx, const char *kind, int64_t dim, vgae_latent **out)
{
    return vgae_latent_new_with(ctx, kind, dim, NULL, NULL, out);
}

vgae_status vgae_latent_new_with(vgae_ctx *ctx, const char *kind, int64_t dim, const vgae_latent_options *options,
                                 vgae_rng *init, vgae_latent **out)
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
    const vgae_latent_options o = options ? *options : vgae_latent_defaults();
    const int vq = kinds[k] == &vgae_latent_vq;
    if (vq && (o.codes < 1 || dim % o.codes != 0))
        return vgae_fail(ctx, VGAE_EINVAL, "a vq layer of %lld dimensions cannot hold %d code vectors "
                         "(the dimensions must be a multiple of the codes)", (long long)dim, o.codes);
    if (vq && (o.codebook < 2 || o.codebook > 65536))
        return vgae_fail(ctx, VGAE_EINVAL, "a codebook of %d vectors (2..65536)", o.codebook);
    if (vq && !(o.commitment >= 0 && o.commitment < 1e6))
        return vgae_fail(ctx, VGAE_EINVAL, "the commitment weight must be >= 0, not %g", o.commitment);
    if (vq && !(o.ema >= 0 && o.ema < 1))
        return vgae_fail(ctx, VGAE_EINVAL, "the codebook's moving-average decay must be in [0, 1), not %g", o.ema);
    if (vq && !init)
        return vgae_fail(ctx, VGAE_EINVAL, "a vq layer needs a random stream for its codebook");
    vgae_latent *l = vgae_calloc(ctx, 1, sizeof *l);
    if (!l)
        return VGAE_ENOMEM;
    l->kind = kinds[k];
    l->dim = dim;
    l->options = o;
    if (vq) {
        const int64_t d = dim / o.codes;
        vgae_status st = vgae_mat_init(ctx, &l->codebook, o.codebook, d);
        if (!st)
            st = vgae_mat_init(ctx, &l->codebook_grad, o.codebook, d);
        if (!st && !(l->usage = vgae_calloc(ctx, (size_t)o.codebook, sizeof *l->usage)))
            st = VGAE_ENOMEM;
        if (st) {
            vgae_latent_free(l);
            return st;
        }
        vgae_rng_uniform_fill_real(init, l->codebook.data, o.codebook * d, -1.0 / o.codebook, 1.0 / o.codebook,
                                   vgae_ctx_threads(ctx));
        if (o.ema > 0) {
            l->ema_n = vgae_calloc(ctx, (size_t)o.codebook, sizeof *l->ema_n);
            l->ema_m = vgae_calloc(ctx, (size_t)(o.codebook * d), sizeof *l->ema_m);
            l->step_n = vgae_calloc(ctx, (size_t)o.codebook, sizeof *l->step_n);
            l->step_m = vgae_calloc(ctx, (size_t)(o.codebook * d), sizeof *l->step_m);
            if (!l->ema_n || !l->ema_m || !l->step_n || !l->step_m) {
                vgae_latent_free(l);
                return VGAE_ENOMEM;
            }
            /* each code starts as one observation of itself */
            for (int64_t j = 0; j < o.codebook; j++) {
                l->ema_n[j] = 1;
                for (int64_t i = 0; i < d; i++)
                    l->ema_m[j * d + i] = l->codebook.data[j * d + i];
            }
        }
    }
    *out = l;
    return VGAE_OK;
}

void vgae_latent_free(vgae_latent *layer)
{
    if (!layer)
        return;
    vgae_mat_destroy(&layer->codebook);
    vgae_mat_destroy(&layer->codebook_grad);
    vgae_mat_destroy(&layer->work);
    free(layer->usage);
    free(layer->index);
    free(layer->norms);
    free(layer->ema_n);
    free(layer->ema_m);
    free(layer->step_n);
    free(layer->step_m);
    free(layer);
}

vgae_status vgae_latent_params(vgae_ctx *ctx, vgae_latent *layer, vgae_params *list)
{
    if (!layer->codebook.data)
        return VGAE_OK;
    return vgae_params_add(ctx, list, "codebook", &layer->codebook, &layer->codebook_grad);
}

vgae_mat *vgae_latent_codebook(const vgae_latent *layer)
{
    return layer->codebook.data ? (vgae_mat *)&layer->codebook : NULL;
}

const int64_t *vgae_latent_vq_usage(const vgae_latent *layer)
{
    return layer->usage;
}

vgae_status vgae_latent_penalty(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                double *total)
{
    *total = 0;
    if (!layer->kind->penalty)
        return VGAE_OK;
    vgae_status st = check_heads(ctx, layer, "latent penalty", heads);
    return st ? st : layer->kind->penalty(ctx, layer, heads, total);
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

vgae_status vgae_latent_kl_dims(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                double *per_dim)
{
    if (!layer->kind->kl_dims)
        return vgae_fail(ctx, VGAE_EINVAL, "the %s latent layer's KL does not split by dimension",
                         layer->kind->name);
    vgae_status st = check_heads(ctx, layer, "latent KL by dimension", heads);
    return st ? st : layer->kind->kl_dims(ctx, layer, heads, per_dim);
}

vgae_status vgae_latent_backward_dims(vgae_ctx *ctx, const vgae_latent *layer, const vgae_mat *const *heads,
                                      const vgae_mat *eps, const vgae_mat *dz, const double *kl_weights,
                                      vgae_mat *const *d_heads)
{
    if (!layer->kind->backward_dims)
        return vgae_fail(ctx, VGAE_EINVAL, "the %s latent layer's KL does not split by dimension",
                         layer->kind->name);
    vgae_status st = check_heads(ctx, layer, "latent backward", heads);
    if (!st)
        st = check_heads(ctx, layer, "latent backward", (const vgae_mat *const *)d_heads);
    return st ? st : layer->kind->backward_dims(ctx, layer, heads, eps, dz, kl_weights, d_heads);
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

vgae_latent_state vgae_latent_training_state(vgae_latent *layer)
{
    if (!layer->usage)
        return (vgae_latent_state){0};
    return (vgae_latent_state){layer->usage, layer->ema_n, layer->ema_m, layer->codebook.rows,
                               layer->codebook.cols};
}
