/* `vgae vae ...`: train, evaluate and look at the dense image VAE (MNIST-style IDX data). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/outfile.h"

static const char vae_help[] =
    "Usage: vgae vae COMMAND [options]\n"
    "\n"
    "The dense image VAE (Kingma & Welling 2013) on MNIST-style IDX data:\n"
    "  train        train on DIR's train images, report the test loss per epoch\n"
    "  eval         test negative ELBO (and an importance-weighted NLL with --iw-samples)\n"
    "  sample       a grid of images decoded from prior draws (PNG)\n"
    "  reconstruct  test images above their reconstructions (PNG)\n"
    "  interpolate  decoded steps on the line between two test images' codes (PNG)\n"
    "  manifold     the decoded 2-D latent space (PNG; latent 2 only)\n"
    "  encode       the test images' codes (w2v, tsv, npy) and an anomaly score per image\n"
    "\n"
    "Common options:\n"
    "  --data DIR         a folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]\n"
    "                     (train: required; others: default the model's training folder)\n"
    "  --model FILE       the model (all but train)\n"
    "  -o, --output FILE  where to write\n"
    "  --seed S           seed (42; for the model's commands, the draws of z)\n"
    "  --threads T        threads (processors not busy with other work; results do not\n"
    "                     depend on it)\n"
    "  --quiet            no progress\n"
    "\n"
    "train: --hidden N[,N...] (400), --latent N (20), --batch N (128), --epochs N (10),\n"
    "  --lr X (0.001), --beta X (1), --binarize none|dynamic (none), --limit N (use the\n"
    "  first N training images), --json (the last epoch's figures)\n"
    "eval: --iw-samples K, --images N (the first N test images), --json\n"
    "sample: --count N (64), --cols N (8)    reconstruct: --count N (10)\n"
    "interpolate: --from I (0), --to J (1), --steps N (10)    manifold: --size N (15)\n"
    "encode: --format w2v|tsv|npy|mtx, --scores FILE (image, label, negative ELBO; default\n"
    "  OUTPUT.scores.tsv)\n"
    "Pictures: --zoom N (2) scales each pixel.\n";

typedef struct {
    const char *data, *model, *output, *format, *scores, *hidden;
    long seed, threads, epochs, latent, batch, limit, count, cols, from, to, steps, size, zoom,
        iw_samples, images;
    double lr, beta;
    int binarize, json, quiet, have_seed;
} vae_opts;

static int parse(const char *cmd, int argc, char **argv, vae_opts *o)
{
    vgae_vae_options d = vgae_vae_defaults();
    *o = (vae_opts){.seed = 42, .threads = cli_default_threads(), .epochs = d.epochs,
                    .latent = d.latent, .batch = d.batch, .count = -1, .cols = 8, .from = 0,
                    .to = 1, .steps = 10, .size = 15, .zoom = 2, .lr = d.lr, .beta = d.beta};
    for (int i = 1; i < argc;) {
        int r = 0;
        const char *v;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            fputs(vae_help, stdout);
            return -2;
        }
        if (cli_take_flag(argv, &i, "--json")) {
            o->json = 1;
            continue;
        }
        if (cli_take_flag(argv, &i, "--quiet")) {
            o->quiet = 1;
            continue;
        }
        struct { const char *name; const char **dst; } strs[] = {
            {"--data", &o->data}, {"--model", &o->model}, {"--output", &o->output}, {"-o", &o->output},
            {"--format", &o->format}, {"--scores", &o->scores}, {"--hidden", &o->hidden}};
        size_t k;
        for (k = 0; k < sizeof strs / sizeof strs[0]; k++)
            if ((r = cli_take_value(cmd, argc, argv, &i, strs[k].name, strs[k].dst)) != 0)
                break;
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        struct { const char *name; long *dst; long min, max; } ints[] = {
            {"--seed", &o->seed, 0, 2147483647}, {"--threads", &o->threads, 1, 1024},
            {"--epochs", &o->epochs, 0, 100000}, {"--latent", &o->latent, 1, 65536},
            {"--batch", &o->batch, 1, 1 << 16}, {"--limit", &o->limit, 1, 1L << 40},
            {"--count", &o->count, 1, 10000}, {"--cols", &o->cols, 1, 1000},
            {"--from", &o->from, 0, 1L << 40}, {"--to", &o->to, 0, 1L << 40},
            {"--steps", &o->steps, 2, 1000}, {"--size", &o->size, 2, 200}, {"--zoom", &o->zoom, 1, 16},
            {"--iw-samples", &o->iw_samples, 1, 1000000}, {"--images", &o->images, 1, 1L << 40}};
        for (k = 0; k < sizeof ints / sizeof ints[0]; k++)
            if ((r = cli_take_value(cmd, argc, argv, &i, ints[k].name, &v)) != 0)
                break;
        if (r < 0)
            return -1;
        if (r > 0) {
            if (cli_parse_int(cmd, ints[k].name, v, ints[k].min, ints[k].max, ints[k].dst))
                return -1;
            if (ints[k].dst == &o->seed)
                o->have_seed = 1;
            continue;
        }
        if ((r = cli_take_value(cmd, argc, argv, &i, "--lr", &v)) != 0) {
            if (r < 0 || cli_parse_double(cmd, "--lr", v, 1e-12, 1e6, &o->lr))
                return -1;
        } else if ((r = cli_take_value(cmd, argc, argv, &i, "--beta", &v)) != 0) {
            if (r < 0 || cli_parse_double(cmd, "--beta", v, 0, 1e12, &o->beta))
                return -1;
        } else if ((r = cli_take_value(cmd, argc, argv, &i, "--binarize", &v)) != 0) {
            if (r < 0)
                return -1;
            if (strcmp(v, "none") != 0 && strcmp(v, "dynamic") != 0) {
                cli_usage_error(cmd, "--binarize is none or dynamic, not '%s'", v);
                return -1;
            }
            o->binarize = strcmp(v, "dynamic") == 0;
        } else {
            cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
            return -1;
        }
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The test targets: grayscale, or (dynamic binarization) one fixed draw of
 * the pixels from the seed, the usual binarized test set. */
static void binarize_fixed(vgae_images *im, uint64_t seed)
{
    vgae_rng r;
    vgae_rng_init(&r, seed, VGAE_STREAM_DATA);
    vgae_rng_substream(&r, 1);
    const int64_t n = im->n * im->height * im->width;
    for (int64_t k = 0; k < n; k++)
        im->pixels[k] = vgae_rng_uniform(&r) < im->pixels[k] ? 1.0f : 0.0f;
}

/* Evaluates with its own noise stream, so that the training's draws do not
 * depend on how often the test loss is measured. */
static vgae_status evaluate_aside(vgae_ctx *ctx, vgae_vae *v, const vgae_images *test, uint64_t seed,
                                  uint32_t substream, double *per_image, vgae_vae_figures *f)
{
    vgae_rng *noise = vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), saved = *noise;
    vgae_rng_init(noise, seed, VGAE_STREAM_NOISE);
    vgae_rng_substream(noise, substream);
    vgae_status st = vgae_vae_evaluate(ctx, v, test->pixels, test->n, per_image, f);
    *noise = saved;
    return st;
}

static int parse_hidden(const char *cmd, const char *s, vgae_vae_options *o)
{
    o->n_hidden = 0;
    for (const char *p = s; *p;) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || h < 1 || h > 65536 || (*end && *end != ',') || o->n_hidden == VGAE_VAE_MAX_HIDDEN)
            return cli_usage_error(cmd, "--hidden takes 1 to %d sizes like 400 or 512,256, not '%s'",
                                   VGAE_VAE_MAX_HIDDEN, s), -1;
        o->hidden[o->n_hidden++] = (int)h;
        p = *end ? end + 1 : end;
    }
    return o->n_hidden ? 0 : (cli_usage_error(cmd, "--hidden is empty"), -1);
}

static int vae_train(int argc, char **argv)
{
    const char *cmd = "vae train";
    vae_opts o;
    int rc = parse(cmd, argc, argv, &o);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    vgae_vae_options vo = vgae_vae_defaults();
    if (o.hidden && parse_hidden(cmd, o.hidden, &vo))
        return CLI_USAGE;
    if (!o.data)
        return cli_usage_error(cmd, "give the data folder with --data DIR");
    if (!o.output)
        return cli_usage_error(cmd, "give the model file to write with -o FILE");
    vo.latent = (int)o.latent;
    vo.batch = (int)o.batch;
    vo.epochs = (int)o.epochs;
    vo.lr = o.lr;
    vo.beta = o.beta;
    vo.binarize = o.binarize ? VGAE_BINARIZE_DYNAMIC : VGAE_BINARIZE_NONE;
    vgae_ctx *ctx = cli_ctx_new(o.quiet);
    vgae_images *train = NULL, *test = NULL;
    vgae_vae *v = NULL;
    if (!ctx)
        return CLI_ERROR;
    vgae_ctx_set_threads(ctx, (int)o.threads);
    vgae_ctx_set_seed(ctx, (uint64_t)o.seed);
    vgae_vae_figures f = {NAN, NAN, NAN, 0};
    double train_loss = NAN, seconds = 0;
    if (vgae_images_read_split(ctx, o.data, "train", &train) ||
        vgae_images_read_split(ctx, o.data, "t10k", &test)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (train->height != test->height || train->width != test->width) {
        fprintf(stderr, "vgae: %s: train images are %dx%d, test images %dx%d\n", o.data,
                train->height, train->width, test->height, test->width);
        rc = CLI_ERROR;
        goto done;
    }
    if (o.limit && o.limit < train->n)
        train->n = o.limit;
    if (vo.binarize == VGAE_BINARIZE_DYNAMIC)
        binarize_fixed(test, (uint64_t)o.seed);
    if ((int64_t)train->height * train->width > (1 << 24)) {
        fprintf(stderr, "vgae: %s: images of %dx%d pixels are too large for the dense VAE\n", o.data,
                train->height, train->width);
        rc = CLI_ERROR;
        goto done;
    }
    if (vgae_vae_new(ctx, &vo, train->height * train->width, &v)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "%lld training and %lld test images of %dx%d; %d epochs\n",
                (long long)train->n, (long long)test->n, train->height, train->width, vo.epochs);
    for (int e = 1; e <= vo.epochs; e++) {
        double t0 = now();
        if (vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &train_loss)) {
            rc = cli_lib_error(ctx);
            goto done;
        }
        double dt = now() - t0;
        seconds += dt;
        if (evaluate_aside(ctx, v, test, (uint64_t)o.seed, (uint32_t)e, NULL, &f)) {
            rc = cli_lib_error(ctx);
            goto done;
        }
        if (!o.quiet)
            fprintf(stderr, "epoch %3d/%d  train loss %8.3f  test loss %8.3f (recon %.3f + KL %.3f)  %6.2f s\n",
                    e, vo.epochs, train_loss, f.neg_elbo, f.recon, f.kl, dt);
    }
    char extra[1400], nums[4][32], data_dir[1024];
    if (cli_absolute_path(o.data, data_dir, sizeof data_dir)) {
        rc = CLI_ERROR;
        goto done;
    }
    snprintf(extra, sizeof extra,
             "height %d\nwidth %d\nseed %ld\ntrain_images %lld\ntrain_loss %s\ntest_neg_elbo %s\n"
             "test_recon %s\ntest_kl %s\nseconds_per_epoch %.3f\nsource_data %s\nlibrary_version %s\n",
             train->height, train->width, o.seed, (long long)train->n,
             vgae_format_double(nums[0], train_loss), vgae_format_double(nums[1], f.neg_elbo),
             vgae_format_double(nums[2], f.recon), vgae_format_double(nums[3], f.kl),
             vo.epochs ? seconds / vo.epochs : 0.0, data_dir, vgae_version());
    if (vgae_vae_save(ctx, o.output, v, extra)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    cli_notes_flush(!o.quiet);
    if (o.json) {
        printf("{\"epochs\":%d,", vo.epochs);
        cli_json_number("train_loss", train_loss, ",");
        cli_json_number("test_neg_elbo", f.neg_elbo, ",");
        cli_json_number("test_recon", f.recon, ",");
        cli_json_number("test_kl", f.kl, ",");
        printf("\"images\":%lld,\"seconds_per_epoch\":%.3f}\n", (long long)test->n,
               vo.epochs ? seconds / vo.epochs : 0.0);
    } else
        printf("trained %d epochs, %.2f s per epoch; test loss %.3f nats per image "
               "(recon %.3f + KL %.3f); model written to %s\n",
               vo.epochs, vo.epochs ? seconds / vo.epochs : 0.0, f.neg_elbo, f.recon, f.kl, o.output);
done:
    vgae_vae_free(v);
    vgae_images_free(train);
    vgae_images_free(test);
    vgae_ctx_free(ctx);
    return rc;
}

/* A model command's model and (where it needs them) its test images. */
typedef struct {
    vgae_ctx *ctx;
    vgae_vae *v;
    char *meta;
    vgae_images *test;
    int32_t height, width;
} vae_loaded;

static void vae_loaded_free(vae_loaded *l)
{
    vgae_vae_free(l->v);
    free(l->meta);
    vgae_images_free(l->test);
    vgae_ctx_free(l->ctx);
}

static int vae_load(const char *cmd, const vae_opts *o, int need_test, vae_loaded *l)
{
    *l = (vae_loaded){0};
    if (!o->model)
        return cli_usage_error(cmd, "give the model with --model FILE");
    l->ctx = cli_ctx_new(o->quiet);
    if (!l->ctx)
        return CLI_ERROR;
    vgae_ctx_set_threads(l->ctx, (int)o->threads);
    if (vgae_vae_load(l->ctx, o->model, &l->v, &l->meta))
        return cli_lib_error(l->ctx);
    char buf[1100];
    long seed = 42;
    long h = vgae_meta_get(l->meta, "height", buf, sizeof buf) ? atol(buf) : 0;
    long w = vgae_meta_get(l->meta, "width", buf, sizeof buf) ? atol(buf) : 0;
    l->height = h > 0 && h < 65536 ? (int32_t)h : 0;
    l->width = w > 0 && w < 65536 ? (int32_t)w : 0;
    if (vgae_meta_get(l->meta, "seed", buf, sizeof buf))
        seed = atol(buf);
    if ((int64_t)l->height * l->width != l->v->input) { /* a square guess for models without the keys */
        int side = (int)lround(sqrt((double)l->v->input));
        l->height = l->width = side * side == l->v->input ? side : 1;
        if (side * side != l->v->input)
            l->width = l->v->input;
    }
    vgae_ctx_set_seed(l->ctx, (uint64_t)(o->have_seed ? o->seed : seed));
    if (!need_test)
        return CLI_OK;
    const char *dir = o->data ? o->data : vgae_meta_get(l->meta, "source_data", buf, sizeof buf);
    if (!dir)
        return cli_usage_error(cmd, "the model does not say where its data is: give --data DIR");
    if (vgae_images_read_split(l->ctx, dir, "t10k", &l->test))
        return cli_lib_error(l->ctx);
    if ((int64_t)l->test->height * l->test->width != l->v->input) {
        fprintf(stderr, "vgae: %s: test images have %lld pixels, the model %d\n", dir,
                (long long)l->test->height * l->test->width, l->v->input);
        return CLI_ERROR;
    }
    if (l->v->options.binarize == VGAE_BINARIZE_DYNAMIC)
        binarize_fixed(l->test, (uint64_t)seed);
    return CLI_OK;
}

typedef struct {
    double start, last;
    int quiet;
} iwae_progress;

/* A line on stderr about every 10 s while the IWAE estimate runs. */
static void on_iwae_image(void *user, int64_t done, int64_t total)
{
    iwae_progress *p = user;
    double t = now();
    if (p->quiet || (t - p->last < 10 && done < total))
        return;
    p->last = t;
    double left = (t - p->start) / (double)done * (double)(total - done);
    fprintf(stderr, "IWAE: %lld/%lld images, %.0f s, about %.0f s left\n", (long long)done,
            (long long)total, t - p->start, left);
}

static int vae_eval(int argc, char **argv)
{
    const char *cmd = "vae eval";
    vae_opts o;
    vae_loaded l;
    int rc = parse(cmd, argc, argv, &o);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    rc = vae_load(cmd, &o, 1, &l);
    vgae_vae_figures f;
    double iw = NAN;
    if (!rc) {
        int64_t n = o.images && o.images < l.test->n ? o.images : l.test->n;
        char buf[64];
        long seed = vgae_meta_get(l.meta, "seed", buf, sizeof buf) ? atol(buf) : 42;
        /* the same draws as training's report of its last epoch */
        long trained = vgae_meta_get(l.meta, "epochs_trained", buf, sizeof buf) ? atol(buf) : 0;
        vgae_images part = *l.test;
        part.n = n;
        if (evaluate_aside(l.ctx, l.v, &part, (uint64_t)(o.have_seed ? o.seed : seed),
                           (uint32_t)trained, NULL, &f))
            rc = cli_lib_error(l.ctx);
        double t0 = now();
        iwae_progress p = {t0, t0, o.quiet};
        if (!rc && o.iw_samples &&
            vgae_vae_iwae(l.ctx, l.v, l.test->pixels, n, (int)o.iw_samples, on_iwae_image, &p, &iw))
            rc = cli_lib_error(l.ctx);
        if (!rc && o.iw_samples && !o.quiet)
            fprintf(stderr, "IWAE with %ld samples on %lld images: %.1f s\n", o.iw_samples,
                    (long long)n, now() - t0);
        if (!rc) {
            cli_notes_flush(!o.quiet);
            if (o.json) {
                printf("{");
                cli_json_number("test_neg_elbo", f.neg_elbo, ",");
                cli_json_number("test_recon", f.recon, ",");
                cli_json_number("test_kl", f.kl, ",");
                printf("\"images\":%lld", (long long)n);
                if (o.iw_samples) {
                    printf(",");
                    cli_json_number("iw_nll", iw, ",");
                    printf("\"iw_samples\":%ld", o.iw_samples);
                }
                printf("}\n");
            } else {
                printf("test images: %lld\nnegative ELBO: %.3f nats per image (recon %.3f + KL %.3f)\n",
                       (long long)n, f.neg_elbo, f.recon, f.kl);
                if (o.iw_samples)
                    printf("IWAE NLL (k = %ld): %.3f nats per image\n", o.iw_samples, iw);
            }
        }
    }
    vae_loaded_free(&l);
    return rc;
}

/* Writes images (n x input, probabilities) as a grid PNG. */
static int write_grid(vae_loaded *l, const vae_opts *o, const vgae_real *images, int64_t n, long cols)
{
    float *f = malloc(sizeof *f * (size_t)(n * l->v->input));
    if (!f) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    for (int64_t k = 0; k < n * l->v->input; k++)
        f[k] = (float)images[k];
    int rc = CLI_OK;
    if (vgae_png_write_grid(l->ctx, o->output, f, n, l->height, l->width, (int32_t)cols, 2, 1.0f,
                            (int32_t)o->zoom))
        rc = cli_lib_error(l->ctx);
    free(f);
    return rc;
}

static int vae_picture(int argc, char **argv, const char *what)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "vae %s", what);
    vae_opts o;
    vae_loaded l;
    int rc = parse(cmd, argc, argv, &o);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    if (!o.output)
        return cli_usage_error(cmd, "give the PNG file to write with -o FILE");
    const int need_test = strcmp(what, "reconstruct") == 0 || strcmp(what, "interpolate") == 0;
    rc = vae_load(cmd, &o, need_test, &l);
    const int64_t latent = l.v ? l.v->options.latent : 0;
    vgae_mat z = {0}, out = {0};
    long cols = o.cols;
    int64_t n = 0;
    if (!rc && strcmp(what, "sample") == 0) {
        n = o.count > 0 ? o.count : 64;
        if (vgae_mat_init(l.ctx, &z, n, latent))
            rc = cli_lib_error(l.ctx);
        else
            vgae_rng_normal_fill_real(vgae_ctx_rng(l.ctx, VGAE_STREAM_NOISE), z.data, n * latent, 1);
    } else if (!rc && strcmp(what, "manifold") == 0) {
        if (latent != 2) {
            rc = cli_usage_error(cmd, "the manifold picture needs a 2-D latent space; this model has %lld",
                                 (long long)latent);
        } else {
            /* a size x size grid of the prior's quantiles, as in Kingma & Welling's figure 4 */
            n = o.size * o.size;
            cols = o.size;
            if (vgae_mat_init(l.ctx, &z, n, 2))
                rc = cli_lib_error(l.ctx);
            for (long i = 0; !rc && i < o.size; i++)
                for (long j = 0; j < o.size; j++) {
                    double pi = (i + 0.5) / o.size, pj = (j + 0.5) / o.size;
                    /* the normal quantile by bisection of erfc (a few dozen steps, exact enough for a picture) */
                    double q[2], p[2] = {1 - pi, pj};
                    for (int a = 0; a < 2; a++) {
                        double lo = -10, hi = 10;
                        for (int it = 0; it < 80; it++) {
                            double mid = 0.5 * (lo + hi);
                            if (0.5 * erfc(-mid / sqrt(2.0)) < p[a])
                                lo = mid;
                            else
                                hi = mid;
                        }
                        q[a] = 0.5 * (lo + hi);
                    }
                    VGAE_MAT_AT(&z, i * o.size + j, 0) = (vgae_real)q[1];
                    VGAE_MAT_AT(&z, i * o.size + j, 1) = (vgae_real)q[0];
                }
        }
    } else if (!rc && strcmp(what, "reconstruct") == 0) {
        /* top row: test images; below: their reconstructions (decoded means) */
        int64_t m = o.count > 0 ? o.count : 10;
        if (m > l.test->n)
            m = l.test->n;
        vgae_mat codes = {0};
        n = 2 * m;
        cols = m;
        if (vgae_vae_encode(l.ctx, l.v, l.test->pixels, m, &codes) ||
            vgae_vae_decode(l.ctx, l.v, &codes, &out) || vgae_mat_init(l.ctx, &z, n, l.v->input)) {
            rc = cli_lib_error(l.ctx);
        } else {
            for (int64_t k = 0; k < m * l.v->input; k++) {
                z.data[k] = l.test->pixels[k];
                z.data[m * l.v->input + k] = out.data[k];
            }
        }
        vgae_mat_destroy(&codes);
        if (!rc)
            rc = write_grid(&l, &o, z.data, n, cols);
        n = 0; /* written */
    } else if (!rc) { /* interpolate */
        if (o.from >= l.test->n || o.to >= l.test->n) {
            rc = cli_usage_error(cmd, "--from and --to are test image numbers below %lld", (long long)l.test->n);
        } else {
            vgae_mat codes = {0};
            vgae_real *ends = malloc(sizeof *ends * 2 * (size_t)l.v->input);
            if (!ends || (memcpy(ends, l.test->pixels + o.from * l.v->input, sizeof *ends * (size_t)l.v->input),
                          memcpy(ends + l.v->input, l.test->pixels + o.to * l.v->input, sizeof *ends * (size_t)l.v->input),
                          vgae_vae_encode(l.ctx, l.v, ends, 2, &codes)) ||
                vgae_mat_init(l.ctx, &z, o.steps, latent)) {
                rc = ends ? cli_lib_error(l.ctx) : CLI_ERROR;
            } else {
                n = o.steps;
                cols = o.steps;
                for (long s = 0; s < o.steps; s++) {
                    double t = (double)s / (double)(o.steps - 1);
                    for (int64_t d = 0; d < latent; d++)
                        VGAE_MAT_AT(&z, s, d) = (vgae_real)((1 - t) * VGAE_MAT_AT(&codes, 0, d) +
                                                            t * VGAE_MAT_AT(&codes, 1, d));
                }
            }
            free(ends);
            vgae_mat_destroy(&codes);
        }
    }
    if (!rc && n > 0) {
        if (vgae_vae_decode(l.ctx, l.v, &z, &out))
            rc = cli_lib_error(l.ctx);
        else
            rc = write_grid(&l, &o, out.data, n, cols);
    }
    if (!rc)
        cli_notes_flush(!o.quiet);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&out);
    vae_loaded_free(&l);
    return rc;
}

static int vae_encode(int argc, char **argv)
{
    const char *cmd = "vae encode";
    vae_opts o;
    vae_loaded l;
    int rc = parse(cmd, argc, argv, &o);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    if (!o.output)
        return cli_usage_error(cmd, "give the output file with -o FILE");
    vgae_embed_format format;
    if (cli_embed_format(cmd, o.format, o.output, &format))
        return CLI_USAGE;
    char scores_path[1200];
    if (o.scores)
        snprintf(scores_path, sizeof scores_path, "%s", o.scores);
    else if (strcmp(o.output, "-") == 0)
        return cli_usage_error(cmd, "with -o - give --scores FILE for the anomaly scores");
    else
        snprintf(scores_path, sizeof scores_path, "%s.scores.tsv", o.output);
    rc = vae_load(cmd, &o, 1, &l);
    vgae_mat codes = {0};
    double *score = NULL;
    char **names = NULL;
    vgae_vae_figures f;
    if (!rc) {
        const int64_t n = l.test->n;
        score = malloc(sizeof *score * (size_t)n);
        names = calloc((size_t)n, sizeof *names);
        float *fl = malloc(sizeof *fl * (size_t)(n * l.v->options.latent));
        if (!score || !names || !fl) {
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
        } else if (vgae_vae_encode(l.ctx, l.v, l.test->pixels, n, &codes) ||
                   vgae_vae_evaluate(l.ctx, l.v, l.test->pixels, n, score, &f)) {
            rc = cli_lib_error(l.ctx);
        } else {
            for (int64_t i = 0; i < n && !rc; i++) {
                names[i] = malloc(24);
                if (!names[i])
                    rc = CLI_ERROR;
                else
                    snprintf(names[i], 24, "%lld", (long long)i);
            }
            for (int64_t k = 0; k < n * l.v->options.latent; k++)
                fl[k] = (float)codes.data[k];
        }
        /* the scores: image, label, negative ELBO (an anomaly score: higher is
         * stranger), written to a temporary file that becomes the scores
         * file once the embeddings are written too */
        if (!rc) {
            vgae_outfile sf;
            if (vgae_outfile_open(l.ctx, &sf, scores_path)) {
                rc = cli_lib_error(l.ctx);
            } else {
                fprintf(sf.f, "image\tlabel\tneg_elbo\n");
                for (int64_t i = 0; i < n; i++)
                    fprintf(sf.f, "%lld\t%d\t%.6f\n", (long long)i,
                            l.test->labels ? l.test->labels[i] : -1, score[i]);
                if (vgae_embed_write(l.ctx, o.output, format, fl, n, l.v->options.latent, names)) {
                    rc = cli_lib_error(l.ctx);
                    vgae_outfile_abort(&sf);
                } else if (vgae_outfile_commit(l.ctx, &sf)) {
                    rc = cli_lib_error(l.ctx);
                    if (strcmp(o.output, "-") != 0)
                        remove(o.output); /* neither file, rather than half the result */
                }
            }
        }
        free(fl);
        for (int64_t i = 0; names && i < n; i++)
            free(names[i]);
    }
    if (!rc)
        cli_notes_flush(!o.quiet);
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
    if (strcmp(sub, "train") == 0)
        return vae_train(argc - 1, argv + 1);
    if (strcmp(sub, "eval") == 0)
        return vae_eval(argc - 1, argv + 1);
    if (strcmp(sub, "encode") == 0)
        return vae_encode(argc - 1, argv + 1);
    if (strcmp(sub, "sample") == 0 || strcmp(sub, "reconstruct") == 0 ||
        strcmp(sub, "interpolate") == 0 || strcmp(sub, "manifold") == 0)
        return vae_picture(argc - 1, argv + 1, sub);
    return cli_usage_error("vae", "unknown command '%s'; try 'vgae vae --help'", sub);
}
