/* Model files: writing and reading the versioned, CRC-checked binary format. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/outfile.h"
#include "io/slurp.h"
#include "models/model_internal.h"
#include "vgae/model_file.h"

static const char magic[8] = {'V', 'G', 'A', 'E', 'M', 'O', 'D', 'L'};

/* ---- writing: every byte goes through put(), which keeps the CRC ---- */
typedef struct {
    FILE *f;
    uLong crc;
    int failed;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n)
        w->failed = 1;
    w->crc = crc32(w->crc, p, (uInt)n);
}

static void put_le(writer *w, uint64_t x, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(x >> (8 * i));
    put(w, b, (size_t)bytes);
}

static void put_floats(writer *w, const vgae_real *x, int64_t n)
{
    unsigned char b[4 * 256];
    for (int64_t i = 0; i < n; i += 256) {
        int64_t m = n - i < 256 ? n - i : 256;
        for (int64_t k = 0; k < m; k++) {
            float v = (float)x[i + k];
            uint32_t u;
            memcpy(&u, &v, 4);
            for (int j = 0; j < 4; j++)
                b[4 * k + j] = (unsigned char)(u >> (8 * j));
        }
        put(w, b, (size_t)(4 * m));
    }
}

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
    vgae_outfile out;
    vgae_status st = vgae_outfile_open(ctx, &out, path);
    if (st) {
        free(text);
        return st;
    }
    writer w = {out.f, crc32(0L, Z_NULL, 0), 0};
    put(&w, magic, 8);
    put_le(&w, VGAE_MODEL_FILE_VERSION, 4);
    put_le(&w, strlen(text), 4);
    put(&w, text, strlen(text));
    put_le(&w, (uint64_t)model->params.count, 4);
    for (int p = 0; p < model->params.count; p++) {
        const vgae_param *par = &model->params.items[p];
        put_le(&w, strlen(par->name), 2);
        put(&w, par->name, strlen(par->name));
        put_le(&w, (uint64_t)par->value->rows, 8);
        put_le(&w, (uint64_t)par->value->cols, 8);
        put_floats(&w, par->value->data, vgae_mat_size(par->value));
    }
    const vgae_pair *sets[5] = {split->train, split->val_pos, split->val_neg, split->test_pos,
                                split->test_neg};
    const int64_t counts[5] = {split->n_train, split->n_val, split->n_val, split->n_test,
                               split->n_test};
    put_le(&w, 5, 4);
    for (int s = 0; s < 5; s++) {
        put_le(&w, (uint64_t)counts[s], 8);
        for (int64_t k = 0; k < counts[s]; k++) {
            put_le(&w, (uint32_t)sets[s][k].u, 4);
            put_le(&w, (uint32_t)sets[s][k].v, 4);
        }
    }
    const uint32_t crc = (uint32_t)w.crc;
    put_le(&w, crc, 4);
    free(text);
    if (w.failed) {
        vgae_outfile_abort(&out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write the model");
    }
    return vgae_outfile_commit(ctx, &out);
}

/* ---- reading: a bounds-checked cursor ---- */
typedef struct {
    const unsigned char *p, *end;
} reader;

static int take(reader *r, void *dst, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return 0;
    memcpy(dst, r->p, n);
    r->p += n;
    return 1;
}

static int take_le(reader *r, int bytes, uint64_t *x)
{
    unsigned char b[8];
    if (!take(r, b, (size_t)bytes))
        return 0;
    *x = 0;
    for (int i = 0; i < bytes; i++)
        *x |= (uint64_t)b[i] << (8 * i);
    return 1;
}

void vgae_model_file_free(vgae_model_file *f)
{
    if (!f)
        return;
    for (int t = 0; t < f->n_tensors; t++)
        vgae_mat_destroy(&f->tensors[t]);
    free(f->tensors);
    free(f->names);
    free(f->metadata_text);
    vgae_split_free(f->split);
    free(f);
}

static int parse_kind(const char *v, vgae_model_options *o)
{
    if (strcmp(v, "vgae") == 0 || strcmp(v, "gae") == 0) {
        o->kind = strcmp(v, "gae") == 0 ? VGAE_MODEL_GAE : VGAE_MODEL_VGAE;
        return 1;
    }
    return 0;
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
        char *end = value + strlen(value); /* numbers set it where they stop */
        int ok = 1;
        if (strcmp(line, "kind") == 0) {
            ok = parse_kind(value, &m->options);
            seen |= 1;
        } else if (strcmp(line, "loss") == 0) {
            ok = strcmp(value, "full") == 0 || strcmp(value, "sampled") == 0;
            m->options.loss = strcmp(value, "sampled") == 0 ? VGAE_LOSS_SAMPLED : VGAE_LOSS_FULL;
        } else if (strcmp(line, "hidden") == 0) {
            m->options.hidden = (int)strtol(value, &end, 10);
            seen |= 2;
        } else if (strcmp(line, "latent") == 0) {
            m->options.latent = (int)strtol(value, &end, 10);
            seen |= 4;
        } else if (strcmp(line, "lr") == 0) {
            m->options.lr = strtod(value, &end);
        } else if (strcmp(line, "epochs") == 0) {
            m->options.epochs = (int)strtol(value, &end, 10);
        } else if (strcmp(line, "beta") == 0) {
            m->options.beta = strtod(value, &end);
        } else if (strcmp(line, "nodes") == 0) {
            m->nodes = (int32_t)strtol(value, &end, 10);
            seen |= 8;
        } else if (strcmp(line, "features") == 0) {
            m->n_features = (int32_t)strtol(value, &end, 10);
            seen |= 16;
        } else if (strcmp(line, "edges") == 0) {
            m->edges = strtoll(value, &end, 10);
        } else if (strcmp(line, "seed") == 0) {
            m->seed = strtoull(value, &end, 10);
        } else if (strcmp(line, "val_frac") == 0) {
            m->val_frac = strtod(value, &end);
        } else if (strcmp(line, "test_frac") == 0) {
            m->test_frac = strtod(value, &end);
        } else if (strcmp(line, "graph_checksum") == 0) {
            m->graph_checksum = (uint32_t)strtoul(value, &end, 16);
            seen |= 32;
        } else if (strcmp(line, "features_checksum") == 0) {
            m->features_checksum = (uint32_t)strtoul(value, &end, 16);
        } else if (strcmp(line, "split_checksum") == 0) {
            m->split_checksum = (uint32_t)strtoul(value, &end, 16);
        } else if (strcmp(line, "epochs_trained") == 0) {
            m->epochs_trained = (int)strtol(value, &end, 10);
        } else if (strcmp(line, "val_auc") == 0) {
            m->val_auc = strtod(value, &end);
        } else if (strcmp(line, "val_ap") == 0) {
            m->val_ap = strtod(value, &end);
        } else if (strcmp(line, "test_auc") == 0) {
            m->test_auc = strtod(value, &end);
        } else if (strcmp(line, "test_ap") == 0) {
            m->test_ap = strtod(value, &end);
        } else if (strcmp(line, "train_seconds") == 0) {
            m->train_seconds = strtod(value, &end);
        } else {
            struct { const char *key; char *dst; size_t size; } text_keys[] = {
                {"source_dataset", m->source_dataset, sizeof m->source_dataset},
                {"source_graph", m->source_graph, sizeof m->source_graph},
                {"source_features", m->source_features, sizeof m->source_features},
                {"source_format", m->source_format, sizeof m->source_format},
                {"library_version", m->library_version, sizeof m->library_version}};
            for (size_t k = 0; k < sizeof text_keys / sizeof text_keys[0]; k++)
                if (strcmp(line, text_keys[k].key) == 0)
                    snprintf(text_keys[k].dst, text_keys[k].size, "%s", value);
            /* unknown keys: kept in the text only */
        }
        if (!ok || *end != '\0')
            return line;
    }
    if (seen != 63)
        return "(a required key: kind, hidden, latent, nodes, features, graph_checksum)";
    if (m->options.hidden < 1 || m->options.latent < 1 || m->nodes < 1 || m->n_features < 0)
        return "(sizes)";
    return NULL;
}

static vgae_status corrupt(vgae_ctx *ctx, const char *path, const char *what)
{
    return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: %s", what);
}

vgae_status vgae_model_file_read(vgae_ctx *ctx, const char *path, vgae_model_file **out)
{
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    vgae_status st = vgae_slurp(ctx, path, &data, &size);
    if (st)
        return st;
    const unsigned char *bytes = (const unsigned char *)data;
    reader r = {bytes, bytes + size};
    uint64_t version, len, count, crc_stored;
    vgae_model_file *f = NULL;
    char head[8];
    if (!take(&r, head, 8) || memcmp(head, magic, 8) != 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not a vgae model file (wrong magic)");
        goto done;
    }
    if (!take_le(&r, 4, &version) || version == 0) {
        st = corrupt(ctx, path, "no format version");
        goto done;
    }
    if (version > VGAE_MODEL_FILE_VERSION) {
        st = vgae_fail_at(ctx, VGAE_EUNSUPPORTED, path, 0,
                          "model file format version %" PRIu64 " is newer than this vgae reads (%d)",
                          version, VGAE_MODEL_FILE_VERSION);
        goto done;
    }
    if (size < 16) {
        st = corrupt(ctx, path, "truncated");
        goto done;
    }
    reader tail = {bytes + size - 4, bytes + size};
    take_le(&tail, 4, &crc_stored);
    if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), bytes, (uInt)(size - 4)) != (uint32_t)crc_stored) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                          "truncated or corrupted model file (CRC-32 mismatch)");
        goto done;
    }
    r.end = bytes + size - 4;
    f = vgae_calloc(ctx, 1, sizeof *f);
    if (!f) {
        st = VGAE_ENOMEM;
        goto done;
    }
    f->meta.options = vgae_model_defaults();
    if (!take_le(&r, 4, &len) || len > (uint64_t)(r.end - r.p)) {
        st = corrupt(ctx, path, "metadata runs past the end");
        goto done;
    }
    f->metadata_text = vgae_alloc(ctx, len + 1, 1);
    char *scratch = vgae_alloc(ctx, len + 1, 1);
    if (!f->metadata_text || !scratch) {
        free(scratch);
        st = VGAE_ENOMEM;
        goto done;
    }
    take(&r, f->metadata_text, len);
    f->metadata_text[len] = '\0';
    memcpy(scratch, f->metadata_text, len + 1);
    const char *bad = parse_meta(scratch, &f->meta);
    if (bad) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad metadata '%s'", bad);
        free(scratch);
        goto done;
    }
    free(scratch);
    if (!take_le(&r, 4, &count) || count > 64) {
        st = corrupt(ctx, path, "bad tensor count");
        goto done;
    }
    f->names = vgae_calloc(ctx, count ? count : 1, sizeof *f->names);
    f->tensors = vgae_calloc(ctx, count ? count : 1, sizeof *f->tensors);
    if (!f->names || !f->tensors) {
        st = VGAE_ENOMEM;
        goto done;
    }
    for (uint64_t t = 0; t < count; t++) {
        uint64_t name_len, rows, cols;
        if (!take_le(&r, 2, &name_len) || name_len == 0 || name_len >= sizeof f->names[0] ||
            !take(&r, f->names[t], name_len) || !take_le(&r, 8, &rows) || !take_le(&r, 8, &cols) ||
            (cols && rows > (uint64_t)(r.end - r.p) / 4 / cols)) {
            st = corrupt(ctx, path, "a tensor runs past the end");
            goto done;
        }
        f->names[t][name_len] = '\0';
        st = vgae_mat_init(ctx, &f->tensors[t], (int64_t)rows, (int64_t)cols);
        if (st)
            goto done;
        f->n_tensors = (int)t + 1;
        for (int64_t k = 0; k < (int64_t)(rows * cols); k++) {
            uint64_t u;
            float v;
            take_le(&r, 4, &u);
            uint32_t u32 = (uint32_t)u;
            memcpy(&v, &u32, 4);
            if (!isfinite(v)) {
                st = corrupt(ctx, path, "a weight is not finite");
                goto done;
            }
            f->tensors[t].data[k] = (vgae_real)v;
        }
    }
    /* the split */
    uint64_t sets;
    if (!take_le(&r, 4, &sets) || sets != 5) {
        st = corrupt(ctx, path, "bad split section");
        goto done;
    }
    f->split = vgae_calloc(ctx, 1, sizeof *f->split);
    if (!f->split) {
        st = VGAE_ENOMEM;
        goto done;
    }
    vgae_split *s = f->split;
    s->n = f->meta.nodes;
    s->n_edges = f->meta.edges;
    s->val_frac = f->meta.val_frac;
    s->test_frac = f->meta.test_frac;
    vgae_pair *arrays[5] = {0};
    int64_t counts[5];
    for (int k = 0; k < 5; k++) {
        uint64_t c;
        if (!take_le(&r, 8, &c) || c > (uint64_t)(r.end - r.p) / 8) {
            st = corrupt(ctx, path, "the split runs past the end");
            goto split_done;
        }
        counts[k] = (int64_t)c;
        arrays[k] = vgae_alloc(ctx, c ? c : 1, sizeof(vgae_pair));
        if (!arrays[k]) {
            st = VGAE_ENOMEM;
            goto split_done;
        }
        for (uint64_t i = 0; i < c; i++) {
            uint64_t u, v;
            take_le(&r, 4, &u);
            take_le(&r, 4, &v);
            if (u >= (uint64_t)s->n || v >= (uint64_t)s->n || u >= v) {
                st = corrupt(ctx, path, "a split pair is out of range");
                goto split_done;
            }
            arrays[k][i] = (vgae_pair){(int32_t)u, (int32_t)v};
        }
    }
    if (counts[1] != counts[2] || counts[3] != counts[4] || r.p != r.end) {
        st = corrupt(ctx, path, "inconsistent split section");
        goto split_done;
    }
    /* vgae_split keeps the four held-out arrays in one block */
    s->n_train = counts[0];
    s->n_val = counts[1];
    s->n_test = counts[3];
    s->train = arrays[0];
    arrays[0] = NULL;
    s->val_pos = vgae_alloc(ctx, (size_t)(2 * (s->n_val + s->n_test)) + 1, sizeof(vgae_pair));
    if (!s->val_pos) {
        st = VGAE_ENOMEM;
        goto split_done;
    }
    s->test_pos = s->val_pos + s->n_val;
    s->val_neg = s->test_pos + s->n_test;
    s->test_neg = s->val_neg + s->n_val;
    memcpy(s->val_pos, arrays[1], sizeof(vgae_pair) * (size_t)s->n_val);
    memcpy(s->val_neg, arrays[2], sizeof(vgae_pair) * (size_t)s->n_val);
    memcpy(s->test_pos, arrays[3], sizeof(vgae_pair) * (size_t)s->n_test);
    memcpy(s->test_neg, arrays[4], sizeof(vgae_pair) * (size_t)s->n_test);
split_done:
    for (int k = 0; k < 5; k++)
        free(arrays[k]);
done:
    free(data);
    if (st) {
        vgae_model_file_free(f);
        return st;
    }
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
