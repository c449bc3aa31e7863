/* The sequence VAE: it learns a small language, the same bits on 1 and 2 threads, decoding, bad input. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"

/* n strings over {a, b, c}: a run of a's, then as many b's, then a c at
 * the end half of the time (lengths 2 to 9): a language an autoencoder can
 * only reconstruct by carrying the run's length and the ending in z. */
static void language(vgae_ctx *ctx, int64_t n, vgae_seqs *s)
{
    char text[32];
    vgae_rng r;
    vgae_rng_init(&r, 17, 0);
    int64_t cap = n * 10;
    *s = (vgae_seqs){0};
    s->start = malloc((size_t)(n + 1) * sizeof *s->start);
    s->line = malloc((size_t)n * sizeof *s->line);
    s->sym = malloc((size_t)cap * sizeof *s->sym);
    assert_true(s->start && s->line && s->sym);
    s->start[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        const int run = 1 + (int)vgae_rng_below(&r, 4), end = (int)vgae_rng_below(&r, 2);
        int len = 0;
        for (int k = 0; k < run; k++)
            text[len++] = 'a';
        for (int k = 0; k < run; k++)
            text[len++] = 'b';
        if (end)
            text[len++] = 'c';
        for (int k = 0; k < len; k++)
            s->sym[s->start[i] + k] = (uint32_t)text[k];
        s->start[i + 1] = s->start[i] + len;
        s->line[i] = i + 1;
        s->longest = len > s->longest ? len : s->longest;
    }
    s->count = n;
    (void)ctx;
}

static vgae_seq_vae_options small(void)
{
    vgae_seq_vae_options o = vgae_seq_vae_defaults();
    o.embed = 8;
    o.enc_hidden = 24;
    o.dec_hidden = 32;
    o.latent = 4;
    o.max_len = 12;
    o.batch = 16;
    o.epochs = 100;
    o.lr = 5e-3;
    o.word_dropout = 0.3;
    o.free_bits = 1.0; /* 4 nats free over the 4 dimensions: the 8 strings need log 8 = 2.1 */
    o.kl.warmup = 10;
    return o;
}

static int same(const vgae_seqs *a, int64_t i, const vgae_seqs *b, int64_t j)
{
    const int64_t la = a->start[i + 1] - a->start[i], lb = b->start[j + 1] - b->start[j];
    return la == lb && !memcmp(a->sym + a->start[i], b->sym + b->start[j], (size_t)la * sizeof *a->sym);
}

/* Trained on 160 strings, the model reconstructs most of them exactly by
 * greedy decoding of their codes (a model that ignored z could get at most
 * the commonest of the 8 strings, 1 in 8, right), its KL is well above 0,
 * and its loss fell by half. */
static void learns_a_small_language(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_seqs s;
    language(ctx, 160, &s);
    vgae_alphabet a;
    assert_int_equal(vgae_alphabet_learn(ctx, &s, &a), VGAE_OK);
    assert_int_equal(a.size, 3);
    vgae_seq_vae_options o = small();
    vgae_seq_vae *m = NULL;
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &m), VGAE_OK);
    vgae_seq_figures first, f;
    for (int e = 0; e < o.epochs; e++)
        assert_int_equal(vgae_seq_vae_train_epoch(ctx, m, &s, NULL, NULL, e ? &f : &first), VGAE_OK);
    assert_int_equal(vgae_seq_vae_epochs(m), o.epochs);
    vgae_seq_figures g;
    assert_int_equal(vgae_seq_vae_evaluate(ctx, m, &s, &g), VGAE_OK);
    print_message("  first epoch loss %.3f, last %.3f; ELBO %.3f = %.3f + KL %.3f, %.1f%% of characters\n",
                  first.loss, f.loss, g.neg_elbo, g.recon, g.kl, 100 * g.char_accuracy);
    assert_true(f.loss < 0.5 * first.loss);
    assert_true(g.kl > 1.0);
    assert_true(fabs(g.neg_elbo - (g.recon + g.kl)) < 1e-9 * g.neg_elbo);
    /* the importance-weighted bound with 64 draws is tighter than the ELBO
     * (by the KL's excess over the information z carries: here >= 1 nat,
     * the floor being above what the 8 strings need), and still above the
     * 160 strings' own entropy (a little under log 8 = 2.08 nats) */
    double iw = 0;
    assert_int_equal(vgae_seq_vae_iwae(ctx, m, &s, 64, NULL, NULL, &iw), VGAE_OK);
    print_message("  importance-weighted -log p(x), 64 draws: %.3f\n", iw);
    assert_true(iw < g.neg_elbo - 0.5);
    assert_true(iw > log(8.0) - 0.3);
    vgae_mat z = {0};
    assert_int_equal(vgae_seq_vae_encode(ctx, m, &s, &z), VGAE_OK);
    assert_int_equal(z.rows, s.count);
    assert_int_equal(z.cols, o.latent);
    vgae_seqs out;
    uint8_t ended[160];
    assert_int_equal(vgae_seq_vae_decode(ctx, m, &z, 0, NULL, &out, ended), VGAE_OK);
    int64_t exact = 0;
    for (int64_t i = 0; i < s.count; i++)
        exact += same(&s, i, &out, i);
    print_message("  greedy reconstruction %lld of %lld exact\n", (long long)exact, (long long)s.count);
    assert_true(exact >= s.count * 3 / 4);
    vgae_seqs_free(&out);
    /* sampled decoding draws from its stream: the same stream, the same strings */
    vgae_rng r1, r2;
    vgae_rng_init(&r1, 3, 0);
    r2 = r1;
    vgae_seqs o1, o2;
    assert_int_equal(vgae_seq_vae_decode(ctx, m, &z, 1.0, &r1, &o1, NULL), VGAE_OK);
    assert_int_equal(vgae_seq_vae_decode(ctx, m, &z, 1.0, &r2, &o2, NULL), VGAE_OK);
    for (int64_t i = 0; i < s.count; i++)
        assert_true(same(&o1, i, &o2, i));
    vgae_seqs_free(&o1);
    vgae_seqs_free(&o2);
    /* saved and read back: the same codes, bit for bit, and the same facts */
    char dir[] = "/tmp/vgae-seq-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.vgae", dir);
    vgae_seq_vae_set_source(m, "language.txt", VGAE_SEQ_LINES, 0.1, s.count, f.loss);
    vgae_seq_vae_set_reported(m, &g);
    assert_int_equal(vgae_seq_vae_save(ctx, m, path), VGAE_OK);
    vgae_seq_vae *back = NULL;
    assert_int_equal(vgae_seq_vae_load(ctx, path, &back), VGAE_OK);
    vgae_mat z2 = {0};
    assert_int_equal(vgae_seq_vae_encode(ctx, back, &s, &z2), VGAE_OK);
    assert_memory_equal(z.data, z2.data, (size_t)vgae_mat_size(&z) * sizeof *z.data);
    assert_int_equal(vgae_seq_vae_epochs(back), o.epochs);
    assert_int_equal(vgae_seq_vae_alphabet(back)->size, 3);
    vgae_seq_format sf;
    double vf;
    assert_string_equal(vgae_seq_vae_source(back, &sf, &vf), "language.txt");
    assert_int_equal(sf, VGAE_SEQ_LINES);
    assert_true(vf == 0.1);
    assert_int_equal(vgae_seq_vae_settings(back)->free_bits == o.free_bits, 1);
    vgae_mat_destroy(&z2);
    vgae_seq_vae_free(back);
    vgae_model_file *file = NULL;
    assert_int_equal(vgae_model_file_read(ctx, path, &file), VGAE_OK);
    assert_string_equal(vgae_model_file_kind(file), "seq-vae");
    assert_string_equal(vgae_model_file_meta(file, "alphabet"), "61,62,63");
    vgae_model_file_free(file);
    unlink(path);
    rmdir(dir);
    /* a temperature without draws, codes of the wrong width */
    assert_int_equal(vgae_seq_vae_decode(ctx, m, &z, 0.5, NULL, &o1, NULL), VGAE_EINVAL);
    z.cols = 3;
    assert_int_equal(vgae_seq_vae_decode(ctx, m, &z, 0, NULL, &o1, NULL), VGAE_EINVAL);
    z.cols = 4;
    vgae_mat_destroy(&z);
    vgae_seq_vae_free(m);
    vgae_seqs_free(&s);
}

/* Two epochs on 1 thread and on 2: the same figures and the same codes, bit for bit. */
static void same_bits_on_1_and_2_threads(void **state)
{
    (void)state;
    vgae_seq_figures f[2];
    vgae_mat z[2] = {{0}, {0}};
    for (int k = 0; k < 2; k++) {
        vgae_ctx *ctx = vgae_ctx_new();
        assert_non_null(ctx);
        vgae_ctx_set_threads(ctx, k + 1);
        vgae_seqs s;
        language(ctx, 200, &s);
        vgae_alphabet a;
        assert_int_equal(vgae_alphabet_learn(ctx, &s, &a), VGAE_OK);
        vgae_seq_vae_options o = small();
        /* wide enough for the cells to be split between threads (64 x 160
         * of them a step) and the products into vgae_gemm's blocks */
        o.batch = 64;
        o.enc_hidden = 96;
        o.dec_hidden = 160;
        o.word_dropout = 0.3;
        vgae_seq_vae *m = NULL;
        assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &m), VGAE_OK);
        for (int e = 0; e < 2; e++)
            assert_int_equal(vgae_seq_vae_train_epoch(ctx, m, &s, NULL, NULL, &f[k]), VGAE_OK);
        assert_int_equal(vgae_seq_vae_encode(ctx, m, &s, &z[k]), VGAE_OK);
        vgae_seq_vae_free(m);
        vgae_seqs_free(&s);
        vgae_ctx_free(ctx);
    }
    assert_memory_equal(&f[0].loss, &f[1].loss, sizeof f[0].loss);
    assert_memory_equal(&f[0].kl, &f[1].kl, sizeof f[0].kl);
    assert_memory_equal(z[0].data, z[1].data, (size_t)vgae_mat_size(&z[0]) * sizeof *z[0].data);
    vgae_mat_destroy(&z[0]);
    vgae_mat_destroy(&z[1]);
}

/* Sequences the model cannot take are refused, naming which and why; options out of range too. */
static void refuses_what_it_cannot_take(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_seqs s;
    language(ctx, 20, &s);
    vgae_alphabet a;
    assert_int_equal(vgae_alphabet_learn(ctx, &s, &a), VGAE_OK);
    vgae_seq_vae_options o = small();
    vgae_seq_vae *m = NULL;
    o.latent = 0;
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &m), VGAE_EINVAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "latent dimensions 0"));
    o = small();
    o.word_dropout = 1.5;
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &m), VGAE_EINVAL);
    o = small();
    o.max_len = 5;
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &a, &m), VGAE_OK);
    vgae_seq_figures f;
    assert_int_equal(vgae_seq_vae_train_epoch(ctx, m, &s, NULL, NULL, &f), VGAE_EINVAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "characters: the model takes 1 to 5"));
    vgae_seq_vae_free(m);
    vgae_alphabet two = {.size = 2, .sym = {'a', 'b'}};
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &two, &m), VGAE_OK);
    o.max_len = 12;
    vgae_seq_vae_free(m);
    o = small();
    assert_int_equal(vgae_seq_vae_new(ctx, &o, &two, &m), VGAE_OK);
    assert_int_equal(vgae_seq_vae_evaluate(ctx, m, &s, &f), VGAE_EINVAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "character U+0063, not in the model's alphabet"));
    vgae_seq_vae_free(m);
    vgae_seqs_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(learns_a_small_language, setup_ctx, teardown_ctx),
        cmocka_unit_test(same_bits_on_1_and_2_threads),
        cmocka_unit_test_setup_teardown(refuses_what_it_cannot_take, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
