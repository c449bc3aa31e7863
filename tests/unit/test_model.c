/* Unit tests of link prediction: split invariants, the float decoder, training end to end, determinism. */
#include <math.h>
#include <unistd.h>

#include "testutil.h"
#include "planted.h"
#include "io/model_file.h"
#include "models/graph_ae_impl.h"

static uint64_t key(vgae_pair p)
{
    return (uint64_t)p.u << 32 | (uint32_t)p.v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every invariant of a split of g: sizes, u < v, disjoint sets with no
 * reverse-pair leak, positives are edges and negatives non-edges of the
 * full graph, and the training graph is exactly the training edges. */
static void check_split(vgae_ctx *ctx, const vgae_graph *g, const vgae_split *s, double vf, double tf)
{
    const int64_t e = g->n_edges;
    assert_int_equal(s->n_val, (int64_t)floor(e * vf + 1e-9));
    assert_int_equal(s->n_test, (int64_t)floor(e * tf + 1e-9));
    assert_int_equal(s->n_train + s->n_val + s->n_test, e);
    const int64_t total = s->n_train + 2 * s->n_val + 2 * s->n_test;
    uint64_t *keys = malloc(sizeof *keys * (size_t)total);
    int64_t k = 0;
    const struct { const vgae_pair *p; int64_t n; int edge; } sets[5] = {
        {s->train, s->n_train, 1}, {s->val_pos, s->n_val, 1}, {s->test_pos, s->n_test, 1},
        {s->val_neg, s->n_val, 0}, {s->test_neg, s->n_test, 0}};
    for (int set = 0; set < 5; set++)
        for (int64_t i = 0; i < sets[set].n; i++) {
            vgae_pair p = sets[set].p[i];
            assert_true(p.u >= 0 && p.u < p.v && p.v < g->n); /* canonical: (a,b) and (b,a) share a key */
            assert_int_equal(vgae_graph_has_edge(g, p.u, p.v), sets[set].edge);
            keys[k++] = key(p);
        }
    qsort(keys, (size_t)total, sizeof *keys, cmp_u64);
    for (int64_t i = 1; i < total; i++)
        assert_true(keys[i] != keys[i - 1]); /* no pair in two places */
    free(keys);
    vgae_graph *train = NULL;
    assert_int_equal(vgae_split_train_graph(ctx, s, &train), VGAE_OK);
    assert_int_equal(train->n, g->n);
    assert_int_equal(train->n_edges, s->n_train);
    for (int64_t i = 0; i < s->n_val; i++)
        assert_false(vgae_graph_has_edge(train, s->val_pos[i].u, s->val_pos[i].v));
    for (int64_t i = 0; i < s->n_test; i++)
        assert_false(vgae_graph_has_edge(train, s->test_pos[i].u, s->test_pos[i].v));
    vgae_graph_free(train);
}

static void split_invariants(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *a = NULL, *b = NULL, *c = NULL;
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &a), VGAE_OK);
    check_split(ctx, g, a, 0.05, 0.1);
    /* same seed, same split; another seed, another */
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &b), VGAE_OK);
    assert_memory_equal(a->train, b->train, sizeof *a->train * (size_t)a->n_train);
    assert_memory_equal(a->val_pos, b->val_pos, sizeof *a->val_pos * (size_t)(2 * a->n_val + 2 * a->n_test));
    vgae_ctx_set_seed(ctx, 6);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &c), VGAE_OK);
    assert_true(memcmp(a->test_pos, c->test_pos, sizeof *a->test_pos * (size_t)a->n_test) != 0);
    vgae_split_free(c);
    /* large held-out fractions, and none for validation */
    assert_int_equal(vgae_split_make(ctx, g, 0.3, 0.45, &c), VGAE_OK);
    check_split(ctx, g, c, 0.3, 0.45);
    vgae_split_free(c);
    assert_int_equal(vgae_split_make(ctx, g, 0.0, 0.2, &c), VGAE_OK);
    check_split(ctx, g, c, 0.0, 0.2);
    vgae_split_free(c);
    vgae_split_free(a);
    vgae_split_free(b);
    vgae_graph_free(g);
}

static void split_on_cora(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = shared_graph(ctx, "cora");
    assert_non_null(g); /* bundled in datasets/ */
    vgae_split *s = NULL;
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    /* the reference's counts: floor(5278 / 20) = 263, floor(5278 / 10) = 527 */
    assert_int_equal(s->n_val, 263);
    assert_int_equal(s->n_test, 527);
    check_split(ctx, g, s, 0.05, 0.1);
    vgae_split_free(s);
    vgae_graph_free(g);
}

static void split_refuses_small_graphs(void **state)
{
    vgae_ctx *ctx = *state;
    static const int32_t path[] = {0, 1, 1, 2, 2, 3};
    static const int32_t k4[] = {0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3};
    vgae_graph *g = NULL;
    vgae_split *s = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 4, 3, path, 0, &g), VGAE_OK);
    assert_error_contains(ctx, vgae_split_make(ctx, g, 0.05, 0.1, &s), "the graph has 3 edges, too few to split");
    assert_null(s);
    assert_error_contains(ctx, vgae_split_make(ctx, g, 0.5, 0.6, &s), "sum to less than 1");
    vgae_graph_free(g);
    /* a complete graph has no non-edges for the negatives */
    assert_int_equal(vgae_graph_from_pairs(ctx, 4, 6, k4, 0, &g), VGAE_OK);
    assert_error_contains(ctx, vgae_split_make(ctx, g, 0.2, 0.2, &s), "only 0 non-adjacent pairs");
    vgae_graph_free(g);
}

/* z (n x d) of standard normals from seed, and dz of the same shape. */
static void random_z(vgae_ctx *ctx, int32_t n, int d, uint64_t seed, vgae_mat *z, vgae_mat *dz)
{
    assert_int_equal(vgae_mat_init(ctx, z, n, d), VGAE_OK);
    assert_int_equal(vgae_mat_init(ctx, dz, n, d), VGAE_OK);
    vgae_rng r;
    vgae_rng_init(&r, seed, 0);
    vgae_rng_normal_fill_f(&r, z->data, vgae_mat_size(z), 1);
}

/* The float library's full loss against a double computation of the same
 * sum on a 160-node graph, in tiles of 50 rows: with latent width 8 (the
 * tiles' products by BLAS, the terms by the vectorized float kernel) and
 * 16 (the fused kernel: blocks of 16 x 16 pairs, 50 = 3 x 16 + 2 leaving a
 * partial block in every tile). Each float term is within a few float ulps
 * (~1e-7 relative) of the exact one and the sums are in double, so 1e-5
 * relative has a margin of 100; a gradient entry sums 160 float products,
 * ~1e-5 relative, checked to 1e-4. Every column of dz is compared. */
static void full_loss_matches_double_at(vgae_ctx *ctx, int d)
{
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae *m = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), VGAE_OK);
    vgae_mat z, dz, tile = {0};
    random_z(ctx, g->n, d, 2, &z, &dz);
    double nll, direct = 0, dx;
    assert_int_equal(vgae_decoder_full(ctx, m, &z, 1.0, &dz, &tile, 50, &nll), VGAE_OK);
    for (int32_t i = 0; i < g->n; i++) {
        double grad[16] = {0}; /* d nll / d z_i */
        for (int32_t j = 0; j < g->n; j++) {
            double x = 0;
            for (int k = 0; k < d; k++)
                x += (double)VGAE_MAT_AT(&z, i, k) * VGAE_MAT_AT(&z, j, k);
            double t = (i == j || vgae_graph_has_edge(g, i, j)) ? 1.0 : 0.0;
            direct += vgae_bernoulli_term(x, t, m->pos_weight, &dx);
            for (int k = 0; k < d; k++)
                grad[k] += 2 * dx * VGAE_MAT_AT(&z, j, k);
        }
        for (int k = 0; k < d; k++)
            if (fabs(VGAE_MAT_AT(&dz, i, k) - grad[k]) > 1e-4 * (1 + fabs(grad[k])))
                fail_msg("latent %d: dz(%d,%d) = %g, double %g", d, i, k, VGAE_MAT_AT(&dz, i, k), grad[k]);
    }
    if (fabs(nll - direct) > 1e-5 * direct)
        fail_msg("latent %d: float full loss %.10g, double %.10g", d, nll, direct);
    /* without the gradient: the same loss; without the loss: the same gradient */
    double alone;
    vgae_mat dz2;
    assert_int_equal(vgae_mat_init(ctx, &dz2, g->n, d), VGAE_OK);
    assert_int_equal(vgae_decoder_full(ctx, m, &z, 1.0, NULL, &tile, 50, &alone), VGAE_OK);
    assert_true(alone == nll);
    assert_int_equal(vgae_decoder_full(ctx, m, &z, 1.0, &dz2, &tile, 50, NULL), VGAE_OK);
    assert_memory_equal(dz.data, dz2.data, sizeof(vgae_real) * (size_t)vgae_mat_size(&dz));
    vgae_mat_destroy(&dz2);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&dz);
    vgae_mat_destroy(&tile);
    vgae_graph_ae_free(m);
    vgae_graph_free(g);
}

static void float_full_loss_matches_double(void **state)
{
    full_loss_matches_double_at(*state, 8);
    full_loss_matches_double_at(*state, 16);
}

/* Training on the planted partition without features finds the blocks.
 * Knowing the blocks exactly ranks pairs with AUC ~0.96: a held-out edge
 * lies inside a block with probability 432/456 = 0.947, a non-edge with
 * 288/12264 = 0.023, and AUC = 0.947 * 0.977 + (ties) 0.5 * (0.947 * 0.023
 * + 0.053 * 0.977) = 0.96. Random scores give 0.5. We require 0.9, for
 * both models and both losses. */
static void planted_structure_is_learned(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    const vgae_dataset data = {.graph = g};
    const struct { vgae_graph_ae_kind kind; vgae_loss_kind loss; } cases[] = {
        {VGAE_MODEL_VGAE, VGAE_LOSS_FULL}, {VGAE_MODEL_GAE, VGAE_LOSS_FULL},
        {VGAE_MODEL_VGAE, VGAE_LOSS_SAMPLED}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        vgae_graph_ae_options o = vgae_graph_ae_defaults();
        o.kind = cases[c].kind;
        o.loss = cases[c].loss;
        o.epochs = 100;
        vgae_linkpred_result r;
        vgae_ctx_set_seed(ctx, 1);
        const vgae_linkpred_protocol protocol = {0.05, 0.15, 20};
        assert_int_equal(vgae_linkpred_run(ctx, &data, &o, &protocol, 0, NULL, NULL, &r, NULL), VGAE_OK);
        const vgae_set_figures *t = &r.figures.test;
        print_message("  model %d loss %d: test AUC %.4f AP %.4f Hits@20 %.4f MRR %.4f, val AUC %.4f\n",
                      (int)o.kind, (int)o.loss, t->auc, t->ap, t->hits[1], t->mrr, r.figures.val.auc);
        assert_true(t->auc > 0.9 && t->ap > 0.85);
        /* Hits@K and MRR are measured, in range (their values: test_metrics.c) */
        assert_true(t->hits[0] >= 0 && t->hits[0] <= t->hits[3] && t->hits[3] <= 1);
        assert_true(t->mrr > 1.0 / 21 && t->mrr <= 1);
        assert_int_equal(r.epochs, 100);
    }
    vgae_graph_free(g);
}

/* Trains on a split of g at 1 and at 2 threads from the same seed and
 * requires the same bits: the means after `epochs` epochs, the last loss,
 * the test AUC and AP, and (sampled loss) the last epoch's negatives. */
static void check_same_on_1_and_2_threads_labeled(vgae_ctx *ctx, const vgae_graph *g, vgae_labels *labels,
                                                  const vgae_graph_ae_options *options, int epochs,
                                                  uint64_t seed)
{
    float *first = NULL;
    int32_t *first_neg = NULL;
    double figures[2][3];
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        vgae_ctx_set_seed(ctx, seed);
        vgae_split *s = NULL;
        vgae_graph_ae *m = NULL;
        const vgae_graph_ae_options o = *options;
        vgae_elbo_terms t;
        vgae_link_figures f;
        const vgae_dataset data = {.graph = (vgae_graph *)g, .labels = labels};
        assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
        assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
        for (int e = 0; e < epochs; e++)
            assert_int_equal(vgae_graph_ae_train_epoch(ctx, m, &t), VGAE_OK);
        figures[threads - 1][2] = t.loss;
        assert_int_equal(vgae_graph_ae_evaluate(ctx, m, NULL, &f), VGAE_OK);
        figures[threads - 1][0] = f.test.auc;
        figures[threads - 1][1] = f.test.ap;
        size_t bytes = (size_t)vgae_mat_size(&m->mean) * sizeof(float);
        size_t neg_bytes = m->neg_buf ? (size_t)m->neg_used * 2 * sizeof(int32_t) : 0;
        if (threads == 1) {
            first = malloc(bytes);
            memcpy(first, m->mean.data, bytes);
            first_neg = malloc(neg_bytes + 1);
            if (neg_bytes)
                memcpy(first_neg, m->neg_buf, neg_bytes);
        } else {
            assert_memory_equal(first, m->mean.data, bytes);
            if (neg_bytes)
                assert_memory_equal(first_neg, m->neg_buf, neg_bytes);
        }
        vgae_graph_ae_free(m);
        vgae_split_free(s);
    }
    for (int k = 0; k < 3; k++)
        assert_true(figures[0][k] == figures[1][k]);
    free(first);
    free(first_neg);
    vgae_ctx_set_threads(ctx, 1);
}

static void check_same_on_1_and_2_threads(vgae_ctx *ctx, const vgae_graph *g,
                                          const vgae_graph_ae_options *options, int epochs, uint64_t seed)
{
    check_same_on_1_and_2_threads_labeled(ctx, g, NULL, options, epochs, seed);
}

/* The same seed gives the same embeddings (and so the same AUC and AP) at
 * 1 and 2 threads, through split, training and encoding. The sampled loss
 * runs on a generated graph large enough for several chunks of negatives
 * and several decoder parts. */
static void same_numbers_on_any_thread_count(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    check_same_on_1_and_2_threads(ctx, g, &o, 20, 9);
    vgae_graph_free(g);
    g = generated_graph(ctx, VGAE_GENERATE_SBM, 3000, 40000);
    o.loss = VGAE_LOSS_SAMPLED;
    check_same_on_1_and_2_threads(ctx, g, &o, 3, 4);
    /* the options of the tuned recipe (featureless) and a deep encoder
     * with every layer option: dropout, masks, the MLP decoder, norms */
    o.kind = VGAE_MODEL_GAE;
    o.layers = 1;
    o.latent = 32;
    o.dropout = 0.5;
    o.mask_rate = 0.5;
    o.structure_input = 1;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.negatives = 2;
    check_same_on_1_and_2_threads(ctx, g, &o, 3, 5);
    o.layers = 3;
    o.hops[0] = 2;
    o.propagation = VGAE_PROP_LIGHTGCN;
    o.norm = VGAE_NORM_BATCH;
    o.residual = 1;
    o.bias = 1;
    o.adversarial = 0.5;
    o.weight_decay = 1e-3;
    check_same_on_1_and_2_threads(ctx, g, &o, 3, 6);
    vgae_graph_free(g);
}

/* The term of pair (u, v) with target t, in double, its gradient times
 * scale added to grad (rows of z->cols) at both ends. */
static double direct_pair_term(const vgae_mat *z, int32_t u, int32_t v, double t, double scale,
                               double *grad)
{
    const int64_t d = z->cols;
    double x = 0, dx;
    for (int64_t c = 0; c < d; c++)
        x += (double)VGAE_MAT_AT(z, u, c) * VGAE_MAT_AT(z, v, c);
    double term = vgae_bernoulli_term(x, t, 1.0, &dx);
    for (int64_t c = 0; c < d; c++) {
        grad[u * d + c] += scale * dx * VGAE_MAT_AT(z, v, c);
        grad[v * d + c] += scale * dx * VGAE_MAT_AT(z, u, c);
    }
    return term;
}

/* The sampled loss against a direct double computation over the same
 * pairs, on a graph split into two parts (160 nodes): the loss of
 * every training edge once and of every negative once (three per edge,
 * each weighted 1/3), and the gradient of each at both ends. The negatives
 * are uniform non-edges, u != v. */
static void sampled_loss_matches_direct(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae *m = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.loss = VGAE_LOSS_SAMPLED;
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), VGAE_OK);
    const int64_t n_neg = 3 * g->n_edges;
    m->neg_buf = realloc(m->neg_buf, (size_t)n_neg * 2 * sizeof *m->neg_buf);
    m->neg_cap = n_neg;
    vgae_sampled_draw_negatives(ctx, m, n_neg);
    for (int64_t k = 0; k < n_neg; k++) {
        int32_t u = m->neg_buf[2 * k], v = m->neg_buf[2 * k + 1];
        assert_true(u >= 0 && u < g->n && v >= 0 && v < g->n && u != v);
        assert_false(vgae_graph_has_edge(g, u, v));
    }
    enum { D = 5 };
    vgae_mat z, dz;
    random_z(ctx, g->n, D, 5, &z, &dz);
    double nll, direct = 0;
    const double scale = 0.5;
    assert_int_equal(vgae_decoder_sampled(ctx, g, &z, m->neg_buf, n_neg, scale, 1.0 / 3, &dz, &nll), VGAE_OK);
    double *grad = calloc((size_t)g->n * D, sizeof *grad);
    for (int64_t k = 0; k < n_neg; k++)
        direct += direct_pair_term(&z, m->neg_buf[2 * k], m->neg_buf[2 * k + 1], 0.0, scale / 3, grad) / 3;
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
            if (g->adj[p] > u)
                direct += direct_pair_term(&z, u, g->adj[p], 1.0, scale, grad);
    /* float terms (the vectorized kernel), summed in double: each term is
     * within a few float ulps, so 1e-6 relative has a margin of ten */
    if (fabs(nll - direct) > 1e-6 * direct)
        fail_msg("sampled loss %.12g, direct %.12g", nll, direct);
    for (int64_t i = 0; i < (int64_t)g->n * D; i++)
        if (fabs(dz.data[i] - grad[i]) > 1e-5 * (1 + fabs(grad[i])))
            fail_msg("dz[%lld] = %g, direct %g", (long long)i, dz.data[i], grad[i]);
    /* without the gradient, the same loss */
    double nll2;
    assert_int_equal(vgae_decoder_sampled(ctx, g, &z, m->neg_buf, n_neg, scale, 1.0 / 3, NULL, &nll2), VGAE_OK);
    assert_true(nll2 == nll);
    free(grad);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&dz);
    vgae_graph_ae_free(m);
    vgae_graph_free(g);
}

/* Training without the loss (terms NULL) moves the weights exactly as with
 * it, and a diverged gradient is refused before Adam changes a weight. */
static void training_without_the_loss(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae *a = NULL, *b = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    vgae_elbo_terms t;
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &a), VGAE_OK);
    for (int e = 0; e < 3; e++)
        assert_int_equal(vgae_graph_ae_train_epoch(ctx, a, &t), VGAE_OK);
    vgae_ctx_set_seed(ctx, 5);
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &b), VGAE_OK);
    for (int e = 0; e < 3; e++)
        assert_int_equal(vgae_graph_ae_train_epoch(ctx, b, NULL), VGAE_OK);
    const vgae_mat *aw0 = &a->layers[0].w, *bw0 = &b->layers[0].w;
    assert_memory_equal(aw0->data, bw0->data, (size_t)vgae_mat_size(aw0) * sizeof(float));
    assert_memory_equal(a->layers[1].w.data, b->layers[1].w.data,
                        (size_t)vgae_mat_size(&a->layers[1].w) * sizeof(float));
    /* a NaN weight: the gradient is NaN, the epoch fails, nothing moves */
    b->layers[1].w.data[3] = NAN;
    float kept = bw0->data[0];
    assert_int_equal(vgae_graph_ae_train_epoch(ctx, b, NULL), VGAE_ERANGE);
    assert_non_null(strstr(vgae_ctx_message(ctx), "gradient is not finite at epoch 4"));
    assert_true(bw0->data[0] == kept);
    vgae_graph_ae_free(a);
    vgae_graph_ae_free(b);
    vgae_graph_free(g);
}

static void model_refuses_bad_input(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_graph_ae *m = NULL;
    vgae_csr *x = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    assert_int_equal(vgae_csr_new(ctx, 10, 3, 0, &x), VGAE_OK);
    assert_error_contains(ctx, vgae_graph_ae_on_graph(ctx, &o, g, x, &m), "10 rows for a graph of 160 nodes");
    o.hidden = 0;
    assert_error_contains(ctx, vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), "hidden (0)");
    o = vgae_graph_ae_defaults();
    o.lr = -1;
    assert_error_contains(ctx, vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), "lr > 0");
    assert_null(m);
    /* found in review: the sampled loss on a complete graph has no negatives to draw */
    static const int32_t k4[] = {0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3};
    vgae_graph *complete = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 4, 6, k4, 0, &complete), VGAE_OK);
    o = vgae_graph_ae_defaults();
    o.loss = VGAE_LOSS_SAMPLED;
    assert_error_contains(ctx, vgae_graph_ae_on_graph(ctx, &o, complete, NULL, &m), "the training graph is complete");
    vgae_graph_free(complete);
    vgae_csr_free(x);
    vgae_graph_free(g);
}

/* The same figures, bit for bit (NaN where the other has NaN). */
static int same_set(const vgae_set_figures *a, const vgae_set_figures *b, int n_k)
{
    int same = !memcmp(&a->auc, &b->auc, sizeof a->auc) && !memcmp(&a->ap, &b->ap, sizeof a->ap) &&
               !memcmp(&a->mrr, &b->mrr, sizeof a->mrr);
    return same && !memcmp(a->hits, b->hits, (size_t)n_k * sizeof a->hits[0]);
}

static int same_figures(const vgae_link_figures *a, const vgae_link_figures *b)
{
    return a->ks.n == b->ks.n && !memcmp(a->ks.k, b->ks.k, (size_t)a->ks.n * sizeof a->ks.k[0]) &&
           same_set(&a->val, &b->val, a->ks.n) && same_set(&a->test, &b->test, a->ks.n);
}

/* Saves m as m.vgae in a new folder (dir, a mkdtemp template, becomes its
 * name; path, 64 bytes, the file's) and reads the file back. */
static vgae_model_file *save_and_read(vgae_ctx *ctx, const vgae_graph_ae *m, char *dir, char *path)
{
    assert_non_null(mkdtemp(dir));
    snprintf(path, 64, "%s/m.vgae", dir);
    assert_int_equal(vgae_graph_ae_save(ctx, m, path), VGAE_OK);
    vgae_model_file *f = NULL;
    assert_int_equal(vgae_model_file_read(ctx, path, &f), VGAE_OK);
    return f;
}

/* save then read gives the same tensors (bit for bit), split and metadata,
 * and a model rebuilt from the file encodes exactly as the original. */
static void model_file_round_trip(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_split *s = NULL;
    vgae_graph_ae *m = NULL, *m2 = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.epochs = 5;
    vgae_linkpred_result r;
    vgae_ctx_set_seed(ctx, 4);
    /* the data's own graph file, for the model's record of its source */
    const vgae_dataset data = {.graph = g, .graph_path = (char *)data_path("planted.edges"),
                               .format = VGAE_FORMAT_EDGELIST};
    /* with hard negatives: the file keeps them, and the MRR they give */
    const vgae_linkpred_protocol protocol = {0.05, 0.1, 10};
    assert_int_equal(vgae_linkpred_split(ctx, g, &protocol, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
    /* the model has its own copy of the split */
    assert_true(vgae_graph_ae_split(m) != s);
    assert_int_equal(vgae_split_checksum(vgae_graph_ae_split(m)), vgae_split_checksum(s));
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &r), VGAE_OK);
    char dir[] = "/tmp/vgae-model-XXXXXX", path[64];
    vgae_model_file *f = save_and_read(ctx, m, dir, path);
    const vgae_params *params = &m->base.params;
    assert_int_equal(vgae_model_file_tensors(f), params->count);
    for (int p = 0; p < params->count; p++) {
        const vgae_mat *t = vgae_model_file_tensor(f, p);
        assert_string_equal(vgae_model_file_tensor_name(f, p), params->items[p].name);
        assert_int_equal(t->rows, params->items[p].value->rows);
        assert_int_equal(t->cols, params->items[p].value->cols);
        assert_memory_equal(t->data, params->items[p].value->data,
                            (size_t)vgae_mat_size(t) * sizeof(float));
    }
    assert_int_equal(vgae_split_checksum(vgae_model_file_split(f)), vgae_split_checksum(s));
    assert_string_equal(vgae_model_file_kind(f), "vgae");
    assert_string_equal(vgae_model_file_meta(f, "seed"), "4");
    assert_string_equal(vgae_model_file_meta(f, "source_format"), "edgelist");
    assert_true(vgae_model_file_meta(f, "source_graph")[0] == '/');
    assert_non_null(strstr(vgae_model_file_meta(f, "source_graph"), "planted.edges"));
    char hex[16];
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)vgae_graph_checksum(g));
    assert_string_equal(vgae_model_file_meta(f, "graph_checksum"), hex);
    /* where the data came from, as the file says it */
    vgae_dataset_source src;
    assert_int_equal(vgae_graph_ae_file_source(ctx, f, &src), VGAE_OK);
    assert_null(src.name);
    assert_int_equal(src.format, VGAE_FORMAT_EDGELIST);
    assert_non_null(strstr(src.graph_path, "planted.edges"));
    /* rebuilt from the file: the same embeddings and figures */
    assert_int_equal(vgae_graph_ae_from_file(ctx, f, &data, 0, &m2), VGAE_OK);
    vgae_link_figures r2, rep = vgae_graph_ae_reported(m2);
    assert_true(same_figures(&rep, &r.figures));
    assert_true(rep.ks.n == 4 && rep.ks.k[3] == 100 && rep.test.mrr > 0 && rep.val.hits[3] > 0);
    assert_int_equal(vgae_graph_ae_split(m2)->n_hard, 10);
    assert_memory_equal(vgae_graph_ae_split(m2)->test_hard, s->test_hard,
                        (size_t)(s->n_test * 10) * sizeof(vgae_pair));
    assert_int_equal(vgae_graph_ae_epoch(m2), 5);
    assert_int_equal(vgae_graph_ae_seed(m2), 4);
    assert_true(vgae_graph_ae_settings(m2)->lr == o.lr && vgae_graph_ae_settings(m2)->kind == o.kind);
    assert_int_equal(vgae_graph_ae_evaluate(ctx, m2, NULL, &r2), VGAE_OK);
    assert_int_equal(vgae_graph_ae_encode(ctx, m), VGAE_OK);
    assert_int_equal(vgae_graph_ae_encode(ctx, m2), VGAE_OK);
    assert_memory_equal(m->mean.data, m2->mean.data, (size_t)vgae_mat_size(&m->mean) * sizeof(float));
    assert_true(r2.test.auc == r.figures.test.auc && r2.test.ap == r.figures.test.ap &&
                r2.val.auc == r.figures.val.auc && r2.test.mrr == r.figures.test.mrr);
    /* the model file of the rebuilt model is the same file */
    char again[80];
    snprintf(again, sizeof again, "%s/again.vgae", dir);
    assert_int_equal(vgae_graph_ae_save(ctx, m2, again), VGAE_OK);
    vgae_model_file *f2 = NULL;
    assert_int_equal(vgae_model_file_read(ctx, again, &f2), VGAE_OK);
    assert_string_equal(vgae_model_file_meta_text(f2), vgae_model_file_meta_text(f));
    vgae_model_file_free(f2);
    unlink(again);
    /* found in review: a file rewritten with a valid CRC but a changed split,
     * absurd metadata numbers or an empty tensor is refused */
    char tampered[80];
    snprintf(tampered, sizeof tampered, "%s/t.vgae", dir);
    vgae_split *changed = NULL;
    assert_int_equal(vgae_split_copy(ctx, vgae_model_file_split(f), &changed), VGAE_OK);
    changed->train[0] = changed->test_pos[0];
    const char *meta = vgae_model_file_meta_text(f);
    assert_int_equal(vgae_model_file_write(ctx, tampered, meta, params, changed, 0), VGAE_OK);
    vgae_graph_ae *bad = NULL;
    assert_error_contains(ctx, vgae_graph_ae_load(ctx, tampered, &data, 0, &bad),
                          "its split does not match its split checksum");
    vgae_split_free(changed);
    const char *edits[][2] = {{"nodes 160", "nodes 4294967456"}, {"seed 4", "seed "},
                              {"hidden 32", "hidden 32x"}, {"lr 0.01", "lr nan"}, {"beta 1", "beta -1"}};
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        char text[8192];
        const char *at = strstr(meta, edits[k][0]);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - meta), meta, edits[k][1],
                 at + strlen(edits[k][0]));
        assert_int_equal(vgae_model_file_write(ctx, tampered, text, params, vgae_model_file_split(f), 0), VGAE_OK);
        assert_error_contains(ctx, vgae_graph_ae_load(ctx, tampered, &data, 0, &bad), "bad metadata");
        assert_non_null(strstr(vgae_ctx_message(ctx), "t.vgae: "));
    }
    vgae_params empty = {0};
    vgae_mat none = {0, 3, NULL};
    assert_int_equal(vgae_params_add(ctx, &empty, "gcn.w0", &none, &none), VGAE_OK);
    assert_int_equal(vgae_model_file_write(ctx, tampered, meta, &empty, vgae_model_file_split(f), 0), VGAE_OK);
    vgae_model_file *badf = NULL;
    assert_error_contains(ctx, vgae_model_file_read(ctx, tampered, &badf), "empty or absurd shape");
    vgae_params_destroy(&empty);
    /* a tensor the model described does not have (as a degree term would be
     * to a vgae without it): refused, not dropped */
    vgae_params more = {0};
    vgae_mat extra = {1, 1, (vgae_real[]){0.5f}};
    for (int p = 0; p < params->count; p++)
        assert_int_equal(vgae_params_add(ctx, &more, params->items[p].name, params->items[p].value,
                                         params->items[p].value), VGAE_OK);
    assert_int_equal(vgae_params_add(ctx, &more, "dec.unknown", &extra, &extra), VGAE_OK);
    assert_int_equal(vgae_model_file_write(ctx, tampered, meta, &more, vgae_model_file_split(f), 0), VGAE_OK);
    assert_error_contains(ctx, vgae_graph_ae_load(ctx, tampered, &data, 0, &bad),
                          "a part of the model this vgae does not build");
    vgae_params_destroy(&more);
    /* a key given twice */
    char twice[8192];
    snprintf(twice, sizeof twice, "%sseed 5\n", meta);
    assert_int_equal(vgae_model_file_write(ctx, tampered, twice, params, vgae_model_file_split(f), 0), VGAE_OK);
    assert_error_contains(ctx, vgae_model_file_read(ctx, tampered, &badf), "metadata key 'seed' given twice");
    assert_null(bad);
    assert_null(badf);
    /* a source too long for a model file does not stop training, only saving */
    char *long_path = malloc(1200);
    memset(long_path, 'x', 1199);
    long_path[0] = '/';
    long_path[1199] = '\0';
    const vgae_dataset far = {.graph = g, .graph_path = long_path};
    vgae_graph_ae *m3 = NULL;
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &far, s, &m3), VGAE_OK);
    char far_path[80];
    snprintf(far_path, sizeof far_path, "%s/far.vgae", dir);
    assert_error_contains(ctx, vgae_graph_ae_save(ctx, m3, far_path), "cannot record the data's source");
    assert_int_equal(access(far_path, F_OK), -1); /* nothing written */
    vgae_graph_ae_free(m3);
    free(long_path);
    unlink(tampered);
    unlink(path);
    rmdir(dir);
    vgae_graph_ae_free(m2);
    vgae_model_file_free(f);
    vgae_graph_ae_free(m);
    vgae_split_free(s);
    vgae_graph_free(g);
}

/* A model owns what it uses: the data and split it was made from may be
 * freed first (found in the review of issue 12: a model used to borrow its
 * training graph and features). Run under AddressSanitizer, a use after
 * free would fail here. */
static void model_outlives_its_data(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_dataset *data = NULL;
    vgae_dataset_source src = {.graph_path = data_path("datasets/tiny")};
    assert_int_equal(vgae_dataset_load(ctx, &src, NULL, &data), VGAE_OK);
    vgae_graph_free(data->graph);
    data->graph = planted_graph(ctx);
    /* features for the planted graph: its 16 blocks of 10 nodes, one-hot */
    vgae_csr_free(data->features);
    assert_int_equal(vgae_csr_new(ctx, 160, 16, 160, &data->features), VGAE_OK);
    for (int32_t i = 0; i < 160; i++) {
        data->features->rowptr[i + 1] = i + 1;
        data->features->col[i] = i / 10;
        data->features->val[i] = 1.0f;
    }
    vgae_split *s = NULL;
    vgae_graph_ae *m = NULL;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.epochs = 50;
    vgae_ctx_set_seed(ctx, 2);
    assert_int_equal(vgae_split_make(ctx, data->graph, 0.05, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, data, s, &m), VGAE_OK);
    assert_int_equal(vgae_graph_ae_features(m), 16);
    const uint32_t checksum = vgae_split_checksum(s);
    vgae_split_free(s);
    vgae_dataset_free(data);
    vgae_linkpred_result r;
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &r), VGAE_OK);
    print_message("  test AUC %.4f after %d epochs on the blocks as features\n", r.figures.test.auc, o.epochs);
    assert_true(r.figures.test.auc > 0.8); /* the features give the blocks away (see planted_structure_is_learned) */
    assert_int_equal(vgae_split_checksum(vgae_graph_ae_split(m)), checksum);
    vgae_mat emb = {0};
    assert_int_equal(vgae_graph_ae_embedding(ctx, m, NULL, &emb), VGAE_OK);
    assert_int_equal(emb.rows, 160);
    assert_int_equal(emb.cols, 16);
    /* a draw differs from the means; a GAE has none to draw */
    vgae_mat draw = {0};
    assert_int_equal(vgae_graph_ae_embedding(ctx, m, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), &draw), VGAE_OK);
    assert_true(memcmp(draw.data, emb.data, (size_t)vgae_mat_size(&emb) * sizeof(float)) != 0);
    vgae_pair p = {0, 1};
    double score;
    assert_int_equal(vgae_graph_ae_score_pairs(ctx, m, &p, 1, &score), VGAE_OK);
    double x = 0;
    for (int c = 0; c < 16; c++)
        x += (double)emb.data[c] * emb.data[16 + c];
    assert_true(score == 1.0 / (1.0 + exp(-x)));
    p.v = 160;
    assert_error_contains(ctx, vgae_graph_ae_score_pairs(ctx, m, &p, 1, &score), "not of the model's 160 nodes");
    vgae_mat_destroy(&emb);
    vgae_mat_destroy(&draw);
    vgae_graph_ae_free(m);
}

/* Model selection keeps the weights of the best validation figure it saw,
 * early stopping ends training after `patience` checks without a better
 * one, and neither looks at the test pairs: splits that differ in their
 * test pairs alone give the same weights. */
typedef struct {
    double best;
    int calls;
} val_watch;

static void watch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                  double seconds)
{
    val_watch *w = user;
    (void)epoch, (void)t, (void)val_ap, (void)seconds;
    w->best = val_auc > w->best ? val_auc : w->best;
    w->calls++;
}

static void model_selection(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    const vgae_dataset data = {.graph = g};
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.epochs = 60;
    o.lr = 0.05; /* large steps: the validation AUC moves up and down */
    o.val_every = 5;
    vgae_split *s = NULL, *other = NULL;
    vgae_graph_ae *m = NULL, *m2 = NULL;
    vgae_linkpred_result r, r2;
    vgae_ctx_set_seed(ctx, 8);
    assert_int_equal(vgae_split_make(ctx, g, 0.1, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
    /* progress every 5 epochs sees every check's validation AUC */
    val_watch w = {-1, 0};
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 5, watch, &w, &r), VGAE_OK);
    assert_int_equal(w.calls, 12 + 1); /* epoch 1, then every 5 */
    assert_true(r.best_epoch >= 5 && r.best_epoch <= 60 && r.best_epoch % 5 == 0);
    assert_true(r.figures.val.auc == w.best);
    assert_int_equal(vgae_graph_ae_epoch(m), 60);
    /* the same seed on a split with other test negatives: the same weights */
    assert_int_equal(vgae_split_copy(ctx, s, &other), VGAE_OK);
    for (int64_t k = 0; k < other->n_test; k++)
        other->test_neg[k] = other->test_neg[(k + 1) % other->n_test];
    vgae_ctx_set_seed(ctx, 8);
    vgae_split *unused = NULL;
    assert_int_equal(vgae_split_make(ctx, g, 0.1, 0.1, &unused), VGAE_OK); /* the same draws as above */
    vgae_split_free(unused);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, other, &m2), VGAE_OK);
    assert_int_equal(vgae_graph_ae_fit(ctx, m2, 0, NULL, NULL, &r2), VGAE_OK);
    assert_int_equal(r2.best_epoch, r.best_epoch);
    assert_memory_equal(m->layers[0].w.data, m2->layers[0].w.data,
                        (size_t)vgae_mat_size(&m->layers[0].w) * sizeof(float));
    assert_true(r2.figures.val.auc == r.figures.val.auc);
    vgae_graph_ae_free(m2);
    /* patience 2: stops two checks after the best */
    o.patience = 2;
    vgae_ctx_set_seed(ctx, 8);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m2), VGAE_OK);
    assert_int_equal(vgae_graph_ae_fit(ctx, m2, 0, NULL, NULL, &r2), VGAE_OK);
    assert_true(r2.epochs <= 60 && r2.epochs % 5 == 0);
    assert_true(r2.epochs == 60 || r2.epochs == r2.best_epoch + 2 * 5);
    print_message("  best epoch %d of 60; with patience 2, stopped at %d (best %d)\n", r.best_epoch,
                  r2.epochs, r2.best_epoch);
    /* MRR needs hard negatives */
    o.select = VGAE_SELECT_MRR;
    vgae_graph_ae_free(m2);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m2), VGAE_OK);
    assert_error_contains(ctx, vgae_graph_ae_fit(ctx, m2, 0, NULL, NULL, &r2), "needs hard negatives");
    vgae_graph_ae_free(m2);
    vgae_graph_ae_free(m);
    vgae_split_free(other);
    vgae_split_free(s);
    vgae_graph_free(g);
}

/* With the structure input, a node without training edges encodes to 0
 * (a linear encoder without bias), whatever its weights. */
static void structure_input_isolated_node(void **state)
{
    vgae_ctx *ctx = *state;
    static const int32_t pairs[] = {0, 1, 1, 2, 2, 3, 3, 0, 0, 2}; /* node 4 has no edge */
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, 5, 5, pairs, 0, &g), VGAE_OK);
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.layers = 1;
    o.latent = 4;
    o.structure_input = 1;
    vgae_graph_ae *m = NULL;
    assert_int_equal(vgae_graph_ae_on_graph(ctx, &o, g, NULL, &m), VGAE_OK);
    vgae_elbo_terms t;
    for (int e = 0; e < 3; e++)
        assert_int_equal(vgae_graph_ae_train_epoch(ctx, m, &t), VGAE_OK);
    assert_int_equal(vgae_graph_ae_encode(ctx, m), VGAE_OK);
    for (int c = 0; c < 4; c++) {
        assert_true(VGAE_MAT_AT(&m->mean, 4, c) == 0);
        assert_true(VGAE_MAT_AT(&m->mean, 0, c) != 0);
    }
    vgae_graph_ae_free(m);
    vgae_graph_free(g);
}

/* A model of the new options: its file is format version 2 and rebuilds
 * the same model (the same embeddings and figures). */
static void general_model_file_round_trip(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    const vgae_dataset data = {.graph = g};
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.kind = VGAE_MODEL_GAE;
    o.loss = VGAE_LOSS_SAMPLED;
    o.layers = 3;
    o.hops[1] = 0;
    o.bias = 1;
    o.norm = VGAE_NORM_LAYER;
    o.residual = 1;
    o.l2_scale = 1.5;
    o.l2_learn = 1;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.degree_term = 1;
    o.encoder_decay = 0.0009765625; /* 2^-10: printed and read back exactly */
    o.kl.anneal = VGAE_KL_LINEAR;   /* recorded, though a GAE has no KL to weigh */
    o.kl.warmup = 3.5;
    o.kl.capacity = 0.25;
    o.kl.gamma = 8;
    o.structure_input = 1;
    o.features = 0;
    o.epochs = 5;
    vgae_split *s = NULL;
    vgae_graph_ae *m = NULL, *m2 = NULL;
    vgae_linkpred_result r;
    vgae_ctx_set_seed(ctx, 12);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &r), VGAE_OK);
    char dir[] = "/tmp/vgae-general-XXXXXX", path[64];
    vgae_model_file *f = save_and_read(ctx, m, dir, path);
    assert_int_equal(vgae_model_file_version(f), 3); /* the degree term */
    assert_string_equal(vgae_model_file_meta(f, "hops"), "1,0,1");
    assert_string_equal(vgae_model_file_meta(f, "decoder"), "hadamard");
    assert_int_equal(vgae_graph_ae_from_file(ctx, f, &data, 0, &m2), VGAE_OK);
    const vgae_graph_ae_options *o2 = vgae_graph_ae_settings(m2);
    assert_true(o2->layers == 3 && o2->hops[1] == 0 && o2->norm == VGAE_NORM_LAYER &&
                o2->l2_learn && o2->structure_input && o2->decoder == VGAE_DECODER_HADAMARD &&
                o2->degree_term && o2->encoder_decay == 0.0009765625);
    assert_true(o2->kl.anneal == VGAE_KL_LINEAR && o2->kl.warmup == 3.5 && o2->kl.capacity == 0.25 &&
                o2->kl.gamma == 8 && o2->kl.cycles == 4);
    vgae_link_figures f2;
    assert_int_equal(vgae_graph_ae_evaluate(ctx, m2, NULL, &f2), VGAE_OK);
    assert_true(f2.test.auc == r.figures.test.auc && f2.val.ap == r.figures.val.ap);
    vgae_pair p = {3, 7};
    double a, b;
    assert_int_equal(vgae_graph_ae_score_pairs(ctx, m, &p, 1, &a), VGAE_OK);
    assert_int_equal(vgae_graph_ae_score_pairs(ctx, m2, &p, 1, &b), VGAE_OK);
    assert_true(a == b);
    vgae_model_file_free(f);
    unlink(path);
    rmdir(dir);
    vgae_graph_ae_free(m2);
    vgae_graph_ae_free(m);
    vgae_split_free(s);
    vgae_graph_free(g);
}

/* The planted graph's blocks as node labels (16 classes), the last node's unknown. */
static vgae_labels *planted_labels(void)
{
    vgae_labels *l = malloc(sizeof *l);
    l->n = 160;
    l->y = malloc(160 * sizeof *l->y);
    for (int32_t i = 0; i < 160; i++)
        l->y[i] = i < 159 ? i / 10 : -1;
    l->n_classes = 16;
    l->n_unlabelled = 1;
    return l;
}

/* A VGAE conditioned on node labels: the same bits on 1 and 2 threads
 * (full and sampled losses, the MLP decoder with masks); on the planted
 * graph whose blocks are the labels, the learned label codes of a block
 * agree with themselves more than with the other blocks' (the mean of
 * e_a . e_a exceeds the mean of e_a . e_b); the file (version 6) records
 * the conditioning and its labels and brings back the same scores; other
 * labels, no labels and data without labels are refused. */
static void conditional_model(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = planted_graph(ctx);
    vgae_labels *labels = planted_labels();
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.condition = VGAE_CONDITION_LABELS;
    check_same_on_1_and_2_threads_labeled(ctx, g, labels, &o, 20, 9);
    o.loss = VGAE_LOSS_SAMPLED;
    o.decoder = VGAE_DECODER_HADAMARD;
    o.mask_rate = 0.5;
    o.structure_input = 1;
    check_same_on_1_and_2_threads_labeled(ctx, g, labels, &o, 5, 4);

    o = vgae_graph_ae_defaults();
    o.condition = VGAE_CONDITION_LABELS;
    o.epochs = 100;
    vgae_dataset data = {.graph = g, .labels = labels};
    vgae_split *s = NULL;
    vgae_graph_ae *m = NULL, *m2 = NULL, *bad = NULL;
    vgae_linkpred_result r;
    vgae_ctx_set_seed(ctx, 12);
    assert_int_equal(vgae_split_make(ctx, g, 0.05, 0.1, &s), VGAE_OK);
    assert_int_equal(vgae_graph_ae_new(ctx, &o, &data, s, &m), VGAE_OK);
    assert_int_equal(vgae_graph_ae_settings(m)->classes, 16);
    assert_int_equal(vgae_graph_ae_fit(ctx, m, 0, NULL, NULL, &r), VGAE_OK);
    print_message("conditioned on the blocks: test AUC %.4f AP %.4f\n", r.figures.test.auc, r.figures.test.ap);
    double same = 0, other = 0;
    for (int a = 0; a < 16; a++)
        for (int b = 0; b < 16; b++) {
            double dot = 0;
            for (int c = 0; c < 16; c++)
                dot += (double)VGAE_MAT_AT(&m->label_code, a, c) * VGAE_MAT_AT(&m->label_code, b, c);
            if (a == b)
                same += dot / 16;
            else
                other += dot / (16 * 15);
        }
    print_message("label codes: mean e_a.e_a %.3f, mean e_a.e_b %.3f\n", same, other);
    assert_true(same > other + 0.1);
    char dir[] = "/tmp/vgae-cond-XXXXXX", path[64];
    vgae_model_file *f = save_and_read(ctx, m, dir, path);
    assert_int_equal(vgae_model_file_version(f), 6);
    assert_string_equal(vgae_model_file_meta(f, "condition"), "labels");
    assert_string_equal(vgae_model_file_meta(f, "classes"), "16");
    assert_int_equal(vgae_graph_ae_from_file(ctx, f, &data, 0, &m2), VGAE_OK);
    vgae_pair p[2] = {{3, 7}, {3, 57}};
    double a[2], b[2];
    assert_int_equal(vgae_graph_ae_score_pairs(ctx, m, p, 2, a), VGAE_OK);
    assert_int_equal(vgae_graph_ae_score_pairs(ctx, m2, p, 2, b), VGAE_OK);
    assert_true(a[0] == b[0] && a[1] == b[1] && a[0] > a[1]);
    /* other labels, none, and a model asked to condition on data without them */
    labels->y[5] = 3;
    assert_error_contains(ctx, vgae_graph_ae_from_file(ctx, f, &data, 0, &bad), "trained on other labels");
    labels->y[5] = 0;
    data.labels = NULL;
    assert_error_contains(ctx, vgae_graph_ae_from_file(ctx, f, &data, 0, &bad), "the data has none");
    assert_error_contains(ctx, vgae_graph_ae_new(ctx, &o, &data, s, &bad), "needs the nodes' labels");
    assert_null(bad);
    vgae_model_file_free(f);
    unlink(path);
    rmdir(dir);
    vgae_graph_ae_free(m2);
    vgae_graph_ae_free(m);
    vgae_split_free(s);
    free(labels->y);
    free(labels);
    vgae_graph_free(g);
}

/* The first version's model files load and reproduce the figures they
 * recorded (tests/data/v010-planted.vgae: vgae 0.1.0, planted.edges, 40
 * epochs). AUC and AP depend on the order of the scores alone, so the few
 * last bits the BLAS kernels may change do not move them. */
/* The automatic count of hard negatives per held-out edge: 500, at most
 * N / 4 and 5,000,000 in all, none below 2, none over 100,000 held-out
 * edges; a count given is used as given. */
static void hard_negative_counts(void **state)
{
    (void)state;
    vgae_linkpred_protocol p = vgae_linkpred_protocol_defaults();
    assert_int_equal(vgae_linkpred_hard_count(&p, 2708, 793), 500);      /* Cora */
    assert_int_equal(vgae_linkpred_hard_count(&p, 34, 11), 8);           /* karate: N / 4 */
    assert_int_equal(vgae_linkpred_hard_count(&p, 7, 2), 0);             /* N / 4 = 1: none */
    assert_int_equal(vgae_linkpred_hard_count(&p, 34546, 63000), 79);    /* 5,000,000 / held */
    assert_int_equal(vgae_linkpred_hard_count(&p, 1000000, 100000), 50);
    assert_int_equal(vgae_linkpred_hard_count(&p, 1000000, 100001), 0);  /* over the limit */
    assert_int_equal(vgae_linkpred_hard_count(&p, 1000000, 1500000), 0);
    p.hard_negatives = 3;
    assert_int_equal(vgae_linkpred_hard_count(&p, 1000000, 1500000), 3);
}

static void reads_the_first_versions_files(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_dataset data = {0};
    vgae_graph_ae *m = NULL;
    assert_int_equal(vgae_graph_read(ctx, data_path("planted.edges"), VGAE_FORMAT_AUTO, &data.graph), VGAE_OK);
    assert_int_equal(vgae_graph_ae_load(ctx, data_path("v010-planted.vgae"), &data, 0, &m), VGAE_OK);
    vgae_link_figures f, rep = vgae_graph_ae_reported(m);
    assert_int_equal(vgae_graph_ae_evaluate(ctx, m, NULL, &f), VGAE_OK);
    assert_true(rep.test.auc == 0.87003780718336488 && rep.val.ap == 0.69071462296581509);
    assert_true(f.test.auc == rep.test.auc && f.test.ap == rep.test.ap);
    assert_true(f.val.auc == rep.val.auc && f.val.ap == rep.val.ap);
    assert_int_equal(vgae_graph_ae_epoch(m), 40);
    vgae_graph_ae_free(m);
    vgae_graph_free(data.graph);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(split_invariants, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(split_on_cora, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(split_refuses_small_graphs, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(float_full_loss_matches_double, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(planted_structure_is_learned, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(same_numbers_on_any_thread_count, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(sampled_loss_matches_direct, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(training_without_the_loss, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(model_refuses_bad_input, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(model_file_round_trip, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(model_outlives_its_data, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_the_first_versions_files, setup_ctx, teardown_ctx),
        cmocka_unit_test(hard_negative_counts),
        cmocka_unit_test_setup_teardown(model_selection, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(structure_input_isolated_node, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(conditional_model, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(general_model_file_round_trip, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
