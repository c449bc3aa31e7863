/* The dense image VAE: MLP encoder and decoder around the shared Gaussian layer and ELBO. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/model_internal.h"
#include "vgae/vgae.h"
#include "vgae/image_vae.h"
#include "vgae/likelihood.h"
#include "vgae/model_file.h"
#include "vgae/stochastic.h"

vgae_vae_options vgae_vae_defaults(void)
{
    vgae_vae_options o = {.n_hidden = 1, .hidden = {400}, .latent = 20, .batch = 128,
                          .lr = 1e-3, .epochs = 10, .beta = 1.0, .binarize = VGAE_BINARIZE_NONE};
    return o;
}

/* The first rows of m, as a matrix of its own (not to be destroyed). */
static vgae_mat rows_of(const vgae_mat *m, int64_t rows)
{
    vgae_mat v = {rows, m->cols, m->data};
    return v;
}

static int n_dec(const vgae_vae *v)
{
    return v->options.n_hidden + 1;
}

void vgae_vae_free(vgae_vae *v)
{
    if (!v)
        return;
    for (int i = 0; i < VGAE_VAE_MAX_HIDDEN; i++) {
        vgae_linear_destroy(&v->enc[i]);
        vgae_mat_destroy(&v->a_enc[i]);
        vgae_mat_destroy(&v->d_enc[i]);
    }
    for (int j = 0; j <= VGAE_VAE_MAX_HIDDEN; j++) {
        vgae_linear_destroy(&v->dec[j]);
        vgae_mat_destroy(&v->a_dec[j]);
        vgae_mat_destroy(&v->d_dec[j]);
    }
    vgae_linear_destroy(&v->mu);
    vgae_linear_destroy(&v->lv);
    vgae_mat *mats[] = {&v->x, &v->target, &v->mean, &v->logvar, &v->dmean, &v->dlogvar, &v->z, &v->eps};
    for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
        vgae_mat_destroy(mats[k]);
    vgae_params_destroy(&v->params);
    vgae_adam_destroy(&v->adam);
    vgae_elbo_work_destroy(&v->elbo);
    free(v->order);
    free(v);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_vae_options *o, int32_t input)
{
    if (input < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "images of %d pixels", input);
    if (o->n_hidden < 1 || o->n_hidden > VGAE_VAE_MAX_HIDDEN)
        return vgae_fail(ctx, VGAE_EINVAL, "the image VAE takes 1 to %d hidden layers, not %d",
                         VGAE_VAE_MAX_HIDDEN, o->n_hidden);
    for (int i = 0; i < o->n_hidden; i++)
        if (o->hidden[i] < 1 || o->hidden[i] > 65536)
            return vgae_fail(ctx, VGAE_EINVAL, "hidden layer %d has %d units", i + 1, o->hidden[i]);
    if (o->latent < 1 || o->latent > 65536 || o->batch < 1 || o->batch > 1 << 16 || o->epochs < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "latent %d, batch %d and epochs %d must be positive",
                         o->latent, o->batch, o->epochs);
    if (!(o->beta >= 0) || !isfinite(o->beta))
        return vgae_fail(ctx, VGAE_EINVAL, "beta must be finite and >= 0, not %g", o->beta);
    if (o->binarize != VGAE_BINARIZE_NONE && o->binarize != VGAE_BINARIZE_DYNAMIC)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown binarization %d", (int)o->binarize);
    return VGAE_OK;
}

vgae_status vgae_vae_new(vgae_ctx *ctx, const vgae_vae_options *options, int32_t input, vgae_vae **out)
{
    *out = NULL;
    vgae_status st = check_options(ctx, options, input);
    if (st)
        return st;
    vgae_vae *v = vgae_calloc(ctx, 1, sizeof *v);
    if (!v)
        return VGAE_ENOMEM;
    v->options = *options;
    v->input = input;
    const vgae_vae_options *o = options;
    const int64_t cap = v->capacity = o->batch;
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    char name[32];
    /* encoder: input -> hidden[0] -> ... -> hidden[n-1] */
    int64_t prev = input;
    for (int i = 0; !st && i < o->n_hidden; i++) {
        st = vgae_linear_init(ctx, &v->enc[i], prev, o->hidden[i], 1, init);
        snprintf(name, sizeof name, "enc%d", i);
        if (!st) st = vgae_linear_params(ctx, &v->enc[i], name, &v->params);
        if (!st) st = vgae_mat_init(ctx, &v->a_enc[i], cap, o->hidden[i]);
        if (!st) st = vgae_mat_init(ctx, &v->d_enc[i], cap, o->hidden[i]);
        prev = o->hidden[i];
    }
    if (!st) st = vgae_linear_init(ctx, &v->mu, prev, o->latent, 1, init);
    if (!st) st = vgae_linear_init(ctx, &v->lv, prev, o->latent, 1, init);
    if (!st) st = vgae_linear_params(ctx, &v->mu, "mu", &v->params);
    if (!st) st = vgae_linear_params(ctx, &v->lv, "logvar", &v->params);
    /* decoder: latent -> hidden[n-1] -> ... -> hidden[0] -> input */
    prev = o->latent;
    for (int j = 0; !st && j < n_dec(v); j++) {
        int64_t next = j < o->n_hidden ? o->hidden[o->n_hidden - 1 - j] : input;
        st = vgae_linear_init(ctx, &v->dec[j], prev, next, 1, init);
        snprintf(name, sizeof name, "dec%d", j);
        if (!st) st = vgae_linear_params(ctx, &v->dec[j], name, &v->params);
        if (!st) st = vgae_mat_init(ctx, &v->a_dec[j], cap, next);
        if (!st) st = vgae_mat_init(ctx, &v->d_dec[j], cap, next);
        prev = next;
    }
    vgae_mat *work[] = {&v->mean, &v->logvar, &v->dmean, &v->dlogvar, &v->z, &v->eps};
    for (size_t k = 0; !st && k < sizeof work / sizeof work[0]; k++)
        st = vgae_mat_init(ctx, work[k], cap, o->latent);
    if (!st) st = vgae_mat_init(ctx, &v->x, cap, input);
    if (!st) st = vgae_mat_init(ctx, &v->target, cap, input);
    if (!st) {
        vgae_adam_options ao = vgae_adam_defaults();
        ao.lr = o->lr;
        st = vgae_adam_init(ctx, &v->adam, &v->params, &ao);
    }
    if (st) {
        vgae_vae_free(v);
        return st;
    }
    *out = v;
    return VGAE_OK;
}

/* Encoder forward for the first `rows` rows of v->x: a_enc, mean, logvar. */
static vgae_status encode_rows(vgae_ctx *ctx, vgae_vae *v, int64_t rows)
{
    vgae_mat in = rows_of(&v->x, rows);
    vgae_status st = VGAE_OK;
    for (int i = 0; !st && i < v->options.n_hidden; i++) {
        vgae_mat out = rows_of(&v->a_enc[i], rows);
        st = vgae_linear_forward(ctx, &v->enc[i], &in, &out);
        if (!st)
            st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &out, &out);
        in = out;
    }
    vgae_mat mean = rows_of(&v->mean, rows), logvar = rows_of(&v->logvar, rows);
    if (!st)
        st = vgae_linear_forward(ctx, &v->mu, &in, &mean);
    if (!st)
        st = vgae_linear_forward(ctx, &v->lv, &in, &logvar);
    return st;
}

/* Decoder forward from z: the logits end up in a_dec[last]. */
static vgae_status decode_rows(vgae_ctx *ctx, vgae_vae *v, const vgae_mat *z)
{
    vgae_mat in = *z;
    vgae_status st = VGAE_OK;
    for (int j = 0; !st && j < n_dec(v); j++) {
        vgae_mat out = rows_of(&v->a_dec[j], z->rows);
        st = vgae_linear_forward(ctx, &v->dec[j], &in, &out);
        if (!st && j + 1 < n_dec(v))
            st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &out, &out);
        in = out;
    }
    return st;
}

typedef struct {
    vgae_vae *vae;
    const vgae_real *target;
} decode_call;

/* The ELBO's decoder: z -> logits -> Bernoulli NLL of the targets, and back to dz. */
static vgae_status decode_cb(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                             vgae_mat *dz, double *nll)
{
    decode_call *call = self;
    vgae_vae *v = call->vae;
    const int64_t rows = z->rows, last = n_dec(v) - 1;
    vgae_status st = decode_rows(ctx, v, z);
    vgae_mat dlogits = rows_of(&v->d_dec[last], rows);
    if (!st)
        st = vgae_bernoulli_nll(ctx, v->a_dec[last].data, call->target, rows * v->input, NULL,
                                grad_scale, dz ? dlogits.data : NULL, nll);
    if (st || !dz)
        return st;
    for (int64_t j = last; !st && j >= 0; j--) {
        vgae_mat g = rows_of(&v->d_dec[j], rows);
        vgae_mat in = j > 0 ? rows_of(&v->a_dec[j - 1], rows) : *z;
        vgae_mat din = j > 0 ? rows_of(&v->d_dec[j - 1], rows) : *dz;
        st = vgae_linear_backward(ctx, &v->dec[j], &in, &g, &din);
        if (!st && j > 0)
            st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &in, &din, &din);
    }
    return st;
}

/* Encoder backward from dmean and dlogvar (their first rows). */
static vgae_status encoder_backward(vgae_ctx *ctx, vgae_vae *v, int64_t rows)
{
    const int n = v->options.n_hidden;
    vgae_mat top = rows_of(&v->a_enc[n - 1], rows), dtop = rows_of(&v->d_enc[n - 1], rows);
    vgae_mat dmean = rows_of(&v->dmean, rows), dlogvar = rows_of(&v->dlogvar, rows);
    vgae_status st = vgae_linear_backward(ctx, &v->mu, &top, &dmean, &dtop);
    /* dtop += dlogvar Wlv^T: the logvar layer's backward writes into d_dec[0]
     * (rows x hidden[n-1], free once the decoder's backward is done), then add */
    vgae_mat scratch = rows_of(&v->d_dec[0], rows);
    if (!st)
        st = vgae_linear_backward(ctx, &v->lv, &top, &dlogvar, &scratch);
    for (int64_t k = 0; !st && k < rows * top.cols; k++)
        dtop.data[k] += scratch.data[k];
    for (int i = n - 1; !st && i >= 0; i--) {
        vgae_mat a = rows_of(&v->a_enc[i], rows), d = rows_of(&v->d_enc[i], rows);
        st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &a, &d, &d);
        vgae_mat in = i > 0 ? rows_of(&v->a_enc[i - 1], rows) : rows_of(&v->x, rows);
        vgae_mat din = i > 0 ? rows_of(&v->d_enc[i - 1], rows) : (vgae_mat){0};
        if (!st)
            st = vgae_linear_backward(ctx, &v->enc[i], &in, &d, i > 0 ? &din : NULL);
    }
    return st;
}

/* The loss of the rows already in v->x against target. */
static vgae_status loss_rows(vgae_ctx *ctx, vgae_vae *v, const vgae_real *target, int64_t rows,
                             int sample, int backward, vgae_elbo_terms *terms)
{
    vgae_elbo_config cfg = vgae_elbo_defaults();
    cfg.beta = v->options.beta;
    cfg.sample = sample;
    if (backward)
        vgae_params_zero_grad(&v->params);
    vgae_status st = encode_rows(ctx, v, rows);
    vgae_mat mean = rows_of(&v->mean, rows), logvar = rows_of(&v->logvar, rows);
    vgae_mat dmean = rows_of(&v->dmean, rows), dlogvar = rows_of(&v->dlogvar, rows);
    decode_call call = {v, target};
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, &mean, &logvar, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE),
                               decode_cb, &call, &v->elbo, backward ? &dmean : NULL,
                               backward ? &dlogvar : NULL, terms);
    if (!st && backward)
        st = encoder_backward(ctx, v, rows);
    return st;
}

vgae_status vgae_vae_loss(vgae_ctx *ctx, vgae_vae *v, const vgae_real *x, const vgae_real *target,
                          int64_t rows, int sample, int backward, vgae_elbo_terms *terms)
{
    if (rows < 1 || rows > v->capacity)
        return vgae_fail(ctx, VGAE_EINVAL, "a batch of %lld rows (1..%lld)", (long long)rows,
                         (long long)v->capacity);
    memcpy(v->x.data, x, sizeof(vgae_real) * (size_t)(rows * v->input));
    return loss_rows(ctx, v, target, rows, sample, backward, terms);
}

/* Copies images idx[0..rows) into v->x; with dynamic binarization draws
 * each pixel as 1 with probability its value (VGAE_STREAM_DATA). */
static void fill_batch(vgae_ctx *ctx, vgae_vae *v, const vgae_real *pixels, const int64_t *idx,
                       int64_t first, int64_t rows, int binarize)
{
    const int64_t d = v->input;
    for (int64_t r = 0; r < rows; r++)
        memcpy(v->x.data + r * d, pixels + (idx ? idx[r] : first + r) * d, sizeof(vgae_real) * (size_t)d);
    if (!binarize)
        return;
    vgae_rng_uniform_fill_real(vgae_ctx_rng(ctx, VGAE_STREAM_DATA), v->target.data, rows * d, 0, 1,
                               vgae_ctx_threads(ctx));
    for (int64_t k = 0; k < rows * d; k++)
        v->x.data[k] = v->target.data[k] < v->x.data[k] ? 1 : 0;
}

vgae_status vgae_vae_train_epoch(vgae_ctx *ctx, vgae_vae *v, const vgae_real *pixels, int64_t n,
                                 double *loss)
{
    *loss = NAN;
    if (n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "no training images");
    if (v->order_n != n) {
        free(v->order);
        v->order = vgae_alloc(ctx, (size_t)n, sizeof *v->order);
        v->order_n = v->order ? n : 0;
        if (!v->order)
            return VGAE_ENOMEM;
    }
    vgae_rng_permutation(vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE), v->order, n);
    double sum = 0.0;
    for (int64_t first = 0; first < n; first += v->capacity) {
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        vgae_elbo_terms t;
        fill_batch(ctx, v, pixels, v->order + first, 0, rows,
                   v->options.binarize == VGAE_BINARIZE_DYNAMIC);
        vgae_status st = loss_rows(ctx, v, v->x.data, rows, 1, 1, &t);
        if (!st && !isfinite(t.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g in epoch %lld: training diverged "
                           "(try a smaller --lr)", t.loss, (long long)v->epoch + 1);
        if (st)
            return st;
        vgae_adam_step(ctx, &v->adam);
        sum += t.nll + t.kl; /* the negative ELBO, whatever beta is */
    }
    v->epoch++;
    *loss = sum / (double)n;
    return VGAE_OK;
}

vgae_status vgae_vae_evaluate(vgae_ctx *ctx, vgae_vae *v, const vgae_real *targets, int64_t n,
                              double *per_image, vgae_vae_figures *out)
{
    *out = (vgae_vae_figures){NAN, NAN, NAN, n};
    double recon = 0.0, kl = 0.0, row_kl[1024], row_rec, batch_kl;
    const int64_t step = v->capacity < 1024 ? v->capacity : 1024, d = v->input;
    for (int64_t first = 0; first < n; first += step) {
        const int64_t rows = n - first < step ? n - first : step;
        fill_batch(ctx, v, targets, NULL, first, rows, 0);
        vgae_mat mean = rows_of(&v->mean, rows), logvar = rows_of(&v->logvar, rows);
        vgae_mat eps = rows_of(&v->eps, rows), z = rows_of(&v->z, rows);
        vgae_status st = encode_rows(ctx, v, rows);
        if (!st)
            st = vgae_gaussian_sample(ctx, &mean, &logvar, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), &eps, &z);
        if (!st)
            st = vgae_gaussian_kl(ctx, &mean, &logvar, row_kl, &batch_kl);
        if (!st)
            st = decode_rows(ctx, v, &z);
        for (int64_t r = 0; !st && r < rows; r++) {
            st = vgae_bernoulli_nll(ctx, v->a_dec[n_dec(v) - 1].data + r * d, targets + (first + r) * d,
                                    d, NULL, 0, NULL, &row_rec);
            recon += row_rec;
            kl += row_kl[r];
            if (per_image)
                per_image[first + r] = row_rec + row_kl[r];
        }
        if (st)
            return st;
    }
    out->recon = recon / (double)n;
    out->kl = kl / (double)n;
    out->neg_elbo = out->recon + out->kl;
    return VGAE_OK;
}

vgae_status vgae_vae_iwae(vgae_ctx *ctx, vgae_vae *v, const vgae_real *targets, int64_t n, int k,
                          vgae_count_fn progress, void *user, double *nll)
{
    *nll = NAN;
    if (k < 1 || n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "IWAE needs k >= 1 samples and images (k %d, %lld images)",
                         k, (long long)n);
    const int64_t d = v->input, l = v->options.latent, chunk = v->capacity;
    double total = 0.0, ratio[1 << 10];
    double *lw = vgae_alloc(ctx, (size_t)chunk, sizeof *lw), *ratios = chunk <= 1024 ? ratio : NULL;
    if (!lw)
        return VGAE_ENOMEM;
    if (!ratios)
        ratios = vgae_alloc(ctx, (size_t)chunk, sizeof *ratios);
    vgae_status st = ratios ? VGAE_OK : VGAE_ENOMEM;
    for (int64_t i = 0; !st && i < n; i++) {
        const vgae_real *x = targets + i * d;
        memcpy(v->x.data, x, sizeof(vgae_real) * (size_t)d);
        st = encode_rows(ctx, v, 1);
        for (int64_t r = 1; !st && r < chunk; r++) { /* the image's q(z|x) in every row */
            memcpy(v->mean.data + r * l, v->mean.data, sizeof(vgae_real) * (size_t)l);
            memcpy(v->logvar.data + r * l, v->logvar.data, sizeof(vgae_real) * (size_t)l);
        }
        /* log (1/k sum_j w_j), kept as max + log(sum exp(lw - max)) */
        double max = -INFINITY, sum = 0.0;
        for (int64_t done = 0; !st && done < k; done += chunk) {
            const int64_t rows = k - done < chunk ? k - done : chunk;
            vgae_mat mean = rows_of(&v->mean, rows), logvar = rows_of(&v->logvar, rows);
            vgae_mat eps = rows_of(&v->eps, rows), z = rows_of(&v->z, rows);
            st = vgae_gaussian_sample(ctx, &mean, &logvar, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), &eps, &z);
            if (!st)
                st = vgae_gaussian_log_ratio(ctx, &logvar, &eps, &z, ratios);
            if (!st)
                st = decode_rows(ctx, v, &z);
            for (int64_t r = 0; !st && r < rows; r++) {
                double rec;
                st = vgae_bernoulli_nll(ctx, v->a_dec[n_dec(v) - 1].data + r * d, x, d, NULL, 0,
                                        NULL, &rec);
                lw[r] = -rec - ratios[r]; /* log p(x|z) + log p(z) - log q(z|x) */
            }
            for (int64_t r = 0; !st && r < rows; r++) {
                if (lw[r] > max) {
                    sum = sum * exp(max - lw[r]) + 1.0;
                    max = lw[r];
                } else {
                    sum += exp(lw[r] - max);
                }
            }
        }
        total += -(max + log(sum) - log((double)k));
        if (progress)
            progress(user, i + 1, n);
    }
    free(lw);
    if (ratios != ratio)
        free(ratios);
    if (!st)
        *nll = total / (double)n;
    return st;
}

vgae_status vgae_vae_encode(vgae_ctx *ctx, vgae_vae *v, const vgae_real *x, int64_t n, vgae_mat *out)
{
    vgae_status st = vgae_mat_ensure(ctx, out, n, v->options.latent);
    for (int64_t first = 0; !st && first < n; first += v->capacity) {
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        fill_batch(ctx, v, x, NULL, first, rows, 0);
        st = encode_rows(ctx, v, rows);
        if (!st)
            memcpy(out->data + first * v->options.latent, v->mean.data,
                   sizeof(vgae_real) * (size_t)(rows * v->options.latent));
    }
    return st;
}

vgae_status vgae_vae_decode(vgae_ctx *ctx, vgae_vae *v, const vgae_mat *z, vgae_mat *out)
{
    if (z->cols != v->options.latent)
        return vgae_fail(ctx, VGAE_EINVAL, "z has %lld columns, the model's latent space %d",
                         (long long)z->cols, v->options.latent);
    vgae_status st = vgae_mat_ensure(ctx, out, z->rows, v->input);
    const int64_t last = n_dec(v) - 1;
    for (int64_t first = 0; !st && first < z->rows; first += v->capacity) {
        const int64_t rows = z->rows - first < v->capacity ? z->rows - first : v->capacity;
        vgae_mat zr = {rows, z->cols, z->data + first * z->cols};
        st = decode_rows(ctx, v, &zr);
        for (int64_t k = 0; !st && k < rows * v->input; k++)
            out->data[first * v->input + k] = (vgae_real)(1.0 / (1.0 + exp(-(double)v->a_dec[last].data[k])));
    }
    return st;
}

/* ---- model files ---- */
vgae_status vgae_vae_save(vgae_ctx *ctx, const char *path, const vgae_vae *v, const char *extra_meta)
{
    const vgae_vae_options *o = &v->options;
    char hidden[128] = "", num[2][32], *text;
    for (int i = 0; i < o->n_hidden; i++)
        snprintf(hidden + strlen(hidden), sizeof hidden - strlen(hidden), "%s%d", i ? "," : "", o->hidden[i]);
    size_t size = 1024 + (extra_meta ? strlen(extra_meta) : 0);
    text = vgae_alloc(ctx, size, 1);
    if (!text)
        return VGAE_ENOMEM;
    snprintf(text, size,
             "kind image-vae\ninput %d\nhidden %s\nlatent %d\nbatch %d\nlr %s\nepochs %d\n"
             "beta %s\nbinarize %s\nepochs_trained %lld\n%s",
             v->input, hidden, o->latent, o->batch, vgae_format_double(num[0], o->lr), o->epochs,
             vgae_format_double(num[1], o->beta),
             o->binarize == VGAE_BINARIZE_DYNAMIC ? "dynamic" : "none", (long long)v->epoch,
             extra_meta ? extra_meta : "");
    vgae_status st = vgae_container_write(ctx, path, text, &v->params, NULL);
    free(text);
    return st;
}

/* Reads a positive integer metadata value. */
static int meta_int(const char *text, const char *key, long *out)
{
    char buf[64], *end;
    if (!vgae_meta_get(text, key, buf, sizeof buf))
        return 0;
    *out = strtol(buf, &end, 10);
    return end != buf && *end == '\0';
}

vgae_status vgae_vae_load(vgae_ctx *ctx, const char *path, vgae_vae **out, char **meta_text)
{
    *out = NULL;
    if (meta_text)
        *meta_text = NULL;
    vgae_container *c = NULL;
    vgae_status st = vgae_container_read(ctx, path, &c);
    if (st)
        return st;
    char kind[32] = "", buf[128], *end;
    vgae_vae_options o = vgae_vae_defaults();
    long input = 0, latent = 0, batch = 0, epochs = 0, trained = 0;
    if (!vgae_meta_get(c->meta_text, "kind", kind, sizeof kind) || strcmp(kind, "image-vae") != 0) {
        st = vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "not an image VAE model (kind '%s')", kind);
        goto done;
    }
    if (!meta_int(c->meta_text, "input", &input) || !meta_int(c->meta_text, "latent", &latent) ||
        !meta_int(c->meta_text, "batch", &batch) || !meta_int(c->meta_text, "epochs", &epochs) ||
        !vgae_meta_get(c->meta_text, "hidden", buf, sizeof buf) || input < 1 || input > 1 << 24 ||
        latent < 1 || latent > 65536 || batch < 1 || batch > 1 << 16) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad image VAE metadata");
        goto done;
    }
    meta_int(c->meta_text, "epochs_trained", &trained);
    o.n_hidden = 0;
    for (char *p = buf; *p; p = *end ? end + 1 : end) {
        long h = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || h < 1 || h > 65536 ||
            o.n_hidden == VGAE_VAE_MAX_HIDDEN) {
            o.n_hidden = 0; /* refused just below */
            break;
        }
        o.hidden[o.n_hidden++] = (int)h;
    }
    o.latent = (int)latent;
    o.batch = (int)batch;
    o.epochs = (int)epochs;
    /* the stored tensors must add up to the layers the metadata describes
     * before anything is allocated from its sizes */
    {
        int64_t want = 0, have = 0, prev = input;
        for (int i = 0; i < o.n_hidden; i++) {
            want += (prev + 1) * (int64_t)o.hidden[i];
            prev = o.hidden[i];
        }
        want += 2 * (prev + 1) * latent; /* mean and logvar */
        prev = latent;
        for (int j = o.n_hidden - 1; j >= -1; j--) {
            int64_t next = j >= 0 ? o.hidden[j] : input;
            want += (prev + 1) * next;
            prev = next;
        }
        for (int t = 0; t < c->n_tensors; t++)
            have += vgae_mat_size(&c->tensors[t]);
        if (o.n_hidden < 1 || want != have) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: the metadata "
                              "describes %lld weights, the file holds %lld", (long long)want,
                              (long long)have);
            goto done;
        }
    }
    if (vgae_meta_get(c->meta_text, "lr", buf, sizeof buf))
        o.lr = strtod(buf, NULL);
    if (vgae_meta_get(c->meta_text, "beta", buf, sizeof buf))
        o.beta = strtod(buf, NULL);
    if (vgae_meta_get(c->meta_text, "binarize", buf, sizeof buf))
        o.binarize = strcmp(buf, "dynamic") == 0 ? VGAE_BINARIZE_DYNAMIC : VGAE_BINARIZE_NONE;
    st = vgae_vae_new(ctx, &o, (int32_t)input, out);
    if (st)
        vgae_fail_prefix(ctx, "%s: ", path);
    for (int p = 0; !st && p < (*out)->params.count; p++) {
        const vgae_param *par = &(*out)->params.items[p];
        const vgae_mat *t = vgae_container_tensor(c, par->name);
        st = t ? vgae_mat_copy(ctx, par->value, t)
               : vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: no tensor '%s'", par->name);
    }
    if (!st) {
        (*out)->epoch = trained;
        if (meta_text) {
            *meta_text = c->meta_text;
            c->meta_text = NULL;
        }
    }
done:
    if (st) {
        vgae_vae_free(*out);
        *out = NULL;
    }
    vgae_container_free(c);
    return st;
}
