/* The container of every model file: magic, version, metadata text, tensors, an optional split, CRC-32. */
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

vgae_status vgae_container_write(vgae_ctx *ctx, const char *path, const char *meta_text,
                                 const vgae_params *tensors, const vgae_split *split)
{
    vgae_outfile out;
    vgae_status st = vgae_outfile_open(ctx, &out, path);
    if (st)
        return st;
    writer w = {out.f, crc32(0L, Z_NULL, 0), 0};
    put(&w, magic, 8);
    put_le(&w, VGAE_MODEL_FILE_VERSION, 4);
    put_le(&w, strlen(meta_text), 4);
    put(&w, meta_text, strlen(meta_text));
    put_le(&w, (uint64_t)tensors->count, 4);
    for (int p = 0; p < tensors->count; p++) {
        const vgae_param *par = &tensors->items[p];
        put_le(&w, strlen(par->name), 2);
        put(&w, par->name, strlen(par->name));
        put_le(&w, (uint64_t)par->value->rows, 8);
        put_le(&w, (uint64_t)par->value->cols, 8);
        put_floats(&w, par->value->data, vgae_mat_size(par->value));
    }
    if (!split) {
        put_le(&w, 0, 4);
    } else {
        const vgae_pair *sets[5] = {split->train, split->val_pos, split->val_neg, split->test_pos,
                                    split->test_neg};
        const int64_t counts[5] = {split->n_train, split->n_val, split->n_val, split->n_test,
                                   split->n_test};
        put_le(&w, 5, 4);
        put_le(&w, (uint32_t)split->n, 4);
        for (int s = 0; s < 5; s++) {
            put_le(&w, (uint64_t)counts[s], 8);
            for (int64_t k = 0; k < counts[s]; k++) {
                put_le(&w, (uint32_t)sets[s][k].u, 4);
                put_le(&w, (uint32_t)sets[s][k].v, 4);
            }
        }
    }
    const uint32_t crc = (uint32_t)w.crc;
    put_le(&w, crc, 4);
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

void vgae_container_free(vgae_container *c)
{
    if (!c)
        return;
    for (int t = 0; t < c->n_tensors; t++)
        vgae_mat_destroy(&c->tensors[t]);
    free(c->tensors);
    free(c->names);
    free(c->meta_text);
    vgae_split_free(c->split);
    free(c);
}

static vgae_status corrupt(vgae_ctx *ctx, const char *path, const char *what)
{
    return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: %s", what);
}

/* The split section: 0, or 5 then the node count and the five pair sets. */
static vgae_status read_split(vgae_ctx *ctx, const char *path, reader *r, vgae_split **out)
{
    uint64_t sets, nodes;
    *out = NULL;
    if (!take_le(r, 4, &sets) || (sets != 0 && sets != 5))
        return corrupt(ctx, path, "bad split section");
    if (sets == 0)
        return VGAE_OK;
    if (!take_le(r, 4, &nodes) || nodes < 2 || nodes > INT32_MAX)
        return corrupt(ctx, path, "bad split section");
    vgae_split *s = vgae_calloc(ctx, 1, sizeof *s);
    vgae_pair *arrays[5] = {0};
    int64_t counts[5];
    vgae_status st = s ? VGAE_OK : VGAE_ENOMEM;
    for (int k = 0; !st && k < 5; k++) {
        uint64_t c;
        if (!take_le(r, 8, &c) || c > (uint64_t)(r->end - r->p) / 8) {
            st = corrupt(ctx, path, "the split runs past the end");
            break;
        }
        counts[k] = (int64_t)c;
        arrays[k] = vgae_alloc(ctx, c ? c : 1, sizeof(vgae_pair));
        if (!arrays[k]) {
            st = VGAE_ENOMEM;
            break;
        }
        for (uint64_t i = 0; i < c; i++) {
            uint64_t u, v;
            take_le(r, 4, &u);
            take_le(r, 4, &v);
            if (u >= nodes || v >= nodes || u >= v) {
                st = corrupt(ctx, path, "a split pair is out of range");
                break;
            }
            arrays[k][i] = (vgae_pair){(int32_t)u, (int32_t)v};
        }
    }
    if (!st && (counts[1] != counts[2] || counts[3] != counts[4]))
        st = corrupt(ctx, path, "inconsistent split section");
    if (!st) {
        /* vgae_split keeps the four held-out arrays in one block */
        s->n = (int32_t)nodes;
        s->n_train = counts[0];
        s->n_val = counts[1];
        s->n_test = counts[3];
        s->train = arrays[0];
        arrays[0] = NULL;
        s->val_pos = vgae_alloc(ctx, (size_t)(2 * (s->n_val + s->n_test)) + 1, sizeof(vgae_pair));
        st = s->val_pos ? VGAE_OK : VGAE_ENOMEM;
    }
    if (!st) {
        s->test_pos = s->val_pos + s->n_val;
        s->val_neg = s->test_pos + s->n_test;
        s->test_neg = s->val_neg + s->n_val;
        memcpy(s->val_pos, arrays[1], sizeof(vgae_pair) * (size_t)s->n_val);
        memcpy(s->val_neg, arrays[2], sizeof(vgae_pair) * (size_t)s->n_val);
        memcpy(s->test_pos, arrays[3], sizeof(vgae_pair) * (size_t)s->n_test);
        memcpy(s->test_neg, arrays[4], sizeof(vgae_pair) * (size_t)s->n_test);
    }
    for (int k = 0; k < 5; k++)
        free(arrays[k]);
    if (st) {
        vgae_split_free(s);
        return st;
    }
    *out = s;
    return VGAE_OK;
}

vgae_status vgae_container_read(vgae_ctx *ctx, const char *path, vgae_container **out)
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
    vgae_container *c = NULL;
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
    c = vgae_calloc(ctx, 1, sizeof *c);
    if (!c) {
        st = VGAE_ENOMEM;
        goto done;
    }
    if (!take_le(&r, 4, &len) || len > (uint64_t)(r.end - r.p)) {
        st = corrupt(ctx, path, "metadata runs past the end");
        goto done;
    }
    c->meta_text = vgae_alloc(ctx, len + 1, 1);
    if (!c->meta_text) {
        st = VGAE_ENOMEM;
        goto done;
    }
    take(&r, c->meta_text, len);
    c->meta_text[len] = '\0';
    if (strlen(c->meta_text) != len) {
        st = corrupt(ctx, path, "metadata holds a NUL byte");
        goto done;
    }
    if (!take_le(&r, 4, &count) || count > 64) {
        st = corrupt(ctx, path, "bad tensor count");
        goto done;
    }
    c->names = vgae_calloc(ctx, count ? count : 1, sizeof *c->names);
    c->tensors = vgae_calloc(ctx, count ? count : 1, sizeof *c->tensors);
    if (!c->names || !c->tensors) {
        st = VGAE_ENOMEM;
        goto done;
    }
    for (uint64_t t = 0; t < count; t++) {
        uint64_t name_len, rows, cols;
        if (!take_le(&r, 2, &name_len) || name_len == 0 || name_len >= sizeof c->names[0] ||
            !take(&r, c->names[t], name_len) || !take_le(&r, 8, &rows) || !take_le(&r, 8, &cols) ||
            (cols && rows > (uint64_t)(r.end - r.p) / 4 / cols)) {
            st = corrupt(ctx, path, "a tensor runs past the end");
            goto done;
        }
        c->names[t][name_len] = '\0';
        for (uint64_t i = 0; i < name_len; i++)
            if ((unsigned char)c->names[t][i] < 0x21 || c->names[t][i] == 0x7f) {
                st = corrupt(ctx, path, "a tensor name holds a control character or space");
                goto done;
            }
        if (rows == 0 || cols == 0 || rows > INT32_MAX || cols > INT32_MAX) {
            st = corrupt(ctx, path, "a tensor has an empty or absurd shape");
            goto done;
        }
        st = vgae_mat_init(ctx, &c->tensors[t], (int64_t)rows, (int64_t)cols);
        if (st)
            goto done;
        c->n_tensors = (int)t + 1;
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
            c->tensors[t].data[k] = (vgae_real)v;
        }
    }
    st = read_split(ctx, path, &r, &c->split);
    if (!st && r.p != r.end)
        st = corrupt(ctx, path, "bytes after the last section");
done:
    free(data);
    if (st) {
        vgae_container_free(c);
        return st;
    }
    *out = c;
    return VGAE_OK;
}

const vgae_mat *vgae_container_tensor(const vgae_container *c, const char *name)
{
    for (int t = 0; t < c->n_tensors; t++)
        if (strcmp(c->names[t], name) == 0)
            return &c->tensors[t];
    return NULL;
}
