/* The "vq" latent layer (van den Oord, Vinyals & Kavukcuoglu 2017): each of a row's M code vectors is
 * replaced by its nearest codebook vector; the gradient passes straight through; codebook and commitment
 * losses pull the two together. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/internal.h"
#include "nn/kernels.h"
#include "vae/latent_impl.h"

/* The picks of every code vector of z_e into l->index: the nearest row of
 * the codebook by ||e||^2 - 2 x.e (x's own norm is the same for every e),
 * ties to the lower index. The codebook is laid out transposed (D x K) so
 * that the kernel forms 16 distances of a vector at a time. */
static vgae_status assign_all(vgae_ctx *ctx, const vgae_latent *cl, const vgae_mat *ze)
{
    vgae_latent *l = (vgae_latent *)cl; /* the work space only */
    l->picked_for = NULL;
    const int64_t m = l->options.codes, d = l->dim / m, k = l->codebook.rows, n = ze->rows * m;
    if (n > l->index_cap) {
        free(l->index);
        l->index = vgae_alloc(ctx, (size_t)n, sizeof *l->index);
        l->index_cap = l->index ? n : 0;
        if (!l->index)
            return VGAE_ENOMEM;
    }
    if (!l->norms && !(l->norms = vgae_alloc(ctx, (size_t)k, sizeof *l->norms)))
        return VGAE_ENOMEM;
    /* work: the transposed codebook */
    vgae_status st = vgae_mat_ensure(ctx, &l->work, d, k);
    if (st)
        return st;
    vgae_real *et = l->work.data;
    for (int64_t j = 0; j < k; j++) {
        double s = 0;
        for (int64_t i = 0; i < d; i++) {
            const vgae_real e = l->codebook.data[j * d + i];
            et[i * k + j] = e;
            s += (double)e * e;
        }
        l->norms[j] = (vgae_real)s;
    }
    /* each vector's pick depends on it alone: the same on any thread count */
    const int threads = vgae_ctx_threads(ctx);
    const vgae_real *norms = l->norms;
    int32_t *index = l->index;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n * k >= VGAE_PARALLEL_MIN)
    for (int64_t v = 0; v < n; v++)
        index[v] = vgae_kernel_nearest(ze->data + v * d, d, et, norms, k);
    return VGAE_OK;
}

/* The picks for z_e: those the last sample made of this very z_e (the ELBO
 * calls sample, then penalty and backward on the same heads, before the
 * codebook changes), else computed afresh. */
static vgae_status picks(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *ze)
{
    if (l->picked_for == ze->data && l->picked_rows == ze->rows)
        return VGAE_OK;
    return assign_all(ctx, l, ze);
}

vgae_status vgae_latent_vq_assign(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *z_e, int32_t *index)
{
    if (l->kind != &vgae_latent_vq)
        return vgae_fail(ctx, VGAE_EINVAL, "code assignments need a vq latent layer, not '%s'", l->kind->name);
    if (z_e->cols != l->dim)
        return vgae_fail(ctx, VGAE_EINVAL, "z_e has %lld columns, the layer %lld", (long long)z_e->cols,
                         (long long)l->dim);
    vgae_status st = assign_all(ctx, l, z_e);
    if (!st)
        memcpy(index, l->index, sizeof *index * (size_t)(z_e->rows * l->options.codes));
    return st;
}

/* z = z_q; eps (if given) = z_q - z_e. The noise stream is not used. */
static vgae_status sample(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *const *heads, vgae_rng *noise,
                          vgae_mat *eps, vgae_mat *z)
{
    (void)noise;
    const vgae_mat *ze = heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    vgae_status st = assign_all(ctx, l, ze);
    if (st)
        return st;
    ((vgae_latent *)l)->picked_for = ze->data; /* penalty and backward reuse these picks */
    ((vgae_latent *)l)->picked_rows = ze->rows;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const vgae_real *x = ze->data + r * l->dim + c * d;
            const vgae_real *e = l->codebook.data + (int64_t)l->index[r * m + c] * d;
            for (int64_t i = 0; i < d; i++) {
                z->data[r * l->dim + c * d + i] = e[i];
                if (eps)
                    eps->data[r * l->dim + c * d + i] = e[i] - x[i];
            }
        }
    return VGAE_OK;
}

/* The KL of a one-hot posterior to the uniform prior over K codes: log K per code vector. */
static vgae_status kl(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *const *heads, double *per_row,
                      double *total)
{
    (void)ctx;
    const double row = (double)l->options.codes * log((double)l->options.codebook);
    for (int64_t r = 0; per_row && r < heads[0]->rows; r++)
        per_row[r] = row;
    *total = row * (double)heads[0]->rows;
    return VGAE_OK;
}

/* (1 + commitment) ||z_e - z_q||^2, summed in double */
static vgae_status penalty(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *const *heads, double *total)
{
    const vgae_mat *ze = heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    double s = 0;
    vgae_status st = picks(ctx, l, ze);
    if (st)
        return st;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const vgae_real *x = ze->data + r * l->dim + c * d;
            const vgae_real *e = l->codebook.data + (int64_t)l->index[r * m + c] * d;
            for (int64_t i = 0; i < d; i++) {
                const double t = (double)x[i] - (double)e[i];
                s += t * t;
            }
        }
    *total = (1.0 + l->options.commitment) * s;
    return VGAE_OK;
}

/* d z_e = dz (straight through z_q) + commitment * 2 (z_e - z_q); the
 * codebook's gradient gets 2 (z_q - z_e) at each picked code (the codebook
 * loss), added to what it holds; the picks are counted. The KL is a
 * constant: kl_weight changes nothing. */
static vgae_status backward(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *const *heads, const vgae_mat *eps,
                            const vgae_mat *dz, double kl_weight, vgae_mat *const *d_heads)
{
    (void)eps;
    (void)kl_weight;
    const vgae_mat *ze = heads[0];
    vgae_mat *dze = d_heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    const double beta = l->options.commitment;
    vgae_status st = picks(ctx, l, ze);
    if (st)
        return st;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const int64_t at = r * l->dim + c * d;
            const int32_t k = l->index[r * m + c];
            const vgae_real *e = l->codebook.data + (int64_t)k * d;
            vgae_real *g = l->codebook_grad.data + (int64_t)k * d;
            l->usage[k]++;
            if (l->step_n)
                l->step_n[k] += 1;
            for (int64_t i = 0; i < d; i++) {
                const double diff = (double)ze->data[at + i] - (double)e[i];
                const double through = dz ? (double)dz->data[at + i] : 0.0;
                dze->data[at + i] = (vgae_real)(through + 2.0 * beta * diff);
                if (l->step_m) /* the codebook follows moving averages, not its gradient */
                    l->step_m[(int64_t)k * d + i] += ze->data[at + i];
                else
                    g[i] = (vgae_real)((double)g[i] - 2.0 * diff);
            }
        }
    return VGAE_OK;
}

vgae_status vgae_latent_vq_update(vgae_ctx *ctx, vgae_latent *l)
{
    (void)ctx;
    if (l->kind != &vgae_latent_vq || !l->ema_n)
        return VGAE_OK;
    const int64_t k = l->codebook.rows, d = l->codebook.cols;
    const double g = l->options.ema, eps = 1e-5;
    double total = 0;
    for (int64_t j = 0; j < k; j++) {
        l->ema_n[j] = g * l->ema_n[j] + (1 - g) * l->step_n[j];
        total += l->ema_n[j];
        for (int64_t i = 0; i < d; i++)
            l->ema_m[j * d + i] = g * l->ema_m[j * d + i] + (1 - g) * l->step_m[j * d + i];
    }
    for (int64_t j = 0; j < k; j++) {
        const double n = (l->ema_n[j] + eps) / (total + (double)k * eps) * total; /* Laplace smoothing */
        for (int64_t i = 0; i < d; i++)
            l->codebook.data[j * d + i] = (vgae_real)(l->ema_m[j * d + i] / n);
        l->step_n[j] = 0;
    }
    memset(l->step_m, 0, sizeof *l->step_m * (size_t)(k * d));
    l->picked_for = NULL; /* the codebook changed */
    return VGAE_OK;
}

vgae_status vgae_latent_vq_restart(vgae_ctx *ctx, vgae_latent *l, const vgae_mat *z_e, vgae_rng *rng, int *restarted)
{
    *restarted = 0;
    if (l->kind != &vgae_latent_vq)
        return vgae_fail(ctx, VGAE_EINVAL, "code restarts need a vq latent layer, not '%s'", l->kind->name);
    if (z_e->cols != l->dim || z_e->rows < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "restarts need some rows of z_e of %lld columns", (long long)l->dim);
    const int64_t m = l->options.codes, d = l->dim / m, vectors = z_e->rows * m;
    l->picked_for = NULL; /* the codebook changes */
    for (int64_t k = 0; k < l->codebook.rows; k++) {
        if (l->usage[k] == 0) {
            const int64_t v = (int64_t)vgae_rng_below(rng, (uint64_t)vectors);
            memcpy(l->codebook.data + k * d, z_e->data + (v / m) * l->dim + (v % m) * d, sizeof(vgae_real) * (size_t)d);
            if (l->ema_n) { /* the moving averages start again from the new place */
                l->ema_n[k] = 1;
                for (int64_t i = 0; i < d; i++)
                    l->ema_m[k * d + i] = l->codebook.data[k * d + i];
            }
            ++*restarted;
        }
        l->usage[k] = 0;
    }
    return VGAE_OK;
}

const vgae_latent_ops vgae_latent_vq = {
    .name = "vq",
    .heads = 1,
    .head_names = {"z_e"},
    .stochastic = 0,
    .sample = sample,
    .kl = kl,
    .backward = backward,
    .penalty = penalty,
    .log_ratio = NULL,
};
