/* The Hadamard-MLP decoder: a pair's logit is an MLP of the elementwise product of its embeddings; its sampled loss and scores, a batch of pairs at a time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/graph_ae_impl.h"
#include "nn/kernels.h"
#include "vgae/vae/likelihood.h"

/* Pairs per batch: the batch's products and activations are its rows. */
#define MLP_BATCH 4096

/* The degree term's weight a at the start: 1, so that at first the term
 * ranks pairs as preferential attachment does (chosen on validation pairs
 * of PubMed and a Barabasi-Albert graph, featureless, over 0). */
#define DEGREE_TERM_START 1.0

/* log(1 + d) per node into out: d the degrees of g, less those of hidden
 * (the masked edges) if not NULL. */
static void set_log_degree(double *out, const vgae_graph *g, const vgae_graph *hidden)
{
    for (int32_t u = 0; u < g->n; u++) {
        int64_t k = g->rowptr[u + 1] - g->rowptr[u];
        if (hidden)
            k -= hidden->rowptr[u + 1] - hidden->rowptr[u];
        out[u] = log1p((double)k);
    }
}

vgae_status vgae_mlp_decoder_init(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *init)
{
    vgae_mlp_decoder *d = &m->mlp;
    /* a conditional model's pairs take [z | label code] */
    const int64_t z = m->options.latent + (m->options.condition ? m->options.classes : 0);
    const int64_t hidden = m->options.decoder_hidden > 0 ? m->options.decoder_hidden : z;
    vgae_status st = vgae_linear_init(ctx, &d->l1, z, hidden, 1, init);
    if (!st) st = vgae_linear_init(ctx, &d->l2, hidden, 1, 1, init);
    if (!st) st = vgae_linear_params(ctx, &d->l1, "dec.1", &m->base.params);
    if (!st) st = vgae_linear_params(ctx, &d->l2, "dec.2", &m->base.params);
    if (!st) st = vgae_mat_init(ctx, &d->h, MLP_BATCH, z);
    if (!st) st = vgae_mat_init(ctx, &d->dh, MLP_BATCH, z);
    if (!st) st = vgae_mat_init(ctx, &d->a1, MLP_BATCH, hidden);
    if (!st) st = vgae_mat_init(ctx, &d->da1, MLP_BATCH, hidden);
    if (!st) st = vgae_mat_init(ctx, &d->logit, MLP_BATCH, 1);
    if (!st) st = vgae_mat_init(ctx, &d->dlogit, MLP_BATCH, 1);
    if (!st && m->options.degree_term) {
        st = vgae_mat_init(ctx, &d->deg_weight, 1, 1);
        if (!st) st = vgae_mat_init(ctx, &d->ddeg_weight, 1, 1);
        if (!st) d->deg_weight.data[0] = (vgae_real)DEGREE_TERM_START;
        if (!st) st = vgae_params_add(ctx, &m->base.params, "dec.degree", &d->deg_weight, &d->ddeg_weight);
        if (!st && (!(d->log_degree = vgae_calloc(ctx, (size_t)m->n, sizeof *d->log_degree)) ||
                    !(d->log_degree_visible = vgae_calloc(ctx, (size_t)m->n, sizeof *d->log_degree))))
            st = VGAE_ENOMEM;
        if (!st)
            set_log_degree(d->log_degree, m->train, NULL);
    }
    return st;
}

void vgae_mlp_decoder_destroy(vgae_mlp_decoder *d)
{
    vgae_linear_destroy(&d->l1);
    vgae_linear_destroy(&d->l2);
    vgae_mat *mats[] = {&d->h, &d->a1, &d->logit, &d->dlogit, &d->da1, &d->dh, &d->deg_weight,
                        &d->ddeg_weight};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    free(d->log_degree);
    free(d->log_degree_visible);
    d->log_degree = d->log_degree_visible = NULL;
}

static vgae_mat rows_of(const vgae_mat *m, int64_t rows)
{
    return (vgae_mat){rows, m->cols, m->data};
}

/* The logits of b pairs (u[i], v[i]) into d->logit, with the degree term
 * over log_degree (NULL without it); d->h and d->a1 keep the products and
 * activations for backward. */
static vgae_status forward(vgae_ctx *ctx, vgae_mlp_decoder *d, const vgae_mat *z,
                           const double *log_degree, const int32_t *u, const int32_t *v, int64_t b)
{
    const int64_t dim = z->cols;
    for (int64_t i = 0; i < b; i++) {
        const vgae_real *zu = z->data + (int64_t)u[i] * dim, *zv = z->data + (int64_t)v[i] * dim;
        vgae_real *h = d->h.data + i * dim;
        for (int64_t c = 0; c < dim; c++)
            h[c] = zu[c] * zv[c];
    }
    vgae_mat h = rows_of(&d->h, b), a1 = rows_of(&d->a1, b), logit = rows_of(&d->logit, b);
    vgae_status st = vgae_linear_forward(ctx, &d->l1, &h, &a1);
    if (!st)
        st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &a1, &a1);
    if (!st)
        st = vgae_linear_forward(ctx, &d->l2, &a1, &logit);
    if (!st && log_degree) {
        const double a = (double)d->deg_weight.data[0];
        for (int64_t i = 0; i < b; i++)
            logit.data[i] += (vgae_real)(a * (log_degree[u[i]] + log_degree[v[i]]));
    }
    return st;
}

/* The pairs of the loss in order: the edges u < v of pos, then the negatives. */
typedef struct {
    const vgae_graph *pos;
    const int32_t *neg;
    int64_t n_pos, n_neg;
    int32_t row;  /* the next positive: row, and index into its adjacency */
    int64_t at;
    int64_t next; /* pairs handed out */
} pair_walk;

/* Up to want pairs into u, v (label 1 for positives); returns how many. */
static int64_t take(pair_walk *w, int64_t want, int32_t *u, int32_t *v, int *label)
{
    int64_t k = 0;
    const vgae_graph *g = w->pos;
    while (k < want && w->next < w->n_pos) {
        while (w->at >= g->rowptr[w->row + 1]) {
            w->row++;
            w->at = g->rowptr[w->row];
        }
        const int32_t b = g->adj[w->at++];
        if (b <= w->row)
            continue;
        u[k] = w->row;
        v[k++] = b;
        w->next++;
    }
    if (k > 0) {
        *label = 1;
        return k;
    }
    const int64_t first = w->next - w->n_pos;
    for (; k < want && first + k < w->n_neg; k++) {
        u[k] = w->neg[2 * (first + k)];
        v[k] = w->neg[2 * (first + k) + 1];
    }
    w->next += k;
    *label = 0;
    return k;
}

vgae_status vgae_mlp_decoder_loss(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_graph *pos,
                                  const vgae_mat *z, const int32_t *neg, int64_t n_neg,
                                  double grad_scale, double neg_weight, vgae_mat *dz, double *nll)
{
    vgae_mlp_decoder *d = &m->mlp;
    const int64_t dim = z->cols;
    static _Thread_local int32_t u[MLP_BATCH], v[MLP_BATCH];
    pair_walk w = {pos, neg, pos->n_edges, n_neg, 0, pos->rowptr[0], 0};
    double loss = 0, da = 0;
    vgae_status st = VGAE_OK;
    if (dz)
        vgae_mat_zero(dz);
    /* the degrees the encoder sees: without the hidden edges */
    const double *log_degree = m->masked && d->log_degree ? d->log_degree_visible : d->log_degree;
    if (m->masked && d->log_degree)
        set_log_degree(d->log_degree_visible, m->train, m->masked);
    for (;;) {
        int label;
        const int64_t b = take(&w, MLP_BATCH, u, v, &label);
        if (b == 0)
            break;
        st = forward(ctx, d, z, log_degree, u, v, b);
        if (st)
            break;
        /* the logits become scale times the loss's derivatives in them */
        const double weight = label ? 1.0 : neg_weight;
        memcpy(d->dlogit.data, d->logit.data, (size_t)b * sizeof *d->dlogit.data);
        loss += weight * vgae_kernel_logistic(d->dlogit.data, NULL, b, label, grad_scale * weight);
        if (!dz)
            continue;
        vgae_mat a1 = rows_of(&d->a1, b), da1 = rows_of(&d->da1, b), h = rows_of(&d->h, b),
                 dh = rows_of(&d->dh, b), dlogit = rows_of(&d->dlogit, b);
        if (log_degree)
            for (int64_t i = 0; i < b; i++)
                da += (double)dlogit.data[i] * (log_degree[u[i]] + log_degree[v[i]]);
        st = vgae_linear_backward(ctx, &d->l2, &a1, &dlogit, &da1);
        if (!st)
            st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &a1, &da1, &da1);
        if (!st)
            st = vgae_linear_backward(ctx, &d->l1, &h, &da1, &dh);
        if (st)
            break;
        /* d(z_u * z_v): dz_u += dh * z_v, dz_v += dh * z_u, pair after pair */
        for (int64_t i = 0; i < b; i++) {
            const vgae_real *g = dh.data + i * dim;
            const vgae_real *zu = z->data + (int64_t)u[i] * dim, *zv = z->data + (int64_t)v[i] * dim;
            vgae_real *du = dz->data + (int64_t)u[i] * dim, *dv = dz->data + (int64_t)v[i] * dim;
            for (int64_t c = 0; c < dim; c++) {
                du[c] += g[c] * zv[c];
                dv[c] += g[c] * zu[c];
            }
        }
    }
    if (dz && log_degree)
        d->ddeg_weight.data[0] += (vgae_real)da;
    if (nll)
        *nll = loss;
    return st;
}

vgae_status vgae_mlp_decoder_score(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_mat *emb,
                                   const vgae_pair *pairs, int64_t n, double *scores)
{
    vgae_mlp_decoder *d = &m->mlp;
    static _Thread_local int32_t u[MLP_BATCH], v[MLP_BATCH];
    for (int64_t first = 0; first < n; first += MLP_BATCH) {
        const int64_t b = n - first < MLP_BATCH ? n - first : MLP_BATCH;
        for (int64_t i = 0; i < b; i++) {
            u[i] = pairs[first + i].u;
            v[i] = pairs[first + i].v;
        }
        /* the training graph's degrees, as the encoder sees it when scoring */
        vgae_status st = forward(ctx, d, emb, d->log_degree, u, v, b);
        if (st)
            return st;
        for (int64_t i = 0; i < b; i++)
            scores[first + i] = vgae_sigmoid(d->logit.data[i]);
    }
    return VGAE_OK;
}
