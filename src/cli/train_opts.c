/* The options linkpred and train share: the model, its training, model selection, the split, named recipes. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const kind_names[] = {"vgae", "gae", NULL};
static const char *const loss_names[] = {"full", "sampled", NULL};
static const char *const propagation_names[] = {"gcn", "lightgcn", NULL};
static const char *const norm_names[] = {"none", "layer", "batch", NULL};
static const char *const decoder_names[] = {"inner", "hadamard", NULL};
static const char *const select_names[] = {"auc", "ap", "mrr", "hits", NULL};
static const char *const condition_names[] = {"none", "labels", NULL};

static const char *const recipe_names[] = {"kipf2016", "tuned", NULL};

/* A comma-separated list of at most max_n integers in [lo, hi] into out;
 * returns how many, or prints a usage error and returns -1. */
static int int_list(const char *cmd, const char *opt, const char *value, long lo, long hi,
                    int max_n, int *out)
{
    int n = 0;
    const char *p = value;
    for (;;) {
        char *end;
        long k = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || k < lo || k > hi)
            return cli_usage_error(cmd, "%s takes numbers %ld..%ld separated by commas, not '%s'",
                                   opt, lo, hi, value), -1;
        if (n == max_n)
            return cli_usage_error(cmd, "%s takes at most %d values", opt, max_n), -1;
        out[n++] = (int)k;
        if (!*end)
            return n;
        p = end + 1;
    }
}

int cli_parse_hits(const char *cmd, const char *opt, const char *value, void *dest)
{
    vgae_hits_ks ks = {0};
    ks.n = int_list(cmd, opt, value, 1, 1000000000, VGAE_MAX_HITS, ks.k);
    if (ks.n < 0)
        return -1;
    *(vgae_hits_ks *)dest = ks;
    return 0;
}

/* --hops K (every layer) or K,K,... (one per layer): into cli_train_opts. */
static int parse_hops(const char *cmd, const char *opt, const char *value, void *dest)
{
    cli_train_opts *t = (cli_train_opts *)((char *)dest - offsetof(cli_train_opts, hops_given));
    int hops[VGAE_MAX_LAYERS];
    const int n = int_list(cmd, opt, value, 0, 16, VGAE_MAX_LAYERS, hops);
    if (n < 0)
        return -1;
    for (int l = 0; l < VGAE_MAX_LAYERS; l++)
        t->model.hops[l] = hops[n == 1 ? 0 : l < n ? l : n - 1];
    t->hops_given = n;
    return 0;
}

static vgae_status anneal_lookup(vgae_ctx *ctx, const char *name, void *dest)
{
    return vgae_kl_anneal_from_name(ctx, name, dest);
}

/* --kl-anneal NAME into a vgae_kl_anneal (the library names them). */
static int parse_anneal(const char *cmd, const char *opt, const char *value, void *dest)
{
    (void)opt;
    return cli_lookup_name(cmd, value, anneal_lookup, dest);
}

const cli_opt cli_kl_table[] = {
    {"--kl-anneal", NULL, CLI_CUSTOM, "constant|linear|cyclical", .dest = offsetof(vgae_kl_schedule, anneal),
     .parse = parse_anneal, .no_default = 1,
     .help = "the KL's weight during training: constant (default); linear,\n"
             "0 to beta over --kl-warmup epochs (Bowman et al. 2016);\n"
             "cyclical, --kl-cycles ramps from 0 to beta, each rising over\n"
             "--kl-ratio of its cycle (Fu et al. 2019)"},
    {"--kl-warmup", NULL, CLI_REAL, "E", 1e-9, 1e9, offsetof(vgae_kl_schedule, warmup),
     .help = "epochs of the linear warm-up"},
    {"--kl-cycles", NULL, CLI_INT, "M", 1, 1000000, offsetof(vgae_kl_schedule, cycles),
     .help = "cycles of the cyclical schedule over the training"},
    {"--kl-ratio", NULL, CLI_REAL, "R", 1e-9, 1, offsetof(vgae_kl_schedule, ratio),
     .help = "the rising fraction of each cycle"},
    {"--capacity", NULL, CLI_REAL, "C", 0, 1e9, offsetof(vgae_kl_schedule, capacity),
     .help = "the capacity objective (Burgess et al. 2018): the KL term\n"
             "becomes gamma |KL - C(t)|, KL per example, C(t) growing to C\n"
             "nats over --capacity-epochs; 0: off (beta and annealing apply)"},
    {"--capacity-epochs", NULL, CLI_REAL, "E", 0, 1e9, offsetof(vgae_kl_schedule, capacity_epochs),
     .help = "epochs over which C(t) grows from 0 to C (0: C from the start)"},
    {"--capacity-gamma", NULL, CLI_REAL, "G", 1e-9, 1e12, offsetof(vgae_kl_schedule, gamma),
     .help = "the weight of |KL - C(t)|"},
    {NULL},
};

const cli_opt cli_model_table[] = {
    {"--recipe", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, recipe), .choices = recipe_names,
     .help = "named settings, before the options below (which override\n"
             "them): kipf2016, the 2016 VGAE; tuned, a GAE chosen on\n"
             "validation pairs (see the README)"},
    {"--model", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, kind), .choices = kind_names,
     .help = "variational or plain graph autoencoder"},
    {"--hidden", NULL, CLI_INT, "N", 1, 65536, offsetof(cli_train_opts, model.hidden),
     .help = "width of the hidden layers"},
    {"--latent", NULL, CLI_INT, "N", 1, 65536, offsetof(cli_train_opts, model.latent),
     .help = "latent dimensions"},
    {"--layers", NULL, CLI_INT, "N", 1, VGAE_MAX_LAYERS, offsetof(cli_train_opts, model.layers),
     .help = "encoder layers (1: the linear encoder of Salha et al. 2020)"},
    {"--hops", NULL, CLI_CUSTOM, "K[,K...]", .dest = offsetof(cli_train_opts, hops_given),
     .parse = parse_hops, .no_default = 1,
     .help = "propagation steps of each layer, or one for all (default 1;\n"
             "0: a dense layer, as an MLP after propagation)"},
    {"--propagation", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, propagation),
     .choices = propagation_names,
     .help = "gcn: A^K T; lightgcn: the mean of T, A T, ..., A^K T"},
    {"--bias", NULL, CLI_FLAG, .negatable = 1, .dest = offsetof(cli_train_opts, model.bias),
     .help = "a bias in every layer"},
    {"--dropout", NULL, CLI_REAL, "P", 0, 0.99, offsetof(cli_train_opts, model.dropout),
     .help = "dropout on every layer's input, the features too"},
    {"--norm", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, norm), .choices = norm_names,
     .help = "normalization of the hidden layers"},
    {"--residual", NULL, CLI_FLAG, .negatable = 1, .dest = offsetof(cli_train_opts, model.residual),
     .help = "hidden layers add their input (where the widths match)"},
    {"--l2-scale", NULL, CLI_REAL, "S", 0, 1e6, offsetof(cli_train_opts, model.l2_scale),
     .help = "VGNAE: the last layer's rows scaled to L2 norm S before\n"
             "they propagate (0: off, the default)", .no_default = 1},
    {"--learn-scale", NULL, CLI_FLAG, .negatable = 1, .dest = offsetof(cli_train_opts, model.l2_learn),
     .help = "learn that scale, starting at --l2-scale"},
    {"--decoder", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, decoder),
     .choices = decoder_names,
     .help = "inner: z_u . z_v; hadamard: an MLP on z_u * z_v"},
    {"--decoder-hidden", NULL, CLI_INT, "N", 0, 65536, offsetof(cli_train_opts, model.decoder_hidden),
     .help = "the hadamard decoder's width (0, the default: the latent\n"
             "size)", .no_default = 1},
    {"--degree-term", NULL, CLI_FLAG, .negatable = 1, .dest = offsetof(cli_train_opts, model.degree_term),
     .help = "hadamard: add a (log(1 + d_u) + log(1 + d_v)) to the logit,\n"
             "d the degrees in the graph the encoder sees, a learned from 1"},
    {"--no-features", NULL, CLI_FLAG, .dest = offsetof(cli_train_opts, no_features),
     .help = "ignore the features: X = I (automatic when there are none)"},
    {"--structure-input", NULL, CLI_FLAG, .negatable = 1, .dest = offsetof(cli_train_opts, model.structure_input),
     .help = "featureless: encode the training adjacency (X = A) instead\n"
             "of X = I; a node isolated in training then encodes to 0"},
    {"--condition", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, condition),
     .choices = condition_names,
     .help = "labels: a conditional VGAE; each node's label enters the\n"
             "encoder (one-hot) and the decoder (a learned code beside z)"},
    {"--epochs", NULL, CLI_INT, "N", 0, 1000000, offsetof(cli_train_opts, model.epochs),
     .help = "Adam steps, one per epoch"},
    {"--lr", NULL, CLI_REAL, "X", 1e-12, 1e6, offsetof(cli_train_opts, model.lr),
     .help = "Adam learning rate"},
    {"--weight-decay", NULL, CLI_REAL, "X", 0, 1e6, offsetof(cli_train_opts, model.weight_decay),
     .help = "L2 penalty on the weights, added to the gradient"},
    {"--encoder-decay", NULL, CLI_REAL, "X", 0, 1e6, offsetof(cli_train_opts, model.encoder_decay),
     .help = "L2 penalty on the encoder's weights only, on top of\n"
             "--weight-decay (featureless: the node embeddings)"},
    {"--beta", NULL, CLI_REAL, "X", 0, 1e12, offsetof(cli_train_opts, model.beta),
     .help = "weight of the KL over the reference's scale 1/N^2"},
    {"--loss", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, loss), .choices = loss_names,
     .help = "all N^2 pairs, or (for large graphs) the training edges\n"
             "and fresh non-edges each epoch"},
    {"--negatives", NULL, CLI_INT, "K", 1, 1000, offsetof(cli_train_opts, model.negatives),
     .help = "the sampled loss's non-edges per edge"},
    {"--mask-rate", NULL, CLI_REAL, "P", 0, 0.99, offsetof(cli_train_opts, model.mask_rate),
     .help = "MaskGAE: hide this fraction of the training edges from the\n"
             "encoder each epoch and reconstruct them (sampled loss)"},
    {"--adversarial", NULL, CLI_REAL, "W", 0, 1e6, offsetof(cli_train_opts, model.adversarial),
     .help = "ARGA: weight of a discriminator's push of z toward N(0, I)"},
    {"--val-every", NULL, CLI_INT, "N", 0, 1000000, offsetof(cli_train_opts, model.val_every),
     .help = "model selection: score the validation pairs every N epochs\n"
             "and keep the best weights (0, the default: the last weights)",
     .no_default = 1},
    {"--select", NULL, CLI_CHOICE, .dest = offsetof(cli_train_opts, select), .choices = select_names,
     .help = "the validation figure model selection maximizes (hits: the\n"
             "first K of --hits)"},
    {"--patience", NULL, CLI_INT, "P", 0, 1000000, offsetof(cli_train_opts, model.patience),
     .help = "stop after P validations without a better figure (0, the\n"
             "default: never)", .no_default = 1},
    {"--hits", NULL, CLI_CUSTOM, "K,K,...", .dest = offsetof(cli_train_opts, model.hits),
     .parse = cli_parse_hits, .help = "the K of the Hits@K reported (at most 8)", .no_default = 1},
    {NULL},
};

const cli_opt cli_split_table[] = {
    {"--val-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(cli_train_opts, protocol.val_frac),
     .help = "fraction of edges for validation"},
    {"--test-frac", NULL, CLI_REAL, "F", 0, 0.999, offsetof(cli_train_opts, protocol.test_frac),
     .help = "fraction of edges for test"},
    {"--hard-negatives", NULL, CLI_INT64, "K", 0, 100000,
     offsetof(cli_train_opts, protocol.hard_negatives),
     .help = "per held-out edge, its K hardest non-edges (resource\n"
             "allocation and personalized PageRank on the training graph),\n"
             "for MRR; 0: none (default: 500, at most N/4 for N nodes and\n"
             "5,000,000 in all; none when over 100,000 edges are held out:\n"
             "each takes about 1/3 ms)", .no_default = 1},
    {"--seed", NULL, CLI_INT64, "S", 0, 2147483647, offsetof(cli_train_opts, seed),
     .help = "seed of the split, weights and noise"},
    {NULL},
};

/* The choice fields from the model options. */
static void choices_from_model(cli_train_opts *t)
{
    t->kind = (int)t->model.kind;
    t->loss = (int)t->model.loss;
    t->propagation = (int)t->model.propagation;
    t->norm = (int)t->model.norm;
    t->decoder = (int)t->model.decoder;
    t->select = (int)t->model.select;
    t->condition = (int)t->model.condition;
}

cli_train_opts cli_train_defaults(void)
{
    cli_train_opts t = {.model = vgae_graph_ae_defaults(),
                        .protocol = vgae_linkpred_protocol_defaults(), .seed = 42, .runs = 1,
                        .every = 10, .threads = cli_default_threads(), .checkpoint = {.every = 10}};
    choices_from_model(&t);
    return t;
}

int cli_apply_recipe(int argc, char **argv, cli_train_opts *t, int features)
{
    const char *name = NULL;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--recipe") == 0 && k + 1 < argc)
            name = argv[k + 1];
        else if (strncmp(argv[k], "--recipe=", 9) == 0)
            name = argv[k] + 9;
    }
    if (!name)
        return 0;
    for (int r = 0; recipe_names[r]; r++)
        if (strcmp(name, recipe_names[r]) == 0 &&
            vgae_graph_ae_recipe(NULL, name, features, &t->model) == VGAE_OK) {
            choices_from_model(t);
            t->recipe = r;
            return 1;
        }
    return 0; /* the parser names the bad value */
}

int cli_check_protocol(const char *cmd, const vgae_linkpred_protocol *p)
{
    if (p->val_frac + p->test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1"), -1;
    if (p->hard_negatives == 1)
        return cli_usage_error(cmd, "--hard-negatives is 0 (none) or at least 2"), -1;
    return 0;
}

int cli_train_model(const char *cmd, const cli_train_opts *t, vgae_graph_ae_options *out)
{
    vgae_graph_ae_options o = t->model;
    o.kind = (vgae_graph_ae_kind)t->kind;
    o.loss = (vgae_loss_kind)t->loss;
    o.propagation = (vgae_propagation)t->propagation;
    o.norm = (vgae_norm_kind)t->norm;
    o.decoder = (vgae_decoder_kind)t->decoder;
    o.select = (vgae_select_metric)t->select;
    o.condition = (vgae_condition_kind)t->condition;
    o.features = !t->no_features;
    *out = o;
    if (o.degree_term && o.decoder != VGAE_DECODER_HADAMARD)
        return cli_usage_error(cmd, "--degree-term needs --decoder hadamard"), -1;
    if (t->hops_given > 1 && t->hops_given != o.layers)
        return cli_usage_error(cmd, "--hops gives %d values for %d layers", t->hops_given, o.layers), -1;
    if (o.loss == VGAE_LOSS_FULL && (o.decoder != VGAE_DECODER_INNER || o.mask_rate > 0 || o.negatives != 1))
        return cli_usage_error(cmd, "--decoder hadamard, --mask-rate and --negatives need --loss "
                               "sampled (the full loss scores all pairs by inner product)"), -1;
    if (o.patience > 0 && o.val_every == 0)
        return cli_usage_error(cmd, "--patience needs --val-every"), -1;
    if (o.l2_learn && o.l2_scale == 0)
        return cli_usage_error(cmd, "--learn-scale needs --l2-scale, the scale it starts from"), -1;
    return 0;
}
