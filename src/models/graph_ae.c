/* The graph autoencoder: construction with its own copies of its data, training epochs, evaluation, embeddings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "models/graph_ae_impl.h"
#include "nn/concat.h"
#include "vgae/eval/metrics.h"
#include "vgae/graph/normalize.h"
#include "vgae/vae/likelihood.h"

vgae_graph_ae_options vgae_graph_ae_defaults(void)
{
    vgae_graph_ae_options o = {.kind = VGAE_MODEL_VGAE, .hidden = 32, .latent = 16, .lr = 0.01,
                               .epochs = 200, .beta = 1.0, .kl = vgae_kl_schedule_defaults(),
                               .loss = VGAE_LOSS_FULL, .features = 1,
                               .hits = vgae_hits_ks_default(), .layers = 2,
                               .propagation = VGAE_PROP_GCN, .decoder = VGAE_DECODER_INNER,
                               .negatives = 1, .select = VGAE_SELECT_AUC};
    for (int l = 0; l < VGAE_MAX_LAYERS; l++)
        o.hops[l] = 1;
    return o;
}

/* Chosen on the validation pairs of Cora, CiteSeer (with features),
 * PubMed and cit-HepPh (featureless), as the README's "Link prediction
 * quality" tells: a GAE with the linear encoder of Salha et al. (one
 * layer, one hop) and 128 dimensions, half the training edges masked from
 * the encoder each epoch and reconstructed (MaskGAE), the Hadamard-MLP
 * decoder, Adam at 0.01 for 300 epochs, keeping the weights of the best
 * validation AUC (checked every 10 epochs). With features, dropout 0.7 and
 * the codes' rows scaled to norm 1.8 before they propagate (VGNAE);
 * featureless, dropout 0.5, the decoder's degree term, an L2 penalty of
 * 1e-4 on the encoder's weights (the node embeddings), and the encoder
 * reads the training adjacency, so that a node whose edges are all hidden
 * encodes to 0 and the decoder learns what such a node should score. */
static void recipe_tuned(vgae_graph_ae_options *o, int features)
{
    o->kind = VGAE_MODEL_GAE;
    o->loss = VGAE_LOSS_SAMPLED;
    o->decoder = VGAE_DECODER_HADAMARD;
    o->select = VGAE_SELECT_AUC;
    o->layers = 1;
    o->hops[0] = 1;
    o->latent = 128;
    o->mask_rate = 0.5;
    o->lr = 0.01;
    o->epochs = 300;
    o->val_every = 10;
    if (features) {
        o->dropout = 0.7;
        o->l2_scale = 1.8;
    } else {
        o->dropout = 0.5;
        o->structure_input = 1;
        o->degree_term = 1;
        o->encoder_decay = 1e-4;
    }
}

static const char *const recipe_names[] = {"kipf2016", "tuned", NULL};

const char *vgae_graph_ae_recipe_name(int i)
{
    return i >= 0 && i < (int)(sizeof recipe_names / sizeof *recipe_names) ? recipe_names[i] : NULL;
}

vgae_status vgae_graph_ae_recipe(vgae_ctx *ctx, const char *name, int features, vgae_graph_ae_options *o)
{
    if (strcmp(name, "kipf2016") == 0) { /* the defaults are the reference's */
        *o = vgae_graph_ae_defaults();
        return VGAE_OK;
    }
    if (strcmp(name, "tuned") == 0) {
        *o = vgae_graph_ae_defaults();
        recipe_tuned(o, features);
        return VGAE_OK;
    }
    return ctx ? vgae_fail(ctx, VGAE_EINVAL, "unknown recipe '%s' (kipf2016 or tuned)", name) : VGAE_EINVAL;
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
    free(m->source_labels);
    free(m->label);
    vgae_mat_destroy(&m->label_code);
    vgae_mat_destroy(&m->dlabel_code);
    vgae_mat_destroy(&m->zc);
    vgae_mat_destroy(&m->dzc);
    vgae_mat_destroy(&m->mean_c);
    vgae_csr_free(m->a_hat);
    vgae_csr_free(m->x);
    vgae_csr_free(m->xt);
    vgae_csr_free(m->x_drop);
    vgae_csr_free(m->xt_drop);
    vgae_csr_free(m->x_visible);
    vgae_csr_free(m->xt_visible);
    vgae_csr_free(m->a_visible);
    vgae_graph_free(m->masked);
    vgae_encoder_destroy(m);
    vgae_mlp_decoder_destroy(&m->mlp);
    vgae_adversary_free(m->adversary);
    vgae_fit_state_clear(&m->fit);
    free((char *)m->checkpoints.path);
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
    if (vgae_kl_schedule_check(ctx, &o->kl))
        return vgae_ctx_status(ctx);
    if (o->hits.n < 0 || o->hits.n > VGAE_MAX_HITS)
        return vgae_fail(ctx, VGAE_EINVAL, "%d values of K for Hits@K (0..%d)", o->hits.n,
                         VGAE_MAX_HITS);
    for (int i = 0; i < o->hits.n; i++)
        if (o->hits.k[i] < 1)
            return vgae_fail(ctx, VGAE_EINVAL, "Hits@%d: K must be at least 1", o->hits.k[i]);
    if (o->layers < 1 || o->layers > VGAE_MAX_LAYERS)
        return vgae_fail(ctx, VGAE_EINVAL, "%d encoder layers (1..%d)", o->layers, VGAE_MAX_LAYERS);
    for (int l = 0; l < o->layers; l++)
        if (o->hops[l] < 0 || o->hops[l] > 16)
            return vgae_fail(ctx, VGAE_EINVAL, "%d hops in layer %d (0..16)", o->hops[l], l + 1);
    if (o->propagation != VGAE_PROP_GCN && o->propagation != VGAE_PROP_LIGHTGCN)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown propagation %d", (int)o->propagation);
    if (o->norm != VGAE_NORM_NONE && o->norm != VGAE_NORM_LAYER && o->norm != VGAE_NORM_BATCH)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown normalization %d", (int)o->norm);
    if (o->decoder != VGAE_DECODER_INNER && o->decoder != VGAE_DECODER_HADAMARD)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown decoder %d", (int)o->decoder);
    if ((unsigned)o->select > VGAE_SELECT_HITS)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown selection metric %d", (int)o->select);
    if (!(o->dropout >= 0 && o->dropout < 1) || !(o->mask_rate >= 0 && o->mask_rate < 1))
        return vgae_fail(ctx, VGAE_EINVAL, "dropout (%g) and mask rate (%g) must be in [0, 1)",
                         o->dropout, o->mask_rate);
    if (!(o->l2_scale >= 0 && o->l2_scale < 1e6) || !(o->adversarial >= 0 && o->adversarial < 1e6) ||
        !(o->weight_decay >= 0 && o->weight_decay < 1e6) ||
        !(o->encoder_decay >= 0 && o->encoder_decay < 1e6))
        return vgae_fail(ctx, VGAE_EINVAL, "the L2 scale (%g), adversarial weight (%g), weight "
                         "decay (%g) and encoder decay (%g) must be finite and >= 0", o->l2_scale,
                         o->adversarial, o->weight_decay, o->encoder_decay);
    if (o->negatives < 1 || o->negatives > 1000 || o->decoder_hidden < 0 ||
        o->decoder_hidden > 65536 || o->val_every < 0 || o->patience < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "negatives (%d) must be 1..1000, the decoder's width "
                         "(%d) 0..65536, val_every (%d) and patience (%d) >= 0", o->negatives,
                         o->decoder_hidden, o->val_every, o->patience);
    if (o->loss == VGAE_LOSS_FULL && (o->decoder != VGAE_DECODER_INNER || o->mask_rate > 0 ||
                                      o->negatives != 1))
        return vgae_fail(ctx, VGAE_EINVAL, "the full loss scores every pair with the inner "
                         "product: the MLP decoder, edge masking and several negatives per "
                         "positive need the sampled loss");
    if (o->degree_term && o->decoder != VGAE_DECODER_HADAMARD)
        return vgae_fail(ctx, VGAE_EINVAL, "the degree term belongs to the MLP decoder (hadamard)");
    if ((unsigned)o->condition > VGAE_CONDITION_LABELS)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown conditioning %d", (int)o->condition);
    if (o->condition == VGAE_CONDITION_LABELS && (o->classes < 1 || o->classes > 65536))
        return vgae_fail(ctx, VGAE_EINVAL, "conditioning on labels needs 1 to 65536 classes, not %d",
                         o->classes);
    if (o->patience > 0 && o->val_every == 0)
        return vgae_fail(ctx, VGAE_EINVAL, "early stopping (patience %d) needs validation every "
                         "few epochs (val_every)", o->patience);
    return VGAE_OK; /* lr is checked by Adam */
}

/* The adjacency of g as a sparse matrix of ones (no self-loops). */
static vgae_status adjacency_csr(vgae_ctx *ctx, const vgae_graph *g, vgae_csr **out)
{
    const int64_t nnz = g->rowptr[g->n];
    vgae_status st = vgae_csr_new(ctx, g->n, g->n, nnz, out);
    if (st)
        return st;
    memcpy((*out)->rowptr, g->rowptr, ((size_t)g->n + 1) * sizeof *g->rowptr);
    memcpy((*out)->col, g->adj, (size_t)nnz * sizeof *g->adj);
    for (int64_t k = 0; k < nnz; k++)
        (*out)->val[k] = 1.0f;
    return VGAE_OK;
}

uint32_t vgae_labels_checksum(const vgae_labels *labels)
{
    if (!labels)
        return 0;
    vgae_crc c;
    vgae_crc_start(&c);
    vgae_crc_le(&c, (uint64_t)labels->n, 8);
    for (int32_t i = 0; i < labels->n; i++)
        vgae_crc_le(&c, (uint32_t)labels->y[i], 4);
    return vgae_crc_end(&c);
}

/* [a | Y]: the encoder's input with each node's one-hot class beside its
 * row of a (the n x n identity if a is NULL); a row of unknown class gets
 * no entry there. */
static vgae_status with_label_columns(vgae_ctx *ctx, const vgae_csr *a, int32_t n, const int32_t *label,
                                      int32_t classes, vgae_csr **out)
{
    const int32_t cols = a ? a->cols : n;
    if ((int64_t)cols + classes > INT32_MAX)
        return vgae_fail(ctx, VGAE_EINVAL, "%d input columns and %d classes are too many", cols, classes);
    const int64_t nnz = (a ? a->nnz : n) + n;
    vgae_status st = vgae_csr_new(ctx, n, cols + classes, nnz, out);
    if (st)
        return st;
    vgae_csr *x = *out;
    int64_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        x->rowptr[i] = k;
        if (a) {
            const int64_t len = a->rowptr[i + 1] - a->rowptr[i];
            memcpy(x->col + k, a->col + a->rowptr[i], (size_t)len * sizeof *x->col);
            memcpy(x->val + k, a->val + a->rowptr[i], (size_t)len * sizeof *x->val);
            k += len;
        } else {
            x->col[k] = i;
            x->val[k++] = 1.0f;
        }
        if (label[i] >= 0) {
            x->col[k] = cols + label[i];
            x->val[k++] = 1.0f;
        }
    }
    x->rowptr[n] = k;
    x->nnz = k;
    return VGAE_OK;
}

/* A conditional model's labels (checked against its classes), and its
 * input with their one-hot columns. */
static vgae_status condition_on_labels(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_labels *labels)
{
    const int32_t classes = m->options.classes;
    if (!labels)
        return vgae_fail(ctx, VGAE_EINVAL, "conditioning on labels needs the nodes' labels "
                         "(a labels file beside the graph)");
    if (labels->n != m->n)
        return vgae_fail(ctx, VGAE_EINVAL, "%d labels for a graph of %d nodes", labels->n, m->n);
    for (int32_t i = 0; i < m->n; i++)
        if (labels->y[i] < -1 || labels->y[i] >= classes)
            return vgae_fail(ctx, VGAE_EINVAL, "node %d has label %d; the model knows classes 0..%d", i,
                             labels->y[i], classes - 1);
    if (!(m->label = vgae_alloc(ctx, (size_t)m->n, sizeof *m->label)))
        return VGAE_ENOMEM;
    memcpy(m->label, labels->y, (size_t)m->n * sizeof *m->label);
    m->labels_checksum = vgae_labels_checksum(labels);
    vgae_csr *x = NULL;
    vgae_status st = with_label_columns(ctx, m->x, m->n, m->label, classes, &x);
    if (st)
        return st;
    vgae_csr_free(m->x);
    m->x = x;
    return VGAE_OK;
}

/* The decoder's label codes: classes x classes, Glorot-uniform from init. */
static vgae_status label_codes_init(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *init)
{
    const int32_t c = m->options.classes;
    vgae_status st = vgae_mat_init(ctx, &m->label_code, c, c);
    if (!st)
        st = vgae_mat_init(ctx, &m->dlabel_code, c, c);
    if (!st)
        vgae_glorot_uniform(ctx, &m->label_code, init);
    if (!st)
        st = vgae_params_add(ctx, &m->base.params, "dec.label", &m->label_code, &m->dlabel_code);
    return st;
}

/* Takes train (owned on success and on failure) and copies features. */
static vgae_status build(vgae_ctx *ctx, const vgae_graph_ae_options *options, vgae_graph *train,
                         const vgae_csr *features, const vgae_labels *labels, vgae_graph_ae **out)
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
    st = vgae_model_base_init(ctx, &m->base, latent_kind(options->kind), options->latent);
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    if (!st)
        st = vgae_gcn_normalize(ctx, train, &m->a_hat);
    if (!st && features)
        st = vgae_csr_copy(ctx, features, &m->x);
    else if (!st && options->structure_input)
        st = adjacency_csr(ctx, train, &m->x);
    if (!st && options->condition == VGAE_CONDITION_LABELS)
        st = condition_on_labels(ctx, m, labels);
    if (!st && m->x)
        st = vgae_csr_transpose(ctx, m->x, &m->xt);
    /* the encoder's weights first (the first version's order), then the decoder's */
    if (!st)
        st = vgae_encoder_init(ctx, m, init);
    /* the ELBO's noise lives in the logvar gradient's buffer (see vgae_elbo_work) */
    if (!st && options->kind != VGAE_MODEL_GAE)
        m->elbo.eps_in = &m->dlogvar;
    m->encoder_params = m->base.params.count;
    if (!st && options->decoder == VGAE_DECODER_HADAMARD)
        st = vgae_mlp_decoder_init(ctx, m, init);
    if (!st && options->condition == VGAE_CONDITION_LABELS)
        st = label_codes_init(ctx, m, init);
    if (!st && options->adversarial > 0)
        st = vgae_adversary_new(ctx, options->latent, options->lr, init, &m->adversary);
    if (!st)
        st = vgae_model_base_optimizer(ctx, &m->base, options->lr);
    if (st) {
        vgae_graph_ae_free(m);
        return st;
    }
    *out = m;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_on_labeled_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                           const vgae_graph *train, const vgae_csr *features,
                                           const vgae_labels *labels, vgae_graph_ae **out)
{
    vgae_graph *copy = NULL;
    *out = NULL;
    vgae_status st = vgae_graph_copy(ctx, train, &copy);
    if (st)
        return st;
    return build(ctx, options, copy, features, labels, out);
}

vgae_status vgae_graph_ae_on_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                   const vgae_graph *train, const vgae_csr *features,
                                   vgae_graph_ae **out)
{
    return vgae_graph_ae_on_labeled_graph(ctx, options, train, features, NULL, out);
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
        ((m->n_features > 0 || m->options.structure_input) && data->features_path &&
         !(m->source_features = source_path(ctx, data->features_path))) ||
        (m->label && data->labels_path && !(m->source_labels = source_path(ctx, data->labels_path))))
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
    vgae_graph_ae_options o = *options;
    if (o.condition == VGAE_CONDITION_LABELS && !data->labels)
        return vgae_fail(ctx, VGAE_EINVAL, "conditioning on labels needs the nodes' labels: %s has none "
                         "(a labels file: --labels FILE, or labels.txt in a dataset's folder)",
                         data->name ? data->name : data->graph_path ? data->graph_path : "the data");
    if (o.condition == VGAE_CONDITION_LABELS && o.classes == 0) /* a new model: the data's classes */
        for (int32_t i = 0; i < data->labels->n; i++)
            o.classes = data->labels->y[i] + 1 > o.classes ? data->labels->y[i] + 1 : o.classes;
    vgae_graph *train = NULL;
    vgae_status st = vgae_split_train_graph(ctx, split, &train);
    const vgae_csr *features = options->features ? data->features : NULL;
    if (!st)
        st = build(ctx, &o, train, features, o.condition ? data->labels : NULL, out);
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

/* The positives of this epoch's sampled loss: the training edges, or with
 * edge masking the hidden ones. */
static const vgae_graph *positives(const vgae_graph_ae *m)
{
    return m->masked ? m->masked : m->train;
}

/* The decoder's input for codes z: z itself, or for a model conditioned on
 * labels [z | each node's label code] in *zc (grown as needed). */
static vgae_status decoder_input(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z, vgae_mat *zc,
                                 const vgae_mat **out)
{
    *out = z;
    if (!m->label)
        return VGAE_OK;
    vgae_status st = vgae_mat_ensure(ctx, zc, z->rows, z->cols + m->options.classes);
    if (st)
        return st;
    vgae_concat_codes(z, m->label, &m->label_code, m->options.classes, zc);
    *out = zc;
    return VGAE_OK;
}

/* The ELBO's decoder callback: the model's loss kind over z (beside the
 * label codes when conditioned, whose gradient it keeps), and the
 * adversarial regularizer on z (its term kept in m->adversarial_loss). */
static vgae_status decode(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale,
                          vgae_mat *dz, double *nll)
{
    vgae_graph_ae *m = self;
    const vgae_graph_ae_options *o = &m->options;
    const vgae_mat *in = z;
    vgae_mat *din = dz;
    vgae_status st = decoder_input(ctx, m, z, &m->zc, &in);
    if (!st && dz && m->label) {
        st = vgae_mat_ensure(ctx, &m->dzc, in->rows, in->cols);
        din = &m->dzc;
    }
    if (st)
        return st;
    if (o->loss == VGAE_LOSS_FULL) {
        st = vgae_decoder_full(ctx, m, in, grad_scale, din, &m->tile, vgae_full_block(m->n), nll);
    } else {
        const vgae_graph *pos = positives(m);
        const int64_t n_neg = pos->n_edges * o->negatives;
        const double neg_weight = 1.0 / o->negatives;
        if (o->decoder == VGAE_DECODER_HADAMARD)
            st = vgae_mlp_decoder_loss(ctx, m, pos, in, m->neg_buf, n_neg, grad_scale, neg_weight,
                                       din, nll);
        else
            st = vgae_decoder_sampled(ctx, pos, in, m->neg_buf, n_neg, grad_scale, neg_weight, din,
                                      nll);
    }
    if (!st && dz && m->label)
        vgae_concat_codes_backward(&m->dzc, m->label, o->classes, dz, &m->dlabel_code);
    if (!st && m->adversary)
        st = vgae_adversary_apply(ctx, m->adversary, z, o->adversarial,
                                  vgae_ctx_rng(ctx, VGAE_STREAM_ADVERSARY), dz,
                                  &m->adversarial_loss);
    return st;
}

/* Edge masking: each training edge hidden with probability mask_rate (one
 * uniform per edge, in edge order, from VGAE_STREAM_MASK); the encoder
 * sees the rest (m->a_visible) and the loss reconstructs the hidden ones
 * (m->masked). An epoch that hides none uses the whole graph. */
static vgae_status draw_mask(vgae_ctx *ctx, vgae_graph_ae *m)
{
    const vgae_graph *g = m->train;
    vgae_rng *rng = vgae_ctx_rng(ctx, VGAE_STREAM_MASK);
    int32_t *pairs = vgae_alloc(ctx, (size_t)(2 * g->n_edges) + 2, sizeof *pairs);
    if (!pairs)
        return VGAE_ENOMEM;
    int64_t hidden = 0, shown = g->n_edges; /* hidden from the front, shown from the back */
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++) {
            const int32_t v = g->adj[p];
            if (v <= u)
                continue;
            const int64_t at = vgae_rng_uniform(rng) < m->options.mask_rate ? hidden++ : --shown;
            pairs[2 * at] = u;
            pairs[2 * at + 1] = v;
        }
    vgae_graph *visible = NULL;
    vgae_csr_free(m->a_visible);
    vgae_csr_free(m->x_visible);
    vgae_csr_free(m->xt_visible);
    vgae_graph_free(m->masked);
    m->a_visible = m->x_visible = m->xt_visible = NULL;
    m->masked = NULL;
    vgae_status st = VGAE_OK;
    if (hidden > 0) {
        st = vgae_graph_from_pairs(ctx, g->n, hidden, pairs, 0, &m->masked);
        if (!st)
            st = vgae_graph_from_pairs(ctx, g->n, g->n_edges - hidden, pairs + 2 * hidden, 0, &visible);
        if (!st)
            st = vgae_gcn_normalize(ctx, visible, &m->a_visible);
        /* the structure input shows the visible edges only, too */
        if (!st && m->options.structure_input && m->n_features == 0)
            st = adjacency_csr(ctx, visible, &m->x_visible);
        if (!st && m->x_visible && m->label) { /* and the labels' columns */
            vgae_csr *x = NULL;
            st = with_label_columns(ctx, m->x_visible, m->n, m->label, m->options.classes, &x);
            vgae_csr_free(m->x_visible);
            m->x_visible = x;
        }
        if (!st && m->x_visible)
            st = vgae_csr_transpose(ctx, m->x_visible, &m->xt_visible);
    }
    vgae_graph_free(visible);
    free(pairs);
    return st;
}

vgae_status vgae_graph_ae_loss(vgae_ctx *ctx, vgae_graph_ae *m, int backward, vgae_elbo_terms *terms)
{
    const vgae_graph_ae_options *o = &m->options;
    const double nn = (double)m->n * m->n;
    vgae_elbo_config cfg = vgae_elbo_defaults();
    vgae_status st = VGAE_OK;
    /* the reference's scales (see vgae/vae/elbo.h): KL / N^2, reconstruction
     * norm / N^2 for the full loss, a mean over each half for the sampled one */
    cfg.kl_scale = 1.0 / nn;
    /* the KL's weight at this epoch (the epochs trained so far are the time) */
    cfg.beta = o->beta * vgae_kl_anneal_weight(&o->kl, (double)m->base.epoch, o->epochs);
    if (o->kl.capacity > 0) {
        cfg.capacity = vgae_kl_capacity(&o->kl, (double)m->base.epoch);
        cfg.capacity_gamma = o->kl.gamma;
    }
    m->training = 1;
    if (o->mask_rate > 0)
        st = draw_mask(ctx, m);
    if (!st && o->loss == VGAE_LOSS_SAMPLED) {
        const vgae_graph *pos = positives(m);
        const int64_t count = pos->n_edges * o->negatives;
        cfg.recon_scale = 1.0 / (double)pos->n_edges;
        size_t cap = (size_t)m->neg_cap * 2;
        if ((size_t)count * 2 > cap) {
            st = vgae_grow(ctx, (void **)&m->neg_buf, &cap, (size_t)count * 2, sizeof *m->neg_buf);
            m->neg_cap = (int64_t)(cap / 2);
        }
        if (!st)
            vgae_sampled_draw_negatives(ctx, m, count);
        m->neg_used = st ? 0 : count;
    } else {
        cfg.recon_scale = m->norm / nn;
    }
    if (!st && backward)
        vgae_params_zero_grad(&m->base.params);
    const vgae_mat *heads[] = {&m->mean, &m->logvar};
    vgae_mat *d_heads[] = {&m->dmean, &m->dlogvar};
    m->adversarial_loss = 0;
    if (!st)
        st = vgae_gcn_forward(ctx, m, 1);
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, m->base.latent, heads, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE),
                               decode, m, &m->elbo, backward ? d_heads : NULL, terms);
    if (!st && backward)
        st = vgae_gcn_backward(ctx, m);
    m->training = 0;
    if (!st && terms)
        terms->loss += m->adversarial_loss;
    /* weight decay: the penalty lambda |w|^2 / 2 on every parameter, its
     * gradient lambda w; lambda is weight_decay, plus encoder_decay for the
     * encoder's */
    double penalty = 0;
    for (int p = 0; !st && p < m->base.params.count; p++) {
        const vgae_param *q = &m->base.params.items[p];
        const double lambda = o->weight_decay + (p < m->encoder_params ? o->encoder_decay : 0.0);
        if (lambda == 0)
            continue;
        double sq = 0;
        for (int64_t k = 0; k < vgae_mat_size(q->value); k++) {
            sq += (double)q->value->data[k] * q->value->data[k];
            if (backward)
                q->grad->data[k] += (vgae_real)(lambda * q->value->data[k]);
        }
        penalty += 0.5 * lambda * sq;
    }
    if (!st && terms)
        terms->loss += penalty;
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

/* sigmoid(mean_u . mean_v) of n pairs, in parts the threads share. */
static void score_means(vgae_ctx *ctx, const vgae_mat *emb, const vgae_pair *pairs, int64_t n,
                        double *scores)
{
    const int threads = vgae_ctx_threads(ctx);
    const int64_t parts = (n + SCORE_PART - 1) / SCORE_PART;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && parts > 1)
    for (int64_t p = 0; p < parts; p++) {
        const int64_t first = p * SCORE_PART;
        vgae_score_pairs(emb, pairs + first, n - first < SCORE_PART ? n - first : SCORE_PART,
                         scores + first);
    }
}

/* A vgae_pair_scorer over the model's current means and its decoder. */
static vgae_status score_model(vgae_ctx *ctx, void *self, const vgae_pair *pairs, int64_t n,
                               double *scores)
{
    vgae_graph_ae *m = self;
    const vgae_mat *emb;
    vgae_status st = decoder_input(ctx, m, &m->mean, &m->mean_c, &emb);
    if (st)
        return st;
    if (m->options.decoder == VGAE_DECODER_HADAMARD)
        return vgae_mlp_decoder_score(ctx, m, emb, pairs, n, scores);
    score_means(ctx, emb, pairs, n, scores);
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
        st = vgae_link_evaluate(ctx, s, score_model, m, &m->options.hits, out);
    if (!st && !split)
        m->reported = *out;
    return st;
}

double vgae_select_value(const vgae_graph_ae_options *o, const vgae_set_figures *f)
{
    switch (o->select) {
    case VGAE_SELECT_AP: return f->ap;
    case VGAE_SELECT_MRR: return f->mrr;
    case VGAE_SELECT_HITS: return f->hits[0];
    default: return f->auc;
    }
}

const char *vgae_select_name(vgae_select_metric s, const vgae_hits_ks *ks, char buf[24])
{
    switch (s) {
    case VGAE_SELECT_AP: return "AP";
    case VGAE_SELECT_MRR: return "MRR";
    case VGAE_SELECT_HITS:
        snprintf(buf, 24, "Hits@%d", ks && ks->n ? ks->k[0] : 0);
        return buf;
    default: return "AUC";
    }
}

/* Copies every parameter's values into (save) or out of (!save) snap. */
static vgae_status snapshot(vgae_ctx *ctx, vgae_graph_ae *m, vgae_real **snap, int save)
{
    const vgae_params *p = &m->base.params;
    if (!*snap && !(*snap = vgae_alloc(ctx, (size_t)vgae_params_scalars(p) + 1, sizeof **snap)))
        return VGAE_ENOMEM;
    vgae_real *at = *snap;
    for (int k = 0; k < p->count; k++) {
        const size_t bytes = (size_t)vgae_mat_size(p->items[k].value) * sizeof *at;
        if (save)
            memcpy(at, p->items[k].value->data, bytes);
        else
            memcpy(p->items[k].value->data, at, bytes);
        at += vgae_mat_size(p->items[k].value);
    }
    if (!save)
        m->encoded_epoch = -1; /* the weights changed */
    return VGAE_OK;
}

void vgae_fit_state_clear(vgae_fit_state *fs)
{
    free(fs->best);
    *fs = (vgae_fit_state){0};
}

/* A checkpoint to the fit's path with the caller's lines (*lines, to free). */
static vgae_status checkpoint_now(vgae_ctx *ctx, vgae_graph_ae *m, char **lines)
{
    const vgae_checkpoint_options *ck = &m->checkpoints;
    if (ck->user_meta && !(*lines = ck->user_meta(ck->user)))
        return vgae_fail(ctx, VGAE_ENOMEM, "out of memory for the lines of checkpoint %s", ck->path);
    return vgae_graph_ae_checkpoint(ctx, m, ck->path, *lines);
}

/* After an interruption at the top of an epoch (the state is whole): the
 * checkpoint, if the fit writes them, and one line saying where it stopped. */
static vgae_status stop_here(vgae_ctx *ctx, vgae_graph_ae *m, int done, int epochs)
{
    const char *path = m->checkpoints.path;
    if (!path)
        return vgae_fail(ctx, VGAE_EINTR, "interrupted after %d of %d epochs", done, epochs);
    char *user = NULL;
    vgae_status st = checkpoint_now(ctx, m, &user);
    free(user);
    return st ? st : vgae_fail(ctx, VGAE_EINTR, "interrupted after %d of %d epochs; checkpoint %s written",
                               done, epochs, path);
}

vgae_status vgae_graph_ae_fit(vgae_ctx *ctx, vgae_graph_ae *m, int every, vgae_epoch_fn progress,
                              void *user, vgae_linkpred_result *result)
{
    const vgae_graph_ae_options *o = &m->options;
    *result = (vgae_linkpred_result){vgae_link_figures_none(&o->hits), 0, NAN, 0, 0};
    const int epochs = o->epochs;
    const double start = vgae_now();
    const int selecting = o->val_every > 0;
    if (selecting && m->split->n_val == 0)
        return vgae_fail(ctx, VGAE_EINVAL, "model selection needs validation pairs: the split has none");
    if (selecting && o->select == VGAE_SELECT_MRR && m->split->n_hard == 0)
        return vgae_fail(ctx, VGAE_EINVAL, "selection by MRR needs hard negatives in the split");
    if (selecting && o->select == VGAE_SELECT_HITS && o->hits.n == 0)
        return vgae_fail(ctx, VGAE_EINVAL, "selection by Hits@K needs a K");
    /* validation during the fit scores the hard negatives only when MRR is
     * what selection watches (they are most of the pairs) */
    vgae_split checked = *m->split;
    if (!(selecting && o->select == VGAE_SELECT_MRR))
        checked.n_hard = 0;
    vgae_fit_state *fs = &m->fit;
    if (!fs->active) { /* a new fit; else the one interrupted or resumed goes on */
        vgae_fit_state_clear(fs);
        *fs = (vgae_fit_state){.active = 1, .best_value = -INFINITY, .terms = {.loss = NAN},
                               .start_seconds = m->base.train_seconds};
    }
    const vgae_checkpoint_options *ck = &m->checkpoints;
    vgae_status st = VGAE_OK;
    for (int epoch = fs->epoch + 1; !st && !fs->done && epoch <= epochs; epoch++) {
        const int report = progress && (epoch == 1 || epoch == epochs || (every > 0 && epoch % every == 0));
        const int check = selecting && (epoch % o->val_every == 0 || epoch == epochs);
        /* the loss only where it is shown or may be the last (a check may
         * stop the fit): the full loss's gradient alone is cheaper, and
         * train_epoch checks it for divergence */
        const int want_loss = report || check || epoch == epochs;
        if (vgae_ctx_interrupted(ctx))
            return stop_here(ctx, m, epoch - 1, epochs); /* the fit stays active */
        st = vgae_graph_ae_train_epoch(ctx, m, want_loss ? &fs->terms : NULL);
        if (!st && want_loss && !isfinite(fs->terms.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g after epoch %d: training diverged "
                           "(try a smaller --lr)", fs->terms.loss, epoch);
        vgae_set_figures val = {.auc = NAN, .ap = NAN, .mrr = NAN};
        if (!st && (report || check)) {
            st = vgae_graph_ae_encode(ctx, m);
            if (!st)
                st = vgae_link_evaluate_val(ctx, &checked, score_model, m, &o->hits, &val);
        }
        if (!st && check) {
            const double value = vgae_select_value(o, &val);
            if (value > fs->best_value) {
                fs->best_value = value;
                fs->best_epoch = epoch;
                fs->stale = 0;
                st = snapshot(ctx, m, &fs->best, 1);
            } else if (o->patience > 0 && ++fs->stale >= o->patience) {
                fs->done = 1; /* early stopping */
            }
        }
        if (st)
            break;
        fs->epoch = epoch;
        if (report)
            progress(user, epoch, &fs->terms, val.auc, val.ap, vgae_now() - start);
        if (ck->path && ck->every > 0 && epoch % ck->every == 0) {
            char *lines = NULL;
            st = checkpoint_now(ctx, m, &lines);
            free(lines);
        }
    }
    if (!st && fs->best)
        st = snapshot(ctx, m, &fs->best, 0); /* the best weights seen */
    /* the ELBO's z, the full loss's tiles and the drawn negatives are an
     * epoch's alone: freed before scoring, which needs room of its own (a
     * next fit makes them again) */
    vgae_mat_destroy(&m->elbo.z);
    vgae_mat_destroy(&m->tile);
    free(m->neg_buf);
    m->neg_buf = NULL;
    m->neg_cap = m->neg_used = 0;
    vgae_link_figures f;
    if (!st)
        st = vgae_graph_ae_evaluate(ctx, m, NULL, &f);
    if (!st) {
        m->best_epoch = fs->best_epoch;
        *result = (vgae_linkpred_result){f, m->base.train_seconds - fs->start_seconds, fs->terms.loss,
                                         fs->epoch, fs->best_epoch};
    }
    vgae_fit_state_clear(fs);
    return st;
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
    return st ? st : score_model(ctx, m, pairs, n, scores);
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
