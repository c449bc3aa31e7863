/* A partitioned graph on disk: writing the directory (manifest, assignment, part files) and reading one part back, checked. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "dist/partition_names.h"
#include "io/blob.h"
#include "io/lines.h"
#include "io/model_file.h"
#include "vgae/dist/part_file.h"
#include "vgae/graph/normalize.h"
#include "vgae/io/outfile.h"

#define PART_FORMAT 1
#define PART_KIND "graph-part"
#define WHAT "part file"

/* What a part file's keys and the manifest's say, one table for both. */
typedef struct {
    char kind[16];
    int format, part, parts, blocks, method, nodes, first, count, feature_cols;
    int64_t edges, train_edges, val_pairs, test_pairs, edge_cut, halo, adjacency_entries, feature_entries;
    int64_t held[VGAE_PART_SETS];
    double val_frac, test_frac;
    uint64_t seed;
    uint32_t graph_checksum, split_checksum, features_checksum, identity;
} facts;


/* The keys every part file and the manifest share (first `shared`), then
 * a part's own. */
static int facts_table(facts *f, vgae_meta_key *k, int part_keys)
{
    int n = 0;
#define KEY(...) (k[n++] = (vgae_meta_key){__VA_ARGS__, .required = 1})
    KEY(.key = "kind", .type = VGAE_META_TEXT, .value = f->kind, .size = sizeof f->kind);
    KEY(.key = "format", .type = VGAE_META_INT, .value = &f->format, .min = 1, .max = PART_FORMAT);
    KEY(.key = "identity", .type = VGAE_META_HEX32, .value = &f->identity);
    KEY(.key = "nodes", .type = VGAE_META_INT, .value = &f->nodes, .min = 1, .max = INT32_MAX);
    KEY(.key = "edges", .type = VGAE_META_INT64, .value = &f->edges, .min = 0, .max = 1e15);
    KEY(.key = "parts", .type = VGAE_META_INT, .value = &f->parts, .min = 1, .max = INT32_MAX);
    KEY(.key = "blocks", .type = VGAE_META_INT, .value = &f->blocks, .min = 1, .max = INT32_MAX);
    KEY(.key = "method", .type = VGAE_META_NAME, .value = &f->method, .names = vgae_partition_method_names);
    KEY(.key = "seed", .type = VGAE_META_UINT64, .value = &f->seed);
    KEY(.key = "graph_checksum", .type = VGAE_META_HEX32, .value = &f->graph_checksum);
    KEY(.key = "split_checksum", .type = VGAE_META_HEX32, .value = &f->split_checksum);
    KEY(.key = "features_checksum", .type = VGAE_META_HEX32, .value = &f->features_checksum);
    KEY(.key = "feature_cols", .type = VGAE_META_INT, .value = &f->feature_cols, .min = 0, .max = INT32_MAX);
    KEY(.key = "train_edges", .type = VGAE_META_INT64, .value = &f->train_edges, .min = 1, .max = 1e15);
    KEY(.key = "val_pairs", .type = VGAE_META_INT64, .value = &f->val_pairs, .min = 0, .max = 1e15);
    KEY(.key = "test_pairs", .type = VGAE_META_INT64, .value = &f->test_pairs, .min = 0, .max = 1e15);
    KEY(.key = "val_frac", .type = VGAE_META_REAL, .value = &f->val_frac, .min = 0, .max = 1);
    KEY(.key = "test_frac", .type = VGAE_META_REAL, .value = &f->test_frac, .min = 0, .max = 1);
    KEY(.key = "edge_cut", .type = VGAE_META_INT64, .value = &f->edge_cut, .min = 0, .max = 1e15);
    if (!part_keys)
        return n;
    KEY(.key = "part", .type = VGAE_META_INT, .value = &f->part, .min = 0, .max = INT32_MAX);
    KEY(.key = "first", .type = VGAE_META_INT, .value = &f->first, .min = 0, .max = INT32_MAX);
    KEY(.key = "count", .type = VGAE_META_INT, .value = &f->count, .min = 1, .max = INT32_MAX);
    KEY(.key = "halo", .type = VGAE_META_INT64, .value = &f->halo, .min = 0, .max = INT32_MAX);
    KEY(.key = "adjacency_entries", .type = VGAE_META_INT64, .value = &f->adjacency_entries, .min = 1, .max = 1e15);
    KEY(.key = "feature_entries", .type = VGAE_META_INT64, .value = &f->feature_entries, .min = 0, .max = 1e15);
    static const char *const held_keys[VGAE_PART_SETS] = {"val_pos_pairs", "val_neg_pairs", "test_pos_pairs",
                                                          "test_neg_pairs"};
    for (int s = 0; s < VGAE_PART_SETS; s++)
        KEY(.key = held_keys[s], .type = VGAE_META_INT64, .value = &f->held[s], .min = 0, .max = 1e15);
#undef KEY
    return n;
}
#define FACT_KEYS 32

/* A CRC-32 of what fixes the partition: parts of one run share it. */
static uint32_t identity_of(const facts *f)
{
    vgae_crc c;
    vgae_crc_start(&c);
    const uint64_t words[] = {PART_FORMAT, f->graph_checksum, f->split_checksum, f->features_checksum,
                              (uint64_t)f->method, f->seed, (uint64_t)f->blocks, (uint64_t)f->parts,
                              (uint64_t)f->nodes, (uint64_t)f->feature_cols, (uint64_t)f->train_edges};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        vgae_crc_le(&c, words[k], 8);
    return vgae_crc_end(&c);
}

static char *join(vgae_ctx *ctx, const char *dir, const char *name)
{
    const size_t len = strlen(dir) + strlen(name) + 2;
    char *path = vgae_alloc(ctx, len, 1);
    if (path)
        snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static char *part_path(vgae_ctx *ctx, const char *dir, int32_t k)
{
    char name[32];
    snprintf(name, sizeof name, "part-%d.vgae", k);
    return join(ctx, dir, name);
}

/* ---- writing ---- */

/* Whether a directory entry is one a partition directory holds (or an
 * outfile's hidden temporary file). */
static int partition_entry(const char *name)
{
    int k, end = 0;
    return name[0] == '.' || strcmp(name, "manifest") == 0 || strcmp(name, "assignment") == 0 ||
           (sscanf(name, "part-%d.vgae%n", &k, &end) == 1 && name[end] == '\0' && k >= 0);
}

/* dir exists as a directory (made if missing; *made then 1), empty or
 * holding only a partition's files. */
static vgae_status prepare_dir(vgae_ctx *ctx, const char *dir, int *made)
{
    struct stat sb;
    *made = 0;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || mkdir(dir, 0777) != 0)
            return vgae_fail(ctx, VGAE_EIO, "%s: cannot make the directory: %s", dir, strerror(errno));
        *made = 1;
        return VGAE_OK;
    }
    if (!S_ISDIR(sb.st_mode))
        return vgae_fail(ctx, VGAE_EIO, "%s: exists and is not a directory", dir);
    DIR *d = opendir(dir);
    if (!d)
        return vgae_fail(ctx, VGAE_EIO, "%s: cannot read the directory: %s", dir, strerror(errno));
    vgae_status st = VGAE_OK;
    for (struct dirent *e; !st && (e = readdir(d));)
        if (!partition_entry(e->d_name))
            st = vgae_fail(ctx, VGAE_EIO, "%s: holds '%s', which is not a partition's: give a new or empty "
                           "directory, or one an earlier vgae partition wrote", dir, e->d_name);
    closedir(d);
    return st;
}

/* Removes part files numbered `parts` and above (an earlier partition into more parts). */
static void remove_extra_parts(vgae_ctx *ctx, const char *dir, int32_t parts)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        int k, end = 0;
        if (sscanf(e->d_name, "part-%d.vgae%n", &k, &end) == 1 && e->d_name[end] == '\0' && k >= parts) {
            char *path = join(ctx, dir, e->d_name);
            if (path)
                remove(path);
            free(path);
        }
    }
    closedir(d);
}

typedef struct {
    int32_t pos;
    float val;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const int32_t x = ((const entry *)a)->pos, y = ((const entry *)b)->pos;
    return (x > y) - (x < y);
}

/* Rows [first, first + count) of positions of m (rows by node number);
 * columns renumbered by `position` (NULL: kept) and sorted: into a blob as
 * row pointers, columns, values. *halo (if not NULL) counts the columns
 * outside the rows' positions, each once (mark: n entries, all < first). */
static vgae_status rows_blob(vgae_ctx *ctx, const vgae_csr *m, const vgae_partition *p, int32_t first,
                             int32_t count, const int32_t *position, int32_t *mark, int64_t *halo,
                             vgae_state_out *out)
{
    int64_t entries = 0, widest = 0;
    for (int32_t q = first; q < first + count; q++) {
        const int32_t v = p->order[q];
        const int64_t len = m->rowptr[v + 1] - m->rowptr[v];
        entries += len;
        widest = len > widest ? len : widest;
    }
    int64_t *rowptr = vgae_alloc(ctx, (size_t)count + 1, sizeof *rowptr);
    int32_t *col = vgae_alloc(ctx, (size_t)(entries ? entries : 1), sizeof *col);
    float *val = vgae_alloc(ctx, (size_t)(entries ? entries : 1), sizeof *val);
    entry *row = vgae_alloc(ctx, (size_t)(widest ? widest : 1), sizeof *row);
    if (!rowptr || !col || !val || !row) {
        free(rowptr);
        free(col);
        free(val);
        free(row);
        return VGAE_ENOMEM;
    }
    rowptr[0] = 0;
    for (int32_t r = 0; r < count; r++) {
        const int32_t v = p->order[first + r];
        const int64_t a = m->rowptr[v], len = m->rowptr[v + 1] - a;
        for (int64_t e = 0; e < len; e++)
            row[e] = (entry){position ? position[m->col[a + e]] : m->col[a + e], m->val[a + e]};
        if (position)
            qsort(row, (size_t)len, sizeof *row, entry_cmp);
        for (int64_t e = 0; e < len; e++) {
            col[rowptr[r] + e] = row[e].pos;
            val[rowptr[r] + e] = row[e].val;
            if (halo && (row[e].pos < first || row[e].pos >= first + count) && mark[row[e].pos] != first) {
                mark[row[e].pos] = first;
                (*halo)++;
            }
        }
        rowptr[r + 1] = rowptr[r] + len;
    }
    vgae_state_i64s(out, rowptr, (int64_t)count + 1);
    vgae_state_i32s(out, col, entries);
    vgae_state_f32s(out, val, entries);
    free(rowptr);
    free(col);
    free(val);
    free(row);
    return VGAE_OK;
}

/* Pair i of a held-out set as positions, the end that holds it first: the
 * smaller position when the two add up to an even number, else the larger
 * (a pair's ends are equally likely to hold it, so parts hold about as many
 * pairs each; the smaller end alone gave the first parts most pairs that
 * cross parts). 1 if that end is in [first, first + count). */
static int owned_pair(const vgae_partition *p, const vgae_pair *pairs, int64_t i, int32_t first, int32_t count,
                      int32_t *u, int32_t *v)
{
    const int32_t a = p->position[pairs[i].u], b = p->position[pairs[i].v];
    const int32_t lo = a < b ? a : b, hi = a < b ? b : a;
    const int even = ((int64_t)lo + hi) % 2 == 0;
    *u = even ? lo : hi;
    *v = even ? hi : lo;
    return *u >= first && *u < first + count;
}

/* The held-out pairs owned by the part of positions [first, first + count):
 * per set a count, the pairs' indices in the set, their u's, their v's. */
static void held_blob(const vgae_split *split, const vgae_partition *p, int32_t first, int32_t count,
                      int64_t *held, vgae_state_out *out)
{
    for (int s = 0; s < VGAE_PART_SETS; s++) {
        int64_t total, n = 0;
        int32_t u, v;
        const vgae_pair *pairs = vgae_split_pairs(split, (vgae_split_set)(VGAE_SET_VAL_POS + s), &total);
        for (int64_t i = 0; i < total; i++)
            n += owned_pair(p, pairs, i, first, count, &u, &v);
        vgae_state_u64(out, (uint64_t)n);
        for (int64_t i = 0; i < total; i++)
            if (owned_pair(p, pairs, i, first, count, &u, &v))
                vgae_state_i64s(out, &i, 1);
        for (int end = 0; end < 2; end++)
            for (int64_t i = 0; i < total; i++)
                if (owned_pair(p, pairs, i, first, count, &u, &v))
                    vgae_state_i32s(out, end ? &v : &u, 1);
        held[s] = n;
    }
}

/* The facts of the whole partition (the manifest's keys). */
static facts whole_facts(vgae_ctx *ctx, const vgae_graph *g, const vgae_csr *features, const vgae_split *split,
                         const vgae_partition *p)
{
    facts f = {.format = PART_FORMAT, .nodes = g->n, .edges = g->n_edges, .parts = p->parts,
               .blocks = p->blocks, .method = (int)p->method, .seed = vgae_ctx_seed(ctx),
               .graph_checksum = vgae_graph_checksum(g), .split_checksum = vgae_split_checksum(split),
               .features_checksum = vgae_csr_checksum(features),
               .feature_cols = features ? features->cols : 0, .train_edges = split->n_train,
               .val_pairs = split->n_val, .test_pairs = split->n_test, .val_frac = split->val_frac,
               .test_frac = split->test_frac, .edge_cut = p->edge_cut};
    snprintf(f.kind, sizeof f.kind, "%s", PART_KIND);
    f.identity = identity_of(&f);
    return f;
}

/* Part k's file. */
static vgae_status write_part(vgae_ctx *ctx, const char *dir, const facts *whole, const vgae_csr *a_hat,
                              const vgae_csr *features, const vgae_split *split, const vgae_partition *p,
                              int32_t k, int32_t *mark, int64_t *halo)
{
    facts f = *whole;
    f.part = k;
    f.first = p->block_start[vgae_partition_first_block(p->blocks, p->parts, k)];
    f.count = p->block_start[vgae_partition_first_block(p->blocks, p->parts, k + 1)] - f.first;
    vgae_state_out sec[5];
    for (int s = 0; s < 5; s++)
        sec[s] = (vgae_state_out){.ctx = ctx};
    vgae_state_i32s(&sec[0], p->order + f.first, f.count);
    vgae_state_i32s(&sec[1], p->block_start, (int64_t)p->blocks + 1);
    vgae_status st = rows_blob(ctx, a_hat, p, f.first, f.count, p->position, mark, &f.halo, &sec[2]);
    if (!st && features)
        st = rows_blob(ctx, features, p, f.first, f.count, NULL, NULL, NULL, &sec[3]);
    held_blob(split, p, f.first, f.count, f.held, &sec[4]);
    for (int32_t q = f.first; q < f.first + f.count; q++) {
        const int32_t v = p->order[q];
        f.adjacency_entries += a_hat->rowptr[v + 1] - a_hat->rowptr[v];
        f.feature_entries += features ? features->rowptr[v + 1] - features->rowptr[v] : 0;
    }
    *halo = f.halo;
    for (int s = 0; s < 5; s++)
        st = st ? st : sec[s].failed ? VGAE_ENOMEM : VGAE_OK;
    char *path = part_path(ctx, dir, k), *meta = NULL;
    if (!st && !path)
        st = VGAE_ENOMEM;
    if (!st) {
        vgae_meta_key keys[FACT_KEYS];
        meta = vgae_meta_format(ctx, keys, facts_table(&f, keys, 1));
        st = meta ? VGAE_OK : vgae_ctx_status(ctx);
    }
    if (!st) {
        const vgae_blob blobs[5] = {{"nodes", sec[0].data, sec[0].size},
                                    {"blocks", sec[1].data, sec[1].size},
                                    {"adjacency", sec[2].data, sec[2].size},
                                    {"held_out", sec[4].data, sec[4].size},
                                    {"features", sec[3].data, sec[3].size}};
        const vgae_params none = {0};
        st = vgae_model_file_write_blobs(ctx, path, meta, &none, NULL, 7, blobs, features ? 5 : 4);
    }
    free(meta);
    free(path);
    for (int s = 0; s < 5; s++)
        free(sec[s].data);
    return st;
}

static vgae_status write_manifest(vgae_ctx *ctx, const char *dir, facts *whole, const vgae_partition *p,
                                  const int64_t *halo)
{
    vgae_meta_key keys[FACT_KEYS];
    char *meta = vgae_meta_format(ctx, keys, facts_table(whole, keys, 0));
    char *path = join(ctx, dir, "manifest");
    vgae_outfile *out = NULL;
    vgae_status st = meta && path ? vgae_outfile_open(ctx, path, &out) : vgae_ctx_status(ctx);
    if (!st) {
        FILE *f = vgae_outfile_stream(out);
        fprintf(f, "%s", meta);
        for (int32_t k = 0; k < p->parts; k++) {
            const int32_t b0 = vgae_partition_first_block(p->blocks, p->parts, k);
            const int32_t b1 = vgae_partition_first_block(p->blocks, p->parts, k + 1);
            fprintf(f, "part %d file part-%d.vgae blocks %d-%d positions %d-%d nodes %d edges_inside %lld "
                       "train_halo %lld\n",
                    k, k, b0, b1 - 1, p->block_start[b0], p->block_start[b1] - 1, p->sizes[k],
                    (long long)p->inside[k], (long long)halo[k]);
        }
        st = vgae_outfile_commit(ctx, out);
    }
    free(meta);
    free(path);
    return st;
}

vgae_status vgae_partition_write_dir(vgae_ctx *ctx, const char *dir, const vgae_graph *g,
                                     const vgae_csr *features, const vgae_split *split, const vgae_partition *p)
{
    if (p->n != g->n || split->n != g->n || (features && features->rows != g->n))
        return vgae_fail(ctx, VGAE_EINVAL, "the partition, split and features must be of the graph's %d nodes",
                         g->n);
    vgae_graph *train = NULL;
    vgae_csr *a_hat = NULL;
    int32_t *mark = NULL;
    int64_t *halo = NULL;
    char *assignment = NULL;
    int made = 0, written = 0;
    vgae_status st = prepare_dir(ctx, dir, &made);
    if (!st)
        st = vgae_split_train_graph(ctx, split, &train);
    if (!st)
        st = vgae_gcn_normalize(ctx, train, &a_hat);
    vgae_graph_free(train);
    if (!st) {
        mark = vgae_alloc(ctx, (size_t)g->n, sizeof *mark);
        halo = vgae_calloc(ctx, (size_t)p->parts, sizeof *halo);
        assignment = join(ctx, dir, "assignment");
        st = mark && halo && assignment ? VGAE_OK : VGAE_ENOMEM;
    }
    for (int32_t i = 0; !st && i < g->n; i++)
        mark[i] = -1;
    facts whole = whole_facts(ctx, g, features, split, p);
    for (int32_t k = 0; !st && k < p->parts; k++) {
        st = write_part(ctx, dir, &whole, a_hat, features, split, p, k, mark, &halo[k]);
        written = 1;
    }
    if (!st)
        st = vgae_partition_write(ctx, assignment, p);
    if (!st)
        st = write_manifest(ctx, dir, &whole, p, halo);
    if (!st)
        remove_extra_parts(ctx, dir, p->parts);
    if (st && made) { /* nothing of a failed run is left in a directory it made */
        for (int32_t k = 0; written && k < p->parts; k++) {
            char *path = part_path(ctx, dir, k);
            if (path)
                remove(path);
            free(path);
        }
        if (assignment)
            remove(assignment);
        rmdir(dir);
    }
    free(assignment);
    free(mark);
    free(halo);
    vgae_csr_free(a_hat);
    return st;
}

/* ---- reading ---- */

/* The manifest's keys into f (its lines as a model file's metadata). */
static vgae_status read_manifest(vgae_ctx *ctx, const char *dir, facts *f)
{
    char *path = join(ctx, dir, "manifest");
    if (!path)
        return VGAE_ENOMEM;
    vgae_lines lines = {0};
    vgae_status st = vgae_lines_open(ctx, &lines, path);
    *f = (facts){0};
    vgae_meta_key keys[FACT_KEYS];
    const int n = facts_table(f, keys, 0);
    int seen[FACT_KEYS] = {0};
    char *line;
    size_t len;
    int r;
    while (!st && (r = vgae_lines_next(ctx, &lines, &line, &len)) > 0) {
        if (strncmp(line, "part ", 5) == 0)
            continue;
        char *space = strchr(line, ' ');
        int k = 0;
        if (space)
            for (*space = '\0'; k < n && strcmp(keys[k].key, line) != 0; k++)
                ;
        if (!space || k == n) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno, "not a key of a partition's manifest: '%.60s'",
                              line);
            break;
        }
        if (seen[k] || !vgae_meta_parse_value(&keys[k], space + 1))
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno, "bad or repeated manifest line '%s %.60s'",
                              keys[k].key, space + 1);
        seen[k] = 1;
    }
    if (!st && r < 0)
        st = vgae_ctx_status(ctx);
    for (int k = 0; !st && k < n; k++)
        if (!seen[k])
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not a partition's manifest: no '%s' line", keys[k].key);
    if (!st && strcmp(f->kind, PART_KIND) != 0)
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not a partition's manifest: kind '%s'", f->kind);
    if (!st && identity_of(f) != f->identity)
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted manifest: its identity does not match its keys");
    vgae_lines_close(&lines);
    free(path);
    return st;
}

vgae_status vgae_part_count(vgae_ctx *ctx, const char *dir, int32_t *parts)
{
    facts f;
    vgae_status st = read_manifest(ctx, dir, &f);
    *parts = st ? 0 : f.parts;
    return st;
}

void vgae_part_free(vgae_part *p)
{
    if (!p)
        return;
    free(p->block_start);
    free(p->node);
    vgae_csr_free(p->a_hat);
    vgae_csr_free(p->x);
    for (int s = 0; s < VGAE_PART_SETS; s++) {
        free(p->held[s].index);
        free(p->held[s].pairs);
    }
    free(p);
}

int32_t vgae_part_owner(const vgae_part *p, int32_t position)
{
    int32_t lo = 0, hi = p->parts - 1; /* the last part whose first position is <= position */
    while (lo < hi) {
        const int32_t mid = (lo + hi + 1) / 2;
        if (p->block_start[vgae_partition_first_block(p->blocks, p->parts, mid)] <= position)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Fails naming the file and what is wrong with it. */
#define BAD(...) vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted part file: " __VA_ARGS__)

/* A CSR section of rows x cols with `entries` entries: row pointers from 0
 * to entries, columns ascending and in range; values finite (and > 0 with
 * positive). */
static vgae_status take_rows(vgae_ctx *ctx, const char *path, const char *name, vgae_state_in *in, int32_t rows,
                             int32_t cols, int64_t entries, int positive, vgae_csr **out)
{
    vgae_status st = vgae_csr_new(ctx, rows, cols, entries, out);
    if (st)
        return st;
    vgae_csr *m = *out;
    vgae_state_take_i64s(in, m->rowptr, (int64_t)rows + 1);
    vgae_state_take_i32s(in, m->col, entries);
    vgae_state_take_f32s(in, m->val, entries);
    if (in->bad || in->p != in->end)
        return BAD("its '%s' section is cut short or too long", name);
    if (m->rowptr[0] != 0 || m->rowptr[rows] != entries)
        return BAD("'%s': the row pointers run from %lld to %lld, not 0 to %lld", name, (long long)m->rowptr[0],
                   (long long)m->rowptr[rows], (long long)entries);
    for (int32_t r = 0; r < rows; r++) {
        if (m->rowptr[r + 1] < m->rowptr[r] || m->rowptr[r + 1] > entries)
            return BAD("'%s': row %d's pointer %lld is out of order", name, r, (long long)m->rowptr[r + 1]);
        for (int64_t e = m->rowptr[r]; e < m->rowptr[r + 1]; e++) {
            if (m->col[e] < 0 || m->col[e] >= cols)
                return BAD("'%s': row %d has column %d, out of range (0 to %d)", name, r, m->col[e], cols - 1);
            if (e > m->rowptr[r] && m->col[e] <= m->col[e - 1])
                return BAD("'%s': row %d's columns are not ascending (%d after %d)", name, r, m->col[e],
                           m->col[e - 1]);
            if (!isfinite(m->val[e]) || (positive && !(m->val[e] > 0)))
                return BAD("'%s': row %d, column %d holds %g", name, r, m->col[e], (double)m->val[e]);
        }
    }
    return VGAE_OK;
}

/* The sections of part file `file` (keys f, checked) into p. */
static vgae_status read_sections(vgae_ctx *ctx, const char *path, const vgae_model_file *file, const facts *f,
                                 vgae_part *p)
{
    vgae_state_in in;
    vgae_status st;
    /* blocks: every block non-empty, from 0 to n; this part's positions are its blocks' */
    if ((st = vgae_blob_open(ctx, file, "blocks", WHAT, &in)))
        return st;
    if (!(p->block_start = vgae_alloc(ctx, (size_t)f->blocks + 1, sizeof *p->block_start)))
        return VGAE_ENOMEM;
    vgae_state_take_i32s(&in, p->block_start, (int64_t)f->blocks + 1);
    if ((st = vgae_blob_close(ctx, file, "blocks", WHAT, &in)))
        return st;
    for (int32_t b = 0; b < f->blocks; b++)
        if (p->block_start[b + 1] <= p->block_start[b])
            return BAD("'blocks': block %d is empty or out of order", b);
    if (p->block_start[0] != 0 || p->block_start[f->blocks] != f->nodes)
        return BAD("'blocks': the blocks do not cover the %d nodes", f->nodes);
    const int32_t b0 = vgae_partition_first_block(f->blocks, f->parts, f->part);
    const int32_t b1 = vgae_partition_first_block(f->blocks, f->parts, f->part + 1);
    if (p->block_start[b0] != f->first || p->block_start[b1] != f->first + f->count)
        return BAD("positions %d to %d are not those of blocks %d to %d", f->first, f->first + f->count - 1, b0,
                   b1 - 1);
    /* nodes: in range, ascending within each block (the order is by block, then number) */
    if ((st = vgae_blob_open(ctx, file, "nodes", WHAT, &in)))
        return st;
    if (!(p->node = vgae_alloc(ctx, (size_t)f->count, sizeof *p->node)))
        return VGAE_ENOMEM;
    vgae_state_take_i32s(&in, p->node, f->count);
    if ((st = vgae_blob_close(ctx, file, "nodes", WHAT, &in)))
        return st;
    for (int32_t b = b0, r = 0; b < b1; b++)
        for (int32_t q = p->block_start[b]; q < p->block_start[b + 1]; q++, r++)
            if (p->node[r] < 0 || p->node[r] >= f->nodes || (q > p->block_start[b] && p->node[r] <= p->node[r - 1]))
                return BAD("'nodes': position %d holds node %d, out of range or out of order", q, p->node[r]);
    /* adjacency: each row holds its own position (Â's diagonal) */
    if ((st = vgae_blob_open(ctx, file, "adjacency", WHAT, &in)) ||
        (st = take_rows(ctx, path, "adjacency", &in, f->count, f->nodes, f->adjacency_entries, 1, &p->a_hat)))
        return st;
    for (int32_t r = 0; r < f->count; r++) {
        int64_t e = p->a_hat->rowptr[r];
        while (e < p->a_hat->rowptr[r + 1] && p->a_hat->col[e] < f->first + r)
            e++;
        if (e == p->a_hat->rowptr[r + 1] || p->a_hat->col[e] != f->first + r)
            return BAD("'adjacency': row %d lacks its diagonal (position %d)", r, f->first + r);
    }
    if (f->feature_cols > 0 &&
        ((st = vgae_blob_open(ctx, file, "features", WHAT, &in)) ||
         (st = take_rows(ctx, path, "features", &in, f->count, f->feature_cols, f->feature_entries, 0, &p->x))))
        return st;
    /* held-out pairs: indices ascending within their set, u owned, v another node */
    if ((st = vgae_blob_open(ctx, file, "held_out", WHAT, &in)))
        return st;
    static const char *const set_names[VGAE_PART_SETS] = {"val_pos", "val_neg", "test_pos", "test_neg"};
    for (int s = 0; s < VGAE_PART_SETS; s++) {
        vgae_part_pairs *h = &p->held[s];
        const int64_t total = s < 2 ? f->val_pairs : f->test_pairs;
        h->count = (int64_t)vgae_state_take_u64(&in);
        if (in.bad || h->count != f->held[s])
            return BAD("'held_out': %s holds %lld pairs, its key %lld", set_names[s], (long long)h->count,
                       (long long)f->held[s]);
        int32_t *uv = vgae_alloc(ctx, (size_t)(2 * h->count + 1), sizeof *uv);
        h->index = vgae_alloc(ctx, (size_t)(h->count + 1), sizeof *h->index);
        h->pairs = vgae_alloc(ctx, (size_t)(h->count + 1), sizeof *h->pairs);
        if (!uv || !h->index || !h->pairs) {
            free(uv);
            return VGAE_ENOMEM;
        }
        vgae_state_take_i64s(&in, h->index, h->count);
        vgae_state_take_i32s(&in, uv, 2 * h->count);
        for (int64_t i = 0; i < h->count; i++)
            h->pairs[i] = (vgae_pair){uv[i], uv[h->count + i]};
        free(uv);
        for (int64_t i = 0; !in.bad && i < h->count; i++) {
            const vgae_pair q = h->pairs[i];
            if (h->index[i] < 0 || h->index[i] >= total || (i > 0 && h->index[i] <= h->index[i - 1]))
                return BAD("'held_out': %s pair %lld has index %lld, out of range or out of order", set_names[s],
                           (long long)i, (long long)h->index[i]);
            if (q.u < f->first || q.u >= f->first + f->count || q.v == q.u || q.v < 0 || q.v >= f->nodes)
                return BAD("'held_out': %s pair %lld (%d, %d) is not one of this part's", set_names[s],
                           (long long)i, q.u, q.v);
        }
    }
    return vgae_blob_close(ctx, file, "held_out", WHAT, &in);
}

/* Part file `path`'s keys, checked against the manifest's. */
static vgae_status read_keys(vgae_ctx *ctx, const char *path, const vgae_model_file *file, const facts *whole,
                             int32_t part, facts *f)
{
    *f = (facts){0};
    vgae_meta_key keys[FACT_KEYS];
    vgae_status st = vgae_meta_parse(ctx, file, keys, facts_table(f, keys, 1));
    if (st)
        return st;
    if (strcmp(f->kind, PART_KIND) != 0)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not a part file: kind '%s'", f->kind);
    if (f->identity != whole->identity || identity_of(f) != f->identity)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "is not a part of the partition its directory's manifest "
                            "describes (identity 0x%08x, the manifest's 0x%08x): partition again",
                            (unsigned)f->identity, (unsigned)whole->identity);
    if (f->part != part)
        return BAD("it holds part %d, not %d", f->part, part);
    if ((int64_t)f->first + f->count > f->nodes)
        return BAD("positions %d to %d are out of range (%d nodes)", f->first, f->first + f->count - 1, f->nodes);
    return VGAE_OK;
}

vgae_status vgae_part_read(vgae_ctx *ctx, const char *dir, int32_t part, vgae_part **out)
{
    *out = NULL;
    facts whole, f;
    vgae_status st = read_manifest(ctx, dir, &whole);
    if (st)
        return st;
    if (part < 0 || part >= whole.parts)
        return vgae_fail(ctx, VGAE_EINVAL, "%s holds %d parts: there is no part %d", dir, whole.parts, part);
    char *path = part_path(ctx, dir, part);
    vgae_model_file *file = NULL;
    vgae_part *p = vgae_calloc(ctx, 1, sizeof *p);
    if (!path || !p)
        st = VGAE_ENOMEM;
    if (!st)
        st = vgae_model_file_read(ctx, path, &file);
    if (!st)
        st = read_keys(ctx, path, file, &whole, part, &f);
    if (!st)
        st = read_sections(ctx, path, file, &f, p);
    if (!st) {
        p->part = f.part;
        p->parts = f.parts;
        p->blocks = f.blocks;
        p->n = f.nodes;
        p->n_edges = f.edges;
        p->n_train = f.train_edges;
        p->n_val = f.val_pairs;
        p->n_test = f.test_pairs;
        p->val_frac = f.val_frac;
        p->test_frac = f.test_frac;
        p->seed = f.seed;
        p->method = (vgae_partition_method)f.method;
        p->graph_checksum = f.graph_checksum;
        p->split_checksum = f.split_checksum;
        p->features_checksum = f.features_checksum;
        p->identity = f.identity;
        p->edge_cut = f.edge_cut;
        p->first = f.first;
        p->count = f.count;
        p->feature_cols = f.feature_cols;
        *out = p;
    } else {
        vgae_part_free(p);
    }
    vgae_model_file_free(file);
    free(path);
    return st;
}
