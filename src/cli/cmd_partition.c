/* `vgae partition`: split a graph's nodes into P parts (METIS k-way, contiguous, random) and write each node's part. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    cli_data_opts data;
    const char *method, *output;
    int64_t parts, seed;
    int quiet;
} partition_args;

static const cli_opt partition_table[] = {
    {"--parts", "-p", CLI_INT64, "P", 1, 2147483647, offsetof(partition_args, parts),
     .help = "number of parts (required; at most the number of nodes)", .no_default = 1},
    {"--method", NULL, CLI_STRING, "M", .dest = offsetof(partition_args, method),
     .help = "metis: METIS k-way, fewest edges between parts (the default\n"
             "when vgae was built with METIS); contiguous: nodes in P runs\n"
             "of the file's order; random: a seeded shuffle, P equal parts"},
    {"--seed", NULL, CLI_INT64, "S", 0, 2147483647, offsetof(partition_args, seed),
     .help = "seed of METIS and of the random method"},
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(partition_args, output),
     .help = "where to write, one line per node with its part (0-based),\n"
             "as METIS's gpmetis writes (whole or not at all); - for\n"
             "standard output"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(partition_args, quiet), .help = "no table"},
    {NULL},
};

static const cli_command partition_command = {
    .name = "partition",
    .usage = "Usage: vgae partition (--dataset NAME | --graph PATH) --parts P [options] -o FILE",
    .about = "Splits the graph's nodes into P parts for training across processes and\n"
             "writes each node's part. Prints, per part, its nodes, the edges inside it and\n"
             "its halo (the nodes of other parts it touches: what it must receive in each\n"
             "propagation), then the edge cut.\n",
    .groups = (const cli_group[]){{"Data (one of --dataset or --graph)", cli_data_table,
                                   offsetof(partition_args, data)},
                                  {"Partition", partition_table, 0},
                                  {NULL}},
    .examples = "  vgae partition --dataset pubmed --parts 4 -o pubmed.part.4\n"
                "  vgae partition --graph net.mtx --parts 8 --method random --seed 3 -o net.part.8\n",
};

/* The table a person reads: one row per part, then the cut. */
static void print_partition(const vgae_partition *p, const vgae_graph *g)
{
    int64_t most = 0;
    printf("%6s %10s %12s %10s\n", "part", "nodes", "edges in", "halo");
    for (int32_t k = 0; k < p->parts; k++) {
        printf("%6d %10d %12lld %10lld\n", k, p->sizes[k], (long long)p->inside[k], (long long)p->halo[k]);
        most = p->sizes[k] > most ? p->sizes[k] : most;
    }
    const double mean = (double)g->n / p->parts;
    printf("%s, %d parts: edge cut %lld of %lld edges (%.1f%%); largest part %.3fx the mean\n",
           vgae_partition_method_name(p->method), p->parts, (long long)p->edge_cut, (long long)g->n_edges,
           g->n_edges ? 100.0 * (double)p->edge_cut / (double)g->n_edges : 0.0, (double)most / mean);
}

int cmd_partition(int argc, char **argv)
{
    const char *cmd = "partition";
    partition_args a = {.seed = 42};
    int r = cli_parse(&partition_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (!a.parts)
        return cli_usage_error(cmd, "give the number of parts with --parts P");
    if (!a.output)
        return cli_usage_error(cmd, "give the file to write with -o FILE (- for standard output)");
    vgae_ctx *ctx = cli_ctx_new(a.quiet, 1);
    if (!ctx)
        return CLI_ERROR;
    vgae_partition_method method = vgae_partition_has_metis(NULL) ? VGAE_PARTITION_METIS
                                                                  : VGAE_PARTITION_CONTIGUOUS;
    if (a.method && vgae_partition_method_from_name(ctx, a.method, &method)) {
        int rc = cli_usage_error(cmd, "%s", vgae_ctx_message(ctx));
        vgae_ctx_free(ctx);
        return rc;
    }
    vgae_dataset *ds = NULL;
    vgae_partition *p = NULL;
    int rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    if (!rc && a.parts > ds->graph->n)
        rc = cli_usage_error(cmd, "--parts %lld is more than the graph's %d nodes", (long long)a.parts,
                             ds->graph->n);
    if (!rc) {
        vgae_ctx_set_seed(ctx, (uint64_t)a.seed);
        if (vgae_partition_graph(ctx, ds->graph, (int32_t)a.parts, method, &p) ||
            vgae_partition_write(ctx, a.output, p))
            rc = cli_lib_error(ctx);
    }
    if (!rc) {
        cli_notes_flush(!a.quiet);
        if (!a.quiet && strcmp(a.output, "-") != 0)
            print_partition(p, ds->graph);
    }
    vgae_partition_free(p);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
