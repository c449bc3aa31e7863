/* Random graphs from igraph's generators (G(n,m), Barabasi-Albert, SBM, geometric), cleaned into a vgae_graph. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/libguard.h"
#include "graph/from_igraph.h"
#include "vgae/graph/generate.h"

static const char *const generator_names[] = {"gnm", "ba", "sbm", "geo"};
#define PI 3.14159265358979323846
#define N_GENERATORS ((int)(sizeof generator_names / sizeof generator_names[0]))

const char *vgae_generator_name(vgae_generator kind)
{
    int k = (int)kind;
    return k >= 0 && k < N_GENERATORS ? generator_names[k] : "unknown";
}

vgae_status vgae_generator_from_name(vgae_ctx *ctx, const char *name, vgae_generator *out)
{
    for (int k = 0; k < N_GENERATORS; k++)
        if (strcmp(name, generator_names[k]) == 0) {
            *out = (vgae_generator)k;
            return VGAE_OK;
        }
    return vgae_fail(ctx, VGAE_EINVAL, "unknown graph generator '%s' (gnm, ba, sbm or geo)", name);
}

vgae_generate_options vgae_generate_defaults(vgae_generator kind)
{
    vgae_generate_options o = {.kind = kind, .seed = 42, .blocks = 10, .inside = 0.9};
    return o;
}

/* Sizes of `blocks` blocks as equal as possible (the first n % blocks one larger). */
static int64_t block_size(int64_t n, int64_t blocks, int64_t b)
{
    return n / blocks + (b < n % blocks);
}

/* The SBM's probabilities within and between blocks for an expected m edges. */
static vgae_status sbm_probabilities(vgae_ctx *ctx, const vgae_generate_options *o, double *p_in,
                                     double *p_out)
{
    double within = 0.0, between, all = (double)o->nodes * ((double)o->nodes - 1) / 2;
    for (int64_t b = 0; b < o->blocks; b++) {
        double s = (double)block_size(o->nodes, o->blocks, b);
        within += s * (s - 1) / 2;
    }
    between = all - within;
    *p_in = within > 0 ? o->inside * (double)o->edges / within : 0.0;
    *p_out = between > 0 ? (1 - o->inside) * (double)o->edges / between : 0.0;
    if (*p_in > 1 || *p_out > 1 || (within == 0 && o->inside > 0) || (between == 0 && o->inside < 1))
        return vgae_fail(ctx, VGAE_EINVAL,
                         "sbm: %lld edges with %g of them inside %lld blocks of %lld nodes need "
                         "probabilities %g inside and %g between blocks; both must be at most 1",
                         (long long)o->edges, o->inside, (long long)o->blocks, (long long)o->nodes,
                         *p_in, *p_out);
    return VGAE_OK;
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_generate_options *o)
{
    const char *name = vgae_generator_name(o->kind);
    const double pairs = (double)o->nodes * ((double)o->nodes - 1) / 2;
    if (o->kind < VGAE_GENERATE_GNM || o->kind > VGAE_GENERATE_GEO)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown graph generator %d", (int)o->kind);
    if (o->nodes < 1 || o->nodes >= INT32_MAX)
        return vgae_fail(ctx, VGAE_ERANGE, "%s: the number of nodes must be 1..%d, not %lld", name,
                         INT32_MAX - 1, (long long)o->nodes);
    if (o->edges < 1 || o->edges > INT32_MAX)
        return vgae_fail(ctx, VGAE_ERANGE, "%s: the number of edges must be 1..%d, not %lld", name,
                         INT32_MAX, (long long)o->edges);
    if ((double)o->edges > pairs)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: %lld edges do not fit in %lld nodes (at most %.0f)",
                         name, (long long)o->edges, (long long)o->nodes, pairs);
    char rule[160];
    if (o->nodes > vgae_max_nodes(ctx, o->edges))
        return vgae_fail(ctx, VGAE_ERANGE, "%s: %lld nodes for %lld edges is more than the graph "
                         "readers accept (%s)", name, (long long)o->nodes, (long long)o->edges,
                         vgae_max_nodes_rule(ctx, o->edges, rule));
    if (o->kind == VGAE_GENERATE_BA && (o->edges < o->nodes || o->edges / o->nodes >= o->nodes))
        return vgae_fail(ctx, VGAE_EINVAL, "ba: each node brings edges / nodes = %lld edges, which "
                         "must be 1..nodes-1 (%lld edges, %lld nodes)", (long long)(o->edges / o->nodes),
                         (long long)o->edges, (long long)o->nodes);
    if (o->kind == VGAE_GENERATE_SBM && (o->blocks < 1 || o->blocks > o->nodes))
        return vgae_fail(ctx, VGAE_EINVAL, "sbm: the number of blocks must be 1..%lld, not %lld",
                         (long long)o->nodes, (long long)o->blocks);
    if (o->kind == VGAE_GENERATE_SBM && !(o->inside >= 0 && o->inside <= 1))
        return vgae_fail(ctx, VGAE_EINVAL, "sbm: the fraction of edges inside blocks must be in "
                         "[0, 1], not %g", o->inside);
    /* geo: the expected edges of radius r on the unit torus are pairs * pi r^2, r <= 1/2 */
    if (o->kind == VGAE_GENERATE_GEO && (double)o->edges > pairs * PI / 4)
        return vgae_fail(ctx, VGAE_EINVAL, "geo: %lld edges need a radius above 1/2 on the unit "
                         "torus (at most %.0f edges for %lld nodes)", (long long)o->edges,
                         floor(pairs * PI / 4), (long long)o->nodes);
    return VGAE_OK;
}

/* Runs the generator into ig (initialized on IGRAPH_SUCCESS). */
static igraph_error_t run_generator(const vgae_generate_options *o, double p_in, double p_out,
                                    igraph_t *ig)
{
    const igraph_integer_t n = o->nodes, m = o->edges;
    switch (o->kind) {
    case VGAE_GENERATE_GNM:
        return igraph_erdos_renyi_game_gnm(ig, n, m, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS);
    case VGAE_GENERATE_BA:
        /* PSUMTREE: no repeated edges; node i links to min(i, m / n) earlier nodes */
        return igraph_barabasi_game(ig, n, 1.0, m / n, NULL, 0, 1.0, IGRAPH_UNDIRECTED,
                                    IGRAPH_BARABASI_PSUMTREE, NULL);
    case VGAE_GENERATE_GEO:
        return igraph_grg_game(ig, n, sqrt((double)m / ((double)n * ((double)n - 1) / 2) / PI), 1,
                               NULL, NULL);
    case VGAE_GENERATE_SBM: {
        igraph_matrix_t pref;
        igraph_vector_int_t sizes;
        const igraph_integer_t k = o->blocks;
        IGRAPH_CHECK(igraph_matrix_init(&pref, k, k));
        IGRAPH_FINALLY(igraph_matrix_destroy, &pref);
        IGRAPH_CHECK(igraph_vector_int_init(&sizes, k));
        IGRAPH_FINALLY(igraph_vector_int_destroy, &sizes);
        for (igraph_integer_t a = 0; a < k; a++) {
            VECTOR(sizes)[a] = block_size(n, k, a);
            for (igraph_integer_t b = 0; b < k; b++)
                MATRIX(pref, a, b) = a == b ? p_in : p_out;
        }
        /* on an error igraph's handler frees what the FINALLY stack holds */
        IGRAPH_CHECK(igraph_sbm_game(ig, n, &pref, &sizes, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS));
        igraph_vector_int_destroy(&sizes);
        igraph_matrix_destroy(&pref);
        IGRAPH_FINALLY_CLEAN(2);
        return IGRAPH_SUCCESS;
    }
    }
    return IGRAPH_EINVAL;
}

vgae_status vgae_graph_generate(vgae_ctx *ctx, const vgae_generate_options *options,
                                vgae_graph **out)
{
    double p_in = 0, p_out = 0;
    *out = NULL;
    vgae_status st = check_options(ctx, options);
    if (!st && options->kind == VGAE_GENERATE_SBM)
        st = sbm_probabilities(ctx, options, &p_in, &p_out);
    if (st)
        return st;
    const char *name = vgae_generator_name(options->kind);
    vgae_igraph_guard guard;
    igraph_t ig;
    vgae_progress(ctx, "generating", 0, 0);
    vgae_igraph_enter(ctx, &guard, name);
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)options->seed);
    igraph_error_t err = run_generator(options, p_in, p_out, &ig);
    if (err != IGRAPH_SUCCESS) {
        st = vgae_igraph_fail(ctx, err, "generating the graph");
        vgae_fail_prefix(ctx, "%s: ", name);
    } else {
        st = vgae_graph_from_igraph(ctx, &ig, out);
        igraph_destroy(&ig);
    }
    vgae_igraph_leave(&guard);
    if (!st && ((*out)->report.self_loops_dropped || (*out)->report.duplicates_dropped)) {
        st = vgae_fail(ctx, VGAE_EINTERNAL, "%s: igraph made %lld self-loop(s) and %lld repeated "
                       "edge(s)", name, (long long)(*out)->report.self_loops_dropped,
                       (long long)(*out)->report.duplicates_dropped);
        vgae_graph_free(*out);
        *out = NULL;
    }
    if (!st)
        vgae_progress(ctx, "generating", 1, 1);
    return st;
}
