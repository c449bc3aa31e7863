/* `vgae info`: what a graph, its features and labels hold, one key: value per line. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char info_help[] =
    "Usage: vgae info (--dataset NAME | --graph PATH) [options]\n"
    "       vgae info --model MODEL\n"
    "\n"
    "Reads a graph (and its features and labels, if any), cleans it into a simple\n"
    "undirected graph and prints one 'key: value' line per figure:\n"
    "  nodes, edges (undirected, after cleaning), self_loops_dropped, duplicates_dropped,\n"
    "  isolated_nodes, components (connected, by igraph), largest_component,\n"
    "  max_degree, mean_degree, features (rows x cols, nonzeros) and classes.\n"
    "\n"
    "%s"
    "\n"
    "With --model, prints what a model file holds: its metadata (model, sizes,\n"
    "training options, seed, checksums, the figures training reported, where the\n"
    "data came from), its tensors and its split.\n"
    "\n"
    "Other options:\n"
    "  --quiet            no notes on stderr\n"
    "  -h, --help         this help\n";

static int info_model(const char *path)
{
    vgae_ctx *ctx = cli_ctx_new(1);
    vgae_model_file *f = NULL;
    if (!ctx)
        return CLI_ERROR;
    if (vgae_model_file_read(ctx, path, &f)) {
        int rc = cli_lib_error(ctx);
        vgae_ctx_free(ctx);
        return rc;
    }
    printf("model: %s\nformat_version: %d\n", path, VGAE_MODEL_FILE_VERSION);
    /* the metadata lines "key value" as "key: value" */
    for (const char *line = f->metadata_text; *line;) {
        const char *end = strchr(line, '\n'), *space = strchr(line, ' ');
        if (!end)
            end = line + strlen(line);
        if (space && space < end)
            printf("%.*s: %.*s\n", (int)(space - line), line, (int)(end - space - 1), space + 1);
        line = *end ? end + 1 : end;
    }
    for (int t = 0; t < f->n_tensors; t++)
        printf("tensor: %s %lld x %lld\n", f->names[t], (long long)f->tensors[t].rows,
               (long long)f->tensors[t].cols);
    printf("split: %lld train, %lld + %lld validation, %lld + %lld test pairs\n",
           (long long)f->split->n_train, (long long)f->split->n_val, (long long)f->split->n_val,
           (long long)f->split->n_test, (long long)f->split->n_test);
    vgae_model_file_free(f);
    vgae_ctx_free(ctx);
    return CLI_OK;
}

int cmd_info(int argc, char **argv)
{
    const char *model = NULL;
    cli_data_opts data = {0};
    vgae_dataset *ds = NULL;
    vgae_ctx *ctx = NULL;
    int quiet = 0, rc = CLI_OK;
    int64_t components = 0, largest = 0, max_degree = 0;

    for (int i = 1; i < argc;) {
        int r;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            printf(info_help, cli_data_help);
            return CLI_OK;
        }
        if (cli_take_flag(argv, &i, "--quiet"))
            quiet = 1;
        else if ((r = cli_take_value("info", argc, argv, &i, "--model", &model)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        }
        else if ((r = cli_take_data_opt("info", argc, argv, &i, &data)) < 0)
            return CLI_USAGE;
        else if (r == 0)
            return cli_usage_error("info", "unknown argument '%s'", argv[i]);
    }
    if (model) {
        if (data.dataset || data.graph || data.features || data.labels)
            return cli_usage_error("info", "give --model or the data options, not both");
        return info_model(model);
    }
    ctx = cli_ctx_new(quiet);
    if (!ctx)
        return CLI_ERROR;
    rc = cli_load_dataset("info", ctx, &data, &ds);
    if (rc)
        goto done;
    if (vgae_graph_components(ctx, ds->graph, &components, &largest)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    {
        const vgae_graph *g = ds->graph;
        const vgae_graph_report *r = &g->report;
        for (int32_t v = 0; v < g->n; v++)
            if (g->rowptr[v + 1] - g->rowptr[v] > max_degree)
                max_degree = g->rowptr[v + 1] - g->rowptr[v];
        printf("graph: %s\n", ds->graph_path);
        printf("format: %s%s\n", vgae_graph_format_name(g->format), g->names ? " (named nodes)" : "");
        printf("nodes: %d\n", g->n);
        printf("edges: %lld\n", (long long)g->n_edges);
        printf("self_loops_dropped: %lld\n", (long long)r->self_loops_dropped);
        printf("duplicates_dropped: %lld\n", (long long)r->duplicates_dropped);
        if (r->directed)
            printf("reciprocal_pairs_merged: %lld\n", (long long)r->reciprocal_merged);
        if (r->zero_weights_dropped)
            printf("zero_entries_dropped: %lld\n", (long long)r->zero_weights_dropped);
        if (r->weighted)
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
