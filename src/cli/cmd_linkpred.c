/* `vgae linkpred`: train VGAE/GAE on an edge split, report test ROC AUC and AP per seed and overall; the training options it shares with `train`. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const kind_names[] = {"vgae", "gae", NULL};
static const char *const loss_names[] = {"full", "sampled", NULL};

const cli_opt cli_model_table[] = {
    {"--model", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, kind), .choices = kind_names,
     .help = "variational or plain graph autoencoder"},
    {"--hidden", NULL, CLI_INT, "N", 1, 65536, offsetof(cli_train_opts, model.hidden),
     .help = "GCN hidden units"},
    {"--latent", NULL, CLI_INT, "N", 1, 65536, offsetof(cli_train_opts, model.latent),
     .help = "latent dimensions"},
    {"--epochs", NULL, CLI_INT, "N", 0, 1000000, offsetof(cli_train_opts, model.epochs),
     .help = "Adam steps, one per epoch"},
    {"--lr", NULL, CLI_REAL, "X", 1e-12, 1e6, offsetof(cli_train_opts, model.lr),
     .help = "Adam learning rate"},
    {"--beta", NULL, CLI_REAL, "X", 0, 1e12, offsetof(cli_train_opts, model.beta),
     .help = "weight of the KL over the reference's scale 1/N^2"},
    {"--loss", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, loss), .choices = loss_names,
     .help = "all N^2 pairs, or (for large graphs) the training edges\n"
             "and as many fresh non-edges each epoch"},
    {"--no-features", NULL, CLI_FLAG, .dest = offsetof(cli_train_opts, no_features),
     .help = "ignore the features: X = I (automatic when there are none)"},
    {NULL},
};

const cli_opt cli_split_table[] = {
    {"--val-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(cli_train_opts, val_frac),
     .help = "fraction of edges for validation"},
    {"--test-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(cli_train_opts, test_frac),
     .help = "fraction of edges for test"},
    {"--seed", NULL, CLI_INT64, "S", 0, 2147483647, offsetof(cli_train_opts, seed),
     .help = "seed of the split, weights and noise"},
    {NULL},
};

cli_train_opts cli_train_defaults(void)
{
    cli_train_opts t = {.model = vgae_graph_ae_defaults(), .val_frac = 0.05, .test_frac = 0.1,
                        .seed = 42, .runs = 1, .every = 10, .threads = cli_default_threads()};
    t.kind = (int)t.model.kind;
    t.loss = (int)t.model.loss;
    return t;
}

vgae_graph_ae_options cli_train_model(const cli_train_opts *t)
{
    vgae_graph_ae_options o = t->model;
    o.kind = (vgae_graph_ae_kind)t->kind;
    o.loss = (vgae_loss_kind)t->loss;
    o.features = !t->no_features;
    return o;
}

void cli_on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                  double seconds)
{
    const cli_progress *p = user;
    if (p->quiet)
        return;
    char run[48] = "";
    if (p->runs > 1)
        snprintf(run, sizeof run, "run %d/%d  ", p->run, p->runs);
    if (isnan(val_auc))
        fprintf(stderr, "%sseed %lld  epoch %4d/%d  loss %.5f  %6.1f s\n", run, (long long)p->seed, epoch,
                p->epochs, t->loss, seconds);
    else
        fprintf(stderr, "%sseed %lld  epoch %4d/%d  loss %.5f  val AUC %.4f  AP %.4f  %6.1f s\n",
                run, (long long)p->seed, epoch, p->epochs, t->loss, val_auc, val_ap, seconds);
}

typedef struct {
    cli_data_opts data;
    cli_train_opts train;
    int json, quiet;
} linkpred_args;

static const cli_opt runs_table[] = {
    {"--runs", NULL, CLI_INT, "K", 1, 1000, offsetof(cli_train_opts, runs),
     .help = "K runs with seeds S..S+K-1; prints mean and std"},
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(cli_train_opts, threads),
     .help = "threads (the processors not busy with other work); results\n"
             "do not depend on it"},
    {NULL},
};

static const cli_opt output_table[] = {
    {"--json", NULL, CLI_FLAG, .dest = offsetof(linkpred_args, json),
     .help = "one JSON object on stdout instead of the table"},
    {"--every", NULL, CLI_INT, "N", 1, 1000000, offsetof(linkpred_args, train.every),
     .help = "progress on stderr every N epochs"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(linkpred_args, quiet),
     .help = "no progress or notes on stderr"},
    {NULL},
};

static const cli_command linkpred_command = {
    .name = "linkpred",
    .usage = "Usage: vgae linkpred (--dataset NAME | --graph PATH) [options]",
    .about = "Link prediction as in Kipf & Welling (2016): hold out edges for validation and\n"
             "test with as many sampled non-edges, train a graph autoencoder on the rest, and\n"
             "score held-out pairs with sigmoid(mean_u . mean_v): ROC AUC and average precision.\n",
    .groups = (const cli_group[]){
        {"Data (one of --dataset or --graph)", cli_data_table, offsetof(linkpred_args, data)},
        {"Model and training (the defaults are the reference implementation's)", cli_model_table,
         offsetof(linkpred_args, train)},
        {"Split", cli_split_table, offsetof(linkpred_args, train)},
        {"Runs", runs_table, offsetof(linkpred_args, train)},
        {"Output", output_table, 0},
        {NULL}},
    .footer = "The std over runs is the population standard deviation (numpy's default).\n",
};

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

static void print_json(const char *name, const vgae_graph_ae_options *o, int features, int64_t seed,
                       const vgae_linkpred_result *r, int runs)
{
    printf("{\"dataset\":");
    cli_json_string(name);
    printf(",\"model\":\"%s\",\"loss\":\"%s\",\"features\":%s,\"runs\":[",
           vgae_graph_ae_kind_name(o->kind), vgae_loss_name(o->loss), features ? "true" : "false");
    for (int k = 0; k < runs; k++) {
        printf("%s{\"seed\":%lld,", k ? "," : "", (long long)(seed + k));
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

static void print_table(const vgae_linkpred_result *r, int runs, int64_t seed)
{
    printf("%4s %8s %9s %9s %9s %9s %7s %9s\n", "run", "seed", "test AUC", "test AP", "val AUC",
           "val AP", "epochs", "seconds");
    for (int k = 0; k < runs; k++)
        printf("%4d %8lld %9.4f %9.4f %9.4f %9.4f %7d %9.2f\n", k + 1, (long long)(seed + k), r[k].test_auc,
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
    linkpred_args a = {.train = cli_train_defaults()};
    int r = cli_parse(&linkpred_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    const cli_train_opts *t = &a.train;
    if (t->val_frac + t->test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1");
    if (t->test_frac == 0)
        return cli_usage_error(cmd, "--test-frac must be above 0: link prediction reports test figures");
    const vgae_graph_ae_options o = cli_train_model(t);

    vgae_ctx *ctx = cli_ctx_new(a.quiet, t->threads);
    vgae_dataset *ds = NULL;
    vgae_linkpred_result *results = NULL;
    if (!ctx)
        return CLI_ERROR;
    int rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    if (rc)
        goto done;
    const int features = o.features && ds->features;
    const char *name = a.data.dataset ? a.data.dataset : ds->graph_path;
    if (!ds->features && !t->no_features)
        cli_note("%s has no features: training featureless (X = I)", name);
    results = calloc((size_t)t->runs, sizeof *results);
    if (!results) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    for (int k = 0; k < t->runs; k++) {
        cli_progress p = {k + 1, t->runs, a.quiet, t->seed + k, o.epochs};
        vgae_ctx_set_seed(ctx, (uint64_t)(t->seed + k));
        if (vgae_linkpred_run(ctx, ds, &o, t->val_frac, t->test_frac, t->every, cli_on_epoch, &p,
                              &results[k])) {
            rc = cli_lib_error(ctx);
            goto done;
        }
    }
    cli_notes_flush(!a.quiet);
    if (a.json) {
        print_json(name, &o, features, t->seed, results, t->runs);
    } else {
        printf("%s on %s: %d nodes, %lld edges, %s; %.0f%% of edges for validation, %.0f%% for "
               "test; %s loss, %d epochs\n\n",
               o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", name, ds->graph->n,
               (long long)ds->graph->n_edges, features ? "with features" : "featureless",
               100 * t->val_frac, 100 * t->test_frac, vgae_loss_name(o.loss), o.epochs);
        print_table(results, t->runs, t->seed);
    }
done:
    free(results);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
