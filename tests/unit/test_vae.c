/* Unit tests of the image VAE: training lowers the loss, the IWAE bound tightens with k, files, threads. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"
#include "io/model_file.h"
#include "models/image_vae_impl.h"

/* Images of 8 x 8 pixels, for models made without data at hand. */
static const vgae_images bars = {.height = 8, .width = 8};

/* tests/data/tinyidx: 300 training and 40 test 8x8 images of bars. */
static vgae_images *tiny(vgae_ctx *ctx, const char *which)
{
    vgae_images *im = NULL;
    assert_int_equal(vgae_images_read_split(ctx, data_path("tinyidx"), which, &im), VGAE_OK);
    assert_int_equal(im->height * im->width, 64);
    return im;
}

static vgae_image_vae_options small_options(void)
{
    vgae_image_vae_options o = vgae_image_vae_defaults();
    o.hidden[0] = 32;
    o.latent = 4;
    o.batch = 32;
    o.lr = 0.01;
    return o;
}

/* A fresh model starts near 64 ln 2 = 44 nats per image (every pixel a
 * coin toss) plus a small KL; the bars are easy, so ten epochs must take
 * off at least a fifth of that (a run reaches ~30). */
static void training_lowers_the_loss(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train");
    vgae_image_vae *v = NULL;
    vgae_image_vae_options o = small_options();
    vgae_ctx_set_seed(ctx, 3);
    assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
    double first, loss;
    assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &first), VGAE_OK);
    for (int e = 0; e < 10; e++)
        assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
    print_message("  loss per image: epoch 1 %.3f, epoch 11 %.3f\n", first, loss);
    assert_true(first > 38 && first < 60);
    assert_true(loss < 0.8 * first);
    assert_int_equal(vgae_image_vae_epoch(v), 11);
    /* dynamic binarization trains too */
    vgae_image_vae_free(v);
    o.binarize = VGAE_BINARIZE_DYNAMIC;
    assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
    assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &first), VGAE_OK);
    for (int e = 0; e < 10; e++)
        assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
    assert_true(loss < 0.8 * first);
    vgae_image_vae_free(v);
    vgae_images_free(train);
}

/* The IWAE estimate -log mean_k w is a bound that tightens as k grows:
 * E[L_1] >= E[L_10] >= E[L_100] (Burda et al., theorem 1), L_1 being the
 * one-draw negative ELBO. Each estimate is a mean over 3000 images (the 300
 * training images ten times) with its own draws. The noise of each mean is
 * measured as its difference from a second run with another seed, and each
 * gap must exceed 3 times the two noises added. */
static void iwae_tightens_with_k(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train");
    vgae_image_vae *v = NULL;
    vgae_image_vae_options o = small_options();
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
    double loss, nll[3], again[3], noise[3];
    for (int e = 0; e < 8; e++)
        assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
    const int64_t n = 10 * train->n, size = train->n * 64;
    float *many = malloc(sizeof *many * (size_t)(10 * size));
    for (int c = 0; c < 10; c++)
        memcpy(many + c * size, train->pixels, sizeof *many * (size_t)size);
    const vgae_images all = {.n = n, .height = 8, .width = 8, .pixels = many};
    const int ks[3] = {1, 10, 100};
    for (int i = 0; i < 3; i++) {
        vgae_ctx_set_seed(ctx, 100 + (uint64_t)i);
        assert_int_equal(vgae_image_vae_iwae(ctx, v, &all, 0, ks[i], NULL, NULL, &nll[i]), VGAE_OK);
        vgae_ctx_set_seed(ctx, 200 + (uint64_t)i);
        assert_int_equal(vgae_image_vae_iwae(ctx, v, &all, 0, ks[i], NULL, NULL, &again[i]), VGAE_OK);
        noise[i] = fabs(nll[i] - again[i]);
    }
    print_message("  IWAE NLL: k=1 %.4f (+- %.4f), k=10 %.4f (+- %.4f), k=100 %.4f (+- %.4f)\n",
                  nll[0], noise[0], nll[1], noise[1], nll[2], noise[2]);
    assert_true(nll[0] - nll[1] > 3 * (noise[0] + noise[1]));
    assert_true(nll[1] - nll[2] > 3 * (noise[1] + noise[2]));
    /* the one-draw negative ELBO of vgae_image_vae_evaluate estimates the same as k = 1 */
    vgae_image_figures f;
    vgae_ctx_set_seed(ctx, 300);
    assert_int_equal(vgae_image_vae_evaluate(ctx, v, &all, 0, NULL, NULL, &f), VGAE_OK);
    assert_int_equal(f.images, n);
    assert_true(fabs(f.neg_elbo - nll[0]) < 3 * noise[0] + 0.02);
    assert_true(fabs(f.neg_elbo - (f.recon + f.kl)) < 1e-9 * f.neg_elbo);
    free(many);
    vgae_image_vae_free(v);
    vgae_images_free(train);
}

/* save and load: the same tensors, options, shape, seed, source and figures. */
static void model_file_round_trip(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *test = tiny(ctx, "t10k");
    vgae_image_vae *v = NULL, *w = NULL;
    vgae_image_vae_options o = small_options();
    o.n_hidden = 2;
    o.hidden[1] = 16;
    o.beta = 0.5;
    o.kl.anneal = VGAE_KL_CYCLICAL;
    o.kl.cycles = 3;
    o.kl.ratio = 0.25;
    o.kl.capacity = 12.5;
    o.kl.capacity_epochs = 7;
    o.kl.gamma = 30;
    vgae_ctx_set_seed(ctx, 7);
    assert_int_equal(vgae_image_vae_new(ctx, &o, test, &v), VGAE_OK);
    double loss;
    vgae_image_figures a, b;
    assert_int_equal(vgae_image_vae_train_epoch(ctx, v, test, &loss), VGAE_OK);
    assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &a), VGAE_OK);
    char dir[] = "/tmp/vgae-vae-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.vae", dir);
    assert_int_equal(vgae_image_vae_save(ctx, v, path), VGAE_OK);
    assert_int_equal(vgae_image_vae_load(ctx, path, &w), VGAE_OK);
    const vgae_image_vae_options *wo = vgae_image_vae_settings(w);
    assert_int_equal(wo->n_hidden, 2);
    assert_int_equal(wo->hidden[1], 16);
    assert_true(wo->beta == 0.5 && wo->lr == o.lr && vgae_image_vae_epoch(w) == 1);
    /* the KL schedule, every field */
    assert_int_equal(wo->kl.anneal, VGAE_KL_CYCLICAL);
    assert_int_equal(wo->kl.cycles, 3);
    assert_true(wo->kl.ratio == 0.25 && wo->kl.capacity == 12.5 && wo->kl.capacity_epochs == 7 &&
                wo->kl.gamma == 30 && wo->kl.warmup == o.kl.warmup);
    /* the model's own facts: its shape, seed, data folder and figures */
    assert_int_equal(vgae_image_vae_height(w), 8);
    assert_int_equal(vgae_image_vae_width(w), 8);
    assert_int_equal(vgae_image_vae_seed(w), 7);
    assert_string_equal(vgae_image_vae_folder(w), test->folder);
    assert_true(vgae_image_vae_reported(w).neg_elbo == a.neg_elbo);
    assert_int_equal(w->base.params.count, v->base.params.count);
    for (int p = 0; p < v->base.params.count; p++)
        assert_memory_equal(v->base.params.items[p].value->data, w->base.params.items[p].value->data,
                            (size_t)vgae_mat_size(v->base.params.items[p].value) * sizeof(float));
    /* evaluation draws from its own stream: the same figures for the same seed and epoch */
    assert_int_equal(vgae_image_vae_evaluate(ctx, w, test, 0, NULL, NULL, &b), VGAE_OK);
    assert_true(a.neg_elbo == b.neg_elbo);
    vgae_ctx_set_seed(ctx, 8);
    assert_int_equal(vgae_image_vae_evaluate(ctx, w, test, 0, NULL, NULL, &b), VGAE_OK);
    assert_true(a.neg_elbo != b.neg_elbo);
    /* a graph model refuses it */
    vgae_model_file *gf = NULL;
    vgae_graph_ae *g = NULL;
    const vgae_dataset none = {0};
    assert_int_equal(vgae_model_file_read(ctx, path, &gf), VGAE_OK);
    assert_string_equal(vgae_model_file_kind(gf), "image-vae");
    assert_error_contains(ctx, vgae_graph_ae_from_file(ctx, gf, &none, 0, &g), "an image VAE model");
    assert_null(g);
    /* found in review: metadata that promises more than the file holds is
     * refused before anything is allocated from it */
    char text[4096], tampered[80];
    const char *meta = vgae_model_file_meta_text(gf);
    const char *at = strstr(meta, "input 64");
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*sinput 16777216%s", (int)(at - meta), meta, at + 8);
    snprintf(tampered, sizeof tampered, "%s/t.vae", dir);
    assert_int_equal(vgae_model_file_write(ctx, tampered, text, &v->base.params, NULL, 0), VGAE_OK);
    vgae_image_vae *big = NULL;
    assert_error_contains(ctx, vgae_image_vae_load(ctx, tampered, &big), "bad image VAE metadata");
    assert_null(big);
    /* and one whose layers do not add up to its tensors */
    at = strstr(meta, "hidden 32,16");
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*shidden 32,17%s", (int)(at - meta), meta, at + 12);
    assert_int_equal(vgae_model_file_write(ctx, tampered, text, &v->base.params, NULL, 0), VGAE_OK);
    assert_error_contains(ctx, vgae_image_vae_load(ctx, tampered, &big), "the metadata describes");
    assert_null(big);
    vgae_model_file_free(gf);
    unlink(tampered);
    unlink(path);
    rmdir(dir);
    vgae_image_vae_free(v);
    vgae_image_vae_free(w);
    vgae_images_free(test);
}

/* The first version's files load and give the figures they recorded
 * (tests/data/v010-tiny.vae: vgae 0.1.0, 5 epochs on tinyidx). The figures
 * are float sums whose last bits depend on the BLAS kernels (the file came
 * from one family): each pixel's term is within a few float ulps (1e-7
 * relative), summed in double, so 1e-6 relative has a margin of ten. */
static void reads_the_first_versions_files(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *test = tiny(ctx, "t10k");
    vgae_image_vae *v = NULL;
    assert_int_equal(vgae_image_vae_load(ctx, data_path("v010-tiny.vae"), &v), VGAE_OK);
    assert_int_equal(vgae_image_vae_epoch(v), 5);
    assert_int_equal(vgae_image_vae_seed(v), 42);
    const vgae_image_figures recorded = vgae_image_vae_reported(v);
    vgae_image_figures f;
    vgae_ctx_set_seed(ctx, vgae_image_vae_seed(v));
    assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f), VGAE_OK);
    print_message("  recorded %.17g, now %.17g\n", recorded.neg_elbo, f.neg_elbo);
    assert_true(fabs(f.neg_elbo - 35.627208056127927) < 1e-6 * 35.6);
    assert_true(recorded.neg_elbo == 35.627208056127927);
    /* and the same file as vgae 0.1.0's library could write it, without the
     * image shape and seed: square images, seed 42 */
    vgae_model_file *file = NULL;
    assert_int_equal(vgae_model_file_read(ctx, data_path("v010-tiny.vae"), &file), VGAE_OK);
    char text[4096] = "", dir[] = "/tmp/vgae-vae-XXXXXX", path[64];
    const char *meta = vgae_model_file_meta_text(file);
    for (const char *line = meta; *line;) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, "height ", 7) && strncmp(line, "width ", 6) && strncmp(line, "seed ", 5))
            strncat(text, line, (size_t)(end - line + 1));
        line = end + 1;
    }
    assert_null(strstr(text, "height"));
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.vae", dir);
    assert_int_equal(vgae_model_file_write(ctx, path, text, &v->base.params, NULL, 0), VGAE_OK);
    vgae_image_vae *w = NULL;
    assert_int_equal(vgae_image_vae_load(ctx, path, &w), VGAE_OK);
    assert_int_equal(vgae_image_vae_height(w), 8);
    assert_int_equal(vgae_image_vae_width(w), 8);
    assert_int_equal(vgae_image_vae_seed(w), 42);
    vgae_image_vae_free(w);
    vgae_model_file_free(file);
    unlink(path);
    rmdir(dir);
    vgae_image_vae_free(v);
    vgae_images_free(test);
}

/* All the parameters of a model, end to end (malloc'ed; *bytes their size). */
static float *all_parameters(const vgae_image_vae *v, size_t *bytes)
{
    *bytes = (size_t)vgae_params_scalars(&v->base.params) * sizeof(float);
    float *all = malloc(*bytes), *at = all;
    for (int p = 0; p < v->base.params.count; p++) {
        const vgae_mat *w = v->base.params.items[p].value;
        memcpy(at, w->data, (size_t)vgae_mat_size(w) * sizeof(float));
        at += vgae_mat_size(w);
    }
    return all;
}

/* Two epochs (shuffle, batches, Adam) give the same weights and losses on
 * 1, 2 and 3 threads: a batch of 32 (one lane), and batches of 150 cut
 * into lanes of 50 rows (image_vae.c) with 300 images (two batches an
 * epoch); the Gaussian VAE with dynamic binarization, a schedule and the
 * capacity objective, the conditional VAE, and the vq VAE with moving
 * averages and restarts. */
static void same_weights_on_any_thread_count(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train");
    for (int config = 0; config < 4; config++) {
        float *first = NULL;
        size_t bytes = 0;
        double first_loss = 0;
        for (int threads = 1; threads <= 3; threads++) {
            vgae_ctx_set_threads(ctx, threads);
            vgae_ctx_set_seed(ctx, 12);
            vgae_image_vae *v = NULL;
            vgae_image_vae_options o = small_options();
            o.batch = config == 0 ? 32 : 150;
            if (config <= 1) {
                o.binarize = VGAE_BINARIZE_DYNAMIC;
                o.kl.anneal = VGAE_KL_CYCLICAL; /* the schedules draw nothing: still the same bits */
                o.kl.capacity = 3;
            } else if (config == 2) {
                o.classes = 2;
            } else {
                o.latent_kind = VGAE_IMAGE_VQ;
                o.latent = 8;
                o.vq.codes = 2;
                o.vq.codebook = 32;
                o.vq.ema = 0.9;
            }
            double loss = 0;
            assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
            for (int e = 0; e < 2; e++)
                assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
            assert_true(isfinite(loss));
            size_t n;
            float *all = all_parameters(v, &n);
            if (threads == 1) {
                first = all;
                bytes = n;
                first_loss = loss;
            } else {
                assert_int_equal(n, bytes);
                assert_memory_equal(first, all, bytes);
                assert_memory_equal(&first_loss, &loss, sizeof loss);
                free(all);
            }
            vgae_image_vae_free(v);
        }
        free(first);
    }
    vgae_images_free(train);
    vgae_ctx_set_threads(ctx, 1);
}

/* The schedules' weights and capacities at chosen times (vgae/vae/kl_schedule.h). */
static void kl_schedules(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_kl_schedule s = vgae_kl_schedule_defaults();
    assert_true(vgae_kl_anneal_weight(&s, 0, 10) == 1 && vgae_kl_anneal_weight(&s, 7.5, 10) == 1);
    assert_true(vgae_kl_capacity(&s, 3) == 0);
    s.anneal = VGAE_KL_LINEAR;
    s.warmup = 4;
    assert_true(vgae_kl_anneal_weight(&s, 0, 10) == 0);
    assert_true(vgae_kl_anneal_weight(&s, 1, 10) == 0.25);
    assert_true(vgae_kl_anneal_weight(&s, 2, 10) == 0.5);
    assert_true(vgae_kl_anneal_weight(&s, 4, 10) == 1 && vgae_kl_anneal_weight(&s, 9, 10) == 1);
    /* 8 epochs, 2 cycles of 4, rising over the first half of each */
    s.anneal = VGAE_KL_CYCLICAL;
    s.cycles = 2;
    s.ratio = 0.5;
    const double t[] = {0, 1, 2, 3.5, 4, 5, 6, 7.75}, w[] = {0, 0.5, 1, 1, 0, 0.5, 1, 1};
    for (int k = 0; k < 8; k++)
        assert_true(fabs(vgae_kl_anneal_weight(&s, t[k], 8) - w[k]) < 1e-12);
    /* capacity: 0 to 10 nats over 5 epochs, then 10 */
    s.capacity = 10;
    s.capacity_epochs = 5;
    assert_true(vgae_kl_capacity(&s, 0) == 0 && vgae_kl_capacity(&s, 2.5) == 5 &&
                vgae_kl_capacity(&s, 5) == 10 && vgae_kl_capacity(&s, 12) == 10);
    s.capacity_epochs = 0;
    assert_true(vgae_kl_capacity(&s, 0) == 10);
    /* names both ways, and bad schedules refused by name */
    vgae_kl_anneal a;
    assert_int_equal(vgae_kl_anneal_from_name(ctx, "cyclical", &a), VGAE_OK);
    assert_int_equal(a, VGAE_KL_CYCLICAL);
    assert_string_equal(vgae_kl_anneal_name(VGAE_KL_LINEAR), "linear");
    assert_error_contains(ctx, vgae_kl_anneal_from_name(ctx, "cosine", &a), "unknown KL annealing 'cosine'");
    s = vgae_kl_schedule_defaults();
    s.ratio = 0;
    assert_error_contains(ctx, vgae_kl_schedule_check(ctx, &s), "rising part of a KL cycle");
    s = vgae_kl_schedule_defaults();
    s.gamma = -1;
    assert_error_contains(ctx, vgae_kl_schedule_check(ctx, &s), "gamma must be finite and > 0");
    vgae_image_vae_options o = vgae_image_vae_defaults();
    o.kl.capacity = NAN;
    vgae_image_vae *v = NULL;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &o, &bars, &v), "KL capacity");
    assert_null(v);
}

/* A warm-up changes training (the first batches see a lighter KL) and a
 * capacity pulls the KL toward it: after training with C = 1 nat an image
 * (gamma 100) the test KL is within 0.5 nats of it, while the plain model's
 * is above 3 (3.9 here). */
static void schedules_change_training(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train"), *test = tiny(ctx, "t10k");
    vgae_image_figures f[3];
    for (int k = 0; k < 3; k++) {
        vgae_image_vae_options o = small_options();
        o.epochs = 8;
        if (k == 1) {
            o.kl.anneal = VGAE_KL_LINEAR;
            o.kl.warmup = 4;
        } else if (k == 2) {
            o.kl.capacity = 1;
            o.kl.gamma = 100;
        }
        vgae_image_vae *v = NULL;
        double loss;
        vgae_ctx_set_seed(ctx, 5);
        assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
        for (int e = 0; e < o.epochs; e++)
            assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
        assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f[k]), VGAE_OK);
        vgae_image_vae_free(v);
    }
    assert_true(f[1].neg_elbo != f[0].neg_elbo);
    print_message("test KL: plain %.3f, warm-up %.3f, capacity 1: %.3f\n", f[0].kl, f[1].kl, f[2].kl);
    assert_true(fabs(f[2].kl - 1) < 0.5 && f[0].kl > 3);
    vgae_images_free(train);
    vgae_images_free(test);
}

/* The per-dimension figures: the KLs add up to evaluate's KL per image, and
 * the activity is the population variance of encode's means, per dimension
 * (both sums in double over 40 images: 1e-9 relative). */
static void latent_stats_agree(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train"), *test = tiny(ctx, "t10k");
    vgae_image_vae_options o = small_options();
    vgae_image_vae *v = NULL;
    double loss, kl[4], act[4];
    vgae_ctx_set_seed(ctx, 3);
    assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
    for (int e = 0; e < 3; e++)
        assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
    vgae_image_figures f;
    assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f), VGAE_OK);
    assert_int_equal(vgae_image_vae_latent_stats(ctx, v, test, 0, kl, act), VGAE_OK);
    assert_true(fabs(kl[0] + kl[1] + kl[2] + kl[3] - f.kl) <= 1e-9 * f.kl);
    vgae_mat z = {0};
    assert_int_equal(vgae_image_vae_encode(ctx, v, test->pixels, NULL, test->n, &z), VGAE_OK);
    for (int j = 0; j < 4; j++) {
        double m = 0, var = 0;
        for (int64_t i = 0; i < test->n; i++)
            m += z.data[i * 4 + j];
        m /= (double)test->n;
        for (int64_t i = 0; i < test->n; i++)
            var += (z.data[i * 4 + j] - m) * (z.data[i * 4 + j] - m);
        var /= (double)test->n;
        assert_true(fabs(act[j] - var) <= 1e-9 * var + 1e-15);
        assert_true(kl[j] >= 0);
    }
    vgae_mat_destroy(&z);
    vgae_image_vae_free(v);
    vgae_images_free(train);
    vgae_images_free(test);
}

/* Saves v as dir/name in a fresh folder (dir: a mkdtemp template), checks
 * the file's format version and one metadata key's value, and loads it back. */
static void save_and_reload(vgae_ctx *ctx, vgae_image_vae *v, char *dir, char *path, size_t cap, int version,
                            const char *key, const char *value, vgae_image_vae **back)
{
    assert_non_null(mkdtemp(dir));
    snprintf(path, cap, "%s/m.vae", dir);
    assert_int_equal(vgae_image_vae_save(ctx, v, path), VGAE_OK);
    vgae_model_file *mf = NULL;
    assert_int_equal(vgae_model_file_read(ctx, path, &mf), VGAE_OK);
    assert_int_equal(vgae_model_file_version(mf), version);
    assert_string_equal(vgae_model_file_meta(mf, key), value);
    vgae_model_file_free(mf);
    assert_int_equal(vgae_image_vae_load(ctx, path, back), VGAE_OK);
}

/* The conditional VAE on the bars, whose label is the bar's direction:
 * knowing it lowers the test negative ELBO; the same bits at 1 and 2
 * threads; the file keeps the classes (format version 4); labels it does
 * not know, or none, are refused by name. */
static void conditional_model(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train"), *test = tiny(ctx, "t10k");
    vgae_image_figures f[2];
    vgae_image_vae *keep = NULL;
    float *first = NULL;
    size_t bytes = 0;
    for (int run = 0; run < 3; run++) {
        vgae_image_vae_options o = small_options();
        o.classes = run == 0 ? 0 : 2;
        vgae_ctx_set_threads(ctx, run == 2 ? 2 : 1);
        vgae_ctx_set_seed(ctx, 21);
        vgae_image_vae *v = NULL;
        double loss;
        assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
        for (int e = 0; e < 10; e++)
            assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
        assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f[run ? 1 : 0]), VGAE_OK);
        const vgae_mat *w = v->base.params.items[0].value;
        if (run == 1) {
            bytes = (size_t)vgae_mat_size(w) * sizeof(float);
            first = malloc(bytes);
            memcpy(first, w->data, bytes);
            keep = v;
            continue;
        }
        if (run == 2)
            assert_memory_equal(first, w->data, bytes);
        vgae_image_vae_free(v);
    }
    vgae_ctx_set_threads(ctx, 1);
    print_message("bars: unconditional %.3f, conditional %.3f nats\n", f[0].neg_elbo, f[1].neg_elbo);
    assert_true(f[1].neg_elbo < f[0].neg_elbo);
    /* the file */
    char dir[] = "/tmp/vgae-cvae-XXXXXX", path[64];
    vgae_image_vae *back = NULL;
    vgae_image_figures g;
    save_and_reload(ctx, keep, dir, path, sizeof path, 4, "classes", "2", &back);
    assert_int_equal(vgae_image_vae_settings(back)->classes, 2);
    assert_int_equal(vgae_image_vae_evaluate(ctx, back, test, 0, NULL, NULL, &g), VGAE_OK);
    assert_true(g.neg_elbo == f[1].neg_elbo);
    /* labels it does not know, and none */
    test->labels[3] = 5;
    assert_error_contains(ctx, vgae_image_vae_evaluate(ctx, back, test, 0, NULL, NULL, &g),
                          "image 3 has label 5; the model knows labels 0..1");
    vgae_mat z = {0};
    assert_error_contains(ctx, vgae_image_vae_encode(ctx, back, test->pixels, NULL, 2, &z),
                          "a conditional model needs the images' labels");
    vgae_mat_destroy(&z);
    vgae_image_vae_options bad = small_options();
    bad.classes = 1;
    vgae_image_vae *none = NULL;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &bad, &bars, &none), "2 to 256 classes, not 1");
    unlink(path);
    rmdir(dir);
    free(first);
    vgae_image_vae_free(back);
    vgae_image_vae_free(keep);
    vgae_images_free(train);
    vgae_images_free(test);
}

/* The softmax regression that judges generated images. A bar's direction is
 * not linearly separable (any weights' row sums and column sums add up to
 * the same total, so they cannot all favour their class), but bars partly
 * are: 5 epochs must beat chance (50%) by far, 70% of the 40 test bars (it
 * gets 82.5%). The same predictions at 1 and 2 threads; images without
 * labels are refused. */
static void classifier_on_bars(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train"), *test = tiny(ctx, "t10k");
    uint8_t pred[2][40];
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        vgae_ctx_set_seed(ctx, 4);
        vgae_classifier *c = NULL;
        double acc;
        assert_int_equal(vgae_classifier_train(ctx, train, 5, &c), VGAE_OK);
        assert_int_equal(vgae_classifier_classes(c), 2);
        assert_int_equal(vgae_classifier_accuracy(ctx, c, test->pixels, test->labels, test->n, &acc), VGAE_OK);
        assert_true(acc >= 0.7);
        assert_int_equal(vgae_classifier_predict(ctx, c, test->pixels, test->n, pred[threads - 1]), VGAE_OK);
        vgae_classifier_free(c);
    }
    assert_memory_equal(pred[0], pred[1], sizeof pred[0]);
    vgae_ctx_set_threads(ctx, 1);
    assert_int_equal(vgae_images_classes(train), 2);
    uint8_t *labels = train->labels;
    train->labels = NULL;
    assert_int_equal(vgae_images_classes(train), 0);
    vgae_classifier *none = NULL;
    assert_error_contains(ctx, vgae_classifier_train(ctx, train, 5, &none), "needs labelled images");
    train->labels = labels;
    vgae_images_free(train);
    vgae_images_free(test);
}

/* The vector-quantized VAE on the bars: it trains (the test reconstruction
 * beats a coin per pixel, 64 ln 2 = 44 nats, by far), restarts move unused
 * codes, its picks use more than one code, the same bits at 1 and 2
 * threads, the file (version 5) brings back the codebook and the same
 * figures, and the capacity objective is refused for it. */
static void vq_model(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train"), *test = tiny(ctx, "t10k");
    vgae_image_vae *keep = NULL;
    vgae_image_figures f = {0};
    float *first = NULL;
    size_t bytes = 0;
    for (int threads = 1; threads <= 2; threads++) {
        vgae_image_vae_options o = small_options();
        o.latent_kind = VGAE_IMAGE_VQ;
        o.latent = 8;
        o.vq.codes = 2;
        o.vq.codebook = 32;
        vgae_ctx_set_threads(ctx, threads);
        vgae_ctx_set_seed(ctx, 9);
        vgae_image_vae *v = NULL;
        double loss;
        assert_int_equal(vgae_image_vae_new(ctx, &o, &bars, &v), VGAE_OK);
        int restarted = 0;
        for (int e = 0; e < 10; e++) {
            assert_int_equal(vgae_image_vae_train_epoch(ctx, v, train, &loss), VGAE_OK);
            restarted += v->restarted;
        }
        const vgae_mat *book = vgae_image_vae_codebook(v);
        assert_non_null(book);
        if (threads == 1) {
            assert_true(restarted > 0);
            assert_int_equal(vgae_image_vae_evaluate(ctx, v, test, 0, NULL, NULL, &f), VGAE_OK);
            print_message("vq bars: recon %.3f nats, KL %.3f (2 ln 32 = %.3f), %d restarts\n", f.recon, f.kl,
                          2 * log(32.0), restarted);
            assert_true(f.recon < 30 && fabs(f.kl - 2 * log(32.0)) < 1e-9);
            bytes = (size_t)vgae_mat_size(book) * sizeof(float);
            first = malloc(bytes);
            memcpy(first, book->data, bytes);
            keep = v;
        } else {
            assert_memory_equal(first, book->data, bytes);
            vgae_image_vae_free(v);
        }
    }
    vgae_ctx_set_threads(ctx, 1);
    int32_t idx[80];
    assert_int_equal(vgae_image_vae_codes(ctx, keep, test->pixels, NULL, 40, idx), VGAE_OK);
    int distinct = 0;
    for (int a = 0; a < 80; a++) {
        int seen = 0;
        for (int b = 0; b < a; b++)
            seen |= idx[b] == idx[a];
        distinct += !seen;
    }
    assert_true(distinct > 2);
    char dir[] = "/tmp/vgae-vq-XXXXXX", path[64];
    vgae_image_vae *back = NULL;
    vgae_image_figures g;
    save_and_reload(ctx, keep, dir, path, sizeof path, 5, "latent_kind", "vq", &back);
    assert_memory_equal(vgae_image_vae_codebook(back)->data, first, bytes);
    assert_int_equal(vgae_image_vae_evaluate(ctx, back, test, 0, NULL, NULL, &g), VGAE_OK);
    assert_true(g.neg_elbo == f.neg_elbo);
    double nll;
    assert_error_contains(ctx, vgae_image_vae_iwae(ctx, back, test, 2, 3, NULL, NULL, &nll), "no density");
    vgae_image_vae_options bad = small_options();
    bad.latent_kind = VGAE_IMAGE_VQ;
    bad.latent = 8;
    bad.vq.codes = 3;
    vgae_image_vae *none = NULL;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &bad, &bars, &none), "cannot hold 3 code vectors");
    bad.vq.codes = 2;
    bad.vq.ema = 1;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &bad, &bars, &none), "moving-average decay must be in [0, 1)");
    bad.vq.ema = 0;
    bad.kl.capacity = 1;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &bad, &bars, &none), "capacity objective needs a Gaussian");
    /* with moving averages the codebook follows the encoder without a gradient */
    vgae_image_vae_options eo = small_options();
    eo.latent_kind = VGAE_IMAGE_VQ;
    eo.latent = 8;
    eo.vq.codes = 2;
    eo.vq.codebook = 32;
    eo.vq.ema = 0.9;
    vgae_image_vae *ev = NULL;
    double eloss;
    vgae_image_figures ef;
    vgae_ctx_set_seed(ctx, 9);
    assert_int_equal(vgae_image_vae_new(ctx, &eo, &bars, &ev), VGAE_OK);
    for (int e = 0; e < 10; e++)
        assert_int_equal(vgae_image_vae_train_epoch(ctx, ev, train, &eloss), VGAE_OK);
    assert_int_equal(vgae_image_vae_evaluate(ctx, ev, test, 0, NULL, NULL, &ef), VGAE_OK);
    print_message("vq bars with ema 0.9: recon %.3f nats\n", ef.recon);
    assert_true(ef.recon < 30);
    vgae_image_vae_free(ev);
    unlink(path);
    rmdir(dir);
    free(first);
    vgae_image_vae_free(back);
    vgae_image_vae_free(keep);
    vgae_images_free(train);
    vgae_images_free(test);
}

static void bad_options(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_image_vae *v = NULL;
    vgae_image_vae_options o = vgae_image_vae_defaults();
    o.n_hidden = 5;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &o, &bars, &v), "1 to 4 hidden layers, not 5");
    o = vgae_image_vae_defaults();
    o.latent = 0;
    assert_error_contains(ctx, vgae_image_vae_new(ctx, &o, &bars, &v), "latent 0");
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(training_lowers_the_loss, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(iwae_tightens_with_k, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(model_file_round_trip, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_the_first_versions_files, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(same_weights_on_any_thread_count, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bad_options, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(kl_schedules, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(conditional_model, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(classifier_on_bars, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(vq_model, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(latent_stats_agree, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(schedules_change_training, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("vae", tests, NULL, NULL);
}
