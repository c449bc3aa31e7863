/* `vgae train`, `eval`, `embed` and `predict`: the model-file workflow. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* ---- train ---- */

typedef struct {
    cli_data_opts data;
    cli_train_opts train;
    const char *output, *split;
    int json, quiet, force;
} train_args;

static const cli_opt train_split_table[] = {
    {"--split", NULL, CLI_STRING, "FILE", .dest = offsetof(train_args, split),
     .help = "the split to train on (from vgae split); else made from --seed"},
    {"--force", NULL, CLI_FLAG, .dest = offsetof(train_args, force),
     .help = "accept a split made for a graph with another checksum"},
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(train_args, train.threads),
     .help = "threads; results do not depend on it"},
    {NULL},
};

static const cli_opt train_output_table[] = {
    {"--output", "-o", CLI_STRING, "MODEL", .dest = offsetof(train_args, output),
     .help = "the model file (written whole or not at all)"},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(train_args, json),
     .help = "the figures as one JSON object on stdout"},
    {"--every", NULL, CLI_INT, "N", 1, 1000000, offsetof(train_args, train.every),
     .help = "progress on stderr every N epochs"},
    {"--plot", NULL, CLI_STRING, "FILE", .dest = offsetof(train_args, train.plot),
     .help = "draw the training loss (and KL) and the validation AUC/AP\n"
             "per reported epoch (--every) into FILE: PNG, or SVG for .svg"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(train_args, quiet), .help = "no progress or notes"},
    {NULL},
};

static const cli_command train_command = {
    .name = "train",
    .usage = "Usage: vgae train (--dataset NAME | --graph PATH) [--split FILE] [options] -o MODEL",
    .about = "Trains VGAE or GAE on the training edges of a split and writes the model file.\n"
             "Without --split the split is made with --seed, --val-frac and --test-frac, as\n"
             "linkpred does; either way it is stored inside the model, with the test figures.\n"
             "With --checkpoint, a run stopped (SIGINT, SIGTERM, a crash) goes on where its\n"
             "last checkpoint left it when the same command is run with --resume.\n",
    .groups = (const cli_group[]){
        {"Data (one of --dataset or --graph)", cli_data_table, offsetof(train_args, data)},
        {"Model and training", cli_model_table, offsetof(train_args, train)},
        {"KL schedule (VGAE)", cli_kl_table, offsetof(train_args, train.model.kl)},
        {"Split", cli_split_table, offsetof(train_args, train)},
        {"Split file and threads", train_split_table, 0},
        {"Output", train_output_table, 0},
        {"Checkpoints", cli_checkpoint_table, offsetof(train_args, train.checkpoint)},
        {NULL}},
    .examples = "  vgae train --dataset cora --split cora.split -o cora.vgae\n"
                "  vgae train --dataset citeseer --recipe tuned --checkpoint cs.ckpt -o citeseer.vgae\n",
};

static void print_figures(const char *what, const vgae_link_figures *f, int epochs, int json,
                          const char *model)
{
    if (json) {
        printf("{\"model\":");
        cli_json_string(model);
        printf(",");
        cli_json_metrics(f, ",");
        printf("\"epochs\":%d}\n", epochs);
        return;
    }
    printf("%s\n", what);
    const char *names[] = {"test", "val"};
    vgae_link_figures val = *f;
    val.test = f->val;
    const vgae_link_figures *rows[] = {f, &val};
    cli_table_summary("set", names, rows, isnan(f->val.auc) ? 1 : 2, 1);
}

int cmd_train(int argc, char **argv)
{
    const char *cmd = "train";
    train_args a = {.train = cli_train_defaults()};
    const int recipe = cli_apply_recipe(argc, argv, &a.train, 1);
    int r = cli_parse(&train_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    cli_train_opts *t = &a.train;
    if (!a.output)
        return cli_usage_error(cmd, "give the model file to write with -o FILE");
    if (strcmp(a.output, "-") == 0)
        return cli_usage_error(cmd, "the model is binary: -o needs a file name, not '-'");
    if (cli_check_protocol(cmd, &t->protocol))
        return CLI_USAGE;
    vgae_graph_ae_options o;
    if (cli_train_model(cmd, t, &o))
        return CLI_USAGE;

    vgae_ctx *ctx = cli_ctx_new(a.quiet, t->threads);
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    vgae_graph_ae *model = NULL;
    vgae_linkpred_result result;
    cli_history history = {0};
    vgae_model_file *resume = NULL;
    if (!ctx)
        return CLI_ERROR;
    /* the outputs' folders before the data and the training: not hours later */
    int rc = cli_check_outputs(ctx, a.output, t->plot);
    if (!rc)
        rc = cli_checkpoint_start(ctx, &t->checkpoint, cmd, &resume);
    if (!rc)
        rc = cli_load_dataset(cmd, ctx, &a.data, &ds);
    if (rc)
        goto done;
    if (recipe && !(o.features && ds->features)) { /* the recipe's featureless settings */
        train_args b = {.train = cli_train_defaults()};
        cli_apply_recipe(argc, argv, &b.train, 0);
        cli_parse(&train_command, argc, argv, &b);
        a.train = b.train;
        if (cli_train_model(cmd, t, &o)) {
            rc = CLI_USAGE;
            goto done;
        }
    }
    if (!ds->features && !t->no_features)
        cli_note("no features: training featureless (X = %s)", o.structure_input ? "A" : "I");
    vgae_ctx_set_seed(ctx, (uint64_t)t->seed);
    if (a.split ? vgae_split_read(ctx, a.split, ds->graph, a.force, &split, NULL)
                : vgae_linkpred_split(ctx, ds->graph, &t->protocol, &split)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (split->n_test == 0 && !a.quiet)
        cli_note("the split has no test pairs: eval will have nothing to score");
    /* with checkpoints the history goes into them, for a --plot after a resume */
    cli_history *kept = t->plot || t->checkpoint.path ? &history : NULL;
    cli_progress p = {1, 1, a.quiet, t->seed, o.epochs, kept};
    cli_graph_state state = {cmd, 0, 1, NULL, kept};
    const vgae_checkpoint_options every = {t->checkpoint.path, t->checkpoint.every, cli_graph_state_meta, &state};
    int run;
    if (vgae_graph_ae_new(ctx, &o, ds, split, &model)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (resume && (rc = cli_graph_state_read(resume, 1, &run, NULL, kept)))
        goto done;
    if ((resume && vgae_graph_ae_resume(ctx, model, resume)) ||
        vgae_graph_ae_set_checkpoints(ctx, model, &every) ||
        vgae_graph_ae_fit(ctx, model, t->every, cli_on_epoch, &p, &result) ||
        vgae_graph_ae_save(ctx, model, a.output)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (t->plot) {
        const char *name = a.data.dataset ? a.data.dataset : ds->graph_path;
        char title[300];
        snprintf(title, sizeof title, "%s on %s", o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", name);
        if ((rc = cli_plot_training(t->plot, &history, title, o.kind == VGAE_MODEL_VGAE, t->threads)))
            goto done;
    }
    cli_notes_flush(!a.quiet);
    char what[1200];
    snprintf(what, sizeof what, "%s trained for %d epochs in %.2f s; model written to %s",
             o.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", result.epochs, result.train_seconds,
             a.output);
    vgae_link_figures f = vgae_graph_ae_reported(model);
    print_figures(what, &f, result.epochs, a.json, a.output);
done:
    cli_history_free(&history);
    vgae_model_file_free(resume);
    vgae_graph_ae_free(model);
    vgae_split_free(split);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- the commands that read a model ---- */

typedef struct {
    cli_data_opts data;
    const char *model, *output, *split, *format, *pairs, *node, *roc, *pr, *plot;
    int force, json, quiet, sample, top, seed, threads, baselines; /* seed -1: not given */
} model_args;

static const char model_data_help[] =
    "The graph and features are read from where the model was trained (its metadata),\n"
    "unless --dataset/--graph/--features say otherwise. Their checksums must match the\n"
    "model's (--force applies it anyway).\n";

#define MODEL_OPT {"--model", NULL, CLI_STRING, "MODEL", .dest = offsetof(model_args, model), \
                   .help = "the model file (from vgae train)"}
#define FORCE_OPT {"--force", NULL, CLI_FLAG, .dest = offsetof(model_args, force), \
                   .help = "apply the model to data with other checksums"}
#define THREADS_OPT {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(model_args, threads), \
                     .help = "threads; results do not depend on it"}
#define QUIET_OPT {"--quiet", NULL, CLI_FLAG, .dest = offsetof(model_args, quiet), .help = "no notes"}

/* Everything a model command needs: context, data, model. */
typedef struct {
    vgae_ctx *ctx;
    vgae_dataset *ds;
    vgae_graph_ae *model;
} loaded_model;

static void loaded_free(loaded_model *l)
{
    vgae_graph_ae_free(l->model);
    vgae_dataset_free(l->ds);
    vgae_ctx_free(l->ctx);
}

/* Parses a model command's line into a (its defaults set first): CLI_OK,
 * or -1 after the help, or CLI_USAGE after an error. */
static int parse_model_args(const cli_command *c, int argc, char **argv, model_args *a)
{
    *a = (model_args){.top = 10, .seed = -1, .threads = cli_default_threads()};
    int r = cli_parse(c, argc, argv, a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? -1 : CLI_USAGE;
    if (!a->model)
        return cli_usage_error(c->name, "give the model file with --model FILE");
    return CLI_OK;
}

/* Reads the model file, its data (as the options say, else where the
 * model was trained) and builds the model. */
static int load_model(const char *cmd, const model_args *a, loaded_model *l)
{
    *l = (loaded_model){0};
    l->ctx = cli_ctx_new(a->quiet, a->threads);
    if (!l->ctx)
        return CLI_ERROR;
    vgae_model_file *file = NULL;
    vgae_dataset_source src;
    int rc = CLI_OK;
    if (vgae_model_file_read(l->ctx, a->model, &file) ||
        vgae_graph_ae_file_source(l->ctx, file, &src))
        rc = cli_lib_error(l->ctx);
    const cli_data_opts *d = &a->data;
    if (!rc && (d->dataset || d->graph)) {
        rc = cli_load_dataset(cmd, l->ctx, d, &l->ds);
    } else if (!rc && !src.name && !src.graph_path) {
        rc = cli_usage_error(cmd, "%s does not say where its graph is: give --dataset or --graph",
                             a->model);
    } else if (!rc) { /* the model's own data, with the options' additions */
        if (d->features)
            src.features_path = d->features;
        if (d->labels)
            src.labels_path = d->labels;
        if (d->format != VGAE_FORMAT_AUTO)
            src.format = (vgae_graph_format)d->format;
        vgae_ctx_set_max_nodes(l->ctx, d->max_nodes);
        vgae_ctx_set_max_inflated(l->ctx, d->max_inflated);
        rc = cli_load_source(l->ctx, &src, &l->ds);
    }
    if (!rc && vgae_graph_ae_from_file(l->ctx, file, l->ds, a->force, &l->model))
        rc = cli_lib_error(l->ctx);
    vgae_model_file_free(file);
    return rc;
}

/* ---- eval ---- */

static const cli_opt eval_table[] = {
    MODEL_OPT,
    {"--split", NULL, CLI_STRING, "FILE", .dest = offsetof(model_args, split),
     .help = "score this split's pairs instead of the model's own"},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(model_args, json), .help = "one JSON object"},
    {"--roc", NULL, CLI_STRING, "FILE", .dest = offsetof(model_args, roc),
     .help = "draw the ROC curve of the test pairs into FILE (PNG, or SVG for .svg)"},
    {"--pr", NULL, CLI_STRING, "FILE", .dest = offsetof(model_args, pr),
     .help = "draw the precision-recall curve of the test pairs into FILE"},
    {"--baselines", NULL, CLI_FLAG, .dest = offsetof(model_args, baselines),
     .help = "with --roc/--pr: the classical heuristics' curves too, computed on\n"
             "the split's training graph"},
    FORCE_OPT, THREADS_OPT, QUIET_OPT,
    {NULL},
};

/* The ROC and PR pictures of eval: the model's scores of the test pairs of
 * split, and the heuristics' with baselines. */
static int eval_curves(const model_args *a, const loaded_model *l, const vgae_split *split)
{
    int64_t n_pos = 0, n_neg = 0;
    const vgae_pair *pos = vgae_split_pairs(split, VGAE_SET_TEST_POS, &n_pos);
    const vgae_pair *neg = vgae_split_pairs(split, VGAE_SET_TEST_NEG, &n_neg);
    if (n_pos == 0 || n_neg == 0) {
        fprintf(stderr, "vgae: the split has no test pairs to draw curves of\n");
        return CLI_ERROR;
    }
    const int k = a->baselines ? 1 + VGAE_HEURISTIC_COUNT : 1;
    double *scores = malloc((size_t)k * (size_t)(n_pos + n_neg) * sizeof *scores);
    const double *ps[1 + VGAE_HEURISTIC_COUNT], *ns[1 + VGAE_HEURISTIC_COUNT];
    const char *names[1 + VGAE_HEURISTIC_COUNT];
    vgae_graph *train = NULL;
    int rc = CLI_OK;
    if (!scores) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    const vgae_graph_ae_options *o = vgae_graph_ae_settings(l->model);
    names[0] = o->kind == VGAE_MODEL_GAE ? "GAE" : "VGAE";
    if (vgae_graph_ae_score_pairs(l->ctx, l->model, pos, n_pos, scores) ||
        vgae_graph_ae_score_pairs(l->ctx, l->model, neg, n_neg, scores + n_pos) ||
        (a->baselines && vgae_split_train_graph(l->ctx, split, &train))) {
        rc = cli_lib_error(l->ctx);
        goto done;
    }
    for (int h = 0; h < k - 1; h++) {
        double *s = scores + (int64_t)(h + 1) * (n_pos + n_neg);
        const vgae_heuristic_options ho = vgae_heuristic_defaults();
        names[h + 1] = vgae_heuristic_title((vgae_heuristic)h);
        if (vgae_heuristic_score(l->ctx, train, (vgae_heuristic)h, &ho, pos, n_pos, s) ||
            vgae_heuristic_score(l->ctx, train, (vgae_heuristic)h, &ho, neg, n_neg, s + n_pos)) {
            rc = cli_lib_error(l->ctx);
            goto done;
        }
    }
    for (int s = 0; s < k; s++) {
        ps[s] = scores + (int64_t)s * (n_pos + n_neg);
        ns[s] = ps[s] + n_pos;
    }
    char title[300];
    const char *slash = strrchr(a->model, '/');
    snprintf(title, sizeof title, "%lld test edges of %s", (long long)n_pos, slash ? slash + 1 : a->model);
    rc = cli_plot_link_curves(a->roc, a->pr, title, k, names, ps, n_pos, ns, n_neg,
                              vgae_ctx_threads(l->ctx));
done:
    vgae_graph_free(train);
    free(scores);
    return rc;
}

static const cli_command eval_command = {
    .name = "eval",
    .usage = "Usage: vgae eval --model MODEL [--split FILE] [--json]",
    .about = "Scores the validation and test pairs of the model's split (or of FILE) and\n"
             "prints ROC AUC and AP: the figures training reported, to the last digit.\n",
    .groups = (const cli_group[]){{"Model", eval_table, 0},
                                  {"Data (default: the model's)", cli_data_table, offsetof(model_args, data)},
                                  {NULL}},
    .footer = model_data_help,
    .examples = "  vgae eval --model cora.vgae\n"
                "  vgae eval --model cora.vgae --baselines --roc roc.png --pr pr.svg\n",
};

int cmd_eval(int argc, char **argv)
{
    model_args a;
    loaded_model l = {0};
    int rc = parse_model_args(&eval_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (a.baselines && !a.roc && !a.pr)
        return cli_usage_error("eval", "--baselines adds curves to the pictures: give --roc FILE or --pr FILE");
    rc = load_model("eval", &a, &l);
    vgae_split *other = NULL;
    if (!rc && a.split && vgae_split_read(l.ctx, a.split, l.ds->graph, a.force, &other, NULL))
        rc = cli_lib_error(l.ctx);
    if (!rc && other && vgae_split_checksum(other) != vgae_split_checksum(vgae_graph_ae_split(l.model)))
        cli_note("%s is not the split the model was trained on: its held-out pairs may be "
                 "training edges of the model", a.split);
    vgae_link_figures reported = vgae_link_figures_none(NULL), f;
    if (!rc)
        reported = vgae_graph_ae_reported(l.model);
    if (!rc && vgae_graph_ae_evaluate(l.ctx, l.model, other, &f))
        rc = cli_lib_error(l.ctx);
    if (!rc) {
        cli_notes_flush(!a.quiet);
        const int epochs = (int)vgae_graph_ae_epoch(l.model);
        char what[1400];
        int same = !other && f.test.auc == reported.test.auc && f.test.ap == reported.test.ap;
        snprintf(what, sizeof what, "%s (%s, %d epochs, seed %" PRIu64 ")%s", a.model,
                 vgae_graph_ae_settings(l.model)->kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", epochs,
                 vgae_graph_ae_seed(l.model), same ? ": the figures training reported" : "");
        print_figures(what, &f, epochs, a.json, a.model);
    }
    if (!rc && (a.roc || a.pr))
        rc = eval_curves(&a, &l, other ? other : vgae_graph_ae_split(l.model));
    vgae_split_free(other);
    loaded_free(&l);
    return rc;
}

/* ---- embed ---- */

static const cli_opt embed_table[] = {
    MODEL_OPT,
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(model_args, output),
     .help = "where to write; - for standard output (text formats)"},
    {"--format", NULL, CLI_STRING, "w2v|tsv|npy|mtx", .dest = offsetof(model_args, format),
     .help = "the embedding's format (default: from the extension, else w2v)"},
    {"--sample", NULL, CLI_FLAG, .dest = offsetof(model_args, sample),
     .help = "a draw z = mean + sigma * eps instead of the means (VGAE only)"},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(model_args, seed),
     .help = "the noise of --sample (default: the model's seed)", .no_default = 1},
    {"--plot", NULL, CLI_STRING, "FILE", .dest = offsetof(model_args, plot),
     .help = "also draw the embeddings on their first two principal\n"
             "components, coloured by the labels, into FILE (PNG, or SVG)"},
    FORCE_OPT, THREADS_OPT, QUIET_OPT,
    {NULL},
};

static const cli_command embed_command = {
    .name = "embed",
    .usage = "Usage: vgae embed --model MODEL -o FILE [--format w2v|tsv|npy|mtx] [--sample]",
    .about = "Writes one vector per node: the mean of q(z|X, A), or with --sample a draw.\n"
             "Formats: w2v (word2vec text: 'N d', then 'node v1 ... vd'), tsv (header\n"
             "'node d0 d1 ...'), npy (NumPy float32 N x d, rows in node order), mtx\n"
             "(MatrixMarket array). Nodes are named as in the input, else 0..N-1. (Here\n"
             "--format is the embedding's format; the graph is read in the model's format.)\n",
    .groups = (const cli_group[]){{"Model and output", embed_table, 0},
                                  {"Data (default: the model's)", cli_data_table, offsetof(model_args, data)},
                                  {NULL}},
    .footer = model_data_help,
    .examples = "  vgae embed --model cora.vgae -o cora.npy --plot cora-pca.png\n"
                "  vgae embed --model cora.vgae -o - --format tsv\n",
};

int cmd_embed(int argc, char **argv)
{
    model_args a;
    loaded_model l = {0};
    int rc = parse_model_args(&embed_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.output)
        return cli_usage_error("embed", "give the output file with -o FILE (- for standard output)");
    vgae_embed_format format;
    if (cli_embed_format("embed", a.format, a.output, &format))
        return CLI_USAGE;
    rc = load_model("embed", &a, &l);
    if (!rc && a.sample && vgae_graph_ae_settings(l.model)->kind != VGAE_MODEL_VGAE)
        rc = cli_usage_error("embed", "--sample needs a VGAE model; a GAE has no variance");
    vgae_mat out = {0};
    vgae_rng noise;
    if (!rc) {
        /* a draw's noise: the noise stream of the seed, from its start */
        vgae_rng_init(&noise, a.seed >= 0 ? (uint64_t)a.seed : vgae_graph_ae_seed(l.model),
                      VGAE_STREAM_NOISE);
        if (vgae_graph_ae_embedding(l.ctx, l.model, a.sample ? &noise : NULL, &out) ||
            vgae_embed_write(l.ctx, a.output, format, out.data, out.rows, out.cols,
                             l.ds->graph->names))
            rc = cli_lib_error(l.ctx);
    }
    if (!rc && a.plot) {
        const char *slash = strrchr(a.model, '/');
        rc = cli_plot_embedding(a.plot, out.data, out.rows, (int)out.cols, l.ds->labels,
                                slash ? slash + 1 : a.model, vgae_ctx_threads(l.ctx));
    }
    if (!rc)
        cli_notes_flush(!a.quiet);
    vgae_mat_destroy(&out);
    loaded_free(&l);
    return rc;
}

/* ---- predict ---- */

static const cli_opt predict_table[] = {
    MODEL_OPT,
    {"--pairs", NULL, CLI_STRING, "FILE", .dest = offsetof(model_args, pairs),
     .help = "score the pairs of FILE ('u v' per line; '#' starts a comment)"},
    {"--node", NULL, CLI_STRING, "ID", .dest = offsetof(model_args, node),
     .help = "the likeliest new neighbours of node ID"},
    {"--top", NULL, CLI_INT, "K", 1, 2147483647, offsetof(model_args, top),
     .help = "how many neighbours --node lists"},
    FORCE_OPT, THREADS_OPT, QUIET_OPT,
    {NULL},
};

static const cli_command predict_command = {
    .name = "predict",
    .usage = "Usage: vgae predict --model MODEL (--pairs FILE | --node ID [--top K])",
    .about = "--pairs FILE: for each line 'u v' of FILE (node ids as in the input, else\n"
             "  0..N-1), prints 'u v probability', the model's probability of an edge:\n"
             "  sigmoid(mean_u . mean_v), or the Hadamard decoder's sigmoid(MLP(mean_u *\n"
             "  mean_v) + degree term).\n"
             "--node ID --top K: the K nodes most likely to be new neighbours of ID (nodes\n"
             "  already adjacent in the graph, and ID itself, are left out), best first.\n",
    .groups = (const cli_group[]){{"Model and question", predict_table, 0},
                                  {"Data (default: the model's)", cli_data_table, offsetof(model_args, data)},
                                  {NULL}},
    .footer = model_data_help,
    .examples = "  vgae predict --model cora.vgae --node 0 --top 10\n"
                "  vgae predict --model cora.vgae --pairs pairs.txt\n",
};

typedef struct {
    int32_t node;
    double score;
} ranked;

static int by_score(const void *x, const void *y)
{
    const ranked *p = x, *q = y;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    return (p->node > q->node) - (p->node < q->node);
}

static int predict_pairs(const model_args *a, loaded_model *l, const vgae_node_index *index)
{
    vgae_pair *pairs = NULL;
    int64_t n = 0;
    double *scores = NULL;
    int rc = CLI_OK;
    /* every line is checked before anything is printed: no partial output */
    if (vgae_pairs_read(l->ctx, a->pairs, index, &pairs, &n))
        rc = cli_lib_error(l->ctx);
    if (!rc && !(scores = malloc((size_t)(n ? n : 1) * sizeof *scores))) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    if (!rc && vgae_graph_ae_score_pairs(l->ctx, l->model, pairs, n, scores))
        rc = cli_lib_error(l->ctx);
    if (!rc) {
        cli_notes_flush(!a->quiet);
        for (int64_t k = 0; k < n; k++) {
            char ba[16], bb[16];
            printf("%s\t%s\t%.9g\n", vgae_node_id(l->ds->graph, pairs[k].u, ba),
                   vgae_node_id(l->ds->graph, pairs[k].v, bb), scores[k]);
        }
    }
    free(scores);
    free(pairs);
    return rc;
}

static int predict_top(const model_args *a, loaded_model *l, const vgae_node_index *index)
{
    const vgae_graph *g = l->ds->graph;
    int32_t node = vgae_node_index_find(index, a->node);
    if (node < 0) {
        fprintf(stderr, "vgae: node '%s' is not in the graph\n", a->node);
        return CLI_ERROR;
    }
    ranked *all = malloc(sizeof *all * (size_t)g->n);
    vgae_pair *pairs = malloc(sizeof *pairs * (size_t)g->n);
    double *scores = malloc(sizeof *scores * (size_t)g->n);
    int rc = CLI_OK;
    if (!all || !pairs || !scores) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    int32_t m = 0;
    for (int32_t v = 0; !rc && v < g->n; v++)
        if (v != node && !vgae_graph_has_edge(g, node, v))
            pairs[m++] = (vgae_pair){node, v};
    if (!rc && vgae_graph_ae_score_pairs(l->ctx, l->model, pairs, m, scores))
        rc = cli_lib_error(l->ctx);
    if (!rc) {
        for (int32_t k = 0; k < m; k++)
            all[k] = (ranked){pairs[k].v, scores[k]};
        qsort(all, (size_t)m, sizeof *all, by_score);
        cli_notes_flush(!a->quiet);
        printf("rank\tnode\tprobability\n");
        for (int32_t k = 0; k < m && k < a->top; k++) {
            char b[16];
            printf("%d\t%s\t%.9g\n", k + 1, vgae_node_id(g, all[k].node, b), all[k].score);
        }
    }
    free(all);
    free(pairs);
    free(scores);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    model_args a;
    loaded_model l = {0};
    int rc = parse_model_args(&predict_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.pairs == !a.node)
        return cli_usage_error("predict", "give --pairs FILE or --node ID (one of them)");
    rc = load_model("predict", &a, &l);
    vgae_node_index index = {0};
    if (!rc && vgae_node_index_init(l.ctx, &index, l.ds->graph))
        rc = cli_lib_error(l.ctx);
    if (!rc)
        rc = a.pairs ? predict_pairs(&a, &l, &index) : predict_top(&a, &l, &index);
    vgae_node_index_destroy(&index);
    loaded_free(&l);
    return rc;
}
