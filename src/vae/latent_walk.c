/* Walks through a latent space for pictures: the line between two codes, a grid of prior quantiles. */
#include "nn/internal.h"
#include "vgae/vae/latent.h"

vgae_status vgae_latent_interpolate(vgae_ctx *ctx, const vgae_real *a, const vgae_real *b,
                                    int64_t dim, int64_t steps, vgae_mat *out)
{
    if (steps < 2 || dim < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "an interpolation of %lld steps in %lld dimensions "
                         "(steps >= 2)", (long long)steps, (long long)dim);
    vgae_status st = vgae_mat_ensure(ctx, out, steps, dim);
    for (int64_t s = 0; !st && s < steps; s++) {
        const double t = (double)s / (double)(steps - 1);
        for (int64_t d = 0; d < dim; d++)
            VGAE_MAT_AT(out, s, d) = (vgae_real)((1 - t) * a[d] + t * b[d]);
    }
    return st;
}

vgae_status vgae_latent_grid(vgae_ctx *ctx, int64_t size, vgae_mat *out)
{
    if (size < 2 || size > 100000)
        return vgae_fail(ctx, VGAE_EINVAL, "a latent grid of %lld x %lld (2..100000 a side)",
                         (long long)size, (long long)size);
    vgae_status st = vgae_mat_ensure(ctx, out, size * size, 2);
    for (int64_t i = 0; !st && i < size; i++)
        for (int64_t j = 0; j < size; j++) {
            VGAE_MAT_AT(out, i * size + j, 0) = (vgae_real)vgae_normal_quantile((j + 0.5) / size);
            VGAE_MAT_AT(out, i * size + j, 1) = (vgae_real)vgae_normal_quantile(1 - (i + 0.5) / size);
        }
    return st;
}
