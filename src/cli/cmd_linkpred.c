/* `vgae linkpred`: train VGAE/GAE on an edge split, report test ROC AUC and AP per seed and overall; the training options it shares with `train`. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void cli_duration(char *buf, size_t cap, double seconds)
{
    const long s = seconds > 0 && seconds < 1e9 ? (long)(seconds + 0.5) : 0;
    if (seconds < 9.95)
        snprintf(buf, cap, "%.1f s", seconds > 0 ? seconds : 0.0);
    else if (s >= 3600)
        snprintf(buf, cap, "%ld h %02ld min", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, cap, "%ld min %02ld s", s / 60, s % 60);
    else
        snprintf(buf, cap, "%ld s", s);
}

void cli_on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                  double seconds)
{
    const cli_progress *p = user;
    if (p->history) /* a row lost marks the history: the plot then fails */
        cli_history_add(p->history, p->run, epoch, t->loss, t->kl, val_auc, val_ap);
    if (p->quiet)
        return;
    char run[48] = "", val[64] = "", left[48] = "";
    if (p->runs > 1)
        snprintf(run, sizeof run, "run %d/%d  ", p->run, p->runs);
    if (!isnan(val_auc))
        snprintf(val, sizeof val, "  val AUC %.4f  AP %.4f", val_auc, val_ap);
    const int tty = cli_stderr_is_tty();
    if (tty && epoch < p->epochs) {
        /* the epochs left in this run and the runs after it, at this run's pace */
        const double per = seconds / epoch;
        char d[32];
        cli_duration(d, sizeof d, per * ((p->epochs - epoch) + (double)p->epochs * (p->runs - p->run)));
        snprintf(left, sizeof left, "  %s left", d);
    }
    fprintf(stderr, "%s%sseed %lld  epoch %4d/%d  loss %.5f%s  %6.1f s%s%s", tty ? "\r" : "", run,
            (long long)p->seed, epoch, p->epochs, t->loss, val, seconds, left,
            tty ? (epoch == p->epochs ? "\033[K\n" : "\033[K") : "\n");
    cli_progress_open(tty && epoch < p->epochs);
}

typedef struct {
    cli_data_opts data;
    cli_train_opts train;
    int json, quiet, baselines;
    const char *partitions, *embed;
    int far_rows; /* vgae_far_rows */
} linkpred_args;

static const char *const far_rows_names[] = {"auto", "gather", "fetch", NULL};

static const cli_opt dist_table[] = {
    {"--partitions", NULL, CLI_STRING, "DIR", .dest = offsetof(linkpred_args, partitions),
     .help = "train across processes on the partition vgae partition wrote\n"
             "into DIR (mpirun -np P, P its parts; one process for one\n"
             "part): no --dataset or --graph, the split is the partition's"},
    {"--embed", NULL, CLI_STRING, "FILE", .dest = offsetof(linkpred_args, embed),
     .help = "with --partitions: every node's mean into FILE (the format\n"
             "from its extension: .txt word2vec text, .npy, .mtx)"},
    {"--far-rows", NULL, CLI_CHOICE, .dest = offsetof(linkpred_args, far_rows), .choices = far_rows_names,
     .help = "with --partitions and the sampled loss: the codes of the\n"
             "non-edges' far ends gathered whole on every process, or\n"
             "only the rows they touch fetched (fewer bytes with many\n"
             "processes); auto gathers when a process's non-edges touch\n"
             "half the other rows or more. The same bits either way"},
    {NULL},
};

static const cli_opt runs_table[] = {
    {"--runs", NULL, CLI_INT, "K", 1, 1000, offsetof(cli_train_opts, runs),
     .help = "K runs with seeds S..S+K-1; prints mean and std"},
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(cli_train_opts, threads),
     .help = "threads (the processors not busy with other work); results\n"
             "do not depend on it"},
    {NULL},
};

static const cli_opt baselines_table[] = {
    {"--baselines", NULL, CLI_FLAG, .dest = offsetof(linkpred_args, baselines),
     .help = "also score each run's split with the classical heuristics\n"
             "(as vgae baseline does) and print them beside the model"},
    {NULL},
};

static const cli_opt output_table[] = {
    {"--json", NULL, CLI_FLAG, .dest = offsetof(linkpred_args, json),
     .help = "one JSON object on stdout instead of the table"},
    {"--every", NULL, CLI_INT, "N", 1, 1000000, offsetof(linkpred_args, train.every),
     .help = "progress on stderr every N epochs"},
    {"--plot", NULL, CLI_STRING, "FILE", .dest = offsetof(linkpred_args, train.plot),
     .help = "draw the training loss (and KL) and the validation AUC/AP\n"
             "per reported epoch (--every) into FILE: PNG, or SVG for .svg"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(linkpred_args, quiet),
     .help = "no progress or notes on stderr"},
    {NULL},
};

static const cli_command linkpred_command = {
    .name = "linkpred",
    .usage = "Usage: vgae linkpred (--dataset NAME | --graph PATH) [options]",
    .about = "Link prediction as in Kipf & Welling (2016): hold out edges for validation and\n"
             "test with as many sampled non-edges, train a graph autoencoder on the rest, and\n"
             "score held-out pairs with the decoder (sigmoid(mean_u . mean_v), or the\n"
             "Hadamard MLP's): ROC AUC, average precision, Hits@K against all the set's\n"
             "non-edges (as OGB ranks), and MRR of each held-out edge among its own hard\n"
             "negatives (as HeaRT, Li et al. 2023, ranks).\n",
    .groups = (const cli_group[]){
        {"Data (one of --dataset or --graph)", cli_data_table, offsetof(linkpred_args, data)},
        {"Model and training (the defaults are the 2016 reference implementation's)",
         cli_model_table, offsetof(linkpred_args, train)},
        {"KL schedule (VGAE)", cli_kl_table, offsetof(linkpred_args, train.model.kl)},
        {"Split", cli_split_table, offsetof(linkpred_args, train)},
        {"Runs", runs_table, offsetof(linkpred_args, train)},
        {"Baselines", baselines_table, 0},
        {"Across processes (MPI)", dist_table, 0},
        {"Output", output_table, 0},
        {"Checkpoints", cli_checkpoint_table, offsetof(linkpred_args, train.checkpoint)},
        {NULL}},
    .footer = "The std over runs is the population standard deviation (numpy's default).\n"
              "Hits@K: the fraction of held-out edges scored above the K-th best of the\n"
              "set's non-edges. MRR: the mean of 1 / rank of each held-out edge among its\n"
              "hard negatives (ties count half).\n"
              "Across processes: vgae partition --dataset pubmed --parts 4 -o pubmed.4, then\n"
              "mpirun -np 4 vgae linkpred --partitions pubmed.4 (same seed: the same bits at\n"
              "any number of processes).\n",
    .examples = "  vgae linkpred --dataset cora --runs 10\n"
                "  vgae linkpred --dataset pubmed --recipe tuned --baselines --plot pubmed.png\n",
};

/* The figures of every baseline on a run's split, into base[h * runs + run]. */
static int score_baselines(vgae_ctx *ctx, const vgae_split *split, const vgae_hits_ks *ks,
                           vgae_link_figures *base, int run, int runs)
{
    vgae_graph *train = NULL;
    if (vgae_split_train_graph(ctx, split, &train))
        return cli_lib_error(ctx);
    for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++)
        if (vgae_linkpred_baseline(ctx, split, train, (vgae_heuristic)h, NULL, ks,
                                   &base[h * runs + run])) {
            vgae_graph_free(train);
            return cli_lib_error(ctx);
        }
    vgae_graph_free(train);
    return CLI_OK;
}

static void print_json(const char *name, const cli_train_opts *t, const vgae_graph_ae_options *o,
                       int features, int64_t hard, const vgae_linkpred_result *r,
                       const vgae_link_figures *runs, const vgae_link_figures *base)
{
    printf("{\"dataset\":");
    cli_json_string(name);
    printf(",\"model\":\"%s\",\"loss\":\"%s\",\"features\":%s,\"condition\":\"%s\",\"hard_negatives\":%lld,"
           "\"runs\":[",
           vgae_graph_ae_kind_name(o->kind), vgae_loss_name(o->loss), features ? "true" : "false",
           o->condition ? "labels" : "none", (long long)hard);
    for (int k = 0; k < t->runs; k++) {
        printf("%s{\"seed\":%lld,", k ? "," : "", (long long)(t->seed + k));
        cli_json_metrics(&runs[k], ",");
        cli_json_number("train_seconds", r[k].train_seconds, ",");
        if (o->val_every > 0)
            printf("\"best_epoch\":%d,", r[k].best_epoch);
        printf("\"epochs\":%d}", r[k].epochs);
    }
    printf("],");
    cli_json_summary(runs, t->runs, "");
    if (base) {
        printf(",\"baselines\":{");
        for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++) {
            printf("%s\"%s\":{\"runs\":[", h ? "," : "", vgae_heuristic_name((vgae_heuristic)h));
            for (int k = 0; k < t->runs; k++) {
                printf("%s{\"seed\":%lld,", k ? "," : "", (long long)(t->seed + k));
                cli_json_metrics(&base[h * t->runs + k], "}");
            }
            printf("],");
            cli_json_summary(&base[h * t->runs], t->runs, "}");
        }
        printf("}");
    }
    printf("}\n");
}

static void print_tables(const char *model, const cli_train_opts *t, const vgae_linkpred_result *r,
                         const vgae_link_figures *runs, const vgae_link_figures *base)
{
    cli_table_runs(runs, r, t->runs, t->seed);
    if (t->runs == 1 && !base)
        return;
    const char *names[1 + VGAE_HEURISTIC_COUNT] = {model};
    const vgae_link_figures *figs[1 + VGAE_HEURISTIC_COUNT] = {runs};
    int methods = 1;
    for (int h = 0; base && h < VGAE_HEURISTIC_COUNT; h++, methods++) {
        names[methods] = vgae_heuristic_title((vgae_heuristic)h);
        figs[methods] = &base[h * t->runs];
    }
    printf("\n");
    double seconds = 0;
    for (int k = 0; k < t->runs; k++)
        seconds += r[k].train_seconds / t->runs;
    if (t->runs > 1)
        printf("test figures in %%, mean +- std over %d runs (%.2f s of training per run):\n",
               t->runs, seconds);
    else
        printf("test figures in %% on the same split:\n");
    cli_table_summary("method", names, figs, methods, t->runs);
}

int cmd_linkpred(int argc, char **argv)
{
    const char *cmd = "linkpred";
    linkpred_args a = {.train = cli_train_defaults()};
    const int recipe = cli_apply_recipe(argc, argv, &a.train, 1);
    int r = cli_parse(&linkpred_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    cli_train_opts *t = &a.train;
    if (cli_check_protocol(cmd, &t->protocol))
        return CLI_USAGE;
    if (t->protocol.test_frac == 0)
        return cli_usage_error(cmd, "--test-frac must be above 0: link prediction reports test figures");
    vgae_graph_ae_options o;
    if (cli_train_model(cmd, t, &o))
        return CLI_USAGE;
    if (a.far_rows && !a.partitions)
        return cli_usage_error(cmd, "--far-rows goes with --partitions");
    if (a.embed && !a.partitions)
        return cli_usage_error(cmd, "--embed goes with --partitions (vgae train -o and vgae embed do it for one "
                               "process)");
    if (a.partitions) {
        if (a.data.dataset || a.data.graph)
            return cli_usage_error(cmd, "--partitions holds the graph: no --dataset or --graph");
        if (t->runs != 1 || a.baselines || t->plot || t->checkpoint.path)
            return cli_usage_error(cmd, "--partitions trains one run: no --runs, --baselines, --plot or "
                                   "--checkpoint");
        return cli_linkpred_partitions(cmd, a.partitions, a.embed, (vgae_far_rows)a.far_rows, &o, t, a.quiet, a.json);
    }

    vgae_ctx *ctx = cli_ctx_new(a.quiet, t->threads);
    vgae_dataset *ds = NULL;
    vgae_linkpred_result *results = NULL;
    vgae_link_figures *runs = NULL, *base = NULL;
    vgae_split *split = NULL;
    cli_history history = {0};
    vgae_model_file *resume = NULL;
    vgae_graph_ae *model = NULL;
    if (!ctx)
        return CLI_ERROR;
    int rc = cli_check_outputs(ctx, t->plot, NULL); /* before the runs, not after */
    if (!rc)
        rc = cli_checkpoint_start(ctx, &t->checkpoint, cmd, &resume);
    if (!rc)
        rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    if (rc)
        goto done;
    const int features = o.features && ds->features;
    if (recipe && !features) { /* the recipe's featureless settings, the options on top */
        linkpred_args b = {.train = cli_train_defaults()};
        cli_apply_recipe(argc, argv, &b.train, 0);
        cli_parse(&linkpred_command, argc, argv, &b);
        a.train = b.train;
        if (cli_train_model(cmd, t, &o)) {
            rc = CLI_USAGE;
            goto done;
        }
    }
    const char *name = a.data.dataset ? a.data.dataset : ds->graph_path;
    int64_t hard = 0, split_held = 0, edges = ds->graph->n_edges;
    const int32_t nodes = ds->graph->n;
    if (!ds->features && !t->no_features)
        cli_note("%s has no features: training featureless (X = %s)", name,
                 o.structure_input ? "A" : "I");
    results = calloc((size_t)t->runs, sizeof *results);
    runs = calloc((size_t)t->runs, sizeof *runs);
    base = a.baselines ? calloc((size_t)t->runs * VGAE_HEURISTIC_COUNT, sizeof *base) : NULL;
    if (!results || !runs || (a.baselines && !base)) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    /* with checkpoints the history goes into them, for a --plot after a resume */
    cli_history *kept = t->plot || t->checkpoint.path ? &history : NULL;
    int first = 0; /* the run a checkpoint stopped in */
    for (int k = 0; k < t->runs; k++)
        results[k].figures = vgae_link_figures_none(&o.hits);
    if (resume && (rc = cli_graph_state_read(resume, t->runs, &first, results, kept)))
        goto done;
    cli_graph_state state = {cmd, 0, t->runs, results, kept};
    const vgae_checkpoint_options every = {t->checkpoint.path, t->checkpoint.every, cli_graph_state_meta, &state};
    for (int k = 0; k < t->runs; k++) {
        cli_progress p = {k + 1, t->runs, a.quiet, t->seed + k, o.epochs, kept};
        vgae_ctx_set_seed(ctx, (uint64_t)(t->seed + k));
        state.run = k;
        /* a run before the checkpoint's: its split again (for the baselines), its figures kept */
        if (vgae_linkpred_split(ctx, ds->graph, &t->protocol, &split) ||
            (k >= first && (vgae_graph_ae_new(ctx, &o, ds, split, &model) ||
                            (k == first && resume && vgae_graph_ae_resume(ctx, model, resume)) ||
                            vgae_graph_ae_set_checkpoints(ctx, model, &every)))) {
            rc = cli_lib_error(ctx);
            goto done;
        }
        hard = split->n_hard;
        split_held = split->n_val + split->n_test;
        if (k == t->runs - 1 && !a.baselines) {
            /* the model holds its own split, training graph and features: the
             * last run's fit does not need these (at a million nodes, hundreds of MB) */
            vgae_split_free(split);
            split = NULL;
            vgae_graph_free(ds->graph);
            ds->graph = NULL;
            vgae_csr_free(ds->features);
            ds->features = NULL;
        }
        if (k >= first && vgae_graph_ae_fit(ctx, model, t->every, cli_on_epoch, &p, &results[k])) {
            rc = cli_lib_error(ctx);
            goto done;
        }
        vgae_graph_ae_free(model);
        model = NULL;
        runs[k] = results[k].figures;
        if (a.baselines && (rc = score_baselines(ctx, split, &o.hits, base, k, t->runs)))
            goto done;
        vgae_split_free(split);
        split = NULL;
    }
    if (t->plot) {
        char title[300];
        snprintf(title, sizeof title, "%s on %s", o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", name);
        if ((rc = cli_plot_training(t->plot, &history, title, o.kind == VGAE_MODEL_VGAE, t->threads)))
            goto done;
    }
    cli_notes_flush(!a.quiet);
    if (a.json) {
        print_json(name, t, &o, features, hard, results, runs, base);
    } else {
        char mrr[120] = "no hard negatives, no MRR";
        _Static_assert(VGAE_HARD_AUTO_HELD == 100000, "the line below spells the limit out");
        if (!hard && t->protocol.hard_negatives == VGAE_HARD_AUTO && split_held > VGAE_HARD_AUTO_HELD)
            snprintf(mrr, sizeof mrr, "no hard negatives (over 100,000 held-out edges; "
                     "--hard-negatives K asks for them), no MRR");
        if (hard)
            snprintf(mrr, sizeof mrr, "MRR among %lld hard negatives per held-out edge",
                     (long long)hard);
        printf("%s on %s: %d nodes, %lld edges, %s; %.0f%% of edges for validation, %.0f%% for "
               "test; %s loss, %d epochs; %s; figures in %%\n\n",
               o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", name, nodes, (long long)edges,
               o.condition ? (features ? "with features, conditioned on the labels"
                                       : "featureless, conditioned on the labels")
               : features ? "with features" : "featureless",
               100 * t->protocol.val_frac, 100 * t->protocol.test_frac, vgae_loss_name(o.loss),
               o.epochs, mrr);
        print_tables(o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", t, results, runs, base);
    }
done:
    cli_history_free(&history);
    vgae_model_file_free(resume);
    vgae_graph_ae_free(model);
    vgae_split_free(split);
    free(results);
    free(runs);
    free(base);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
