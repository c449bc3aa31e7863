/* The linear layer y = x W + b: Glorot initialization, forward and backward. */
#include <math.h>
#include <stdio.h>

#include "nn/internal.h"
#include "vgae/nn/layers.h"

void vgae_glorot_uniform(vgae_ctx *ctx, vgae_mat *w, vgae_rng *init)
{
    double r = sqrt(6.0 / (double)(w->rows + w->cols));
    vgae_rng_uniform_fill_real(init, w->data, vgae_mat_size(w), -r, r, vgae_ctx_threads(ctx));
}

vgae_status vgae_linear_init(vgae_ctx *ctx, vgae_linear *layer, int64_t in, int64_t out,
                             int has_bias, vgae_rng *init)
{
    *layer = (vgae_linear){.in = in, .out = out, .has_bias = has_bias != 0};
    if (in < 1 || out < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "linear layer: sizes %lld -> %lld must be positive",
                         (long long)in, (long long)out);
    vgae_status st = vgae_mat_init(ctx, &layer->w, in, out);
    if (!st)
        st = vgae_mat_init(ctx, &layer->dw, in, out);
    if (!st && has_bias)
        st = vgae_mat_init(ctx, &layer->b, 1, out);
    if (!st && has_bias)
        st = vgae_mat_init(ctx, &layer->db, 1, out);
    if (st) {
        vgae_linear_destroy(layer);
        return st;
    }
    vgae_glorot_uniform(ctx, &layer->w, init);
    return VGAE_OK;
}

void vgae_linear_destroy(vgae_linear *layer)
{
    if (!layer)
        return;
    vgae_mat_destroy(&layer->w);
    vgae_mat_destroy(&layer->b);
    vgae_mat_destroy(&layer->dw);
    vgae_mat_destroy(&layer->db);
}

vgae_status vgae_linear_params(vgae_ctx *ctx, vgae_linear *layer, const char *prefix,
                               vgae_params *list)
{
    char name[64];
    snprintf(name, sizeof name, "%s.weight", prefix);
    vgae_status st = vgae_params_add(ctx, list, name, &layer->w, &layer->dw);
    if (!st && layer->has_bias) {
        snprintf(name, sizeof name, "%s.bias", prefix);
        st = vgae_params_add(ctx, list, name, &layer->b, &layer->db);
    }
    return st;
}

vgae_status vgae_linear_forward(vgae_ctx *ctx, const vgae_linear *layer, const vgae_mat *x,
                                vgae_mat *y)
{
    vgae_status st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, x, &layer->w, 0.0, y);
    if (st || !layer->has_bias)
        return st;
    const vgae_real *b = layer->b.data;
    for (int64_t i = 0; i < y->rows; i++) {
        vgae_real *row = y->data + i * y->cols;
        for (int64_t j = 0; j < y->cols; j++)
            row[j] += b[j];
    }
    return VGAE_OK;
}

vgae_status vgae_linear_backward(vgae_ctx *ctx, vgae_linear *layer, const vgae_mat *x,
                                 const vgae_mat *dy, vgae_mat *dx)
{
    vgae_status st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1.0, x, dy, 1.0, &layer->dw);
    if (!st && dx)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1.0, dy, &layer->w, 0.0, dx);
    if (st || !layer->has_bias)
        return st;
    vgae_column_sums(ctx, dy, &layer->db, 1);
    return VGAE_OK;
}

void vgae_column_sums(vgae_ctx *ctx, const vgae_mat *g, vgae_mat *db, int add)
{
    /* a part of the columns at a time, row after row (contiguous, so it
     * vectorizes); parts on threads (a column's sum is in row order
     * whichever thread takes it) */
    enum { PART = 512 };
    const int64_t parts = (g->cols + PART - 1) / PART;
    const int threads = ctx ? vgae_ctx_threads(ctx) : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && parts > 1 && g->rows * g->cols >= VGAE_PARALLEL_MIN)
    for (int64_t p = 0; p < parts; p++) {
        const int64_t j0 = p * PART, len = g->cols - j0 < PART ? g->cols - j0 : PART;
        double sum[PART];
        for (int64_t j = 0; j < len; j++)
            sum[j] = 0.0;
        for (int64_t i = 0; i < g->rows; i++) {
            const vgae_real *row = g->data + i * g->cols + j0;
            for (int64_t j = 0; j < len; j++)
                sum[j] += (double)row[j];
        }
        for (int64_t j = 0; j < len; j++)
            db->data[j0 + j] = (vgae_real)(add ? db->data[j0 + j] + sum[j] : sum[j]);
    }
}
