/* Adam: bias-corrected adaptive moment estimation over a parameter list. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "nn/nn_internal.h"
#include "vgae/optim.h"

vgae_adam_options vgae_adam_defaults(void)
{
    vgae_adam_options o = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    return o;
}

vgae_status vgae_adam_init(vgae_ctx *ctx, vgae_adam *adam, const vgae_params *params,
                           const vgae_adam_options *options)
{
    adam->options = options ? *options : vgae_adam_defaults();
    adam->step = 0;
    adam->params = params;
    adam->m = adam->v = NULL;
    const vgae_adam_options *o = &adam->options;
    if (!(o->lr > 0) || !(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1) ||
        !(o->eps > 0))
        return vgae_fail(ctx, VGAE_EINVAL,
                         "adam: need lr > 0, 0 <= beta1, beta2 < 1 and eps > 0 "
                         "(got lr %g, beta1 %g, beta2 %g, eps %g)",
                         o->lr, o->beta1, o->beta2, o->eps);
    size_t n = (size_t)vgae_params_scalars(params);
    adam->m = vgae_calloc(ctx, n ? n : 1, sizeof(vgae_real));
    adam->v = vgae_calloc(ctx, n ? n : 1, sizeof(vgae_real));
    if (!adam->m || !adam->v) {
        vgae_adam_destroy(adam);
        return VGAE_ENOMEM;
    }
    return VGAE_OK;
}

void vgae_adam_step(vgae_ctx *ctx, vgae_adam *adam)
{
    const vgae_adam_options o = adam->options;
    adam->step++;
    const double c1 = 1.0 - pow(o.beta1, (double)adam->step);
    const double c2 = 1.0 - pow(o.beta2, (double)adam->step);
    const int threads = vgae_ctx_threads(ctx);
    int64_t offset = 0;
    for (int p = 0; p < adam->params->count; p++) {
        const vgae_param *par = &adam->params->items[p];
        const int64_t n = vgae_mat_size(par->value);
        vgae_real *restrict theta = par->value->data;
        const vgae_real *restrict g = par->grad->data;
        vgae_real *restrict m = adam->m + offset, *restrict v = adam->v + offset;
        /* Each element is updated on its own: any split gives the same numbers. */
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
        for (int64_t i = 0; i < n; i++) {
            double gi = g[i];
            double mi = o.beta1 * m[i] + (1.0 - o.beta1) * gi;
            double vi = o.beta2 * v[i] + (1.0 - o.beta2) * gi * gi;
            m[i] = (vgae_real)mi;
            /* saturate: a v stored as inf would freeze the parameter for good */
            v[i] = (vgae_real)(vi < VGAE_REAL_MAX ? vi : VGAE_REAL_MAX);
            theta[i] = (vgae_real)(theta[i] - o.lr * (mi / c1) / (sqrt(vi / c2) + o.eps));
        }
        offset += n;
    }
}

void vgae_adam_destroy(vgae_adam *adam)
{
    if (!adam)
        return;
    free(adam->m);
    free(adam->v);
    adam->m = adam->v = NULL;
}
