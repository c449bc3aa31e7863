/* `vgae info`: what a graph, its features and labels hold, or what a model file holds; one key: value per line. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    cli_data_opts data;
    const char *model;
    int quiet;
} info_args;

static const cli_opt info_table[] = {
    {"--model", NULL, CLI_STRING, "MODEL", .dest = offsetof(info_args, model),
     .help = "print what a model file holds instead"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(info_args, quiet), .help = "no notes on stderr"},
    {NULL},
};

static const cli_command info_command = {
    .name = "info",
    .usage = "Usage: vgae info (--dataset NAME | --graph PATH) [options]\n"
             "       vgae info --model MODEL",
    .about = "Reads a graph (and its features and labels, if any), cleans it into a simple\n"
             "undirected graph and prints one 'key: value' line per figure:\n"
             "  nodes, edges (undirected, after cleaning), self_loops_dropped, duplicates_dropped,\n"
             "  isolated_nodes, components (connected, by igraph), largest_component,\n"
             "  max_degree, mean_degree, features (rows x cols, nonzeros) and classes.\n"
             "\n"
             "With --model, prints what a model file of any kind holds: its metadata (model,\n"
             "sizes, training options, seed, checksums, the figures training reported, where\n"
             "the data came from), its tensors and its split.\n",
    .groups = (const cli_group[]){{"Data (one of --dataset or --graph)", cli_data_table,
                                   offsetof(info_args, data)},
                                  {"Other options", info_table, 0},
                                  {NULL}},
    .examples = "  vgae info --dataset cora\n"
                "  vgae info --graph edges.txt.gz --format edgelist\n",
};

static int info_model(const char *path)
{
    vgae_ctx *ctx = cli_ctx_new(1, 1);
    vgae_model_file *f = NULL;
    if (!ctx)
        return CLI_ERROR;
    if (vgae_model_file_read(ctx, path, &f)) {
        int rc = cli_lib_error(ctx);
        vgae_ctx_free(ctx);
        return rc;
    }
    printf("model: %s\nformat_version: %d\n", path, vgae_model_file_version(f));
    /* the metadata lines "key value" as "key: value" */
    for (const char *line = vgae_model_file_meta_text(f); *line;) {
        const char *end = strchr(line, '\n'), *space = strchr(line, ' ');
        if (!end)
            end = line + strlen(line);
        if (space && space < end)
            printf("%.*s: %.*s\n", (int)(space - line), line, (int)(end - space - 1), space + 1);
        line = *end ? end + 1 : end;
    }
    for (int t = 0; t < vgae_model_file_tensors(f); t++)
        printf("tensor: %s %lld x %lld\n", vgae_model_file_tensor_name(f, t),
               (long long)vgae_model_file_tensor(f, t)->rows,
               (long long)vgae_model_file_tensor(f, t)->cols);
    const vgae_split *s = vgae_model_file_split(f);
    if (s)
        printf("split: %lld train, %lld + %lld validation, %lld + %lld test pairs\n",
               (long long)s->n_train, (long long)s->n_val, (long long)s->n_val,
               (long long)s->n_test, (long long)s->n_test);
    if (s && s->n_hard)
        printf("hard_negatives: %lld per held-out edge\n", (long long)s->n_hard);
    vgae_model_file_free(f);
    vgae_ctx_free(ctx);
    return CLI_OK;
}

int cmd_info(int argc, char **argv)
{
    info_args a = {0};
    int r = cli_parse(&info_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (a.model) {
        if (a.data.dataset || a.data.graph || a.data.features || a.data.labels ||
            a.data.format != VGAE_FORMAT_AUTO)
            return cli_usage_error("info", "give --model or the data options, not both");
        return info_model(a.model);
    }
    vgae_ctx *ctx = cli_ctx_new(a.quiet, 1);
    vgae_dataset *ds = NULL;
    int64_t components = 0, largest = 0, max_degree = 0;
    if (!ctx)
        return CLI_ERROR;
    int rc = cli_load_dataset("info", ctx, &a.data, &ds);
    if (rc)
        goto done;
    if (vgae_graph_components(ctx, ds->graph, &components, &largest)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    const vgae_graph *g = ds->graph;
    const vgae_graph_report *rep = &g->report;
    for (int32_t v = 0; v < g->n; v++)
        if (g->rowptr[v + 1] - g->rowptr[v] > max_degree)
            max_degree = g->rowptr[v + 1] - g->rowptr[v];
    printf("graph: %s\n", ds->graph_path);
    printf("format: %s%s\n", vgae_graph_format_name(ds->format), g->names ? " (named nodes)" : "");
    printf("nodes: %d\n", g->n);
    printf("edges: %lld\n", (long long)g->n_edges);
    printf("self_loops_dropped: %lld\n", (long long)rep->self_loops_dropped);
    printf("duplicates_dropped: %lld\n", (long long)rep->duplicates_dropped);
    if (rep->directed)
        printf("reciprocal_pairs_merged: %lld\n", (long long)rep->reciprocal_merged);
    if (rep->zero_weights_dropped)
        printf("zero_entries_dropped: %lld\n", (long long)rep->zero_weights_dropped);
    if (rep->weighted)
        printf("weights: ignored (edges are present or not)\n");
    printf("isolated_nodes: %lld\n", (long long)vgae_graph_isolated_nodes(g));
    printf("components: %lld\n", (long long)components);
    printf("largest_component: %lld\n", (long long)largest);
    printf("max_degree: %lld\n", (long long)max_degree);
    printf("mean_degree: %.4f\n", g->n ? 2.0 * (double)g->n_edges / g->n : 0.0);
    if (ds->features)
        printf("features: %d x %d, %lld nonzeros\n", ds->features->rows, ds->features->cols,
               (long long)ds->features->nnz);
    if (ds->labels) {
        printf("classes: %d\n", ds->labels->n_classes);
        printf("unlabelled_nodes: %d\n", ds->labels->n_unlabelled);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "vgae: error writing to standard output\n");
        rc = CLI_ERROR;
    }
done:
    cli_notes_flush(rc == CLI_OK);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
