/* `vgae datasets`: the datasets that --dataset NAME finds, with their sizes and folders. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    int json;
} datasets_args;

static const cli_opt datasets_table[] = {
    {"--json", NULL, CLI_FLAG, .dest = offsetof(datasets_args, json), .help = "one JSON object"},
    {NULL},
};

static const cli_command datasets_command = {
    .name = "datasets",
    .usage = "Usage: vgae datasets [--json]",
    .about = "Lists the datasets that --dataset NAME finds: the folders holding\n"
             "adjacency.mtx[.gz] under the folders of $VGAE_DATA (colon-separated), then\n"
             "./datasets, then the source tree's datasets/ and the installed\n"
             "share/vgae/datasets; the first folder of a name is the one used. For each:\n"
             "nodes, undirected edges, feature columns (- when there are none), classes of\n"
             "the labels (- when there are none) and the folder. Notes on a dataset (PubMed's\n"
             "missing features) follow the table.\n",
    .examples = "  vgae datasets\n"
                "  vgae datasets --json\n",
    .groups = (const cli_group[]){{"Options", datasets_table, 0}, {NULL}},
};

int cmd_datasets(int argc, char **argv)
{
    datasets_args a = {0};
    vgae_ctx *ctx;
    vgae_dataset_entry *list = NULL;
    vgae_dataset **sets = NULL;
    int n = 0, rc = CLI_OK;
    const char *search = getenv("VGAE_DATA");
    int r = cli_parse(&datasets_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (!(ctx = cli_ctx_new(1, 1)))
        return CLI_ERROR;
    if (vgae_dataset_list(ctx, search, &list, &n)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    sets = calloc((size_t)n + 1, sizeof *sets);
    if (!sets) {
        rc = CLI_ERROR;
        fprintf(stderr, "vgae: out of memory\n");
        goto done;
    }
    /* load them all first: a broken dataset is an error before any output */
    for (int i = 0; i < n; i++) {
        vgae_dataset_source src = {list[i].name, NULL, NULL, NULL, VGAE_FORMAT_AUTO};
        if (vgae_dataset_load(ctx, &src, search, &sets[i])) {
            rc = cli_lib_error(ctx);
            goto done;
        }
    }
    if (a.json) {
        printf("{\"datasets\":[");
        for (int i = 0; i < n; i++) {
            const vgae_dataset *d = sets[i];
            printf("%s{\"name\":", i ? "," : "");
            cli_json_string(list[i].name);
            printf(",\"nodes\":%d,\"edges\":%lld,\"features\":%d,\"classes\":%d,\"folder\":", d->graph->n,
                   (long long)d->graph->n_edges, d->features ? d->features->cols : 0,
                   d->labels ? d->labels->n_classes : 0);
            cli_json_string(list[i].dir);
            printf(",\"note\":");
            if (d->note)
                cli_json_string(d->note);
            else
                printf("null");
            printf("}");
        }
        printf("]}\n");
        goto done;
    }
    if (n == 0) {
        printf("no datasets found (searched $VGAE_DATA, ./datasets and %s)\n", vgae_dataset_builtin_dirs());
        goto done;
    }
    {
        int wname = 4;
        for (int i = 0; i < n; i++)
            if ((int)strlen(list[i].name) > wname)
                wname = (int)strlen(list[i].name);
        printf("%-*s  %7s  %8s  %8s  %7s  %s\n", wname, "name", "nodes", "edges", "features", "classes",
               "folder");
        for (int i = 0; i < n; i++) {
            const vgae_dataset *d = sets[i];
            char feat[16] = "-", cls[16] = "-";
            if (d->features)
                snprintf(feat, sizeof feat, "%d", d->features->cols);
            if (d->labels)
                snprintf(cls, sizeof cls, "%d", d->labels->n_classes);
            printf("%-*s  %7d  %8lld  %8s  %7s  %s\n", wname, list[i].name, d->graph->n,
                   (long long)d->graph->n_edges, feat, cls, list[i].dir);
        }
        for (int i = 0; i < n; i++)
            if (sets[i]->note)
                printf("\nnote: %s\n", sets[i]->note);
    }
done:
    for (int i = 0; sets && i < n; i++)
        vgae_dataset_free(sets[i]);
    free(sets);
    vgae_dataset_list_free(list, n);
    vgae_ctx_free(ctx);
    return rc;
}
