/* Graph autoencoder files: the model's metadata table, saving, and rebuilding a model from its file. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_file.h"
#include "models/graph_ae_impl.h"
#include "vgae/core/version.h"
#include "vgae/io/graph_file.h"

/* Everything a graph model file records besides its weights and split. */
typedef struct facts {
    int kind, loss, hidden, latent, epochs, nodes, features, epochs_trained;
    double lr, beta, val_frac, test_frac, train_seconds;
    /* the options that came with format version 2 (files before them hold
     * none: the defaults are the first version's model) */
    int layers, propagation, bias, norm, residual, l2_learn, decoder, decoder_hidden, negatives;
    int val_every, select, patience, best_epoch, structure_input, degree_term;
    double dropout, l2_scale, mask_rate, adversarial, weight_decay, encoder_decay;
    char hops[VGAE_MAX_LAYERS * 4];
    vgae_link_figures reported;
    char hits_k[VGAE_MAX_HITS * 12], val_hits[VGAE_MAX_HITS * 32], test_hits[VGAE_MAX_HITS * 32];
    int64_t edges;
    uint64_t seed;
    uint32_t graph_checksum, features_checksum, split_checksum, labels_checksum;
    char source_dataset[128], source_graph[1024], source_features[1024], source_format[16];
    char source_labels[1024];
    int condition, classes; /* format version 6 */
    char library_version[32];
    vgae_kl_schedule kl;
    int kl_anneal;
} facts;

static const char *const kind_names[] = {"vgae", "gae", NULL};
static const char *const loss_names[] = {"full", "sampled", NULL};
static const char *const propagation_names[] = {"gcn", "lightgcn", NULL};
static const char *const norm_names[] = {"none", "layer", "batch", NULL};
static const char *const decoder_names[] = {"inner", "hadamard", NULL};
static const char *const select_names[] = {"auc", "ap", "mrr", "hits", NULL};
static const char *const condition_names[] = {"none", "labels", NULL};

/* Hits@K lists in the metadata: "10,20,50,100" and their figures, comma
 * separated, each written to read back exactly. */
static void format_hits(const vgae_link_figures *r, facts *f)
{
    size_t a = 0, b = 0, c = 0;
    f->hits_k[0] = f->val_hits[0] = f->test_hits[0] = 0;
    for (int i = 0; i < r->ks.n; i++) {
        char v[40], t[40];
        vgae_format_double(v, r->val.hits[i]);
        vgae_format_double(t, r->test.hits[i]);
        const char *sep = i ? "," : "";
        a += (size_t)snprintf(f->hits_k + a, sizeof f->hits_k - a, "%s%d", sep, r->ks.k[i]);
        b += (size_t)snprintf(f->val_hits + b, sizeof f->val_hits - b, "%s%s", sep, v);
        c += (size_t)snprintf(f->test_hits + c, sizeof f->test_hits - c, "%s%s", sep, t);
    }
}

/* Reads a comma-separated list of at most VGAE_MAX_HITS numbers; returns
 * how many, or -1 if the text is not such a list. */
static int parse_list(const char *text, double *out)
{
    int n = 0;
    const char *p = text;
    if (!*p)
        return 0;
    for (;;) {
        char *end;
        if (n == VGAE_MAX_HITS)
            return -1;
        out[n++] = strtod(p, &end);
        if (end == p || (*end && *end != ','))
            return -1;
        if (!*end)
            return n;
        p = end + 1;
    }
}

static int parse_hits(const facts *f, vgae_link_figures *r)
{
    double k[VGAE_MAX_HITS], v[VGAE_MAX_HITS], t[VGAE_MAX_HITS];
    int n = parse_list(f->hits_k, k);
    if (n < 0 || parse_list(f->val_hits, v) != n || parse_list(f->test_hits, t) != n)
        return 0;
    for (int i = 0; i < n; i++) {
        if (!(k[i] >= 1 && k[i] <= INT32_MAX && k[i] == (int)k[i]))
            return 0;
        r->ks.k[i] = (int)k[i];
        r->val.hits[i] = v[i];
        r->test.hits[i] = t[i];
    }
    r->ks.n = n;
    return 1;
}

/* The options' share of the facts, and back. */
static void facts_from_options(const vgae_graph_ae_options *o, facts *f)
{
    f->kind = o->kind;
    f->loss = o->loss;
    f->hidden = o->hidden;
    f->latent = o->latent;
    f->epochs = o->epochs;
    f->lr = o->lr;
    f->beta = o->beta;
    f->kl = o->kl;
    f->kl_anneal = (int)o->kl.anneal;
    f->layers = o->layers;
    f->structure_input = o->structure_input;
    f->propagation = o->propagation;
    f->bias = o->bias;
    f->dropout = o->dropout;
    f->norm = o->norm;
    f->residual = o->residual;
    f->l2_scale = o->l2_scale;
    f->l2_learn = o->l2_learn;
    f->decoder = o->decoder;
    f->decoder_hidden = o->decoder_hidden;
    f->degree_term = o->degree_term;
    f->negatives = o->negatives;
    f->mask_rate = o->mask_rate;
    f->adversarial = o->adversarial;
    f->weight_decay = o->weight_decay;
    f->encoder_decay = o->encoder_decay;
    f->val_every = o->val_every;
    f->select = o->select;
    f->patience = o->patience;
    f->condition = o->condition;
    f->classes = o->classes;
    size_t at = 0;
    f->hops[0] = 0;
    for (int l = 0; l < o->layers; l++)
        at += (size_t)snprintf(f->hops + at, sizeof f->hops - at, "%s%d", l ? "," : "", o->hops[l]);
}

/* 0 if the facts' hops do not parse as one count 0..16 per layer. */
static int options_from_facts(const facts *f, vgae_graph_ae_options *o)
{
    *o = vgae_graph_ae_defaults();
    o->kind = (vgae_graph_ae_kind)f->kind;
    o->loss = (vgae_loss_kind)f->loss;
    o->hidden = f->hidden;
    o->latent = f->latent;
    o->epochs = f->epochs;
    o->lr = f->lr;
    o->beta = f->beta;
    o->kl = f->kl;
    o->kl.anneal = (vgae_kl_anneal)f->kl_anneal;
    o->layers = f->layers;
    o->structure_input = f->structure_input;
    o->propagation = (vgae_propagation)f->propagation;
    o->bias = f->bias;
    o->dropout = f->dropout;
    o->norm = (vgae_norm_kind)f->norm;
    o->residual = f->residual;
    o->l2_scale = f->l2_scale;
    o->l2_learn = f->l2_learn;
    o->decoder = (vgae_decoder_kind)f->decoder;
    o->decoder_hidden = f->decoder_hidden;
    o->degree_term = f->degree_term;
    o->negatives = f->negatives;
    o->mask_rate = f->mask_rate;
    o->adversarial = f->adversarial;
    o->weight_decay = f->weight_decay;
    o->encoder_decay = f->encoder_decay;
    o->val_every = f->val_every;
    o->select = (vgae_select_metric)f->select;
    o->patience = f->patience;
    o->condition = (vgae_condition_kind)f->condition;
    o->classes = f->condition ? f->classes : 0;
    const char *p = f->hops;
    for (int l = 0; l < f->layers; l++) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || h < 0 || h > 16 || (l + 1 < f->layers ? *end != ',' : *end != 0))
            return 0;
        o->hops[l] = (int)h;
        p = end + 1;
    }
    return 1;
}

/* Whether a vgae of format version 1 would misread the model: any
 * encoder or decoder but the 2016 one. */
static int new_architecture(const vgae_graph_ae_options *o)
{
    int hops = 0;
    for (int l = 0; l < o->layers; l++)
        hops |= o->hops[l] != 1;
    return o->layers != 2 || hops || o->structure_input || o->propagation != VGAE_PROP_GCN || o->bias ||
           o->norm != VGAE_NORM_NONE || o->residual || o->l2_scale > 0 ||
           o->decoder != VGAE_DECODER_INNER;
}

/* The metadata of a graph model: one table for writing and reading. */
#define VGAE_GRAPH_KEYS 80
static int meta_table(facts *f, vgae_meta_key k[VGAE_GRAPH_KEYS])
{
    int n = 0;
#define KEY(...) k[n++] = (vgae_meta_key){__VA_ARGS__}
    KEY(.key = "kind", .type = VGAE_META_NAME, .value = &f->kind, .names = kind_names, .required = 1);
    KEY(.key = "loss", .type = VGAE_META_NAME, .value = &f->loss, .names = loss_names);
    KEY(.key = "hidden", .type = VGAE_META_INT, .value = &f->hidden, .min = 1, .max = 65536, .required = 1);
    KEY(.key = "latent", .type = VGAE_META_INT, .value = &f->latent, .min = 1, .max = 65536, .required = 1);
    KEY(.key = "lr", .type = VGAE_META_REAL, .value = &f->lr, .min = 1e-12, .max = 1e6);
    KEY(.key = "epochs", .type = VGAE_META_INT, .value = &f->epochs, .min = 0, .max = 1000000);
    KEY(.key = "beta", .type = VGAE_META_REAL, .value = &f->beta, .min = 0, .max = 1e12);
    KEY(.key = "nodes", .type = VGAE_META_INT, .value = &f->nodes, .min = 2, .max = INT32_MAX, .required = 1);
    KEY(.key = "features", .type = VGAE_META_INT, .value = &f->features, .min = 0, .max = INT32_MAX, .required = 1);
    KEY(.key = "edges", .type = VGAE_META_INT64, .value = &f->edges, .min = 1, .max = (double)INT64_MAX);
    KEY(.key = "seed", .type = VGAE_META_UINT64, .value = &f->seed);
    KEY(.key = "val_frac", .type = VGAE_META_REAL, .value = &f->val_frac);
    KEY(.key = "test_frac", .type = VGAE_META_REAL, .value = &f->test_frac);
    KEY(.key = "graph_checksum", .type = VGAE_META_HEX32, .value = &f->graph_checksum, .required = 1);
    KEY(.key = "features_checksum", .type = VGAE_META_HEX32, .value = &f->features_checksum);
    KEY(.key = "split_checksum", .type = VGAE_META_HEX32, .value = &f->split_checksum);
    KEY(.key = "epochs_trained", .type = VGAE_META_INT, .value = &f->epochs_trained, .min = 0, .max = 1000000);
    KEY(.key = "structure_input", .type = VGAE_META_INT, .value = &f->structure_input, .min = 0, .max = 1);
    KEY(.key = "layers", .type = VGAE_META_INT, .value = &f->layers, .min = 1, .max = VGAE_MAX_LAYERS);
    KEY(.key = "hops", .type = VGAE_META_TEXT, .value = f->hops, .size = sizeof f->hops);
    KEY(.key = "propagation", .type = VGAE_META_NAME, .value = &f->propagation, .names = propagation_names);
    KEY(.key = "bias", .type = VGAE_META_INT, .value = &f->bias, .min = 0, .max = 1);
    KEY(.key = "dropout", .type = VGAE_META_REAL, .value = &f->dropout, .min = 0, .max = 0.999999);
    KEY(.key = "norm", .type = VGAE_META_NAME, .value = &f->norm, .names = norm_names);
    KEY(.key = "residual", .type = VGAE_META_INT, .value = &f->residual, .min = 0, .max = 1);
    KEY(.key = "l2_scale", .type = VGAE_META_REAL, .value = &f->l2_scale, .min = 0, .max = 1e6);
    KEY(.key = "l2_learn", .type = VGAE_META_INT, .value = &f->l2_learn, .min = 0, .max = 1);
    KEY(.key = "decoder", .type = VGAE_META_NAME, .value = &f->decoder, .names = decoder_names);
    KEY(.key = "decoder_hidden", .type = VGAE_META_INT, .value = &f->decoder_hidden, .min = 0, .max = 65536);
    KEY(.key = "degree_term", .type = VGAE_META_INT, .value = &f->degree_term, .min = 0, .max = 1);
    KEY(.key = "negatives", .type = VGAE_META_INT, .value = &f->negatives, .min = 1, .max = 1000);
    KEY(.key = "mask_rate", .type = VGAE_META_REAL, .value = &f->mask_rate, .min = 0, .max = 0.999999);
    KEY(.key = "adversarial", .type = VGAE_META_REAL, .value = &f->adversarial, .min = 0, .max = 1e6);
    KEY(.key = "weight_decay", .type = VGAE_META_REAL, .value = &f->weight_decay, .min = 0, .max = 1e6);
    KEY(.key = "encoder_decay", .type = VGAE_META_REAL, .value = &f->encoder_decay, .min = 0, .max = 1e6);
    KEY(.key = "val_every", .type = VGAE_META_INT, .value = &f->val_every, .min = 0, .max = 1000000);
    KEY(.key = "select", .type = VGAE_META_NAME, .value = &f->select, .names = select_names);
    KEY(.key = "patience", .type = VGAE_META_INT, .value = &f->patience, .min = 0, .max = 1000000);
    KEY(.key = "best_epoch", .type = VGAE_META_INT, .value = &f->best_epoch, .min = 0, .max = 1000000);
    KEY(.key = "val_auc", .type = VGAE_META_REAL, .value = &f->reported.val.auc);
    KEY(.key = "val_ap", .type = VGAE_META_REAL, .value = &f->reported.val.ap);
    KEY(.key = "test_auc", .type = VGAE_META_REAL, .value = &f->reported.test.auc);
    KEY(.key = "test_ap", .type = VGAE_META_REAL, .value = &f->reported.test.ap);
    KEY(.key = "val_mrr", .type = VGAE_META_REAL, .value = &f->reported.val.mrr);
    KEY(.key = "test_mrr", .type = VGAE_META_REAL, .value = &f->reported.test.mrr);
    KEY(.key = "hits_k", .type = VGAE_META_TEXT, .value = f->hits_k, .size = sizeof f->hits_k);
    KEY(.key = "val_hits", .type = VGAE_META_TEXT, .value = f->val_hits, .size = sizeof f->val_hits);
    KEY(.key = "test_hits", .type = VGAE_META_TEXT, .value = f->test_hits, .size = sizeof f->test_hits);
    KEY(.key = "train_seconds", .type = VGAE_META_REAL, .value = &f->train_seconds, .digits = 6);
    KEY(.key = "source_dataset", .type = VGAE_META_TEXT, .value = f->source_dataset, .size = sizeof f->source_dataset);
    KEY(.key = "source_graph", .type = VGAE_META_TEXT, .value = f->source_graph, .size = sizeof f->source_graph);
    KEY(.key = "source_features", .type = VGAE_META_TEXT, .value = f->source_features, .size = sizeof f->source_features);
    KEY(.key = "source_format", .type = VGAE_META_TEXT, .value = f->source_format, .size = sizeof f->source_format);
    KEY(.key = "condition", .type = VGAE_META_NAME, .value = &f->condition, .names = condition_names);
    KEY(.key = "classes", .type = VGAE_META_INT, .value = &f->classes, .min = 0, .max = 65536);
    KEY(.key = "labels_checksum", .type = VGAE_META_HEX32, .value = &f->labels_checksum);
    KEY(.key = "source_labels", .type = VGAE_META_TEXT, .value = f->source_labels, .size = sizeof f->source_labels);
    KEY(.key = "library_version", .type = VGAE_META_TEXT, .value = f->library_version, .size = sizeof f->library_version);
#undef KEY
    return vgae_kl_meta_keys(k, n, &f->kl, &f->kl_anneal);
}

/* The minimum format version a model's file needs: what an older vgae would misread. */
int vgae_graph_ae_file_version(const vgae_graph_ae *m)
{
    const vgae_graph_ae_options *o = &m->options;
    return o->condition ? 6 : o->degree_term ? 3 : new_architecture(o) ? 2 : 1;
}

char *vgae_graph_ae_meta_text(vgae_ctx *ctx, const vgae_graph_ae *m, const char *path, int checkpoint)
{
    const vgae_graph_ae_options *o = &m->options;
    facts f = {.nodes = m->n, .features = m->n_features, .epochs_trained = (int)m->base.epoch,
               .best_epoch = m->best_epoch,
               .val_frac = m->split->val_frac, .test_frac = m->split->test_frac,
               /* a checkpoint's figures are those of no evaluation yet, at the
                * options' K: the keys it compares are then the options' */
               .reported = checkpoint ? vgae_link_figures_none(&o->hits) : m->reported,
               .train_seconds = m->base.train_seconds, .edges = m->full_edges, .seed = m->base.seed,
               .graph_checksum = m->graph_checksum, .features_checksum = m->features_checksum,
               .split_checksum = m->split_checksum, .labels_checksum = m->labels_checksum};
    /* where the data came from, if it fits a model file */
    struct { const char *from; char *to; size_t size; } texts[] = {
        {m->source_dataset, f.source_dataset, sizeof f.source_dataset},
        {m->source_graph, f.source_graph, sizeof f.source_graph},
        {m->source_features, f.source_features, sizeof f.source_features},
        {m->source_labels, f.source_labels, sizeof f.source_labels}};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        if (!texts[k].from)
            continue;
        if (strlen(texts[k].from) >= texts[k].size || strchr(texts[k].from, '\n')) {
            vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "cannot record the data's source %.200s "
                         "in the model: a line break, or longer than %zu bytes",
                         texts[k].from, texts[k].size - 1);
            return NULL;
        }
        memcpy(texts[k].to, texts[k].from, strlen(texts[k].from) + 1);
    }
    facts_from_options(o, &f);
    format_hits(&f.reported, &f);
    snprintf(f.source_format, sizeof f.source_format, "%s", vgae_graph_format_name(m->source_format));
    snprintf(f.library_version, sizeof f.library_version, "%s", vgae_version());
    vgae_meta_key keys[VGAE_GRAPH_KEYS];
    return vgae_meta_format(ctx, keys, meta_table(&f, keys));
}

vgae_status vgae_graph_ae_save(vgae_ctx *ctx, const vgae_graph_ae *m, const char *path)
{
    char *text = vgae_graph_ae_meta_text(ctx, m, path, 0);
    if (!text)
        return vgae_ctx_status(ctx);
    vgae_status st = vgae_model_file_write(ctx, path, text, &m->base.params, m->split,
                                           vgae_graph_ae_file_version(m));
    free(text);
    return st;
}

/* The file's facts and split, checked against each other. */
static vgae_status read_facts(vgae_ctx *ctx, const vgae_model_file *file, facts *f)
{
    const char *path = vgae_model_file_path(file), *kind = vgae_model_file_kind(file);
    *f = (facts){0};
    const vgae_graph_ae_options defaults = vgae_graph_ae_defaults();
    facts_from_options(&defaults, f);
    f->reported = vgae_link_figures_none(&(vgae_hits_ks){0});
    if (strcmp(kind, "image-vae") == 0)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "an image VAE model: use 'vgae vae' commands");
    vgae_meta_key keys[VGAE_GRAPH_KEYS];
    vgae_status st = vgae_meta_parse(ctx, file, keys, meta_table(f, keys));
    if (st)
        return st;
    vgae_graph_ae_options o;
    if (!options_from_facts(f, &o))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad metadata "
                            "'hops %.60s' for %d layers", f->hops, f->layers);
    if (!parse_hits(f, &f->reported))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad metadata "
                            "'hits_k %.60s', 'val_hits %.200s' or 'test_hits %.200s'",
                            f->hits_k, f->val_hits, f->test_hits);
    const vgae_split *s = vgae_model_file_split(file);
    if (!s || s->n != f->nodes)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                            "corrupted model file: no split of its %d nodes", f->nodes);
    if (vgae_split_checksum(s) != f->split_checksum)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                            "corrupted model file: its split does not match its split checksum");
    return VGAE_OK;
}

vgae_status vgae_graph_ae_file_source(vgae_ctx *ctx, const vgae_model_file *file,
                                      vgae_dataset_source *source)
{
    facts f;
    *source = (vgae_dataset_source){0};
    vgae_status st = read_facts(ctx, file, &f);
    if (st)
        return st;
    /* pointers into the file: its metadata values, as stored */
    const char *dataset = vgae_model_file_meta(file, "source_dataset");
    const char *graph = vgae_model_file_meta(file, "source_graph");
    const char *features = vgae_model_file_meta(file, "source_features");
    const char *format = vgae_model_file_meta(file, "source_format");
    const char *labels = vgae_model_file_meta(file, "source_labels");
    if (dataset && *dataset) {
        source->name = dataset;
    } else {
        source->graph_path = graph && *graph ? graph : NULL;
        if (format && *format && vgae_graph_format_from_name(ctx, format, &source->format))
            return vgae_fail_at(ctx, VGAE_EFORMAT, vgae_model_file_path(file), 0,
                                "corrupted model file: unknown source_format '%.20s'", format);
    }
    if (f.features > 0 && features && *features)
        source->features_path = features;
    if (f.condition && labels && *labels)
        source->labels_path = labels;
    return VGAE_OK;
}

/* The data must be what the file's facts describe (force: the checksums
 * and the split's fit are not checked). */
static vgae_status check_data(vgae_ctx *ctx, const facts *f, const vgae_split *s,
                              const vgae_dataset *data, int force)
{
    const vgae_graph *g = data->graph;
    if (g->n != f->nodes)
        return vgae_fail(ctx, VGAE_EINVAL, "the model was trained on a graph of %d nodes, not %d",
                         f->nodes, g->n);
    if (!force && vgae_graph_checksum(g) != f->graph_checksum)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "the model was trained on another graph (checksum 0x%08" PRIx32
                         ", this graph 0x%08" PRIx32 "); use --force to apply it anyway",
                         f->graph_checksum, vgae_graph_checksum(g));
    if (f->features > 0) {
        if (!data->features)
            return vgae_fail(ctx, VGAE_EINVAL, "the model needs the %d node features it was "
                             "trained with; give --features", f->features);
        if (data->features->cols != f->features)
            return vgae_fail(ctx, VGAE_EINVAL, "the model was trained on %d features, not %d",
                             f->features, data->features->cols);
        if (!force && vgae_csr_checksum(data->features) != f->features_checksum)
            return vgae_fail(ctx, VGAE_EINVAL,
                             "the model was trained on other features (checksum 0x%08" PRIx32
                             ", these 0x%08" PRIx32 "); use --force to apply it anyway",
                             f->features_checksum, vgae_csr_checksum(data->features));
    }
    if (f->condition == VGAE_CONDITION_LABELS) {
        if (!data->labels)
            return vgae_fail(ctx, VGAE_EINVAL, "the model is conditioned on the nodes' labels; "
                             "the data has none (give --labels)");
        if (!force && vgae_labels_checksum(data->labels) != f->labels_checksum)
            return vgae_fail(ctx, VGAE_EINVAL,
                             "the model was trained on other labels (checksum 0x%08" PRIx32
                             ", these 0x%08" PRIx32 "); use --force to apply it anyway",
                             f->labels_checksum, vgae_labels_checksum(data->labels));
    }
    /* the stored pairs must fit this graph: positives are edges, negatives
     * are not (force, which accepts another graph, skips this too) */
    return force ? VGAE_OK : vgae_split_check(ctx, s, g, NULL, NULL);
}

vgae_status vgae_graph_ae_from_file(vgae_ctx *ctx, const vgae_model_file *file,
                                    const vgae_dataset *data, int force, vgae_graph_ae **out)
{
    facts f;
    *out = NULL;
    vgae_status st = read_facts(ctx, file, &f);
    if (st)
        return st;
    const vgae_split *stored = vgae_model_file_split(file);
    st = check_data(ctx, &f, stored, data, force);
    if (st) {
        vgae_fail_prefix(ctx, "%s: ", vgae_model_file_path(file));
        return st;
    }
    vgae_graph_ae_options o;
    options_from_facts(&f, &o); /* read_facts checked that it parses */
    o.features = f.features > 0;
    /* the K its figures were reported at (files before Hits@K: the defaults) */
    o.hits = f.reported.ks.n ? f.reported.ks : vgae_hits_ks_default();
    vgae_split *split = NULL;
    st = vgae_split_copy(ctx, stored, &split);
    if (!st) {
        split->n_edges = f.edges;
        split->val_frac = f.val_frac;
        split->test_frac = f.test_frac;
        st = vgae_graph_ae_new(ctx, &o, data, split, out);
    }
    vgae_split_free(split);
    vgae_graph_ae *m = *out;
    if (!st)
        st = vgae_model_file_load_params(ctx, file, &m->base.params);
    /* the file's record of its source, not the data's: what the model was made from */
    if (!st) {
        free(m->source_dataset);
        free(m->source_graph);
        free(m->source_features);
        free(m->source_labels);
        m->source_dataset = m->source_graph = m->source_features = m->source_labels = NULL;
        if ((f.source_dataset[0] && !(m->source_dataset = vgae_strdup(ctx, f.source_dataset))) ||
            (f.source_graph[0] && !(m->source_graph = vgae_strdup(ctx, f.source_graph))) ||
            (f.source_features[0] && !(m->source_features = vgae_strdup(ctx, f.source_features))) ||
            (f.source_labels[0] && !(m->source_labels = vgae_strdup(ctx, f.source_labels))))
            st = VGAE_ENOMEM;
        if (!st && f.source_format[0] && vgae_graph_format_from_name(ctx, f.source_format, &m->source_format))
            vgae_ctx_clear(ctx); /* an unknown name: the format stays the data's */
    }
    if (st) {
        if (!strstr(vgae_ctx_message(ctx), vgae_model_file_path(file)))
            vgae_fail_prefix(ctx, "%s: ", vgae_model_file_path(file));
        vgae_graph_ae_free(m);
        *out = NULL;
        return st;
    }
    /* the file's record, not the data's: what the model was made from */
    m->base.epoch = f.epochs_trained;
    m->base.seed = f.seed;
    m->base.train_seconds = f.train_seconds;
    m->best_epoch = f.best_epoch;
    m->reported = f.reported;
    m->full_edges = f.edges;
    m->graph_checksum = f.graph_checksum;
    m->features_checksum = f.features_checksum;
    m->split_checksum = f.split_checksum;
    m->labels_checksum = f.labels_checksum;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_load(vgae_ctx *ctx, const char *path, const vgae_dataset *data,
                               int force, vgae_graph_ae **out)
{
    vgae_model_file *file = NULL;
    *out = NULL;
    vgae_status st = vgae_model_file_read(ctx, path, &file);
    if (!st)
        st = vgae_graph_ae_from_file(ctx, file, data, force, out);
    vgae_model_file_free(file);
    return st;
}
