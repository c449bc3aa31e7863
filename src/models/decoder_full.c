/* The full reconstruction loss over all N^2 pairs, tile by tile, fused with its gradient. */
#include <math.h>
#include <stdlib.h>

#include "models/decoder_kernel.h"
#include "models/model_internal.h"

int64_t vgae_full_tile_rows(int32_t n)
{
    int64_t rows = ((int64_t)1 << 22) / (n > 0 ? n : 1);
    if (rows < 16)
        rows = 16;
    return rows < n ? rows : n;
}

/* softplus(x) = -log sigmoid(-x), exactly for any x */
static double softplus(double x)
{
    return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x)));
}

/* Loss of row i of the tile (logits in row, all n columns); row becomes
 * grad_scale * d loss / d logits. Targets: 1 on i's training neighbours
 * and on i itself, weighted by pos_weight; 0 elsewhere. */
static double row_loss(const vgae_model *m, int32_t i, vgae_real *row, int32_t n, double scale)
{
    const vgae_graph *g = m->train;
    const double pw = m->pos_weight;
    /* a positive's term is pw softplus(-x) instead of softplus(x):
     * pw (softplus(x) - x) - softplus(x) = (pw - 1) softplus(x) - pw x */
    double fix = (pw - 1) * softplus(row[i]) - pw * row[i];
    for (int64_t p = g->rowptr[i]; p < g->rowptr[i + 1]; p++) {
        double x = row[g->adj[p]];
        fix += (pw - 1) * softplus(x) - pw * x;
    }
    double loss = vgae_decoder_row_negatives(row, n, scale) + fix;
    /* a positive's gradient is scale pw (sigmoid(x) - 1) = pw (row - scale) */
    row[i] = (vgae_real)(pw * (row[i] - scale));
    for (int64_t p = g->rowptr[i]; p < g->rowptr[i + 1]; p++) {
        int32_t j = g->adj[p];
        row[j] = (vgae_real)(pw * (row[j] - scale));
    }
    return loss;
}

vgae_status vgae_decoder_full(vgae_ctx *ctx, const vgae_model *m, const vgae_mat *z,
                              double grad_scale, vgae_mat *dz, vgae_mat *tile, int64_t tile_rows,
                              double *nll)
{
    const int32_t n = (int32_t)z->rows;
    *nll = 0.0;
    if (n != m->n)
        return vgae_fail(ctx, VGAE_EINVAL, "decoder: z has %d rows for a graph of %d nodes", n, m->n);
    vgae_status st = vgae_mat_ensure(ctx, tile, tile_rows, n);
    double *losses = vgae_alloc(ctx, (size_t)n, sizeof *losses);
    if (st || !losses) {
        free(losses);
        return st ? st : VGAE_ENOMEM;
    }
    const int threads = vgae_ctx_threads(ctx);
    const double scale = dz ? grad_scale : 0.0;
    for (int32_t i0 = 0; i0 < n && !st; i0 += (int32_t)tile_rows) {
        const int32_t rows = (int32_t)(n - i0 < tile_rows ? n - i0 : tile_rows);
        /* views of rows i0.. of z and dz, and of the tile's first rows */
        const vgae_mat zi = {rows, z->cols, z->data + (int64_t)i0 * z->cols};
        vgae_mat logits = {rows, n, tile->data};
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &zi, z, 0, &logits);
        if (st)
            break;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
        for (int32_t r = 0; r < rows; r++)
            losses[i0 + r] = row_loss(m, i0 + r, logits.data + (int64_t)r * n, n, scale);
        if (dz) {
            /* logits_ij = z_i . z_j and the gradient G is symmetric: dz = 2 G z */
            vgae_mat dzi = {rows, dz->cols, dz->data + (int64_t)i0 * dz->cols};
            st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 2, &logits, z, 0, &dzi);
        }
    }
    double sum = 0.0;
    for (int32_t i = 0; i < n; i++)
        sum += losses[i];
    free(losses);
    *nll = sum;
    return st;
}
