/* `vgae vae ...`: train, evaluate and look at the dense image VAE (MNIST-style IDX data). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char vae_help[] =
    "Usage: vgae vae COMMAND [options]     (vgae vae COMMAND --help for its options)\n"
    "\n"
    "The dense image VAE (Kingma & Welling 2013) on MNIST-style IDX data:\n"
    "  train        train on DIR's train images, report the test loss per epoch\n"
    "  eval         test negative ELBO (and an importance-weighted NLL with --iw-samples)\n"
    "  sample       a grid of images decoded from prior draws (PNG)\n"
    "  reconstruct  test images above their reconstructions (PNG)\n"
    "  interpolate  decoded steps on the line between two test images' codes (PNG)\n"
    "  manifold     the decoded 2-D latent space (PNG; latent 2 only)\n"
    "  traverse     each latent dimension varied around a test image's code (PNG)\n"
    "  encode       the test images' codes (w2v, tsv, npy) and an anomaly score per image\n"
    "\n"
    "Data: a folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz], as MNIST and\n"
    "Fashion-MNIST come (tools/fetch-mnist DIR downloads MNIST). The model's commands read\n"
    "the test images of the folder the model was trained on unless --data says otherwise.\n"
    "\n"
    "Examples:\n"
    "  vgae vae train --data ~/mnist -o mnist.vae --plot mnist.png\n"
    "  vgae vae sample --model mnist.vae -o samples.png\n";

typedef struct {
    const char *data, *model, *output, *format, *scores, *plot;
    vgae_image_vae_options vo;
    int seed, threads, quiet, json, binarize, count, cols, steps, size, zoom, iw_samples, dims;
    int conditional, label, by_label; /* label -1: not given */
    int sample_accuracy;              /* draws per class to classify; 0: none */
    double range;
    int64_t limit, images, from, to;
    cli_checkpoint_opts checkpoint;
} vae_args;

/* --hidden 400 or 512,256 */
static int parse_hidden(const char *cmd, const char *opt, const char *s, void *dest)
{
    vgae_image_vae_options *o = dest;
    o->n_hidden = 0;
    for (const char *p = s; *p;) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || h < 1 || h > 65536 || (*end && *end != ',') || o->n_hidden == VGAE_VAE_MAX_HIDDEN)
            return cli_usage_error(cmd, "%s takes 1 to %d sizes like 400 or 512,256, not '%s'", opt,
                                   VGAE_VAE_MAX_HIDDEN, s), -1;
        o->hidden[o->n_hidden++] = (int)h;
        p = *end ? end + 1 : end;
    }
    return o->n_hidden ? 0 : (cli_usage_error(cmd, "%s is empty", opt), -1);
}

static const char *const binarize_names[] = {"none", "dynamic", NULL};
static const char *const latent_kind_names[] = {"gaussian", "vq", NULL};

static const cli_opt train_table[] = {
    {"--data", NULL, CLI_STRING, "DIR", .dest = offsetof(vae_args, data),
     .help = "the image folder (required)"},
    {"--output", "-o", CLI_STRING, "MODEL", .dest = offsetof(vae_args, output),
     .help = "the model file to write (required)"},
    {"--hidden", NULL, CLI_CUSTOM, "N[,N...]", .dest = offsetof(vae_args, vo), .parse = parse_hidden,
     .help = "hidden layer sizes, encoder order (400)"},
    {"--latent", NULL, CLI_INT, "N", 1, 65536, offsetof(vae_args, vo.latent), .help = "latent dimensions"},
    {"--batch", NULL, CLI_INT, "N", 1, 1 << 16, offsetof(vae_args, vo.batch), .help = "images per Adam step"},
    {"--epochs", NULL, CLI_INT, "N", 0, 100000, offsetof(vae_args, vo.epochs), .help = "passes over the images"},
    {"--lr", NULL, CLI_REAL, "X", 1e-12, 1e6, offsetof(vae_args, vo.lr), .help = "Adam learning rate"},
    {"--beta", NULL, CLI_REAL, "X", 0, 1e12, offsetof(vae_args, vo.beta), .help = "weight of the KL"},
    {"--binarize", NULL, CLI_CHOICE, .dest = offsetof(vae_args, binarize), .choices = binarize_names,
     .help = "grayscale targets, or pixels drawn afresh each time"},
    {"--latent-kind", NULL, CLI_CHOICE, .dest = offsetof(vae_args, vo.latent_kind), .choices = latent_kind_names,
     .help = "gaussian, the VAE; vq, the vector-quantized VAE (van den Oord\n"
             "et al. 2017): --codes vectors of latent / codes dimensions each,\n"
             "replaced by their nearest of --codebook learned vectors"},
    {"--codebook", NULL, CLI_INT, "K", 2, 65536, offsetof(vae_args, vo.vq.codebook),
     .help = "vq: vectors in the codebook"},
    {"--codes", NULL, CLI_INT, "M", 1, 65536, offsetof(vae_args, vo.vq.codes),
     .help = "vq: code vectors an image (--latent must be a multiple)"},
    {"--commitment", NULL, CLI_REAL, "B", 0, 1e6, offsetof(vae_args, vo.vq.commitment),
     .help = "vq: the commitment loss's weight"},
    {"--vq-ema", NULL, CLI_REAL, "G", 0, 0.999999, offsetof(vae_args, vo.vq.ema),
     .help = "vq: the codebook follows moving averages of the encoder\n"
             "outputs its codes pick, with decay G (0.99 is usual), instead\n"
             "of its loss's gradient; 0: off"},
    {"--restart", NULL, CLI_FLAG, .dest = offsetof(vae_args, vo.restart), .negatable = 1,
     .help = "vq: after each epoch, move the codes it did not pick onto\n"
             "encoder outputs of its last batch (dead-code restarts)"},
    {"--limit", NULL, CLI_INT64, "N", 1, 1e12, offsetof(vae_args, limit),
     .help = "use the first N training images only", .no_default = 1},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(vae_args, json), .help = "the last epoch's figures as JSON"},
    {"--plot", NULL, CLI_STRING, "FILE", .dest = offsetof(vae_args, plot),
     .help = "draw the train and test loss, and the test loss's two parts\n"
             "(reconstruction, KL), per epoch into FILE: PNG, or SVG for .svg"},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(vae_args, seed),
     .help = "seed of the weights, order, noise and binarization"},
    {"--conditional", NULL, CLI_FLAG, .dest = offsetof(vae_args, conditional),
     .help = "the conditional VAE (Sohn et al. 2015): each image's label\n"
             "(from the folder's label files) enters the encoder and the\n"
             "decoder, one-hot; classes = the largest training label + 1"},
    {NULL},
};

/* the options of every command that reads a model */
static const cli_opt model_table[] = {
    {"--model", NULL, CLI_STRING, "FILE", .dest = offsetof(vae_args, model), .help = "the model (required)"},
    {"--data", NULL, CLI_STRING, "DIR", .dest = offsetof(vae_args, data),
     .help = "the image folder (default: the model's training folder)"},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(vae_args, seed),
     .help = "the draws of z (default: the model's seed)", .no_default = 1},
    {NULL},
};

static const cli_opt common_table[] = {
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(vae_args, threads),
     .help = "threads; results do not depend on it"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(vae_args, quiet), .help = "no progress"},
    {NULL},
};

static const cli_opt eval_table[] = {
    {"--iw-samples", NULL, CLI_INT, "K", 1, 1000000, offsetof(vae_args, iw_samples),
     .help = "also the importance-weighted NLL with K draws per image", .no_default = 1},
    {"--images", NULL, CLI_INT64, "N", 1, 1e12, offsetof(vae_args, images),
     .help = "the first N test images only", .no_default = 1},
    {"--sample-accuracy", NULL, CLI_INT, "N", 1, 100000, offsetof(vae_args, sample_accuracy),
     .help = "a conditional model: decode N prior draws per class and report\n"
             "how many a softmax regression trained on the folder's training\n"
             "images (5 epochs) recognizes as their class", .no_default = 1},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(vae_args, json), .help = "one JSON object"},
    {NULL},
};

#define PNG_OPTS                                                                                   \
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(vae_args, output),                    \
     .help = "the PNG file (required)"},                                                           \
    {"--zoom", NULL, CLI_INT, "N", 1, 16, offsetof(vae_args, zoom), .help = "scales each pixel"}

#define LABEL_OPT                                                                                  \
    {"--label", NULL, CLI_INT, "K", 0, 255, offsetof(vae_args, label),                              \
     .help = "a conditional model: decode as class K (default 0)", .no_default = 1}

static const cli_opt sample_table[] = {
    PNG_OPTS,
    {"--count", NULL, CLI_INT, "N", 1, 10000, offsetof(vae_args, count), .help = "images"},
    {"--cols", NULL, CLI_INT, "N", 1, 1000, offsetof(vae_args, cols), .help = "images per row"},
    LABEL_OPT,
    {"--by-label", NULL, CLI_FLAG, .dest = offsetof(vae_args, by_label),
     .help = "a conditional model: one row of --cols draws per class"},
    {NULL},
};

static const cli_opt reconstruct_table[] = {
    PNG_OPTS,
    {"--count", NULL, CLI_INT, "N", 1, 10000, offsetof(vae_args, count), .help = "test images"},
    {NULL},
};

static const cli_opt interpolate_table[] = {
    PNG_OPTS,
    {"--from", NULL, CLI_INT64, "I", 0, 1e12, offsetof(vae_args, from), .help = "the first test image"},
    {"--to", NULL, CLI_INT64, "J", 0, 1e12, offsetof(vae_args, to), .help = "the last test image"},
    {"--steps", NULL, CLI_INT, "N", 2, 1000, offsetof(vae_args, steps), .help = "images on the line"},
    {NULL},
};

static const cli_opt manifold_table[] = {
    PNG_OPTS,
    {"--size", NULL, CLI_INT, "N", 2, 200, offsetof(vae_args, size), .help = "images a side"},
    LABEL_OPT,
    {NULL},
};

static const cli_opt traverse_table[] = {
    PNG_OPTS,
    {"--image", NULL, CLI_INT64, "I", 0, 1e12, offsetof(vae_args, from), .help = "the test image whose code is varied"},
    {"--steps", NULL, CLI_INT, "N", 2, 1000, offsetof(vae_args, steps), .help = "values per dimension"},
    {"--range", NULL, CLI_REAL, "R", 1e-6, 1e6, offsetof(vae_args, range),
     .help = "each dimension goes from -R to R"},
    {"--dims", NULL, CLI_INT, "K", 1, 65536, offsetof(vae_args, dims),
     .help = "the K dimensions of largest KL only (default: all)", .no_default = 1},
    {NULL},
};

static const cli_opt encode_table[] = {
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(vae_args, output),
     .help = "the codes (required)"},
    {"--format", NULL, CLI_STRING, "w2v|tsv|npy|mtx", .dest = offsetof(vae_args, format),
     .help = "their format (default: from the extension, else w2v)"},
    {"--scores", NULL, CLI_STRING, "FILE", .dest = offsetof(vae_args, scores),
     .help = "image, label, negative ELBO (default OUTPUT.scores.tsv)"},
    {NULL},
};

#define COMMAND(cmd_name, usage_line, about_text, example_lines, ...)                              \
    {.name = "vae " cmd_name, .usage = usage_line, .about = about_text, .examples = example_lines, \
     .groups = (const cli_group[]){__VA_ARGS__, {"Running", common_table, 0}, {NULL}}}

static const cli_command train_command = COMMAND(
    "train", "Usage: vgae vae train --data DIR [options] -o MODEL",
    "Trains the image VAE on DIR's training images and reports the test loss after\n"
    "each epoch: x -> [linear, ReLU] per hidden layer -> mean, logvar -> z -> the\n"
    "mirror image -> Bernoulli logits of the pixels.\n",
    "  vgae vae train --data ~/mnist -o mnist.vae --plot mnist.png\n"
    "  vgae vae train --data /usr/share/datasets/fashion-mnist --latent 2 --epochs 20 -o fashion2d.vae\n",
    {"Training", train_table, 0}, {"KL schedule", cli_kl_table, offsetof(vae_args, vo.kl)},
    {"Checkpoints (an epoch is a step: SIGINT or SIGTERM keeps the batch reached)", cli_checkpoint_table,
     offsetof(vae_args, checkpoint)});
static const cli_command eval_command = COMMAND(
    "eval", "Usage: vgae vae eval --model MODEL [--iw-samples K] [--images N] [--json]",
    "The negative ELBO of the test images (the same draws as training's report of\n"
    "its last epoch), and with --iw-samples the importance-weighted bound.\n",
    "  vgae vae eval --model mnist.vae\n"
    "  vgae vae eval --model mnist.vae --iw-samples 5000 --images 1000 --json\n",
    {"Model", model_table, 0}, {"Evaluation", eval_table, 0});
static const cli_command sample_command = COMMAND(
    "sample", "Usage: vgae vae sample --model MODEL -o PNG [--count N] [--cols N]",
    "A grid of images decoded from draws of the prior N(0, I).\n",
    "  vgae vae sample --model mnist.vae -o samples.png\n"
    "  vgae vae sample --model mnist.vae --count 100 --cols 10 -o grid.png\n",
    {"Model", model_table, 0}, {"Picture", sample_table, 0});
static const cli_command reconstruct_command = COMMAND(
    "reconstruct", "Usage: vgae vae reconstruct --model MODEL -o PNG [--count N]",
    "The first test images, above their reconstructions (the decoded means).\n",
    "  vgae vae reconstruct --model mnist.vae -o recon.png\n"
    "  vgae vae reconstruct --model mnist.vae --count 16 -o recon16.png\n",
    {"Model", model_table, 0}, {"Picture", reconstruct_table, 0});
static const cli_command interpolate_command = COMMAND(
    "interpolate", "Usage: vgae vae interpolate --model MODEL -o PNG [--from I] [--to J] [--steps N]",
    "Decoded steps on the straight line between the codes of two test images.\n",
    "  vgae vae interpolate --model mnist.vae -o walk.png\n"
    "  vgae vae interpolate --model mnist.vae --from 3 --to 7 --steps 12 -o walk37.png\n",
    {"Model", model_table, 0}, {"Picture", interpolate_table, 0});
static const cli_command manifold_command = COMMAND(
    "manifold", "Usage: vgae vae manifold --model MODEL -o PNG [--size N]",
    "The decoded 2-D latent space (a model with --latent 2): a grid of the prior's\n"
    "quantiles, as in Kingma & Welling's figure 4.\n",
    "  vgae vae manifold --model mnist2d.vae -o manifold.png\n"
    "  vgae vae manifold --model mnist2d.vae --size 20 -o manifold20.png\n",
    {"Model", model_table, 0}, {"Picture", manifold_table, 0});
static const cli_command traverse_command = COMMAND(
    "traverse", "Usage: vgae vae traverse --model MODEL -o PNG [--image I] [--steps N] [--range R]",
    "Latent traversals (as in Higgins et al.'s beta-VAE): one row per latent\n"
    "dimension, ordered by its average KL over the test images (the first rows carry\n"
    "the most information), each decoding test image I's code with that dimension\n"
    "set to --steps values from -R to R. The order, the KL and whether each\n"
    "dimension is active (Burda et al.: the variance of its posterior mean over the\n"
    "test images above 0.01) are printed, a row each.\n",
    "  vgae vae traverse --model mnist.vae -o traverse.png\n"
    "  vgae vae traverse --model beta4.vae --image 7 --dims 8 --range 2.5 -o traverse8.png\n",
    {"Model", model_table, 0}, {"Picture", traverse_table, 0});
static const cli_command encode_command = COMMAND(
    "encode", "Usage: vgae vae encode --model MODEL -o FILE [--format F] [--scores FILE]",
    "The test images' codes (the means of q(z|x)) in the embedding formats, and a\n"
    "scores file: each image's label and negative ELBO, an anomaly score (higher is\n"
    "stranger).\n",
    "  vgae vae encode --model mnist.vae -o codes.npy\n"
    "  vgae vae encode --model mnist.vae -o codes.tsv --scores anomalies.tsv\n",
    {"Model", model_table, 0}, {"Output", encode_table, 0});

/* The defaults of every subcommand's arguments. */
static vae_args defaults(void)
{
    return (vae_args){.vo = vgae_image_vae_defaults(), .seed = -1,
                      .threads = cli_default_threads(), .count = 64, .cols = 8, .from = 0, .to = 1,
                      .steps = 10, .size = 15, .zoom = 2, .range = 3, .label = -1,
                      .checkpoint = {.every = 1}};
}

/* Parses: CLI_OK, or -1 after the help, or CLI_USAGE. */
static int parse(const cli_command *c, int argc, char **argv, vae_args *a)
{
    int r = cli_parse(c, argc, argv, a);
    return r == CLI_PARSED ? CLI_OK : r == CLI_HELP_SHOWN ? -1 : CLI_USAGE;
}

/* ---- train ---- */

/* A checkpoint of the training after `epochs` whole epochs (rows: their
 * figures); with interrupted, of a run a signal stopped part way (the
 * context's message says where). Returns an exit code. */
static int vae_checkpoint(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train, const vae_args *a,
                          const double *rows, int epochs, int interrupted)
{
    char stopped[400];
    snprintf(stopped, sizeof stopped, "%s", vgae_ctx_message(ctx));
    cli_text t = {0};
    cli_text_add(&t, "user_command vae train\n");
    cli_text_doubles(&t, "epochs", rows, 4 * epochs);
    char *lines = cli_text_take(&t);
    if (!lines) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    vgae_status st = vgae_image_vae_checkpoint(ctx, v, train, a->checkpoint.path, lines);
    free(lines);
    if (st)
        return cli_lib_error(ctx);
    return interrupted ? cli_interrupted(stopped, a->checkpoint.path) : CLI_OK;
}

static int vae_train(int argc, char **argv)
{
    const char *cmd = "vae train";
    vae_args a = defaults();
    a.seed = 42;
    int rc = parse(&train_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.data)
        return cli_usage_error(cmd, "no images: give --data DIR, a folder with MNIST's four IDX files "
                                    "(tools/fetch-mnist DIR downloads them; for Fashion-MNIST: apt install "
                                    "dataset-fashion-mnist, --data /usr/share/datasets/fashion-mnist)");
    if (!a.output)
        return cli_usage_error(cmd, "give the model file to write with -o FILE");
    a.vo.binarize = (vgae_binarize)a.binarize;
    vgae_ctx *ctx = cli_ctx_new(a.quiet, a.threads);
    vgae_images *train = NULL, *test = NULL;
    vgae_image_vae *v = NULL;
    vgae_model_file *resume = NULL;
    if (!ctx)
        return CLI_ERROR;
    vgae_ctx_set_seed(ctx, (uint64_t)a.seed);
    vgae_image_figures f = {NAN, NAN, NAN, 0};
    if (cli_check_outputs(ctx, a.output, a.plot)) { /* before the training, not after */
        vgae_ctx_free(ctx);
        return CLI_ERROR;
    }
    double train_loss = NAN;
    /* per epoch: the training loss and the test figures (neg. ELBO, recon, KL), for
     * the plot and the checkpoints */
    double *rows = calloc((size_t)a.vo.epochs * 4 + 1, sizeof *rows);
    if (!rows) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    if (cli_checkpoint_start(ctx, &a.checkpoint, cmd, &resume)) {
        rc = CLI_ERROR;
        goto done;
    }
    if (vgae_images_read_split(ctx, a.data, "train", &train) ||
        vgae_images_read_split(ctx, a.data, "t10k", &test)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (train->height != test->height || train->width != test->width) {
        fprintf(stderr, "vgae: %s: train images are %dx%d, test images %dx%d\n", a.data,
                train->height, train->width, test->height, test->width);
        rc = CLI_ERROR;
        goto done;
    }
    if (a.limit && a.limit < train->n)
        train->n = a.limit;
    if (a.conditional) {
        a.vo.classes = vgae_images_classes(train);
        if (a.vo.classes < 2) {
            fprintf(stderr, "vgae: %s: --conditional needs labels of at least two classes "
                            "(train-labels-idx1-ubyte[.gz])\n", a.data);
            rc = CLI_ERROR;
            goto done;
        }
    }
    if (vgae_image_vae_new(ctx, &a.vo, train, &v) || (resume && vgae_image_vae_resume(ctx, v, train, resume))) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    const int done_before = (int)vgae_image_vae_epoch(v); /* epochs a checkpoint had done */
    if (resume && cli_meta_doubles(resume, "epochs", rows, a.vo.epochs * 4) != done_before * 4) {
        fprintf(stderr, "vgae: %s: corrupted checkpoint: bad user_epochs\n", a.checkpoint.resume);
        rc = CLI_ERROR;
        goto done;
    }
    if (done_before > 0) {
        train_loss = rows[4 * (done_before - 1)];
        f = (vgae_image_figures){rows[4 * done_before - 3], rows[4 * done_before - 2], rows[4 * done_before - 1],
                                 test->n};
    }
    vgae_image_vae_prepare_test(v, test);
    if (!a.quiet)
        fprintf(stderr, "%lld training and %lld test images of %dx%d; %d epochs%s\n",
                (long long)train->n, (long long)test->n, train->height, train->width, a.vo.epochs,
                done_before ? ", going on after the checkpoint's" : "");
    const double started = cli_now();
    cli_steps_live(ctx, a.quiet); /* within an epoch, on a terminal: a redrawn line with the time left */
    for (int e = done_before + 1; e <= a.vo.epochs; e++) {
        const double before = vgae_image_vae_train_seconds(v);
        if (vgae_image_vae_train_epoch(ctx, v, train, &train_loss) ||
            vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f)) {
            /* stopped by a signal at the end of a batch: the state there is whole */
            if (vgae_ctx_status(ctx) == VGAE_EINTR && a.checkpoint.path)
                rc = vae_checkpoint(ctx, v, train, &a, rows, e - 1, 1);
            else
                rc = cli_lib_error(ctx);
            goto done;
        }
        const double row[4] = {train_loss, f.neg_elbo, f.recon, f.kl};
        memcpy(rows + 4 * (e - 1), row, sizeof row);
        if (a.checkpoint.path && e % a.checkpoint.every == 0 &&
            (rc = vae_checkpoint(ctx, v, train, &a, rows, e, 0)))
            goto done;
        if (!a.quiet) {
            /* the epochs left, at the pace so far */
            char left[48] = "";
            if (e < a.vo.epochs) {
                char d[32];
                cli_duration(d, sizeof d, (cli_now() - started) / (e - done_before) * (a.vo.epochs - e));
                snprintf(left, sizeof left, ", %s left", d);
            }
            fprintf(stderr, "epoch %3d/%d  train loss %8.3f  test loss %8.3f (recon %.3f + KL %.3f)  %6.2f s%s\n",
                    e, a.vo.epochs, train_loss, f.neg_elbo, f.recon, f.kl,
                    vgae_image_vae_train_seconds(v) - before, left);
        }
    }
    double *curve = a.plot ? calloc((size_t)a.vo.epochs * 5 + 1, sizeof *curve) : NULL;
    if (a.plot && !curve) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    for (int e = 1; curve && e <= a.vo.epochs; e++) {
        curve[e - 1] = e;
        for (int c = 0; c < 4; c++)
            curve[(size_t)(c + 1) * (size_t)a.vo.epochs + (size_t)(e - 1)] = rows[4 * (e - 1) + c];
    }
    rc = curve ? cli_plot_vae(a.plot, curve, a.vo.epochs, a.data, a.threads) : CLI_OK;
    free(curve);
    if (rc)
        goto done;
    if (vgae_image_vae_save(ctx, v, a.output)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    cli_notes_flush(!a.quiet);
    const double per_epoch = a.vo.epochs ? vgae_image_vae_train_seconds(v) / a.vo.epochs : 0.0;
    if (a.json) {
        printf("{\"epochs\":%d,", a.vo.epochs);
        cli_json_number("train_loss", train_loss, ",");
        cli_json_number("test_neg_elbo", f.neg_elbo, ",");
        cli_json_number("test_recon", f.recon, ",");
        cli_json_number("test_kl", f.kl, ",");
        printf("\"images\":%lld,\"seconds_per_epoch\":%.3f}\n", (long long)test->n, per_epoch);
    } else {
        printf("trained %d epochs, %.2f s per epoch; test loss %.3f nats per image "
               "(recon %.3f + KL %.3f); model written to %s\n",
               a.vo.epochs, per_epoch, f.neg_elbo, f.recon, f.kl, a.output);
    }
done:
    cli_steps_end(ctx);
    free(rows);
    vgae_model_file_free(resume);
    vgae_image_vae_free(v);
    vgae_images_free(train);
    vgae_images_free(test);
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- the commands that read a model ---- */

/* A model command's context, model and (where it needs them) test images. */
typedef struct {
    vgae_ctx *ctx;
    vgae_image_vae *v;
    vgae_images *test;
} vae_loaded;

/* The test images' labels from image i on (NULL when the folder has none). */
static const uint8_t *test_labels(const vae_loaded *l, int64_t i)
{
    return l->test && l->test->labels ? l->test->labels + i : NULL;
}

static void vae_loaded_free(vae_loaded *l)
{
    vgae_image_vae_free(l->v);
    vgae_images_free(l->test);
    vgae_ctx_free(l->ctx);
}

static int vae_load(const char *cmd, const vae_args *a, int need_test, vae_loaded *l)
{
    *l = (vae_loaded){0};
    if (!a->model)
        return cli_usage_error(cmd, "give the model with --model FILE");
    l->ctx = cli_ctx_new(a->quiet, a->threads);
    if (!l->ctx)
        return CLI_ERROR;
    if (vgae_image_vae_load(l->ctx, a->model, &l->v))
        return cli_lib_error(l->ctx);
    vgae_ctx_set_seed(l->ctx, a->seed >= 0 ? (uint64_t)a->seed : vgae_image_vae_seed(l->v));
    if (!need_test)
        return CLI_OK;
    const char *dir = a->data ? a->data : vgae_image_vae_folder(l->v);
    if (!dir)
        return cli_usage_error(cmd, "the model does not say where its data is: give --data DIR");
    if (vgae_images_read_split(l->ctx, dir, "t10k", &l->test))
        return cli_lib_error(l->ctx);
    if (l->test->height != vgae_image_vae_height(l->v) || l->test->width != vgae_image_vae_width(l->v)) {
        fprintf(stderr, "vgae: %s: test images are %dx%d, the model's %dx%d\n", dir, l->test->height,
                l->test->width, vgae_image_vae_height(l->v), vgae_image_vae_width(l->v));
        return CLI_ERROR;
    }
    vgae_image_vae_prepare_test(l->v, l->test);
    return CLI_OK;
}

typedef struct {
    double last;
    int quiet;
} iwae_progress;

/* While the IWAE estimate runs: on a terminal one line redrawn about four
 * times a second, else a line about every 10 s; with the time left. */
static void on_iwae_image(void *user, int64_t done, int64_t total, double seconds)
{
    iwae_progress *p = user;
    const int tty = cli_stderr_is_tty();
    if (p->quiet || (seconds - p->last < (tty ? 0.25 : 10) && done < total))
        return;
    p->last = seconds;
    char left[32];
    cli_duration(left, sizeof left, seconds / (double)done * (double)(total - done));
    fprintf(stderr, "%sIWAE: %lld/%lld images, %.0f s, %s left%s", tty ? "\r" : "", (long long)done,
            (long long)total, seconds, left, tty ? (done < total ? "\033[K" : "\033[K\n") : "\n");
    cli_progress_open(tty && done < total);
}

/* The per-dimension KL and activity of the test images (vgae_image_vae_latent_stats),
 * and the dimensions ordered by KL, largest first (ties: lower index first). */
typedef struct {
    double *kl, *activity;
    int *order;
    int n;
} latent_stats;

static double *stats_kl_for_sort;

static int by_kl_desc(const void *a, const void *b)
{
    const int i = *(const int *)a, j = *(const int *)b;
    const double x = stats_kl_for_sort[i], y = stats_kl_for_sort[j];
    return x > y ? -1 : x < y ? 1 : (i > j) - (i < j);
}

/* Frees and empties s (its callers free it again at their end). */
static void latent_stats_free(latent_stats *s)
{
    free(s->kl);
    free(s->activity);
    free(s->order);
    *s = (latent_stats){0};
}

static int latent_stats_compute(vae_loaded *l, int64_t images, latent_stats *s)
{
    const int d = vgae_image_vae_settings(l->v)->latent;
    *s = (latent_stats){calloc((size_t)d, sizeof(double)), calloc((size_t)d, sizeof(double)),
                        calloc((size_t)d, sizeof(int)), d};
    if (!s->kl || !s->activity || !s->order) {
        latent_stats_free(s);
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    if (vgae_image_vae_latent_stats(l->ctx, l->v, l->test, images, s->kl, s->activity)) {
        latent_stats_free(s);
        return cli_lib_error(l->ctx);
    }
    for (int j = 0; j < d; j++)
        s->order[j] = j;
    stats_kl_for_sort = s->kl;
    qsort(s->order, (size_t)d, sizeof *s->order, by_kl_desc);
    return CLI_OK;
}

/* Burda et al.'s threshold on the variance of the posterior mean. */
#define ACTIVE_VARIANCE 0.01

static void print_latent_stats(const latent_stats *s, int rows, const char *first)
{
    printf("%-5s %9s %11s %13s  %s\n", first, "dimension", "KL (nats)", "var(E[z|x])", "active");
    for (int r = 0; r < rows; r++) {
        const int j = s->order[r];
        printf("%5d %9d %11.3f %13.4f  %s\n", r + 1, j, s->kl[j], s->activity[j],
               s->activity[j] > ACTIVE_VARIANCE ? "yes" : "no");
    }
}

/* A vq model's codes on the first n test images: how many of the codebook's
 * are used, and the perplexity exp(H) of their frequencies (K if all were
 * used equally often, 1 if one code took everything). */
static int vq_usage(vae_loaded *l, int64_t n, double *perplexity, int *used)
{
    const vgae_image_vae_options *o = vgae_image_vae_settings(l->v);
    const int m = o->vq.codes, k = o->vq.codebook;
    int32_t *idx = malloc((size_t)(n * m) * sizeof *idx);
    int64_t *count = calloc((size_t)k, sizeof *count);
    int rc = CLI_OK;
    if (!idx || !count) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    } else if (vgae_image_vae_codes(l->ctx, l->v, l->test->pixels, test_labels(l, 0), n, idx)) {
        rc = cli_lib_error(l->ctx);
    } else {
        for (int64_t i = 0; i < n * m; i++)
            count[idx[i]]++;
        double h = 0;
        *used = 0;
        for (int j = 0; j < k; j++)
            if (count[j]) {
                const double p = (double)count[j] / (double)(n * m);
                h -= p * log(p);
                ++*used;
            }
        *perplexity = exp(h);
    }
    free(idx);
    free(count);
    return rc;
}

/* How recognizable a conditional model's draws are: a softmax regression
 * trained on the folder's training images (5 epochs) classifies n decoded
 * prior draws of each class (their pixel probabilities); *classifier is its
 * accuracy on the test images, *draws the fraction of draws it gives their
 * class. */
static int sample_accuracy(const vae_args *a, vae_loaded *l, double *classifier, double *draws)
{
    const char *cmd = "vae eval";
    const int classes = vgae_image_vae_settings(l->v)->classes, latent = vgae_image_vae_settings(l->v)->latent;
    if (!classes)
        return cli_usage_error(cmd, "--sample-accuracy needs a conditional model (vae train --conditional)");
    const char *dir = a->data ? a->data : vgae_image_vae_folder(l->v);
    vgae_images *train = NULL;
    vgae_classifier *clf = NULL;
    vgae_mat z = {0}, x = {0};
    const int64_t n = (int64_t)classes * a->sample_accuracy;
    uint8_t *y = malloc((size_t)n);
    int rc = CLI_OK;
    if (!y) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    for (int64_t i = 0; i < n; i++)
        y[i] = (uint8_t)(i / a->sample_accuracy);
    /* the classifier's own stream: the draws do not depend on whether it is trained first */
    vgae_rng saved = *vgae_ctx_rng(l->ctx, VGAE_STREAM_SHUFFLE);
    if (vgae_images_read_split(l->ctx, dir, "train", &train) || vgae_classifier_train(l->ctx, train, 5, &clf) ||
        vgae_classifier_accuracy(l->ctx, clf, l->test->pixels, l->test->labels, l->test->n, classifier) ||
        vgae_mat_init(l->ctx, &z, n, latent)) {
        rc = cli_lib_error(l->ctx);
    } else {
        *vgae_ctx_rng(l->ctx, VGAE_STREAM_SHUFFLE) = saved;
        vgae_rng_normal_fill_f(vgae_ctx_rng(l->ctx, VGAE_STREAM_NOISE), z.data, n * latent, 1);
        if (vgae_image_vae_decode(l->ctx, l->v, &z, y, &x) ||
            vgae_classifier_accuracy(l->ctx, clf, x.data, y, n, draws))
            rc = cli_lib_error(l->ctx);
    }
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&x);
    vgae_classifier_free(clf);
    vgae_images_free(train);
    free(y);
    return rc;
}

static int vae_eval(int argc, char **argv)
{
    vae_args a = defaults();
    vae_loaded l;
    int rc = parse(&eval_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    rc = vae_load("vae eval", &a, 1, &l);
    vgae_image_figures f;
    double iw = NAN;
    iwae_progress p = {0, a.quiet};
    const int64_t n = !rc && a.images && a.images < l.test->n ? a.images : !rc ? l.test->n : 0;
    if (!rc && vgae_image_vae_evaluate(l.ctx, l.v, l.test, n, NULL, NULL, &f))
        rc = cli_lib_error(l.ctx);
    if (!rc && a.iw_samples &&
        vgae_image_vae_iwae(l.ctx, l.v, l.test, n, a.iw_samples, on_iwae_image, &p, &iw))
        rc = cli_lib_error(l.ctx);
    if (!rc && a.iw_samples && !a.quiet)
        fprintf(stderr, "IWAE with %d samples on %lld images: %.1f s\n", a.iw_samples, (long long)n,
                p.last);
    /* class-conditional draws, classified by a linear classifier of the real images */
    double clf_acc = NAN, draw_acc = NAN;
    if (!rc && a.sample_accuracy)
        rc = sample_accuracy(&a, &l, &clf_acc, &draw_acc);
    /* what each latent dimension carries (KL, activity) */
    latent_stats s = {0};
    const int vq = !rc && vgae_image_vae_settings(l.v)->latent_kind == VGAE_IMAGE_VQ;
    double perplexity = NAN;
    int used = 0;
    if (!rc && vq)
        rc = vq_usage(&l, n, &perplexity, &used);
    else if (!rc)
        rc = latent_stats_compute(&l, n, &s);
    int active = 0;
    for (int j = 0; !rc && j < s.n; j++)
        active += s.activity[j] > ACTIVE_VARIANCE;
    if (!rc) {
        cli_notes_flush(!a.quiet);
        if (a.json) {
            printf("{");
            cli_json_number("test_neg_elbo", f.neg_elbo, ",");
            cli_json_number("test_recon", f.recon, ",");
            cli_json_number("test_kl", f.kl, ",");
            printf("\"images\":%lld", (long long)n);
            if (a.iw_samples) {
                printf(",");
                cli_json_number("iw_nll", iw, ",");
                printf("\"iw_samples\":%d", a.iw_samples);
            }
            if (a.sample_accuracy) {
                printf(",");
                cli_json_number("classifier_accuracy", clf_acc, ",");
                cli_json_number("sample_accuracy", draw_acc, ",");
                printf("\"draws_per_class\":%d", a.sample_accuracy);
            }
            if (vq) {
                printf(",");
                cli_json_number("perplexity", perplexity, ",");
                printf("\"codes_used\":%d,\"codebook\":%d}\n", used, vgae_image_vae_settings(l.v)->vq.codebook);
            } else {
                printf(",\"active_units\":%d,\"kl_per_dim\":[", active);
                for (int j = 0; j < s.n; j++)
                    printf("%s%.17g", j ? "," : "", s.kl[j]);
                printf("],\"activity\":[");
                for (int j = 0; j < s.n; j++)
                    printf("%s%.17g", j ? "," : "", s.activity[j]);
                printf("]}\n");
            }
        } else {
            printf("test images: %lld\nnegative ELBO: %.3f nats per image (recon %.3f + KL %.3f)\n",
                   (long long)n, f.neg_elbo, f.recon, f.kl);
            if (a.iw_samples)
                printf("IWAE NLL (k = %d): %.3f nats per image\n", a.iw_samples, iw);
            if (a.sample_accuracy)
                printf("class-conditional draws recognized as their class: %.1f%% (%d per class; the classifier,\n"
                       "a softmax regression on the training images, gets %.1f%% of the test images right)\n",
                       100 * draw_acc, a.sample_accuracy, 100 * clf_acc);
            if (vq) {
                printf("codebook: %d of %d codes used on these images, perplexity %.1f (the KL above is the\n"
                       "constant codes x log K of a uniform prior over the codes)\n",
                       used, vgae_image_vae_settings(l.v)->vq.codebook, perplexity);
            } else {
                printf("\nactive units: %d of %d (the variance of the posterior mean over the images above %g)\n"
                       "KL per latent dimension, largest first:\n", active, s.n, ACTIVE_VARIANCE);
                print_latent_stats(&s, s.n, "rank");
            }
        }
    }
    latent_stats_free(&s);
    vae_loaded_free(&l);
    return rc;
}

/* Writes images (n x pixels, probabilities) as a grid PNG. */
static int write_grid(vae_loaded *l, const vae_args *a, const vgae_real *images, int64_t n, int cols)
{
    const int32_t h = vgae_image_vae_height(l->v), w = vgae_image_vae_width(l->v);
    return vgae_png_write_grid(l->ctx, a->output, images, n, h, w, cols, 2, 1.0f, a->zoom)
               ? cli_lib_error(l->ctx)
               : CLI_OK;
}

/* Traversals: rows of test image --image's code, one dimension varied per row. */
static int traverse_codes(const char *cmd, const vae_args *a, vae_loaded *l, vgae_mat *z, int *cols)
{
    vgae_ctx *ctx = l->ctx;
    const int latent = vgae_image_vae_settings(l->v)->latent;
    const int64_t pixels = (int64_t)vgae_image_vae_height(l->v) * vgae_image_vae_width(l->v);
    if (a->from >= l->test->n)
        return cli_usage_error(cmd, "--image is a test image number below %lld", (long long)l->test->n);
    const int dims = a->dims > 0 && a->dims < latent ? a->dims : latent;
    latent_stats s;
    int rc = latent_stats_compute(l, 0, &s);
    if (rc)
        return rc;
    vgae_mat code = {0};
    if (vgae_image_vae_encode(ctx, l->v, l->test->pixels + a->from * pixels, test_labels(l, a->from), 1, &code) ||
        vgae_mat_init(ctx, z, (int64_t)dims * a->steps, latent)) {
        rc = cli_lib_error(ctx);
    } else {
        for (int r = 0; r < dims; r++)
            for (int c = 0; c < a->steps; c++) {
                vgae_real *row = z->data + ((int64_t)r * a->steps + c) * latent;
                memcpy(row, code.data, sizeof *row * (size_t)latent);
                row[s.order[r]] = (vgae_real)(-a->range + 2 * a->range * c / (a->steps - 1));
            }
        *cols = a->steps;
        printf("test image %lld, each row one dimension from %g to %g:\n", (long long)a->from, -a->range,
               a->range);
        print_latent_stats(&s, dims, "row");
    }
    vgae_mat_destroy(&code);
    latent_stats_free(&s);
    return rc;
}

/* A vq model's draws: each of its M code positions drawn on its own from
 * how often the training images pick each code there (the empirical
 * marginal; a learned prior over codes, as van den Oord et al.'s PixelCNN,
 * is not built), then the codes' vectors side by side. */
static int vq_draws(const vae_args *a, vae_loaded *l, vgae_mat *z)
{
    vgae_ctx *ctx = l->ctx;
    const vgae_image_vae_options *o = vgae_image_vae_settings(l->v);
    const int m = o->vq.codes, k = o->vq.codebook, d = o->latent / m;
    const char *dir = a->data ? a->data : vgae_image_vae_folder(l->v);
    vgae_images *train = NULL;
    int32_t *idx = NULL;
    int64_t *count = calloc((size_t)m * (size_t)k, sizeof *count);
    int rc = CLI_OK;
    if (!count || vgae_images_read_split(ctx, dir, "train", &train) ||
        !(idx = malloc((size_t)(train->n * m) * sizeof *idx)) ||
        vgae_image_vae_codes(ctx, l->v, train->pixels, train->labels, train->n, idx)) {
        rc = count && (!train || idx) ? cli_lib_error(ctx) : (fprintf(stderr, "vgae: out of memory\n"), CLI_ERROR);
        goto done;
    }
    for (int64_t i = 0; i < train->n; i++)
        for (int c = 0; c < m; c++)
            count[(int64_t)c * k + idx[i * m + c]]++;
    const vgae_mat *book = vgae_image_vae_codebook(l->v);
    vgae_rng *rng = vgae_ctx_rng(ctx, VGAE_STREAM_NOISE);
    for (int64_t r = 0; r < z->rows; r++)
        for (int c = 0; c < m; c++) {
            int64_t u = (int64_t)vgae_rng_below(rng, (uint64_t)train->n), j = 0;
            while (u >= count[(int64_t)c * k + j]) /* the code whose share of the draws u falls in */
                u -= count[(int64_t)c * k + j++];
            memcpy(z->data + r * o->latent + (int64_t)c * d, book->data + j * d, sizeof *z->data * (size_t)d);
        }
done:
    free(idx);
    free(count);
    vgae_images_free(train);
    return rc;
}

/* The codes to decode into a picture (n of them, cols a row), for each kind of picture. */
static int picture_codes(const char *cmd, const char *what, const vae_args *a, vae_loaded *l,
                         vgae_mat *z, int *cols)
{
    vgae_ctx *ctx = l->ctx;
    const int64_t latent = vgae_image_vae_settings(l->v)->latent;
    const int64_t pixels = (int64_t)vgae_image_vae_height(l->v) * vgae_image_vae_width(l->v);
    const int classes = vgae_image_vae_settings(l->v)->classes;
    if (strcmp(what, "sample") == 0) { /* draws of the prior */
        const int64_t count = a->by_label ? (int64_t)classes * a->cols : a->count;
        *cols = a->cols;
        if (vgae_mat_init(ctx, z, count, latent))
            return cli_lib_error(ctx);
        if (vgae_image_vae_settings(l->v)->latent_kind == VGAE_IMAGE_VQ)
            return vq_draws(a, l, z);
        vgae_rng_normal_fill_f(vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), z->data, count * latent, 1);
        return CLI_OK;
    }
    if (strcmp(what, "manifold") == 0) {
        if (vgae_image_vae_settings(l->v)->latent_kind == VGAE_IMAGE_VQ) {
            fprintf(stderr, "vgae: %s: the manifold is a grid over a Gaussian latent space; a vq model's "
                            "codes are discrete\n", a->model);
            return CLI_ERROR;
        }
        if (latent != 2)
            return cli_usage_error(cmd, "the manifold picture needs a 2-D latent space; this model has %lld",
                                   (long long)latent);
        *cols = a->size;
        return vgae_latent_grid(ctx, a->size, z) ? cli_lib_error(ctx) : CLI_OK;
    }
    if (strcmp(what, "traverse") == 0)
        return traverse_codes(cmd, a, l, z, cols);
    /* interpolate: the line between two test images' codes */
    if (a->from >= l->test->n || a->to >= l->test->n)
        return cli_usage_error(cmd, "--from and --to are test image numbers below %lld",
                               (long long)l->test->n);
    vgae_mat from = {0}, to = {0};
    int rc = CLI_OK;
    if (vgae_image_vae_encode(ctx, l->v, l->test->pixels + a->from * pixels, test_labels(l, a->from), 1, &from) ||
        vgae_image_vae_encode(ctx, l->v, l->test->pixels + a->to * pixels, test_labels(l, a->to), 1, &to) ||
        vgae_latent_interpolate(ctx, from.data, to.data, latent, a->steps, z))
        rc = cli_lib_error(ctx);
    *cols = a->steps;
    vgae_mat_destroy(&from);
    vgae_mat_destroy(&to);
    return rc;
}

/* A conditional model's label for each of the n codes of a picture: --label
 * (default 0) for samples and the manifold, one class per row with
 * --by-label, the test image's for its interpolation and traversals; NULL
 * for an unconditional model, which refuses --label and --by-label. */
static int picture_labels(const char *cmd, const char *what, const vae_args *a, const vae_loaded *l, int64_t n,
                          int cols, uint8_t **out)
{
    const int classes = vgae_image_vae_settings(l->v)->classes;
    *out = NULL;
    if (!classes) {
        if (a->label >= 0 || a->by_label)
            return cli_usage_error(cmd, "--label and --by-label need a conditional model (vae train --conditional)");
        return CLI_OK;
    }
    if (a->label >= classes)
        return cli_usage_error(cmd, "--label %d: the model knows labels 0..%d", a->label, classes - 1);
    if (a->label >= 0 && a->by_label)
        return cli_usage_error(cmd, "give --label or --by-label, not both");
    uint8_t *y = malloc((size_t)n + 1);
    if (!y) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    const int64_t image = strcmp(what, "interpolate") == 0 ? a->from : strcmp(what, "traverse") == 0 ? a->from : -1;
    for (int64_t i = 0; i < n; i++)
        y[i] = image >= 0 && l->test && l->test->labels ? l->test->labels[image]
               : a->by_label                          ? (uint8_t)(i / cols)
               : (uint8_t)(a->label >= 0 ? a->label : 0);
    *out = y;
    return CLI_OK;
}

static int vae_picture(int argc, char **argv, const cli_command *c, const char *what)
{
    vae_args a = defaults();
    if (strcmp(what, "reconstruct") == 0)
        a.count = 10;
    if (strcmp(what, "traverse") == 0)
        a.steps = 11; /* -3 .. 3 by 0.6: the middle one is the code itself */
    vae_loaded l;
    int rc = parse(c, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.output)
        return cli_usage_error(c->name, "give the PNG file to write with -o FILE");
    const int reconstruct = strcmp(what, "reconstruct") == 0;
    rc = vae_load(c->name, &a, reconstruct || strcmp(what, "interpolate") == 0 || strcmp(what, "traverse") == 0,
                  &l);
    vgae_mat z = {0}, out = {0}, both = {0};
    int cols = 0;
    if (!rc && reconstruct) {
        /* top row: test images; below: their reconstructions (decoded means) */
        const int64_t m = a.count < l.test->n ? a.count : l.test->n;
        const int64_t pixels = (int64_t)l.test->height * l.test->width;
        if (vgae_image_vae_encode(l.ctx, l.v, l.test->pixels, test_labels(&l, 0), m, &z) ||
            vgae_image_vae_decode(l.ctx, l.v, &z, test_labels(&l, 0), &out) || vgae_mat_init(l.ctx, &both, 2 * m, pixels)) {
            rc = cli_lib_error(l.ctx);
        } else {
            memcpy(both.data, l.test->pixels, sizeof *both.data * (size_t)(m * pixels));
            memcpy(both.data + m * pixels, out.data, sizeof *both.data * (size_t)(m * pixels));
            rc = write_grid(&l, &a, both.data, 2 * m, (int)m);
        }
    } else if (!rc) {
        rc = picture_codes(c->name, what, &a, &l, &z, &cols);
        uint8_t *labels = NULL;
        if (!rc && (rc = picture_labels(c->name, what, &a, &l, z.rows, cols, &labels)) == CLI_OK &&
            vgae_image_vae_decode(l.ctx, l.v, &z, labels, &out))
            rc = cli_lib_error(l.ctx);
        free(labels);
        if (!rc)
            rc = write_grid(&l, &a, out.data, out.rows, cols);
    }
    if (!rc)
        cli_notes_flush(!a.quiet);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&out);
    vgae_mat_destroy(&both);
    vae_loaded_free(&l);
    return rc;
}

/* ---- encode ---- */

typedef struct {
    const vae_loaded *l;
    const double *score;
    int64_t n;
} image_scores;

static void write_image_scores(FILE *out, void *user)
{
    const image_scores *s = user;
    fprintf(out, "image\tlabel\tneg_elbo\n");
    for (int64_t i = 0; i < s->n; i++)
        fprintf(out, "%lld\t%d\t%.6f\n", (long long)i, s->l->test->labels ? s->l->test->labels[i] : -1,
                s->score[i]);
}

static int vae_encode(int argc, char **argv)
{
    const char *cmd = "vae encode";
    vae_args a = defaults();
    vae_loaded l;
    int rc = parse(&encode_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.output)
        return cli_usage_error(cmd, "give the output file with -o FILE");
    vgae_embed_format format;
    if (cli_embed_format(cmd, a.format, a.output, &format))
        return CLI_USAGE;
    char scores_path[1200];
    if (a.scores)
        snprintf(scores_path, sizeof scores_path, "%s", a.scores);
    else if (strcmp(a.output, "-") == 0)
        return cli_usage_error(cmd, "with -o - give --scores FILE for the anomaly scores");
    else
        snprintf(scores_path, sizeof scores_path, "%s.scores.tsv", a.output);
    rc = vae_load(cmd, &a, 1, &l);
    vgae_mat codes = {0};
    double *score = NULL;
    char **names = NULL;
    vgae_image_figures f;
    const int64_t n = rc ? 0 : l.test->n;
    if (!rc) {
        score = malloc(sizeof *score * (size_t)n);
        names = calloc((size_t)n, sizeof *names);
        if (!score || !names) {
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
        } else if (vgae_image_vae_encode(l.ctx, l.v, l.test->pixels, test_labels(&l, 0), n, &codes) ||
                   /* the anomaly scores draw from the context's noise stream (of the
                    * model's seed, or --seed), from its start */
                   vgae_image_vae_evaluate(l.ctx, l.v, l.test, n, vgae_ctx_rng(l.ctx, VGAE_STREAM_NOISE),
                                           score, &f)) {
            rc = cli_lib_error(l.ctx);
        }
        for (int64_t i = 0; !rc && i < n; i++) {
            if (!(names[i] = malloc(24))) {
                fprintf(stderr, "vgae: out of memory\n");
                rc = CLI_ERROR;
            } else {
                snprintf(names[i], 24, "%lld", (long long)i);
            }
        }
    }
    /* the scores (image, label, negative ELBO: an anomaly score, higher is
     * stranger) beside the codes: both files, or neither */
    image_scores sc = {&l, score, n};
    if (!rc)
        rc = cli_write_codes_scores(l.ctx, a.output, format, &codes, names, scores_path, write_image_scores, &sc);
    if (!rc)
        cli_notes_flush(!a.quiet);
    for (int64_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    free(score);
    vgae_mat_destroy(&codes);
    vae_loaded_free(&l);
    return rc;
}

int cmd_vae(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(vae_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    static const struct {
        const char *name;
        const cli_command *command;
    } pictures[] = {{"sample", &sample_command}, {"reconstruct", &reconstruct_command},
                    {"interpolate", &interpolate_command}, {"manifold", &manifold_command},
                    {"traverse", &traverse_command}};
    if (strcmp(sub, "train") == 0)
        return vae_train(argc - 1, argv + 1);
    if (strcmp(sub, "eval") == 0)
        return vae_eval(argc - 1, argv + 1);
    if (strcmp(sub, "encode") == 0)
        return vae_encode(argc - 1, argv + 1);
    for (size_t k = 0; k < sizeof pictures / sizeof pictures[0]; k++)
        if (strcmp(sub, pictures[k].name) == 0)
            return vae_picture(argc - 1, argv + 1, pictures[k].command, sub);
    return cli_usage_error("vae", "unknown command '%s'; try 'vgae vae --help'", sub);
}
