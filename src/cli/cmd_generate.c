/* `vgae generate`: a random graph from igraph's generators, written as MatrixMarket. */
#include <stdio.h>
#include <string.h>

#include <igraph.h>

#include "cli/cli.h"
#include "vgae/generate.h"

static const char generate_help[] =
    "Usage: vgae generate KIND --nodes N --edges M [options] -o FILE\n"
    "\n"
    "Makes a random simple undirected graph with igraph's generators and writes it\n"
    "as a MatrixMarket pattern file that --graph reads (FILE.gz: gzip-compressed).\n"
    "\n"
    "Kinds:\n"
    "  gnm    Erdos-Renyi G(n, m): exactly M edges, uniformly among all pairs\n"
    "  ba     Barabasi-Albert: each new node links to M/N earlier nodes, chosen in\n"
    "         proportion to their degree (N*k - k(k+1)/2 edges for k = M/N)\n"
    "  sbm    stochastic block model: --blocks equal blocks, about M edges, a\n"
    "         fraction --inside of them within blocks\n"
    "  geo    random geometric graph: N points on the unit torus, about M edges\n"
    "         between the points closer than the radius that gives M on average\n"
    "\n"
    "Options:\n"
    "  --nodes N          number of nodes (required)\n"
    "  --edges M          number of edges (required; expected number for sbm, geo)\n"
    "  --seed S           seed of igraph's generator (42); the same seed gives the\n"
    "                     same file with the same igraph version\n"
    "  --blocks K         sbm: number of blocks (10)\n"
    "  --inside F         sbm: expected fraction of the edges inside blocks (0.9)\n"
    "  -o, --output FILE  where to write (whole or not at all); - for standard output\n"
    "  --quiet            no summary line\n"
    "  -h, --help         this help\n";

/* The option values as given (NULL: not given). */
typedef struct given {
    const char *kind, *nodes, *edges, *seed, *blocks, *inside, *output;
} given;

/* Checks and converts the values into *o; prints a usage error and returns -1 if one is bad. */
static int parse_values(const char *cmd, vgae_ctx *ctx, const given *a, vgae_generate_options *o)
{
    vgae_generator kind;
    long v;
    if (!a->kind)
        return cli_usage_error(cmd, "give the kind of graph: gnm, ba, sbm or geo"), -1;
    if (vgae_generator_from_name(ctx, a->kind, &kind))
        return cli_usage_error(cmd, "%s", vgae_ctx_message(ctx)), -1;
    if (!a->nodes || !a->edges)
        return cli_usage_error(cmd, "give the size with --nodes N and --edges M"), -1;
    if (!a->output)
        return cli_usage_error(cmd, "give the file to write with -o FILE (- for standard output)"), -1;
    if ((a->blocks || a->inside) && kind != VGAE_GENERATE_SBM)
        return cli_usage_error(cmd, "--blocks and --inside are for sbm, not %s", a->kind), -1;
    *o = vgae_generate_defaults(kind);
    if (cli_parse_int(cmd, "--nodes", a->nodes, 1, INT32_MAX - 1, &v))
        return -1;
    o->nodes = v;
    if (cli_parse_int(cmd, "--edges", a->edges, 1, INT32_MAX, &v))
        return -1;
    o->edges = v;
    if (a->seed && cli_parse_int(cmd, "--seed", a->seed, 0, INT32_MAX, &v))
        return -1;
    if (a->seed)
        o->seed = (uint64_t)v;
    if (a->blocks && cli_parse_int(cmd, "--blocks", a->blocks, 1, INT32_MAX, &v))
        return -1;
    if (a->blocks)
        o->blocks = v;
    if (a->inside && cli_parse_double(cmd, "--inside", a->inside, 0, 1, &o->inside))
        return -1;
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    const char *cmd = "generate";
    given a = {0};
    int quiet = 0;
    for (int i = 1; i < argc;) {
        static const char *const names[] = {"--output", "-o", "--nodes", "--edges", "--seed",
                                            "--blocks", "--inside"};
        const char **slots[] = {&a.output, &a.output, &a.nodes, &a.edges, &a.seed, &a.blocks,
                                &a.inside};
        int r = 0;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            fputs(generate_help, stdout);
            return CLI_OK;
        }
        if (cli_take_flag(argv, &i, "--quiet")) {
            quiet = 1;
            continue;
        }
        for (size_t k = 0; k < sizeof names / sizeof names[0] && !r; k++)
            r = cli_take_value(cmd, argc, argv, &i, names[k], slots[k]);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        if (argv[i][0] == '-' || a.kind)
            return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        a.kind = argv[i++];
    }
    vgae_ctx *ctx = cli_ctx_new(quiet);
    if (!ctx)
        return CLI_ERROR;
    vgae_generate_options o;
    if (parse_values(cmd, ctx, &a, &o)) {
        vgae_ctx_free(ctx);
        return CLI_USAGE;
    }

    /* the file says how to make it again */
    char comment[256], extra[80] = "";
    int major, minor, patch;
    igraph_version(NULL, &major, &minor, &patch);
    if (o.kind == VGAE_GENERATE_SBM)
        snprintf(extra, sizeof extra, " --blocks %lld --inside %.17g", (long long)o.blocks, o.inside);
    snprintf(comment, sizeof comment, "vgae generate %s --nodes %lld --edges %lld --seed %llu%s "
             "(igraph %d.%d.%d)", a.kind, (long long)o.nodes, (long long)o.edges,
             (unsigned long long)o.seed, extra, major, minor, patch);
    vgae_graph *graph = NULL;
    int rc = CLI_OK;
    if (vgae_graph_generate(ctx, &o, &graph) || vgae_graph_write_mtx(ctx, graph, a.output, comment)) {
        rc = cli_lib_error(ctx);
    } else {
        cli_notes_flush(!quiet);
        if (!quiet && strcmp(a.output, "-") != 0)
            printf("%s graph: %d nodes, %lld edges, written to %s\n", a.kind, graph->n,
                   (long long)graph->n_edges, a.output);
    }
    vgae_graph_free(graph);
    vgae_ctx_free(ctx);
    return rc;
}
