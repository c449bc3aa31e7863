/* Adam: bias-corrected adaptive moment estimation over a parameter list. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "nn/kernels.h"
#include "nn/internal.h"
#include "vgae/nn/optim.h"

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
    adam->m = vgae_alloc_zeroed(ctx, (n ? n : 1) * sizeof(vgae_real));
    adam->v = adam->m ? vgae_alloc_zeroed(ctx, (n ? n : 1) * sizeof(vgae_real)) : NULL;
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
    const double step = o.lr / c1, sqrt_c2 = sqrt(c2);
    const int threads = vgae_ctx_threads(ctx);
    const vgae_params *list = adam->params;
    const int64_t parts = vgae_params_parts(list), scalars = vgae_params_scalars(list);
    /* Each element is updated on its own: any split of the parts gives the
     * same numbers. One parallel loop over all the parts of all parameters. */
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && scalars >= VGAE_PARALLEL_MIN)
    for (int64_t q = 0; q < parts; q++) {
        int64_t i, len, offset;
        const vgae_param *par = &list->items[vgae_params_part(list, q, &i, &len, &offset)];
        vgae_kernel_adam(par->value->data + i, par->grad->data + i, adam->m + offset + i, adam->v + offset + i,
                         len, o.beta1, o.beta2, step, sqrt_c2, o.eps);
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
