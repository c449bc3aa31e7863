/* Graph-model files: the VGAE/GAE metadata over the common container. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "models/model_internal.h"
#include "vgae/vgae.h"
#include "vgae/model_file.h"

uint32_t vgae_features_checksum(const vgae_csr *x)
{
    if (!x)
        return 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char b[16];
    uint64_t head[3] = {(uint64_t)x->rows, (uint64_t)x->cols, (uint64_t)x->nnz};
    for (int h = 0; h < 3; h++) {
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(head[h] >> (8 * i));
        crc = crc32(crc, b, 8);
    }
    for (int32_t r = 0; r <= x->rows; r++) {
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)((uint64_t)x->rowptr[r] >> (8 * i));
        crc = crc32(crc, b, 8);
    }
    for (int64_t p = 0; p < x->nnz; p++) {
        uint32_t v;
        memcpy(&v, &x->val[p], 4);
        for (int i = 0; i < 4; i++) {
            b[i] = (unsigned char)((uint32_t)x->col[p] >> (8 * i));
            b[4 + i] = (unsigned char)(v >> (8 * i));
        }
        crc = crc32(crc, b, 8);
    }
    return (uint32_t)crc;
}

static const char *kind_name(vgae_model_kind k)
{
    return k == VGAE_MODEL_GAE ? "gae" : "vgae";
}

static const char *loss_name(vgae_loss_kind k)
{
    return k == VGAE_LOSS_SAMPLED ? "sampled" : "full";
}

/* The metadata lines, in a malloc'ed string. */
static char *meta_text(vgae_ctx *ctx, const vgae_model_meta *m)
{
    size_t cap = 8192;
    char *s = vgae_alloc(ctx, cap, 1);
    if (!s)
        return NULL;
    const vgae_model_options *o = &m->options;
    char b[8][32];
    int n = snprintf(s, cap,
        "kind %s\nloss %s\nhidden %d\nlatent %d\nlr %s\nepochs %d\nbeta %s\n"
        "nodes %d\nfeatures %d\nedges %" PRId64 "\nseed %" PRIu64 "\nval_frac %s\n"
        "test_frac %s\ngraph_checksum 0x%08" PRIx32 "\nfeatures_checksum 0x%08" PRIx32 "\n"
        "split_checksum 0x%08" PRIx32 "\nepochs_trained %d\nval_auc %s\nval_ap %s\n"
        "test_auc %s\ntest_ap %s\ntrain_seconds %.6f\nsource_dataset %s\n"
        "source_graph %s\nsource_features %s\nsource_format %s\nlibrary_version %s\n",
        kind_name(o->kind), loss_name(o->loss), o->hidden, o->latent, vgae_format_double(b[0], o->lr),
        o->epochs, vgae_format_double(b[1], o->beta), m->nodes, m->n_features, m->edges, m->seed,
        vgae_format_double(b[2], m->val_frac), vgae_format_double(b[3], m->test_frac),
        m->graph_checksum, m->features_checksum, m->split_checksum, m->epochs_trained,
        vgae_format_double(b[4], m->val_auc), vgae_format_double(b[5], m->val_ap),
        vgae_format_double(b[6], m->test_auc), vgae_format_double(b[7], m->test_ap), m->train_seconds, m->source_dataset, m->source_graph,
        m->source_features, m->source_format, m->library_version);
    if (n < 0 || (size_t)n >= cap) {
        free(s);
        vgae_fail(ctx, VGAE_EINVAL, "model metadata too long");
        return NULL;
    }
    return s;
}

vgae_status vgae_model_save(vgae_ctx *ctx, const char *path, const vgae_model_meta *meta,
                            const vgae_model *model, const vgae_split *split)
{
    for (const char *const *f = (const char *const[]){meta->source_dataset, meta->source_graph,
                                                      meta->source_features, NULL};
         *f; f++)
        if (strchr(*f, '\n'))
            return vgae_fail(ctx, VGAE_EINVAL, "a source path holds a newline");
    char *text = meta_text(ctx, meta);
    if (!text)
        return vgae_ctx_status(ctx) ? vgae_ctx_status(ctx) : VGAE_ENOMEM;
    vgae_status st = vgae_container_write(ctx, path, text, &model->params, split);
    free(text);
    return st;
}

void vgae_model_file_free(vgae_model_file *f)
{
    if (!f)
        return;
    vgae_container_free(f->container);
    free(f);
}

/* A whole-string integer in [min, max]. */
static int parse_long(const char *v, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno || x < min || x > max)
        return 0;
    *out = x;
    return 1;
}

/* A whole-string number (NaN allowed: a figure training could not compute). */
static int parse_real(const char *v, double *out)
{
    char *end;
    *out = strtod(v, &end);
    return end != v && *end == '\0' && !isinf(*out);
}

/* Reads the "key value" lines into meta; returns the first bad key or NULL. */
static const char *parse_meta(char *text, vgae_model_meta *m)
{
    int seen = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *value = strchr(line, ' ');
        if (!value)
            return line;
        *value++ = '\0';
        long long x = 0;
        int ok = 1;
        /* the integers: key, range, where */
        const struct { const char *key; long long min, max; int bit; } ints[] = {
            {"hidden", 1, 65536, 2}, {"latent", 1, 65536, 4}, {"epochs", 0, 1000000, 0},
            {"nodes", 2, INT32_MAX, 8}, {"features", 0, INT32_MAX, 16},
            {"edges", 1, INT64_MAX, 0}, {"seed", 0, INT64_MAX, 0}, {"epochs_trained", 0, 1000000, 0}};
        size_t k;
        for (k = 0; k < sizeof ints / sizeof ints[0]; k++)
            if (strcmp(line, ints[k].key) == 0)
                break;
        if (k < sizeof ints / sizeof ints[0]) {
            ok = parse_long(value, ints[k].min, ints[k].max, &x);
            seen |= ints[k].bit;
            switch (k) {
            case 0: m->options.hidden = (int)x; break;
            case 1: m->options.latent = (int)x; break;
            case 2: m->options.epochs = (int)x; break;
            case 3: m->nodes = (int32_t)x; break;
            case 4: m->n_features = (int32_t)x; break;
            case 5: m->edges = (int64_t)x; break;
            case 6: m->seed = (uint64_t)x; break;
            default: m->epochs_trained = (int)x; break;
            }
        } else if (strcmp(line, "kind") == 0) {
            ok = strcmp(value, "vgae") == 0 || strcmp(value, "gae") == 0;
            m->options.kind = strcmp(value, "gae") == 0 ? VGAE_MODEL_GAE : VGAE_MODEL_VGAE;
            seen |= 1;
        } else if (strcmp(line, "loss") == 0) {
            ok = strcmp(value, "full") == 0 || strcmp(value, "sampled") == 0;
            m->options.loss = strcmp(value, "sampled") == 0 ? VGAE_LOSS_SAMPLED : VGAE_LOSS_FULL;
        } else if (strstr(line, "_checksum")) {
            char *end;
            errno = 0;
            unsigned long long c = strtoull(value, &end, 16);
            ok = end != value && *end == '\0' && !errno && c <= UINT32_MAX;
            if (strcmp(line, "graph_checksum") == 0) {
                m->graph_checksum = (uint32_t)c;
                seen |= 32;
            } else if (strcmp(line, "features_checksum") == 0) {
                m->features_checksum = (uint32_t)c;
            } else if (strcmp(line, "split_checksum") == 0) {
                m->split_checksum = (uint32_t)c;
            }
        } else {
            struct { const char *key; double *dst; } reals[] = {
                {"lr", &m->options.lr}, {"beta", &m->options.beta}, {"val_frac", &m->val_frac},
                {"test_frac", &m->test_frac}, {"val_auc", &m->val_auc}, {"val_ap", &m->val_ap},
                {"test_auc", &m->test_auc}, {"test_ap", &m->test_ap},
                {"train_seconds", &m->train_seconds}};
            struct { const char *key; char *dst; size_t size; } texts[] = {
                {"source_dataset", m->source_dataset, sizeof m->source_dataset},
                {"source_graph", m->source_graph, sizeof m->source_graph},
                {"source_features", m->source_features, sizeof m->source_features},
                {"source_format", m->source_format, sizeof m->source_format},
                {"library_version", m->library_version, sizeof m->library_version}};
            for (k = 0; k < sizeof reals / sizeof reals[0]; k++)
                if (strcmp(line, reals[k].key) == 0)
                    ok = parse_real(value, reals[k].dst);
            for (k = 0; k < sizeof texts / sizeof texts[0]; k++)
                if (strcmp(line, texts[k].key) == 0)
                    ok = strlen(value) < texts[k].size &&
                         snprintf(texts[k].dst, texts[k].size, "%s", value) >= 0;
            /* other keys: kept in the text only */
        }
        if (!ok)
            return line;
    }
    if (seen != 63)
        return "(a required key: kind, hidden, latent, nodes, features, graph_checksum)";
    return NULL;
}

vgae_status vgae_model_file_read(vgae_ctx *ctx, const char *path, vgae_model_file **out)
{
    *out = NULL;
    vgae_container *c = NULL;
    vgae_status st = vgae_container_read(ctx, path, &c);
    if (st)
        return st;
    vgae_model_file *f = vgae_calloc(ctx, 1, sizeof *f);
    char *scratch = vgae_strdup(ctx, c->meta_text);
    if (!f || !scratch) {
        free(f);
        free(scratch);
        vgae_container_free(c);
        return VGAE_ENOMEM;
    }
    f->container = c;
    f->metadata_text = c->meta_text;
    f->n_tensors = c->n_tensors;
    f->names = c->names;
    f->tensors = c->tensors;
    f->split = c->split;
    f->meta.options = vgae_model_defaults();
    char kind[32];
    const char *bad = NULL;
    if (vgae_meta_get(c->meta_text, "kind", kind, sizeof kind) && strcmp(kind, "image-vae") == 0)
        st = vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "an image VAE model: use 'vgae vae' commands");
    else if ((bad = parse_meta(scratch, &f->meta)))
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad metadata '%s'", bad);
    else if (!f->split || f->split->n != f->meta.nodes)
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: no split of its %d nodes",
                          f->meta.nodes);
    else if (vgae_split_checksum(f->split) != f->meta.split_checksum)
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                          "corrupted model file: its split does not match its split checksum");
    free(scratch);
    if (st) {
        vgae_model_file_free(f);
        return st;
    }
    f->split->n_edges = f->meta.edges;
    f->split->val_frac = f->meta.val_frac;
    f->split->test_frac = f->meta.test_frac;
    *out = f;
    return VGAE_OK;
}

vgae_status vgae_model_from_file(vgae_ctx *ctx, const vgae_model_file *file, const vgae_graph *g,
                                 const vgae_csr *features, int force, vgae_graph **train,
                                 vgae_model **out)
{
    const vgae_model_meta *m = &file->meta;
    *train = NULL;
    *out = NULL;
    if (g->n != m->nodes)
        return vgae_fail(ctx, VGAE_EINVAL, "the model was trained on a graph of %d nodes, not %d",
                         m->nodes, g->n);
    if (!force && vgae_graph_checksum(g) != m->graph_checksum)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "the model was trained on another graph (checksum 0x%08" PRIx32
                         ", this graph 0x%08" PRIx32 "); use --force to apply it anyway",
                         m->graph_checksum, vgae_graph_checksum(g));
    if (m->n_features > 0) {
        if (!features)
            return vgae_fail(ctx, VGAE_EINVAL, "the model needs the %d node features it was "
                             "trained with; give --features", m->n_features);
        if (features->cols != m->n_features)
            return vgae_fail(ctx, VGAE_EINVAL, "the model was trained on %d features, not %d",
                             m->n_features, features->cols);
        if (!force && vgae_features_checksum(features) != m->features_checksum)
            return vgae_fail(ctx, VGAE_EINVAL,
                             "the model was trained on other features (checksum 0x%08" PRIx32
                             ", these 0x%08" PRIx32 "); use --force to apply it anyway",
                             m->features_checksum, vgae_features_checksum(features));
    }
    /* the stored pairs must fit this graph: positives are edges, negatives are
     * not (force, which accepts another graph, skips this too) */
    const vgae_split *s = file->split;
    const struct { const vgae_pair *p; int64_t n; int edge; } sets[5] = {
        {s->train, s->n_train, 1}, {s->val_pos, s->n_val, 1}, {s->test_pos, s->n_test, 1},
        {s->val_neg, s->n_val, 0}, {s->test_neg, s->n_test, 0}};
    for (int k = 0; k < 5 && !force; k++)
        for (int64_t i = 0; i < sets[k].n; i++)
            if (vgae_graph_has_edge(g, sets[k].p[i].u, sets[k].p[i].v) != sets[k].edge)
                return vgae_fail(ctx, VGAE_EINVAL, "the model's split has the pair (%d, %d) as %s, "
                                 "but in this graph it is %s", sets[k].p[i].u, sets[k].p[i].v,
                                 sets[k].edge ? "an edge" : "a non-edge",
                                 sets[k].edge ? "not an edge" : "an edge");
    vgae_status st = vgae_split_train_graph(ctx, file->split, train);
    if (!st)
        st = vgae_model_new(ctx, &m->options, *train, m->n_features > 0 ? features : NULL, out);
    for (int p = 0; !st && p < (*out)->params.count; p++) {
        vgae_param *par = &(*out)->params.items[p];
        int t = 0;
        while (t < file->n_tensors && strcmp(file->names[t], par->name) != 0)
            t++;
        if (t == file->n_tensors)
            st = vgae_fail(ctx, VGAE_EFORMAT, "the model file has no tensor '%s'", par->name);
        else
            st = vgae_mat_copy(ctx, par->value, &file->tensors[t]);
    }
    if (st) {
        vgae_model_free(*out);
        vgae_graph_free(*train);
        *out = NULL;
        *train = NULL;
    }
    return st;
}

const char *vgae_meta_get(const char *text, const char *key, char *buf, size_t size)
{
    const size_t klen = strlen(key);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if ((size_t)(end - line) > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            snprintf(buf, size, "%.*s", (int)(end - line - klen - 1), line + klen + 1);
            return buf;
        }
        line = *end ? end + 1 : end;
    }
    return NULL;
}
