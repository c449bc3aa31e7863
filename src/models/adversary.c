/* The adversarial regularizer of ARGA/ARVGA (Pan et al. 2018): a discriminator learns to tell draws of N(0, I) from the codes z, and the encoder is pushed to make its codes pass for draws. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/graph_ae_impl.h"
#include "nn/internal.h"
#include "nn/kernels.h"

#define ADVERSARY_HIDDEN 64

vgae_status vgae_adversary_new(vgae_ctx *ctx, int64_t latent, double lr, vgae_rng *init,
                               vgae_adversary **out)
{
    vgae_adversary *a = vgae_calloc(ctx, 1, sizeof *a);
    *out = NULL;
    if (!a)
        return VGAE_ENOMEM;
    vgae_status st = vgae_linear_init(ctx, &a->l1, latent, ADVERSARY_HIDDEN, 1, init);
    if (!st) st = vgae_linear_init(ctx, &a->l2, ADVERSARY_HIDDEN, 1, 1, init);
    if (!st) st = vgae_linear_params(ctx, &a->l1, "disc.1", &a->params);
    if (!st) st = vgae_linear_params(ctx, &a->l2, "disc.2", &a->params);
    vgae_adam_options ao = vgae_adam_defaults();
    ao.lr = lr;
    if (!st) st = vgae_adam_init(ctx, &a->adam, &a->params, &ao);
    if (st) {
        vgae_adversary_free(a);
        return st;
    }
    *out = a;
    return VGAE_OK;
}

void vgae_adversary_free(vgae_adversary *a)
{
    if (!a)
        return;
    vgae_linear_destroy(&a->l1);
    vgae_linear_destroy(&a->l2);
    vgae_params_destroy(&a->params);
    vgae_adam_destroy(&a->adam);
    vgae_mat *mats[] = {&a->real, &a->a1, &a->a1_real, &a->logit, &a->dlogit, &a->da1, &a->dz_adv};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    free(a);
}

/* D(x)'s logits into a->logit, its hidden activations into a1. */
static vgae_status discriminate(vgae_ctx *ctx, vgae_adversary *a, const vgae_mat *x, vgae_mat *a1)
{
    vgae_status st = vgae_linear_forward(ctx, &a->l1, x, a1);
    if (!st)
        st = vgae_activation_forward(ctx, VGAE_ACT_RELU, a1, a1);
    if (!st)
        st = vgae_linear_forward(ctx, &a->l2, a1, &a->logit);
    return st;
}

/* Backward from a->dlogit through D to dx (NULL: the parameters' gradients only). */
static vgae_status discriminate_back(vgae_ctx *ctx, vgae_adversary *a, const vgae_mat *x,
                                     const vgae_mat *a1, vgae_mat *dx)
{
    vgae_status st = vgae_linear_backward(ctx, &a->l2, a1, &a->dlogit, &a->da1);
    if (!st)
        st = vgae_activation_backward(ctx, VGAE_ACT_RELU, a1, &a->da1, &a->da1);
    if (!st)
        st = vgae_linear_backward(ctx, &a->l1, x, &a->da1, dx);
    return st;
}

/* Mean Bernoulli loss of the logits in a->logit against one target, with
 * a->dlogit receiving scale times each derivative. */
static double mean_loss(vgae_adversary *a, int target, double scale)
{
    const int64_t n = a->logit.rows;
    memcpy(a->dlogit.data, a->logit.data, (size_t)n * sizeof *a->dlogit.data);
    return vgae_kernel_logistic(a->dlogit.data, NULL, n, target, scale / (double)n) / (double)n;
}

vgae_status vgae_adversary_apply(vgae_ctx *ctx, vgae_adversary *a, const vgae_mat *z,
                                 double weight, vgae_rng *rng, vgae_mat *dz, double *loss)
{
    const int64_t n = z->rows;
    vgae_status st = vgae_mat_ensure(ctx, &a->real, n, z->cols);
    if (!st) st = vgae_mat_ensure(ctx, &a->a1, n, ADVERSARY_HIDDEN);
    if (!st) st = vgae_mat_ensure(ctx, &a->a1_real, n, ADVERSARY_HIDDEN);
    if (!st) st = vgae_mat_ensure(ctx, &a->logit, n, 1);
    if (!st) st = vgae_mat_ensure(ctx, &a->dlogit, n, 1);
    if (!st) st = vgae_mat_ensure(ctx, &a->da1, n, ADVERSARY_HIDDEN);
    if (st)
        return st;
    if (dz) {
        /* the discriminator's step: draws of N(0, I) are real (1), codes fake (0) */
        vgae_rng_normal_fill_real(rng, a->real.data, vgae_mat_size(&a->real), vgae_ctx_threads(ctx));
        vgae_params_zero_grad(&a->params);
        st = discriminate(ctx, a, &a->real, &a->a1_real);
        if (!st) {
            mean_loss(a, 1, 1.0);
            st = discriminate_back(ctx, a, &a->real, &a->a1_real, NULL);
        }
        if (!st)
            st = discriminate(ctx, a, z, &a->a1);
        if (!st) {
            mean_loss(a, 0, 1.0);
            st = discriminate_back(ctx, a, z, &a->a1, NULL);
        }
        if (!st)
            vgae_adam_step(ctx, &a->adam);
    }
    /* the encoder's term: weight * mean -log D(z), codes taken for draws */
    if (!st)
        st = discriminate(ctx, a, z, &a->a1);
    if (st)
        return st;
    *loss = weight * mean_loss(a, 1, weight);
    if (!dz)
        return VGAE_OK;
    st = vgae_mat_ensure(ctx, &a->dz_adv, n, z->cols);
    if (!st)
        st = discriminate_back(ctx, a, z, &a->a1, &a->dz_adv);
    for (int64_t k = 0; !st && k < vgae_mat_size(dz); k++)
        dz->data[k] += a->dz_adv.data[k];
    return st;
}
