/* Softmax regression on pixels, trained with Adam: the classifier that checks generated images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/models/classifier.h"
#include "vgae/nn/optim.h"

struct vgae_classifier {
    int32_t pixels, classes;
    vgae_mat w, b, dw, db; /* pixels x classes, 1 x classes, and their gradients */
};

enum { BATCH = 128 };

void vgae_classifier_free(vgae_classifier *c)
{
    if (!c)
        return;
    vgae_mat *mats[] = {&c->w, &c->b, &c->dw, &c->db};
    for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
        vgae_mat_destroy(mats[k]);
    free(c);
}

int vgae_classifier_classes(const vgae_classifier *c)
{
    return c->classes;
}

/* logits (rows x classes) = x W + b, then each row turned into its softmax in place */
static vgae_status probabilities(vgae_ctx *ctx, const vgae_classifier *c, const vgae_mat *x, vgae_mat *p)
{
    vgae_status st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, x, &c->w, 0.0, p);
    for (int64_t r = 0; !st && r < p->rows; r++) {
        vgae_real *row = p->data + r * c->classes;
        double max = -INFINITY, sum = 0;
        for (int k = 0; k < c->classes; k++) {
            row[k] += c->b.data[k];
            if (row[k] > max)
                max = row[k];
        }
        for (int k = 0; k < c->classes; k++)
            sum += exp((double)row[k] - max);
        for (int k = 0; k < c->classes; k++)
            row[k] = (vgae_real)(exp((double)row[k] - max) / sum);
    }
    return st;
}

static void fill_rows(vgae_mat *x, const float *pixels, const int64_t *idx, int64_t first, int64_t rows,
                      int32_t d)
{
    x->rows = rows;
    for (int64_t r = 0; r < rows; r++)
        for (int32_t k = 0; k < d; k++)
            x->data[r * d + k] = (vgae_real)pixels[(idx ? idx[first + r] : first + r) * d + k];
}

vgae_status vgae_classifier_train(vgae_ctx *ctx, const vgae_images *train, int epochs, vgae_classifier **out)
{
    *out = NULL;
    if (!train->labels)
        return vgae_fail(ctx, VGAE_EINVAL, "the classifier needs labelled images");
    if (epochs < 1 || train->n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "the classifier needs images and at least one epoch");
    const int32_t k = vgae_images_classes(train);
    if (k < 2)
        return vgae_fail(ctx, VGAE_EINVAL, "the classifier needs at least two classes");
    vgae_classifier *c = vgae_calloc(ctx, 1, sizeof *c);
    if (!c)
        return VGAE_ENOMEM;
    const int32_t d = train->height * train->width;
    c->pixels = d;
    c->classes = k;
    vgae_params params = {0};
    vgae_adam adam = {0};
    vgae_mat x = {0}, p = {0};
    int64_t *order = vgae_alloc(ctx, (size_t)train->n, sizeof *order);
    vgae_status st = order ? VGAE_OK : VGAE_ENOMEM;
    if (!st) st = vgae_mat_init(ctx, &c->w, d, k);
    if (!st) st = vgae_mat_init(ctx, &c->b, 1, k);
    if (!st) st = vgae_mat_init(ctx, &c->dw, d, k);
    if (!st) st = vgae_mat_init(ctx, &c->db, 1, k);
    if (!st) st = vgae_mat_init(ctx, &x, BATCH, d);
    if (!st) st = vgae_mat_init(ctx, &p, BATCH, k);
    if (!st) st = vgae_params_add(ctx, &params, "w", &c->w, &c->dw);
    if (!st) st = vgae_params_add(ctx, &params, "b", &c->b, &c->db);
    vgae_adam_options ao = vgae_adam_defaults();
    ao.lr = 0.005;
    if (!st) st = vgae_adam_init(ctx, &adam, &params, &ao);
    for (int e = 0; !st && e < epochs; e++) {
        vgae_rng_permutation(vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE), order, train->n);
        for (int64_t first = 0; !st && first < train->n; first += BATCH) {
            const int64_t rows = train->n - first < BATCH ? train->n - first : BATCH;
            fill_rows(&x, train->pixels, order, first, rows, d);
            p.rows = rows;
            st = probabilities(ctx, c, &x, &p);
            /* d mean cross-entropy / d logits = (p - onehot(y)) / rows */
            for (int64_t r = 0; !st && r < rows; r++) {
                p.data[r * k + train->labels[order[first + r]]] -= 1;
                for (int j = 0; j < k; j++)
                    p.data[r * k + j] /= (vgae_real)rows;
            }
            if (!st)
                st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1.0, &x, &p, 0.0, &c->dw);
            for (int j = 0; !st && j < k; j++) {
                double s = 0;
                for (int64_t r = 0; r < rows; r++)
                    s += p.data[r * k + j];
                c->db.data[j] = (vgae_real)s;
            }
            if (!st)
                vgae_adam_step(ctx, &adam);
        }
    }
    x.rows = BATCH;
    p.rows = BATCH;
    vgae_mat_destroy(&x);
    vgae_mat_destroy(&p);
    vgae_adam_destroy(&adam);
    vgae_params_destroy(&params);
    free(order);
    if (st) {
        vgae_classifier_free(c);
        return st;
    }
    *out = c;
    return VGAE_OK;
}

vgae_status vgae_classifier_predict(vgae_ctx *ctx, const vgae_classifier *c, const float *pixels, int64_t n,
                                    uint8_t *classes)
{
    vgae_mat x = {0}, p = {0};
    vgae_status st = vgae_mat_init(ctx, &x, BATCH, c->pixels);
    if (!st)
        st = vgae_mat_init(ctx, &p, BATCH, c->classes);
    for (int64_t first = 0; !st && first < n; first += BATCH) {
        const int64_t rows = n - first < BATCH ? n - first : BATCH;
        fill_rows(&x, pixels, NULL, first, rows, c->pixels);
        p.rows = rows;
        st = probabilities(ctx, c, &x, &p);
        for (int64_t r = 0; !st && r < rows; r++) {
            int best = 0;
            for (int j = 1; j < c->classes; j++)
                if (p.data[r * c->classes + j] > p.data[r * c->classes + best])
                    best = j;
            classes[first + r] = (uint8_t)best;
        }
    }
    x.rows = BATCH;
    p.rows = BATCH;
    vgae_mat_destroy(&x);
    vgae_mat_destroy(&p);
    return st;
}

vgae_status vgae_classifier_accuracy(vgae_ctx *ctx, const vgae_classifier *c, const float *pixels,
                                     const uint8_t *labels, int64_t n, double *accuracy)
{
    uint8_t *pred = vgae_alloc(ctx, (size_t)(n > 0 ? n : 1), 1);
    if (!pred)
        return VGAE_ENOMEM;
    vgae_status st = vgae_classifier_predict(ctx, c, pixels, n, pred);
    int64_t right = 0;
    for (int64_t i = 0; !st && i < n; i++)
        right += pred[i] == labels[i];
    *accuracy = n > 0 ? (double)right / (double)n : NAN;
    free(pred);
    return st;
}
