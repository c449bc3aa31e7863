/* `vgae partition`: split a graph's nodes into blocks and P parts (METIS, contiguous, random) and write the parts a process each trains on. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    cli_data_opts data;
    const char *method, *output, *assignment;
    int64_t parts, blocks, seed;
    double val_frac, test_frac;
    int quiet, no_features;
} partition_args;

/* The blocks when --blocks is not given: this many, or one per node of a
 * smaller graph. The same for every P, so that partitions of one graph
 * into 1, 2, 3 or 4 parts train to the same numbers. */
#define DEFAULT_BLOCKS 64

static const cli_opt partition_table[] = {
    {"--parts", "-p", CLI_INT64, "P", 1, 2147483647, offsetof(partition_args, parts),
     .help = "number of parts (required; at most the number of nodes)", .no_default = 1},
    {"--blocks", NULL, CLI_INT64, "K", 1, 2147483647, offsetof(partition_args, blocks),
     .help = "the nodes go into K fixed blocks, and parts are runs of\n"
             "blocks; training sums block by block, so partitions with the\n"
             "same K, method and seed train to the same bits at any P <= K\n"
             "(default: 64, or one per node of a smaller graph)", .no_default = 1},
    {"--method", NULL, CLI_STRING, "M", .dest = offsetof(partition_args, method),
     .help = "metis: METIS recursive bisection, few edges between parts\n"
             "(the default when vgae was built with METIS); contiguous:\n"
             "runs of the file's order; random: a seeded shuffle"},
    {"--seed", NULL, CLI_INT64, "S", 0, 2147483647, offsetof(partition_args, seed),
     .help = "seed of the split, of METIS and of the random method"},
    {"--val-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(partition_args, val_frac),
     .help = "fraction of edges held out for validation"},
    {"--test-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(partition_args, test_frac),
     .help = "fraction of edges held out for test"},
    {"--no-features", NULL, CLI_FLAG, .dest = offsetof(partition_args, no_features),
     .help = "leave the features out (a featureless model)"},
    {"--output", "-o", CLI_STRING, "DIR", .dest = offsetof(partition_args, output),
     .help = "the directory to write: a manifest, the assignment, and a\n"
             "file per part with its rows of the training graph, its\n"
             "features and its held-out pairs (made if missing; an earlier\n"
             "partition there is replaced)"},
    {"--assignment", NULL, CLI_STRING, "FILE", .dest = offsetof(partition_args, assignment),
     .help = "also (or, without -o, only) each node's part, one line per\n"
             "node, as METIS's gpmetis writes; - for standard output"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(partition_args, quiet), .help = "no table"},
    {NULL},
};

static const cli_command partition_command = {
    .name = "partition",
    .usage = "Usage: vgae partition (--dataset NAME | --graph PATH) --parts P [options] -o DIR",
    .about = "Splits the graph's edges for link prediction (once, on the whole graph) and\n"
             "its nodes into P parts for training across processes, and writes a directory\n"
             "with a file per part: a process reads only its own. Prints, per part, its\n"
             "nodes, the edges inside it and its halo (the nodes of other parts it touches:\n"
             "what it must receive in each propagation), then the edge cut. Then train with\n"
             "  mpirun -np P vgae linkpred --partitions DIR [options]\n",
    .groups = (const cli_group[]){{"Data (one of --dataset or --graph)", cli_data_table,
                                   offsetof(partition_args, data)},
                                  {"Partition", partition_table, 0},
                                  {NULL}},
    .examples = "  vgae partition --dataset pubmed --parts 4 -o pubmed.4\n"
                "  vgae partition --graph net.mtx --parts 8 --method random --assignment net.part.8\n",
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
    printf("%s, %d parts of %d blocks: edge cut %lld of %lld edges (%.1f%%); largest part %.3fx the mean\n",
           vgae_partition_method_name(p->method), p->parts, p->blocks, (long long)p->edge_cut, (long long)g->n_edges,
           g->n_edges ? 100.0 * (double)p->edge_cut / (double)g->n_edges : 0.0, (double)most / mean);
}

int cmd_partition(int argc, char **argv)
{
    const char *cmd = "partition";
    partition_args a = {.seed = 42, .val_frac = 0.05, .test_frac = 0.1};
    int r = cli_parse(&partition_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (!a.parts)
        return cli_usage_error(cmd, "give the number of parts with --parts P");
    if (!a.output && !a.assignment)
        return cli_usage_error(cmd, "give the directory to write with -o DIR (or --assignment FILE)");
    if (a.val_frac + a.test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1");
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
    vgae_split *split = NULL;
    int rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    const int32_t n = rc ? 0 : ds->graph->n;
    const int64_t blocks = a.blocks ? a.blocks : n < DEFAULT_BLOCKS ? n : DEFAULT_BLOCKS;
    if (!rc && blocks > n)
        rc = cli_usage_error(cmd, "--blocks %lld is more than the graph's %d nodes", (long long)blocks, n);
    else if (!rc && a.parts > blocks)
        rc = cli_usage_error(cmd, "--parts %lld is more than the %lld blocks%s", (long long)a.parts,
                             (long long)blocks, a.blocks ? "" : " (raise --blocks)");
    if (!rc) {
        vgae_ctx_set_seed(ctx, (uint64_t)a.seed);
        /* the split first, from the split's stream as linkpred draws it:
         * the same seed gives linkpred's split */
        if ((a.output && vgae_split_make(ctx, ds->graph, a.val_frac, a.test_frac, &split)) ||
            vgae_partition_graph(ctx, ds->graph, (int32_t)a.parts, (int32_t)blocks, method, &p) ||
            (a.output && vgae_partition_write_dir(ctx, a.output, ds->graph, a.no_features ? NULL : ds->features,
                                                  split, p)) ||
            (a.assignment && vgae_partition_write(ctx, a.assignment, p)))
            rc = cli_lib_error(ctx);
    }
    if (!rc) {
        cli_notes_flush(!a.quiet);
        if (!a.quiet && !(a.assignment && strcmp(a.assignment, "-") == 0))
            print_partition(p, ds->graph);
    }
    vgae_split_free(split);
    vgae_partition_free(p);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
