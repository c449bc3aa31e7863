/* Model files: the one container every model is saved in (magic, version, metadata, tensors, split, CRC-32). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "io/model_file.h"
#include "io/slurp.h"
#include "vgae/io/outfile.h"

static const char magic[8] = {'V', 'G', 'A', 'E', 'M', 'O', 'D', 'L'};

struct vgae_model_file {
    char *path;
    char *meta_text;      /* as stored */
    char *meta_lines;     /* a copy cut into keys and values */
    int n_meta;
    const char **keys, **values;
    int n_tensors;
    char (*names)[64];
    vgae_mat *tensors;    /* float */
    vgae_split *split;    /* NULL when the file holds none */
    int version;          /* the file's format version */
    int n_blobs;          /* version 7: a checkpoint's named runs of bytes */
    char (*blob_names)[64];
    unsigned char **blobs;
    size_t *blob_sizes;
};

/* ---- writing: every byte goes through put(), which keeps the CRC ---- */
typedef struct {
    FILE *f;
    uLong crc;
    int failed; /* the errno of the first failed write, or EIO */
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n && !w->failed)
        w->failed = errno ? errno : EIO;
    w->crc = crc32(w->crc, p, (uInt)n);
}

static void put_le(writer *w, uint64_t x, int bytes)
{
    unsigned char b[8];
    put(w, b, (size_t)(vgae_put_le(b, x, bytes) - b));
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
            vgae_put_le(b + 4 * k, u, 4);
        }
        put(w, b, (size_t)(4 * m));
    }
}

vgae_status vgae_model_file_write(vgae_ctx *ctx, const char *path, const char *meta_text,
                                  const vgae_params *tensors, const vgae_split *split,
                                  int min_version)
{
    return vgae_model_file_write_blobs(ctx, path, meta_text, tensors, split, min_version, NULL, 0);
}

vgae_status vgae_model_file_write_blobs(vgae_ctx *ctx, const char *path, const char *meta_text,
                                        const vgae_params *tensors, const vgae_split *split,
                                        int min_version, const vgae_blob *blobs, int n_blobs)
{
    vgae_outfile *out;
    vgae_status st = vgae_outfile_open(ctx, path, &out);
    if (st)
        return st;
    if (blobs) { /* a checkpoint: kept even when the run was told to stop, which is when it is needed */
        vgae_outfile_keep_when_interrupted(out);
        min_version = 7;
    }
    writer w = {vgae_outfile_stream(out), crc32(0L, Z_NULL, 0), 0};
    put(&w, magic, 8);
    /* hard negatives came with version 2 */
    const int hard = split && split->n_hard > 0;
    int version = min_version > 1 ? min_version : 1;
    if (hard && version < 2)
        version = 2;
    put_le(&w, (uint64_t)version, 4);
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
        put_le(&w, hard ? 7 : 5, 4);
        put_le(&w, (uint32_t)split->n, 4);
        if (hard)
            put_le(&w, (uint64_t)split->n_hard, 8);
        for (int k = VGAE_SET_TRAIN; k <= (hard ? VGAE_SET_TEST_HARD : VGAE_SET_TEST_NEG); k++) {
            int64_t count;
            const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)k, &count);
            put_le(&w, (uint64_t)count, 8);
            for (int64_t i = 0; i < count; i++) {
                put_le(&w, (uint32_t)p[i].u, 4);
                put_le(&w, (uint32_t)p[i].v, 4);
            }
        }
    }
    if (version >= 7) {
        put_le(&w, (uint64_t)n_blobs, 4);
        for (int b = 0; b < n_blobs; b++) {
            put_le(&w, strlen(blobs[b].name), 2);
            put(&w, blobs[b].name, strlen(blobs[b].name));
            put_le(&w, blobs[b].size, 8);
            put(&w, blobs[b].data, blobs[b].size);
        }
    }
    const uint32_t crc = (uint32_t)w.crc;
    put_le(&w, crc, 4);
    if (w.failed) {
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write the model: %s", strerror(w.failed));
    }
    return vgae_outfile_commit(ctx, out);
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
    if ((size_t)(r->end - r->p) < (size_t)bytes)
        return 0;
    *x = vgae_get_le(r->p, bytes);
    r->p += bytes;
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
    free(f->meta_text);
    free(f->meta_lines);
    free(f->keys);
    free(f->values);
    free(f->path);
    vgae_split_free(f->split);
    for (int b = 0; b < f->n_blobs; b++)
        free(f->blobs[b]);
    free(f->blobs);
    free(f->blob_names);
    free(f->blob_sizes);
    free(f);
}

static vgae_status corrupt(vgae_ctx *ctx, const char *path, const char *what)
{
    return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: %s", what);
}

/* The split section: 0; or 5, the node count and the five pair sets; or
 * (version 2) 7, the node count, the hard negatives per positive and the
 * seven sets. */
static vgae_status read_split(vgae_ctx *ctx, const char *path, uint64_t version, reader *r,
                              vgae_split **out)
{
    uint64_t sets, nodes, hard = 0, counts[7];
    *out = NULL;
    if (!take_le(r, 4, &sets) || (sets != 0 && sets != 5 && !(sets == 7 && version >= 2)))
        return corrupt(ctx, path, "bad split section");
    if (sets == 0)
        return VGAE_OK;
    if (!take_le(r, 4, &nodes) || nodes < 2 || nodes > INT32_MAX ||
        (sets == 7 && (!take_le(r, 8, &hard) || hard < 1 || hard > 100000)))
        return corrupt(ctx, path, "bad split section");
    /* the counts first, to allocate once: each set is a count and its pairs */
    reader scan = *r;
    for (uint64_t k = 0; k < sets; k++) {
        if (!take_le(&scan, 8, &counts[k]) || counts[k] > (uint64_t)(scan.end - scan.p) / 8)
            return corrupt(ctx, path, "the split runs past the end");
        scan.p += 8 * counts[k];
    }
    if (counts[1] != counts[2] || counts[3] != counts[4] ||
        (sets == 7 && (counts[5] != counts[1] * hard || counts[6] != counts[3] * hard)))
        return corrupt(ctx, path, "inconsistent split section");
    vgae_split *s = NULL;
    vgae_status st = vgae_split_alloc(ctx, (int32_t)nodes, (int64_t)counts[0], (int64_t)counts[1],
                                      (int64_t)counts[3], &s);
    if (!st && hard)
        st = vgae_split_alloc_hard(ctx, s, (int64_t)hard);
    for (uint64_t k = 0; !st && k < sets; k++) {
        int64_t count;
        vgae_pair *p = (vgae_pair *)vgae_split_pairs(s, (vgae_split_set)k, &count);
        uint64_t c, u = 0, v = 0;
        take_le(r, 8, &c);
        for (int64_t i = 0; i < count; i++) {
            take_le(r, 4, &u);
            take_le(r, 4, &v);
            if (u >= nodes || v >= nodes || u >= v) {
                st = corrupt(ctx, path, "a split pair is out of range");
                break;
            }
            p[i] = (vgae_pair){(int32_t)u, (int32_t)v};
        }
    }
    if (st) {
        vgae_split_free(s);
        return st;
    }
    *out = s;
    return VGAE_OK;
}

/* Cuts the metadata into "key value" lines: keys unique, non-empty, without
 * spaces; the value is the rest of the line. */
static vgae_status split_meta(vgae_ctx *ctx, vgae_model_file *f)
{
    int lines = 0;
    for (const char *p = f->meta_text; *p; p++)
        lines += *p == '\n';
    f->meta_lines = vgae_strdup(ctx, f->meta_text);
    f->keys = vgae_calloc(ctx, (size_t)lines + 1, sizeof *f->keys);
    f->values = vgae_calloc(ctx, (size_t)lines + 1, sizeof *f->values);
    if (!f->meta_lines || !f->keys || !f->values)
        return VGAE_ENOMEM;
    char *save = NULL;
    for (char *line = strtok_r(f->meta_lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *space = strchr(line, ' ');
        if (!space || space == line)
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                                "corrupted model file: bad metadata '%.60s'", line);
        *space = '\0';
        if (vgae_model_file_meta(f, line))
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                                "corrupted model file: metadata key '%.60s' given twice", line);
        f->keys[f->n_meta] = line;
        f->values[f->n_meta++] = space + 1;
    }
    return VGAE_OK;
}

static vgae_status read_tensors(vgae_ctx *ctx, vgae_model_file *f, reader *r)
{
    const char *path = f->path;
    uint64_t count;
    if (!take_le(r, 4, &count) || count > 64)
        return corrupt(ctx, path, "bad tensor count");
    f->names = vgae_calloc(ctx, count ? count : 1, sizeof *f->names);
    f->tensors = vgae_calloc(ctx, count ? count : 1, sizeof *f->tensors);
    if (!f->names || !f->tensors)
        return VGAE_ENOMEM;
    for (uint64_t t = 0; t < count; t++) {
        uint64_t name_len, rows, cols;
        if (!take_le(r, 2, &name_len) || name_len == 0 || name_len >= sizeof f->names[0] ||
            !take(r, f->names[t], name_len) || !take_le(r, 8, &rows) || !take_le(r, 8, &cols) ||
            (cols && rows > (uint64_t)(r->end - r->p) / 4 / cols))
            return corrupt(ctx, path, "a tensor runs past the end");
        f->names[t][name_len] = '\0';
        for (uint64_t i = 0; i < name_len; i++)
            if ((unsigned char)f->names[t][i] < 0x21 || f->names[t][i] == 0x7f)
                return corrupt(ctx, path, "a tensor name holds a control character or space");
        if (rows == 0 || cols == 0 || rows > INT32_MAX || cols > INT32_MAX)
            return corrupt(ctx, path, "a tensor has an empty or absurd shape");
        vgae_status st = vgae_mat_init(ctx, &f->tensors[t], (int64_t)rows, (int64_t)cols);
        if (st)
            return st;
        f->n_tensors = (int)t + 1;
        for (int64_t k = 0; k < (int64_t)(rows * cols); k++) {
            uint32_t u = (uint32_t)vgae_get_le(r->p + 4 * k, 4);
            float v;
            memcpy(&v, &u, 4);
            if (!isfinite(v))
                return corrupt(ctx, path, "a weight is not finite");
            f->tensors[t].data[k] = (vgae_real)v;
        }
        r->p += 4 * rows * cols;
    }
    return VGAE_OK;
}

/* Version 7: a count, then each blob's name (unique), size and bytes. */
static vgae_status read_blobs(vgae_ctx *ctx, vgae_model_file *f, reader *r)
{
    uint64_t count;
    if (!take_le(r, 4, &count) || count > 64)
        return corrupt(ctx, f->path, "bad checkpoint section");
    f->blob_names = vgae_calloc(ctx, count ? count : 1, sizeof *f->blob_names);
    f->blobs = vgae_calloc(ctx, count ? count : 1, sizeof *f->blobs);
    f->blob_sizes = vgae_calloc(ctx, count ? count : 1, sizeof *f->blob_sizes);
    if (!f->blob_names || !f->blobs || !f->blob_sizes)
        return VGAE_ENOMEM;
    for (uint64_t b = 0; b < count; b++) {
        uint64_t name_len, size;
        if (!take_le(r, 2, &name_len) || name_len == 0 || name_len >= sizeof f->blob_names[0] ||
            !take(r, f->blob_names[b], name_len) || !take_le(r, 8, &size) ||
            size > (uint64_t)(r->end - r->p))
            return corrupt(ctx, f->path, "a checkpoint section runs past the end");
        f->blob_names[b][name_len] = '\0';
        if (strlen(f->blob_names[b]) != name_len || vgae_model_file_blob(f, f->blob_names[b], NULL))
            return corrupt(ctx, f->path, "a checkpoint section's name is empty or given twice");
        if (!(f->blobs[b] = vgae_alloc(ctx, size ? size : 1, 1)))
            return VGAE_ENOMEM;
        take(r, f->blobs[b], size);
        f->blob_sizes[b] = size;
        f->n_blobs = (int)b + 1;
    }
    return VGAE_OK;
}

const void *vgae_model_file_blob(const vgae_model_file *f, const char *name, size_t *size)
{
    for (int b = 0; b < f->n_blobs; b++)
        if (strcmp(f->blob_names[b], name) == 0) {
            if (size)
                *size = f->blob_sizes[b];
            return f->blobs[b];
        }
    return NULL;
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
    uint64_t version, len;
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
    if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), bytes, (uInt)(size - 4)) !=
        (uint32_t)vgae_get_le(bytes + size - 4, 4)) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                          "truncated or corrupted model file (CRC-32 mismatch)");
        goto done;
    }
    r.end = bytes + size - 4;
    f = vgae_calloc(ctx, 1, sizeof *f);
    if (!f || !(f->path = vgae_strdup(ctx, path))) {
        st = VGAE_ENOMEM;
        goto done;
    }
    if (!take_le(&r, 4, &len) || len > (uint64_t)(r.end - r.p)) {
        st = corrupt(ctx, path, "metadata runs past the end");
        goto done;
    }
    f->meta_text = vgae_alloc(ctx, len + 1, 1);
    if (!f->meta_text) {
        st = VGAE_ENOMEM;
        goto done;
    }
    take(&r, f->meta_text, len);
    f->meta_text[len] = '\0';
    if (strlen(f->meta_text) != len) {
        st = corrupt(ctx, path, "metadata holds a NUL byte");
        goto done;
    }
    f->version = (int)version;
    st = split_meta(ctx, f);
    if (!st)
        st = read_tensors(ctx, f, &r);
    if (!st)
        st = read_split(ctx, path, version, &r, &f->split);
    if (!st && version >= 7)
        st = read_blobs(ctx, f, &r);
    if (!st && r.p != r.end)
        st = corrupt(ctx, path, "bytes after the last section");
done:
    free(data);
    if (st) {
        vgae_model_file_free(f);
        return st;
    }
    *out = f;
    return VGAE_OK;
}

/* ---- what a file holds ---- */

const char *vgae_model_file_path(const vgae_model_file *f)
{
    return f->path;
}

const char *vgae_model_file_meta(const vgae_model_file *f, const char *key)
{
    for (int k = 0; k < f->n_meta; k++)
        if (strcmp(f->keys[k], key) == 0)
            return f->values[k];
    return NULL;
}

const char *vgae_model_file_kind(const vgae_model_file *f)
{
    const char *kind = vgae_model_file_meta(f, "kind");
    return kind ? kind : "";
}

const char *vgae_model_file_meta_text(const vgae_model_file *f)
{
    return f->meta_text;
}

int vgae_model_file_tensors(const vgae_model_file *f)
{
    return f->n_tensors;
}

const char *vgae_model_file_tensor_name(const vgae_model_file *f, int i)
{
    return i >= 0 && i < f->n_tensors ? f->names[i] : NULL;
}

const vgae_mat *vgae_model_file_tensor(const vgae_model_file *f, int i)
{
    return i >= 0 && i < f->n_tensors ? &f->tensors[i] : NULL;
}

int vgae_model_file_version(const vgae_model_file *f)
{
    return f->version;
}

const vgae_split *vgae_model_file_split(const vgae_model_file *f)
{
    return f->split;
}

vgae_status vgae_model_file_load_params(vgae_ctx *ctx, const vgae_model_file *f,
                                        vgae_params *params)
{
    for (int p = 0; p < params->count; p++) {
        const vgae_param *par = &params->items[p];
        int t = 0;
        while (t < f->n_tensors && strcmp(f->names[t], par->name) != 0)
            t++;
        if (t == f->n_tensors)
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0, "corrupted model file: no tensor '%s'",
                                par->name);
        if (f->tensors[t].rows != par->value->rows || f->tensors[t].cols != par->value->cols)
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                                "corrupted model file: tensor '%s' is %lld x %lld, the model's %lld x %lld",
                                par->name, (long long)f->tensors[t].rows, (long long)f->tensors[t].cols,
                                (long long)par->value->rows, (long long)par->value->cols);
        memcpy(par->value->data, f->tensors[t].data,
               (size_t)vgae_mat_size(par->value) * sizeof *par->value->data);
    }
    /* names are unique on both sides: more tensors than parameters means one
     * the model lacks, which it would silently go without */
    if (f->n_tensors != params->count)
        return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                            "the model file holds %d tensors, the model it describes %d: a "
                            "part of the model this vgae does not build", f->n_tensors,
                            params->count);
    return VGAE_OK;
}

/* ---- typed metadata ---- */

char *vgae_meta_format(vgae_ctx *ctx, const vgae_meta_key *keys, int n)
{
    size_t cap = 256, used = 0;
    for (int k = 0; k < n; k++)
        cap += strlen(keys[k].key) + (keys[k].type == VGAE_META_TEXT ? keys[k].size : 40) + 2;
    char *s = vgae_alloc(ctx, cap, 1);
    if (!s)
        return NULL;
    for (int k = 0; k < n; k++) {
        const vgae_meta_key *m = &keys[k];
        char num[40];
        const char *text = num;
        switch (m->type) {
        case VGAE_META_INT: snprintf(num, sizeof num, "%d", *(const int *)m->value); break;
        case VGAE_META_INT64: snprintf(num, sizeof num, "%" PRId64, *(const int64_t *)m->value); break;
        case VGAE_META_UINT64: snprintf(num, sizeof num, "%" PRIu64, *(const uint64_t *)m->value); break;
        case VGAE_META_REAL:
            if (m->digits)
                snprintf(num, sizeof num, "%.*f", m->digits, *(const double *)m->value);
            else
                vgae_format_double(num, *(const double *)m->value);
            break;
        case VGAE_META_HEX32: snprintf(num, sizeof num, "0x%08" PRIx32, *(const uint32_t *)m->value); break;
        case VGAE_META_TEXT: text = m->value; break;
        case VGAE_META_NAME: text = m->names[*(const int *)m->value]; break;
        }
        if (strchr(text, '\n')) {
            free(s);
            vgae_fail(ctx, VGAE_EINVAL, "model metadata '%s' holds a line break", m->key);
            return NULL;
        }
        used += (size_t)snprintf(s + used, cap - used, "%s %s\n", m->key, text);
    }
    return s;
}

/* A whole-string integer in [min, max]. */
static int parse_integer(const char *v, double min, double max, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno || (double)x < min || (double)x > max)
        return 0;
    *out = x;
    return 1;
}

int vgae_meta_parse_value(const vgae_meta_key *m, const char *v)
{
    long long x;
    char *end;
    switch (m->type) {
    case VGAE_META_INT:
        if (!parse_integer(v, m->min, m->max, &x))
            return 0;
        *(int *)m->value = (int)x;
        return 1;
    case VGAE_META_INT64:
        if (!parse_integer(v, m->min, m->max, &x))
            return 0;
        *(int64_t *)m->value = (int64_t)x;
        return 1;
    case VGAE_META_UINT64:
        if (!parse_integer(v, 0, (double)INT64_MAX, &x))
            return 0;
        *(uint64_t *)m->value = (uint64_t)x;
        return 1;
    case VGAE_META_REAL: {
        double d = strtod(v, &end);
        if (end == v || *end || isinf(d) || (m->max > m->min && !(d >= m->min && d <= m->max)))
            return 0;
        *(double *)m->value = d;
        return 1;
    }
    case VGAE_META_HEX32: {
        errno = 0;
        unsigned long long c = strtoull(v, &end, 16);
        if (end == v || *end || errno || c > UINT32_MAX)
            return 0;
        *(uint32_t *)m->value = (uint32_t)c;
        return 1;
    }
    case VGAE_META_TEXT:
        if (strlen(v) >= m->size)
            return 0;
        memcpy(m->value, v, strlen(v) + 1);
        return 1;
    case VGAE_META_NAME:
        for (int k = 0; m->names[k]; k++)
            if (strcmp(v, m->names[k]) == 0) {
                *(int *)m->value = k;
                return 1;
            }
        return 0;
    }
    return 0;
}

vgae_status vgae_meta_parse(vgae_ctx *ctx, const vgae_model_file *f, const vgae_meta_key *keys,
                            int n)
{
    for (int k = 0; k < n; k++) {
        const char *v = vgae_model_file_meta(f, keys[k].key);
        if (!v && keys[k].required)
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                                "corrupted model file: the metadata lacks '%s'", keys[k].key);
        if (v && !vgae_meta_parse_value(&keys[k], v))
            return vgae_fail_at(ctx, VGAE_EFORMAT, f->path, 0,
                                "corrupted model file: bad metadata '%s %.60s'", keys[k].key, v);
    }
    return VGAE_OK;
}
