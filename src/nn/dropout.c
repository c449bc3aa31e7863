/* Inverted dropout with a stored mask: forward draws it, backward reuses it. */
#include "nn/internal.h"
#include "vgae/nn/layers.h"

vgae_status vgae_dropout_forward(vgae_ctx *ctx, double rate, vgae_rng *rng, const vgae_mat *x,
                                 vgae_mat *mask, vgae_mat *y)
{
    if (!(rate >= 0 && rate < 1))
        return vgae_fail(ctx, VGAE_EINVAL, "dropout rate %g is not in [0, 1)", rate);
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "dropout", x, y, mask);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(x);
    if (rate == 0) {
        for (int64_t i = 0; i < n; i++)
            mask->data[i] = 1;
        return vgae_mat_copy(ctx, y, x);
    }
    /* One uniform per element, in bulk: the mask is the same on any thread count. */
    vgae_rng_uniform_fill_real(rng, mask->data, n, 0.0, 1.0, vgae_ctx_threads(ctx));
    const vgae_real keep = (vgae_real)(1.0 / (1.0 - rate));
    for (int64_t i = 0; i < n; i++) {
        mask->data[i] = mask->data[i] >= (vgae_real)rate ? keep : 0;
        y->data[i] = x->data[i] * mask->data[i];
    }
    return VGAE_OK;
}

vgae_status vgae_dropout_backward(vgae_ctx *ctx, const vgae_mat *mask, const vgae_mat *dy,
                                  vgae_mat *dx)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "dropout backward", mask, dy, dx);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(dy);
    for (int64_t i = 0; i < n; i++)
        dx->data[i] = dy->data[i] * mask->data[i];
    return VGAE_OK;
}
