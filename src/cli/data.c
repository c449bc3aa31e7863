/* The data options every data-reading command takes, and loading what they name. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static vgae_status format_lookup(vgae_ctx *ctx, const char *name, void *dest)
{
    vgae_graph_format f = VGAE_FORMAT_AUTO;
    vgae_status st = vgae_graph_format_from_name(ctx, name, &f);
    if (!st)
        *(int *)dest = (int)f;
    return st;
}

/* --format: a name the library knows (its message lists them). */
static int parse_format(const char *cmd, const char *opt, const char *value, void *dest)
{
    (void)opt;
    return cli_lookup_name(cmd, value, format_lookup, dest);
}

const cli_opt cli_data_table[] = {
    {"--dataset", NULL, CLI_STRING, "NAME", .dest = offsetof(cli_data_opts, dataset),
     .help = "a dataset folder NAME/ found under the folders in $VGAE_DATA\n"
             "(colon-separated), then ./datasets, then the bundled datasets\n"
             "(cora, citeseer, pubmed, karate; 'vgae datasets' lists them)"},
    {"--graph", NULL, CLI_STRING, "PATH", .dest = offsetof(cli_data_opts, graph),
     .help = "a graph file, or a dataset folder holding adjacency.mtx and\n"
             "optionally features.mtx and labels.txt"},
    {"--features", NULL, CLI_STRING, "PATH", .dest = offsetof(cli_data_opts, features),
     .help = "node features, MatrixMarket (coordinate or array), rows = nodes"},
    {"--labels", NULL, CLI_STRING, "PATH", .dest = offsetof(cli_data_opts, labels),
     .help = "node labels, one integer per line, -1 = unknown"},
    {"--format", NULL, CLI_CUSTOM, "FMT", .dest = offsetof(cli_data_opts, format),
     .parse = parse_format,
     .help = "graph format: auto (from the extension; default), mtx, edgelist,\n"
             "ncol, lgl, graphml, gml, pajek. Any file may be gzip-compressed."},
    {"--max-nodes", NULL, CLI_INT64, "N", 1, 2147483647, offsetof(cli_data_opts, max_nodes),
     .help = "a file may imply at most N + 16 nodes per entry (edge, matrix\n"
             "entry, byte of a Pajek file); more is refused before it is\n"
             "allocated (default N: 2^20 = 1048576)", .no_default = 1},
    {"--max-inflated", NULL, CLI_INT64, "BYTES", 1, 9.2e18, offsetof(cli_data_opts, max_inflated),
     .help = "a gzip file may decompress to at most BYTES (default: 256 MiB\n"
             "or 64 times its size, whichever is more)", .no_default = 1},
    {NULL},
};

int cli_load_source(vgae_ctx *ctx, const vgae_dataset_source *src, vgae_dataset **out)
{
    if (vgae_dataset_load(ctx, src, getenv("VGAE_DATA"), out))
        return cli_lib_error(ctx);
    if ((*out)->note)
        cli_note("%s", (*out)->note);
    return CLI_OK;
}

int cli_load_dataset(const char *cmd, vgae_ctx *ctx, const cli_data_opts *o, vgae_dataset **out)
{
    *out = NULL;
    if (!o->dataset == !o->graph)
        return cli_usage_error(cmd, o->dataset ? "give --dataset or --graph, not both"
                                               : "no graph: give --dataset NAME or --graph PATH");
    if (o->dataset && strchr(o->dataset, '/'))
        return cli_usage_error(cmd, "--dataset takes a name, not a path ('%s'); use --graph for a path",
                               o->dataset);
    vgae_dataset_source src = {o->dataset, o->graph, o->features, o->labels,
                               (vgae_graph_format)o->format};
    vgae_ctx_set_max_nodes(ctx, o->max_nodes);
    vgae_ctx_set_max_inflated(ctx, o->max_inflated);
    return cli_load_source(ctx, &src, out);
}
