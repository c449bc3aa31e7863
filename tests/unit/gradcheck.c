/* Finite-difference checks of every backward in the core, compiled with double elements. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "tiny_vae.h"
#include "models/graph_ae_impl.h"
#include "models/image_vae_impl.h"
#include "models/seq_vae_impl.h"

#ifndef VGAE_REAL_DOUBLE
#error "gradcheck runs on the core compiled with VGAE_REAL_DOUBLE"
#endif

/* Central differences, (L(x + h) - L(x - h)) / 2h, with h = 1e-5 on inputs
 * of size O(1). Error budget, in double precision:
 *  - truncation: h^2 |L'''| / 6 = 1.7e-11 |L'''|; the third derivatives of
 *    these O(1)-sized losses stay below ~100, so <= 2e-9;
 *  - rounding: each L carries a relative error of at most ~1e-14 (a few
 *    hundred terms summed), |L| <= ~100 here, so <= 1e-14 * 100 / 1e-5 = 1e-7
 *    at worst (typically 1e-10).
 * We require |fd - analytic| <= 1e-6 + 1e-6 |analytic|: 10x above the worst
 * case, while the bugs a backward has (a lost factor 1/2, a sign, a missing
 * term) move gradients of size O(0.1-1) by >= 1e-2. check_self_test shows
 * the check catches an error of 1e-4 in one element. */
#define FD_STEP 1e-5
#define FD_ATOL 1e-6
#define FD_RTOL 1e-6

typedef double (*loss_fn)(vgae_ctx *ctx, void *self);

/* The largest |fd - analytic| / tolerance over the elements of x (<= 1 passes). */
static double fd_worst(vgae_ctx *ctx, const char *what, loss_fn f, void *self, vgae_mat *x,
                       const vgae_mat *grad)
{
    assert_int_equal(x->rows, grad->rows);
    assert_int_equal(x->cols, grad->cols);
    double worst = 0.0, worst_err = 0.0;
    for (int64_t i = 0; i < vgae_mat_size(x); i++) {
        double saved = x->data[i];
        x->data[i] = saved + FD_STEP;
        double up = f(ctx, self);
        x->data[i] = saved - FD_STEP;
        double down = f(ctx, self);
        x->data[i] = saved;
        double fd = (up - down) / (2 * FD_STEP), an = grad->data[i];
        double err = fabs(fd - an), ratio = err / (FD_ATOL + FD_RTOL * fabs(an));
        if (ratio > worst) {
            worst = ratio;
            worst_err = err;
        }
        if (ratio > 1)
            print_message("  %s[%lld]: finite difference %.10g, backward %.10g\n", what,
                          (long long)i, fd, an);
    }
    print_message("  %-34s %4lld elements, max |fd - backward| = %.2e\n", what,
                  (long long)vgae_mat_size(x), worst_err);
    return worst;
}

static void check(vgae_ctx *ctx, const char *what, loss_fn f, void *self, vgae_mat *x,
                  const vgae_mat *grad)
{
    if (fd_worst(ctx, what, f, self, x, grad) > 1.0)
        fail_msg("%s: backward disagrees with finite differences", what);
}

static void fill_normal(vgae_mat *m, uint32_t stream, double scale)
{
    vgae_rng r;
    vgae_rng_init(&r, 1234, stream);
    for (int64_t i = 0; i < vgae_mat_size(m); i++)
        m->data[i] = scale * vgae_rng_normal(&r);
}

/* sum(r .* y): the loss whose gradient with respect to y is r. */
static double dot(const vgae_mat *r, const vgae_mat *y)
{
    double s = 0;
    for (int64_t i = 0; i < vgae_mat_size(y); i++)
        s += r->data[i] * y->data[i];
    return s;
}

/* ---- linear ---- */
typedef struct {
    vgae_linear layer;
    vgae_mat x, y, r, dx;
} linear_case;

static double linear_loss(vgae_ctx *ctx, void *self)
{
    linear_case *c = self;
    assert_int_equal(vgae_linear_forward(ctx, &c->layer, &c->x, &c->y), VGAE_OK);
    return dot(&c->r, &c->y);
}

static void linear_case_run(vgae_ctx *ctx, linear_case *c, int bias)
{
    assert_int_equal(vgae_linear_init(ctx, &c->layer, 4, 3, bias, vgae_ctx_rng(ctx, VGAE_STREAM_INIT)), 0);
    vgae_mat_init(ctx, &c->x, 5, 4);
    vgae_mat_init(ctx, &c->y, 5, 3);
    vgae_mat_init(ctx, &c->r, 5, 3);
    vgae_mat_init(ctx, &c->dx, 5, 4);
    fill_normal(&c->x, 1, 1.0);
    fill_normal(&c->r, 2, 1.0);
    if (bias)
        fill_normal(&c->layer.b, 3, 0.5);
    /* backward twice: the gradients accumulate, so they must be halved back */
    assert_int_equal(vgae_linear_backward(ctx, &c->layer, &c->x, &c->r, &c->dx), VGAE_OK);
    assert_int_equal(vgae_linear_backward(ctx, &c->layer, &c->x, &c->r, &c->dx), VGAE_OK);
    for (int64_t i = 0; i < vgae_mat_size(&c->layer.dw); i++)
        c->layer.dw.data[i] *= 0.5;
    for (int64_t i = 0; bias && i < vgae_mat_size(&c->layer.db); i++)
        c->layer.db.data[i] *= 0.5;
}

static void linear_case_free(linear_case *c)
{
    vgae_linear_destroy(&c->layer);
    vgae_mat_destroy(&c->x);
    vgae_mat_destroy(&c->y);
    vgae_mat_destroy(&c->r);
    vgae_mat_destroy(&c->dx);
}

static void check_linear(void **state)
{
    vgae_ctx *ctx = *state;
    for (int bias = 0; bias <= 1; bias++) {
        linear_case c = {0};
        linear_case_run(ctx, &c, bias);
        check(ctx, bias ? "linear dx (bias)" : "linear dx", linear_loss, &c, &c.x, &c.dx);
        check(ctx, "linear dW", linear_loss, &c, &c.layer.w, &c.layer.dw);
        if (bias)
            check(ctx, "linear db", linear_loss, &c, &c.layer.b, &c.layer.db);
        linear_case_free(&c);
    }
}

/* The checker itself must fail on a wrong gradient: one element of dW off by 1e-4. */
static void check_self_test(void **state)
{
    vgae_ctx *ctx = *state;
    linear_case c = {0};
    linear_case_run(ctx, &c, 1);
    c.layer.dw.data[5] += 1e-4;
    assert_true(fd_worst(ctx, "linear dW, off by 1e-4", linear_loss, &c, &c.layer.w, &c.layer.dw) > 1.0);
    linear_case_free(&c);
}

/* ---- layer and batch norm: L = r . norm(x), against x, gain and shift ---- */
typedef struct {
    vgae_norm_axis axis;
    vgae_mat x, gain, shift, xhat, istd, y, r, dx, dgain, dshift;
} norm_case;

static double norm_loss(vgae_ctx *ctx, void *self)
{
    norm_case *c = self;
    assert_int_equal(vgae_norm_forward(ctx, c->axis, &c->x, &c->gain, &c->shift, &c->xhat, &c->istd,
                                       &c->y), VGAE_OK);
    return dot(&c->r, &c->y);
}

static void check_norms(void **state)
{
    vgae_ctx *ctx = *state;
    for (int axis = 0; axis < 2; axis++) {
        norm_case c = {.axis = (vgae_norm_axis)axis};
        const int64_t rows = 6, cols = 5, groups = axis == VGAE_NORM_ROWS ? rows : cols;
        vgae_mat *rc[] = {&c.x, &c.xhat, &c.y, &c.r, &c.dx};
        for (int i = 0; i < 5; i++)
            vgae_mat_init(ctx, rc[i], rows, cols);
        vgae_mat *row[] = {&c.gain, &c.shift, &c.dgain, &c.dshift};
        for (int i = 0; i < 4; i++)
            vgae_mat_init(ctx, row[i], 1, cols);
        vgae_mat_init(ctx, &c.istd, 1, groups);
        fill_normal(&c.x, 11, 2.0);
        fill_normal(&c.gain, 12, 1.0);
        fill_normal(&c.shift, 13, 1.0);
        fill_normal(&c.r, 14, 1.0);
        norm_loss(ctx, &c);
        assert_int_equal(vgae_norm_backward(ctx, c.axis, &c.xhat, &c.istd, &c.gain, &c.r, &c.dgain,
                                            &c.dshift, &c.dx), VGAE_OK);
        const char *name = axis == VGAE_NORM_ROWS ? "layer norm" : "batch norm";
        char what[64];
        snprintf(what, sizeof what, "%s dx", name);
        check(ctx, what, norm_loss, &c, &c.x, &c.dx);
        snprintf(what, sizeof what, "%s dgain", name);
        check(ctx, what, norm_loss, &c, &c.gain, &c.dgain);
        snprintf(what, sizeof what, "%s dshift", name);
        check(ctx, what, norm_loss, &c, &c.shift, &c.dshift);
        /* each group comes out with mean 0 and variance var / (var + 1e-5)
         * before the gain (var: the group's own), to double rounding */
        for (int64_t g = 0; g < groups; g++) {
            double sum = 0, ss = 0, xs = 0, xss = 0;
            const int64_t count = axis == VGAE_NORM_ROWS ? cols : rows;
            for (int64_t k = 0; k < count; k++) {
                const int64_t i = axis == VGAE_NORM_ROWS ? g * cols + k : k * cols + g;
                sum += c.xhat.data[i];
                ss += c.xhat.data[i] * c.xhat.data[i];
                xs += c.x.data[i];
            }
            for (int64_t k = 0; k < count; k++) {
                const int64_t i = axis == VGAE_NORM_ROWS ? g * cols + k : k * cols + g;
                xss += (c.x.data[i] - xs / count) * (c.x.data[i] - xs / count);
            }
            const double var = xss / count;
            assert_true(fabs(sum / count) < 1e-12 && fabs(ss / count - var / (var + 1e-5)) < 1e-12);
        }
        for (int i = 0; i < 5; i++)
            vgae_mat_destroy(rc[i]);
        for (int i = 0; i < 4; i++)
            vgae_mat_destroy(row[i]);
        vgae_mat_destroy(&c.istd);
    }
}

/* ---- activations and dropout ---- */
typedef struct {
    vgae_activation act;
    double rate;
    vgae_rng rng; /* replayed on every evaluation: a fixed dropout mask */
    vgae_mat x, y, mask, r, dx;
} elementwise_case;

static double activation_loss(vgae_ctx *ctx, void *self)
{
    elementwise_case *c = self;
    assert_int_equal(vgae_activation_forward(ctx, c->act, &c->x, &c->y), VGAE_OK);
    return dot(&c->r, &c->y);
}

static double dropout_loss(vgae_ctx *ctx, void *self)
{
    elementwise_case *c = self;
    vgae_rng replay = c->rng;
    assert_int_equal(vgae_dropout_forward(ctx, c->rate, &replay, &c->x, &c->mask, &c->y), VGAE_OK);
    return dot(&c->r, &c->y);
}

static void elementwise_init(vgae_ctx *ctx, elementwise_case *c)
{
    vgae_mat *m[] = {&c->x, &c->y, &c->mask, &c->r, &c->dx};
    for (int i = 0; i < 5; i++)
        vgae_mat_init(ctx, m[i], 6, 7);
    fill_normal(&c->x, 4, 1.0);
    fill_normal(&c->r, 5, 1.0);
    /* keep inputs away from ReLU's kink by more than the step */
    for (int64_t i = 0; i < vgae_mat_size(&c->x); i++)
        if (fabs(c->x.data[i]) < 1e-2)
            c->x.data[i] += c->x.data[i] < 0 ? -1e-2 : 1e-2;
}

static void elementwise_free(elementwise_case *c)
{
    vgae_mat *m[] = {&c->x, &c->y, &c->mask, &c->r, &c->dx};
    for (int i = 0; i < 5; i++)
        vgae_mat_destroy(m[i]);
}

static void check_activations(void **state)
{
    vgae_ctx *ctx = *state;
    const vgae_activation acts[2] = {VGAE_ACT_RELU, VGAE_ACT_IDENTITY};
    for (int a = 0; a < 2; a++) {
        elementwise_case c = {.act = acts[a]};
        elementwise_init(ctx, &c);
        activation_loss(ctx, &c);
        assert_int_equal(vgae_activation_backward(ctx, c.act, &c.y, &c.r, &c.dx), VGAE_OK);
        check(ctx, a == 0 ? "relu dx" : "identity dx", activation_loss, &c, &c.x, &c.dx);
        elementwise_free(&c);
    }
}

static void check_dropout(void **state)
{
    vgae_ctx *ctx = *state;
    elementwise_case c = {.rate = 0.4};
    vgae_rng_init(&c.rng, 99, VGAE_STREAM_DROPOUT);
    elementwise_init(ctx, &c);
    dropout_loss(ctx, &c);
    int64_t dropped = 0;
    for (int64_t i = 0; i < vgae_mat_size(&c.mask); i++)
        dropped += c.mask.data[i] == 0;
    assert_true(dropped > 0 && dropped < vgae_mat_size(&c.mask)); /* the mask is not trivial */
    assert_int_equal(vgae_dropout_backward(ctx, &c.mask, &c.r, &c.dx), VGAE_OK);
    check(ctx, "dropout dx (fixed mask)", dropout_loss, &c, &c.x, &c.dx);
    elementwise_free(&c);
}

/* ---- Gaussian stochastic layer ---- */
typedef struct {
    vgae_mat mean, logvar, eps, z, r, dmean, dlogvar;
    double kl_weight;
    int use_dz, deterministic;
} gaussian_case;

static double gaussian_loss(vgae_ctx *ctx, void *self)
{
    gaussian_case *c = self;
    double kl = 0;
    if (c->deterministic)
        assert_int_equal(vgae_gaussian_sample(ctx, &c->mean, &c->logvar, NULL, &c->eps, &c->z), 0);
    else
        assert_int_equal(vgae_gaussian_reparameterize(ctx, &c->mean, &c->logvar, &c->eps, &c->z), 0);
    assert_int_equal(vgae_gaussian_kl(ctx, &c->mean, &c->logvar, NULL, &kl), VGAE_OK);
    return (c->use_dz ? dot(&c->r, &c->z) : 0.0) + c->kl_weight * kl;
}

static void check_gaussian(void **state)
{
    vgae_ctx *ctx = *state;
    const struct { const char *name; double w; int use_dz, deterministic; } cases[] = {
        {"gaussian (z and KL)", 0.7, 1, 0},
        {"gaussian (KL only)", 1.0, 0, 0},
        {"gaussian (z only)", 0.0, 1, 0},
        {"gaussian (deterministic)", 0.3, 1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gaussian_case c = {.kl_weight = cases[k].w, .use_dz = cases[k].use_dz,
                           .deterministic = cases[k].deterministic};
        vgae_mat *m[] = {&c.mean, &c.logvar, &c.eps, &c.z, &c.r, &c.dmean, &c.dlogvar};
        for (int i = 0; i < 7; i++)
            vgae_mat_init(ctx, m[i], 3, 4);
        fill_normal(&c.mean, 6, 1.0);
        fill_normal(&c.logvar, 7, 0.8);
        fill_normal(&c.r, 8, 1.0);
        vgae_rng noise;
        vgae_rng_init(&noise, 5, VGAE_STREAM_NOISE);
        assert_int_equal(vgae_gaussian_sample(ctx, &c.mean, &c.logvar, c.deterministic ? NULL : &noise,
                                              &c.eps, &c.z), VGAE_OK);
        assert_int_equal(vgae_gaussian_backward(ctx, &c.mean, &c.logvar, c.deterministic ? NULL : &c.eps,
                                                c.use_dz ? &c.r : NULL, c.kl_weight, &c.dmean,
                                                &c.dlogvar), VGAE_OK);
        char what[64];
        snprintf(what, sizeof what, "%s dmean", cases[k].name);
        check(ctx, what, gaussian_loss, &c, &c.mean, &c.dmean);
        snprintf(what, sizeof what, "%s dlogvar", cases[k].name);
        check(ctx, what, gaussian_loss, &c, &c.logvar, &c.dlogvar);
        for (int i = 0; i < 7; i++)
            vgae_mat_destroy(m[i]);
    }
}

/* ---- likelihoods ---- */
typedef struct {
    vgae_mat logits, targets, mask, grad;
    vgae_bernoulli_options opt;
    double scale, variance;
    int normal;
} likelihood_case;

static double likelihood_loss(vgae_ctx *ctx, void *self)
{
    likelihood_case *c = self;
    double nll = 0;
    int64_t n = vgae_mat_size(&c->logits);
    if (c->normal)
        assert_int_equal(vgae_normal_nll(ctx, c->logits.data, c->targets.data, n, c->variance,
                                         c->opt.mask, 0, NULL, &nll), VGAE_OK);
    else
        assert_int_equal(vgae_bernoulli_nll(ctx, c->logits.data, c->targets.data, n, &c->opt, 0,
                                            NULL, &nll), VGAE_OK);
    return c->scale * nll;
}

/* ---- the vq layer: its codebook and commitment losses, and the straight-through pass ----
 * The loss through z_q is piecewise constant in z_e (z_q jumps between codes),
 * so its finite differences are not the straight-through gradient; what can
 * be checked against them is each loss where its stop-gradient holds the
 * other side fixed, with assignments that a step of 1e-5 does not change:
 *   commitment  beta ||z_e - sg(e)||^2   -> d z_e = 2 beta (z_e - e)
 *   codebook    ||sg(z_e) - e||^2        -> d e   = 2 (e - z_e)
 * and that the decoder's gradient reaches z_e unchanged (beta 0). */
typedef struct {
    vgae_latent *layer;
    vgae_mat ze, dze, dz;
    double scale; /* the penalty (1 + beta) S times this: beta / (1 + beta) or 1 / (1 + beta) */
} vq_case;

static double vq_loss(vgae_ctx *ctx, void *self)
{
    vq_case *c = self;
    const vgae_mat *heads[] = {&c->ze};
    double p;
    assert_int_equal(vgae_latent_penalty(ctx, c->layer, heads, &p), VGAE_OK);
    return c->scale * p;
}

static void check_vq(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_latent_options o = vgae_latent_defaults();
    o.codes = 2;
    o.codebook = 5;
    o.commitment = 0.4;
    vq_case c = {0};
    vgae_rng init;
    vgae_rng_init(&init, 3, VGAE_STREAM_INIT);
    assert_int_equal(vgae_latent_new_with(ctx, "vq", 6, &o, &init, &c.layer), VGAE_OK);
    assert_int_equal(vgae_mat_init(ctx, &c.ze, 4, 6), VGAE_OK);
    assert_int_equal(vgae_mat_init(ctx, &c.dze, 4, 6), VGAE_OK);
    assert_int_equal(vgae_mat_init(ctx, &c.dz, 4, 6), VGAE_OK);
    vgae_mat *book = vgae_latent_codebook(c.layer);
    fill_normal(book, 61, 1.0); /* codes far apart: a step of 1e-5 keeps every assignment */
    fill_normal(&c.ze, 62, 1.0);
    const vgae_mat *heads[] = {&c.ze};
    vgae_mat *d_heads[] = {&c.dze};
    vgae_params list = {0};
    assert_int_equal(vgae_latent_params(ctx, c.layer, &list), VGAE_OK);
    assert_int_equal(list.count, 1);
    vgae_params_zero_grad(&list);
    assert_int_equal(vgae_latent_backward(ctx, c.layer, heads, NULL, NULL, 1.0, d_heads), VGAE_OK);
    c.scale = o.commitment / (1 + o.commitment);
    check(ctx, "vq commitment (d z_e)", vq_loss, &c, &c.ze, &c.dze);
    c.scale = 1 / (1 + o.commitment);
    check(ctx, "vq codebook (d codebook)", vq_loss, &c, book, list.items[0].grad);
    /* straight through: beta 0, the decoder's gradient arrives unchanged */
    vgae_latent_free(c.layer);
    o.commitment = 0;
    vgae_rng_init(&init, 3, VGAE_STREAM_INIT);
    assert_int_equal(vgae_latent_new_with(ctx, "vq", 6, &o, &init, &c.layer), VGAE_OK);
    fill_normal(vgae_latent_codebook(c.layer), 61, 1.0);
    fill_normal(&c.dz, 63, 1.0);
    assert_int_equal(vgae_latent_backward(ctx, c.layer, heads, NULL, &c.dz, 1.0, d_heads), VGAE_OK);
    assert_memory_equal(c.dz.data, c.dze.data, sizeof *c.dz.data * 24);
    /* z is the nearest code: its distance is the smallest of all */
    vgae_mat eps = {0}, z = {0};
    assert_int_equal(vgae_mat_init(ctx, &eps, 4, 6), VGAE_OK);
    assert_int_equal(vgae_mat_init(ctx, &z, 4, 6), VGAE_OK);
    assert_int_equal(vgae_latent_sample(ctx, c.layer, heads, NULL, &eps, &z), VGAE_OK);
    int32_t idx[8];
    assert_int_equal(vgae_latent_vq_assign(ctx, c.layer, &c.ze, idx), VGAE_OK);
    for (int v = 0; v < 8; v++) {
        const vgae_mat *b = vgae_latent_codebook(c.layer);
        double best = INFINITY, got = 0;
        for (int k = 0; k < 5; k++) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
                const double t = c.ze.data[v * 3 + i] - b->data[k * 3 + i];
                s += t * t;
            }
            if (k == idx[v])
                got = s;
            best = s < best ? s : best;
        }
        assert_true(got == best);
        for (int i = 0; i < 3; i++)
            assert_true(z.data[v * 3 + i] == b->data[idx[v] * 3 + i]);
    }
    vgae_mat *mats[] = {&c.ze, &c.dze, &c.dz, &eps, &z};
    for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
        vgae_mat_destroy(mats[k]);
    vgae_params_destroy(&list);
    vgae_latent_free(c.layer);
}

static void check_likelihoods(void **state)
{
    vgae_ctx *ctx = *state;
    static const int64_t entries[] = {0, 3, 3, 7, 11, 19};
    const struct { const char *name; double pw; int mask, list, soft, normal; } cases[] = {
        {"bernoulli", 1.0, 0, 0, 0, 0},
        {"bernoulli pos_weight 5", 5.0, 0, 0, 0, 0},
        {"bernoulli masked", 1.0, 1, 0, 0, 0},
        {"bernoulli pos_weight+mask", 3.5, 1, 0, 0, 0},
        {"bernoulli entry list", 2.0, 0, 1, 0, 0},
        {"bernoulli grayscale", 1.0, 0, 0, 1, 0},
        {"gaussian likelihood", 0, 0, 0, 1, 1},
        {"gaussian likelihood masked", 0, 1, 0, 1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        likelihood_case c = {.scale = 0.3, .variance = 0.45, .normal = cases[k].normal};
        vgae_mat *m[] = {&c.logits, &c.targets, &c.mask, &c.grad};
        for (int i = 0; i < 4; i++)
            vgae_mat_init(ctx, m[i], 4, 5);
        fill_normal(&c.logits, 9, 3.0);
        vgae_rng r;
        vgae_rng_init(&r, 10, 0);
        for (int64_t i = 0; i < 20; i++) {
            double u = vgae_rng_uniform(&r);
            c.targets.data[i] = cases[k].soft ? u : u < 0.4;
            c.mask.data[i] = i % 3 == 0 ? 0.0 : i % 3 == 1 ? 1.0 : 0.5;
        }
        c.opt = vgae_bernoulli_plain();
        c.opt.pos_weight = cases[k].pw;
        c.opt.mask = cases[k].mask ? c.mask.data : NULL;
        if (cases[k].list) {
            c.opt.entries = entries;
            c.opt.n_entries = 6;
        }
        double nll;
        if (c.normal)
            assert_int_equal(vgae_normal_nll(ctx, c.logits.data, c.targets.data, 20, c.variance,
                                             c.opt.mask, c.scale, c.grad.data, &nll), VGAE_OK);
        else
            assert_int_equal(vgae_bernoulli_nll(ctx, c.logits.data, c.targets.data, 20, &c.opt,
                                                c.scale, c.grad.data, &nll), VGAE_OK);
        char what[64];
        snprintf(what, sizeof what, "%s d/dx", cases[k].name);
        check(ctx, what, likelihood_loss, &c, &c.logits, &c.grad);
        for (int i = 0; i < 4; i++)
            vgae_mat_destroy(m[i]);
    }
}

/* ---- the whole chain: MLP encoder -> Gaussian layer -> decoder -> ELBO ---- */
typedef struct {
    tiny_vae m;
    vgae_rng noise; /* replayed: the same eps on every evaluation */
} chain_case;

static double chain_loss(vgae_ctx *ctx, void *self)
{
    chain_case *c = self;
    vgae_rng replay = c->noise;
    vgae_elbo_terms t;
    assert_int_equal(tiny_vae_loss(ctx, &c->m, &replay, 0, &t), VGAE_OK);
    return t.loss;
}

/* capacity > 0: the capacity objective with C = capacity times the KL per
 * row the plain loss has (below 1: the KL is above C; above 1: below), so
 * that both signs of |KL - C|'s slope are checked, away from its kink. */
static void check_chain_capacity(vgae_ctx *ctx, const char *name, int gae, vgae_elbo_config config,
                                 double pos_weight, double capacity)
{
    chain_case c;
    assert_int_equal(tiny_vae_init(ctx, &c.m, 5, 6, 7, 3, gae), VGAE_OK);
    c.m.config = config;
    c.m.bern.pos_weight = pos_weight;
    vgae_rng_init(&c.noise, 77, VGAE_STREAM_NOISE);
    /* biases away from zero so that every parameter matters */
    for (int p = 0; p < c.m.params.count; p++)
        if (strstr(c.m.params.items[p].name, ".bias"))
            fill_normal(c.m.params.items[p].value, 20 + p, 0.3);
    vgae_rng replay = c.noise;
    vgae_elbo_terms t;
    assert_int_equal(tiny_vae_loss(ctx, &c.m, &replay, 1, &t), VGAE_OK);
    if (capacity > 0) {
        c.m.config.capacity = capacity * t.kl / (double)c.m.mean.rows;
        c.m.config.capacity_gamma = 5.0;
        replay = c.noise;
        const double plain = t.loss;
        assert_int_equal(tiny_vae_loss(ctx, &c.m, &replay, 1, &t), VGAE_OK);
        /* loss = 0.7 nll + 5 * 0.3 * |KL - C rows| now, not 0.7 nll + beta 0.3 KL */
        const double want = config.recon_scale * t.nll + 5.0 * config.kl_scale * fabs(t.kl * (1 - capacity));
        assert_true(fabs(t.loss - want) <= 1e-9 * fabs(want));
        assert_true(t.loss != plain);
    }
    assert_true(t.nll > 0);
    assert_true(gae ? t.kl == 0 : t.kl > 0);
    for (int p = 0; p < c.m.params.count; p++) {
        char what[96];
        snprintf(what, sizeof what, "%s %s", name, c.m.params.items[p].name);
        check(ctx, what, chain_loss, &c, c.m.params.items[p].value, c.m.params.items[p].grad);
    }
    tiny_vae_destroy(&c.m);
}

static void check_chain(vgae_ctx *ctx, const char *name, int gae, vgae_elbo_config config,
                        double pos_weight)
{
    check_chain_capacity(ctx, name, gae, config, pos_weight, 0);
}

/* Free bits: the floor between the smallest per-dimension KL and the next
 * (which = 1: one dimension under it, the others above) or above them all
 * (which = 3), away from every kink; the loss adds the floor for the
 * dimensions under it, and only those above pull towards the prior. */
static void check_chain_free_bits(vgae_ctx *ctx, const char *name, vgae_elbo_config config, int which)
{
    chain_case c;
    assert_int_equal(tiny_vae_init(ctx, &c.m, 5, 6, 7, 3, 0), VGAE_OK);
    c.m.config = config;
    vgae_rng_init(&c.noise, 77, VGAE_STREAM_NOISE);
    for (int p = 0; p < c.m.params.count; p++)
        if (strstr(c.m.params.items[p].name, ".bias"))
            fill_normal(c.m.params.items[p].value, 20 + p, 0.3);
    vgae_rng replay = c.noise;
    vgae_elbo_terms t;
    assert_int_equal(tiny_vae_loss(ctx, &c.m, &replay, 1, &t), VGAE_OK);
    const vgae_mat *heads[] = {&c.m.mean, &c.m.logvar};
    double k[3];
    assert_int_equal(vgae_latent_kl_dims(ctx, c.m.latent, heads, k), VGAE_OK);
    assert_true(fabs(k[0] + k[1] + k[2] - t.kl) <= 1e-12 * t.kl);
    for (int i = 0; i < 3; i++) /* ascending */
        for (int j = i + 1; j < 3; j++)
            if (k[j] < k[i]) {
                const double x = k[i];
                k[i] = k[j];
                k[j] = x;
            }
    const double rows = (double)c.m.mean.rows, floor_kl = which == 1 ? (k[0] + k[1]) / 2 : 2 * k[2];
    c.m.config.free_bits = floor_kl / rows;
    replay = c.noise;
    assert_int_equal(tiny_vae_loss(ctx, &c.m, &replay, 1, &t), VGAE_OK);
    const double floored = which == 1 ? floor_kl + k[1] + k[2] : 3 * floor_kl;
    const double want = config.recon_scale * t.nll + config.beta * config.kl_scale * floored;
    assert_true(fabs(t.loss - want) <= 1e-9 * fabs(want));
    for (int p = 0; p < c.m.params.count; p++) {
        char what[96];
        snprintf(what, sizeof what, "%s %s", name, c.m.params.items[p].name);
        check(ctx, what, chain_loss, &c, c.m.params.items[p].value, c.m.params.items[p].grad);
    }
    /* not with the capacity objective, nor on a layer without a KL per dimension */
    c.m.config.capacity_gamma = 1;
    replay = c.noise;
    assert_int_equal(tiny_vae_loss(ctx, &c.m, &replay, 1, &t), VGAE_EINVAL);
    tiny_vae_destroy(&c.m);
}

static void check_elbo_chain(void **state)
{
    vgae_elbo_config cfg = {.recon_scale = 0.7, .kl_scale = 0.3, .beta = 2.0, .sample = 1};
    check_chain(*state, "vae", 0, cfg, 1.0);
    check_chain(*state, "vae pos_weight", 0, cfg, 4.0);
    cfg.sample = 0;
    check_chain(*state, "vae deterministic", 0, cfg, 1.0);
    cfg.sample = 1;
    check_chain(*state, "gae", 1, cfg, 1.0);
    /* the capacity objective gamma |KL - C| (Burgess et al.), C below and above the KL */
    check_chain_capacity(*state, "vae capacity below the KL", 0, cfg, 1.0, 0.4);
    check_chain_capacity(*state, "vae capacity above the KL", 0, cfg, 1.0, 2.5);
    /* free bits, per dimension: one dimension under its floor, then all three */
    check_chain_free_bits(*state, "vae free bits, one under", cfg, 1);
    check_chain_free_bits(*state, "vae free bits, all under", cfg, 3);
}

/* ---- the graph autoencoders: GCN encoder -> Gaussian layer -> inner-product decoder ---- */

/* A 9-node graph (a ring with three chords) and 5 sparse features per node. */
/* The streams a graph model's loss draws from, replayed so that every
 * evaluation sees the same eps, negatives, dropout and edge masks. */
static const vgae_stream replayed[] = {VGAE_STREAM_NOISE, VGAE_STREAM_NEGATIVES, VGAE_STREAM_DROPOUT,
                                       VGAE_STREAM_MASK, VGAE_STREAM_ADVERSARY};
#define N_REPLAYED (sizeof replayed / sizeof replayed[0])

typedef struct {
    vgae_graph *g;
    vgae_csr *x;
    vgae_graph_ae *m;
    vgae_rng streams[N_REPLAYED];
} graph_case;

static void replay(vgae_ctx *ctx, const graph_case *c)
{
    for (size_t k = 0; k < N_REPLAYED; k++)
        *vgae_ctx_rng(ctx, replayed[k]) = c->streams[k];
}

static void graph_case_init(vgae_ctx *ctx, graph_case *c, vgae_graph_ae_options o, int features)
{
    static const int32_t pairs[] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 0, 0, 4, 2, 6, 3, 7};
    assert_int_equal(vgae_graph_from_pairs(ctx, 9, 12, pairs, 0, &c->g), VGAE_OK);
    c->x = NULL;
    if (features) {
        assert_int_equal(vgae_csr_new(ctx, 9, 5, 18, &c->x), VGAE_OK);
        for (int32_t i = 0; i < 9; i++) {
            c->x->rowptr[i + 1] = 2 * (i + 1);
            c->x->col[2 * i] = i % 5;
            c->x->col[2 * i + 1] = (i + 2) % 5 > i % 5 ? (i + 2) % 5 : 4 - (i % 2);
            if (c->x->col[2 * i + 1] == c->x->col[2 * i])
                c->x->col[2 * i + 1] = (c->x->col[2 * i] + 1) % 5;
            if (c->x->col[2 * i + 1] < c->x->col[2 * i]) {
                int32_t t = c->x->col[2 * i];
                c->x->col[2 * i] = c->x->col[2 * i + 1];
                c->x->col[2 * i + 1] = t;
            }
            c->x->val[2 * i] = 1.0f;
            c->x->val[2 * i + 1] = 0.5f + 0.1f * (float)i;
        }
    }
    o.hidden = 4;
    o.latent = 3;
    vgae_ctx_set_seed(ctx, 3);
    /* conditioned: three classes, one node of unknown class */
    int32_t y[9] = {0, 1, 2, 0, 1, 2, -1, 0, 1};
    vgae_labels labels = {9, y, 3, 1};
    if (o.condition)
        o.classes = 3;
    assert_int_equal(vgae_graph_ae_on_labeled_graph(ctx, &o, c->g, c->x, o.condition ? &labels : NULL, &c->m),
                     VGAE_OK);
    for (size_t k = 0; k < N_REPLAYED; k++)
        c->streams[k] = *vgae_ctx_rng(ctx, replayed[k]);
}

static void graph_case_free(graph_case *c)
{
    vgae_graph_ae_free(c->m);
    vgae_csr_free(c->x);
    vgae_graph_free(c->g);
}

static double graph_loss(vgae_ctx *ctx, void *self)
{
    graph_case *c = self;
    vgae_elbo_terms t;
    replay(ctx, c);
    assert_int_equal(vgae_graph_ae_loss(ctx, c->m, 0, &t), VGAE_OK);
    return t.loss;
}

static void check_graph_options(vgae_ctx *ctx, const char *name, vgae_graph_ae_options o,
                                int features)
{
    graph_case c;
    graph_case_init(ctx, &c, o, features);
    /* the loss is O(1); its weight gradients are small (scaled by 1 / N^2
     * and norm), but the tolerance is relative as well as absolute */
    graph_loss(ctx, &c);
    replay(ctx, &c);
    vgae_elbo_terms t;
    assert_int_equal(vgae_graph_ae_loss(ctx, c.m, 1, &t), VGAE_OK);
    assert_true(t.nll > 0 && (o.kind == VGAE_MODEL_GAE ? t.kl == 0 : t.kl > 0));
    for (int p = 0; p < c.m->base.params.count; p++) {
        char what[96];
        snprintf(what, sizeof what, "%s %s", name, c.m->base.params.items[p].name);
        check(ctx, what, graph_loss, &c, c.m->base.params.items[p].value, c.m->base.params.items[p].grad);
    }
    graph_case_free(&c);
}

static void check_graph_model(vgae_ctx *ctx, const char *name, vgae_graph_ae_kind kind,
                              vgae_loss_kind loss, int features, double beta)
{
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = kind;
    o.loss = loss;
    o.beta = beta;
    check_graph_options(ctx, name, o, features);
}

/* encoder_decay pulls the encoder's weights toward 0 and no other: the
 * gradients with it differ from those without by lambda w on the
 * encoder's weights, by nothing on the decoder's. Both models start from
 * the same weights (the same seed) and draw the same masks and negatives,
 * so the only difference is the penalty's gradient, up to rounding. */
static void encoder_decay_spares_the_decoder(void **state)
{
    vgae_ctx *ctx = *state;
    const double lambda = 0.05;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.layers = 1;
    o.mask_rate = 0.5;
    o.structure_input = 1;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.degree_term = 1;
    o.weight_decay = 0.01;
    graph_case c[2];
    for (int k = 0; k < 2; k++) {
        o.encoder_decay = k ? lambda : 0.0;
        graph_case_init(ctx, &c[k], o, 0);
        replay(ctx, &c[k]);
        assert_int_equal(vgae_graph_ae_loss(ctx, c[k].m, 1, NULL), VGAE_OK);
    }
    const vgae_params *p0 = &c[0].m->base.params, *p1 = &c[1].m->base.params;
    assert_int_equal(p0->count, p1->count);
    int encoder = 0, decoder = 0;
    for (int p = 0; p < p1->count; p++) {
        const vgae_param *q0 = &p0->items[p], *q1 = &p1->items[p];
        const int is_decoder = strncmp(q1->name, "dec.", 4) == 0;
        encoder += !is_decoder;
        decoder += is_decoder;
        assert_int_equal(p < c[1].m->encoder_params, !is_decoder);
        for (int64_t i = 0; i < vgae_mat_size(q1->value); i++) {
            assert_true(q0->value->data[i] == q1->value->data[i]);
            const double diff = (double)q1->grad->data[i] - (double)q0->grad->data[i];
            const double want = is_decoder ? 0.0 : lambda * (double)q1->value->data[i];
            assert_true(fabs(diff - want) <= 1e-12 * (1.0 + fabs(q1->grad->data[i])));
        }
    }
    assert_true(encoder > 0 && decoder > 0);
    for (int k = 0; k < 2; k++)
        graph_case_free(&c[k]);
}

static void check_graph_models(void **state)
{
    vgae_ctx *ctx = *state;
    check_graph_model(ctx, "vgae full", VGAE_MODEL_VGAE, VGAE_LOSS_FULL, 1, 1.0);
    check_graph_model(ctx, "vgae full beta 3", VGAE_MODEL_VGAE, VGAE_LOSS_FULL, 1, 3.0);
    check_graph_model(ctx, "vgae featureless", VGAE_MODEL_VGAE, VGAE_LOSS_FULL, 0, 1.0);
    check_graph_model(ctx, "gae full", VGAE_MODEL_GAE, VGAE_LOSS_FULL, 1, 1.0);
    check_graph_model(ctx, "vgae sampled", VGAE_MODEL_VGAE, VGAE_LOSS_SAMPLED, 1, 1.0);
    check_graph_model(ctx, "gae sampled featureless", VGAE_MODEL_GAE, VGAE_LOSS_SAMPLED, 0, 1.0);
}

/* Every layer and option of the general encoder, decoder and training
 * loss, each through the whole model's loss. */
static void check_graph_model_options(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    /* three layers with 2, 0 and 1 hops, biases, layer norm, a residual */
    o.layers = 3;
    o.hops[0] = 2;
    o.hops[1] = 0;
    o.hops[2] = 1;
    o.bias = 1;
    o.norm = VGAE_NORM_LAYER;
    o.residual = 1;
    check_graph_options(ctx, "gae deep layer-norm residual", o, 1);
    /* LightGCN propagation, batch norm, a VGAE head with biases */
    o.kind = VGAE_MODEL_VGAE;
    o.propagation = VGAE_PROP_LIGHTGCN;
    o.norm = VGAE_NORM_BATCH;
    o.layers = 2;
    o.hops[0] = 2;
    o.hops[1] = 3;
    check_graph_options(ctx, "vgae lightgcn batch-norm", o, 1);
    /* three layers, no residual: the last layer's input gradient is
     * written over the last hidden layer's output (its ReLU mask kept as
     * bits), the next one's goes to a buffer of its own; then two layers
     * with L2 scaling, whose T is not kept in the gradients' buffers */
    o = vgae_graph_ae_defaults();
    o.loss = VGAE_LOSS_SAMPLED;
    o.layers = 3;
    o.dropout = 0.3;
    check_graph_options(ctx, "vgae deep dropout", o, 1);
    check_graph_options(ctx, "vgae deep featureless", o, 0);
    o.layers = 2;
    o.dropout = 0;
    o.l2_scale = 2;
    check_graph_options(ctx, "vgae l2 scaled", o, 0);
    /* the linear encoder with a learned L2 scale, three negatives each */
    o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.layers = 1;
    o.l2_scale = 1.5;
    o.l2_learn = 1;
    o.negatives = 3;
    check_graph_options(ctx, "gae linear l2 learned", o, 1);
    /* a VGAE under the capacity objective, C above and far below the KL per node */
    {
        vgae_graph_ae_options v = vgae_graph_ae_defaults();
        v.kl.capacity = 50;
        v.kl.gamma = 7;
        check_graph_options(ctx, "vgae capacity above the KL", v, 1);
        v.kl.capacity = 1e-3;
        check_graph_options(ctx, "vgae capacity below the KL", v, 1);
    }
    /* the Hadamard-MLP decoder; with weight decay (its penalty is in the loss) */
    o.l2_scale = 0;
    o.l2_learn = 0;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.decoder_hidden = 5;
    o.weight_decay = 0.01;
    check_graph_options(ctx, "gae hadamard decay", o, 1);
    o.degree_term = 1;
    check_graph_options(ctx, "gae hadamard degree term", o, 1);
    /* dropout on the features and the hidden layer, edge masking with the
     * structure input, featureless (each evaluation replays the masks) */
    o = vgae_graph_ae_defaults();
    o.loss = VGAE_LOSS_SAMPLED;
    o.dropout = 0.3;
    check_graph_options(ctx, "vgae dropout", o, 1);
    check_graph_options(ctx, "vgae dropout featureless", o, 0);
    o.mask_rate = 0.5;
    o.structure_input = 1;
    o.decoder = VGAE_DECODER_HADAMARD;
    check_graph_options(ctx, "vgae masked structure-input", o, 0);
    o.degree_term = 1; /* the degrees of the visible edges */
    check_graph_options(ctx, "vgae masked degree term", o, 0);
    o.encoder_decay = 0.05; /* its penalty is in the loss too */
    check_graph_options(ctx, "vgae masked encoder decay", o, 0);
    /* the adversarial regularizer (its discriminator steps in the first
     * backward pass; every evaluation after sees that discriminator) */
    o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.adversarial = 0.7;
    check_graph_options(ctx, "gae adversarial", o, 1);
    /* conditioned on labels: their one-hot columns in the encoder's input,
     * their codes beside z in every decoder (dec.label checked too) */
    o = vgae_graph_ae_defaults();
    o.condition = VGAE_CONDITION_LABELS;
    check_graph_options(ctx, "vgae conditioned full", o, 1);
    check_graph_options(ctx, "vgae conditioned featureless", o, 0);
    o.loss = VGAE_LOSS_SAMPLED;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.mask_rate = 0.5;
    o.structure_input = 1;
    check_graph_options(ctx, "vgae conditioned hadamard masked", o, 0);
    o.decoder = VGAE_DECODER_INNER;
    o.mask_rate = 0;
    o.structure_input = 0;
    o.adversarial = 0.7;
    check_graph_options(ctx, "vgae conditioned sampled adversarial", o, 1);
}

/* The tiled full loss of m (on graph g, n <= 40 nodes) at z of width d <=
 * 16 (normals, stream, times zscale) in blocks of `block` rows equals the
 * direct sum over all n^2 pairs, and so does its gradient. Both are double
 * sums of the same terms in different orders: 1e-12 relative. With fd, the
 * gradient also matches the loss's central differences at every third
 * node: the loss is smooth, and its third derivatives along a coordinate
 * are at most ~pos_weight |z|^3 ~ 1e3 here, so a step h = 1e-5 leaves a
 * truncation error of ~h^2 / 6 * 1e3 ~ 2e-8 and a rounding error of ~1e-16
 * * loss / h ~ 1e-7 (the loss is ~1e4): 1e-5 absolute plus 1e-6 relative. */
static void check_full_loss(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_graph *g, int32_t n, int64_t d,
                            int64_t block, uint32_t stream, double zscale, int fd)
{
    vgae_mat z, dz, tile = {0};
    vgae_mat_init(ctx, &z, n, d);
    vgae_mat_init(ctx, &dz, n, d);
    fill_normal(&z, stream, zscale);
    const double scale = 0.37;
    double nll;
    assert_int_equal(vgae_decoder_full(ctx, m, &z, scale, &dz, &tile, block, &nll), VGAE_OK);
    double direct = 0, ddz[40][16] = {{0}};
    for (int32_t i = 0; i < n; i++)
        for (int32_t j = 0; j < n; j++) {
            double x = 0, dx;
            for (int64_t k = 0; k < d; k++)
                x += VGAE_MAT_AT(&z, i, k) * VGAE_MAT_AT(&z, j, k);
            double t = (i == j || vgae_graph_has_edge(g, i, j)) ? 1.0 : 0.0;
            direct += vgae_bernoulli_term(x, t, m->pos_weight, &dx);
            for (int64_t k = 0; k < d; k++) { /* d x_ij / d z_i = z_j, d x_ij / d z_j = z_i */
                ddz[i][k] += scale * dx * VGAE_MAT_AT(&z, j, k);
                ddz[j][k] += scale * dx * VGAE_MAT_AT(&z, i, k);
            }
        }
    if (!(fabs(nll - direct) <= 1e-12 * direct))
        fail_msg("width %lld: tiled loss %.17g, direct %.17g", (long long)d, nll, direct);
    for (int32_t i = 0; i < n; i++)
        for (int64_t k = 0; k < d; k++)
            if (fabs(VGAE_MAT_AT(&dz, i, k) - ddz[i][k]) > 1e-12 * (1 + fabs(ddz[i][k])))
                fail_msg("width %lld: dz(%d,%lld): tiled %.17g, direct %.17g", (long long)d, i, (long long)k,
                         VGAE_MAT_AT(&dz, i, k), ddz[i][k]);
    const double h = 1e-5;
    for (int32_t i = 0; fd && i < n; i += 3)
        for (int64_t k = i % 5; k < d; k += 5) {
            double up, down;
            const vgae_real keep = VGAE_MAT_AT(&z, i, k);
            VGAE_MAT_AT(&z, i, k) = keep + h;
            assert_int_equal(vgae_decoder_full(ctx, m, &z, 0, NULL, &tile, block, &up), VGAE_OK);
            VGAE_MAT_AT(&z, i, k) = keep - h;
            assert_int_equal(vgae_decoder_full(ctx, m, &z, 0, NULL, &tile, block, &down), VGAE_OK);
            VGAE_MAT_AT(&z, i, k) = keep;
            const double diff = scale * (up - down) / (2 * h), an = VGAE_MAT_AT(&dz, i, k);
            if (fabs(diff - an) > 1e-5 + 1e-6 * fabs(diff))
                fail_msg("width %lld: dz(%d,%lld): tiled %.12g, central difference %.12g", (long long)d, i,
                         (long long)k, an, diff);
        }
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&dz);
    vgae_mat_destroy(&tile);
}

/* Width 3 (BLAS products per block): 9 nodes in tiles of 4, 4 and 1 rows,
 * and the reference's weights. */
static void full_loss_matches_direct(void **state)
{
    vgae_ctx *ctx = *state;
    graph_case c;
    graph_case_init(ctx, &c, vgae_graph_ae_defaults(), 1);
    check_full_loss(ctx, c.m, c.g, 9, 3, 4, 30, 1.5, 0);
    /* reference weights: 12 edges, S = 24 ones off the diagonal */
    assert_true(fabs(c.m->pos_weight - (81.0 - 24) / 24) < 1e-15);
    assert_true(fabs(c.m->norm - 81.0 / (2 * (81.0 - 24))) < 1e-15);
    graph_case_free(&c);
}

/* Width 16, the fused kernel (vgae_kernel_full_tile): 40 nodes (a ring
 * with chords i ~ i + 7) in tiles of 24 and 16 rows, so that tiles hold
 * full and partial blocks of 16 x 16 pairs, on and off the diagonal. */
static void full_loss_fused_matches_direct(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 40 };
    int32_t pairs[4 * N];
    for (int32_t i = 0; i < N; i++) {
        pairs[4 * i] = i, pairs[4 * i + 1] = (i + 1) % N;
        pairs[4 * i + 2] = i, pairs[4 * i + 3] = (i + 7) % N;
    }
    vgae_graph *g = NULL;
    vgae_graph_ae *m = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, N, 2 * N, pairs, 0, &g), VGAE_OK);
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.latent = 16;
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), VGAE_OK);
    check_full_loss(ctx, m, g, N, 16, 24, 31, 0.6, 1);
    vgae_graph_ae_free(m);
    vgae_graph_free(g);
}

/* ---- the image VAE: 6 pixels -> 5 -> 4 -> (3) -> 4 -> 5 -> 6 ---- */
/* batches of 4 rows, and of 130: three lanes of 44, 43 and 43 rows (image_vae.c) */
#define IMAGE_ROWS 130
typedef struct {
    vgae_image_vae *v;
    int rows;
    vgae_real x[IMAGE_ROWS * 6], target[IMAGE_ROWS * 6];
    const uint8_t *labels; /* a conditional model's, else NULL */
    vgae_rng noise;
} image_case;

static double image_loss(vgae_ctx *ctx, void *self)
{
    image_case *c = self;
    vgae_elbo_terms t;
    *vgae_ctx_rng(ctx, VGAE_STREAM_NOISE) = c->noise;
    assert_int_equal(vgae_image_vae_loss(ctx, c->v, c->x, c->labels, c->target, c->rows, 1, 0, &t), VGAE_OK);
    return t.loss;
}

static void check_image_vae_rows(vgae_ctx *ctx, const char *name, vgae_kl_schedule kl, double kl_time,
                                 int classes, int rows)
{
    static uint8_t labels[IMAGE_ROWS];
    for (int r = 0; r < IMAGE_ROWS; r++)
        labels[r] = (uint8_t)((r + 2) % 3); /* 2, 0, 1, 2, ... */
    vgae_image_vae_options o = vgae_image_vae_defaults();
    o.kl = kl;
    o.classes = classes;
    o.n_hidden = 2;
    o.hidden[0] = 5;
    o.hidden[1] = 4;
    o.latent = 3;
    o.batch = rows;
    o.beta = 1.5;
    static image_case c;
    c.rows = rows;
    c.labels = classes ? labels : NULL;
    vgae_ctx_set_seed(ctx, 8);
    assert_int_equal(vgae_image_vae_new(ctx, &o, &(vgae_images){.height = 2, .width = 3}, &c.v), VGAE_OK);
    c.v->kl_time = kl_time;
    vgae_rng r;
    vgae_rng_init(&r, 9, VGAE_STREAM_DATA);
    for (int k = 0; k < rows * 6; k++) {
        c.x[k] = vgae_rng_uniform(&r);
        c.target[k] = k % 3 == 0 ? c.x[k] : (c.x[k] > 0.5); /* grayscale and binary targets */
    }
    for (int p = 0; p < c.v->base.params.count; p++)
        if (strstr(c.v->base.params.items[p].name, ".bias"))
            fill_normal(c.v->base.params.items[p].value, 40 + p, 0.3);
    c.noise = *vgae_ctx_rng(ctx, VGAE_STREAM_NOISE);
    vgae_elbo_terms t;
    assert_int_equal(vgae_image_vae_loss(ctx, c.v, c.x, c.labels, c.target, rows, 1, 1, &t), VGAE_OK);
    assert_true(t.nll > 0 && t.kl > 0);
    for (int p = 0; p < c.v->base.params.count; p++) {
        char what[96];
        snprintf(what, sizeof what, "%s %s", name, c.v->base.params.items[p].name);
        check(ctx, what, image_loss, &c, c.v->base.params.items[p].value, c.v->base.params.items[p].grad);
    }
    vgae_image_vae_free(c.v);
}

static void check_image_vae_with(vgae_ctx *ctx, const char *name, vgae_kl_schedule kl, double kl_time,
                                 int classes)
{
    check_image_vae_rows(ctx, name, kl, kl_time, classes, 4);
}

static void check_image_vae(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_kl_schedule kl = vgae_kl_schedule_defaults();
    check_image_vae_with(ctx, "image vae", kl, 0, 0);
    /* the conditional VAE: one-hot labels beside the pixels and beside z */
    check_image_vae_with(ctx, "conditional image vae", kl, 0, 3);
    /* the linear warm-up 1.3 epochs into 4: the KL weighted 1.5 * 0.325 */
    kl.anneal = VGAE_KL_LINEAR;
    kl.warmup = 4;
    check_image_vae_with(ctx, "image vae linear warm-up", kl, 1.3, 0);
    /* cyclical, 10 epochs in 2 cycles rising over 0.5 of each: at 6.2, weight 0.48 */
    kl.anneal = VGAE_KL_CYCLICAL;
    kl.cycles = 2;
    check_image_vae_with(ctx, "image vae cyclical", kl, 6.2, 0);
    /* the capacity objective, C(t) 0.05 and 40 nats an image (KL above, then below C) */
    kl.anneal = VGAE_KL_CONSTANT;
    kl.capacity = 0.1;
    kl.capacity_epochs = 2;
    kl.gamma = 3;
    check_image_vae_with(ctx, "image vae capacity below the KL", kl, 1, 0);
    kl.capacity = 40;
    check_image_vae_with(ctx, "image vae capacity above the KL", kl, 5, 0);
    /* a batch in three lanes, plain and conditional */
    check_image_vae_rows(ctx, "image vae in lanes", vgae_kl_schedule_defaults(), 0, 0, IMAGE_ROWS);
    check_image_vae_rows(ctx, "conditional image vae in lanes", vgae_kl_schedule_defaults(), 0, 3, IMAGE_ROWS);
}

/* ---- the LSTM: L = r . (every h_t) + rh . h_T + rc . c_T, with a
 * condition and a starting state, against every input and weight; with
 * lengths, h_T and c_T are each sequence's at its own last step ---- */
enum { LSTM_IN = 3, LSTM_H = 4, LSTM_T = 5, LSTM_B = 2 };

typedef struct {
    vgae_lstm layer;
    vgae_lstm_run run;
    vgae_mat x, cond, h0, c0, r, rh, rc, dx, dcond, dh0, dc0;
    const int32_t *lengths;
} lstm_case;

static int32_t lstm_length(const lstm_case *c, int s)
{
    return c->lengths ? c->lengths[s] : LSTM_T;
}

static double lstm_loss(vgae_ctx *ctx, void *self)
{
    lstm_case *c = self;
    assert_int_equal(vgae_lstm_forward(ctx, &c->layer, &c->x, &c->cond, &c->h0, &c->c0, LSTM_T, LSTM_B, c->lengths,
                                       &c->run),
                     VGAE_OK);
    const vgae_mat out = vgae_lstm_outputs(&c->run);
    double loss = dot(&c->r, &out);
    for (int s = 0; s < LSTM_B; s++) {
        const int64_t t = lstm_length(c, s) - 1;
        const vgae_mat hl = vgae_lstm_h(&c->run, t), cl = vgae_lstm_c(&c->run, t);
        for (int j = 0; j < LSTM_H; j++)
            loss += c->rh.data[s * LSTM_H + j] * hl.data[s * LSTM_H + j] +
                    c->rc.data[s * LSTM_H + j] * cl.data[s * LSTM_H + j];
    }
    return loss;
}

/* The LSTM's equations written out, element by element, for one step of
 * the forward pass (the layer's GEMMs and kernels are checked against it). */
static void lstm_direct(const lstm_case *c, vgae_mat *out)
{
    double h[LSTM_B][LSTM_H], cell[LSTM_B][LSTM_H];
    for (int s = 0; s < LSTM_B; s++)
        for (int j = 0; j < LSTM_H; j++) {
            h[s][j] = c->h0.data[s * LSTM_H + j];
            cell[s][j] = c->c0.data[s * LSTM_H + j];
        }
    for (int t = 0; t < LSTM_T; t++)
        for (int s = 0; s < LSTM_B; s++) {
            double a[4 * LSTM_H];
            for (int k = 0; k < 4 * LSTM_H; k++) {
                a[k] = c->layer.b.data[k] + c->cond.data[s * 4 * LSTM_H + k];
                for (int i = 0; i < LSTM_IN; i++)
                    a[k] += c->x.data[(t * LSTM_B + s) * LSTM_IN + i] * c->layer.wx.data[i * 4 * LSTM_H + k];
                for (int i = 0; i < LSTM_H; i++)
                    a[k] += h[s][i] * c->layer.wh.data[i * 4 * LSTM_H + k];
            }
            for (int j = 0; j < LSTM_H; j++) {
                const double ig = 1 / (1 + exp(-a[j])), fg = 1 / (1 + exp(-a[LSTM_H + j]));
                const double gg = tanh(a[2 * LSTM_H + j]), og = 1 / (1 + exp(-a[3 * LSTM_H + j]));
                cell[s][j] = fg * cell[s][j] + ig * gg;
                h[s][j] = og * tanh(cell[s][j]);
                out->data[(t * LSTM_B + s) * LSTM_H + j] = h[s][j];
            }
        }
}

static void check_lstm_with(vgae_ctx *ctx, const int32_t *lengths)
{
    lstm_case c = {.lengths = lengths};
    assert_int_equal(vgae_lstm_init(ctx, &c.layer, LSTM_IN, LSTM_H, vgae_ctx_rng(ctx, VGAE_STREAM_INIT)), VGAE_OK);
    vgae_mat *mats[] = {&c.x, &c.cond, &c.h0, &c.c0, &c.r, &c.rh, &c.rc, &c.dx, &c.dcond, &c.dh0, &c.dc0};
    const int64_t rows[] = {LSTM_T * LSTM_B, LSTM_B, LSTM_B, LSTM_B, LSTM_T * LSTM_B, LSTM_B, LSTM_B,
                            LSTM_T * LSTM_B, LSTM_B, LSTM_B, LSTM_B};
    const int64_t cols[] = {LSTM_IN, 4 * LSTM_H, LSTM_H, LSTM_H, LSTM_H, LSTM_H, LSTM_H,
                            LSTM_IN, 4 * LSTM_H, LSTM_H, LSTM_H};
    for (int k = 0; k < 11; k++) {
        assert_int_equal(vgae_mat_init(ctx, mats[k], rows[k], cols[k]), VGAE_OK);
        if (k < 7)
            fill_normal(mats[k], 40 + (uint32_t)k, k == 1 ? 0.5 : 1.0);
    }
    fill_normal(&c.layer.b, 47, 0.5);
    /* the forward pass against the equations */
    vgae_mat direct = {0};
    assert_int_equal(vgae_mat_init(ctx, &direct, LSTM_T * LSTM_B, LSTM_H), VGAE_OK);
    lstm_direct(&c, &direct);
    lstm_loss(ctx, &c);
    const vgae_mat out = vgae_lstm_outputs(&c.run);
    for (int64_t i = 0; i < vgae_mat_size(&direct); i++) { /* past a sequence's end: 0 */
        const int64_t t = i / (LSTM_B * LSTM_H), s = i / LSTM_H % LSTM_B;
        assert_true(fabs(out.data[i] - (t < lstm_length(&c, (int)s) ? direct.data[i] : 0)) <= 1e-14);
    }
    vgae_mat_destroy(&direct);
    /* backward once: the weights' gradients start at zero and are added to */
    assert_int_equal(vgae_lstm_backward(ctx, &c.layer, &c.x, &c.r, &c.rh, &c.rc, &c.run, &c.dx, &c.dcond, &c.dh0,
                                        &c.dc0),
                     VGAE_OK);
    check(ctx, "lstm dx", lstm_loss, &c, &c.x, &c.dx);
    check(ctx, "lstm dcond", lstm_loss, &c, &c.cond, &c.dcond);
    check(ctx, "lstm dh0", lstm_loss, &c, &c.h0, &c.dh0);
    check(ctx, "lstm dc0", lstm_loss, &c, &c.c0, &c.dc0);
    check(ctx, "lstm dWx", lstm_loss, &c, &c.layer.wx, &c.layer.dwx);
    check(ctx, "lstm dWh", lstm_loss, &c, &c.layer.wh, &c.layer.dwh);
    check(ctx, "lstm db", lstm_loss, &c, &c.layer.b, &c.layer.db);
    for (int k = 0; k < 11; k++)
        vgae_mat_destroy(mats[k]);
    vgae_lstm_run_destroy(&c.run);
    vgae_lstm_destroy(&c.layer);
}

static void check_lstm(void **state)
{
    check_lstm_with(*state, NULL);
    /* the first sequence ends after 2 steps, the second runs all 5 */
    static const int32_t lengths[LSTM_B] = {2, LSTM_T};
    check_lstm_with(*state, lengths);
}

/* ---- the sequence VAE: embeddings -> LSTM both ways -> Gaussian layer ->
 * LSTM decoder with z at every step -> softmax, every parameter ---- */
typedef struct {
    vgae_seq_vae *m;
    vgae_seqs s;
    vgae_elbo_config cfg;
    vgae_rng noise;
} seq_case;

static double seq_loss(vgae_ctx *ctx, void *self)
{
    seq_case *c = self;
    vgae_rng replay = c->noise;
    vgae_elbo_terms t;
    assert_int_equal(vgae_seq_vae_loss(ctx, c->m, &c->s, &c->cfg, &replay, 0, &t), VGAE_OK);
    return t.loss;
}

static void check_seq_vae(void **state)
{
    vgae_ctx *ctx = *state;
    seq_case c = {0};
    /* three sequences of different lengths over four characters */
    assert_int_equal(vgae_seqs_from_text(ctx, "a", "abcd", 8, NULL, &c.s), VGAE_OK);
    vgae_alphabet a;
    assert_int_equal(vgae_alphabet_learn(ctx, &c.s, &a), VGAE_OK);
    vgae_seqs_free(&c.s);
    static const uint32_t text[] = {'a', 'b', 'c', 'a', 'd', 'd', 'b', 'c', 'a'};
    static int64_t start[] = {0, 2, 6, 9}, line[] = {1, 2, 3};
    c.s = (vgae_seqs){.count = 3, .start = start, .sym = (uint32_t *)text, .line = line, .longest = 4};
    vgae_seq_vae_options o = vgae_seq_vae_defaults();
    o.embed = 4;
    o.enc_hidden = 5;
    o.dec_hidden = 6;
    o.latent = 3;
    o.max_len = 8;
    for (int bi = 1; bi >= 0; bi--) {
        o.bidirectional = bi;
        assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &c.m), VGAE_OK);
        c.cfg = (vgae_elbo_config){.recon_scale = 0.7, .kl_scale = 0.3, .beta = 1.5, .sample = 1};
        vgae_rng_init(&c.noise, 91, VGAE_STREAM_NOISE);
        vgae_rng replay = c.noise;
        vgae_elbo_terms t;
        assert_int_equal(vgae_seq_vae_loss(ctx, c.m, &c.s, &c.cfg, &replay, 1, &t), VGAE_OK);
        assert_true(t.nll > 0 && t.kl > 0);
        vgae_params *p = vgae_seq_vae_params(c.m);
        for (int k = 0; k < p->count; k++) {
            char what[96];
            snprintf(what, sizeof what, "seq vae%s %s", bi ? "" : " (one way)", p->items[k].name);
            check(ctx, what, seq_loss, &c, p->items[k].value, p->items[k].grad);
        }
        vgae_seq_vae_free(c.m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(check_self_test, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_linear, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_lstm, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_seq_vae, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_activations, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_dropout, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_gaussian, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_vq, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_likelihoods, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_elbo_chain, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_norms, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_graph_models, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_graph_model_options, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(full_loss_matches_direct, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(full_loss_fused_matches_direct, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(encoder_decay_spares_the_decoder, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(check_image_vae, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("gradcheck", tests, NULL, NULL);
}
