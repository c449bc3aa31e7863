/* Unit tests of the image VAE: training lowers the loss, the IWAE bound tightens with k, files, threads. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"

/* tests/data/tinyidx: 300 training and 40 test 8x8 images of bars. */
static vgae_images *tiny(vgae_ctx *ctx, const char *which)
{
    vgae_images *im = NULL;
    assert_int_equal(vgae_images_read_split(ctx, data_path("tinyidx"), which, &im), VGAE_OK);
    assert_int_equal(im->height * im->width, 64);
    return im;
}

static vgae_vae_options small_options(void)
{
    vgae_vae_options o = vgae_vae_defaults();
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
    vgae_vae *v = NULL;
    vgae_vae_options o = small_options();
    vgae_ctx_set_seed(ctx, 3);
    assert_int_equal(vgae_vae_new(ctx, &o, 64, &v), VGAE_OK);
    double first, loss;
    assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &first), VGAE_OK);
    for (int e = 0; e < 10; e++)
        assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &loss), VGAE_OK);
    print_message("  loss per image: epoch 1 %.3f, epoch 11 %.3f\n", first, loss);
    assert_true(first > 38 && first < 60);
    assert_true(loss < 0.8 * first);
    assert_int_equal(v->epoch, 11);
    /* dynamic binarization trains too */
    vgae_vae_free(v);
    o.binarize = VGAE_BINARIZE_DYNAMIC;
    assert_int_equal(vgae_vae_new(ctx, &o, 64, &v), VGAE_OK);
    assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &first), VGAE_OK);
    for (int e = 0; e < 10; e++)
        assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &loss), VGAE_OK);
    assert_true(loss < 0.8 * first);
    vgae_vae_free(v);
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
    vgae_vae *v = NULL;
    vgae_vae_options o = small_options();
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_vae_new(ctx, &o, 64, &v), VGAE_OK);
    double loss, nll[3], again[3], noise[3];
    for (int e = 0; e < 8; e++)
        assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &loss), VGAE_OK);
    const int64_t n = 10 * train->n, size = train->n * 64;
    float *many = malloc(sizeof *many * (size_t)(10 * size));
    for (int c = 0; c < 10; c++)
        memcpy(many + c * size, train->pixels, sizeof *many * (size_t)size);
    const int ks[3] = {1, 10, 100};
    for (int i = 0; i < 3; i++) {
        vgae_ctx_set_seed(ctx, 100 + (uint64_t)i);
        assert_int_equal(vgae_vae_iwae(ctx, v, many, n, ks[i], NULL, NULL, &nll[i]), VGAE_OK);
        vgae_ctx_set_seed(ctx, 200 + (uint64_t)i);
        assert_int_equal(vgae_vae_iwae(ctx, v, many, n, ks[i], NULL, NULL, &again[i]), VGAE_OK);
        noise[i] = fabs(nll[i] - again[i]);
    }
    print_message("  IWAE NLL: k=1 %.4f (+- %.4f), k=10 %.4f (+- %.4f), k=100 %.4f (+- %.4f)\n",
                  nll[0], noise[0], nll[1], noise[1], nll[2], noise[2]);
    assert_true(nll[0] - nll[1] > 3 * (noise[0] + noise[1]));
    assert_true(nll[1] - nll[2] > 3 * (noise[1] + noise[2]));
    /* the one-draw negative ELBO of vgae_vae_evaluate estimates the same as k = 1 */
    vgae_vae_figures f;
    vgae_ctx_set_seed(ctx, 300);
    assert_int_equal(vgae_vae_evaluate(ctx, v, many, n, NULL, &f), VGAE_OK);
    assert_true(fabs(f.neg_elbo - nll[0]) < 3 * noise[0] + 0.02);
    assert_true(fabs(f.neg_elbo - (f.recon + f.kl)) < 1e-9 * f.neg_elbo);
    free(many);
    vgae_vae_free(v);
    vgae_images_free(train);
}

/* save and load: the same tensors, options and figures. */
static void model_file_round_trip(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *test = tiny(ctx, "t10k");
    vgae_vae *v = NULL, *w = NULL;
    vgae_vae_options o = small_options();
    o.n_hidden = 2;
    o.hidden[1] = 16;
    o.beta = 0.5;
    assert_int_equal(vgae_vae_new(ctx, &o, 64, &v), VGAE_OK);
    double loss;
    assert_int_equal(vgae_vae_train_epoch(ctx, v, test->pixels, test->n, &loss), VGAE_OK);
    char dir[] = "/tmp/vgae-vae-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.vae", dir);
    assert_int_equal(vgae_vae_save(ctx, path, v, "seed 7\n"), VGAE_OK);
    char *meta = NULL;
    assert_int_equal(vgae_vae_load(ctx, path, &w, &meta), VGAE_OK);
    assert_non_null(strstr(meta, "seed 7\n"));
    assert_int_equal(w->options.n_hidden, 2);
    assert_int_equal(w->options.hidden[1], 16);
    assert_true(w->options.beta == 0.5 && w->options.lr == o.lr && w->epoch == 1);
    assert_int_equal(w->params.count, v->params.count);
    for (int p = 0; p < v->params.count; p++)
        assert_memory_equal(v->params.items[p].value->data, w->params.items[p].value->data,
                            (size_t)vgae_mat_size(v->params.items[p].value) * sizeof(float));
    vgae_vae_figures a, b;
    vgae_ctx_set_seed(ctx, 1);
    assert_int_equal(vgae_vae_evaluate(ctx, v, test->pixels, test->n, NULL, &a), VGAE_OK);
    vgae_ctx_set_seed(ctx, 1);
    assert_int_equal(vgae_vae_evaluate(ctx, w, test->pixels, test->n, NULL, &b), VGAE_OK);
    assert_true(a.neg_elbo == b.neg_elbo);
    /* a graph model's reader refuses it, and the other way round */
    vgae_model_file *gf = NULL;
    assert_error_contains(ctx, vgae_model_file_read(ctx, path, &gf), "an image VAE model");
    /* found in review: metadata that promises more than the file holds is
     * refused before anything is allocated from it */
    vgae_container *c = NULL;
    assert_int_equal(vgae_container_read(ctx, path, &c), VGAE_OK);
    char text[4096], tampered[80];
    const char *at = strstr(c->meta_text, "input 64");
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*sinput 16777216%s", (int)(at - c->meta_text), c->meta_text, at + 8);
    snprintf(tampered, sizeof tampered, "%s/t.vae", dir);
    assert_int_equal(vgae_container_write(ctx, tampered, text, &v->params, NULL), VGAE_OK);
    vgae_vae *big = NULL;
    assert_error_contains(ctx, vgae_vae_load(ctx, tampered, &big, NULL), "the metadata describes");
    assert_null(big);
    vgae_container_free(c);
    unlink(tampered);
    free(meta);
    unlink(path);
    rmdir(dir);
    vgae_vae_free(v);
    vgae_vae_free(w);
    vgae_images_free(test);
}

/* An epoch (shuffle, batches, Adam) gives the same weights on 1 and 2 threads. */
static void same_weights_on_any_thread_count(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_images *train = tiny(ctx, "train");
    float *first = NULL;
    size_t bytes = 0;
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        vgae_ctx_set_seed(ctx, 12);
        vgae_vae *v = NULL;
        vgae_vae_options o = small_options();
        o.binarize = VGAE_BINARIZE_DYNAMIC;
        double loss;
        assert_int_equal(vgae_vae_new(ctx, &o, 64, &v), VGAE_OK);
        assert_int_equal(vgae_vae_train_epoch(ctx, v, train->pixels, train->n, &loss), VGAE_OK);
        const vgae_mat *w = v->params.items[0].value;
        if (threads == 1) {
            bytes = (size_t)vgae_mat_size(w) * sizeof(float);
            first = malloc(bytes);
            memcpy(first, w->data, bytes);
        } else {
            assert_memory_equal(first, w->data, bytes);
        }
        vgae_vae_free(v);
    }
    free(first);
    vgae_images_free(train);
    vgae_ctx_set_threads(ctx, 1);
}

static void bad_options(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_vae *v = NULL;
    vgae_vae_options o = vgae_vae_defaults();
    o.n_hidden = 5;
    assert_error_contains(ctx, vgae_vae_new(ctx, &o, 64, &v), "1 to 4 hidden layers, not 5");
    o = vgae_vae_defaults();
    o.latent = 0;
    assert_error_contains(ctx, vgae_vae_new(ctx, &o, 64, &v), "latent 0");
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(training_lowers_the_loss, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(iwae_tightens_with_k, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(model_file_round_trip, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(same_weights_on_any_thread_count, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bad_options, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("vae", tests, NULL, NULL);
}
