/* The graph autoencoder: construction with its own copies of its data, training epochs, evaluation, embeddings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/graph_ae_impl.h"
#include "vgae/eval/metrics.h"
#include "vgae/graph/normalize.h"
#include "vgae/vae/likelihood.h"

vgae_graph_ae_options vgae_graph_ae_defaults(void)
{
    vgae_graph_ae_options o = {.kind = VGAE_MODEL_VGAE, .hidden = 32, .latent = 16, .lr = 0.01,
                               .epochs = 200, .beta = 1.0, .loss = VGAE_LOSS_FULL, .features = 1,
                               .hits = vgae_hits_ks_default()};
    return o;
}

const char *vgae_graph_ae_kind_name(vgae_graph_ae_kind kind)
{
    return kind == VGAE_MODEL_VGAE ? "vgae" : kind == VGAE_MODEL_GAE ? "gae" : "unknown";
}

const char *vgae_loss_name(vgae_loss_kind loss)
{
    return loss == VGAE_LOSS_FULL ? "full" : loss == VGAE_LOSS_SAMPLED ? "sampled" : "unknown";
}

/* The latent layer each kind of model draws z through. */
static const char *latent_kind(vgae_graph_ae_kind kind)
{
    return kind == VGAE_MODEL_GAE ? "point" : "gaussian";
}

void vgae_graph_ae_free(vgae_graph_ae *m)
{
    if (!m)
        return;
    vgae_split_free(m->split);
    vgae_graph_free(m->train);
    free(m->source_dataset);
    free(m->source_graph);
    free(m->source_features);
    vgae_csr_free(m->a_hat);
    vgae_csr_free(m->x);
    vgae_csr_free(m->xt);
    vgae_mat *mats[] = {&m->w0, &m->wmu, &m->wsig, &m->dw0, &m->dwmu, &m->dwsig, &m->h0,
                        &m->h1, &m->pmu, &m->mean, &m->logvar, &m->dmean, &m->dlogvar, &m->dh1,
                        &m->tile};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    vgae_model_base_destroy(&m->base);
    vgae_elbo_work_destroy(&m->elbo);
    free(m->neg_buf);
    free(m);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_graph_ae_options *o)
{
    if (o->kind != VGAE_MODEL_VGAE && o->kind != VGAE_MODEL_GAE)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown model kind %d", (int)o->kind);
    if (o->loss != VGAE_LOSS_FULL && o->loss != VGAE_LOSS_SAMPLED)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown loss kind %d", (int)o->loss);
    if (o->hidden < 1 || o->latent < 1 || o->hidden > 65536 || o->latent > 65536)
        return vgae_fail(ctx, VGAE_EINVAL, "hidden (%d) and latent (%d) sizes must be 1..65536",
                         o->hidden, o->latent);
    if (o->epochs < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "epochs must be >= 0, not %d", o->epochs);
    if (!(o->beta >= 0) || !(o->beta < 1e300))
        return vgae_fail(ctx, VGAE_EINVAL, "beta must be finite and >= 0, not %g", o->beta);
    if (o->hits.n < 0 || o->hits.n > VGAE_MAX_HITS)
        return vgae_fail(ctx, VGAE_EINVAL, "%d values of K for Hits@K (0..%d)", o->hits.n,
                         VGAE_MAX_HITS);
    for (int i = 0; i < o->hits.n; i++)
        if (o->hits.k[i] < 1)
            return vgae_fail(ctx, VGAE_EINVAL, "Hits@%d: K must be at least 1", o->hits.k[i]);
    return VGAE_OK; /* lr is checked by Adam */
}

/* Takes train (owned on success and on failure) and copies features. */
static vgae_status build(vgae_ctx *ctx, const vgae_graph_ae_options *options, vgae_graph *train,
                         const vgae_csr *features, vgae_graph_ae **out)
{
    *out = NULL;
    vgae_status st = check_options(ctx, options);
    if (!st && features && features->rows != train->n)
        st = vgae_fail(ctx, VGAE_EINVAL, "the feature matrix has %d rows for a graph of %d nodes",
                       features->rows, train->n);
    if (!st && train->n_edges < 1)
        st = vgae_fail(ctx, VGAE_EINVAL, "the training graph has no edges");
    if (!st && options->loss == VGAE_LOSS_SAMPLED &&
        (double)train->n * (train->n - 1) / 2 - (double)train->n_edges < 1)
        st = vgae_fail(ctx, VGAE_EINVAL, "the training graph is complete: the sampled loss has "
                       "no non-edges to draw (use --loss full)");
    vgae_graph_ae *m = st ? NULL : vgae_calloc(ctx, 1, sizeof *m);
    if (!m) {
        vgae_graph_free(train);
        return st ? st : VGAE_ENOMEM;
    }
    m->options = *options;
    m->train = train;
    m->n = train->n;
    m->n_features = features ? features->cols : 0;
    m->encoded_epoch = -1;
    m->reported = vgae_link_figures_none(&options->hits);
    const double nn = (double)m->n * m->n, s = 2.0 * (double)train->n_edges;
    m->pos_weight = (nn - s) / s;
    m->norm = nn / (2 * (nn - s));
    const int64_t n = m->n, h = options->hidden, l = options->latent;
    st = vgae_model_base_init(ctx, &m->base, latent_kind(options->kind), l);
    const int stochastic = !st && vgae_latent_heads(m->base.latent) > 1;
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    if (!st)
        st = vgae_gcn_normalize(ctx, train, &m->a_hat);
    if (!st && features)
        st = vgae_csr_copy(ctx, features, &m->x);
    if (!st && features)
        st = vgae_csr_transpose(ctx, features, &m->xt);
    if (!st) st = vgae_mat_init(ctx, &m->w0, features ? features->cols : n, h);
    if (!st) st = vgae_mat_init(ctx, &m->dw0, m->w0.rows, h);
    if (!st) st = vgae_mat_init(ctx, &m->wmu, h, l);
    if (!st) st = vgae_mat_init(ctx, &m->dwmu, h, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->wsig, h, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->dwsig, h, l);
    if (!st && features) st = vgae_mat_init(ctx, &m->h0, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->h1, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->dh1, n, h);
    if (!st) st = vgae_mat_init(ctx, &m->pmu, n, l);
    if (!st) st = vgae_mat_init(ctx, &m->mean, n, l);
    if (!st) st = vgae_mat_init(ctx, &m->dmean, n, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->logvar, n, l);
    if (!st && stochastic) st = vgae_mat_init(ctx, &m->dlogvar, n, l);
    if (!st) st = vgae_params_add(ctx, &m->base.params, "gcn.w0", &m->w0, &m->dw0);
    if (!st) st = vgae_params_add(ctx, &m->base.params, "gcn.wmu", &m->wmu, &m->dwmu);
    if (!st && stochastic) st = vgae_params_add(ctx, &m->base.params, "gcn.wsigma", &m->wsig, &m->dwsig);
    if (!st && options->loss == VGAE_LOSS_SAMPLED) {
        m->neg_buf = vgae_alloc(ctx, (size_t)train->n_edges * 2, sizeof(int32_t));
        st = m->neg_buf ? VGAE_OK : VGAE_ENOMEM;
    }
    if (!st)
        st = vgae_model_base_optimizer(ctx, &m->base, options->lr);
    if (st) {
        vgae_graph_ae_free(m);
        return st;
    }
    /* Glorot-uniform weights, drawn in this order from the init stream */
    vgae_glorot_uniform(ctx, &m->w0, init);
    vgae_glorot_uniform(ctx, &m->wmu, init);
    if (stochastic)
        vgae_glorot_uniform(ctx, &m->wsig, init);
    *out = m;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_on_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                   const vgae_graph *train, const vgae_csr *features,
                                   vgae_graph_ae **out)
{
    vgae_graph *copy = NULL;
    *out = NULL;
    vgae_status st = vgae_graph_copy(ctx, train, &copy);
    if (st)
        return st;
    return build(ctx, options, copy, features, out);
}

/* A copy of path as an absolute path, or as given when it cannot be
 * resolved (the model file says what it can); NULL only for NULL. */
static char *source_path(vgae_ctx *ctx, const char *path)
{
    if (!path)
        return NULL;
    char *abs = vgae_absolute_path(ctx, path);
    if (!abs) {
        vgae_ctx_clear(ctx);
        abs = vgae_strdup(ctx, path);
    }
    return abs;
}

/* The data's source, for the model file: a dataset name, or the paths of its files. */
static vgae_status record_source(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_dataset *data)
{
    if ((data->name && !(m->source_dataset = vgae_strdup(ctx, data->name))) ||
        (data->graph_path && !(m->source_graph = source_path(ctx, data->graph_path))) ||
        (m->x && data->features_path && !(m->source_features = source_path(ctx, data->features_path))))
        return VGAE_ENOMEM;
    m->source_format = data->format;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_new(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                              const vgae_dataset *data, const vgae_split *split,
                              vgae_graph_ae **out)
{
    *out = NULL;
    const vgae_graph *g = data->graph;
    if (split->n != g->n)
        return vgae_fail(ctx, VGAE_EINVAL, "the split is of a graph of %d nodes, the data's has %d",
                         split->n, g->n);
    vgae_graph *train = NULL;
    vgae_status st = vgae_split_train_graph(ctx, split, &train);
    const vgae_csr *features = options->features ? data->features : NULL;
    if (!st)
        st = build(ctx, options, train, features, out);
    vgae_graph_ae *m = *out;
    if (!st)
        st = vgae_split_copy(ctx, split, &m->split);
    if (!st)
        st = record_source(ctx, m, data);
    if (st) {
        vgae_graph_ae_free(m);
        *out = NULL;
        return st;
    }
    m->split->n_edges = g->n_edges;
    m->full_edges = g->n_edges;
    m->graph_checksum = vgae_graph_checksum(g);
    m->features_checksum = vgae_csr_checksum(features);
    m->split_checksum = vgae_split_checksum(split);
    return VGAE_OK;
}

/* The ELBO's decoder callback: the model's loss kind over z. */
static vgae_status decode(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                          vgae_mat *dz, double *nll)
{
    vgae_graph_ae *m = self;
    if (m->options.loss == VGAE_LOSS_SAMPLED)
        return vgae_decoder_sampled(ctx, m, z, m->neg_buf, m->train->n_edges,
                                    grad_scale, dz, nll);
    return vgae_decoder_full(ctx, m, z, grad_scale, dz, &m->tile, vgae_full_block(m->n), nll);
}

vgae_status vgae_graph_ae_loss(vgae_ctx *ctx, vgae_graph_ae *m, int backward, vgae_elbo_terms *terms)
{
    const double nn = (double)m->n * m->n;
    vgae_elbo_config cfg = vgae_elbo_defaults();
    /* the reference's scales (see vgae/vae/elbo.h): KL / N^2, reconstruction
     * norm / N^2 for the full loss, a mean over each half for the sampled one */
    cfg.kl_scale = 1.0 / nn;
    cfg.beta = m->options.beta;
    if (m->options.loss == VGAE_LOSS_SAMPLED) {
        cfg.recon_scale = 1.0 / (double)m->train->n_edges;
        vgae_sampled_draw_negatives(ctx, m);
    } else {
        cfg.recon_scale = m->norm / nn;
    }
    if (backward)
        vgae_params_zero_grad(&m->base.params);
    const vgae_mat *heads[] = {&m->mean, &m->logvar};
    vgae_mat *d_heads[] = {&m->dmean, &m->dlogvar};
    vgae_status st = vgae_gcn_forward(ctx, m, 1);
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, m->base.latent, heads, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE),
                               decode, m, &m->elbo, backward ? d_heads : NULL, terms);
    if (!st && backward)
        st = vgae_gcn_backward(ctx, m);
    return st;
}

vgae_status vgae_graph_ae_train_epoch(vgae_ctx *ctx, vgae_graph_ae *m, vgae_elbo_terms *terms)
{
    const double start = vgae_now();
    vgae_status st = vgae_graph_ae_loss(ctx, m, 1, terms);
    /* without the loss to look at, a diverged run shows in its gradient */
    if (!st)
        st = vgae_model_base_step(ctx, &m->base, !terms);
    if (st)
        return st;
    m->base.epoch++;
    m->base.train_seconds += vgae_now() - start;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_encode(vgae_ctx *ctx, vgae_graph_ae *m)
{
    if (m->encoded_epoch == m->base.epoch)
        return VGAE_OK;
    vgae_status st = vgae_gcn_forward(ctx, m, 0); /* the means: all that scoring needs */
    if (!st)
        m->encoded_epoch = m->base.epoch;
    return st;
}

/* Pairs ahead whose rows are fetched while a pair is scored: on a large
 * graph the rows are scattered over more memory than the caches hold. */
#define SCORE_AHEAD 16
/* Pairs per part of a threaded scoring (every score is computed alone, so
 * the split does not change any number). */
#define SCORE_PART 65536

void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores)
{
    const int64_t d = emb->cols;
    for (int64_t k = 0; k < n; k++) {
        if (k + SCORE_AHEAD < n) {
            __builtin_prefetch(emb->data + pairs[k + SCORE_AHEAD].u * d);
            __builtin_prefetch(emb->data + pairs[k + SCORE_AHEAD].v * d);
        }
        const vgae_real *a = emb->data + pairs[k].u * d, *b = emb->data + pairs[k].v * d;
        double x = 0.0;
        for (int64_t c = 0; c < d; c++)
            x += (double)a[c] * b[c];
        scores[k] = vgae_sigmoid(x);
    }
}

vgae_status vgae_evaluate_pairs(vgae_ctx *ctx, const vgae_mat *emb, const vgae_pair *pos,
                                const vgae_pair *neg, int64_t n, double *auc, double *ap)
{
    *auc = *ap = NAN;
    if (n == 0)
        return VGAE_OK;
    double *scores = vgae_alloc(ctx, (size_t)(2 * n), sizeof *scores);
    if (!scores)
        return VGAE_ENOMEM;
    const int threads = vgae_ctx_threads(ctx);
    const int64_t parts = (n + SCORE_PART - 1) / SCORE_PART;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && parts > 1)
    for (int64_t p = 0; p < 2 * parts; p++) {
        const vgae_pair *pairs = p < parts ? pos : neg;
        const int64_t first = (p % parts) * SCORE_PART;
        const int64_t count = n - first < SCORE_PART ? n - first : SCORE_PART;
        vgae_score_pairs(emb, pairs + first, count, scores + (p < parts ? 0 : n) + first);
    }
    vgae_status st = vgae_link_metrics(ctx, scores, n, scores + n, n, auc, ap);
    free(scores);
    return st;
}

/* A vgae_pair_scorer over the model's current means, in parts the threads share. */
static vgae_status score_means(vgae_ctx *ctx, void *self, const vgae_pair *pairs, int64_t n,
                               double *scores)
{
    const vgae_mat *emb = self;
    const int threads = vgae_ctx_threads(ctx);
    const int64_t parts = (n + SCORE_PART - 1) / SCORE_PART;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && parts > 1)
    for (int64_t p = 0; p < parts; p++) {
        const int64_t first = p * SCORE_PART;
        vgae_score_pairs(emb, pairs + first, n - first < SCORE_PART ? n - first : SCORE_PART,
                         scores + first);
    }
    return VGAE_OK;
}

vgae_status vgae_graph_ae_evaluate(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_split *split,
                                   vgae_link_figures *out)
{
    const vgae_split *s = split ? split : m->split;
    *out = vgae_link_figures_none(&m->options.hits);
    if (!s)
        return vgae_fail(ctx, VGAE_EINVAL, "the model has no split to evaluate on");
    if (s->n != m->n)
        return vgae_fail(ctx, VGAE_EINVAL, "a split of %d nodes for a model of %d", s->n, m->n);
    vgae_status st = vgae_graph_ae_encode(ctx, m);
    if (!st)
        st = vgae_link_evaluate(ctx, s, score_means, &m->mean, &m->options.hits, out);
    if (!st && !split)
        m->reported = *out;
    return st;
}

vgae_status vgae_graph_ae_fit(vgae_ctx *ctx, vgae_graph_ae *m, int every, vgae_epoch_fn progress,
                              void *user, vgae_linkpred_result *result)
{
    *result = (vgae_linkpred_result){vgae_link_figures_none(&m->options.hits), 0, NAN, 0};
    const int epochs = m->options.epochs;
    const double start = vgae_now(), trained = m->base.train_seconds;
    vgae_elbo_terms terms = {0};
    vgae_status st = VGAE_OK;
    for (int epoch = 1; !st && epoch <= epochs; epoch++) {
        int report = progress && (epoch == 1 || epoch == epochs || (every > 0 && epoch % every == 0));
        /* the loss only where it is shown or kept: the full loss's gradient
         * alone is cheaper, and train_epoch checks it for divergence */
        int want_loss = report || epoch == epochs;
        st = vgae_graph_ae_train_epoch(ctx, m, want_loss ? &terms : NULL);
        if (!st && want_loss && !isfinite(terms.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g after epoch %d: training diverged "
                           "(try a smaller --lr)", terms.loss, epoch);
        if (st || !report)
            continue;
        double auc, ap;
        st = vgae_graph_ae_encode(ctx, m);
        if (!st)
            st = vgae_evaluate_pairs(ctx, &m->mean, m->split->val_pos, m->split->val_neg,
                                     m->split->n_val, &auc, &ap);
        if (!st)
            progress(user, epoch, &terms, auc, ap, vgae_now() - start);
    }
    vgae_link_figures f;
    if (!st)
        st = vgae_graph_ae_evaluate(ctx, m, NULL, &f);
    if (st)
        return st;
    *result = (vgae_linkpred_result){f, m->base.train_seconds - trained, terms.loss, epochs};
    return VGAE_OK;
}

vgae_status vgae_graph_ae_embedding(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *noise,
                                    vgae_mat *out)
{
    if (noise && !vgae_latent_is_stochastic(m->base.latent))
        return vgae_fail(ctx, VGAE_EINVAL, "a %s has no variance to draw embeddings from",
                         m->options.kind == VGAE_MODEL_GAE ? "GAE" : "model");
    vgae_status st = vgae_mat_ensure(ctx, out, m->n, m->options.latent);
    if (!noise) {
        if (!st)
            st = vgae_graph_ae_encode(ctx, m);
        return st ? st : vgae_mat_copy(ctx, out, &m->mean);
    }
    const vgae_mat *heads[] = {&m->mean, &m->logvar};
    vgae_mat eps = {0};
    if (!st)
        st = vgae_gcn_forward(ctx, m, 1);
    if (!st)
        m->encoded_epoch = m->base.epoch;
    if (!st)
        st = vgae_mat_init(ctx, &eps, m->n, m->options.latent);
    if (!st)
        st = vgae_latent_sample(ctx, m->base.latent, heads, noise, &eps, out);
    vgae_mat_destroy(&eps);
    return st;
}

vgae_status vgae_graph_ae_score_pairs(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_pair *pairs,
                                      int64_t n, double *scores)
{
    for (int64_t k = 0; k < n; k++)
        if (pairs[k].u < 0 || pairs[k].u >= m->n || pairs[k].v < 0 || pairs[k].v >= m->n)
            return vgae_fail(ctx, VGAE_EINVAL, "pair %lld (%d, %d) is not of the model's %d nodes",
                             (long long)k, pairs[k].u, pairs[k].v, m->n);
    vgae_status st = vgae_graph_ae_encode(ctx, m);
    if (!st)
        vgae_score_pairs(&m->mean, pairs, n, scores);
    return st;
}

/* ---- what the model holds ---- */

const vgae_graph_ae_options *vgae_graph_ae_settings(const vgae_graph_ae *m)
{
    return &m->options;
}

int32_t vgae_graph_ae_nodes(const vgae_graph_ae *m)
{
    return m->n;
}

int32_t vgae_graph_ae_features(const vgae_graph_ae *m)
{
    return m->n_features;
}

int64_t vgae_graph_ae_epoch(const vgae_graph_ae *m)
{
    return m->base.epoch;
}

uint64_t vgae_graph_ae_seed(const vgae_graph_ae *m)
{
    return m->base.seed;
}

double vgae_graph_ae_train_seconds(const vgae_graph_ae *m)
{
    return m->base.train_seconds;
}

const vgae_split *vgae_graph_ae_split(const vgae_graph_ae *m)
{
    return m->split;
}

vgae_link_figures vgae_graph_ae_reported(const vgae_graph_ae *m)
{
    return m->reported;
}
