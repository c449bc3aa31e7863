/* Elementwise activations (ReLU, identity) and their backward passes. */
#include <string.h>

#include "nn/internal.h"
#include "vgae/nn/layers.h"

vgae_status vgae_activation_forward(vgae_ctx *ctx, vgae_activation act, const vgae_mat *x,
                                    vgae_mat *y)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "activation forward", x, y);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(x);
    if (act == VGAE_ACT_IDENTITY)
        return vgae_mat_copy(ctx, y, x);
    for (int64_t i = 0; i < n; i++)
        y->data[i] = x->data[i] > 0 ? x->data[i] : 0;
    return VGAE_OK;
}

vgae_status vgae_activation_backward(vgae_ctx *ctx, vgae_activation act, const vgae_mat *y,
                                     const vgae_mat *dy, vgae_mat *dx)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "activation backward", y, dy, dx);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(y);
    if (act == VGAE_ACT_IDENTITY)
        return vgae_mat_copy(ctx, dx, dy);
    const vgae_real *yv = y->data, *g = dy->data;
    vgae_real *out = dx->data;
    for (int64_t i = 0; i < n; i++) {
        const vgae_real gi = g[i]; /* loaded unconditionally, so the loop vectorizes */
        out[i] = yv[i] > 0 ? gi : 0;
    }
    return VGAE_OK;
}
