/* Split files: writing a split as tab-separated text, reading one back against its graph. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/internal.h"
#include "graph/pair_hash.h"
#include "io/lines.h"
#include "vgae/io/outfile.h"
#include "vgae/io/split_file.h"

/* Version 2 adds hard negatives; a split without them is written as version 1. */
#define FORMAT_VERSION 3
#define COLUMNS "set\tu\tv\tlabel"

/* Version 3's row counts: one header key per set name of the rows (val and
 * test count their positives and negatives together). */
enum { ROWS_TRAIN, ROWS_VAL, ROWS_TEST, ROWS_VAL_HARD, ROWS_TEST_HARD, N_ROW_KEYS };
static const char *const row_key_names[N_ROW_KEYS] = {"rows_train", "rows_val", "rows_test", "rows_val_hard",
                                                      "rows_test_hard"};
/* The row key of a vgae_split_set. */
static int row_key_of_set(int set)
{
    switch ((vgae_split_set)set) {
    case VGAE_SET_TRAIN: return ROWS_TRAIN;
    case VGAE_SET_VAL_POS:
    case VGAE_SET_VAL_NEG: return ROWS_VAL;
    case VGAE_SET_TEST_POS:
    case VGAE_SET_TEST_NEG: return ROWS_TEST;
    case VGAE_SET_VAL_HARD: return ROWS_VAL_HARD;
    default: return ROWS_TEST_HARD;
    }
}

/* A name a split file can hold in one field and read back. */
static int name_is_usable(const char *s)
{
    return s && *s && !strpbrk(s, "\t\r\n");
}

/* Indexes g's names. *bad_a / *bad_b receive the first two nodes sharing a
 * name, or *bad_a a node whose name is unusable (*bad_b = -1); both -1 if
 * the names can stand for the nodes. */
static vgae_status names_index(vgae_ctx *ctx, const vgae_graph *g, vgae_node_index *index,
                               int32_t *bad_a, int32_t *bad_b)
{
    *bad_a = *bad_b = -1;
    for (int32_t i = 0; i < g->n; i++)
        if (!name_is_usable(g->names[i])) {
            *bad_a = i;
            *index = (vgae_node_index){0};
            return VGAE_OK;
        }
    vgae_status st = vgae_node_index_init(ctx, index, g);
    *bad_a = index->dup_a;
    *bad_b = index->dup_b;
    return st;
}

/* ---- pairs seen so far -> the line they were on (grows as needed) ---- */

typedef struct {
    uint64_t *keys; /* 0 = empty, else ((u << 32) | v) + 1 with u < v */
    int64_t *lines;
    uint64_t mask, count;
} pair_lines;


static vgae_status pair_lines_init(vgae_ctx *ctx, pair_lines *s, uint64_t expect)
{
    uint64_t size = 64;
    while (size < 2 * expect)
        size *= 2;
    s->keys = vgae_calloc(ctx, size, sizeof *s->keys);
    s->lines = vgae_alloc(ctx, size, sizeof *s->lines);
    s->mask = size - 1;
    s->count = 0;
    return s->keys && s->lines ? VGAE_OK : VGAE_ENOMEM;
}

static void pair_lines_free(pair_lines *s)
{
    free(s->keys);
    free(s->lines);
}

/* The slot of key: where it is, or the empty slot where it would go. */
static uint64_t pair_lines_slot(const pair_lines *s, uint64_t key)
{
    uint64_t h = vgae_pair_mix(key) & s->mask;
    while (s->keys[h] != 0 && s->keys[h] != key)
        h = (h + 1) & s->mask;
    return h;
}

/* Adds key seen on line; if it was there already, returns the earlier line
 * in *earlier (else 0). */
static vgae_status pair_lines_add(vgae_ctx *ctx, pair_lines *s, uint64_t key, int64_t line,
                                  int64_t *earlier)
{
    *earlier = 0;
    uint64_t h = pair_lines_slot(s, key);
    if (s->keys[h] == key) {
        *earlier = s->lines[h];
        return VGAE_OK;
    }
    if (2 * (s->count + 1) > s->mask + 1) { /* keep the load at most one half */
        pair_lines bigger;
        if (pair_lines_init(ctx, &bigger, s->mask + 1)) {
            pair_lines_free(&bigger);
            return VGAE_ENOMEM;
        }
        for (uint64_t k = 0; k <= s->mask; k++)
            if (s->keys[k]) {
                uint64_t b = pair_lines_slot(&bigger, s->keys[k]);
                bigger.keys[b] = s->keys[k];
                bigger.lines[b] = s->lines[k];
            }
        bigger.count = s->count;
        pair_lines_free(s);
        *s = bigger;
        h = pair_lines_slot(s, key);
    }
    s->keys[h] = key;
    s->lines[h] = line;
    s->count++;
    return VGAE_OK;
}

/* ---- growable lists ---- */

/* Appends the size bytes of item to the array *items of *n (room for *cap). */
static vgae_status push(vgae_ctx *ctx, void **items, size_t *n, size_t *cap, const void *item,
                        size_t size)
{
    if (*n == *cap && vgae_grow(ctx, items, cap, *cap ? 2 * *cap : 256, size))
        return VGAE_ENOMEM;
    memcpy((char *)*items + *n * size, item, size);
    (*n)++;
    return VGAE_OK;
}

typedef struct {
    vgae_pair *p;
    size_t n, cap;
} pair_list;

static vgae_status pair_list_push(vgae_ctx *ctx, pair_list *l, vgae_pair p)
{
    return push(ctx, (void **)&l->p, &l->n, &l->cap, &p, sizeof p);
}

/* ---- writing ---- */

/* The rows of one set, each line also fed to the rows' CRC-32 (*crc). */
static vgae_status write_rows(vgae_ctx *ctx, FILE *f, const vgae_graph *g, int by_name, const char *set,
                              const vgae_pair *p, int64_t count, int label, uLong *crc)
{
    char *buf = NULL;
    size_t cap = 0;
    for (int64_t k = 0; k < count; k++) {
        char ui[16], vi[16];
        const char *u = by_name ? g->names[p[k].u] : ui, *v = by_name ? g->names[p[k].v] : vi;
        if (!by_name) {
            snprintf(ui, sizeof ui, "%" PRId32, p[k].u);
            snprintf(vi, sizeof vi, "%" PRId32, p[k].v);
        }
        const size_t need = strlen(set) + strlen(u) + strlen(v) + 8;
        if (need > cap) {
            free(buf);
            cap = need * 2 > 256 ? need * 2 : 256;
            if (!(buf = vgae_alloc(ctx, cap, 1)))
                return VGAE_ENOMEM;
        }
        const int len = snprintf(buf, cap, "%s\t%s\t%s\t%d\n", set, u, v, label);
        *crc = crc32(*crc, (const Bytef *)buf, (uInt)len);
        fwrite(buf, 1, (size_t)len, f);
    }
    free(buf);
    return VGAE_OK;
}

/* Whether g's names can stand for its nodes in a split file. */
static vgae_status names_usable(vgae_ctx *ctx, const vgae_graph *g, int *usable)
{
    *usable = 0;
    if (!g->names)
        return VGAE_OK;
    vgae_node_index index;
    int32_t a, b;
    vgae_status st = names_index(ctx, g, &index, &a, &b);
    vgae_node_index_destroy(&index);
    *usable = !st && a < 0;
    return st;
}

vgae_status vgae_split_write(vgae_ctx *ctx, const char *path, const vgae_split *split,
                             const vgae_graph *g, uint64_t seed)
{
    if (split->n != g->n)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                            "the split has %" PRId32 " nodes but the graph %" PRId32, split->n,
                            g->n);
    int by_name;
    vgae_status st = names_usable(ctx, g, &by_name);
    if (st)
        return st;
    vgae_outfile *out;
    st = vgae_outfile_open(ctx, path, &out);
    if (st)
        return st;
    FILE *f = vgae_outfile_stream(out);
    const int hard = split->n_hard > 0;
    fprintf(f, "# vgae split %d\n", FORMAT_VERSION);
    fprintf(f, "# graph_checksum 0x%08" PRIx32 "\n", vgae_graph_checksum(g));
    fprintf(f, "# nodes %" PRId32 "\n", g->n);
    fprintf(f, "# edges %" PRId64 "\n", g->n_edges);
    char num[32];
    fprintf(f, "# val_frac %s\n", vgae_format_double(num, split->val_frac));
    fprintf(f, "# test_frac %s\n", vgae_format_double(num, split->test_frac));
    fprintf(f, "# seed %" PRIu64 "\n", seed);
    fprintf(f, "# node_ids %s\n", by_name ? "name" : "index");
    if (hard)
        fprintf(f, "# hard_negatives %" PRId64 "\n", split->n_hard);
    /* the rows of each set, so that a reader knows a file cut short */
    const int last = hard ? VGAE_SET_TEST_HARD : VGAE_SET_TEST_NEG;
    int64_t rows[N_ROW_KEYS] = {0};
    for (int k = VGAE_SET_TRAIN; k <= last; k++) {
        int64_t count;
        vgae_split_pairs(split, (vgae_split_set)k, &count);
        rows[row_key_of_set(k)] += count;
    }
    for (int r = 0; r < (hard ? N_ROW_KEYS : N_ROW_KEYS - 2); r++)
        fprintf(f, "# %s %" PRId64 "\n", row_key_names[r], rows[r]);
    fputs(COLUMNS "\n", f);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (int k = VGAE_SET_TRAIN; !st && k <= last; k++) {
        int64_t count;
        const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)k, &count);
        st = write_rows(ctx, f, g, by_name, vgae_split_set_name((vgae_split_set)k), p, count,
                        vgae_split_set_positive((vgae_split_set)k), &crc);
    }
    if (st) {
        vgae_outfile_abort(out);
        return st;
    }
    /* the end, with the rows' CRC-32: a file without it was cut short */
    fprintf(f, "# end 0x%08lx\n", (unsigned long)crc);
    return vgae_outfile_commit(ctx, out); /* reports any write error, removes the temporary */
}

/* ---- reading ---- */

enum { KEY_CHECKSUM, KEY_NODES, KEY_EDGES, KEY_VAL_FRAC, KEY_TEST_FRAC, KEY_SEED, KEY_NODE_IDS,
       KEY_HARD, KEY_ROWS, N_KEYS = KEY_ROWS + N_ROW_KEYS };
static const char *const key_names[N_KEYS] = {"graph_checksum", "nodes",     "edges",
                                              "val_frac",       "test_frac", "seed",
                                              "node_ids",       "hard_negatives", "rows_train",
                                              "rows_val",       "rows_test", "rows_val_hard",
                                              "rows_test_hard"};
/* node_ids may be left out (then: names if the graph has them);
 * hard_negatives is required in version 2 and refused in version 1; the
 * row counts are required from version 3 (those of the hard negatives
 * with them) */
static const int key_required[N_KEYS] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};

typedef struct {
    int64_t line[N_KEYS]; /* where each key was given, 0 if not */
    uint32_t checksum;
    int64_t nodes, edges;
    double val_frac, test_frac;
    uint64_t seed;
    int by_name;
    int64_t version, hard;
    int64_t rows[N_ROW_KEYS]; /* version 3: the rows of each set */
} header;

/* A non-negative decimal integer below 2^63 filling all of s. */
static int parse_count(const char *s, int64_t *out)
{
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*end || errno)
        return 0;
    *out = x;
    return 1;
}

/* Parses the value of header key k on line lineno. */
static vgae_status parse_value(vgae_ctx *ctx, const char *path, int64_t lineno, int k,
                               const char *value, header *h)
{
    char *end;
    int ok = 0;
    switch (k) {
    case KEY_CHECKSUM:
        if ((value[0] == '0') && (value[1] == 'x' || value[1] == 'X') && value[2] &&
            strspn(value + 2, "0123456789abcdefABCDEF") == strlen(value + 2) &&
            strlen(value + 2) <= 8) {
            h->checksum = (uint32_t)strtoul(value + 2, NULL, 16);
            ok = 1;
        }
        break;
    case KEY_NODES:
        ok = parse_count(value, &h->nodes);
        break;
    case KEY_EDGES:
        ok = parse_count(value, &h->edges);
        break;
    case KEY_VAL_FRAC:
    case KEY_TEST_FRAC: {
        double x = strtod(value, &end);
        ok = end != value && !*end && x >= 0 && x < 1;
        if (k == KEY_VAL_FRAC)
            h->val_frac = x;
        else
            h->test_frac = x;
        break;
    }
    case KEY_SEED:
        if (*value >= '0' && *value <= '9') {
            errno = 0;
            unsigned long long x = strtoull(value, &end, 10);
            ok = !*end && !errno;
            h->seed = (uint64_t)x;
        }
        break;
    case KEY_NODE_IDS:
        ok = strcmp(value, "name") == 0 || strcmp(value, "index") == 0;
        h->by_name = value[0] == 'n';
        break;
    case KEY_HARD:
        ok = parse_count(value, &h->hard) && h->hard >= 1 && h->hard <= 100000;
        break;
    default: /* a row count */
        ok = parse_count(value, &h->rows[k - KEY_ROWS]);
        break;
    }
    if (ok)
        return VGAE_OK;
    static const char *const expected[N_KEYS] = {
        "a 32-bit hexadecimal number such as 0x1a2b3c4d", "a node count", "an edge count",
        "a fraction in [0, 1)", "a fraction in [0, 1)", "a non-negative integer",
        "'name' or 'index'", "a count of 1 to 100000", "a row count", "a row count", "a row count",
        "a row count", "a row count"};
    return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno, "header '%s' expects %s, found '%.60s'",
                        key_names[k], expected[k], value);
}

/* Reads the version line, the "# key value" lines and the column header. */
static vgae_status read_header(vgae_ctx *ctx, vgae_lines *in, const char *path, const vgae_graph *g,
                               header *h)
{
    char *line;
    size_t len;
    int r = vgae_lines_next(ctx, in, &line, &len);
    if (r < 0)
        return vgae_ctx_status(ctx);
    if (r == 0)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "empty file");
    const char *magic = "# vgae split ";
    int64_t version = 0;
    if (strncmp(line, magic, strlen(magic)) != 0 || !parse_count(line + strlen(magic), &version) ||
        version < 1)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1,
                            "not a vgae split file (the first line must be '# vgae split N', N "
                            "a format version 1 to %d)", FORMAT_VERSION);
    if (version > FORMAT_VERSION)
        return vgae_fail_at(ctx, VGAE_EUNSUPPORTED, path, 1,
                            "newer format version %lld; this vgae reads version %d",
                            (long long)version, FORMAT_VERSION);
    *h = (header){.by_name = g->names != NULL, .version = version};
    for (;;) {
        r = vgae_lines_next(ctx, in, &line, &len);
        if (r < 0)
            return vgae_ctx_status(ctx);
        if (r == 0)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, in->lineno,
                                "file ends in the header, before the column header line '%s'",
                                "set<TAB>u<TAB>v<TAB>label");
        if (line[0] != '#')
            break;
        /* "# key value": keys this reader does not know are ignored */
        char *p = line + 1;
        p += strspn(p, " \t");
        size_t key_len = strcspn(p, " \t");
        int k = 0;
        while (k < N_KEYS &&
               !(strlen(key_names[k]) == key_len && strncmp(p, key_names[k], key_len) == 0))
            k++;
        if (k == N_KEYS)
            continue;
        if (h->line[k])
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, in->lineno,
                                "header '%s' given twice (first on line %lld)", key_names[k],
                                (long long)h->line[k]);
        char *value = p + key_len;
        value += strspn(value, " \t");
        size_t value_len = strcspn(value, " \t");
        if (value_len == 0 || value[value_len + strspn(value + value_len, " \t")] != '\0')
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, in->lineno,
                                "garbled header line '%.80s' (expected '# %s VALUE')", line,
                                key_names[k]);
        value[value_len] = '\0'; /* drop trailing blanks; the buffer is ours */
        vgae_status st = parse_value(ctx, path, in->lineno, k, value, h);
        if (st)
            return st;
        h->line[k] = in->lineno;
    }
    for (int k = 0; k < N_KEYS; k++)
        if (key_required[k] && !h->line[k])
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, in->lineno,
                                "the header lacks '# %s' (it must come before the column header "
                                "line)", key_names[k]);
    if (h->version <= 2 && (h->version == 2) != (h->line[KEY_HARD] != 0))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, h->version == 2 ? in->lineno : h->line[KEY_HARD],
                            h->version == 2 ? "the header lacks '# hard_negatives' (version 2 "
                                              "splits have them)"
                                            : "'# hard_negatives' in a version 1 split (hard "
                                              "negatives came with version 2)");
    for (int rk = 0; h->version >= 3 && rk < N_ROW_KEYS; rk++) {
        const int needed = rk < ROWS_VAL_HARD || h->line[KEY_HARD];
        if (needed != (h->line[KEY_ROWS + rk] != 0))
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, needed ? in->lineno : h->line[KEY_ROWS + rk],
                                needed ? "the header lacks '# %s' (version 3 splits count their rows)"
                                       : "'# %s' without '# hard_negatives'",
                                key_names[KEY_ROWS + rk]);
    }
    if (!(h->val_frac + h->test_frac < 1))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, h->line[KEY_TEST_FRAC],
                            "val_frac %g and test_frac %g add up to 1 or more", h->val_frac,
                            h->test_frac);
    if (strcmp(line, COLUMNS) != 0)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, in->lineno,
                            "missing column header line: expected 'set<TAB>u<TAB>v<TAB>label' "
                            "after the '#' lines, found '%.60s'", line);
    return VGAE_OK;
}

/* Checks the header against g (skipped by force). */
static vgae_status check_header(vgae_ctx *ctx, const char *path, const vgae_graph *g,
                                const header *h)
{
    if (h->nodes != g->n)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, h->line[KEY_NODES],
                            "the split is for a graph of %lld nodes, this graph has %" PRId32,
                            (long long)h->nodes, g->n);
    if (h->edges != g->n_edges)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, h->line[KEY_EDGES],
                            "the split is for a graph of %lld edges, this graph has %lld",
                            (long long)h->edges, (long long)g->n_edges);
    uint32_t mine = vgae_graph_checksum(g);
    if (h->checksum != mine)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                            "made for another graph (checksum 0x%08" PRIx32
                            ", this graph 0x%08" PRIx32
                            "); read it with the graph it was made from, or force the read",
                            h->checksum, mine);
    return VGAE_OK;
}

/* Parses a node field: a name of g or an index 0..n-1. */
static vgae_status parse_node(vgae_ctx *ctx, const char *path, int64_t lineno, const vgae_graph *g,
                              const vgae_node_index *names, const char *field, const char *which,
                              int32_t *out)
{
    if (names) {
        *out = vgae_node_index_find(names, field);
        if (*out < 0)
            return vgae_fail_at(ctx, VGAE_EINVAL, path, lineno,
                                "node '%.60s' (%s) is not in the graph", field, which);
        return VGAE_OK;
    }
    const char *digits = field + (field[0] == '-');
    if (!*digits || strspn(digits, "0123456789") != strlen(digits))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno,
                            "node id '%.60s' (%s) is not an integer", field, which);
    errno = 0;
    long long x = strtoll(field, NULL, 10);
    if (errno || x < 0 || x >= g->n)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, lineno,
                            "node id %.60s (%s) is not in the graph (ids 0..%" PRId32 ")", field,
                            which, g->n - 1);
    *out = (int32_t)x;
    return VGAE_OK;
}

/* The lists of rows read, in the order of vgae_split_set. */
enum { TRAIN = VGAE_SET_TRAIN, VAL_POS = VGAE_SET_VAL_POS, VAL_NEG = VGAE_SET_VAL_NEG,
       TEST_POS = VGAE_SET_TEST_POS, TEST_NEG = VGAE_SET_TEST_NEG, VAL_HARD = VGAE_SET_VAL_HARD,
       TEST_HARD = VGAE_SET_TEST_HARD, N_LISTS };

/* The line of each hard-negative row, for messages about repeats. */
typedef struct {
    int64_t *line;
    size_t n, cap;
} line_list;

static vgae_status line_list_push(vgae_ctx *ctx, line_list *l, int64_t line)
{
    return push(ctx, (void **)&l->line, &l->n, &l->cap, &line, sizeof line);
}

/* Reads the rows after the column header into the lists (the hard
 * negatives' lines into hard_lines[0] and [1]); hard: whether the file may
 * hold hard negatives. */
typedef struct {
    int64_t line;      /* of the '# end' line (version 3), 0 if none was read */
    uint32_t crc;      /* the CRC-32 it gives */
    uint32_t computed; /* of the rows read (each line with its line break) */
} rows_end;

static vgae_status read_rows(vgae_ctx *ctx, vgae_lines *in, const char *path, const vgae_graph *g,
                             const vgae_node_index *names, int hard, int64_t version,
                             pair_list lists[N_LISTS], line_list hard_lines[2], int64_t *last_line,
                             rows_end *end)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    *end = (rows_end){0};
    pair_lines seen = {0};
    vgae_status st = pair_lines_init(ctx, &seen, (uint64_t)g->n_edges + 64);
    char *line;
    size_t len;
    int r;
    while (!st && (r = vgae_lines_next(ctx, in, &line, &len)) != 0) {
        if (r < 0) {
            st = vgae_ctx_status(ctx);
            break;
        }
        const int64_t ln = in->lineno;
        if (len == 0)
            continue; /* a blank line, say at the end */
        if (end->line) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "a line after the '# end' line (line %lld)",
                              (long long)end->line);
            break;
        }
        if (version >= 3 && strncmp(line, "# end ", 6) == 0) {
            const char *hex = line + 6;
            if (!(hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X') && strlen(hex + 2) >= 1 &&
                  strlen(hex + 2) <= 8 && strspn(hex + 2, "0123456789abcdefABCDEF") == strlen(hex + 2))) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "garbled end line '%.60s' (expected "
                                  "'# end 0x' and the rows' CRC-32)", line);
                break;
            }
            end->line = ln;
            end->crc = (uint32_t)strtoul(hex + 2, NULL, 16);
            continue;
        }
        crc = crc32(crc, (const Bytef *)line, (uInt)len);
        crc = crc32(crc, (const Bytef *)"\n", 1);
        char *field[4];
        int nf = 0;
        for (char *p = line;; p++) {
            char *tab = strchr(p, '\t');
            if (nf < 4)
                field[nf] = p;
            nf++;
            if (!tab)
                break;
            *tab = '\0';
            p = tab;
        }
        if (nf != 4) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln,
                              "expected 4 tab-separated fields (set, u, v, label), found %d", nf);
            break;
        }
        int set;
        if (strcmp(field[0], "train") == 0)
            set = TRAIN;
        else if (strcmp(field[0], "val") == 0)
            set = VAL_POS;
        else if (strcmp(field[0], "test") == 0)
            set = TEST_POS;
        else if (hard && strcmp(field[0], "val_hard") == 0)
            set = VAL_HARD;
        else if (hard && strcmp(field[0], "test_hard") == 0)
            set = TEST_HARD;
        else {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "unknown set '%.60s' (expected train, "
                              "val or test%s)", field[0], hard ? ", val_hard or test_hard" : "");
            break;
        }
        if (strcmp(field[3], "0") != 0 && strcmp(field[3], "1") != 0) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "label must be 0 or 1, found '%.60s'",
                              field[3]);
            break;
        }
        const int positive = field[3][0] == '1';
        if (set == TRAIN && !positive) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln,
                              "a train pair must have label 1 "
                              "(a split holds no training negatives)");
            break;
        }
        if (set >= VAL_HARD && positive) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "a %s pair must have label 0 (hard "
                              "negatives are non-edges)", field[0]);
            break;
        }
        if (!positive && set < VAL_HARD)
            set++; /* VAL_NEG, TEST_NEG */
        int32_t a, b;
        if ((st = parse_node(ctx, path, ln, g, names, field[1], "u", &a)) ||
            (st = parse_node(ctx, path, ln, g, names, field[2], "v", &b)))
            break;
        if (a == b) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln, "self-pair (%.60s, %.60s)", field[1],
                              field[2]);
            break;
        }
        const char *why = vgae_split_pair_problem(g, a, b, positive);
        if (why) {
            st = vgae_fail_at(ctx, VGAE_EINVAL, path, ln, "%s pair (%.60s, %.60s) has label %s but %s",
                              field[0], field[1], field[2], field[3], why);
            break;
        }
        vgae_pair p = {a < b ? a : b, a < b ? b : a};
        if (set >= VAL_HARD) { /* may repeat a shared negative, or another positive's */
            if (!(st = line_list_push(ctx, &hard_lines[set - VAL_HARD], ln)))
                st = pair_list_push(ctx, &lists[set], p);
            continue;
        }
        int64_t earlier;
        if ((st = pair_lines_add(ctx, &seen, vgae_pair_key(p.u, p.v), ln, &earlier)))
            break;
        if (earlier) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, ln,
                              "pair (%.60s, %.60s) already appears on line %lld (a pair, in either "
                              "orientation, may be in the split once)",
                              field[1], field[2], (long long)earlier);
            break;
        }
        st = pair_list_push(ctx, &lists[set], p);
    }
    *last_line = in->lineno;
    end->computed = (uint32_t)crc;
    pair_lines_free(&seen);
    return st;
}

/* No positive's hard negatives may repeat a pair: each group of k rows is
 * sorted (with its lines) and neighbours compared. */
typedef struct {
    uint64_t key;
    int64_t line;
} keyed_line;

static int by_key_line(const void *pa, const void *pb)
{
    const keyed_line *a = pa, *b = pb;
    if (a->key != b->key)
        return (a->key > b->key) - (a->key < b->key);
    return (a->line > b->line) - (a->line < b->line);
}

static vgae_status check_repeats(vgae_ctx *ctx, const char *path, const pair_list *pairs,
                                 const line_list *lines, size_t k)
{
    keyed_line *group = vgae_alloc(ctx, k, sizeof *group);
    if (!group)
        return VGAE_ENOMEM;
    for (size_t first = 0; first < pairs->n; first += k) {
        for (size_t i = 0; i < k; i++)
            group[i] = (keyed_line){vgae_pair_key(pairs->p[first + i].u, pairs->p[first + i].v),
                                    lines->line[first + i]};
        qsort(group, k, sizeof *group, by_key_line);
        for (size_t i = 1; i < k; i++)
            if (group[i].key == group[i - 1].key) {
                const int64_t line = group[i].line, earlier = group[i - 1].line;
                free(group);
                return vgae_fail_at(ctx, VGAE_EFORMAT, path, line, "this hard negative repeats "
                                    "line %lld's: a positive's hard negatives must differ",
                                    (long long)earlier);
            }
    }
    free(group);
    return VGAE_OK;
}

vgae_status vgae_split_read(vgae_ctx *ctx, const char *path, const vgae_graph *g, int force,
                            vgae_split **out, uint64_t *seed)
{
    *out = NULL;
    vgae_lines in;
    vgae_status st = vgae_lines_open(ctx, &in, path);
    if (st)
        return st;
    header h = {0};
    vgae_node_index names = {0};
    pair_list lists[N_LISTS] = {{0}};
    line_list hard_lines[2] = {{0}};
    vgae_split *s = NULL;
    int64_t last_line = 0;
    st = read_header(ctx, &in, path, g, &h);
    if (!st && !force)
        st = check_header(ctx, path, g, &h);
    if (!st && h.by_name) {
        if (!g->names) {
            st = vgae_fail_at(ctx, VGAE_EINVAL, path, h.line[KEY_NODE_IDS],
                              "the split gives node names but the graph has none");
            goto done;
        }
        int32_t a, b;
        st = names_index(ctx, g, &names, &a, &b);
        if (!st && a >= 0) {
            if (b >= 0)
                st = vgae_fail_at(ctx, VGAE_EINVAL, path, h.line[KEY_NODE_IDS],
                                  "the graph's node name '%.60s' is shared by nodes %" PRId32
                                  " and %" PRId32 ", so a split cannot name them (write one with "
                                  "'# node_ids index')", g->names[a], a, b);
            else
                st = vgae_fail_at(ctx, VGAE_EINVAL, path, h.line[KEY_NODE_IDS],
                                  "the graph's node %" PRId32 " has an empty name or one with a "
                                  "tab or line break, so a split cannot name it (write one with "
                                  "'# node_ids index')", a);
        }
    }
    rows_end end;
    if (!st)
        st = read_rows(ctx, &in, path, g, h.by_name ? &names : NULL, h.hard > 0, h.version, lists, hard_lines,
                       &last_line, &end);
    if (st)
        goto done;
    if (h.version >= 3) { /* cut short, counted, intact */
        const int64_t found[N_ROW_KEYS] = {
            (int64_t)lists[TRAIN].n, (int64_t)(lists[VAL_POS].n + lists[VAL_NEG].n),
            (int64_t)(lists[TEST_POS].n + lists[TEST_NEG].n), (int64_t)lists[VAL_HARD].n,
            (int64_t)lists[TEST_HARD].n};
        if (!end.line) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, last_line, "the file ends without its '# end' "
                              "line: it was cut short");
            goto done;
        }
        for (int r = 0; r < N_ROW_KEYS; r++)
            if (found[r] != h.rows[r]) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, h.line[KEY_ROWS + r], "the header gives %lld "
                                  "%s rows, the file has %lld", (long long)h.rows[r],
                                  key_names[KEY_ROWS + r] + 5, (long long)found[r]);
                goto done;
            }
        if (end.crc != end.computed) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, end.line, "the rows' CRC-32 is 0x%08" PRIx32
                              ", the end line says 0x%08" PRIx32 ": the rows were changed or damaged",
                              end.computed, end.crc);
            goto done;
        }
    }
    if (lists[VAL_POS].n != lists[VAL_NEG].n || lists[TEST_POS].n != lists[TEST_NEG].n) {
        const char *set = lists[VAL_POS].n != lists[VAL_NEG].n ? "val" : "test";
        size_t pos = set[0] == 'v' ? lists[VAL_POS].n : lists[TEST_POS].n;
        size_t neg = set[0] == 'v' ? lists[VAL_NEG].n : lists[TEST_NEG].n;
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, last_line,
                          "%s has %zu positive and %zu negative pairs; they must be equal", set,
                          pos, neg);
        goto done;
    }
    if (lists[TRAIN].n == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, last_line, "the split has no train pairs");
        goto done;
    }
    for (int k = 0; k < 2 && h.hard; k++) {
        const size_t want = lists[k ? TEST_POS : VAL_POS].n * (size_t)h.hard;
        if (lists[VAL_HARD + k].n != want) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, last_line, "%s has %zu rows; %zu positives "
                              "with %lld hard negatives each need %zu", k ? "test_hard" : "val_hard",
                              lists[VAL_HARD + k].n, lists[k ? TEST_POS : VAL_POS].n,
                              (long long)h.hard, want);
            goto done;
        }
        if ((st = check_repeats(ctx, path, &lists[VAL_HARD + k], &hard_lines[k], (size_t)h.hard)))
            goto done;
    }
    const size_t n_val = lists[VAL_POS].n, n_test = lists[TEST_POS].n;
    st = vgae_split_alloc(ctx, g->n, (int64_t)lists[TRAIN].n, (int64_t)n_val, (int64_t)n_test, &s);
    if (!st && h.hard)
        st = vgae_split_alloc_hard(ctx, s, h.hard);
    if (st)
        goto done;
    s->n_edges = g->n_edges;
    s->val_frac = h.val_frac;
    s->test_frac = h.test_frac;
    for (int k = TRAIN; k < N_LISTS; k++) {
        int64_t count;
        vgae_pair *to = (vgae_pair *)vgae_split_pairs(s, (vgae_split_set)k, &count);
        if (count)
            memcpy(to, lists[k].p, (size_t)count * sizeof *to);
    }
    if (seed)
        *seed = h.seed;
    *out = s;
    s = NULL;
done:
    vgae_lines_close(&in);
    vgae_node_index_destroy(&names);
    for (int k = 0; k < N_LISTS; k++)
        free(lists[k].p);
    free(hard_lines[0].line);
    free(hard_lines[1].line);
    vgae_split_free(s);
    return st;
}
