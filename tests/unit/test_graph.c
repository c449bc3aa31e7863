/* Tests of graph cleaning (symmetrize, dedup, self-loops) and of each graph reader. */
#include <math.h>

#include "testutil.h"
#include "graph/non_edges.h"

static void assert_neighbours(const vgae_graph *g, int32_t v, int count, const int32_t *want)
{
    assert_int_equal(g->rowptr[v + 1] - g->rowptr[v], count);
    for (int k = 0; k < count; k++)
        assert_int_equal(g->adj[g->rowptr[v] + k], want[k]);
}

static void undirected_pairs_are_cleaned(void **state)
{
    vgae_ctx *ctx = *state;
    /* 0-1 three times (once reversed), 2-2 twice, 1-3 once; node 4 isolated */
    const int32_t pairs[] = {0, 1, 1, 0, 0, 1, 2, 2, 2, 2, 3, 1};
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 5, 6, pairs, 0, &g), VGAE_OK);
    assert_int_equal(g->n, 5);
    assert_int_equal(g->n_edges, 2);
    assert_int_equal(g->report.duplicates_dropped, 3); /* two repeats of 0-1, one of 2-2 */
    assert_int_equal(g->report.self_loops_dropped, 1);
    assert_int_equal(g->report.reciprocal_merged, 0);
    assert_neighbours(g, 0, 1, (const int32_t[]){1});
    assert_neighbours(g, 1, 2, (const int32_t[]){0, 3});
    assert_neighbours(g, 2, 0, NULL);
    assert_neighbours(g, 3, 1, (const int32_t[]){1});
    assert_int_equal(vgae_graph_isolated_nodes(g), 2);
    vgae_graph_free(g);
}

static void directed_pairs_are_symmetrized(void **state)
{
    vgae_ctx *ctx = *state;
    /* 0->1 and 1->0 are one edge (not a duplicate); 0->2 twice is a duplicate */
    const int32_t pairs[] = {0, 1, 1, 0, 0, 2, 0, 2, 3, 2};
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 4, 5, pairs, 1, &g), VGAE_OK);
    assert_int_equal(g->n_edges, 3);
    assert_int_equal(g->report.duplicates_dropped, 1);
    assert_int_equal(g->report.reciprocal_merged, 1);
    assert_true(g->report.directed);
    assert_neighbours(g, 0, 2, (const int32_t[]){1, 2});
    assert_neighbours(g, 2, 2, (const int32_t[]){0, 3});
    vgae_graph_free(g);
}

static void rows_are_sorted_on_a_larger_graph(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 200, M = 3000 };
    int32_t pairs[2 * M];
    uint64_t s = 12345;
    vgae_graph *g = NULL;
    int64_t total = 0;
    for (int e = 0; e < 2 * M; e++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        pairs[e] = (int32_t)((s >> 33) % N);
    }
    assert_int_equal(vgae_graph_from_pairs(ctx, N, M, pairs, 0, &g), VGAE_OK);
    for (int32_t v = 0; v < N; v++) {
        for (int64_t p = g->rowptr[v]; p < g->rowptr[v + 1]; p++) {
            int32_t u = g->adj[p];
            int found = 0;
            assert_int_not_equal(u, v);
            if (p > g->rowptr[v])
                assert_true(g->adj[p - 1] < u);
            for (int64_t q = g->rowptr[u]; q < g->rowptr[u + 1]; q++)
                found += g->adj[q] == v;
            assert_int_equal(found, 1); /* symmetric */
        }
        total += g->rowptr[v + 1] - g->rowptr[v];
    }
    assert_int_equal(total, 2 * g->n_edges);
    assert_int_equal(g->n_edges + g->report.duplicates_dropped + g->report.self_loops_dropped, M);
    vgae_graph_free(g);
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Enough pairs for the radix sort, over node numbers of 22 bits (three
 * 16-bit digits differ): the graph's edges are the distinct pairs u < v a
 * plain qsort finds, in order, whether the input was shuffled or already
 * sorted, and as an undirected or a directed list. */
static void large_pair_lists_sort_like_qsort(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 3000000, M = 300000 };
    int32_t *pairs = malloc(sizeof *pairs * 2 * M);
    uint64_t *want = malloc(sizeof *want * M);
    uint64_t s = 99;
    int64_t k = 0;
    for (int e = 0; e < M; e++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int32_t u = (int32_t)((s >> 33) % N), v = e % 7 == 0 ? u + (e % 3) : (int32_t)((s >> 11) % N);
        if (v >= N)
            v = u;
        if (e % 11 == 0 && e > 0) { /* a repeat, reversed */
            u = pairs[2 * (e - 1) + 1];
            v = pairs[2 * (e - 1)];
        }
        pairs[2 * e] = u;
        pairs[2 * e + 1] = v;
        if (u != v)
            want[k++] = u < v ? (uint64_t)u << 32 | (uint32_t)v : (uint64_t)v << 32 | (uint32_t)u;
    }
    qsort(want, (size_t)k, sizeof *want, cmp_key);
    int64_t distinct = 0;
    for (int64_t i = 0; i < k; i++)
        if (distinct == 0 || want[i] != want[distinct - 1])
            want[distinct++] = want[i];
    for (int round = 0; round < 3; round++) {
        vgae_graph *g = NULL;
        assert_int_equal(vgae_graph_from_pairs(ctx, N, M, pairs, round == 2, &g), VGAE_OK);
        assert_int_equal(g->n_edges, distinct);
        int64_t e = 0;
        for (int32_t u = 0; u < g->n; u++)
            for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
                if (g->adj[p] > u) {
                    assert_true(e < distinct);
                    assert_true(want[e++] == ((uint64_t)u << 32 | (uint32_t)g->adj[p]));
                }
        assert_int_equal(e, distinct);
        if (round == 0) { /* round 1: the same edges, listed in order */
            for (int64_t i = 0; i < distinct; i++) {
                pairs[2 * i] = (int32_t)(want[i] >> 32);
                pairs[2 * i + 1] = (int32_t)(want[i] & 0xffffffffu);
            }
            for (int64_t i = distinct; i < M; i++) { /* the rest: repeats of the last one */
                pairs[2 * i] = pairs[2 * distinct - 2];
                pairs[2 * i + 1] = pairs[2 * distinct - 1];
            }
        }
        vgae_graph_free(g);
    }
    free(pairs);
    free(want);
}

static void pair_out_of_range_is_an_error(void **state)
{
    vgae_ctx *ctx = *state;
    const int32_t pairs[] = {0, 1, 1, 7};
    vgae_graph *g = NULL;
    assert_error_contains(ctx, vgae_graph_from_pairs(ctx, 3, 2, pairs, 0, &g), "outside nodes 0..2");
    assert_null(g);
}

/* The four-node test graph every named format holds: alice-bob, bob-carol,
 * carol-alice, dave-alice (plus a repeat, loop or reciprocal arc each). */
static void assert_named_graph(vgae_ctx *ctx, const char *file, vgae_graph_format want_format)
{
    vgae_graph *g = NULL;
    vgae_graph_format used = VGAE_FORMAT_AUTO;
    vgae_status st = vgae_graph_read_as(ctx, data_path(file), VGAE_FORMAT_AUTO, &g, &used);
    if (st)
        fail_msg("%s: %s", file, vgae_ctx_message(ctx));
    assert_int_equal(used, want_format);
    assert_int_equal(g->n, 4);
    assert_int_equal(g->n_edges, 4);
    assert_non_null(g->names);
    /* find alice and check that she has three neighbours: bob, carol, dave */
    for (int32_t v = 0; v < g->n; v++)
        if (strcmp(g->names[v], "alice") == 0 || strcmp(g->names[v], "10") == 0)
            assert_int_equal(g->rowptr[v + 1] - g->rowptr[v], 3);
    vgae_graph_free(g);
}

static void reads_ncol_with_names_and_weights(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_named_graph(ctx, "names.ncol", VGAE_FORMAT_NCOL);
    assert_int_equal(vgae_graph_read(ctx, data_path("names.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_string_equal(g->names[0], "alice");
    assert_string_equal(g->names[3], "dave");
    assert_true(g->report.weighted);
    assert_int_equal(g->report.self_loops_dropped, 1);
    vgae_graph_free(g);
}

static void reads_lgl(void **state) { assert_named_graph(*state, "names.lgl", VGAE_FORMAT_LGL); }

static void reads_graphml(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_named_graph(ctx, "names.graphml", VGAE_FORMAT_GRAPHML);
    assert_int_equal(vgae_graph_read(ctx, data_path("names.graphml"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_int_equal(g->report.duplicates_dropped, 1); /* bob-alice repeats alice-bob */
    assert_string_equal(g->names[2], "carol");
    vgae_graph_free(g);
}

static void reads_directed_gml(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_named_graph(ctx, "names.gml", VGAE_FORMAT_GML);
    assert_int_equal(vgae_graph_read(ctx, data_path("names.gml"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_true(g->report.directed);
    assert_int_equal(g->report.reciprocal_merged, 1);
    assert_string_equal(g->names[0], "10"); /* GML's numeric node id */
    vgae_graph_free(g);
}

static void reads_pajek(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_named_graph(ctx, "names.net", VGAE_FORMAT_PAJEK);
    assert_int_equal(vgae_graph_read(ctx, data_path("names.net"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_string_equal(g->names[1], "bob");
    assert_true(g->report.weighted);
    vgae_graph_free(g);
}

static void reads_edgelist(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    vgae_graph_format used = VGAE_FORMAT_AUTO;
    assert_int_equal(vgae_graph_read_as(ctx, data_path("star.edges"), VGAE_FORMAT_AUTO, &g, &used), VGAE_OK);
    assert_int_equal(used, VGAE_FORMAT_EDGELIST);
    assert_int_equal(g->n, 5);
    assert_int_equal(g->n_edges, 4);
    assert_int_equal(g->report.self_loops_dropped, 1);
    assert_int_equal(g->report.duplicates_dropped, 2); /* "1 0" and the second "2 2" */
    assert_null(g->names);
    assert_neighbours(g, 0, 4, (const int32_t[]){1, 2, 3, 4});
    vgae_graph_free(g);
}

static void reads_mtx_plain_and_gzip_alike(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *a = NULL, *b = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("path4.mtx"), VGAE_FORMAT_AUTO, &a), VGAE_OK);
    assert_int_equal(vgae_graph_read(ctx, data_path("path4.mtx.gz"), VGAE_FORMAT_AUTO, &b), VGAE_OK);
    assert_int_equal(a->n, 4);
    assert_int_equal(a->n_edges, 3);
    assert_int_equal(b->n_edges, 3);
    assert_memory_equal(a->rowptr, b->rowptr, 5 * sizeof *a->rowptr);
    assert_memory_equal(a->adj, b->adj, 6 * sizeof *a->adj);
    assert_false(a->report.directed);
    vgae_graph_free(a);
    vgae_graph_free(b);
}

static void reads_directed_weighted_mtx(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("directed.mtx"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_int_equal(g->n_edges, 2);
    assert_int_equal(g->report.reciprocal_merged, 1);
    assert_int_equal(g->report.duplicates_dropped, 1);
    assert_int_equal(g->report.self_loops_dropped, 1);
    assert_int_equal(g->report.zero_weights_dropped, 1);
    assert_true(g->report.weighted);
    vgae_graph_free(g);
}

static void explicit_format_overrides_extension(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    vgae_graph_format f;
    /* .dat says nothing: AUTO refuses, naming the option; an explicit format reads it */
    assert_error_contains(ctx, vgae_graph_read(ctx, data_path("names-ncol.dat"), VGAE_FORMAT_AUTO, &g),
                          "--format");
    assert_null(g);
    assert_int_equal(vgae_graph_format_from_name(ctx, "NCOL", &f), VGAE_OK);
    assert_int_equal(vgae_graph_read(ctx, data_path("names-ncol.dat"), f, &g), VGAE_OK);
    assert_int_equal(g->n_edges, 4);
    vgae_graph_free(g);
}

static void components_are_counted(void **state)
{
    vgae_ctx *ctx = *state;
    const int32_t pairs[] = {0, 1, 1, 2, 3, 4};
    vgae_graph *g = NULL;
    int64_t count = 0, largest = 0;
    assert_int_equal(vgae_graph_from_pairs(ctx, 7, 3, pairs, 0, &g), VGAE_OK);
    assert_int_equal(vgae_graph_components(ctx, g, &count, &largest), VGAE_OK);
    assert_int_equal(count, 4); /* {0,1,2} {3,4} {5} {6} */
    assert_int_equal(largest, 3);
    vgae_graph_free(g);
}

static void format_names_round_trip(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph_format f;
    assert_int_equal(vgae_graph_format_guess("a/b.graphml.gz"), VGAE_FORMAT_GRAPHML);
    assert_int_equal(vgae_graph_format_guess("x.NET"), VGAE_FORMAT_PAJEK);
    assert_int_equal(vgae_graph_format_guess("x.unknown"), VGAE_FORMAT_AUTO);
    for (int k = VGAE_FORMAT_AUTO; k <= VGAE_FORMAT_PAJEK; k++) {
        assert_int_equal(vgae_graph_format_from_name(ctx, vgae_graph_format_name(k), &f), VGAE_OK);
        assert_int_equal(f, k);
    }
    assert_error_contains(ctx, vgae_graph_format_from_name(ctx, "dot", &f), "unknown graph format 'dot'");
}

/* The batched non-edge draw keeps exactly the candidates a one-at-a-time
 * loop with vgae_graph_has_edge keeps, from the same stream, on a
 * Barabasi-Albert graph whose hubs have long (searched, not scanned)
 * neighbour lists; and the generators give what they promise. */
static void non_edge_batches_match_one_at_a_time(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = generated_graph(ctx, VGAE_GENERATE_BA, 2000, 20000);
    assert_int_equal(g->n, 2000);
    assert_int_equal(g->n_edges, 10 * 2000 - 10 * 11 / 2); /* node i links to min(i, 10) */
    int64_t max_degree = 0;
    for (int32_t i = 0; i < g->n; i++)
        if (g->rowptr[i + 1] - g->rowptr[i] > max_degree)
            max_degree = g->rowptr[i + 1] - g->rowptr[i];
    assert_true(max_degree > 200);
    vgae_rng batched, single;
    vgae_rng_init(&batched, 8, 0);
    single = batched;
    int64_t kept = 0, edges_seen = 0;
    for (int round = 0; round < 2000; round++) {
        int32_t a[VGAE_NON_EDGE_BATCH], b[VGAE_NON_EDGE_BATCH];
        int want = 1 + round % VGAE_NON_EDGE_BATCH;
        int got = vgae_non_edge_batch(g, &batched, want, a, b);
        int j = 0;
        for (int k = 0; k < want; k++) {
            int32_t u = (int32_t)vgae_rng_below(&single, (uint64_t)g->n);
            int32_t v = (int32_t)vgae_rng_below(&single, (uint64_t)g->n);
            if (u == v || vgae_graph_has_edge(g, u, v)) {
                edges_seen += u != v;
                continue;
            }
            assert_true(j < got);
            assert_int_equal(a[j], u);
            assert_int_equal(b[j], v);
            j++;
        }
        assert_int_equal(j, got);
        kept += got;
    }
    assert_true(kept > 0);
    /* a dense graph, where a third of the candidates are edges */
    vgae_graph *small = generated_graph(ctx, VGAE_GENERATE_BA, 60, 600);
    for (int round = 0; round < 200; round++) {
        int32_t a[VGAE_NON_EDGE_BATCH], b[VGAE_NON_EDGE_BATCH];
        int got = vgae_non_edge_batch(small, &batched, VGAE_NON_EDGE_BATCH, a, b);
        edges_seen += VGAE_NON_EDGE_BATCH - got;
        for (int k = 0; k < got; k++)
            assert_true(a[k] != b[k] && !vgae_graph_has_edge(small, a[k], b[k]));
    }
    assert_true(edges_seen > 100);
    vgae_graph_free(small);
    vgae_graph_free(g);
}

/* Bad generator options are refused with a message, before igraph runs. */
static void generator_refuses_bad_options(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    vgae_generate_options o = vgae_generate_defaults(VGAE_GENERATE_GNM);
    o.nodes = 10;
    o.edges = 46;
    assert_error_contains(ctx, vgae_graph_generate(ctx, &o, &g), "46 edges do not fit in 10 nodes");
    o.nodes = 0;
    assert_error_contains(ctx, vgae_graph_generate(ctx, &o, &g), "number of nodes must be");
    o = vgae_generate_defaults(VGAE_GENERATE_SBM);
    o.nodes = 100;
    o.edges = 200;
    o.blocks = 101;
    assert_error_contains(ctx, vgae_graph_generate(ctx, &o, &g), "number of blocks must be 1..100");
    o.blocks = 2;
    o.inside = -0.5;
    assert_error_contains(ctx, vgae_graph_generate(ctx, &o, &g), "fraction of edges inside blocks");
    o.kind = (vgae_generator)9;
    assert_error_contains(ctx, vgae_graph_generate(ctx, &o, &g), "unknown graph generator 9");
    assert_null(g);
    vgae_generator k;
    assert_error_contains(ctx, vgae_generator_from_name(ctx, "gnp", &k), "unknown graph generator 'gnp'");
    for (int i = VGAE_GENERATE_GNM; i <= VGAE_GENERATE_GEO; i++) {
        assert_int_equal(vgae_generator_from_name(ctx, vgae_generator_name((vgae_generator)i), &k), VGAE_OK);
        assert_int_equal((int)k, i);
    }
}

/* A copy has the same adjacency, names and report, and is its own. */
static void graph_copy(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL, *c = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("names.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_int_equal(vgae_graph_copy(ctx, g, &c), VGAE_OK);
    assert_int_equal(vgae_graph_checksum(c), vgae_graph_checksum(g));
    assert_int_equal(c->report.self_loops_dropped, g->report.self_loops_dropped);
    assert_int_equal(c->report.weighted, 1);
    for (int32_t i = 0; i < g->n; i++) {
        assert_string_equal(c->names[i], g->names[i]);
        assert_true(c->names[i] != g->names[i]);
    }
    vgae_graph_free(g);
    assert_int_equal(vgae_graph_has_edge(c, 0, 1), 1);
    vgae_graph_free(c);
}

/* The classical scores on a small graph, by hand and against dense matrix
 * computations: 0-1, 0-2, 1-2, 1-3, 2-3, 3-4. For (0, 3): N(0) = {1, 2},
 * N(3) = {1, 2, 4}, both common neighbours have degree 3. */
static void heuristics_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    static const int32_t edges[] = {0, 1, 0, 2, 1, 2, 1, 3, 2, 3, 3, 4};
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 5, 6, edges, 0, &g), VGAE_OK);
    const vgae_pair pairs[] = {{0, 3}, {0, 4}, {1, 2}, {3, 4}};
    double s[4];
    const struct { vgae_heuristic h; double want; } local[] = {
        {VGAE_HEURISTIC_CN, 2}, {VGAE_HEURISTIC_JACCARD, 2.0 / 3}, {VGAE_HEURISTIC_AA, 2 / log(3.0)},
        {VGAE_HEURISTIC_RA, 2.0 / 3}, {VGAE_HEURISTIC_PA, 6}};
    for (size_t k = 0; k < sizeof local / sizeof local[0]; k++) {
        assert_int_equal(vgae_heuristic_score(ctx, g, local[k].h, NULL, pairs, 4, s), VGAE_OK);
        if (fabs(s[0] - local[k].want) > 1e-15 * local[k].want)
            fail_msg("%s(0, 3) = %.17g, want %.17g", vgae_heuristic_name(local[k].h), s[0], local[k].want);
    }
    /* (0, 4) share nothing */
    assert_int_equal(vgae_heuristic_score(ctx, g, VGAE_HEURISTIC_RA, NULL, pairs, 4, s), VGAE_OK);
    assert_true(s[1] == 0);
    /* Katz and PPR against the dense definitions */
    double A[5][5] = {{0}}, P[5][5], W[5][5] = {{0}};
    for (int e = 0; e < 6; e++) {
        A[edges[2 * e]][edges[2 * e + 1]] = 1;
        A[edges[2 * e + 1]][edges[2 * e]] = 1;
    }
    vgae_heuristic_options o = vgae_heuristic_defaults();
    o.katz_beta = 0.1;
    assert_int_equal(vgae_heuristic_score(ctx, g, VGAE_HEURISTIC_KATZ, &o, pairs, 4, s), VGAE_OK);
    for (int k = 0; k < 4; k++) {
        const int u = pairs[k].u, v = pairs[k].v;
        double walks[5], next[5], katz = 0, weight = 1;
        for (int i = 0; i < 5; i++)
            walks[i] = i == u;
        for (int l = 1; l <= 3; l++) {
            weight *= 0.1;
            for (int i = 0; i < 5; i++) {
                next[i] = 0;
                for (int j = 0; j < 5; j++)
                    next[i] += A[i][j] * walks[j];
            }
            memcpy(walks, next, sizeof walks);
            katz += weight * walks[v];
        }
        if (fabs(s[k] - katz) > 1e-15)
            fail_msg("katz(%d, %d) = %.17g, dense %.17g", u, v, s[k], katz);
    }
    /* PPR: pi_u = alpha e_u + (1 - alpha) pi_u W, by 300 iterations; push stops at
     * residuals below epsilon deg, which leaves pi_u(v) within epsilon deg(v) */
    for (int i = 0; i < 5; i++) {
        double d = 0;
        for (int j = 0; j < 5; j++)
            d += A[i][j];
        for (int j = 0; j < 5; j++)
            W[i][j] = A[i][j] / d;
    }
    for (int u = 0; u < 5; u++) {
        double pi[5] = {0}, nx[5];
        for (int it = 0; it < 300; it++) {
            for (int j = 0; j < 5; j++) {
                nx[j] = j == u ? o.ppr_alpha : 0;
                for (int i = 0; i < 5; i++)
                    nx[j] += (1 - o.ppr_alpha) * pi[i] * W[i][j];
            }
            memcpy(pi, nx, sizeof pi);
        }
        memcpy(P[u], pi, sizeof pi);
    }
    o.ppr_epsilon = 1e-7;
    assert_int_equal(vgae_heuristic_score(ctx, g, VGAE_HEURISTIC_PPR, &o, pairs, 4, s), VGAE_OK);
    for (int k = 0; k < 4; k++) {
        const int u = pairs[k].u, v = pairs[k].v;
        const double want = P[u][v] + P[v][u];
        const double bound = o.ppr_epsilon * (double)(g->rowptr[u + 1] - g->rowptr[u] + g->rowptr[v + 1] - g->rowptr[v]);
        if (fabs(s[k] - want) > bound)
            fail_msg("ppr(%d, %d) = %.17g, dense %.17g (bound %g)", u, v, s[k], want, bound);
    }
    vgae_heuristic h;
    assert_int_equal(vgae_heuristic_from_name(ctx, "katz", &h), VGAE_OK);
    assert_int_equal(h, VGAE_HEURISTIC_KATZ);
    assert_error_contains(ctx, vgae_heuristic_from_name(ctx, "simrank", &h), "unknown heuristic 'simrank'");
    const vgae_pair outside = {0, 5};
    assert_error_contains(ctx, vgae_heuristic_score(ctx, g, VGAE_HEURISTIC_CN, NULL, &outside, 1, s), "not of the graph's 5 nodes");
    vgae_graph_free(g);
}

/* Katz and PPR give the same scores on 1 and 2 threads. */
static void heuristics_independent_of_threads(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = generated_graph(ctx, VGAE_GENERATE_BA, 2000, 8000);
    enum { N = 3000 };
    vgae_pair *pairs = malloc(sizeof *pairs * N);
    vgae_rng r;
    vgae_rng_init(&r, 4, 0);
    for (int k = 0; k < N; k++) {
        int32_t a = (int32_t)vgae_rng_below(&r, 2000), b = (int32_t)vgae_rng_below(&r, 2000);
        pairs[k] = (vgae_pair){a < b ? a : b, a < b ? b : a + (a == b)};
        if (pairs[k].v >= 2000)
            pairs[k] = (vgae_pair){0, 1};
    }
    double *s1 = malloc(sizeof *s1 * N), *s2 = malloc(sizeof *s2 * N);
    for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++) {
        vgae_ctx_set_threads(ctx, 1);
        assert_int_equal(vgae_heuristic_score(ctx, g, (vgae_heuristic)h, NULL, pairs, N, s1), VGAE_OK);
        vgae_ctx_set_threads(ctx, 2);
        assert_int_equal(vgae_heuristic_score(ctx, g, (vgae_heuristic)h, NULL, pairs, N, s2), VGAE_OK);
        assert_memory_equal(s1, s2, sizeof *s1 * N);
    }
    vgae_ctx_set_threads(ctx, 1);
    free(s1);
    free(s2);
    free(pairs);
    vgae_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heuristics_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(heuristics_independent_of_threads, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(graph_copy, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(undirected_pairs_are_cleaned, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(directed_pairs_are_symmetrized, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(rows_are_sorted_on_a_larger_graph, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(large_pair_lists_sort_like_qsort, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(pair_out_of_range_is_an_error, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_ncol_with_names_and_weights, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_lgl, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_graphml, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_directed_gml, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_pajek, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_edgelist, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_mtx_plain_and_gzip_alike, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_directed_weighted_mtx, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(explicit_format_overrides_extension, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(components_are_counted, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(format_names_round_trip, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(non_edge_batches_match_one_at_a_time, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(generator_refuses_bad_options, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
