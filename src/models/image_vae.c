/* The dense image VAE: MLP encoder and decoder around the shared latent layer and ELBO. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/concat.h"
#include "models/image_vae_impl.h"
#include "nn/internal.h"
#include "vgae/vae/likelihood.h"

vgae_image_vae_options vgae_image_vae_defaults(void)
{
    vgae_image_vae_options o = {.n_hidden = 1, .hidden = {400}, .latent = 20, .batch = 128,
                                .lr = 1e-3, .epochs = 10, .beta = 1.0,
                                .binarize = VGAE_BINARIZE_NONE, .kl = vgae_kl_schedule_defaults(),
                                .latent_kind = VGAE_IMAGE_GAUSSIAN, .vq = vgae_latent_defaults(), .restart = 1};
    return o;
}

/* The parameter names of the encoder's output layers, one per latent head. */
static const char *const head_names[VGAE_LATENT_MAX_HEADS] = {"mu", "logvar"};

/* Rows first..first+rows-1 of m, as a matrix of its own (not to be destroyed). */
static vgae_mat rows_at(const vgae_mat *m, int64_t first, int64_t rows)
{
    vgae_mat v = {rows, m->cols, m->data + first * m->cols};
    return v;
}

/* The first rows of m. */
static vgae_mat rows_of(const vgae_mat *m, int64_t rows)
{
    return rows_at(m, 0, rows);
}

/* ---- lanes ----
 * A batch's rows are cut into lanes of LANE_ROWS rows or more (at most
 * LANE_MAX lanes), as even as possible: a cut that depends on the number
 * of rows alone. Each lane takes its rows through the encoder, the decoder
 * and their backward passes on one thread, with single-threaded kernels;
 * the threads take whole lanes, and meet three times a step (after the
 * encoder, the decoder and the encoder's backward) instead of after every
 * product. The weight gradients are then products over the whole batch
 * (vgae_gemm_batch's fixed blocks, all layers in one loop). Nothing
 * depends on the number of threads. */
#define LANE_ROWS 64
#define LANE_MAX 8

static int64_t lanes_of(int64_t rows)
{
    const int64_t lanes = (rows + LANE_ROWS - 1) / LANE_ROWS;
    return lanes < LANE_MAX ? lanes : LANE_MAX;
}

/* Lane k of a batch of `rows`: its first row and row count. */
static void lane_span(int64_t rows, int64_t k, int64_t *first, int64_t *count)
{
    const int64_t lanes = lanes_of(rows), size = (rows + lanes - 1) / lanes;
    *first = k * size;
    *count = rows - *first < size ? rows - *first : size;
}

/* The work of one lane: rows first..first+rows-1 of the batch. */
typedef vgae_status (*lane_fn)(vgae_ctx *ctx, vgae_image_vae *v, int64_t k, int64_t first, int64_t rows,
                               void *arg);

/* Runs fn on every lane of a batch of `rows`, the lanes shared by the
 * threads; the first failing lane's status. */
static vgae_status run_lanes(vgae_ctx *ctx, vgae_image_vae *v, int64_t rows, lane_fn fn, void *arg)
{
    const int64_t lanes = lanes_of(rows);
    const int threads = vgae_ctx_threads(ctx);
    vgae_status *st = v->lane_status;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && lanes > 1)
    for (int64_t k = 0; k < lanes; k++) {
        int64_t first, count;
        lane_span(rows, k, &first, &count);
        st[k] = fn(ctx, v, k, first, count, arg);
    }
    for (int64_t k = 0; k < lanes; k++)
        if (st[k])
            return st[k];
    return VGAE_OK;
}

static int n_dec(const vgae_image_vae *v)
{
    return v->options.n_hidden + 1;
}

static int n_heads(const vgae_image_vae *v)
{
    return vgae_latent_heads(v->base.latent);
}

void vgae_image_vae_free(vgae_image_vae *v)
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
    for (int h = 0; h < VGAE_LATENT_MAX_HEADS; h++) {
        vgae_linear_destroy(&v->head[h]);
        vgae_mat_destroy(&v->out[h]);
        vgae_mat_destroy(&v->dout[h]);
    }
    vgae_mat *mats[] = {&v->x, &v->target, &v->z, &v->eps, &v->px, &v->zc, &v->dzc, &v->dscratch};
    for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
        vgae_mat_destroy(mats[k]);
    vgae_model_base_destroy(&v->base);
    vgae_elbo_work_destroy(&v->elbo);
    free(v->lane_nll);
    free(v->lane_status);
    free(v->order);
    free(v->y);
    free(v);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_image_vae_options *o, int32_t height,
                                 int32_t width)
{
    if (height < 1 || width < 1 || (int64_t)height * width > (1 << 24))
        return vgae_fail(ctx, VGAE_EINVAL, "images of %d x %d pixels (1 to 2^24 pixels)", height,
                         width);
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
    if (o->latent_kind != VGAE_IMAGE_GAUSSIAN && o->latent_kind != VGAE_IMAGE_VQ)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown latent layer %d for the image VAE", o->latent_kind);
    if (o->latent_kind == VGAE_IMAGE_VQ && o->kl.capacity > 0)
        return vgae_fail(ctx, VGAE_EINVAL, "the capacity objective needs a Gaussian latent layer; a vq "
                         "layer's KL is the constant codes x log K");
    if (o->classes != 0 && (o->classes < 2 || o->classes > 256))
        return vgae_fail(ctx, VGAE_EINVAL, "a conditional VAE takes 2 to 256 classes, not %d", o->classes);
    return vgae_kl_schedule_check(ctx, &o->kl);
}

vgae_status vgae_image_vae_new(vgae_ctx *ctx, const vgae_image_vae_options *options,
                               const vgae_images *images, vgae_image_vae **out)
{
    *out = NULL;
    const int32_t height = images->height, width = images->width;
    vgae_status st = check_options(ctx, options, height, width);
    if (st)
        return st;
    if (images->folder && strlen(images->folder) >= sizeof ((vgae_image_vae *)0)->folder)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: the folder's path is too long to record in a "
                         "model (%zu bytes at most)", images->folder,
                         sizeof ((vgae_image_vae *)0)->folder - 1);
    vgae_image_vae *v = vgae_calloc(ctx, 1, sizeof *v);
    if (!v)
        return VGAE_ENOMEM;
    const vgae_image_vae_options *o = options;
    const int32_t input = height * width;
    v->options = *options;
    v->height = height;
    v->width = width;
    v->input = input;
    v->train_loss = NAN;
    v->reported = (vgae_image_figures){NAN, NAN, NAN, 0};
    if (images->folder)
        memcpy(v->folder, images->folder, strlen(images->folder) + 1);
    const int64_t cap = v->capacity = o->batch;
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    char name[32];
    st = vgae_model_base_init_with(ctx, &v->base, o->latent_kind == VGAE_IMAGE_VQ ? "vq" : "gaussian", o->latent,
                                   &o->vq);
    /* encoder: input (+ the one-hot label) -> hidden[0] -> ... -> hidden[n-1] */
    const int64_t classes = o->classes;
    int64_t prev = input + classes;
    for (int i = 0; !st && i < o->n_hidden; i++) {
        st = vgae_linear_init(ctx, &v->enc[i], prev, o->hidden[i], 1, init);
        snprintf(name, sizeof name, "enc%d", i);
        if (!st) st = vgae_linear_params(ctx, &v->enc[i], name, &v->base.params);
        if (!st) st = vgae_mat_init(ctx, &v->a_enc[i], cap, o->hidden[i]);
        if (!st) st = vgae_mat_init(ctx, &v->d_enc[i], cap, o->hidden[i]);
        prev = o->hidden[i];
    }
    /* one output layer per head of the latent layer (mean, logvar) */
    const int heads = st ? 0 : n_heads(v);
    for (int h = 0; !st && h < heads; h++)
        st = vgae_linear_init(ctx, &v->head[h], prev, o->latent, 1, init);
    for (int h = 0; !st && h < heads; h++)
        st = vgae_linear_params(ctx, &v->head[h], head_names[h], &v->base.params);
    /* decoder: latent (+ the one-hot label) -> hidden[n-1] -> ... -> hidden[0] -> input */
    prev = o->latent + classes;
    for (int j = 0; !st && j < n_dec(v); j++) {
        int64_t next = j < o->n_hidden ? o->hidden[o->n_hidden - 1 - j] : input;
        st = vgae_linear_init(ctx, &v->dec[j], prev, next, 1, init);
        snprintf(name, sizeof name, "dec%d", j);
        if (!st) st = vgae_linear_params(ctx, &v->dec[j], name, &v->base.params);
        if (!st) st = vgae_mat_init(ctx, &v->a_dec[j], cap, next);
        if (!st) st = vgae_mat_init(ctx, &v->d_dec[j], cap, next);
        prev = next;
    }
    for (int h = 0; !st && h < heads; h++) {
        st = vgae_mat_init(ctx, &v->out[h], cap, o->latent);
        if (!st)
            st = vgae_mat_init(ctx, &v->dout[h], cap, o->latent);
    }
    if (!st) st = vgae_mat_init(ctx, &v->z, cap, o->latent);
    if (!st) st = vgae_mat_init(ctx, &v->eps, cap, o->latent);
    if (!st) st = vgae_mat_init(ctx, &v->x, cap, input + classes);
    if (!st) st = vgae_mat_init(ctx, &v->target, cap, input);
    if (!st && classes) {
        st = vgae_mat_init(ctx, &v->px, cap, input);
        if (!st) st = vgae_mat_init(ctx, &v->zc, cap, o->latent + classes);
        if (!st) st = vgae_mat_init(ctx, &v->dzc, cap, o->latent + classes);
        if (!st && !(v->y = vgae_calloc(ctx, (size_t)cap, sizeof *v->y)))
            st = VGAE_ENOMEM;
    }
    if (!st) {
        const int64_t lanes = lanes_of(cap);
        v->layer_params = v->base.params.count;
        v->lane_nll = vgae_calloc(ctx, (size_t)lanes, sizeof *v->lane_nll);
        v->lane_status = v->lane_nll ? vgae_calloc(ctx, (size_t)lanes, sizeof *v->lane_status) : NULL;
        st = v->lane_status ? VGAE_OK : VGAE_ENOMEM;
    }
    if (!st && heads > 1)
        st = vgae_mat_init(ctx, &v->dscratch, cap, o->hidden[o->n_hidden - 1]);
    if (!st) /* the latent layer's own parameters (a vq codebook), last */
        st = vgae_latent_params(ctx, v->base.latent, &v->base.params);
    if (!st)
        st = vgae_model_base_optimizer(ctx, &v->base, o->lr);
    if (st) {
        vgae_image_vae_free(v);
        return st;
    }
    *out = v;
    return VGAE_OK;
}

/* The heads (and their gradients) of the first `rows` rows. */
static void head_rows(vgae_image_vae *v, int64_t rows, vgae_mat out[VGAE_LATENT_MAX_HEADS],
                      vgae_mat dout[VGAE_LATENT_MAX_HEADS], const vgae_mat *heads[VGAE_LATENT_MAX_HEADS],
                      vgae_mat *d_heads[VGAE_LATENT_MAX_HEADS])
{
    for (int h = 0; h < n_heads(v); h++) {
        out[h] = rows_of(&v->out[h], rows);
        dout[h] = rows_of(&v->dout[h], rows);
        heads[h] = &out[h];
        if (d_heads)
            d_heads[h] = &dout[h];
    }
}

/* The rows of pixels in the batch: x itself, or x's pixel part for a
 * conditional model (px, input wide). */
static vgae_real *pixel_rows(vgae_image_vae *v)
{
    return v->options.classes ? v->px.data : v->x.data;
}

/* A conditional model's x = [pixels, one-hot(y)] for rows first.. of the
 * batch from px and the labels of images idx[r] (else images from + r),
 * kept in v->y for the decoder; nothing for an unconditional one. */
static void condition_rows(vgae_image_vae *v, const uint8_t *labels, const int64_t *idx, int64_t from,
                           int64_t first, int64_t rows)
{
    const int64_t c = v->options.classes;
    if (!c)
        return;
    for (int64_t r = first; r < first + rows; r++)
        v->y[r] = labels[idx ? idx[r] : from + r];
    vgae_mat px = rows_at(&v->px, first, rows), x = rows_at(&v->x, first, rows);
    vgae_concat_codes(&px, v->y + first, NULL, c, &x);
}

/* Where a batch's images come from: images idx[r] (else from + r) of
 * pixels (and labels); with binarize, pixel k of row r becomes 1 if
 * v->target's (uniform) value k of row r is below it, else 0. */
typedef struct {
    const float *pixels;
    const uint8_t *labels;
    const int64_t *idx;
    int64_t from;
    int binarize;
} batch_source;

/* Rows first.. of the batch into v->x. */
static void fill_rows(vgae_image_vae *v, const batch_source *b, int64_t first, int64_t rows)
{
    const int64_t d = v->input;
    vgae_real *px = pixel_rows(v);
    for (int64_t r = first; r < first + rows; r++) {
        const float *in = b->pixels + (b->idx ? b->idx[r] : b->from + r) * d;
        vgae_real *to = px + r * d;
        for (int64_t k = 0; k < d; k++)
            to[k] = (vgae_real)in[k];
        if (b->binarize)
            for (int64_t k = 0; k < d; k++)
                to[k] = v->target.data[r * d + k] < to[k] ? 1 : 0;
    }
    condition_rows(v, b->labels, b->idx, b->from, first, rows);
}

/* Encoder forward for one lane's rows of v->x (filled first from the
 * batch_source arg, if any): a_enc, and the heads. */
static vgae_status encode_lane(vgae_ctx *ctx, vgae_image_vae *v, int64_t k, int64_t first, int64_t rows,
                               void *arg)
{
    (void)k;
    if (arg)
        fill_rows(v, arg, first, rows);
    vgae_mat in = rows_at(&v->x, first, rows);
    vgae_status st = VGAE_OK;
    for (int i = 0; !st && i < v->options.n_hidden; i++) {
        vgae_mat out = rows_at(&v->a_enc[i], first, rows);
        st = vgae_linear_forward(ctx, &v->enc[i], &in, &out);
        if (!st)
            st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &out, &out);
        in = out;
    }
    for (int h = 0; !st && h < n_heads(v); h++) {
        vgae_mat out = rows_at(&v->out[h], first, rows);
        st = vgae_linear_forward(ctx, &v->head[h], &in, &out);
    }
    return st;
}

/* Encoder forward for the first `rows` rows of v->x. */
static vgae_status encode_rows(vgae_ctx *ctx, vgae_image_vae *v, int64_t rows)
{
    return run_lanes(ctx, v, rows, encode_lane, NULL);
}

/* What the decoder's lanes do: forward from the batch's z (with the
 * batch's one-hot labels beside it for a conditional model), the logits
 * ending in a_dec[last]; with target, the Bernoulli NLL per lane; with dz,
 * back to dz (grad_scale times d nll / dz) through d_dec, from which
 * weight_gradients then takes the decoder's own gradients. */
typedef struct {
    const vgae_mat *z;
    const vgae_real *target;
    double grad_scale;
    vgae_mat *dz;
    int nll;
} decode_job;

static vgae_status decode_lane(vgae_ctx *ctx, vgae_image_vae *v, int64_t k, int64_t first, int64_t rows,
                               void *arg)
{
    const decode_job *job = arg;
    const int64_t c = v->options.classes, last = n_dec(v) - 1;
    vgae_mat z = rows_at(job->z, first, rows), in = z;
    if (c) {
        in = rows_at(&v->zc, first, rows);
        vgae_concat_codes(&z, v->y + first, NULL, c, &in);
    }
    vgae_status st = VGAE_OK;
    for (int j = 0; !st && j <= last; j++) {
        vgae_mat out = rows_at(&v->a_dec[j], first, rows);
        st = vgae_linear_forward(ctx, &v->dec[j], &in, &out);
        if (!st && j < last)
            st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &out, &out);
        in = out;
    }
    if (st || !job->target)
        return st;
    vgae_mat dlogits = rows_at(&v->d_dec[last], first, rows);
    st = vgae_bernoulli_nll(ctx, rows_at(&v->a_dec[last], first, rows).data, job->target + first * v->input,
                            rows * v->input, NULL, job->grad_scale, job->dz ? dlogits.data : NULL,
                            job->nll ? &v->lane_nll[k] : NULL);
    if (st || !job->dz)
        return st;
    vgae_mat dz = rows_at(job->dz, first, rows);
    for (int64_t j = last; !st && j >= 0; j--) {
        vgae_mat g = rows_at(&v->d_dec[j], first, rows);
        vgae_mat x = j > 0 ? rows_at(&v->a_dec[j - 1], first, rows) : c ? rows_at(&v->zc, first, rows) : z;
        vgae_mat din = j > 0 ? rows_at(&v->d_dec[j - 1], first, rows) : c ? rows_at(&v->dzc, first, rows) : dz;
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1.0, &g, &v->dec[j].w, 0.0, &din);
        if (!st && j > 0)
            st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &x, &din, &din);
    }
    /* the label's columns are inputs, not z: only z's part of the gradient goes back */
    if (!st && c) {
        const vgae_mat dzc = rows_at(&v->dzc, first, rows);
        vgae_concat_codes_backward(&dzc, v->y + first, c, &dz, NULL);
    }
    return st;
}

/* Decoder forward from z: the logits end up in a_dec[last]. */
static vgae_status decode_rows(vgae_ctx *ctx, vgae_image_vae *v, const vgae_mat *z)
{
    decode_job job = {.z = z};
    return run_lanes(ctx, v, z->rows, decode_lane, &job);
}

typedef struct {
    vgae_image_vae *vae;
    const vgae_real *target;
} decode_call;

/* The ELBO's decoder: z -> logits -> Bernoulli NLL of the targets, and back to dz. */
static vgae_status decode_cb(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                             vgae_mat *dz, double *nll)
{
    decode_call *call = self;
    vgae_image_vae *v = call->vae;
    decode_job job = {z, call->target, grad_scale, dz, nll != NULL};
    vgae_status st = run_lanes(ctx, v, z->rows, decode_lane, &job);
    if (!st && nll) {
        *nll = 0.0;
        for (int64_t k = 0; k < lanes_of(z->rows); k++)
            *nll += v->lane_nll[k];
    }
    return st;
}

/* Encoder backward of one lane's rows, from the heads' gradients: the
 * input gradients, layer by layer (d_enc). */
static vgae_status encoder_backward_lane(vgae_ctx *ctx, vgae_image_vae *v, int64_t k, int64_t first,
                                         int64_t rows, void *arg)
{
    (void)k;
    (void)arg;
    const int n = v->options.n_hidden;
    vgae_mat top = rows_at(&v->a_enc[n - 1], first, rows), dtop = rows_at(&v->d_enc[n - 1], first, rows);
    vgae_mat d0 = rows_at(&v->dout[0], first, rows);
    vgae_status st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1.0, &d0, &v->head[0].w, 0.0, &dtop);
    /* dtop += dhead_h W_h^T for the other heads, through dscratch */
    vgae_mat scratch = rows_at(&v->dscratch, first, rows);
    for (int h = 1; !st && h < n_heads(v); h++) {
        vgae_mat dh = rows_at(&v->dout[h], first, rows);
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1.0, &dh, &v->head[h].w, 0.0, &scratch);
        for (int64_t i = 0; !st && i < rows * top.cols; i++)
            dtop.data[i] += scratch.data[i];
    }
    for (int i = n - 1; !st && i >= 0; i--) {
        vgae_mat a = rows_at(&v->a_enc[i], first, rows), d = rows_at(&v->d_enc[i], first, rows);
        st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &a, &d, &d);
        if (!st && i > 0) {
            vgae_mat din = rows_at(&v->d_enc[i - 1], first, rows);
            st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1.0, &d, &v->enc[i].w, 0.0, &din);
        }
    }
    return st;
}

/* The linear layers in the parameters' order (encoder, heads, decoder),
 * each with its input and its output's gradient over the batch's rows. */
enum { LAYERS = 2 * VGAE_VAE_MAX_HIDDEN + 1 + VGAE_LATENT_MAX_HEADS };

static int layer_list(vgae_image_vae *v, int64_t rows, vgae_linear *layer[LAYERS], vgae_mat in[LAYERS],
                      vgae_mat dy[LAYERS])
{
    const int n = v->options.n_hidden, c = v->options.classes != 0;
    int count = 0;
    for (int i = 0; i < n; i++, count++) {
        layer[count] = &v->enc[i];
        in[count] = i > 0 ? rows_of(&v->a_enc[i - 1], rows) : rows_of(&v->x, rows);
        dy[count] = rows_of(&v->d_enc[i], rows);
    }
    for (int h = 0; h < n_heads(v); h++, count++) {
        layer[count] = &v->head[h];
        in[count] = rows_of(&v->a_enc[n - 1], rows);
        dy[count] = rows_of(&v->dout[h], rows);
    }
    for (int j = 0; j < n_dec(v); j++, count++) {
        layer[count] = &v->dec[j];
        in[count] = j > 0 ? rows_of(&v->a_dec[j - 1], rows) : c ? rows_of(&v->zc, rows) : v->elbo.z;
        dy[count] = rows_of(&v->d_dec[j], rows);
    }
    return count;
}

/* The weight gradients of every layer over the batch's rows, dW = x^T dy,
 * all in one parallel loop, and the biases' (column sums): what
 * vgae_linear_backward computes, without the input gradients (the lanes'). */
static vgae_status weight_gradients(vgae_ctx *ctx, vgae_image_vae *v, int64_t rows)
{
    vgae_linear *layer[LAYERS];
    vgae_mat in[LAYERS], dy[LAYERS];
    vgae_gemm_job job[LAYERS];
    const int count = layer_list(v, rows, layer, in, dy);
    for (int l = 0; l < count; l++)
        job[l] = (vgae_gemm_job){VGAE_TRANS, VGAE_NO_TRANS, 1.0, &in[l], &dy[l], 0.0, &layer[l]->dw};
    vgae_status st = vgae_gemm_batch(ctx, count, job);
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (!st && threads > 1)
    for (int l = 0; l < count; l++)
        if (!st && layer[l]->has_bias)
            vgae_column_sums(ctx, &dy[l], &layer[l]->db, 0);
    return st;
}

/* The loss of the rows in v->x (filled from source first, if not NULL)
 * against target; with backward, all the parameters' gradients. */
static vgae_status loss_rows(vgae_ctx *ctx, vgae_image_vae *v, const batch_source *source,
                             const vgae_real *target, int64_t rows, int sample, int backward,
                             vgae_elbo_terms *terms)
{
    vgae_elbo_config cfg = vgae_elbo_defaults();
    /* the KL's weight at this point of the training (vgae/vae/kl_schedule.h) */
    const vgae_kl_schedule *kl = &v->options.kl;
    cfg.beta = v->options.beta * vgae_kl_anneal_weight(kl, v->kl_time, v->options.epochs);
    if (kl->capacity > 0) {
        cfg.capacity = vgae_kl_capacity(kl, v->kl_time);
        cfg.capacity_gamma = kl->gamma;
    }
    cfg.sample = sample;
    /* the layers' gradients are written over; the latent layer's add up */
    for (int p = v->layer_params; backward && p < v->base.params.count; p++)
        vgae_mat_zero(v->base.params.items[p].grad);
    vgae_mat out[VGAE_LATENT_MAX_HEADS], dout[VGAE_LATENT_MAX_HEADS];
    const vgae_mat *heads[VGAE_LATENT_MAX_HEADS];
    vgae_mat *d_heads[VGAE_LATENT_MAX_HEADS];
    head_rows(v, rows, out, dout, heads, d_heads);
    decode_call call = {v, target};
    vgae_status st = run_lanes(ctx, v, rows, encode_lane, (void *)source);
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, v->base.latent, heads, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE),
                               decode_cb, &call, &v->elbo, backward ? d_heads : NULL, terms);
    if (!st && backward)
        st = run_lanes(ctx, v, rows, encoder_backward_lane, NULL);
    if (!st && backward)
        st = weight_gradients(ctx, v, rows);
    return st;
}

vgae_status vgae_image_vae_loss(vgae_ctx *ctx, vgae_image_vae *v, const vgae_real *x, const uint8_t *labels,
                                const vgae_real *target, int64_t rows, int sample, int backward,
                                vgae_elbo_terms *terms)
{
    if (rows < 1 || rows > v->capacity)
        return vgae_fail(ctx, VGAE_EINVAL, "a batch of %lld rows (1..%lld)", (long long)rows,
                         (long long)v->capacity);
    if (v->options.classes && !labels)
        return vgae_fail(ctx, VGAE_EINVAL, "a conditional model needs the images' labels");
    memcpy(pixel_rows(v), x, sizeof(vgae_real) * (size_t)(rows * v->input));
    condition_rows(v, labels, NULL, 0, 0, rows);
    return loss_rows(ctx, v, NULL, target, rows, sample, backward, terms);
}

/* With dynamic binarization, the uniforms a batch of `rows` images is
 * binarized against (VGAE_STREAM_DATA), into v->target. */
static void draw_binarization(vgae_ctx *ctx, vgae_image_vae *v, int64_t rows)
{
    vgae_rng_uniform_fill_real(vgae_ctx_rng(ctx, VGAE_STREAM_DATA), v->target.data, rows * v->input, 0, 1,
                               vgae_ctx_threads(ctx));
}

/* Copies images idx[0..rows) (else first..first+rows) into v->x; with
 * dynamic binarization draws each pixel as 1 with probability its value. */
static void fill_batch(vgae_ctx *ctx, vgae_image_vae *v, const float *pixels, const uint8_t *labels,
                       const int64_t *idx, int64_t first, int64_t rows, int binarize)
{
    if (binarize)
        draw_binarization(ctx, v, rows);
    const batch_source b = {pixels, labels, idx, first, binarize};
    fill_rows(v, &b, 0, rows);
}

/* A conditional model's labels: present, each below its classes. */
static vgae_status check_labels(vgae_ctx *ctx, const vgae_image_vae *v, const uint8_t *labels, int64_t n)
{
    const int c = v->options.classes;
    if (!c)
        return VGAE_OK;
    if (!labels)
        return vgae_fail(ctx, VGAE_EINVAL, "a conditional model needs the images' labels");
    for (int64_t i = 0; i < n; i++)
        if (labels[i] >= c)
            return vgae_fail(ctx, VGAE_EINVAL, "image %lld has label %d; the model knows labels 0..%d",
                             (long long)i, labels[i], c - 1);
    return VGAE_OK;
}

/* The images must be the model's shape. */
static vgae_status check_images(vgae_ctx *ctx, const vgae_image_vae *v, const vgae_images *im)
{
    if (im->height != v->height || im->width != v->width)
        return vgae_fail(ctx, VGAE_EINVAL, "images of %d x %d for a model of %d x %d images",
                         im->height, im->width, v->height, v->width);
    if (im->n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "no images");
    return check_labels(ctx, v, im->labels, im->n);
}

vgae_status vgae_image_vae_train_epoch(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train,
                                       double *loss)
{
    *loss = NAN;
    vgae_status st = check_images(ctx, v, train);
    if (st)
        return st;
    /* told to stop before a new epoch draws its order: nothing moved */
    if (vgae_ctx_interrupted(ctx) && (v->at <= 0 || v->at >= train->n))
        return vgae_fail(ctx, VGAE_EINTR, "interrupted before epoch %lld", (long long)v->base.epoch + 1);
    const double start = vgae_now();
    const int64_t n = train->n;
    if (v->order_n != n) {
        free(v->order);
        v->order = vgae_alloc(ctx, (size_t)n, sizeof *v->order);
        v->order_n = v->order ? n : 0;
        if (!v->order)
            return VGAE_ENOMEM;
    }
    if (v->at <= 0 || v->at >= n) { /* a new epoch: its order */
        v->at = 0;
        v->at_sum = 0.0;
        v->order_rng = *vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE);
        vgae_rng_permutation(vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE), v->order, n);
    } else { /* the epoch stopped part way goes on, in its order */
        vgae_rng r = v->order_rng;
        vgae_rng_permutation(&r, v->order, n);
    }
    double sum = v->at_sum;
    const int64_t every = n / 50 > v->capacity ? n / 50 : v->capacity; /* about 50 reports an epoch */
    int64_t next_report = 0;
    for (int64_t first = v->at; first < n; first += v->capacity) {
        if (first >= next_report) {
            vgae_progress(ctx, "training", first, n);
            next_report = first + every;
        }
        if (vgae_ctx_interrupted(ctx)) { /* at the end of a step: the weights of the last batch */
            if (first == 0) { /* no batch done: the order is drawn again on resuming, from where it was */
                *vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE) = v->order_rng;
                v->base.train_seconds += vgae_now() - start;
                return vgae_fail(ctx, VGAE_EINTR, "interrupted before epoch %lld",
                                 (long long)v->base.epoch + 1);
            }
            v->at = first;
            v->at_sum = sum;
            v->base.train_seconds += vgae_now() - start;
            return vgae_fail(ctx, VGAE_EINTR, "interrupted in epoch %lld after %lld of %lld images",
                             (long long)v->base.epoch + 1, (long long)first, (long long)n);
        }
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        vgae_elbo_terms t;
        /* the lanes copy (and binarize) their rows of the batch */
        const batch_source b = {train->pixels, train->labels, v->order + first, 0,
                                v->options.binarize == VGAE_BINARIZE_DYNAMIC};
        if (b.binarize)
            draw_binarization(ctx, v, rows);
        v->kl_time = (double)v->base.epoch + (double)first / (double)n;
        st = loss_rows(ctx, v, &b, pixel_rows(v), rows, 1, 1, &t);
        if (!st && !isfinite(t.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g in epoch %lld: training diverged "
                           "(try a smaller --lr)", t.loss, (long long)v->base.epoch + 1);
        if (!st)
            st = vgae_model_base_step(ctx, &v->base, 0);
        if (!st) /* a vq codebook's moving averages, if it keeps them */
            st = vgae_latent_vq_update(ctx, v->base.latent);
        if (st)
            return st;
        sum += t.nll + t.kl; /* the negative ELBO, whatever beta is */
    }
    vgae_progress(ctx, "training", n, n);
    if (v->options.latent_kind == VGAE_IMAGE_VQ && v->options.restart) {
        /* dead codes move onto the encoder's outputs of the last batch */
        const int64_t rows = n % v->capacity ? n % v->capacity : v->capacity;
        vgae_mat last = rows_of(&v->out[0], rows);
        int moved;
        st = vgae_latent_vq_restart(ctx, v->base.latent, &last, vgae_ctx_rng(ctx, VGAE_STREAM_INIT), &moved);
        if (st)
            return st;
        v->restarted = moved;
    }
    v->at = 0;
    v->base.epoch++;
    v->base.train_seconds += vgae_now() - start;
    *loss = sum / (double)n;
    v->train_loss = *loss;
    v->train_images = n;
    return VGAE_OK;
}

vgae_status vgae_image_vae_evaluate(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *test,
                                    int64_t n, vgae_rng *noise, double *per_image,
                                    vgae_image_figures *out)
{
    vgae_status st = check_images(ctx, v, test);
    if (n <= 0 || n > test->n)
        n = test->n;
    *out = (vgae_image_figures){NAN, NAN, NAN, n};
    if (st)
        return st;
    /* without a stream, the evaluation's own: sub-stream `epoch` of the seed's noise stream */
    vgae_rng own;
    vgae_rng_init(&own, vgae_ctx_seed(ctx), VGAE_STREAM_NOISE);
    vgae_rng_substream(&own, (uint32_t)v->base.epoch);
    if (!noise)
        noise = &own;
    double recon = 0.0, kl = 0.0, row_kl[1024], row_rec, batch_kl;
    const int64_t step = v->capacity < 1024 ? v->capacity : 1024, d = v->input;
    vgae_mat out_rows[VGAE_LATENT_MAX_HEADS], dout_rows[VGAE_LATENT_MAX_HEADS];
    const vgae_mat *heads[VGAE_LATENT_MAX_HEADS];
    for (int64_t first = 0; first < n; first += step) {
        const int64_t rows = n - first < step ? n - first : step;
        fill_batch(ctx, v, test->pixels, test->labels, NULL, first, rows, 0);
        head_rows(v, rows, out_rows, dout_rows, heads, NULL);
        vgae_mat eps = rows_of(&v->eps, rows), z = rows_of(&v->z, rows);
        st = encode_rows(ctx, v, rows);
        if (!st)
            st = vgae_latent_sample(ctx, v->base.latent, heads, noise, &eps, &z);
        if (!st)
            st = vgae_latent_kl(ctx, v->base.latent, heads, row_kl, &batch_kl);
        if (!st)
            st = decode_rows(ctx, v, &z);
        for (int64_t r = 0; !st && r < rows; r++) {
            st = vgae_bernoulli_nll(ctx, v->a_dec[n_dec(v) - 1].data + r * d, pixel_rows(v) + r * d, d,
                                    NULL, 0, NULL, &row_rec);
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
    v->reported = *out;
    return VGAE_OK;
}

void vgae_image_vae_prepare_test(const vgae_image_vae *v, vgae_images *test)
{
    if (v->options.binarize == VGAE_BINARIZE_DYNAMIC)
        vgae_images_binarize(test, v->base.seed);
}

vgae_status vgae_image_vae_iwae(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *test,
                                int64_t n, int k, vgae_count_fn progress, void *user, double *nll)
{
    *nll = NAN;
    vgae_status st = check_images(ctx, v, test);
    if (st)
        return st;
    if (n <= 0 || n > test->n)
        n = test->n;
    if (k < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "IWAE needs k >= 1 samples, not %d", k);
    const double start = vgae_now();
    const int64_t d = v->input, l = v->options.latent, chunk = v->capacity;
    double total = 0.0, ratio[1 << 10];
    double *lw = vgae_alloc(ctx, (size_t)chunk, sizeof *lw), *ratios = chunk <= 1024 ? ratio : NULL;
    if (!lw)
        return VGAE_ENOMEM;
    if (!ratios)
        ratios = vgae_alloc(ctx, (size_t)chunk, sizeof *ratios);
    st = ratios ? VGAE_OK : VGAE_ENOMEM;
    vgae_mat out_rows[VGAE_LATENT_MAX_HEADS], dout_rows[VGAE_LATENT_MAX_HEADS];
    const vgae_mat *heads[VGAE_LATENT_MAX_HEADS];
    for (int64_t i = 0; !st && i < n; i++) {
        if (vgae_ctx_interrupted(ctx)) {
            st = vgae_fail(ctx, VGAE_EINTR, "interrupted after the IWAE bound of %lld of %lld images",
                           (long long)i, (long long)n);
            break;
        }
        fill_batch(ctx, v, test->pixels, test->labels, NULL, i, 1, 0);
        const vgae_real *x = pixel_rows(v); /* the image, the target of every draw */
        if (v->options.classes) /* its label beside every draw's z */
            for (int64_t r = 1; r < chunk; r++)
                v->y[r] = v->y[0];
        st = encode_rows(ctx, v, 1);
        for (int64_t r = 1; !st && r < chunk; r++) /* the image's q(z|x) in every row */
            for (int h = 0; h < n_heads(v); h++)
                memcpy(v->out[h].data + r * l, v->out[h].data, sizeof(vgae_real) * (size_t)l);
        /* log (1/k sum_j w_j), kept as max + log(sum exp(lw - max)) */
        double max = -INFINITY, sum = 0.0;
        for (int64_t done = 0; !st && done < k; done += chunk) {
            const int64_t rows = k - done < chunk ? k - done : chunk;
            head_rows(v, rows, out_rows, dout_rows, heads, NULL);
            vgae_mat eps = rows_of(&v->eps, rows), z = rows_of(&v->z, rows);
            st = vgae_latent_sample(ctx, v->base.latent, heads, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE),
                                    &eps, &z);
            if (!st)
                st = vgae_latent_log_ratio(ctx, v->base.latent, heads, &eps, &z, ratios);
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
            progress(user, i + 1, n, vgae_now() - start);
    }
    free(lw);
    if (ratios != ratio)
        free(ratios);
    if (!st)
        *nll = total / (double)n;
    return st;
}

vgae_status vgae_image_vae_encode(vgae_ctx *ctx, vgae_image_vae *v, const float *pixels, const uint8_t *labels,
                                  int64_t n, vgae_mat *out)
{
    vgae_status st = check_labels(ctx, v, labels, n);
    if (!st)
        st = vgae_mat_ensure(ctx, out, n, v->options.latent);
    for (int64_t first = 0; !st && first < n; first += v->capacity) {
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        fill_batch(ctx, v, pixels, labels, NULL, first, rows, 0);
        st = encode_rows(ctx, v, rows);
        if (!st) /* the first head: the mean */
            memcpy(out->data + first * v->options.latent, v->out[0].data,
                   sizeof(vgae_real) * (size_t)(rows * v->options.latent));
    }
    return st;
}

vgae_status vgae_image_vae_codes(vgae_ctx *ctx, vgae_image_vae *v, const float *pixels, const uint8_t *labels,
                                  int64_t n, int32_t *index)
{
    if (v->options.latent_kind != VGAE_IMAGE_VQ)
        return vgae_fail(ctx, VGAE_EINVAL, "code indices need a vq model; this one is Gaussian");
    vgae_status st = check_labels(ctx, v, labels, n);
    const int m = v->options.vq.codes;
    for (int64_t first = 0; !st && first < n; first += v->capacity) {
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        fill_batch(ctx, v, pixels, labels, NULL, first, rows, 0);
        st = encode_rows(ctx, v, rows);
        vgae_mat ze = rows_of(&v->out[0], rows);
        if (!st)
            st = vgae_latent_vq_assign(ctx, v->base.latent, &ze, index + first * m);
    }
    return st;
}

const vgae_mat *vgae_image_vae_codebook(const vgae_image_vae *v)
{
    return vgae_latent_codebook(v->base.latent);
}

vgae_status vgae_image_vae_latent_stats(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *test, int64_t n,
                                        double *kl, double *activity)
{
    vgae_status st = check_images(ctx, v, test);
    if (st)
        return st;
    if (strcmp(vgae_latent_kind(v->base.latent), "gaussian") != 0)
        return vgae_fail(ctx, VGAE_EINVAL, "per-dimension KL needs a Gaussian latent layer, not '%s'",
                         vgae_latent_kind(v->base.latent));
    if (n <= 0 || n > test->n)
        n = test->n;
    const int d = v->options.latent;
    double *mean = vgae_calloc(ctx, (size_t)d, sizeof *mean);
    if (!mean)
        return VGAE_ENOMEM;
    for (int j = 0; j < d; j++)
        kl[j] = activity[j] = 0;
    int64_t seen = 0;
    for (int64_t first = 0; !st && first < n; first += v->capacity) {
        const int64_t rows = n - first < v->capacity ? n - first : v->capacity;
        fill_batch(ctx, v, test->pixels, test->labels, NULL, first, rows, 0);
        st = encode_rows(ctx, v, rows);
        for (int64_t r = 0; !st && r < rows; r++) {
            seen++;
            for (int j = 0; j < d; j++) {
                const double mu = v->out[0].data[r * d + j], lv = v->out[1].data[r * d + j];
                kl[j] += 0.5 * (mu * mu + exp(lv) - 1.0 - lv);
                /* Welford: the running mean and sum of squared deviations */
                const double delta = mu - mean[j];
                mean[j] += delta / (double)seen;
                activity[j] += delta * (mu - mean[j]);
            }
        }
    }
    for (int j = 0; !st && j < d; j++) {
        kl[j] /= (double)seen;
        activity[j] /= (double)seen;
    }
    free(mean);
    return st;
}

vgae_status vgae_image_vae_decode(vgae_ctx *ctx, vgae_image_vae *v, const vgae_mat *z, const uint8_t *labels,
                                  vgae_mat *out)
{
    if (z->cols != v->options.latent)
        return vgae_fail(ctx, VGAE_EINVAL, "z has %lld columns, the model's latent space %d",
                         (long long)z->cols, v->options.latent);
    vgae_status st = check_labels(ctx, v, labels, z->rows);
    if (!st)
        st = vgae_mat_ensure(ctx, out, z->rows, v->input);
    const int64_t last = n_dec(v) - 1;
    for (int64_t first = 0; !st && first < z->rows; first += v->capacity) {
        const int64_t rows = z->rows - first < v->capacity ? z->rows - first : v->capacity;
        vgae_mat zr = {rows, z->cols, z->data + first * z->cols};
        if (v->options.classes)
            for (int64_t r = 0; r < rows; r++)
                v->y[r] = labels[first + r];
        st = decode_rows(ctx, v, &zr);
        for (int64_t k = 0; !st && k < rows * v->input; k++)
            out->data[first * v->input + k] = (vgae_real)vgae_sigmoid((double)v->a_dec[last].data[k]);
    }
    return st;
}

/* ---- what the model holds ---- */

const vgae_image_vae_options *vgae_image_vae_settings(const vgae_image_vae *v)
{
    return &v->options;
}

int32_t vgae_image_vae_height(const vgae_image_vae *v)
{
    return v->height;
}

int32_t vgae_image_vae_width(const vgae_image_vae *v)
{
    return v->width;
}

int64_t vgae_image_vae_epoch(const vgae_image_vae *v)
{
    return v->base.epoch;
}

uint64_t vgae_image_vae_seed(const vgae_image_vae *v)
{
    return v->base.seed;
}

const char *vgae_image_vae_folder(const vgae_image_vae *v)
{
    return v->folder[0] ? v->folder : NULL;
}

double vgae_image_vae_train_seconds(const vgae_image_vae *v)
{
    return v->base.train_seconds;
}

vgae_image_figures vgae_image_vae_reported(const vgae_image_vae *v)
{
    return v->reported;
}
