/* `vgae linkpred`: train VGAE/GAE on an edge split, report test ROC AUC and AP per seed and overall. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char linkpred_help[] =
    "Usage: vgae linkpred (--dataset NAME | --graph PATH) [options]\n"
    "\n"
    "Link prediction as in Kipf & Welling (2016): hold out edges for validation and\n"
    "test with as many sampled non-edges, train a graph autoencoder on the rest, and\n"
    "score held-out pairs with sigmoid(mean_u . mean_v): ROC AUC and average precision.\n"
    "\n"
    "%s"
    "  --no-features      ignore the features: X = I (automatic when there are none)\n"
    "\n"
    "Model and training (the defaults are the reference implementation's):\n"
    "  --model vgae|gae   variational (default) or plain graph autoencoder\n"
    "  --hidden N         GCN hidden units (32)\n"
    "  --latent N         latent dimensions (16)\n"
    "  --epochs N         Adam steps, one per epoch (200)\n"
    "  --lr X             Adam learning rate (0.01)\n"
    "  --beta X           weight of the KL over the reference's scale 1/N^2 (1)\n"
    "  --loss full|sampled  all N^2 pairs (default) or the training edges and as many\n"
    "                     fresh non-edges each epoch (for large graphs)\n"
    "\n"
    "Split and runs:\n"
    "  --val-frac F       fraction of edges for validation (0.05)\n"
    "  --test-frac F      fraction of edges for test (0.1)\n"
    "  --seed S           seed of the split, weights and noise (42)\n"
    "  --runs K           K runs with seeds S..S+K-1; prints mean and std (1)\n"
    "  --threads T        threads (processors not busy with other work); results do\n"
    "                     not depend on it\n"
    "\n"
    "Output:\n"
    "  --json             one JSON object on stdout instead of the table\n"
    "  --every N          progress on stderr every N epochs (10)\n"
    "  --quiet            no progress or notes on stderr\n"
    "  -h, --help         this help\n"
    "\n"
    "The std over runs is the population standard deviation (numpy's default).\n";

static void mean_std(const vgae_linkpred_result *r, int n, size_t offset, double *mean, double *std)
{
    double s = 0, ss = 0;
    for (int k = 0; k < n; k++)
        s += *(const double *)((const char *)&r[k] + offset);
    *mean = s / n;
    for (int k = 0; k < n; k++) {
        double d = *(const double *)((const char *)&r[k] + offset) - *mean;
        ss += d * d;
    }
    *std = sqrt(ss / n);
}

static void print_json(const char *name, const vgae_model_options *o, int features, long seed,
                       const vgae_linkpred_result *r, int runs)
{
    printf("{\"dataset\":");
    cli_json_string(name);
    printf(",\"model\":\"%s\",\"loss\":\"%s\",\"features\":%s,\"runs\":[",
           o->kind == VGAE_MODEL_GAE ? "gae" : "vgae", o->loss == VGAE_LOSS_SAMPLED ? "sampled" : "full",
           features ? "true" : "false");
    for (int k = 0; k < runs; k++) {
        printf("%s{\"seed\":%ld,", k ? "," : "", seed + k);
        cli_json_number("test_auc", r[k].test_auc, ",");
        cli_json_number("test_ap", r[k].test_ap, ",");
        cli_json_number("val_auc", r[k].val_auc, ",");
        cli_json_number("val_ap", r[k].val_ap, ",");
        cli_json_number("train_seconds", r[k].train_seconds, ",");
        printf("\"epochs\":%d}", r[k].epochs);
    }
    double m_auc, s_auc, m_ap, s_ap;
    mean_std(r, runs, offsetof(vgae_linkpred_result, test_auc), &m_auc, &s_auc);
    mean_std(r, runs, offsetof(vgae_linkpred_result, test_ap), &m_ap, &s_ap);
    printf("],\"mean\":{");
    cli_json_number("test_auc", m_auc, ",");
    cli_json_number("test_ap", m_ap, "},\"std\":{");
    cli_json_number("test_auc", s_auc, ",");
    cli_json_number("test_ap", s_ap, "}}\n");
}

static void print_table(const vgae_linkpred_result *r, int runs, long seed)
{
    printf("%4s %8s %9s %9s %9s %9s %7s %9s\n", "run", "seed", "test AUC", "test AP", "val AUC",
           "val AP", "epochs", "seconds");
    for (int k = 0; k < runs; k++)
        printf("%4d %8ld %9.4f %9.4f %9.4f %9.4f %7d %9.2f\n", k + 1, seed + k, r[k].test_auc,
               r[k].test_ap, r[k].val_auc, r[k].val_ap, r[k].epochs, r[k].train_seconds);
    if (runs > 1) {
        double m_auc, s_auc, m_ap, s_ap, m_t, s_t;
        mean_std(r, runs, offsetof(vgae_linkpred_result, test_auc), &m_auc, &s_auc);
        mean_std(r, runs, offsetof(vgae_linkpred_result, test_ap), &m_ap, &s_ap);
        mean_std(r, runs, offsetof(vgae_linkpred_result, train_seconds), &m_t, &s_t);
        printf("\nmean +- std over %d runs: test AUC %.4f +- %.4f, test AP %.4f +- %.4f, "
               "%.2f s per run\n", runs, m_auc, s_auc, m_ap, s_ap, m_t);
    }
}

int cmd_linkpred(int argc, char **argv)
{
    const char *cmd = "linkpred";
    cli_data_opts data = {0};
    cli_train_opts t = cli_train_defaults();
    int json = 0, quiet = 0, no_features = 0, rc = CLI_OK;

    for (int i = 1; i < argc;) {
        int r;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            printf(linkpred_help, cli_data_help);
            return CLI_OK;
        }
        if (cli_take_flag(argv, &i, "--json"))
            json = 1;
        else if (cli_take_flag(argv, &i, "--quiet"))
            quiet = 1;
        else if (cli_take_flag(argv, &i, "--no-features"))
            no_features = 1;
        else if ((r = cli_take_data_opt(cmd, argc, argv, &i, &data)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if ((r = cli_take_train_opt(cmd, argc, argv, &i, &t)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else {
            return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        }
    }
    if (t.val_frac + t.test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1");
    if (t.test_frac == 0)
        return cli_usage_error(cmd, "--test-frac must be above 0: link prediction reports test figures");
    const vgae_model_options o = t.model;
    const double val_frac = t.val_frac, test_frac = t.test_frac;
    const long seed = t.seed, runs = t.runs, every = t.every, threads = t.threads;

    vgae_ctx *ctx = cli_ctx_new(quiet);
    vgae_dataset *ds = NULL;
    vgae_linkpred_result *results = NULL;
    if (!ctx)
        return CLI_ERROR;
    vgae_ctx_set_threads(ctx, threads > 0 ? (int)threads : 1);
    rc = cli_load_dataset(cmd, ctx, &data, &ds);
    if (rc)
        goto done;
    const vgae_csr *features = no_features ? NULL : ds->features;
    const char *name = data.dataset ? data.dataset : ds->graph_path;
    if (!features && !no_features)
        cli_note("%s has no features: training featureless (X = I)", name);
    results = calloc((size_t)runs, sizeof *results);
    if (!results) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    for (int k = 0; k < runs; k++) {
        cli_progress p = {k + 1, (int)runs, quiet, seed + k, o.epochs};
        vgae_ctx_set_seed(ctx, (uint64_t)(seed + k));
        if (vgae_linkpred_run(ctx, ds->graph, features, &o, val_frac, test_frac, (int)every,
                              cli_on_epoch, &p, &results[k])) {
            rc = cli_lib_error(ctx);
            goto done;
        }
    }
    cli_notes_flush(!quiet);
    if (json) {
        print_json(name, &o, features != NULL, seed, results, (int)runs);
    } else {
        printf("%s on %s: %d nodes, %lld edges, %s; %.0f%% of edges for validation, %.0f%% for "
               "test; %s loss, %d epochs\n\n",
               o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", name, ds->graph->n,
               (long long)ds->graph->n_edges, features ? "with features" : "featureless",
               100 * val_frac, 100 * test_frac, o.loss == VGAE_LOSS_SAMPLED ? "sampled" : "full",
               o.epochs);
        print_table(results, (int)runs, seed);
    }
done:
    free(results);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
