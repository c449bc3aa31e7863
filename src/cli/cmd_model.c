/* `vgae train`, `eval`, `embed` and `predict`: the model-file workflow. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/lines.h"

static const char train_help[] =
    "Usage: vgae train (--dataset NAME | --graph PATH) [--split FILE] [options] -o MODEL\n"
    "\n"
    "Trains VGAE or GAE on the training edges of a split and writes the model file.\n"
    "Without --split the split is made with --seed, --val-frac and --test-frac, as\n"
    "linkpred does; either way it is stored inside the model, with the test figures.\n"
    "\n"
    "%s"
    "  --no-features      ignore the features: X = I (automatic when there are none)\n"
    "  --split FILE       the split to train on (from vgae split)\n"
    "  --force            accept a split made for a graph with another checksum\n"
    "\n"
    "Model and training: --model vgae|gae, --hidden N, --latent N, --epochs N, --lr X,\n"
    "  --beta X, --loss full|sampled, --val-frac F, --test-frac F, --seed S,\n"
    "  --threads T (see vgae linkpred --help)\n"
    "\n"
    "Output:\n"
    "  -o, --output MODEL the model file (written whole or not at all)\n"
    "  --json             the figures as one JSON object on stdout\n"
    "  --every N          progress on stderr every N epochs (10)\n"
    "  --quiet            no progress or notes\n";

static const char model_data_help[] =
    "The graph and features are read from where the model was trained (its metadata),\n"
    "unless --dataset/--graph/--features say otherwise. Their checksums must match the\n"
    "model's (--force applies it anyway).\n";

/* Common options of the commands that read a model. */
typedef struct {
    const char *model, *output, *split, *format, *pairs, *node;
    cli_data_opts data;
    int force, json, quiet, sample;
    long top, seed, threads;
    int have_seed;
} model_opts;

/* Parses argv for `cmd`; `allowed` lists the options it takes beyond the data ones. */
static int parse_model_opts(const char *cmd, int argc, char **argv, model_opts *o,
                            const char *allowed)
{
    *o = (model_opts){.top = 10, .threads = cli_default_threads()};
    for (int i = 1; i < argc;) {
        int r;
        const char *v = NULL;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h"))
            return -2; /* the caller prints its help */
        struct { const char *name; const char **dst; } values[] = {
            {"--model", &o->model}, {"--output", &o->output}, {"-o", &o->output},
            {"--split", &o->split}, {"--format", &o->format}, {"--pairs", &o->pairs},
            {"--node", &o->node}};
        size_t k;
        r = 0;
        for (k = 0; k < sizeof values / sizeof values[0]; k++)
            if (strstr(allowed, values[k].name) &&
                (r = cli_take_value(cmd, argc, argv, &i, values[k].name, values[k].dst)) != 0)
                break;
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        if (strstr(allowed, "--force") && cli_take_flag(argv, &i, "--force"))
            o->force = 1;
        else if (strstr(allowed, "--json") && cli_take_flag(argv, &i, "--json"))
            o->json = 1;
        else if (strstr(allowed, "--sample") && cli_take_flag(argv, &i, "--sample"))
            o->sample = 1;
        else if (cli_take_flag(argv, &i, "--quiet"))
            o->quiet = 1;
        else if ((r = cli_take_data_opt(cmd, argc, argv, &i, &o->data)) != 0) {
            if (r < 0)
                return -1;
        } else if ((r = cli_take_value(cmd, argc, argv, &i, "--threads", &v)) != 0) {
            if (r < 0 || cli_parse_int(cmd, "--threads", v, 1, 1024, &o->threads))
                return -1;
        } else if (strstr(allowed, "--top") && (r = cli_take_value(cmd, argc, argv, &i, "--top", &v)) != 0) {
            if (r < 0 || cli_parse_int(cmd, "--top", v, 1, INT_MAX, &o->top))
                return -1;
        } else if (strstr(allowed, "--seed") && (r = cli_take_value(cmd, argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0 || cli_parse_int(cmd, "--seed", v, 0, 2147483647, &o->seed))
                return -1;
            o->have_seed = 1;
        } else {
            cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
            return -1;
        }
    }
    if (!o->model) {
        cli_usage_error(cmd, "give the model file with --model FILE");
        return -1;
    }
    return 0;
}

/* A model's data: as the options say, else where the model was trained. */
static int load_model_data(const char *cmd, vgae_ctx *ctx, const model_opts *o,
                           const vgae_model_meta *meta, vgae_dataset **ds)
{
    cli_data_opts d = o->data;
    if (!d.dataset && !d.graph) {
        if (meta->source_dataset[0])
            d.dataset = meta->source_dataset;
        else
            d.graph = meta->source_graph;
        if (!d.features && meta->source_features[0] && meta->n_features > 0)
            d.features = meta->source_features;
        if (!d.format && meta->source_format[0] && !meta->source_dataset[0])
            d.format = meta->source_format;
    }
    return cli_load_dataset(cmd, ctx, &d, ds);
}

/* Everything a model command needs: context, file, data, model. */
typedef struct {
    vgae_ctx *ctx;
    vgae_model_file *file;
    vgae_dataset *ds;
    vgae_graph *train;
    vgae_model *model;
} loaded_model;

static void loaded_free(loaded_model *l)
{
    vgae_model_free(l->model);
    vgae_graph_free(l->train);
    vgae_dataset_free(l->ds);
    vgae_model_file_free(l->file);
    vgae_ctx_free(l->ctx);
}

static int load_model(const char *cmd, const model_opts *o, loaded_model *l)
{
    *l = (loaded_model){0};
    l->ctx = cli_ctx_new(o->quiet);
    if (!l->ctx)
        return CLI_ERROR;
    vgae_ctx_set_threads(l->ctx, (int)o->threads);
    if (vgae_model_file_read(l->ctx, o->model, &l->file))
        return cli_lib_error(l->ctx);
    int rc = load_model_data(cmd, l->ctx, o, &l->file->meta, &l->ds);
    if (rc)
        return rc;
    if (vgae_model_from_file(l->ctx, l->file, l->ds->graph, l->ds->features, o->force, &l->train,
                             &l->model)) {
        fprintf(stderr, "vgae: %s: %s\n", o->model, vgae_ctx_message(l->ctx));
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* ---- train ---- */
static int fill_meta(vgae_model_meta *m, const vgae_model_options *o, const vgae_dataset *ds,
                      const vgae_csr *features, const cli_data_opts *data, const vgae_split *split,
                      long seed, const vgae_linkpred_result *r)
{
    *m = (vgae_model_meta){0};
    m->options = *o;
    m->nodes = ds->graph->n;
    m->n_features = features ? features->cols : 0;
    m->edges = ds->graph->n_edges;
    m->seed = (uint64_t)seed;
    m->val_frac = split->val_frac;
    m->test_frac = split->test_frac;
    m->graph_checksum = vgae_graph_checksum(ds->graph);
    m->features_checksum = vgae_features_checksum(features);
    m->split_checksum = vgae_split_checksum(split);
    m->epochs_trained = r->epochs;
    m->val_auc = r->val_auc;
    m->val_ap = r->val_ap;
    m->test_auc = r->test_auc;
    m->test_ap = r->test_ap;
    m->train_seconds = r->train_seconds;
    /* where the data came from: a dataset name, or absolute file paths */
    if (data->dataset)
        snprintf(m->source_dataset, sizeof m->source_dataset, "%s", data->dataset);
    if (cli_absolute_path(ds->graph_path, m->source_graph, sizeof m->source_graph) ||
        (features && cli_absolute_path(ds->features_path, m->source_features, sizeof m->source_features)))
        return -1;
    snprintf(m->source_format, sizeof m->source_format, "%s",
             vgae_graph_format_name(ds->graph->format));
    snprintf(m->library_version, sizeof m->library_version, "%s", vgae_version());
    return 0;
}

static void print_figures(const char *what, const vgae_linkpred_result *r, int json, const char *model)
{
    if (json) {
        printf("{\"model\":");
        cli_json_string(model);
        printf(",");
        cli_json_number("test_auc", r->test_auc, ",");
        cli_json_number("test_ap", r->test_ap, ",");
        cli_json_number("val_auc", r->val_auc, ",");
        cli_json_number("val_ap", r->val_ap, ",");
        printf("\"epochs\":%d}\n", r->epochs);
        return;
    }
    printf("%s\n", what);
    printf("  test  AUC %.4f  AP %.4f\n", r->test_auc, r->test_ap);
    if (isfinite(r->val_auc))
        printf("  val   AUC %.4f  AP %.4f\n", r->val_auc, r->val_ap);
}

int cmd_train(int argc, char **argv)
{
    const char *cmd = "train", *output = NULL, *split_path = NULL;
    cli_data_opts data = {0};
    cli_train_opts t = cli_train_defaults();
    int json = 0, quiet = 0, no_features = 0, force = 0, rc = CLI_OK;
    for (int i = 1; i < argc;) {
        int r;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            printf(train_help, cli_data_help);
            return CLI_OK;
        }
        if (cli_take_flag(argv, &i, "--json"))
            json = 1;
        else if (cli_take_flag(argv, &i, "--quiet"))
            quiet = 1;
        else if (cli_take_flag(argv, &i, "--no-features"))
            no_features = 1;
        else if (cli_take_flag(argv, &i, "--force"))
            force = 1;
        else if ((r = cli_take_value(cmd, argc, argv, &i, "--output", &output)) != 0 ||
                 (r = cli_take_value(cmd, argc, argv, &i, "-o", &output)) != 0 ||
                 (r = cli_take_value(cmd, argc, argv, &i, "--split", &split_path)) != 0 ||
                 (r = cli_take_data_opt(cmd, argc, argv, &i, &data)) != 0 ||
                 (r = cli_take_train_opt(cmd, argc, argv, &i, &t)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else {
            return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        }
    }
    if (!output)
        return cli_usage_error(cmd, "give the model file to write with -o FILE");
    if (strcmp(output, "-") == 0)
        return cli_usage_error(cmd, "the model is binary: -o needs a file name, not '-'");
    if (t.runs != 1)
        return cli_usage_error(cmd, "--runs is for linkpred; train makes one model");
    if (t.val_frac + t.test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1");

    vgae_ctx *ctx = cli_ctx_new(quiet);
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    vgae_graph *train = NULL;
    vgae_model *model = NULL;
    vgae_linkpred_result result;
    vgae_model_meta meta;
    uint64_t split_seed = (uint64_t)t.seed;
    if (!ctx)
        return CLI_ERROR;
    vgae_ctx_set_threads(ctx, (int)t.threads);
    rc = cli_load_dataset(cmd, ctx, &data, &ds);
    if (rc)
        goto done;
    const vgae_csr *features = no_features ? NULL : ds->features;
    if (!features && !no_features)
        cli_note("no features: training featureless (X = I)");
    vgae_ctx_set_seed(ctx, (uint64_t)t.seed);
    if (split_path ? vgae_split_read(ctx, split_path, ds->graph, force, &split, &split_seed)
                   : vgae_split_make(ctx, ds->graph, t.val_frac, t.test_frac, &split)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (split->n_test == 0 && !quiet)
        cli_note("the split has no test pairs: eval will have nothing to score");
    cli_progress p = {1, 1, quiet, t.seed, t.model.epochs};
    if (vgae_linkpred_train(ctx, split, features, &t.model, (int)t.every, cli_on_epoch, &p, &train,
                            &model, &result)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (fill_meta(&meta, &t.model, ds, features, &data, split, t.seed, &result)) {
        rc = CLI_ERROR;
        goto done;
    }
    if (vgae_model_save(ctx, output, &meta, model, split)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    cli_notes_flush(!quiet);
    char what[1200];
    snprintf(what, sizeof what, "%s trained for %d epochs in %.2f s; model written to %s",
             t.model.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", result.epochs, result.train_seconds,
             output);
    print_figures(what, &result, json, output);
done:
    vgae_model_free(model);
    vgae_graph_free(train);
    vgae_split_free(split);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- eval ---- */
static const char eval_help[] =
    "Usage: vgae eval --model MODEL [--split FILE] [--json]\n"
    "\n"
    "Scores the validation and test pairs of the model's split (or of FILE) and\n"
    "prints ROC AUC and AP: the figures training reported, to the last digit.\n"
    "\n"
    "%s\n%s"
    "  --force            apply the model to data with other checksums\n"
    "  --threads T        threads (results do not depend on it)\n"
    "  --quiet            no notes\n";

int cmd_eval(int argc, char **argv)
{
    model_opts o;
    loaded_model l;
    int rc = parse_model_opts("eval", argc, argv, &o, "--model --split --force --json");
    if (rc == -2)
        printf(eval_help, cli_data_help, model_data_help);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    rc = load_model("eval", &o, &l);
    vgae_split *other = NULL;
    if (!rc && o.split && vgae_split_read(l.ctx, o.split, l.ds->graph, o.force, &other, NULL))
        rc = cli_lib_error(l.ctx);
    const vgae_split *split = other ? other : l.file ? l.file->split : NULL;
    vgae_linkpred_result r = {NAN, NAN, NAN, NAN, 0, NAN, l.file ? l.file->meta.epochs_trained : 0};
    if (!rc && other && vgae_split_checksum(other) != l.file->meta.split_checksum)
        cli_note("%s is not the split the model was trained on: its held-out pairs may be "
                 "training edges of the model", o.split);
    if (!rc && vgae_linkpred_evaluate(l.ctx, l.model, split, &r))
        rc = cli_lib_error(l.ctx);
    if (!rc) {
        cli_notes_flush(!o.quiet);
        const vgae_model_meta *m = &l.file->meta;
        char what[1400];
        int same = !other && r.test_auc == m->test_auc && r.test_ap == m->test_ap;
        snprintf(what, sizeof what, "%s (%s, %d epochs, seed %" PRIu64 ")%s", o.model,
                 m->options.kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", m->epochs_trained, m->seed,
                 same ? ": the figures training reported" : "");
        print_figures(what, &r, o.json, o.model);
    }
    vgae_split_free(other);
    loaded_free(&l);
    return rc;
}

/* ---- embed ---- */
static const char embed_help[] =
    "Usage: vgae embed --model MODEL -o FILE [--format w2v|tsv|npy|mtx] [--sample]\n"
    "\n"
    "Writes one vector per node: the mean of q(z|X, A) (default), or with --sample a\n"
    "draw z = mean + sigma * eps (VGAE only; --seed S picks the noise, default the\n"
    "model's seed). Formats: w2v (word2vec text: 'N d', then 'node v1 ... vd'), tsv\n"
    "(header 'node d0 d1 ...'), npy (NumPy float32 N x d, rows in node order), mtx\n"
    "(MatrixMarket array). The default comes from the extension, else w2v. (Here\n"
    "--format is the embedding's format; the graph is read in the model's format.) Nodes are\n"
    "named as in the input, else 0..N-1. -o - writes to standard output (text formats).\n"
    "\n"
    "%s\n%s"
    "  --force            apply the model to data with other checksums\n"
    "  --quiet            no notes\n";

int cmd_embed(int argc, char **argv)
{
    model_opts o;
    loaded_model l;
    int rc = parse_model_opts("embed", argc, argv, &o,
                              "--model --output -o --format --sample --seed --force");
    if (rc == -2)
        printf(embed_help, cli_data_help, model_data_help);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    if (!o.output)
        return cli_usage_error("embed", "give the output file with -o FILE (- for standard output)");
    vgae_embed_format format;
    if (cli_embed_format("embed", o.format, o.output, &format))
        return CLI_USAGE;
    rc = load_model("embed", &o, &l);
    if (!rc && vgae_model_encode(l.ctx, l.model))
        rc = cli_lib_error(l.ctx);
    vgae_mat *out = rc ? NULL : &l.model->mean;
    if (!rc && o.sample) {
        if (l.model->options.kind != VGAE_MODEL_VGAE) {
            rc = cli_usage_error("embed", "--sample needs a VGAE model; a GAE has no variance");
        } else {
            vgae_ctx_set_seed(l.ctx, o.have_seed ? (uint64_t)o.seed : l.file->meta.seed);
            vgae_mat eps = {0};
            if (vgae_mat_init(l.ctx, &eps, l.model->mean.rows, l.model->mean.cols) ||
                vgae_gaussian_sample(l.ctx, &l.model->mean, &l.model->logvar,
                                     vgae_ctx_rng(l.ctx, VGAE_STREAM_NOISE), &eps, &l.model->pmu))
                rc = cli_lib_error(l.ctx);
            vgae_mat_destroy(&eps);
            out = &l.model->pmu; /* N x latent, free now that encoding is done */
        }
    }
    if (!rc && vgae_embed_write(l.ctx, o.output, format, out->data, out->rows, out->cols,
                                l.ds->graph->names))
        rc = cli_lib_error(l.ctx);
    if (!rc)
        cli_notes_flush(!o.quiet);
    loaded_free(&l);
    return rc;
}

/* ---- predict ---- */
static const char predict_help[] =
    "Usage: vgae predict --model MODEL (--pairs FILE | --node ID [--top K])\n"
    "\n"
    "--pairs FILE: for each line 'u v' of FILE (node ids as in the input, else\n"
    "  0..N-1; '#' starts a comment), prints 'u v probability', the probability\n"
    "  sigmoid(mean_u . mean_v) of an edge.\n"
    "--node ID --top K: the K nodes most likely to be new neighbours of ID (nodes\n"
    "  already adjacent in the graph, and ID itself, are left out), best first.\n"
    "\n"
    "%s\n%s"
    "  --force            apply the model to data with other checksums\n"
    "  --quiet            no notes\n";

typedef struct {
    int32_t node;
    double score;
} ranked;

static int by_score(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->node > y->node) - (x->node < y->node);
}

static int predict_pairs(const model_opts *o, loaded_model *l, const vgae_node_index *index)
{
    vgae_lines in = {0};
    char *line;
    size_t len;
    int r, rc = CLI_OK;
    if (vgae_lines_open(l->ctx, &in, o->pairs))
        return cli_lib_error(l->ctx);
    /* all lines are checked before anything is printed: no partial output */
    vgae_pair *pairs = NULL;
    size_t n = 0, cap = 0;
    while ((r = vgae_lines_next(l->ctx, &in, &line, &len)) > 0) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *a = strtok(line, " \t\r"), *b = a ? strtok(NULL, " \t\r") : NULL;
        if (!a)
            continue;
        if (!b || strtok(NULL, " \t\r")) {
            fprintf(stderr, "vgae: %s:%lld: expected two node ids\n", o->pairs, (long long)in.lineno);
            rc = CLI_ERROR;
            break;
        }
        int32_t u = vgae_node_index_find(index, a), v = vgae_node_index_find(index, b);
        if (u < 0 || v < 0) {
            fprintf(stderr, "vgae: %s:%lld: node '%s' is not in the graph\n", o->pairs,
                    (long long)in.lineno, u < 0 ? a : b);
            rc = CLI_ERROR;
            break;
        }
        if (n == cap) {
            vgae_pair *grown = realloc(pairs, (cap = cap ? 2 * cap : 256) * sizeof *pairs);
            if (!grown) {
                fprintf(stderr, "vgae: out of memory\n");
                rc = CLI_ERROR;
                break;
            }
            pairs = grown;
        }
        pairs[n++] = (vgae_pair){u, v};
    }
    if (!rc && r < 0)
        rc = cli_lib_error(l->ctx);
    vgae_lines_close(&in);
    double *scores = rc ? NULL : malloc((n ? n : 1) * sizeof *scores);
    if (!rc && !scores) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    if (!rc) {
        vgae_score_pairs(&l->model->mean, pairs, (int64_t)n, scores);
        cli_notes_flush(!o->quiet);
        for (size_t k = 0; k < n; k++) {
            char ba[16], bb[16];
            printf("%s\t%s\t%.9g\n", vgae_node_id(l->ds->graph, pairs[k].u, ba),
                   vgae_node_id(l->ds->graph, pairs[k].v, bb), scores[k]);
        }
    }
    free(scores);
    free(pairs);
    return rc;
}

static int predict_top(const model_opts *o, loaded_model *l, const vgae_node_index *index)
{
    const vgae_graph *g = l->ds->graph;
    int32_t node = vgae_node_index_find(index, o->node);
    if (node < 0) {
        fprintf(stderr, "vgae: node '%s' is not in the graph\n", o->node);
        return CLI_ERROR;
    }
    ranked *all = malloc(sizeof *all * (size_t)g->n);
    if (!all) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    int32_t m = 0;
    for (int32_t v = 0; v < g->n; v++) {
        if (v == node || vgae_graph_has_edge(g, node, v))
            continue;
        vgae_pair p = {node, v};
        all[m].node = v;
        vgae_score_pairs(&l->model->mean, &p, 1, &all[m].score);
        m++;
    }
    qsort(all, (size_t)m, sizeof *all, by_score);
    cli_notes_flush(!o->quiet);
    printf("rank\tnode\tprobability\n");
    for (int32_t k = 0; k < m && k < o->top; k++) {
        char b[16];
        printf("%d\t%s\t%.9g\n", k + 1, vgae_node_id(g, all[k].node, b), all[k].score);
    }
    free(all);
    return CLI_OK;
}

int cmd_predict(int argc, char **argv)
{
    model_opts o;
    loaded_model l;
    int rc = parse_model_opts("predict", argc, argv, &o,
                              "--model --pairs --node --top --force");
    if (rc == -2)
        printf(predict_help, cli_data_help, model_data_help);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    if (!o.pairs == !o.node)
        return cli_usage_error("predict", "give --pairs FILE or --node ID (one of them)");
    rc = load_model("predict", &o, &l);
    vgae_node_index index = {0};
    if (!rc && (vgae_model_encode(l.ctx, l.model) || vgae_node_index_init(l.ctx, &index, l.ds->graph)))
        rc = cli_lib_error(l.ctx);
    if (!rc)
        rc = o.pairs ? predict_pairs(&o, &l, &index) : predict_top(&o, &l, &index);
    vgae_node_index_destroy(&index);
    loaded_free(&l);
    return rc;
}
