/* `vgae generate`: a random graph from igraph's generators, written as MatrixMarket. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    const char *kind, *output;
    int64_t nodes, edges, blocks;
    int seed, quiet, sbm_given; /* sbm_given: --blocks or --inside appeared */
    double inside;
} generate_args;

static const cli_opt generate_table[] = {
    {"--nodes", NULL, CLI_INT64, "N", 1, 2147483646, offsetof(generate_args, nodes),
     .help = "number of nodes (required)", .no_default = 1},
    {"--edges", NULL, CLI_INT64, "M", 1, 2147483647, offsetof(generate_args, edges),
     .help = "number of edges (required; the expected number for sbm, geo)", .no_default = 1},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(generate_args, seed),
     .help = "seed of igraph's generator; the same seed gives the\nsame file with the same igraph version"},
    {"--blocks", NULL, CLI_INT64, "K", 1, 2147483647, offsetof(generate_args, blocks),
     .help = "sbm: number of blocks", .track = 1, .given = offsetof(generate_args, sbm_given)},
    {"--inside", NULL, CLI_REAL, "F", 0, 1, offsetof(generate_args, inside),
     .help = "sbm: expected fraction of the edges inside blocks", .track = 1,
     .given = offsetof(generate_args, sbm_given)},
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(generate_args, output),
     .help = "where to write (whole or not at all); - for standard output"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(generate_args, quiet), .help = "no summary line"},
    {NULL},
};

static const cli_command generate_command = {
    .name = "generate",
    .usage = "Usage: vgae generate KIND --nodes N --edges M [options] -o FILE",
    .about = "Makes a random simple undirected graph with igraph's generators and writes it\n"
             "as a MatrixMarket pattern file that --graph reads (FILE.gz: gzip-compressed).\n"
             "\n"
             "Kinds:\n"
             "  gnm    Erdos-Renyi G(n, m): exactly M edges, uniformly among all pairs\n"
             "  ba     Barabasi-Albert: each new node links to M/N earlier nodes, chosen in\n"
             "         proportion to their degree (N*k - k(k+1)/2 edges for k = M/N)\n"
             "  sbm    stochastic block model: --blocks equal blocks, about M edges, a\n"
             "         fraction --inside of them within blocks\n"
             "  geo    random geometric graph: N points on the unit torus, about M edges\n"
             "         between the points closer than the radius that gives M on average\n",
    .groups = (const cli_group[]){{"Options", generate_table, 0}, {NULL}},
    .positional = offsetof(generate_args, kind),
    .has_positional = 1,
    .examples = "  vgae generate ba --nodes 2000 --edges 10000 -o ba.mtx\n"
                "  vgae generate sbm --nodes 1000 --edges 8000 --blocks 4 -o sbm.mtx.gz\n",
};

int cmd_generate(int argc, char **argv)
{
    const char *cmd = "generate";
    vgae_generate_options d = vgae_generate_defaults(VGAE_GENERATE_SBM);
    generate_args a = {.seed = (int)d.seed, .blocks = d.blocks, .inside = d.inside};
    int r = cli_parse(&generate_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    vgae_ctx *ctx = cli_ctx_new(a.quiet, 1);
    if (!ctx)
        return CLI_ERROR;
    vgae_generator kind = VGAE_GENERATE_GNM;
    int rc = CLI_OK;
    if (!a.kind)
        rc = cli_usage_error(cmd, "give the kind of graph: gnm, ba, sbm or geo");
    else if (vgae_generator_from_name(ctx, a.kind, &kind))
        rc = cli_usage_error(cmd, "%s", vgae_ctx_message(ctx));
    else if (!a.nodes || !a.edges)
        rc = cli_usage_error(cmd, "give the size with --nodes N and --edges M");
    else if (!a.output)
        rc = cli_usage_error(cmd, "give the file to write with -o FILE (- for standard output)");
    else if (a.sbm_given && kind != VGAE_GENERATE_SBM)
        rc = cli_usage_error(cmd, "--blocks and --inside are for sbm, not %s", a.kind);
    if (rc) {
        vgae_ctx_free(ctx);
        return rc;
    }
    vgae_generate_options o = vgae_generate_defaults(kind);
    o.nodes = a.nodes;
    o.edges = a.edges;
    o.seed = (uint64_t)a.seed;
    o.blocks = a.blocks;
    o.inside = a.inside;

    /* the file says how to make it again */
    char comment[512], extra[80] = "";
    if (o.kind == VGAE_GENERATE_SBM)
        snprintf(extra, sizeof extra, " --blocks %lld --inside %.17g", (long long)o.blocks, o.inside);
    snprintf(comment, sizeof comment, "vgae generate %s --nodes %lld --edges %lld --seed %llu%s (%s)",
             a.kind, (long long)o.nodes, (long long)o.edges, (unsigned long long)o.seed, extra,
             vgae_dependency_versions());
    vgae_graph *graph = NULL;
    cli_steps_begin(ctx, a.quiet);
    const int failed = vgae_graph_generate(ctx, &o, &graph) || vgae_graph_write_mtx(ctx, graph, a.output, comment);
    cli_steps_end(ctx);
    if (failed) {
        rc = cli_lib_error(ctx);
    } else {
        cli_notes_flush(!a.quiet);
        if (!a.quiet && strcmp(a.output, "-") != 0)
            printf("%s graph: %d nodes, %lld edges, written to %s\n", a.kind, graph->n,
                   (long long)graph->n_edges, a.output);
    }
    vgae_graph_free(graph);
    vgae_ctx_free(ctx);
    return rc;
}
