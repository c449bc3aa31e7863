/* Unit tests of checkpoints: runs stopped and resumed any number of times end bit for bit as the run never stopped; other runs' checkpoints are refused. */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <zlib.h>

#include "testutil.h"
#include "planted.h"
#include "tmpdir.h"
#include "io/model_file.h"
#include "models/graph_ae_impl.h"
#include "models/image_vae_impl.h"

/* ---- graph models ---- */

/* What a fit ended with: the means, the figures, the loss and epochs. */
typedef struct graph_end {
    float *mean;
    size_t bytes;
    vgae_linkpred_result r;
} graph_end;

/* Stops the fit at the top of the epoch after `at`: with `crash`, the
 * checkpoints are switched off first (as kill -9 leaves only the last
 * periodic one). */
typedef struct stopper {
    vgae_ctx *ctx;
    vgae_graph_ae *m;
    int at, crash;
} stopper;

static void stop_at(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                    double seconds)
{
    stopper *s = user;
    (void)t, (void)val_auc, (void)val_ap, (void)seconds;
    if (epoch != s->at)
        return;
    if (s->crash)
        assert_int_equal(vgae_graph_ae_set_checkpoints(s->ctx, s->m, NULL), VGAE_OK);
    vgae_ctx_interrupt(s->ctx);
}

static void graph_end_free(graph_end *e)
{
    free(e->mean);
}

/* A model of the run: a fresh context (threads, seed), the split, the model,
 * as a new process would make them. */
static vgae_graph_ae *graph_model(vgae_ctx *ctx, const vgae_graph *g, const vgae_labels *labels,
                                  const vgae_graph_ae_options *o, uint64_t seed, int threads)
{
    vgae_split *s = NULL;
    vgae_graph_ae *m = NULL;
    const vgae_dataset data = {.graph = (vgae_graph *)g, .labels = (vgae_labels *)labels};
    vgae_ctx_set_threads(ctx, threads);
    vgae_ctx_set_seed(ctx, seed);
    assert_int_equal(vgae_split_make(ctx, g, 0.1, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, o, &data, s, &m), VGAE_OK);
    vgae_split_free(s);
    return m;
}

static void finish(vgae_ctx *ctx, vgae_graph_ae *m, graph_end *out)
{
    assert_int_equal(vgae_graph_ae_encode(ctx, m), VGAE_OK);
    out->bytes = (size_t)vgae_mat_size(&m->mean) * sizeof(float);
    out->mean = malloc(out->bytes);
    memcpy(out->mean, m->mean.data, out->bytes);
}

/* The run stopped after each epoch of stops (in order; 0 ends the list),
 * each stage in a new context on 1, 2, 1, ... threads, resumed from the
 * checkpoint written every `every` epochs and when stopped. crash: the
 * stops leave no checkpoint of their own (the periodic one is resumed). */
static void graph_stopped(fixture *fx, const vgae_graph *g, const vgae_labels *labels,
                          const vgae_graph_ae_options *o, uint64_t seed, const int *stops, int every,
                          int crash, graph_end *out)
{
    const char *path = in_dir(fx, "graph.ckpt");
    unlink(path);
    for (int stage = 0;; stage++) {
        vgae_ctx *ctx = vgae_ctx_new();
        vgae_graph_ae *m = graph_model(ctx, g, labels, o, seed, stage % 2 + 1);
        const vgae_checkpoint_options ck = {path, every, NULL, NULL};
        if (stage > 0) {
            vgae_model_file *f = NULL;
            assert_int_equal(vgae_model_file_read(ctx, path, &f), VGAE_OK);
            assert_int_equal(vgae_graph_ae_resume(ctx, m, f), VGAE_OK);
            vgae_model_file_free(f);
        }
        assert_int_equal(vgae_graph_ae_set_checkpoints(ctx, m, &ck), VGAE_OK);
        stopper s = {ctx, m, stops[stage], crash};
        const vgae_status st = vgae_graph_ae_fit(ctx, m, 1, stop_at, &s, &out->r);
        if (stops[stage]) {
            assert_int_equal(st, VGAE_EINTR);
            if (!crash)
                assert_non_null(strstr(vgae_ctx_message(ctx), "checkpoint"));
        } else {
            assert_int_equal(st, VGAE_OK);
            finish(ctx, m, out);
        }
        vgae_graph_ae_free(m);
        vgae_ctx_free(ctx);
        if (!stops[stage])
            break;
    }
}

static void graph_uninterrupted(const vgae_graph *g, const vgae_labels *labels, const vgae_graph_ae_options *o,
                                uint64_t seed, graph_end *out)
{
    vgae_ctx *ctx = vgae_ctx_new();
    vgae_graph_ae *m = graph_model(ctx, g, labels, o, seed, 2);
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &out->r), VGAE_OK);
    finish(ctx, m, out);
    vgae_graph_ae_free(m);
    vgae_ctx_free(ctx);
}

static void assert_same_end(const graph_end *a, const graph_end *b)
{

    assert_int_equal(a->bytes, b->bytes);
    assert_memory_equal(a->mean, b->mean, a->bytes);
    const double x[] = {a->r.figures.test.auc, a->r.figures.test.ap, a->r.figures.val.auc, a->r.final_loss};
    const double y[] = {b->r.figures.test.auc, b->r.figures.test.ap, b->r.figures.val.auc, b->r.final_loss};
    assert_memory_equal(x, y, sizeof x);
    assert_int_equal(a->r.epochs, b->r.epochs);
    assert_int_equal(a->r.best_epoch, b->r.best_epoch);
}

static vgae_labels *planted_labels(void)
{
    vgae_labels *l = malloc(sizeof *l);
    l->n = 160;
    l->y = malloc(160 * sizeof *l->y);
    for (int32_t i = 0; i < 160; i++)
        l->y[i] = i / 10;
    l->n_classes = 16;
    l->n_unlabelled = 0;
    return l;
}

/* Stopped once, twice, and as by kill -9, each configuration ends as the
 * uninterrupted run: the means bit for bit, the figures, the last loss,
 * the epochs and model selection's choice. The configurations reach every
 * piece of training state: model selection with early stopping (the best
 * weights, their value, patience), dropout, the sampled loss's negatives,
 * edge masking, the MLP decoder, the adversary (its own weights and Adam),
 * label codes, batch norm and a learned scale. */
static void graph_resume_is_bit_identical(void **state)
{
    fixture *fx = *state;
    vgae_graph *g = planted_graph(fx->ctx);
    vgae_labels *labels = planted_labels();
    vgae_graph_ae_options configs[3];
    configs[0] = vgae_graph_ae_defaults();
    configs[0].epochs = 40;
    configs[0].lr = 0.2;
    configs[0].dropout = 0.2;
    configs[0].val_every = 3;
    configs[0].patience = 4;
    configs[1] = vgae_graph_ae_defaults();
    configs[1].kind = VGAE_MODEL_GAE;
    configs[1].loss = VGAE_LOSS_SAMPLED;
    configs[1].decoder = VGAE_DECODER_HADAMARD;
    configs[1].mask_rate = 0.5;
    configs[1].adversarial = 0.5;
    configs[1].structure_input = 1;
    configs[1].condition = VGAE_CONDITION_LABELS;
    configs[1].epochs = 24;
    configs[2] = vgae_graph_ae_defaults();
    configs[2].layers = 3;
    configs[2].hops[2] = 1;
    configs[2].norm = VGAE_NORM_BATCH;
    configs[2].bias = 1;
    configs[2].residual = 1;
    configs[2].l2_scale = 1.5;
    configs[2].l2_learn = 1;
    configs[2].propagation = VGAE_PROP_LIGHTGCN;
    configs[2].epochs = 20;
    const int once[] = {7, 0}, twice[] = {2, 13, 0}, crash[] = {11, 0};
    for (int c = 0; c < 3; c++) {
        const vgae_labels *l = configs[c].condition ? labels : NULL;
        graph_end want = {0}, got = {0};
        graph_uninterrupted(g, l, &configs[c], 30 + c, &want);
        graph_stopped(fx, g, l, &configs[c], 30 + c, once, 0, 0, &got);
        assert_same_end(&want, &got);
        graph_end_free(&got);
        graph_stopped(fx, g, l, &configs[c], 30 + c, twice, 5, 0, &got);
        assert_same_end(&want, &got);
        graph_end_free(&got);
        /* the stop at 11 writes nothing: the checkpoint of epoch 8 goes on */
        graph_stopped(fx, g, l, &configs[c], 30 + c, crash, 4, 1, &got);
        assert_same_end(&want, &got);
        graph_end_free(&got);
        print_message("  configuration %d: %d epochs (best %d), test AUC %.4f, the same after stops\n", c,
                      want.r.epochs, want.r.best_epoch, want.r.figures.test.auc);
        graph_end_free(&want);
    }
    free(labels->y);
    free(labels);
    vgae_graph_free(g);
}

/* Rewrites a file's bytes: `from` (first occurrence) becomes `to` (the
 * same length), and the CRC-32 at the end is made right again. */
static void patch(const char *path, const char *from, const char *to)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)size);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    unsigned char *at = memmem(b, (size_t)size, from, strlen(from));
    assert_non_null(at);
    memcpy(at, to, strlen(to));
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(size - 4));
    for (int k = 0; k < 4; k++)
        b[size - 4 + k] = (unsigned char)(crc >> (8 * k));
    f = fopen(path, "wb");
    assert_int_equal(fwrite(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    free(b);
}

static vgae_status resume_from(vgae_ctx *ctx, vgae_graph_ae *m, const char *path)
{
    vgae_model_file *f = NULL;
    vgae_status st = vgae_model_file_read(ctx, path, &f);
    if (!st)
        st = vgae_graph_ae_resume(ctx, m, f);
    vgae_model_file_free(f);
    return st;
}

/* A checkpoint of another graph, split, option set, seed, format version,
 * or a plain model file, is refused with one line naming the difference. */
static void graph_refuses_other_runs(void **state)
{
    fixture *fx = *state;
    vgae_ctx *ctx = fx->ctx;
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.epochs = 6;
    const char *path = in_dir(fx, "run.ckpt"), *model = in_dir(fx, "run.vgae");
    vgae_graph_ae *m = graph_model(ctx, g, NULL, &o, 5, 1);
    vgae_linkpred_result r;
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &r), VGAE_OK);
    assert_int_equal(vgae_graph_ae_checkpoint(ctx, m, path, "user_note kept\n"), VGAE_OK);
    assert_int_equal(vgae_graph_ae_save(ctx, m, model), VGAE_OK);
    assert_error_contains(ctx, vgae_graph_ae_checkpoint(ctx, m, path, "not_user 1\n"), "user_KEY");
    vgae_graph_ae_free(m);

    /* the same run: accepted, with the caller's line kept */
    m = graph_model(ctx, g, NULL, &o, 5, 2);
    assert_int_equal(resume_from(ctx, m, path), VGAE_OK);
    assert_int_equal(vgae_graph_ae_epoch(m), 6);
    vgae_model_file *f = NULL;
    assert_int_equal(vgae_model_file_read(ctx, path, &f), VGAE_OK);
    assert_string_equal(vgae_model_file_meta(f, "user_note"), "kept");
    assert_int_equal(vgae_model_file_version(f), 7);
    vgae_model_file_free(f);
    vgae_graph_ae_free(m);
    /* another seed (and so another split) */
    m = graph_model(ctx, g, NULL, &o, 6, 1);
    assert_error_contains(ctx, resume_from(ctx, m, path), "a checkpoint of another seed: seed 5 there, 6 here");
    vgae_graph_ae_free(m);
    /* another split under the same seed */
    {
        vgae_split *s = NULL;
        const vgae_dataset data = {.graph = g};
        vgae_ctx_set_seed(ctx, 9);
        assert_int_equal(vgae_split_make(ctx, g, 0.1, 0.1, &s), VGAE_OK);
        vgae_ctx_set_seed(ctx, 5);
        assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
        assert_error_contains(ctx, resume_from(ctx, m, path), "a checkpoint of another split");
        vgae_graph_ae_free(m);
        vgae_split_free(s);
    }
    /* other options */
    vgae_graph_ae_options other = o;
    other.lr = 0.02;
    m = graph_model(ctx, g, NULL, &other, 5, 1);
    assert_error_contains(ctx, resume_from(ctx, m, path), "of other options: lr 0.01 there, 0.02 here");
    vgae_graph_ae_free(m);
    other = o;
    other.epochs = 7;
    m = graph_model(ctx, g, NULL, &other, 5, 1);
    assert_error_contains(ctx, resume_from(ctx, m, path), "epochs 6 there, 7 here");
    vgae_graph_ae_free(m);
    /* another graph: one edge less */
    vgae_graph *g2 = NULL;
    {
        int32_t *pairs = malloc(sizeof *pairs * 2 * (size_t)g->n_edges);
        int64_t k = 0;
        for (int32_t u = 0; u < g->n; u++)
            for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
                if (u < g->adj[p] && k < 2 * (g->n_edges - 1)) {
                    pairs[k++] = u;
                    pairs[k++] = g->adj[p];
                }
        assert_int_equal(vgae_graph_from_pairs(ctx, g->n, k / 2, pairs, 0, &g2), VGAE_OK);
        free(pairs);
    }
    m = graph_model(ctx, g2, NULL, &o, 5, 1);
    assert_error_contains(ctx, resume_from(ctx, m, path), "a checkpoint of another graph");
    vgae_graph_ae_free(m);
    vgae_graph_free(g2);
    /* a model file is not a checkpoint */
    m = graph_model(ctx, g, NULL, &o, 5, 1);
    assert_error_contains(ctx, resume_from(ctx, m, model), "not a checkpoint");
    /* another checkpoint format, and another vgae version */
    patch(path, "checkpoint_version 1", "checkpoint_version 9");
    assert_error_contains(ctx, resume_from(ctx, m, path), "checkpoint format version 9");
    patch(path, "checkpoint_version 9", "checkpoint_version 1");
    patch(path, "library_version ", "library_versioX ");
    assert_error_contains(ctx, resume_from(ctx, m, path), "another vgae version: library_version (none) there");
    vgae_graph_ae_free(m);
    vgae_graph_free(g);
}

/* ---- the image VAE ---- */

static vgae_images *tiny(vgae_ctx *ctx, const char *which)
{
    vgae_images *im = NULL;
    assert_int_equal(vgae_images_read_split(ctx, data_path("tinyidx"), which, &im), VGAE_OK);
    return im;
}

/* Stops the epoch when a batch's report has `at` images done (the
 * progress calls come once a batch here; the epoch's closing report, done
 * == total, does not count, so at == 0 stops a new epoch after it drew its
 * order and before its first batch). */
typedef struct batch_stopper {
    vgae_ctx *ctx;
    int64_t at; /* images done */
} batch_stopper;

static void stop_batch(void *user, const char *what, int64_t done, int64_t total)
{
    batch_stopper *s = user;
    (void)what;
    if (s->at >= 0 && done >= s->at && done < total)
        vgae_ctx_interrupt(s->ctx);
}

/* Trains `epochs` epochs, stopped at each of stops (images into the whole
 * run, 0 ends the list) and resumed in a new context on 1, 2, 1, ...
 * threads; checkpoints after every epoch and when stopped. Returns the
 * weights and the last loss. */
static void image_run(fixture *fx, const vgae_image_vae_options *o, const vgae_images *train,
                      const int64_t *stops, float **weights, size_t *bytes, double *loss)
{
    const char *path = in_dir(fx, "image.ckpt");
    unlink(path);
    int stage = 0;
    for (;; stage++) {
        vgae_ctx *ctx = vgae_ctx_new();
        vgae_image_vae *v = NULL;
        vgae_ctx_set_threads(ctx, stage % 2 + 1);
        vgae_ctx_set_seed(ctx, 21);
        assert_int_equal(vgae_image_vae_new(ctx, o, train, &v), VGAE_OK);
        if (stage > 0) {
            vgae_model_file *f = NULL;
            assert_int_equal(vgae_model_file_read(ctx, path, &f), VGAE_OK);
            assert_int_equal(vgae_image_vae_resume(ctx, v, train, f), VGAE_OK);
            vgae_model_file_free(f);
        }
        batch_stopper s = {ctx, stops && stops[stage] ? stops[stage] - v->base.epoch * train->n : -1};
        vgae_ctx_set_progress(ctx, stop_batch, &s);
        int stopped = 0;
        while (v->base.epoch < o->epochs) {
            vgae_status st = vgae_image_vae_train_epoch(ctx, v, train, loss);
            if (st == VGAE_EINTR) {
                stopped = 1;
                break;
            }
            assert_int_equal(st, VGAE_OK);
            if (s.at >= 0)
                s.at -= train->n;
            assert_int_equal(vgae_image_vae_checkpoint(ctx, v, train, path, NULL), VGAE_OK);
        }
        if (stopped) {
            assert_int_equal(vgae_image_vae_checkpoint(ctx, v, train, path, NULL), VGAE_OK);
        } else {
            *bytes = 0;
            for (int p = 0; p < v->base.params.count; p++)
                *bytes += (size_t)vgae_mat_size(v->base.params.items[p].value) * sizeof(float);
            *weights = malloc(*bytes);
            size_t at = 0;
            for (int p = 0; p < v->base.params.count; p++) {
                const vgae_mat *w = v->base.params.items[p].value;
                memcpy((char *)*weights + at, w->data, (size_t)vgae_mat_size(w) * sizeof(float));
                at += (size_t)vgae_mat_size(w) * sizeof(float);
            }
        }
        vgae_image_vae_free(v);
        vgae_ctx_free(ctx);
        if (!stopped)
            break;
    }
    assert_true(stage == 0 || stops);
}

/* Stopped part way through epochs (and at an epoch's end), the image VAE
 * ends with the uninterrupted run's weights and last loss, bit for bit:
 * the Gaussian VAE with dynamic binarization, the conditional VAE, the VQ
 * VAE with moving averages and dead-code restarts. A checkpoint of other
 * images or options is refused. */
static void image_resume_is_bit_identical(void **state)
{
    fixture *fx = *state;
    vgae_images *train = tiny(fx->ctx, "train");
    vgae_image_vae_options configs[3];
    for (int c = 0; c < 3; c++) {
        configs[c] = vgae_image_vae_defaults();
        configs[c].hidden[0] = 32;
        configs[c].latent = 4;
        configs[c].batch = 32;
        configs[c].lr = 0.01;
        configs[c].epochs = 4;
    }
    configs[0].binarize = VGAE_BINARIZE_DYNAMIC;
    configs[1].classes = vgae_images_classes(train);
    configs[2].latent_kind = VGAE_IMAGE_VQ;
    configs[2].latent = 8;
    configs[2].vq.codes = 2;
    configs[2].vq.codebook = 16;
    configs[2].vq.ema = 0.9;
    configs[2].restart = 1;
    /* 300 images an epoch, 10 batches: in epoch 1 after 4 batches, in
     * epoch 2 after 7; at the end of epoch 3 (asked in its last batch); at
     * the start of epoch 2, its order drawn, no batch done (a signal
     * landing between the draw and the first batch) */
    const int64_t stops[] = {128, 300 + 200, 0}, late[] = {2 * 300 + 300 - 12, 0}, start[] = {300, 0};
    for (int c = 0; c < 3; c++) {
        float *want = NULL, *got = NULL;
        size_t bytes = 0, got_bytes = 0;
        double want_loss = 0, got_loss = 0;
        image_run(fx, &configs[c], train, NULL, &want, &bytes, &want_loss);
        image_run(fx, &configs[c], train, stops, &got, &got_bytes, &got_loss);
        assert_int_equal(bytes, got_bytes);
        assert_memory_equal(want, got, bytes);
        assert_memory_equal(&want_loss, &got_loss, sizeof want_loss);
        free(got);
        image_run(fx, &configs[c], train, late, &got, &got_bytes, &got_loss);
        assert_memory_equal(want, got, bytes);
        assert_memory_equal(&want_loss, &got_loss, sizeof want_loss);
        free(got);
        image_run(fx, &configs[c], train, start, &got, &got_bytes, &got_loss);
        assert_memory_equal(want, got, bytes);
        assert_memory_equal(&want_loss, &got_loss, sizeof want_loss);
        free(got);
        free(want);
        print_message("  image configuration %d: last loss %.6f, the same after stops\n", c, want_loss);
    }
    /* other images, other options */
    const char *path = in_dir(fx, "image.ckpt");
    vgae_ctx *ctx = fx->ctx;
    vgae_image_vae *v = NULL;
    vgae_model_file *f = NULL;
    assert_int_equal(vgae_model_file_read(ctx, path, &f), VGAE_OK);
    vgae_ctx_set_seed(ctx, 21);
    assert_int_equal(vgae_image_vae_new(ctx, &configs[2], train, &v), VGAE_OK);
    train->n -= 1;
    assert_error_contains(ctx, vgae_image_vae_resume(ctx, v, train, f), "other training images");
    train->n += 1;
    train->pixels[5] = 1 - train->pixels[5];
    assert_error_contains(ctx, vgae_image_vae_resume(ctx, v, train, f), "other training images");
    train->pixels[5] = 1 - train->pixels[5];
    vgae_image_vae_free(v);
    configs[2].vq.commitment = 0.5;
    assert_int_equal(vgae_image_vae_new(ctx, &configs[2], train, &v), VGAE_OK);
    assert_error_contains(ctx, vgae_image_vae_resume(ctx, v, train, f), "vq_commitment 0.25 there, 0.5 here");
    vgae_image_vae_free(v);
    vgae_model_file_free(f);
    vgae_images_free(train);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(graph_resume_is_bit_identical, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(graph_refuses_other_runs, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(image_resume_is_bit_identical, tmpdir_setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
