/* Unit tests of split files: round trips (plain, named, gzip), every refusal of a bad file, the split checksum. */
#include <dirent.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "planted.h"

static char tmpdir[] = "/tmp/vgae-split-io-XXXXXX";

static int make_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char path[1200];
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
                unlink(path);
            }
        closedir(d);
    }
    return rmdir(tmpdir);
}

/* Path of a file in the test folder. */
static const char *tmp_path(const char *name)
{
    static char buf[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* Writes text to the test folder; returns its path. */
static const char *write_text(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return path;
}

/* The 6-cycle 0-1-2-3-4-5-0, for the hand-written files. */
static vgae_graph *cycle6(vgae_ctx *ctx)
{
    static const int32_t pairs[] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0};
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 6, 6, pairs, 0, &g), VGAE_OK);
    return g;
}

static void assert_same_pairs(const vgae_pair *a, const vgae_pair *b, int64_t n)
{
    if (n > 0)
        assert_memory_equal(a, b, sizeof *a * (size_t)n);
}

static void assert_same_split(const vgae_split *a, const vgae_split *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n_edges, b->n_edges);
    assert_true(a->val_frac == b->val_frac);
    assert_true(a->test_frac == b->test_frac);
    assert_int_equal(a->n_train, b->n_train);
    assert_int_equal(a->n_val, b->n_val);
    assert_int_equal(a->n_test, b->n_test);
    assert_same_pairs(a->train, b->train, a->n_train);
    assert_same_pairs(a->val_pos, b->val_pos, a->n_val);
    assert_same_pairs(a->val_neg, b->val_neg, a->n_val);
    assert_same_pairs(a->test_pos, b->test_pos, a->n_test);
    assert_same_pairs(a->test_neg, b->test_neg, a->n_test);
    assert_int_equal(vgae_split_checksum(a), vgae_split_checksum(b));
}

/* Makes a split of g, writes it as name, reads it back and compares. */
static void round_trip(vgae_ctx *ctx, const vgae_graph *g, const char *name, double vf, double tf,
                       uint64_t seed)
{
    vgae_split *a = NULL, *b = NULL;
    vgae_ctx_set_seed(ctx, seed);
    assert_int_equal(vgae_split_make(ctx, g, vf, tf, &a), VGAE_OK);
    const char *path = tmp_path(name);
    assert_int_equal(vgae_split_write(ctx, path, a, g, seed), VGAE_OK);
    uint64_t seed_read = 0;
    if (vgae_split_read(ctx, path, g, 0, &b, &seed_read) != VGAE_OK)
        fail_msg("%s", vgae_ctx_message(ctx));
    assert_int_equal(seed_read, seed);
    assert_same_split(a, b);
    vgae_split_free(b);
    /* seed may be NULL */
    assert_int_equal(vgae_split_read(ctx, path, g, 0, &b, NULL), VGAE_OK);
    vgae_split_free(b);
    vgae_split_free(a);
}

static void round_trip_indices(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    round_trip(ctx, g, "planted.tsv", 0.05, 0.1, 42);
    round_trip(ctx, g, "planted-big.tsv", 0.3, 0.45, UINT64_MAX);
    round_trip(ctx, g, "planted-noval.tsv", 0.0, 0.2, 0);
    /* the file itself: header and row order */
    vgae_split *s = NULL;
    vgae_ctx_set_seed(ctx, 7);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    const char *path = tmp_path("look.tsv");
    assert_int_equal(vgae_split_write(ctx, path, s, g, 7), VGAE_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256], expect[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# vgae split 3\n");
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(expect, sizeof expect, "# graph_checksum 0x%08x\n", (unsigned)vgae_graph_checksum(g));
    assert_string_equal(line, expect);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# nodes 160\n");
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(expect, sizeof expect, "# edges %lld\n", (long long)g->n_edges);
    assert_string_equal(line, expect);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# val_frac 0.05\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# test_frac 0.1\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# seed 7\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# node_ids index\n");
    /* the rows of each set (val and test: positives and negatives) */
    const long long counts[3] = {(long long)s->n_train, 2LL * s->n_val, 2LL * s->n_test};
    const char *const keys[3] = {"rows_train", "rows_val", "rows_test"};
    for (int k = 0; k < 3; k++) {
        assert_non_null(fgets(line, sizeof line, f));
        snprintf(expect, sizeof expect, "# %s %lld\n", keys[k], counts[k]);
        assert_string_equal(line, expect);
    }
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "set\tu\tv\tlabel\n");
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(expect, sizeof expect, "train\t%d\t%d\t1\n", s->train[0].u, s->train[0].v);
    assert_string_equal(line, expect);
    int64_t rows = 1;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)line, (uInt)strlen(line));
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# end ", 6) == 0) { /* the last line: the rows' CRC-32 */
            snprintf(expect, sizeof expect, "# end 0x%08lx\n", (unsigned long)crc);
            assert_string_equal(line, expect);
            assert_null(fgets(line, sizeof line, f));
            break;
        }
        crc = crc32(crc, (const Bytef *)line, (uInt)strlen(line));
        rows++;
        if (rows == s->n_train + 1) {
            snprintf(expect, sizeof expect, "val\t%d\t%d\t1\n", s->val_pos[0].u, s->val_pos[0].v);
            assert_string_equal(line, expect);
        }
        if (rows == s->n_train + s->n_val + 1) {
            snprintf(expect, sizeof expect, "val\t%d\t%d\t0\n", s->val_neg[0].u, s->val_neg[0].v);
            assert_string_equal(line, expect);
        }
        if (rows == s->n_train + 2 * s->n_val + s->n_test + 1) {
            snprintf(expect, sizeof expect, "test\t%d\t%d\t0\n", s->test_neg[0].u, s->test_neg[0].v);
            assert_string_equal(line, expect);
        }
    }
    assert_int_equal(rows, s->n_train + 2 * s->n_val + 2 * s->n_test);
    fclose(f);
    vgae_split_free(s);
    vgae_graph_free(g);
}

static void round_trip_names(void **state)
{
    vgae_ctx *ctx = *state;
    /* the small NCOL file: alice, bob, carol, dave; 4 edges */
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("names.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_non_null(g->names);
    round_trip(ctx, g, "names.tsv", 0.25, 0.25, 3);
    FILE *f = fopen(tmp_path("names.tsv"), "r");
    char line[256];
    int named_rows = 0;
    while (fgets(line, sizeof line, f))
        named_rows += strstr(line, "alice") != NULL;
    fclose(f);
    assert_true(named_rows > 0); /* nodes go by name */
    vgae_graph_free(g);

    /* the planted graph, written as NCOL with names n<i>, read back named */
    vgae_graph *p = planted_graph(ctx);
    f = fopen(tmp_path("planted.ncol"), "w");
    assert_non_null(f);
    for (int32_t u = 0; u < p->n; u++)
        for (int64_t k = p->rowptr[u]; k < p->rowptr[u + 1]; k++)
            if (p->adj[k] > u)
                fprintf(f, "n%d n%d\n", u, p->adj[k]);
    fclose(f);
    assert_int_equal(vgae_graph_read(ctx, tmp_path("planted.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_non_null(g->names);
    round_trip(ctx, g, "planted-named.tsv", 0.05, 0.1, 11);
    vgae_graph_free(g);
    vgae_graph_free(p);
}

static void round_trip_cora(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = shared_graph(ctx, "cora");
    assert_non_null(g); /* bundled in datasets/ */
    round_trip(ctx, g, "cora.tsv", 0.05, 0.1, 42);
    vgae_graph_free(g);
}

static void duplicate_names_fall_back_to_indices(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    g->names = calloc((size_t)g->n, sizeof *g->names);
    for (int32_t i = 0; i < g->n; i++) {
        g->names[i] = malloc(16);
        snprintf(g->names[i], 16, "b%d", i / 10); /* the block: shared by 10 nodes */
    }
    round_trip(ctx, g, "dup-names.tsv", 0.05, 0.1, 5);
    FILE *f = fopen(tmp_path("dup-names.tsv"), "r");
    char line[256];
    int found = 0;
    while (fgets(line, sizeof line, f))
        found |= strcmp(line, "# node_ids index\n") == 0;
    fclose(f);
    assert_true(found);
    /* vgae_node_index finds names and numbers, and records the first repeat */
    vgae_node_index index;
    assert_int_equal(vgae_node_index_init(ctx, &index, g), VGAE_OK);
    assert_int_equal(index.dup_a, 0);
    assert_int_equal(index.dup_b, 1);
    assert_int_equal(vgae_node_index_find(&index, "b3"), 30); /* the first node of the name */
    assert_int_equal(vgae_node_index_find(&index, "b99"), -1);
    vgae_node_index_destroy(&index);
    /* a split that names nodes cannot be read against repeated names */
    vgae_split *s = NULL;
    const char *named = write_text("named.tsv", "# vgae split 1\n# graph_checksum 0x0\n# nodes 160\n"
                                                "# edges 1\n# val_frac 0\n# test_frac 0\n# seed 1\n"
                                                "# node_ids name\nset\tu\tv\tlabel\n"
                                                "train\tb0\tb1\t1\n");
    assert_error_contains(ctx, vgae_split_read(ctx, named, g, 1, &s, NULL),
                          "node name 'b0' is shared by nodes 0 and 1");
    assert_null(s);
    vgae_graph_free(g);
    /* without names, the numbers 0..n-1 */
    static const int32_t pairs[] = {0, 1, 1, 2};
    assert_int_equal(vgae_graph_from_pairs(ctx, 3, 2, pairs, 0, &g), VGAE_OK);
    assert_int_equal(vgae_node_index_init(ctx, &index, g), VGAE_OK);
    assert_int_equal(vgae_node_index_find(&index, "2"), 2);
    assert_int_equal(vgae_node_index_find(&index, "3"), -1);
    assert_int_equal(vgae_node_index_find(&index, "-1"), -1);
    assert_int_equal(vgae_node_index_find(&index, "x"), -1);
    assert_int_equal(index.dup_a, -1);
    vgae_node_index_destroy(&index);
    vgae_graph_free(g);
}

static void gzip_input(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *a = NULL, *b = NULL;
    vgae_ctx_set_seed(ctx, 9);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &a), VGAE_OK);
    assert_int_equal(vgae_split_write(ctx, tmp_path("plain.tsv"), a, g, 9), VGAE_OK);
    FILE *in = fopen(tmp_path("plain.tsv"), "rb");
    gzFile out = gzopen(tmp_path("split.tsv.gz"), "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(gzwrite(out, buf, (unsigned)got), (int)got);
    fclose(in);
    assert_int_equal(gzclose(out), Z_OK);
    uint64_t seed = 0;
    assert_int_equal(vgae_split_read(ctx, tmp_path("split.tsv.gz"), g, 0, &b, &seed), VGAE_OK);
    assert_int_equal(seed, 9);
    assert_same_split(a, b);
    vgae_split_free(a);
    vgae_split_free(b);
    vgae_graph_free(g);
}

static void write_errors(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx), *c = cycle6(ctx);
    vgae_split *s = NULL;
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    assert_error_contains(ctx, vgae_split_write(ctx, "/nonexistent-vgae-dir/s.tsv", s, g, 1),
                          "/nonexistent-vgae-dir/s.tsv: cannot write");
    assert_error_contains(ctx, vgae_split_write(ctx, tmp_path("other.tsv"), s, c, 1),
                          "other.tsv: the split has 160 nodes but the graph 6");
    vgae_split_free(s);
    vgae_graph_free(c);
    vgae_graph_free(g);
}

/* ---- hand-written files on the 6-cycle ---- */

/* Header lines 1-7 and the column header on line 8; rows from line 9. */
static char *cycle_file(const vgae_graph *g, const char *rows)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\nset\tu\tv\tlabel\n%s",
             (unsigned)vgae_graph_checksum(g), rows);
    return buf;
}

/* A valid body: the cycle's edges 0-1 .. 3-4 train, 4-5 val, 5-0 test. */
#define GOOD_ROWS                                                                          \
    "train\t0\t1\t1\ntrain\t1\t2\t1\ntrain\t2\t3\t1\ntrain\t3\t4\t1\n"                     \
    "val\t4\t5\t1\nval\t0\t2\t0\ntest\t5\t0\t1\ntest\t1\t3\t0\n"

/* Reads name (written with text) against g and expects status and needle. */
static void expect_refusal(vgae_ctx *ctx, const vgae_graph *g, const char *name, const char *text,
                           vgae_status status, const char *needle)
{
    vgae_split *s = (vgae_split *)1;
    const char *path = write_text(name, text);
    vgae_status st = vgae_split_read(ctx, path, g, 0, &s, NULL);
    assert_error_contains(ctx, st, needle);
    if (st != status)
        fail_msg("status %d (%s) for '%s', expected %d", st, vgae_ctx_message(ctx), name, status);
    assert_null(s);
    vgae_ctx_clear(ctx);
}

static void reads_a_hand_written_file(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    vgae_split *s = NULL;
    uint64_t seed = 0;
    /* rows in any order, blank line at the end, an unknown header key */
#define ANY_ORDER                                                                         \
    "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"        \
    "# test_frac 0.2\n# seed 5\n# made_by someone else\n# comment\nset\tu\tv\tlabel\n"     \
    "test\t1\t3\t0\nval\t0\t2\t0\ntrain\t0\t1\t1\ntest\t5\t0\t1\ntrain\t2\t1\t1\n"        \
    "train\t2\t3\t1\nval\t4\t5\t1\ntrain\t3\t4\t1\n\n"
    char buf[1024];
    snprintf(buf, sizeof buf, ANY_ORDER, (unsigned)vgae_graph_checksum(g));
    assert_int_equal(vgae_split_read(ctx, write_text("any-order.tsv", buf), g, 0, &s, &seed), VGAE_OK);
    assert_int_equal(seed, 5);
    assert_int_equal(s->n, 6);
    assert_int_equal(s->n_edges, 6);
    assert_true(s->val_frac == 0.2 && s->test_frac == 0.2);
    assert_int_equal(s->n_train, 4);
    assert_int_equal(s->n_val, 1);
    assert_int_equal(s->n_test, 1);
    const vgae_pair train[4] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
    assert_memory_equal(s->train, train, sizeof train);
    assert_true(s->val_pos[0].u == 4 && s->val_pos[0].v == 5);
    assert_true(s->val_neg[0].u == 0 && s->val_neg[0].v == 2);
    assert_true(s->test_pos[0].u == 0 && s->test_pos[0].v == 5); /* stored u < v */
    assert_true(s->test_neg[0].u == 1 && s->test_neg[0].v == 3);
    vgae_split_free(s);
    /* a split may leave edges out: here 3-4 is nowhere */
    const char *dropped = cycle_file(g, "train\t0\t1\t1\ntrain\t1\t2\t1\ntrain\t2\t3\t1\n"
                                        "val\t4\t5\t1\nval\t0\t2\t0\ntest\t5\t0\t1\ntest\t1\t3\t0\n");
    assert_int_equal(vgae_split_read(ctx, write_text("dropped.tsv", dropped), g, 0, &s, NULL), VGAE_OK);
    assert_int_equal(s->n_train, 3);
    assert_int_equal(s->n_edges, 6);
    vgae_split_free(s);
    /* no held-out sets at all */
    assert_int_equal(vgae_split_read(ctx, write_text("train-only.tsv", cycle_file(g, "train\t0\t1\t1\n")),
                                     g, 0, &s, NULL), VGAE_OK);
    assert_int_equal(s->n_val + s->n_test, 0);
    vgae_split_free(s);
    vgae_graph_free(g);
}

/* The one check of a split against a graph (model files use it): a good
 * split passes, and each kind of problem is named with its set and pair. */
static void split_check_finds_each_problem(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    vgae_split *good = NULL, *s = NULL;
    assert_int_equal(vgae_split_read(ctx, write_text("good.tsv", cycle_file(g, GOOD_ROWS)), g, 0, &good, NULL), VGAE_OK);
    assert_int_equal(vgae_split_check(ctx, good, g, NULL, NULL), VGAE_OK);
    /* a copy is equal, and the pairs of each set are where the layout says */
    assert_int_equal(vgae_split_copy(ctx, good, &s), VGAE_OK);
    assert_int_equal(vgae_split_checksum(s), vgae_split_checksum(good));
    int64_t count;
    assert_true(vgae_split_pairs(s, VGAE_SET_TEST_NEG, &count) == s->test_neg && count == 1);
    assert_string_equal(vgae_split_set_name(VGAE_SET_VAL_NEG), "val");
    assert_true(vgae_split_set_positive(VGAE_SET_TEST_POS) && !vgae_split_set_positive(VGAE_SET_TEST_NEG));
    const struct { vgae_split_set set; int64_t index; vgae_pair pair; const char *needle; } cases[] = {
        {VGAE_SET_VAL_POS, 0, {0, 3}, "the split's val positive (0, 3) is not an edge of the graph"},
        {VGAE_SET_TEST_NEG, 0, {1, 2}, "the split's test negative (1, 2) is an edge of the graph"},
        {VGAE_SET_TRAIN, 2, {0, 1}, "the split's train pair (0, 1) appears twice in the split"},
        {VGAE_SET_VAL_NEG, 0, {2, 6}, "is not a pair u < v of the graph's nodes"},
        {VGAE_SET_TRAIN, 0, {1, 0}, "is not a pair u < v of the graph's nodes"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        vgae_split_free(s);
        assert_int_equal(vgae_split_copy(ctx, good, &s), VGAE_OK);
        ((vgae_pair *)vgae_split_pairs(s, cases[k].set, &count))[cases[k].index] = cases[k].pair;
        vgae_split_set set = VGAE_SET_TRAIN;
        int64_t at = -1;
        assert_error_contains(ctx, vgae_split_check(ctx, s, g, &set, &at), cases[k].needle);
        assert_int_equal(set, cases[k].set);
        assert_int_equal(at, cases[k].index);
    }
    /* the rule itself, as the file reader applies it row by row */
    assert_string_equal(vgae_split_pair_problem(g, 3, 3, 0), "is a self-pair");
    assert_null(vgae_split_pair_problem(g, 0, 1, 1));
    assert_null(vgae_split_pair_problem(g, 0, 3, 0));
    /* sizes: another graph, no training pair */
    vgae_graph *other = planted_graph(ctx);
    assert_error_contains(ctx, vgae_split_check(ctx, good, other, NULL, NULL), "a graph of 6 nodes, not 160");
    vgae_split_free(s);
    assert_int_equal(vgae_split_alloc(ctx, 6, 0, 0, 0, &s), VGAE_OK);
    assert_error_contains(ctx, vgae_split_check(ctx, s, g, NULL, NULL), "no train pairs");
    vgae_split_free(s);
    assert_error_contains(ctx, vgae_split_alloc(ctx, 6, -1, 0, 0, &s), "a split of 6 nodes");
    assert_null(s);
    vgae_graph_free(other);
    vgae_split_free(good);
    vgae_graph_free(g);
}

static void refuses_bad_headers(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    expect_refusal(ctx, g, "empty.tsv", "", VGAE_EFORMAT, "empty.tsv: empty file");
    expect_refusal(ctx, g, "no-magic.tsv", "set\tu\tv\tlabel\ntrain\t0\t1\t1\n", VGAE_EFORMAT,
                   "no-magic.tsv:1: not a vgae split file (the first line must be '# vgae split N', N a format version 1 to 3)");
    expect_refusal(ctx, g, "version0.tsv", "# vgae split 0\n", VGAE_EFORMAT, "version0.tsv:1: not a vgae split file");
    expect_refusal(ctx, g, "version-x.tsv", "# vgae split one\n", VGAE_EFORMAT, "version-x.tsv:1: not a vgae split file");
    expect_refusal(ctx, g, "version4.tsv", "# vgae split 4\n# whatever\n", VGAE_EUNSUPPORTED,
                   "version4.tsv:1: newer format version 4; this vgae reads version 3");
    char buf[1024];
    /* version 3 counts its rows: each count is required, the hard ones only with hard negatives */
    snprintf(buf, sizeof buf, "# vgae split 3\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n# rows_train 4\n# rows_test 2\nset\tu\tv\tlabel\n" GOOD_ROWS,
             (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "no-rows-val.tsv", buf, VGAE_EFORMAT,
                   "no-rows-val.tsv:10: the header lacks '# rows_val' (version 3 splits count their rows)");
    snprintf(buf, sizeof buf, "# vgae split 3\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n# rows_train 4\n# rows_val 2\n# rows_test 2\n# rows_test_hard 2\n"
             "set\tu\tv\tlabel\n" GOOD_ROWS "# end 0x0\n", (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "hard-rows-alone.tsv", buf, VGAE_EFORMAT,
                   "hard-rows-alone.tsv:11: '# rows_test_hard' without '# hard_negatives'");
    snprintf(buf, sizeof buf, "# vgae split 3\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n# rows_train 4\n# rows_val 2\n# rows_test 2\n"
             "set\tu\tv\tlabel\n" GOOD_ROWS "# end 12345\n", (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "garbled-end.tsv", buf, VGAE_EFORMAT,
                   "garbled-end.tsv:20: garbled end line '# end 12345'");
    snprintf(buf, sizeof buf, "# vgae split 1\n# graph_checksum 0x%08x\n# nodes six\n",
             (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "nodes-text.tsv", buf, VGAE_EFORMAT,
                   "nodes-text.tsv:3: header 'nodes' expects a node count, found 'six'");
    expect_refusal(ctx, g, "checksum-text.tsv", "# vgae split 1\n# graph_checksum 1a2b\n", VGAE_EFORMAT,
                   "checksum-text.tsv:2: header 'graph_checksum' expects a 32-bit hexadecimal number");
    expect_refusal(ctx, g, "frac-range.tsv", "# vgae split 1\n# val_frac 1.5\n", VGAE_EFORMAT,
                   "frac-range.tsv:2: header 'val_frac' expects a fraction in [0, 1), found '1.5'");
    expect_refusal(ctx, g, "seed-neg.tsv", "# vgae split 1\n# seed -1\n", VGAE_EFORMAT,
                   "seed-neg.tsv:2: header 'seed' expects a non-negative integer, found '-1'");
    expect_refusal(ctx, g, "no-value.tsv", "# vgae split 1\n# nodes\n", VGAE_EFORMAT,
                   "no-value.tsv:2: garbled header line '# nodes' (expected '# nodes VALUE')");
    expect_refusal(ctx, g, "two-values.tsv", "# vgae split 1\n# edges 6 7\n", VGAE_EFORMAT,
                   "two-values.tsv:2: garbled header line '# edges 6 7'");
    expect_refusal(ctx, g, "twice.tsv", "# vgae split 1\n# seed 1\n# seed 2\n", VGAE_EFORMAT,
                   "twice.tsv:3: header 'seed' given twice (first on line 2)");
    expect_refusal(ctx, g, "node-ids.tsv", "# vgae split 1\n# node_ids label\n", VGAE_EFORMAT,
                   "node-ids.tsv:2: header 'node_ids' expects 'name' or 'index', found 'label'");
    /* a key missing: named at the line where the header ends */
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\nset\tu\tv\tlabel\n" GOOD_ROWS, (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "no-seed.tsv", buf, VGAE_EFORMAT, "no-seed.tsv:7: the header lacks '# seed'");
    snprintf(buf, sizeof buf, "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n",
             (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "header-only.tsv", buf, VGAE_EFORMAT,
                   "header-only.tsv:4: file ends in the header, before the column header line");
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.5\n"
             "# test_frac 0.5\n# seed 5\nset\tu\tv\tlabel\n" GOOD_ROWS, (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "frac-sum.tsv", buf, VGAE_EFORMAT,
                   "frac-sum.tsv:6: val_frac 0.5 and test_frac 0.5 add up to 1 or more");
    /* the column header line */
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n" GOOD_ROWS, (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "no-columns.tsv", buf, VGAE_EFORMAT,
                   "no-columns.tsv:8: missing column header line: expected 'set<TAB>u<TAB>v<TAB>label'");
    vgae_graph_free(g);
}

static void refuses_bad_rows(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    /* the good file reads */
    vgae_split *s = NULL;
    assert_int_equal(vgae_split_read(ctx, write_text("good.tsv", cycle_file(g, GOOD_ROWS)), g, 0, &s, NULL),
                     VGAE_OK);
    vgae_split_free(s);
    expect_refusal(ctx, g, "three-fields.tsv", cycle_file(g, "train\t0\t1\t1\ntrain\t1\t2\n"), VGAE_EFORMAT,
                   "three-fields.tsv:10: expected 4 tab-separated fields (set, u, v, label), found 3");
    expect_refusal(ctx, g, "five-fields.tsv", cycle_file(g, "train\t0\t1\t1\t1\n"), VGAE_EFORMAT,
                   "five-fields.tsv:9: expected 4 tab-separated fields (set, u, v, label), found 5");
    expect_refusal(ctx, g, "spaces.tsv", cycle_file(g, "train 0 1 1\n"), VGAE_EFORMAT,
                   "spaces.tsv:9: expected 4 tab-separated fields (set, u, v, label), found 1");
    expect_refusal(ctx, g, "unknown-set.tsv", cycle_file(g, "train\t0\t1\t1\nvalid\t4\t5\t1\n"), VGAE_EFORMAT,
                   "unknown-set.tsv:10: unknown set 'valid' (expected train, val or test)");
    expect_refusal(ctx, g, "label2.tsv", cycle_file(g, "train\t0\t1\t1\nval\t4\t5\t2\n"), VGAE_EFORMAT,
                   "label2.tsv:10: label must be 0 or 1, found '2'");
    expect_refusal(ctx, g, "label-empty.tsv", cycle_file(g, "train\t0\t1\t\n"), VGAE_EFORMAT,
                   "label-empty.tsv:9: label must be 0 or 1, found ''");
    expect_refusal(ctx, g, "train0.tsv", cycle_file(g, "train\t0\t1\t1\ntrain\t0\t2\t0\n"), VGAE_EFORMAT,
                   "train0.tsv:10: a train pair must have label 1");
    expect_refusal(ctx, g, "id-text.tsv", cycle_file(g, "train\tx1\t1\t1\n"), VGAE_EFORMAT,
                   "id-text.tsv:9: node id 'x1' (u) is not an integer");
    expect_refusal(ctx, g, "id-frac.tsv", cycle_file(g, "train\t0\t1.0\t1\n"), VGAE_EFORMAT,
                   "id-frac.tsv:9: node id '1.0' (v) is not an integer");
    expect_refusal(ctx, g, "id-range.tsv", cycle_file(g, "train\t5\t6\t1\n"), VGAE_EINVAL,
                   "id-range.tsv:9: node id 6 (v) is not in the graph (ids 0..5)");
    expect_refusal(ctx, g, "id-neg.tsv", cycle_file(g, "train\t-1\t0\t1\n"), VGAE_EINVAL,
                   "id-neg.tsv:9: node id -1 (u) is not in the graph");
    expect_refusal(ctx, g, "id-huge.tsv", cycle_file(g, "train\t99999999999999999999\t0\t1\n"), VGAE_EINVAL,
                   "id-huge.tsv:9: node id 99999999999999999999 (u) is not in the graph");
    expect_refusal(ctx, g, "self.tsv", cycle_file(g, "train\t0\t1\t1\ntest\t3\t3\t0\n"), VGAE_EFORMAT,
                   "self.tsv:10: self-pair (3, 3)");
    expect_refusal(ctx, g, "pos-non-edge.tsv", cycle_file(g, "train\t0\t1\t1\nval\t0\t3\t1\n"), VGAE_EINVAL,
                   "pos-non-edge.tsv:10: val pair (0, 3) has label 1 but is not an edge of the graph");
    expect_refusal(ctx, g, "train-non-edge.tsv", cycle_file(g, "train\t0\t2\t1\n"), VGAE_EINVAL,
                   "train-non-edge.tsv:9: train pair (0, 2) has label 1 but is not an edge of the graph");
    expect_refusal(ctx, g, "neg-edge.tsv", cycle_file(g, "train\t0\t1\t1\ntest\t2\t1\t0\n"), VGAE_EINVAL,
                   "neg-edge.tsv:10: test pair (2, 1) has label 0 but is an edge of the graph");
    expect_refusal(ctx, g, "dup.tsv", cycle_file(g, "train\t0\t1\t1\ntrain\t1\t2\t1\ntrain\t0\t1\t1\n"),
                   VGAE_EFORMAT, "dup.tsv:11: pair (0, 1) already appears on line 9");
    expect_refusal(ctx, g, "dup-reversed.tsv", cycle_file(g, "train\t0\t1\t1\ntest\t1\t0\t1\n"),
                   VGAE_EFORMAT, "dup-reversed.tsv:10: pair (1, 0) already appears on line 9");
    expect_refusal(ctx, g, "dup-negative.tsv",
                   cycle_file(g, "train\t0\t1\t1\nval\t0\t2\t0\ntest\t2\t0\t0\n"), VGAE_EFORMAT,
                   "dup-negative.tsv:11: pair (2, 0) already appears on line 10");
    expect_refusal(ctx, g, "val-count.tsv",
                   cycle_file(g, "train\t0\t1\t1\nval\t4\t5\t1\nval\t0\t2\t0\nval\t1\t3\t0\n"), VGAE_EFORMAT,
                   "val-count.tsv:12: val has 1 positive and 2 negative pairs; they must be equal");
    expect_refusal(ctx, g, "test-count.tsv", cycle_file(g, "train\t0\t1\t1\ntest\t4\t5\t1\n"), VGAE_EFORMAT,
                   "test-count.tsv:10: test has 1 positive and 0 negative pairs; they must be equal");
    expect_refusal(ctx, g, "no-train.tsv", cycle_file(g, "val\t4\t5\t1\nval\t0\t2\t0\n"), VGAE_EFORMAT,
                   "no-train.tsv:10: the split has no train pairs");
    /* indices asked for by name on a graph without names */
    char buf[1024];
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n# node_ids name\nset\tu\tv\tlabel\n" GOOD_ROWS,
             (unsigned)vgae_graph_checksum(g));
    expect_refusal(ctx, g, "by-name.tsv", buf, VGAE_EINVAL,
                   "by-name.tsv:8: the split gives node names but the graph has none");
    vgae_graph_free(g);
}

/* A version 3 file cut anywhere is refused: every prefix of whole lines
 * and every cut inside the last rows (the full file alone reads); a row
 * dropped with its count still in the header, a row count changed, a row
 * changed (its CRC-32 no longer the end line's) and a line after the end
 * are each refused with their own message. */
static void truncated_or_changed_files_are_refused(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *s = NULL, *back = NULL;
    vgae_ctx_set_seed(ctx, 3);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_split_add_hard_negatives(ctx, s, 4), VGAE_OK);
    const char *path = tmp_path("whole.tsv");
    assert_int_equal(vgae_split_write(ctx, path, s, g, 3), VGAE_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[1 << 20];
    const size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    assert_true(len > 0 && len < sizeof text - 1);
    text[len] = 0;
    int64_t lines = 0, refused = 0;
    char *cut = malloc(len + 1);
    for (size_t at = 0; at <= len; at++) {
        /* every line end, and every byte of the last 200 */
        if (!(at == len || text[at] == '\n' || at + 200 > len))
            continue;
        const size_t keep = at < len && text[at] == '\n' ? at + 1 : at;
        memcpy(cut, text, keep);
        cut[keep] = 0;
        const char *p = write_text("cut.tsv", cut);
        vgae_status st = vgae_split_read(ctx, p, g, 0, &back, NULL);
        lines++;
        if (keep == len) {
            assert_int_equal(st, VGAE_OK);
            assert_same_split(s, back);
            vgae_split_free(back);
            back = NULL;
        } else if (st != VGAE_OK) {
            refused++;
            vgae_ctx_clear(ctx);
        } else {
            fail_msg("a file cut at byte %zu of %zu was read", keep, len);
        }
    }
    print_message("%lld cuts of a %zu-byte split: %lld refused, the whole file read\n", (long long)lines, len,
                  (long long)refused);
    assert_int_equal(refused, lines - 2); /* the last newline's cut and the full file are the same */
    /* a row dropped: the count of its set no longer matches */
    char *first_test = strstr(text, "\ntest\t");
    assert_non_null(first_test);
    char *next = strchr(first_test + 1, '\n');
    memcpy(cut, text, (size_t)(first_test - text));
    strcpy(cut + (first_test - text), next);
    expect_refusal(ctx, g, "dropped.tsv", cut, VGAE_EFORMAT, "test rows, the file has");
    /* a row changed in place: same counts, another CRC-32 */
    strcpy(cut, text);
    /* the first train row's ends swapped: the same pair, other bytes */
    char *u = strstr(cut, "\ntrain\t") + 7, *u_end = strchr(u, '\t');
    char *v = u_end + 1, *v_end = strchr(v, '\t');
    char swapped[64];
    snprintf(swapped, sizeof swapped, "%.*s\t%.*s", (int)(v_end - v), v, (int)(u_end - u), u);
    memcpy(u, swapped, strlen(swapped));
    expect_refusal(ctx, g, "changed.tsv", cut, VGAE_EFORMAT, "the rows were changed or damaged");
    /* a line after the end */
    char *grown = malloc(len + 32);
    snprintf(grown, len + 32, "%strain\t0\t1\t1\n", text);
    expect_refusal(ctx, g, "after-end.tsv", grown, VGAE_EFORMAT, "a line after the '# end' line");
    free(grown);
    free(cut);
    vgae_split_free(s);
    vgae_graph_free(g);
}

/* Version 2 files: hard negatives written after the shared ones, read back
 * bit for bit; version 1 stays the format of splits without them. */
static void round_trip_hard_negatives(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *a = NULL, *b = NULL;
    vgae_ctx_set_seed(ctx, 11);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &a), VGAE_OK);
    assert_int_equal(vgae_split_add_hard_negatives(ctx, a, 12), VGAE_OK);
    const char *path = tmp_path("hard.tsv");
    assert_int_equal(vgae_split_write(ctx, path, a, g, 11), VGAE_OK);
    assert_int_equal(vgae_split_read(ctx, path, g, 0, &b, NULL), VGAE_OK);
    assert_same_split(a, b);
    assert_int_equal(b->n_hard, 12);
    assert_same_pairs(a->val_hard, b->val_hard, a->n_val * 12);
    assert_same_pairs(a->test_hard, b->test_hard, a->n_test * 12);
    assert_int_equal(vgae_split_check(ctx, b, g, NULL, NULL), VGAE_OK);
    FILE *f = fopen(path, "r");
    char line[256];
    int64_t hard_rows = 0, header = 0;
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "# vgae split 3\n");
    while (fgets(line, sizeof line, f)) {
        header += strcmp(line, "# hard_negatives 12\n") == 0;
        hard_rows += strncmp(line, "val_hard\t", 9) == 0 || strncmp(line, "test_hard\t", 10) == 0;
    }
    fclose(f);
    assert_int_equal(header, 1);
    assert_int_equal(hard_rows, (a->n_val + a->n_test) * 12);
    /* without them: no hard_negatives header and no hard rows to count */
    vgae_split_free(b);
    assert_int_equal(vgae_split_alloc_hard(ctx, a, 0), VGAE_OK);
    assert_int_equal(vgae_split_write(ctx, path, a, g, 11), VGAE_OK);
    f = fopen(path, "r");
    assert_non_null(f);
    header = 0;
    while (fgets(line, sizeof line, f))
        header += strncmp(line, "# hard_negatives", 16) == 0 || strncmp(line, "# rows_val_hard", 15) == 0;
    fclose(f);
    assert_int_equal(header, 0);
    assert_int_equal(vgae_split_read(ctx, path, g, 0, &b, NULL), VGAE_OK);
    assert_int_equal(b->n_hard, 0);
    vgae_split_free(b);
    vgae_split_free(a);
    vgae_graph_free(g);
}

/* The 6-cycle's file in version 2 with K hard negatives per positive. */
static char *cycle_file_hard(const vgae_graph *g, const char *k, const char *rows)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "# vgae split 2\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\n# hard_negatives %s\nset\tu\tv\tlabel\n%s",
             (unsigned)vgae_graph_checksum(g), k, rows);
    return buf;
}

static void refuses_bad_hard_negatives(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    vgae_split *s = NULL;
    /* val positive 4-5 gets 2-4 and 3-5; test positive 5-0 gets 0-2 (also
     * the shared val negative: allowed) and 1-5 */
#define HARD_ROWS "val_hard\t2\t4\t0\nval_hard\t5\t3\t0\ntest_hard\t0\t2\t0\ntest_hard\t1\t5\t0\n"
    assert_int_equal(vgae_split_read(ctx, write_text("hard-good.tsv", cycle_file_hard(g, "2", GOOD_ROWS HARD_ROWS)),
                                     g, 0, &s, NULL), VGAE_OK);
    assert_int_equal(s->n_hard, 2);
    assert_true(s->val_hard[1].u == 3 && s->val_hard[1].v == 5 && s->test_hard[0].u == 0);
    vgae_split_free(s);
    expect_refusal(ctx, g, "hard-v1.tsv", cycle_file(g, GOOD_ROWS HARD_ROWS), VGAE_EFORMAT,
                   "hard-v1.tsv:17: unknown set 'val_hard' (expected train, val or test)");
    char buf[8192];
    snprintf(buf, sizeof buf, "# vgae split 1\n# hard_negatives 2\n%s", cycle_file(g, GOOD_ROWS) + 15);
    expect_refusal(ctx, g, "hard-key-v1.tsv", buf, VGAE_EFORMAT,
                   "hard-key-v1.tsv:2: '# hard_negatives' in a version 1 split");
    snprintf(buf, sizeof buf, "# vgae split 2\n%s", cycle_file(g, GOOD_ROWS) + 15);
    expect_refusal(ctx, g, "hard-no-key.tsv", buf, VGAE_EFORMAT,
                   "hard-no-key.tsv:8: the header lacks '# hard_negatives'");
    expect_refusal(ctx, g, "hard-zero.tsv", cycle_file_hard(g, "0", GOOD_ROWS), VGAE_EFORMAT,
                   "hard-zero.tsv:8: header 'hard_negatives' expects a count of 1 to 100000, found '0'");
    expect_refusal(ctx, g, "hard-label.tsv", cycle_file_hard(g, "2", GOOD_ROWS "val_hard\t2\t4\t1\n"),
                   VGAE_EFORMAT, "hard-label.tsv:18: a val_hard pair must have label 0");
    expect_refusal(ctx, g, "hard-edge.tsv", cycle_file_hard(g, "2", GOOD_ROWS "test_hard\t3\t4\t0\n"),
                   VGAE_EINVAL, "hard-edge.tsv:18: test_hard pair (3, 4) has label 0 but is an edge of the graph");
    expect_refusal(ctx, g, "hard-count.tsv", cycle_file_hard(g, "3", GOOD_ROWS HARD_ROWS), VGAE_EFORMAT,
                   "hard-count.tsv:21: val_hard has 2 rows; 1 positives with 3 hard negatives each need 3");
    expect_refusal(ctx, g, "hard-repeat.tsv",
                   cycle_file_hard(g, "2", GOOD_ROWS "val_hard\t2\t4\t0\nval_hard\t4\t2\t0\n"
                                       "test_hard\t0\t2\t0\ntest_hard\t1\t5\t0\n"),
                   VGAE_EFORMAT, "hard-repeat.tsv:19: this hard negative repeats line 18's");
#undef HARD_ROWS
    vgae_graph_free(g);
}

static void refuses_unknown_names(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("names.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    char head[512], buf[1024];
    snprintf(head, sizeof head,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 4\n# edges 4\n# val_frac 0.25\n"
             "# test_frac 0.25\n# seed 1\nset\tu\tv\tlabel\n", (unsigned)vgae_graph_checksum(g));
    snprintf(buf, sizeof buf, "%strain\talice\tbob\t1\ntrain\tcarol\teve\t1\n", head);
    expect_refusal(ctx, g, "eve.tsv", buf, VGAE_EINVAL, "eve.tsv:10: node 'eve' (v) is not in the graph");
    /* indices are names here, not positions */
    snprintf(buf, sizeof buf, "%strain\t0\t1\t1\n", head);
    expect_refusal(ctx, g, "index-as-name.tsv", buf, VGAE_EINVAL,
                   "index-as-name.tsv:9: node '0' (u) is not in the graph");
    /* unless the file says so */
    vgae_split *s = NULL;
    snprintf(buf, sizeof buf, "%s", head);
    char *cols = strstr(buf, "set\t");
    snprintf(cols, sizeof buf - (size_t)(cols - buf), "# node_ids index\nset\tu\tv\tlabel\n");
    int32_t alice = -1, bob = -1;
    for (int32_t i = 0; i < g->n; i++) {
        if (strcmp(g->names[i], "alice") == 0)
            alice = i;
        if (strcmp(g->names[i], "bob") == 0)
            bob = i;
    }
    size_t used = strlen(buf);
    snprintf(buf + used, sizeof buf - used, "train\t%d\t%d\t1\n", bob, alice);
    assert_int_equal(vgae_split_read(ctx, write_text("by-index.tsv", buf), g, 0, &s, NULL), VGAE_OK);
    assert_int_equal(s->train[0].u, alice < bob ? alice : bob);
    vgae_split_free(s);
    /* a named read of the good rows */
    snprintf(buf, sizeof buf, "%strain\tbob\talice\t1\ntrain\tcarol\tbob\t1\n"
             "val\tcarol\talice\t1\nval\tdave\tbob\t0\n", head);
    assert_int_equal(vgae_split_read(ctx, write_text("named.tsv", buf), g, 0, &s, NULL), VGAE_OK);
    assert_int_equal(s->n_train, 2);
    int32_t dave = -1;
    for (int32_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], "dave") == 0)
            dave = i;
    assert_int_equal(s->val_neg[0].u, dave < bob ? dave : bob);
    assert_int_equal(s->val_neg[0].v, dave < bob ? bob : dave);
    vgae_split_free(s);
    vgae_graph_free(g);
}

static void refuses_another_graph(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = cycle6(ctx);
    char buf[1024];
    const unsigned mine = (unsigned)vgae_graph_checksum(g), other = mine ^ 0x10u;
    /* checksum */
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\nset\tu\tv\tlabel\n" GOOD_ROWS, other);
    char needle[256];
    snprintf(needle, sizeof needle,
             "other-graph.tsv: made for another graph (checksum 0x%08x, this graph 0x%08x); ", other, mine);
    expect_refusal(ctx, g, "other-graph.tsv", buf, VGAE_EINVAL, needle);
    /* force reads it all the same */
    vgae_split *s = NULL;
    uint64_t seed = 0;
    assert_int_equal(vgae_split_read(ctx, tmp_path("other-graph.tsv"), g, 1, &s, &seed), VGAE_OK);
    assert_int_equal(s->n_train, 4);
    assert_int_equal(seed, 5);
    vgae_split_free(s);
    /* nodes and edges */
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 7\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\nset\tu\tv\tlabel\n" GOOD_ROWS, mine);
    expect_refusal(ctx, g, "nodes7.tsv", buf, VGAE_EINVAL,
                   "nodes7.tsv:3: the split is for a graph of 7 nodes, this graph has 6");
    assert_int_equal(vgae_split_read(ctx, tmp_path("nodes7.tsv"), g, 1, &s, NULL), VGAE_OK);
    assert_int_equal(s->n, 6);
    vgae_split_free(s);
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 9\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\nset\tu\tv\tlabel\n" GOOD_ROWS, mine);
    expect_refusal(ctx, g, "edges9.tsv", buf, VGAE_EINVAL,
                   "edges9.tsv:4: the split is for a graph of 9 edges, this graph has 6");
    assert_int_equal(vgae_split_read(ctx, tmp_path("edges9.tsv"), g, 1, &s, NULL), VGAE_OK);
    assert_int_equal(s->n_edges, 6);
    vgae_split_free(s);
    /* force does not excuse rows that do not fit the graph */
    snprintf(buf, sizeof buf,
             "# vgae split 1\n# graph_checksum 0x%08x\n# nodes 6\n# edges 6\n# val_frac 0.2\n"
             "# test_frac 0.2\n# seed 5\nset\tu\tv\tlabel\ntrain\t0\t2\t1\n", other);
    const char *path = write_text("forced-bad.tsv", buf);
    assert_error_contains(ctx, vgae_split_read(ctx, path, g, 1, &s, NULL),
                          "forced-bad.tsv:9: train pair (0, 2) has label 1 but is not an edge");
    assert_null(s);
    /* a missing file */
    assert_error_contains(ctx, vgae_split_read(ctx, tmp_path("nothere.tsv"), g, 0, &s, NULL),
                          "nothere.tsv: cannot open");
    vgae_graph_free(g);
}

static void checksum_tracks_content(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *s = NULL;
    vgae_ctx_set_seed(ctx, 1);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    const uint32_t c0 = vgae_split_checksum(s);
    assert_int_equal(vgae_split_checksum(s), c0); /* deterministic */
    vgae_pair *sets[5] = {s->train, s->val_pos, s->val_neg, s->test_pos, s->test_neg};
    const int64_t last[5] = {s->n_train - 1, s->n_val - 1, s->n_val - 1, s->n_test - 1, s->n_test - 1};
    for (int k = 0; k < 5; k++) {
        vgae_pair *p = &sets[k][last[k]], keep = *p;
        p->v ^= 1;
        assert_int_not_equal(vgae_split_checksum(s), c0);
        *p = keep;
        int32_t t = p->u; /* orientation counts too */
        p->u = p->v;
        p->v = t;
        assert_int_not_equal(vgae_split_checksum(s), c0);
        *p = keep;
        assert_int_equal(vgae_split_checksum(s), c0);
    }
    /* order within a set counts */
    vgae_pair t = s->train[0];
    s->train[0] = s->train[1];
    s->train[1] = t;
    assert_int_not_equal(vgae_split_checksum(s), c0);
    s->train[1] = s->train[0];
    s->train[0] = t;
    /* another seed, another split, another checksum */
    vgae_split *other = NULL;
    vgae_ctx_set_seed(ctx, 2);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &other), VGAE_OK);
    assert_int_not_equal(vgae_split_checksum(other), c0);
    vgae_split_free(other);
    vgae_split_free(s);
    vgae_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_indices, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(round_trip_names, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(round_trip_cora, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(duplicate_names_fall_back_to_indices, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(gzip_input, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(write_errors, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_a_hand_written_file, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(split_check_finds_each_problem, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(refuses_bad_headers, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(refuses_bad_rows, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(refuses_unknown_names, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(round_trip_hard_negatives, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(refuses_bad_hard_negatives, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(refuses_another_graph, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(checksum_tracks_content, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(truncated_or_changed_files_are_refused, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
