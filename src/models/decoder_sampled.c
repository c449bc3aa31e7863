/* The sampled reconstruction loss: training edges and as many drawn non-edges, O(E d). */
#include <string.h>

#include "models/model_internal.h"
#include "vgae/likelihood.h"

/* One pair's term with target t; adds its gradient to dz rows u and v. */
static double pair_term(const vgae_mat *z, int32_t u, int32_t v, double t, double scale,
                        vgae_mat *dz)
{
    const int64_t d = z->cols;
    const vgae_real *zu = z->data + u * d, *zv = z->data + v * d;
    double x = 0.0, dx;
    for (int64_t c = 0; c < d; c++)
        x += (double)zu[c] * zv[c];
    double loss = vgae_bernoulli_term(x, t, 1.0, &dx);
    if (dz) {
        vgae_real g = (vgae_real)(scale * dx);
        vgae_real *du = dz->data + u * d, *dv = dz->data + v * d;
        for (int64_t c = 0; c < d; c++) {
            du[c] += g * zv[c];
            dv[c] += g * zu[c];
        }
    }
    return loss;
}

vgae_status vgae_decoder_sampled(vgae_ctx *ctx, const vgae_model *m, const vgae_mat *z,
                                 const int32_t *neg, int64_t n_neg, double grad_scale,
                                 vgae_mat *dz, double *nll)
{
    const vgae_graph *g = m->train;
    if (dz)
        vgae_mat_zero(dz);
    /* one pass in a fixed order: the same sums on any thread count */
    double sum = 0.0;
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
            if (g->adj[p] > u)
                sum += pair_term(z, u, g->adj[p], 1.0, grad_scale, dz);
    for (int64_t k = 0; k < n_neg; k++)
        sum += pair_term(z, neg[2 * k], neg[2 * k + 1], 0.0, grad_scale, dz);
    *nll = sum;
    (void)ctx;
    return VGAE_OK;
}
