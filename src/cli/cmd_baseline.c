/* `vgae baseline`: the classical link-prediction heuristics, scored on the training graph of a split with the models' metrics. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    cli_data_opts data;
    cli_train_opts train;
    const char *split, *only;
    int json, quiet, force;
    vgae_heuristic_options h;
} baseline_args;

static const cli_opt baseline_table[] = {
    {"--split", NULL, CLI_STRING, "FILE", .dest = offsetof(baseline_args, split),
     .help = "score this split's held-out pairs (from vgae split); else\n"
             "splits are made as linkpred makes them"},
    {"--force", NULL, CLI_FLAG, .dest = offsetof(baseline_args, force),
     .help = "accept a split made for a graph with another checksum"},
    {"--only", NULL, CLI_STRING, "H,H,...", .dest = offsetof(baseline_args, only),
     .help = "these heuristics only: cn, jaccard, aa, ra, pa, katz, ppr\n"
             "(default: all)"},
    {"--hits", NULL, CLI_CUSTOM, "K,K,...", .dest = offsetof(baseline_args, train.model.hits),
     .parse = cli_parse_hits, .help = "the K of the Hits@K reported (10,20,50,100)", .no_default = 1},
    {"--katz-beta", NULL, CLI_REAL, "X", 1e-9, 1, offsetof(baseline_args, h.katz_beta),
     .help = "Katz's damping per step"},
    {"--katz-length", NULL, CLI_INT, "L", 1, 10, offsetof(baseline_args, h.katz_length),
     .help = "Katz's longest walk"},
    {"--ppr-alpha", NULL, CLI_REAL, "X", 1e-3, 0.999, offsetof(baseline_args, h.ppr_alpha),
     .help = "personalized PageRank's restart probability"},
    {"--ppr-epsilon", NULL, CLI_REAL, "X", 1e-12, 0.1, offsetof(baseline_args, h.ppr_epsilon),
     .help = "personalized PageRank's push threshold per degree (smaller:\n"
             "closer to exact, slower)"},
    {"--runs", NULL, CLI_INT, "K", 1, 1000, offsetof(baseline_args, train.runs),
     .help = "without --split: K splits with seeds S..S+K-1; mean and std"},
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(baseline_args, train.threads),
     .help = "threads; results do not depend on it"},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(baseline_args, json),
     .help = "one JSON object on stdout instead of the table"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(baseline_args, quiet), .help = "no notes"},
    {NULL},
};

static const cli_command baseline_command = {
    .name = "baseline",
    .usage = "Usage: vgae baseline (--dataset NAME | --graph PATH) [--split FILE] [options]",
    .about = "Scores the held-out pairs of a split with the classical link-prediction\n"
             "heuristics, computed on the split's training edges only, with the metrics\n"
             "linkpred reports: ROC AUC, AP, Hits@K against the shared non-edges, and MRR\n"
             "among each held-out edge's hard negatives. The heuristics:\n"
             "  cn       common neighbours |N(u) & N(v)|\n"
             "  jaccard  |N(u) & N(v)| / |N(u) | N(v)|\n"
             "  aa       Adamic-Adar: sum over common neighbours w of 1 / log d(w)\n"
             "  ra       resource allocation: sum over common neighbours w of 1 / d(w)\n"
             "  pa       preferential attachment d(u) d(v)\n"
             "  katz     sum over l = 1..L of beta^l (walks of length l)\n"
             "  ppr      personalized PageRank pi_u(v) + pi_v(u), by local push\n",
    .groups = (const cli_group[]){
        {"Data (one of --dataset or --graph)", cli_data_table, offsetof(baseline_args, data)},
        {"Split (without --split)", cli_split_table, offsetof(baseline_args, train)},
        {"Baselines", baseline_table, 0},
        {NULL}},
    .footer = "The std over runs is the population standard deviation (numpy's default).\n",
    .examples = "  vgae baseline --dataset cora\n"
                "  vgae baseline --graph net.edges --split net.split --json\n",
};

/* The heuristics --only names, as flags; a usage error for an unknown one. */
static int chosen(const char *only, int on[VGAE_HEURISTIC_COUNT])
{
    for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++)
        on[h] = !only;
    if (!only)
        return 0;
    char word[32];
    for (const char *p = only; *p;) {
        size_t len = strcspn(p, ",");
        int found = -1;
        if (len < sizeof word) {
            memcpy(word, p, len);
            word[len] = 0;
            for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++)
                if (strcmp(word, vgae_heuristic_name((vgae_heuristic)h)) == 0)
                    found = h;
        }
        if (found < 0)
            return cli_usage_error("baseline", "--only takes cn, jaccard, aa, ra, pa, katz, ppr "
                                   "separated by commas, not '%s'", only), -1;
        on[found] = 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

int cmd_baseline(int argc, char **argv)
{
    const char *cmd = "baseline";
    baseline_args a = {.train = cli_train_defaults(), .h = vgae_heuristic_defaults()};
    int on[VGAE_HEURISTIC_COUNT];
    int r = cli_parse(&baseline_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    const cli_train_opts *t = &a.train;
    if (cli_check_protocol(cmd, &t->protocol) || chosen(a.only, on))
        return CLI_USAGE;
    if (a.split && t->runs > 1)
        return cli_usage_error(cmd, "--runs makes its own splits: not with --split");
    vgae_ctx *ctx = cli_ctx_new(a.quiet, t->threads);
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    vgae_graph *train = NULL;
    vgae_link_figures *figs = calloc((size_t)t->runs * VGAE_HEURISTIC_COUNT, sizeof *figs);
    if (!ctx || !figs) {
        fprintf(stderr, "vgae: out of memory\n");
        vgae_ctx_free(ctx);
        free(figs);
        return CLI_ERROR;
    }
    int rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    for (int k = 0; !rc && k < t->runs; k++) {
        vgae_ctx_set_seed(ctx, (uint64_t)(t->seed + k));
        if (a.split ? vgae_split_read(ctx, a.split, ds->graph, a.force, &split, NULL)
                    : vgae_linkpred_split(ctx, ds->graph, &t->protocol, &split)) {
            rc = cli_lib_error(ctx);
            break;
        }
        if (split->n_test == 0 && split->n_val == 0) {
            fprintf(stderr, "vgae: %s has no held-out pairs to score\n", a.split ? a.split : "the split");
            rc = CLI_ERROR;
            break;
        }
        if (vgae_split_train_graph(ctx, split, &train))
            rc = cli_lib_error(ctx);
        for (int h = 0; !rc && h < VGAE_HEURISTIC_COUNT; h++)
            if (on[h] && vgae_linkpred_baseline(ctx, split, train, (vgae_heuristic)h, &a.h,
                                                &t->model.hits, &figs[h * t->runs + k]))
                rc = cli_lib_error(ctx);
        vgae_graph_free(train);
        vgae_split_free(split);
        train = NULL;
        split = NULL;
    }
    if (!rc) {
        cli_notes_flush(!a.quiet);
        const char *name = a.data.dataset ? a.data.dataset : ds->graph_path;
        const char *names[VGAE_HEURISTIC_COUNT];
        const vgae_link_figures *rows[VGAE_HEURISTIC_COUNT];
        int n = 0;
        if (a.json) {
            printf("{\"dataset\":");
            cli_json_string(name);
            printf(",\"baselines\":{");
        } else {
            printf("classical baselines on %s, scored on the training graph of %s\n\n", name,
                   a.split ? a.split : t->runs > 1 ? "each run's split" : "the split");
        }
        for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++) {
            if (!on[h])
                continue;
            const vgae_link_figures *f = &figs[h * t->runs];
            if (a.json) {
                printf("%s\"%s\":{\"runs\":[", n ? "," : "", vgae_heuristic_name((vgae_heuristic)h));
                for (int k = 0; k < t->runs; k++) {
                    printf("%s{", k ? "," : "");
                    if (!a.split)
                        printf("\"seed\":%lld,", (long long)(t->seed + k));
                    cli_json_metrics(&f[k], "}");
                }
                printf("],");
                cli_json_summary(f, t->runs, "}");
            }
            names[n] = vgae_heuristic_title((vgae_heuristic)h);
            rows[n++] = f;
        }
        if (a.json)
            printf("}}\n");
        else
            cli_table_summary("method", names, rows, n, t->runs);
    }
    free(figs);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
