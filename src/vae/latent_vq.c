/* The "vq" latent layer (van den Oord, Vinyals & Kavukcuoglu 2017): each of a row's M code vectors is
 * replaced by its nearest codebook vector; the gradient passes straight through; codebook and commitment
 * losses pull the two together. */
#include <math.h>
#include <string.h>

#include "vae/latent_impl.h"

/* The index of the codebook row nearest to x (d values), in squared
 * distance summed in double; ties go to the lower index. */
static int32_t nearest(const vgae_latent *l, const vgae_real *x, int64_t d)
{
    const int64_t k = l->codebook.rows;
    int32_t best = 0;
    double best_d = INFINITY;
    for (int64_t j = 0; j < k; j++) {
        const vgae_real *e = l->codebook.data + j * d;
        double s = 0;
        for (int64_t i = 0; i < d; i++) {
            const double t = (double)x[i] - (double)e[i];
            s += t * t;
        }
        if (s < best_d) {
            best_d = s;
            best = (int32_t)j;
        }
    }
    return best;
}

vgae_status vgae_latent_vq_assign(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *z_e, int32_t *index)
{
    if (l->kind != &vgae_latent_vq)
        return vgae_fail(ctx, VGAE_EINVAL, "code assignments need a vq latent layer, not '%s'", l->kind->name);
    if (z_e->cols != l->dim)
        return vgae_fail(ctx, VGAE_EINVAL, "z_e has %lld columns, the layer %lld", (long long)z_e->cols,
                         (long long)l->dim);
    const int64_t m = l->options.codes, d = l->dim / m;
    for (int64_t r = 0; r < z_e->rows; r++)
        for (int64_t c = 0; c < m; c++)
            index[r * m + c] = nearest(l, z_e->data + r * l->dim + c * d, d);
    return VGAE_OK;
}

/* z = z_q; eps (if given) = z_q - z_e. The noise stream is not used. */
static vgae_status sample(vgae_ctx *ctx, const vgae_latent *l, const vgae_mat *const *heads, vgae_rng *noise,
                          vgae_mat *eps, vgae_mat *z)
{
    (void)ctx;
    (void)noise;
    const vgae_mat *ze = heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const vgae_real *x = ze->data + r * l->dim + c * d;
            const vgae_real *e = l->codebook.data + (int64_t)nearest(l, x, d) * d;
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
    (void)ctx;
    const vgae_mat *ze = heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    double s = 0;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const vgae_real *x = ze->data + r * l->dim + c * d;
            const vgae_real *e = l->codebook.data + (int64_t)nearest(l, x, d) * d;
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
    (void)ctx;
    (void)eps;
    (void)kl_weight;
    const vgae_mat *ze = heads[0];
    vgae_mat *dze = d_heads[0];
    const int64_t m = l->options.codes, d = l->dim / m;
    const double beta = l->options.commitment;
    for (int64_t r = 0; r < ze->rows; r++)
        for (int64_t c = 0; c < m; c++) {
            const int64_t at = r * l->dim + c * d;
            const int32_t k = nearest(l, ze->data + at, d);
            const vgae_real *e = l->codebook.data + (int64_t)k * d;
            vgae_real *g = l->codebook_grad.data + (int64_t)k * d;
            l->usage[k]++;
            for (int64_t i = 0; i < d; i++) {
                const double diff = (double)ze->data[at + i] - (double)e[i];
                const double through = dz ? (double)dz->data[at + i] : 0.0;
                dze->data[at + i] = (vgae_real)(through + 2.0 * beta * diff);
                g[i] = (vgae_real)((double)g[i] - 2.0 * diff);
            }
        }
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
    for (int64_t k = 0; k < l->codebook.rows; k++) {
        if (l->usage[k] == 0) {
            const int64_t v = (int64_t)vgae_rng_below(rng, (uint64_t)vectors);
            memcpy(l->codebook.data + k * d, z_e->data + (v / m) * l->dim + (v % m) * d, sizeof(vgae_real) * (size_t)d);
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
