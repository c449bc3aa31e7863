/* Gaussian stochastic layer: reparameterization, closed-form KL and backward. */
#include <math.h>

#include "nn/internal.h"
#include "vgae/vae/gaussian.h"

vgae_status vgae_gaussian_reparameterize(vgae_ctx *ctx, const vgae_mat *mean,
                                         const vgae_mat *logvar, const vgae_mat *eps, vgae_mat *z)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "gaussian layer: mean, logvar, eps, z", mean, logvar, eps, z);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(mean);
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++)
        z->data[i] = (vgae_real)(mean->data[i] + exp(0.5 * logvar->data[i]) * eps->data[i]);
    return VGAE_OK;
}

vgae_status vgae_gaussian_sample(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                 vgae_rng *noise, vgae_mat *eps, vgae_mat *z)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "gaussian layer: mean, logvar, eps, z", mean, logvar, eps, z);
    if (st)
        return st;
    if (!noise) {
        vgae_mat_zero(eps);
        return vgae_mat_copy(ctx, z, mean);
    }
    vgae_rng_normal_fill_real(noise, eps->data, vgae_mat_size(eps), vgae_ctx_threads(ctx));
    return vgae_gaussian_reparameterize(ctx, mean, logvar, eps, z);
}

vgae_status vgae_gaussian_kl(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                             double *per_row, double *kl)
{
    *kl = 0.0;
    vgae_status st = vgae_mat_check_same(ctx, "gaussian KL: mean and logvar", mean, logvar);
    if (st)
        return st;
    const int64_t rows = mean->rows, d = mean->cols;
    const int threads = vgae_ctx_threads(ctx);
    double part[VGAE_CHUNKS];
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && rows * d >= VGAE_PARALLEL_MIN)
    for (int c = 0; c < VGAE_CHUNKS; c++) {
        double chunk = 0.0;
        for (int64_t i = vgae_chunk_start(rows, c); i < vgae_chunk_start(rows, c + 1); i++) {
            const vgae_real *mu = mean->data + i * d, *lv = logvar->data + i * d;
            double row = 0.0;
            for (int64_t j = 0; j < d; j++)
                row += (double)mu[j] * mu[j] + exp((double)lv[j]) - 1.0 - lv[j];
            row *= 0.5;
            if (per_row)
                per_row[i] = row;
            chunk += row;
        }
        part[c] = chunk;
    }
    *kl = vgae_sum_chunks(part);
    return VGAE_OK;
}

vgae_status vgae_gaussian_log_ratio(vgae_ctx *ctx, const vgae_mat *logvar, const vgae_mat *eps,
                                    const vgae_mat *z, double *per_row)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "gaussian log ratio: logvar, eps, z", logvar, eps, z);
    if (st)
        return st;
    const int64_t d = z->cols;
    for (int64_t i = 0; i < z->rows; i++) {
        double s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double e = eps->data[i * d + j], v = z->data[i * d + j];
            s += 0.5 * (v * v - logvar->data[i * d + j] - e * e);
        }
        per_row[i] = s;
    }
    return VGAE_OK;
}

vgae_status vgae_gaussian_kl_dims(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar, double *per_dim)
{
    vgae_status st = vgae_mat_check_same(ctx, "gaussian KL: mean and logvar", mean, logvar);
    if (st)
        return st;
    const int64_t d = mean->cols;
    for (int64_t j = 0; j < d; j++)
        per_dim[j] = 0.0;
    for (int64_t i = 0; i < mean->rows; i++) {
        const vgae_real *mu = mean->data + i * d, *lv = logvar->data + i * d;
        for (int64_t j = 0; j < d; j++)
            per_dim[j] += 0.5 * ((double)mu[j] * mu[j] + exp((double)lv[j]) - 1.0 - lv[j]);
    }
    return VGAE_OK;
}

/* The backward pass with the KL weighed by kl_weight, or per dimension by
 * kl_weights when not NULL. */
static vgae_status backward(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar, const vgae_mat *eps,
                            const vgae_mat *dz, double kl_weight, const double *kl_weights, vgae_mat *dmean,
                            vgae_mat *dlogvar)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "gaussian backward: mean, logvar, eps, dz, dmean, dlogvar",
                                       mean, logvar, eps, dz, dmean, dlogvar);
    if (st)
        return st;
    const int64_t n = vgae_mat_size(mean), d = mean->cols;
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        const double w = kl_weights ? kl_weights[i % d] : kl_weight;
        double g = dz ? dz->data[i] : 0.0;
        double var = exp((double)logvar->data[i]);
        double through_z = eps ? g * eps->data[i] * 0.5 * sqrt(var) : 0.0;
        dmean->data[i] = (vgae_real)(g + w * mean->data[i]);
        dlogvar->data[i] = (vgae_real)(through_z + w * 0.5 * (var - 1.0));
    }
    return VGAE_OK;
}

vgae_status vgae_gaussian_backward(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                   const vgae_mat *eps, const vgae_mat *dz, double kl_weight,
                                   vgae_mat *dmean, vgae_mat *dlogvar)
{
    return backward(ctx, mean, logvar, eps, dz, kl_weight, NULL, dmean, dlogvar);
}

vgae_status vgae_gaussian_backward_dims(vgae_ctx *ctx, const vgae_mat *mean, const vgae_mat *logvar,
                                        const vgae_mat *eps, const vgae_mat *dz, const double *kl_weights,
                                        vgae_mat *dmean, vgae_mat *dlogvar)
{
    return backward(ctx, mean, logvar, eps, dz, 0.0, kl_weights, dmean, dlogvar);
}
