/* Unit tests of the float core: RNG streams, GEMM, KL, likelihoods, Adam, dropout, determinism. */
#include <math.h>

#include "testutil.h"
#include "nn/internal.h"
#include "nn/kernels.h"
#include "tiny_vae.h"

/* ---- RNG ---- */

/* The published known-answer vectors of Philox4x32-10 (Random123's kat_vectors). */
static void philox_known_answers(void **state)
{
    (void)state;
    static const uint32_t cases[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int k = 0; k < 3; k++) {
        uint32_t out[4];
        vgae_philox4x32_10(cases[k], cases[k] + 4, out);
        for (int i = 0; i < 4; i++)
            assert_int_equal(out[i], cases[k][6 + i]);
    }
}

static void rng_same_seed_reproduces(void **state)
{
    (void)state;
    vgae_rng a, b, c;
    vgae_rng_init(&a, 42, VGAE_STREAM_NOISE);
    vgae_rng_init(&b, 42, VGAE_STREAM_NOISE);
    vgae_rng_init(&c, 43, VGAE_STREAM_NOISE);
    int same_as_other_seed = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t x = vgae_rng_u32(&a);
        assert_int_equal(x, vgae_rng_u32(&b));
        same_as_other_seed += x == vgae_rng_u32(&c);
    }
    assert_true(same_as_other_seed < 3); /* 1000 draws agree by chance ~1000 / 2^32 times */
    /* a copied stream replays; a sub-stream restarts and differs */
    vgae_rng copy = a;
    double x1 = vgae_rng_normal(&a);
    assert_true(x1 == vgae_rng_normal(&copy));
    vgae_rng s3, s3b;
    vgae_rng_init(&s3, 42, VGAE_STREAM_NOISE);
    vgae_rng_substream(&s3, 3);
    s3b = s3;
    vgae_rng_init(&b, 42, VGAE_STREAM_NOISE);
    uint32_t first = vgae_rng_u32(&s3);
    assert_int_equal(first, vgae_rng_u32(&s3b));
    assert_int_not_equal(first, vgae_rng_u32(&b));
    assert_string_equal(vgae_stream_name(VGAE_STREAM_NEGATIVES), "negatives");
    assert_string_equal(vgae_stream_name(99), "other");
}

/* Drawing from one named stream of the context never shifts another. */
static void rng_streams_do_not_shift_each_other(void **state)
{
    vgae_ctx *ctx = *state, *other = vgae_ctx_new();
    vgae_ctx_set_seed(ctx, 7);
    vgae_ctx_set_seed(other, 7);
    assert_int_equal(vgae_ctx_seed(other), 7);
    for (int i = 0; i < 5000; i++) /* only `other` uses its init and split streams */
        vgae_rng_u32(vgae_ctx_rng(other, VGAE_STREAM_INIT));
    float buf[100];
    vgae_rng_normal_fill_f(vgae_ctx_rng(other, VGAE_STREAM_SPLIT), buf, 100, 1);
    for (int i = 0; i < 1000; i++)
        assert_true(vgae_rng_normal(vgae_ctx_rng(ctx, VGAE_STREAM_NOISE)) ==
                    vgae_rng_normal(vgae_ctx_rng(other, VGAE_STREAM_NOISE)));
    /* resetting the seed restarts every stream */
    vgae_ctx_set_seed(ctx, 7);
    vgae_rng fresh;
    vgae_rng_init(&fresh, 7, VGAE_STREAM_NOISE);
    assert_int_equal(vgae_rng_u32(vgae_ctx_rng(ctx, VGAE_STREAM_NOISE)), vgae_rng_u32(&fresh));
    /* an id outside the enum does not hand out (and move) a named stream */
    vgae_rng_u32(vgae_ctx_rng(ctx, (vgae_stream)42));
    vgae_rng_init(&fresh, 7, VGAE_STREAM_INIT);
    assert_int_equal(vgae_rng_u32(vgae_ctx_rng(ctx, VGAE_STREAM_INIT)), vgae_rng_u32(&fresh));
    vgae_ctx_free(other);
}

/* Streams are statistically independent: the sample correlation of n
 * pairs of independent normals is ~N(0, 1/n); we allow 5 / sqrt(n). */
static void rng_streams_uncorrelated(void **state)
{
    (void)state;
    enum { N = 200000 };
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (uint32_t s = 0; s + 1 < VGAE_STREAM_COUNT; s++) {
        vgae_rng ra, rb;
        vgae_rng_init(&ra, 2024, s);
        vgae_rng_init(&rb, 2024, s + 1);
        vgae_rng_normal_fill_d(&ra, a, N, 1);
        vgae_rng_normal_fill_d(&rb, b, N, 1);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < N; i++) {
            sab += a[i] * b[i];
            saa += a[i] * a[i];
            sbb += b[i] * b[i];
        }
        double r = sab / sqrt(saa * sbb);
        if (fabs(r) > 5 / sqrt((double)N))
            fail_msg("streams %u and %u correlate: r = %g", s, s + 1, r);
    }
    /* neighbouring seeds (runs seed..seed+K-1) too */
    vgae_rng ra, rb;
    vgae_rng_init(&ra, 0, VGAE_STREAM_INIT);
    vgae_rng_init(&rb, 1, VGAE_STREAM_INIT);
    vgae_rng_normal_fill_d(&ra, a, N, 1);
    vgae_rng_normal_fill_d(&rb, b, N, 1);
    double sab = 0;
    for (int i = 0; i < N; i++)
        sab += a[i] * b[i];
    assert_true(fabs(sab / N) < 5 / sqrt((double)N));
    free(a);
    free(b);
}

/* Mean, variance and P(|x| < 1) of n standard normals, each within 5
 * standard errors: sd(mean) = 1/sqrt(n), sd(variance) = sqrt(2/n),
 * sd(fraction) = sqrt(p (1-p) / n) with p = 0.682689. */
static void check_normal_sample(const double *x, int64_t n)
{
    double sum = 0, sq = 0, inside = 0;
    for (int64_t i = 0; i < n; i++) {
        sum += x[i];
        inside += fabs(x[i]) < 1;
    }
    double mean = sum / n;
    for (int64_t i = 0; i < n; i++)
        sq += (x[i] - mean) * (x[i] - mean);
    double var = sq / (n - 1), p = 0.6826894921370859;
    if (fabs(mean) > 5 / sqrt((double)n) || fabs(var - 1) > 5 * sqrt(2.0 / n) ||
        fabs(inside / n - p) > 5 * sqrt(p * (1 - p) / n))
        fail_msg("normal sample of %lld: mean %g, variance %g, P(|x|<1) %g", (long long)n, mean,
                 var, inside / n);
}

static void rng_normal_statistics(void **state)
{
    (void)state;
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    vgae_rng r;
    vgae_rng_init(&r, 11, VGAE_STREAM_NOISE);
    vgae_rng_normal_fill_d(&r, x, N, 1);
    check_normal_sample(x, N);
    for (int i = 0; i < N / 4; i++) /* the one-at-a-time path */
        x[i] = vgae_rng_normal(&r);
    check_normal_sample(x, N / 4);
    free(x);
}

/* The float fill (vectorized Box-Muller in float): the same checks, the
 * tail P(|x| > 3) = 0.0026998 within 5 standard errors, and the bound
 * 5.77 it documents; and the same values on 1 and 2 threads. */
static void rng_normal_float_statistics(void **state)
{
    (void)state;
    enum { N = 1000000 };
    float *f = malloc(N * sizeof *f), *g = malloc(N * sizeof *g);
    double *x = malloc(N * sizeof *x);
    vgae_rng r, r2;
    vgae_rng_init(&r, 12, VGAE_STREAM_NOISE);
    r2 = r;
    vgae_rng_normal_fill_f(&r, f, N, 1);
    vgae_rng_normal_fill_f(&r2, g, N, 2);
    assert_memory_equal(f, g, N * sizeof *f);
    double tail = 0, biggest = 0, p = 0.0026997960632601866;
    for (int i = 0; i < N; i++) {
        x[i] = f[i];
        tail += fabs(x[i]) > 3;
        biggest = fmax(biggest, fabs(x[i]));
    }
    check_normal_sample(x, N);
    if (fabs(tail / N - p) > 5 * sqrt(p * (1 - p) / N))
        fail_msg("P(|x| > 3) = %g, expected %g", tail / N, p);
    assert_true(biggest <= 5.78 && biggest > 4.5);
    /* the two values of a pair are independent: each quadrant of the plane
     * holds a quarter of the pairs (sd sqrt(3/16 / pairs)) */
    double quadrant[4] = {0};
    for (int k = 0; k < N / 2; k++)
        quadrant[(f[2 * k] > 0) * 2 + (f[2 * k + 1] > 0)]++;
    for (int q = 0; q < 4; q++)
        if (fabs(quadrant[q] / (N / 2) - 0.25) > 5 * sqrt(3.0 / 16 / (N / 2)))
            fail_msg("quadrant %d holds %g of the pairs", q, quadrant[q] / (N / 2));
    /* an odd count fills exactly n values and the stream moves on by whole blocks */
    vgae_rng_init(&r, 12, VGAE_STREAM_NOISE);
    f[7] = 1234.5f;
    vgae_rng_normal_fill_f(&r, f, 7, 1);
    assert_true(f[7] == 1234.5f);
    assert_true(f[0] == g[0] && f[6] == g[6]);
    free(f);
    free(g);
    free(x);
}

static void rng_uniform_statistics(void **state)
{
    (void)state;
    enum { N = 700000 };
    vgae_rng r;
    vgae_rng_init(&r, 12, VGAE_STREAM_SHUFFLE);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        double u = vgae_rng_uniform(&r);
        assert_true(u >= 0 && u < 1);
        sum += u;
    }
    /* sd of the mean of uniforms: sqrt(1/12 / n) */
    assert_true(fabs(sum / N - 0.5) < 5 * sqrt(1.0 / 12 / N));
    /* below(7): chi-square with 6 degrees of freedom below its 1 - 1e-6 quantile, 38.26 */
    int64_t counts[7] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t k = vgae_rng_below(&r, 7);
        assert_true(k < 7);
        counts[k]++;
    }
    double chi2 = 0, expect = N / 7.0;
    for (int k = 0; k < 7; k++)
        chi2 += (counts[k] - expect) * (counts[k] - expect) / expect;
    if (chi2 > 38.26)
        fail_msg("below(7) is not uniform: chi-square %g", chi2);
    assert_int_equal(vgae_rng_below(&r, 1), 0);
    /* a permutation holds each index once */
    int64_t perm[1000];
    char seen[1000] = {0};
    vgae_rng_permutation(&r, perm, 1000);
    int moved = 0;
    for (int i = 0; i < 1000; i++) {
        assert_true(perm[i] >= 0 && perm[i] < 1000 && !seen[perm[i]]);
        seen[perm[i]] = 1;
        moved += perm[i] != i;
    }
    assert_true(moved > 900);
}

/* Bulk draws give the same numbers on 1 and 2 threads, and leave the
 * stream at the same place. */
static void rng_fill_independent_of_threads(void **state)
{
    (void)state;
    enum { N = 100001 };
    float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    vgae_rng ra, rb;
    vgae_rng_init(&ra, 5, VGAE_STREAM_NOISE);
    vgae_rng_init(&rb, 5, VGAE_STREAM_NOISE);
    vgae_rng_u32(&ra); /* a partly used block is skipped by both */
    vgae_rng_u32(&rb);
    vgae_rng_normal_fill_f(&ra, a, N, 1);
    vgae_rng_normal_fill_f(&rb, b, N, 2);
    assert_memory_equal(a, b, N * sizeof *a);
    vgae_rng_uniform_fill_f(&ra, a, N, -2, 3, 1);
    vgae_rng_uniform_fill_f(&rb, b, N, -2, 3, 2);
    assert_memory_equal(a, b, N * sizeof *a);
    for (int i = 0; i < N; i++)
        assert_true(a[i] >= -2 && a[i] <= 3);
    assert_int_equal(vgae_rng_u32(&ra), vgae_rng_u32(&rb));
    free(a);
    free(b);
}

/* A window of a fill: the same values as those of the whole fill, at odd
 * and even starts, across the float fill's parts of 256 blocks, on 1 and 2
 * threads; the stream goes on after the whole fill either way. */
static void rng_fill_window_is_a_slice(void **state)
{
    (void)state;
    enum { N = 20011 };
    float *whole = malloc(N * sizeof *whole), *part = malloc(N * sizeof *part);
    double *whole_d = malloc(N * sizeof *whole_d), *part_d = malloc(N * sizeof *part_d);
    const int64_t windows[][2] = {{0, N}, {1, 10}, {511, 3}, {512, 1}, {7, 9000}, {N - 1, 1}, {9999, N - 9999}};
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        const int64_t first = windows[w][0], n = windows[w][1];
        for (int threads = 1; threads <= 2; threads++) {
            vgae_rng ra, rb;
            vgae_rng_init(&ra, 8, VGAE_STREAM_NOISE);
            vgae_rng_init(&rb, 8, VGAE_STREAM_NOISE);
            vgae_rng_normal_fill_f(&ra, whole, N, 1);
            vgae_rng_set_window(&rb, first, N);
            vgae_rng_normal_fill_f(&rb, part, n, threads);
            assert_memory_equal(part, whole + first, (size_t)n * sizeof *part);
            assert_int_equal(vgae_rng_u32(&ra), vgae_rng_u32(&rb));
            vgae_rng_normal_fill_d(&ra, whole_d, N, 1);
            vgae_rng_set_window(&rb, first, N);
            vgae_rng_normal_fill_d(&rb, part_d, n, threads);
            assert_memory_equal(part_d, whole_d + first, (size_t)n * sizeof *part_d);
            vgae_rng_uniform_fill_f(&ra, whole, N, -1, 1, 1); /* the uniform fills: Glorot's weights */
            vgae_rng_set_window(&rb, first, N);
            vgae_rng_uniform_fill_f(&rb, part, n, -1, 1, threads);
            assert_memory_equal(part, whole + first, (size_t)n * sizeof *part);
            /* the window is used up: the next fill is whole again */
            vgae_rng_normal_fill_f(&ra, whole, 5, 1);
            vgae_rng_normal_fill_f(&rb, part, 5, 1);
            assert_memory_equal(part, whole, 5 * sizeof *part);
        }
    }
    free(whole);
    free(part);
    free(whole_d);
    free(part_d);
}

/* ---- dense matrices ---- */
static void gemm_small_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat a, b, c, ct;
    vgae_mat_init(ctx, &a, 2, 3);
    vgae_mat_init(ctx, &b, 3, 2);
    vgae_mat_init(ctx, &c, 2, 2);
    vgae_mat_init(ctx, &ct, 3, 3);
    const float av[6] = {1, 2, 3, 4, 5, 6}, bv[6] = {7, 8, 9, 10, 11, 12};
    memcpy(a.data, av, sizeof av);
    memcpy(b.data, bv, sizeof bv);
    /* [1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154] */
    c.data[0] = 1000; /* beta 0 overwrites */
    assert_int_equal(vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1, &a, &b, 0, &c), VGAE_OK);
    const float want[4] = {58, 64, 139, 154};
    assert_memory_equal(c.data, want, sizeof want);
    /* alpha and beta: C = 2 A B - C */
    assert_int_equal(vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 2, &a, &b, -1, &c), VGAE_OK);
    for (int i = 0; i < 4; i++)
        assert_true(c.data[i] == want[i]);
    /* A^T B^T (3 x 3): element (0,0) = 1*7 + 4*8 = 39, (2,1) = 3*9 + 6*10 = 87 */
    assert_int_equal(vgae_gemm(ctx, VGAE_TRANS, VGAE_TRANS, 1, &a, &b, 0, &ct), VGAE_OK);
    assert_true(VGAE_MAT_AT(&ct, 0, 0) == 39 && VGAE_MAT_AT(&ct, 2, 1) == 87);
    assert_error_contains(ctx, vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1, &a, &a, 0, &c),
                          "gemm: op(A) is 2 x 3, op(B) 2 x 3");
    vgae_mat_destroy(&a);
    vgae_mat_destroy(&b);
    vgae_mat_destroy(&c);
    vgae_mat_destroy(&ct);
    vgae_mat_destroy(NULL);
    assert_int_equal(vgae_mat_init(ctx, &a, -1, 3), VGAE_EINVAL);
}

/* Products large enough to be split into blocks, by rows (tall C) and by
 * columns (wide C), with every transpose: each element within the float
 * summation bound k 2^-24 sum_l |a_il b_lj| of a double reference, and the
 * same bits on 1 and 2 threads. */
static void gemm_blocks_match_reference(void **state)
{
    vgae_ctx *ctx = *state;
    const int64_t shapes[2][3] = {{700, 90, 300}, {90, 700, 300}};
    for (int s = 0; s < 2; s++)
        for (int ta = 0; ta <= 1; ta++)
            for (int tb = 0; tb <= 1; tb++) {
                const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                vgae_mat a, b, c1, c2;
                vgae_mat_init(ctx, &a, ta ? k : m, ta ? m : k);
                vgae_mat_init(ctx, &b, tb ? n : k, tb ? k : n);
                vgae_mat_init(ctx, &c1, m, n);
                vgae_mat_init(ctx, &c2, m, n);
                vgae_rng r;
                vgae_rng_init(&r, 3, 0);
                vgae_rng_normal_fill_f(&r, a.data, vgae_mat_size(&a), 1);
                vgae_rng_normal_fill_f(&r, b.data, vgae_mat_size(&b), 1);
                vgae_ctx_set_threads(ctx, 1);
                assert_int_equal(vgae_gemm(ctx, ta, tb, 1.5, &a, &b, 0, &c1), VGAE_OK);
                vgae_ctx_set_threads(ctx, 2);
                assert_int_equal(vgae_gemm(ctx, ta, tb, 1.5, &a, &b, 0, &c2), VGAE_OK);
                assert_memory_equal(c1.data, c2.data, (size_t)(m * n) * sizeof(float));
                for (int64_t i = 0; i < m; i += 7)
                    for (int64_t j = 0; j < n; j += 5) {
                        double ref = 0, mag = 0;
                        for (int64_t l = 0; l < k; l++) {
                            double x = ta ? VGAE_MAT_AT(&a, l, i) : VGAE_MAT_AT(&a, i, l);
                            double y = tb ? VGAE_MAT_AT(&b, j, l) : VGAE_MAT_AT(&b, l, j);
                            ref += x * y;
                            mag += fabs(x * y);
                        }
                        if (fabs(VGAE_MAT_AT(&c1, i, j) - 1.5 * ref) > 1.5 * k * 0x1p-24 * mag)
                            fail_msg("C(%lld,%lld) = %g, reference %g (ta %d tb %d)", (long long)i,
                                     (long long)j, VGAE_MAT_AT(&c1, i, j), 1.5 * ref, ta, tb);
                    }
                vgae_mat_destroy(&a);
                vgae_mat_destroy(&b);
                vgae_mat_destroy(&c1);
                vgae_mat_destroy(&c2);
            }
    vgae_ctx_set_threads(ctx, 1);
}

/* ---- the LSTM in float ---- */

/* One step of the LSTM in double from the float run's own state at t - 1,
 * against the float step t: each value within a bound of one step's
 * rounding. A pre-activation sums k = in + H + 2 float terms: within
 * k 2^-24 sum |terms| (as a GEMM). sigmoid moves at most 1/4 as much as its
 * input, tanh at most as much; the kernels' own exp adds 2e-8 relative and
 * tanh's (1 - e) / (1 + e) form 2^-22 absolute. c = f c' + i g and
 * h = o tanh(c) then carry these by their factors, plus a rounding each. */
static void lstm_step_within_bound(const vgae_lstm *l, const vgae_lstm_run *run, const vgae_mat *x, int64_t t)
{
    const int64_t hd = l->hidden, batch = run->batch, in = l->in;
    const double u = 0x1p-24, k = (double)(in + hd + 2), tanh_err = 0x1p-22;
    const vgae_mat hp = vgae_lstm_h(run, t - 1), cp = vgae_lstm_c(run, t - 1), h = vgae_lstm_h(run, t),
                   c = vgae_lstm_c(run, t);
    for (int64_t s = 0; s < batch; s++)
        for (int64_t j = 0; j < hd; j++) {
            double a[4], da[4];
            for (int q = 0; q < 4; q++) {
                const int64_t col = q * hd + j;
                double sum = l->b.data[col], mag = fabs(sum);
                for (int64_t i = 0; i < in; i++) {
                    const double term = (double)x->data[(t * batch + s) * in + i] * l->wx.data[i * 4 * hd + col];
                    sum += term;
                    mag += fabs(term);
                }
                for (int64_t i = 0; i < hd; i++) {
                    const double term = (double)hp.data[s * hd + i] * l->wh.data[i * 4 * hd + col];
                    sum += term;
                    mag += fabs(term);
                }
                a[q] = sum;
                da[q] = k * u * mag;
            }
            const double ig = 1 / (1 + exp(-a[0])), fg = 1 / (1 + exp(-a[1])), gg = tanh(a[2]),
                         og = 1 / (1 + exp(-a[3]));
            const double di = da[0] / 4 + 2e-8, df = da[1] / 4 + 2e-8, dg = da[2] + tanh_err, dgo = da[3] / 4 + 2e-8;
            const double cprev = cp.data[s * hd + j], cr = fg * cprev + ig * gg;
            const double dc = fabs(cprev) * df + fabs(gg) * di + ig * dg + 2 * u * (fabs(fg * cprev) + fabs(ig * gg));
            const double hr = og * tanh(cr), dh = fabs(tanh(cr)) * dgo + og * (dc + tanh_err) + u;
            const double got_c = c.data[s * hd + j], got_h = h.data[s * hd + j];
            if (fabs(got_c - cr) > 2 * dc || fabs(got_h - hr) > 2 * dh)
                fail_msg("LSTM step %lld, row %lld, unit %lld: c %.9g (double %.9g, bound %.2g), h %.9g (double "
                         "%.9g, bound %.2g)",
                         (long long)t, (long long)s, (long long)j, got_c, cr, 2 * dc, got_h, hr, 2 * dh);
        }
}

/* The float LSTM: every step within its rounding bound of the equations in
 * double, and forward and backward the same bits on 1 and 2 threads (the
 * cells split by rows, the products in vgae_gemm's fixed blocks). */
/* m: rows x cols of standard normals from r. */
static void normal_mat(vgae_ctx *ctx, vgae_mat *m, int64_t rows, int64_t cols, vgae_rng *r)
{
    assert_int_equal(vgae_mat_init(ctx, m, rows, cols), VGAE_OK);
    vgae_rng_normal_fill_f(r, m->data, vgae_mat_size(m), 1);
}

static void lstm_float_steps_and_threads(void **state)
{
    vgae_ctx *ctx = *state;
    const int64_t in = 10, hd = 96, steps = 7, batch = 70;
    vgae_lstm l[2];
    vgae_lstm_run run[2] = {{0}, {0}};
    vgae_mat x = {0}, dh = {0}, dx[2] = {{0}}, dh0[2] = {{0}};
    vgae_rng r;
    vgae_rng_init(&r, 9, 0);
    normal_mat(ctx, &x, steps * batch, in, &r);
    normal_mat(ctx, &dh, steps * batch, hd, &r);
    for (int k = 0; k < 2; k++) {
        vgae_ctx_set_threads(ctx, k + 1);
        vgae_rng init;
        vgae_rng_init(&init, 5, 1);
        assert_int_equal(vgae_lstm_init(ctx, &l[k], in, hd, &init), VGAE_OK);
        assert_int_equal(vgae_mat_init(ctx, &dx[k], steps * batch, in), VGAE_OK);
        assert_int_equal(vgae_mat_init(ctx, &dh0[k], batch, hd), VGAE_OK);
        assert_int_equal(vgae_lstm_forward(ctx, &l[k], &x, NULL, NULL, NULL, steps, batch, NULL, &run[k]), VGAE_OK);
        if (k == 0)
            for (int64_t t = 0; t < steps; t++)
                lstm_step_within_bound(&l[0], &run[0], &x, t);
        const vgae_mat out = vgae_lstm_outputs(&run[k]);
        if (k == 1)
            assert_memory_equal(vgae_lstm_outputs(&run[0]).data, out.data,
                                (size_t)vgae_mat_size(&out) * sizeof(float));
        assert_int_equal(vgae_lstm_backward(ctx, &l[k], &x, &dh, NULL, NULL, &run[k], &dx[k], NULL, &dh0[k], NULL),
                         VGAE_OK);
    }
    assert_memory_equal(dx[0].data, dx[1].data, (size_t)vgae_mat_size(&dx[0]) * sizeof(float));
    assert_memory_equal(dh0[0].data, dh0[1].data, (size_t)vgae_mat_size(&dh0[0]) * sizeof(float));
    assert_memory_equal(l[0].dwx.data, l[1].dwx.data, (size_t)vgae_mat_size(&l[0].dwx) * sizeof(float));
    assert_memory_equal(l[0].dwh.data, l[1].dwh.data, (size_t)vgae_mat_size(&l[0].dwh) * sizeof(float));
    assert_memory_equal(l[0].db.data, l[1].db.data, (size_t)vgae_mat_size(&l[0].db) * sizeof(float));
    /* shapes that do not fit are refused, naming what */
    vgae_mat wrong = {0};
    assert_int_equal(vgae_mat_init(ctx, &wrong, batch, hd + 1), VGAE_OK);
    assert_int_equal(vgae_lstm_forward(ctx, &l[0], &x, NULL, &wrong, NULL, steps, batch, NULL, &run[0]), VGAE_EINVAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "h0"));
    vgae_mat_destroy(&wrong);
    for (int k = 0; k < 2; k++) {
        vgae_lstm_destroy(&l[k]);
        vgae_lstm_run_destroy(&run[k]);
        vgae_mat_destroy(&dx[k]);
        vgae_mat_destroy(&dh0[k]);
    }
    vgae_mat_destroy(&x);
    vgae_mat_destroy(&dh);
    vgae_ctx_set_threads(ctx, 1);
}

/* Sequences of different lengths: a run told the lengths skips the steps
 * past each sequence's end, and gives what the padded run gives when the
 * loss ignores those steps (outputs, dx and the weights' gradients equal as
 * numbers: the skipped terms are exact zeros there), the last state's
 * gradient taken at each sequence's own last step; the same bits on 1 and
 * 2 threads. Sizes with a short last block of units and of rows. */
static void lstm_lengths_skip_padding(void **state)
{
    vgae_ctx *ctx = *state;
    enum { IN = 5, HD = 40, STEPS = 6, BATCH = 11, RUNS = 3 };
    static const int32_t lengths[BATCH] = {3, 6, 0, 1, 6, 2, 5, 4, 6, 1, 3};
    vgae_lstm l[RUNS];
    vgae_lstm_run run[RUNS] = {{0}};
    vgae_mat x = {0}, g = {0}, dh_pad = {0}, dh_len = {0}, dx[RUNS] = {{0}};
    vgae_rng r;
    vgae_rng_init(&r, 21, 0);
    normal_mat(ctx, &x, STEPS * BATCH, IN, &r);
    normal_mat(ctx, &g, BATCH, HD, &r);
    normal_mat(ctx, &dh_len, STEPS * BATCH, HD, &r);
    assert_int_equal(vgae_mat_init(ctx, &dh_pad, STEPS * BATCH, HD), VGAE_OK);
    /* past its end a sequence's outputs have no gradient; at its last step
     * the padded run gets g there, the other as dh_last */
    for (int64_t t = 0; t < STEPS; t++)
        for (int64_t b = 0; b < BATCH; b++) {
            float *len_row = dh_len.data + (t * BATCH + b) * HD, *pad_row = dh_pad.data + (t * BATCH + b) * HD;
            for (int64_t j = 0; j < HD; j++) {
                if (t >= lengths[b] - 1)
                    len_row[j] = 0;
                pad_row[j] = t == lengths[b] - 1 ? g.data[b * HD + j] : len_row[j];
            }
        }
    for (int k = 0; k < RUNS; k++) { /* padded, then with lengths on 1 and 2 threads */
        vgae_ctx_set_threads(ctx, k == 2 ? 2 : 1);
        vgae_rng init;
        vgae_rng_init(&init, 5, 1);
        assert_int_equal(vgae_lstm_init(ctx, &l[k], IN, HD, &init), VGAE_OK);
        assert_int_equal(vgae_mat_init(ctx, &dx[k], STEPS * BATCH, IN), VGAE_OK);
        assert_int_equal(vgae_lstm_forward(ctx, &l[k], &x, NULL, NULL, NULL, STEPS, BATCH, k ? lengths : NULL, &run[k]),
                         VGAE_OK);
        assert_int_equal(vgae_lstm_backward(ctx, &l[k], &x, k ? &dh_len : &dh_pad, k ? &g : NULL, NULL, &run[k], &dx[k],
                                            NULL, NULL, NULL),
                         VGAE_OK);
    }
    const vgae_mat pad = vgae_lstm_outputs(&run[0]), len = vgae_lstm_outputs(&run[1]);
    for (int64_t t = 0; t < STEPS; t++)
        for (int64_t b = 0; b < BATCH; b++) {
            const int64_t cell = t * BATCH + b;
            for (int64_t j = 0; j < HD; j++)
                assert_true(len.data[cell * HD + j] == (t < lengths[b] ? pad.data[cell * HD + j] : 0.0f));
            for (int64_t i = 0; i < IN; i++)
                assert_true(dx[1].data[cell * IN + i] == (t < lengths[b] ? dx[0].data[cell * IN + i] : 0.0f));
        }
    const vgae_mat *grads[3][RUNS] = {{&l[0].dwx, &l[1].dwx, &l[2].dwx}, {&l[0].dwh, &l[1].dwh, &l[2].dwh},
                                      {&l[0].db, &l[1].db, &l[2].db}};
    for (int w = 0; w < 3; w++)
        for (int64_t i = 0; i < vgae_mat_size(grads[w][0]); i++)
            assert_true(grads[w][1]->data[i] == grads[w][0]->data[i]);
    assert_memory_equal(len.data, vgae_lstm_outputs(&run[2]).data, (size_t)vgae_mat_size(&len) * sizeof(float));
    assert_memory_equal(dx[1].data, dx[2].data, (size_t)vgae_mat_size(&dx[1]) * sizeof(float));
    for (int w = 0; w < 3; w++)
        assert_memory_equal(grads[w][1]->data, grads[w][2]->data, (size_t)vgae_mat_size(grads[w][1]) * sizeof(float));
    for (int k = 0; k < RUNS; k++) {
        vgae_lstm_destroy(&l[k]);
        vgae_lstm_run_destroy(&run[k]);
        vgae_mat_destroy(&dx[k]);
    }
    vgae_mat *mats[] = {&x, &g, &dh_pad, &dh_len};
    for (int k = 0; k < 4; k++)
        vgae_mat_destroy(mats[k]);
    vgae_ctx_set_threads(ctx, 1);
}

/* ---- Gaussian layer ---- */
static void kl_closed_form(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat mean, logvar;
    vgae_mat_init(ctx, &mean, 3, 2);
    vgae_mat_init(ctx, &logvar, 3, 2);
    /* row 0: the prior itself, KL 0.
     * row 1: mean (1, 0), logvar (0, ln 4): 1/2 + (4 - 1 - ln 4)/2 = 0.5 + 0.8068528194400547.
     * row 2: mean (2, -1), logvar (-1, 2): (4 + e^-1 - 1 + 1)/2 + (1 + e^2 - 1 - 2)/2
     *        = 2.1839397205857214 + 2.694528049465325. */
    const float mv[6] = {0, 0, 1, 0, 2, -1}, lv[6] = {0, 0, 0, (float)log(4.0), -1, 2};
    memcpy(mean.data, mv, sizeof mv);
    memcpy(logvar.data, lv, sizeof lv);
    double per_row[3], kl;
    assert_int_equal(vgae_gaussian_kl(ctx, &mean, &logvar, per_row, &kl), VGAE_OK);
    const double want[3] = {0.0, 0.5 + 0.8068528194400547, 2.1839397205857214 + 2.694528049465325};
    /* inputs are floats (ln 4 rounded to 2^-24 relative); the sum is in
     * double: 1e-6 relative covers the input rounding with a margin of 10 */
    assert_true(per_row[0] == 0.0);
    for (int i = 1; i < 3; i++)
        assert_true(fabs(per_row[i] - want[i]) < 1e-6 * want[i]);
    assert_true(fabs(kl - (want[1] + want[2])) < 1e-6 * kl);
    /* deterministic mode: z = mean, eps = 0 */
    vgae_mat eps, z;
    vgae_mat_init(ctx, &eps, 3, 2);
    vgae_mat_init(ctx, &z, 3, 2);
    assert_int_equal(vgae_gaussian_sample(ctx, &mean, &logvar, NULL, &eps, &z), VGAE_OK);
    assert_memory_equal(z.data, mean.data, sizeof mv);
    /* sampling: z = mean + exp(logvar/2) eps, with eps from the stream */
    vgae_rng noise;
    vgae_rng_init(&noise, 3, VGAE_STREAM_NOISE);
    assert_int_equal(vgae_gaussian_sample(ctx, &mean, &logvar, &noise, &eps, &z), VGAE_OK);
    for (int i = 0; i < 6; i++)
        assert_true(fabs(z.data[i] - (mv[i] + exp(lv[i] / 2) * eps.data[i])) < 1e-5);
    assert_true(eps.data[0] != 0);
    vgae_mat bad;
    vgae_mat_init(ctx, &bad, 2, 2);
    assert_error_contains(ctx, vgae_gaussian_kl(ctx, &mean, &bad, NULL, &kl), "mean and logvar");
    vgae_mat_destroy(&bad);
    vgae_mat_destroy(&eps);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&mean);
    vgae_mat_destroy(&logvar);
}

/* ---- likelihoods ---- */
/* The vectorized float kernel behind vgae_bernoulli_nll against libm in
 * double, term by term, over logits from -100 to 100 and targets 0, 0.3
 * and 1 with pos_weight 1 and 3. Each float term or derivative is a short
 * chain of float operations (exp and log1p polynomials whose truncation is
 * below half an ulp, a division, a weighted sum of two positive parts), so
 * it stays within 5 ulps, 3e-7 relative; exp(-|x|) below 2^-125 (|x| > 87)
 * is flushed to 0, an absolute error below 2.4e-38 pos_weight. */
static void bernoulli_kernel_accuracy(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 2001 };
    static float x[N], t[N], grad[N];
    const float targets[3] = {0.0f, 0.3f, 1.0f};
    for (int w = 1; w <= 3; w += 2)
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < N; k++) {
                x[k] = (float)(-100.0 + 0.1 * k);
                t[k] = targets[c];
            }
            vgae_bernoulli_options o = vgae_bernoulli_plain();
            o.pos_weight = w;
            double total, want_total = 0;
            assert_int_equal(vgae_bernoulli_nll(ctx, x, t, N, &o, 1.0, grad, &total), VGAE_OK);
            for (int k = 0; k < N; k++) {
                double dx, want = vgae_bernoulli_term(x[k], t[k], w, &dx), nll;
                want_total += want;
                /* the derivative is a difference, (1 - t) s - pw t (1 - s):
                 * its error is relative to the sum of the two parts */
                double e = exp(-fabs((double)x[k]));
                double s_pos = x[k] >= 0 ? 1 / (1 + e) : e / (1 + e);
                double s_neg = x[k] >= 0 ? e / (1 + e) : 1 / (1 + e);
                double size = (1 - t[k]) * s_pos + w * t[k] * s_neg;
                if (fabs(grad[k] - dx) > 3e-7 * size + 2.4e-38 * w)
                    fail_msg("x %g t %g pw %d: derivative %.9g, libm %.17g", x[k], t[k], w,
                             grad[k], dx);
                assert_int_equal(vgae_bernoulli_nll(ctx, x + k, t + k, 1, &o, 1.0, NULL, &nll),
                                 VGAE_OK);
                if (fabs(nll - want) > 3e-7 * want + 2.4e-38 * w)
                    fail_msg("x %g t %g pw %d: term %.9g, libm %.17g", x[k], t[k], w, nll, want);
            }
            assert_true(fabs(total - want_total) <= 3e-7 * want_total);
        }
}

static void bernoulli_extreme_logits(void **state)
{
    vgae_ctx *ctx = *state;
    const float x[6] = {1000, -1000, 1000, -1000, 0, 0}, t[6] = {1, 1, 0, 0, 1, 0.5f};
    /* terms: 0, 1000, 1000, 0, ln 2, ln 2 */
    const double want[6] = {0, 1000, 1000, 0, log(2.0), log(2.0)};
    const double want_grad[6] = {0, -1, 1, 0, -0.5, 0};
    float grad[6];
    for (int k = 0; k < 6; k++) {
        double nll;
        assert_int_equal(vgae_bernoulli_nll(ctx, x + k, t + k, 1, NULL, 1.0, grad + k, &nll), 0);
        assert_true(isfinite(nll) && isfinite(grad[k]));
        /* each term is computed in float (the vectorized kernel): a few
         * roundings of at most 2^-24 relative each, so 4 ulps bound it */
        assert_true(fabs(nll - want[k]) < 2.4e-7 * (1 + want[k]));
        assert_true(fabs(grad[k] - want_grad[k]) < 1e-7);
    }
    /* positive weight 3 multiplies the target-1 part only */
    vgae_bernoulli_options o = vgae_bernoulli_plain();
    o.pos_weight = 3;
    double nll;
    assert_int_equal(vgae_bernoulli_nll(ctx, x, t, 4, &o, 0.5, grad, &nll), VGAE_OK);
    assert_true(fabs(nll - (3000 + 1000)) < 1e-9);
    assert_true(grad[0] == 0 && grad[1] == -1.5f && grad[2] == 0.5f && grad[3] == 0);
    /* bad input is refused, not summed */
    const float bad_t[2] = {0, 1.5f};
    assert_error_contains(ctx, vgae_bernoulli_nll(ctx, x, bad_t, 2, NULL, 1, NULL, &nll),
                          "target 1 is 1.5, not in [0, 1]");
    o.pos_weight = 0;
    assert_error_contains(ctx, vgae_bernoulli_nll(ctx, x, t, 2, &o, 1, NULL, &nll), "pos_weight 0");
    const int64_t outside[1] = {6};
    o = vgae_bernoulli_plain();
    o.entries = outside;
    o.n_entries = 1;
    assert_error_contains(ctx, vgae_bernoulli_nll(ctx, x, t, 6, &o, 1, NULL, &nll), "entry 6 is outside");
}

static void gaussian_likelihood_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    const float mean[2] = {1, -2}, target[2] = {3, -2};
    float grad[2];
    double nll;
    /* variance 4: (2^2)/(2*4) + 2 * ln(2 pi 4)/2 = 0.5 + ln(8 pi) */
    assert_int_equal(vgae_normal_nll(ctx, mean, target, 2, 4.0, NULL, 2.0, grad, &nll), VGAE_OK);
    assert_true(fabs(nll - (0.5 + log(8 * 3.141592653589793))) < 1e-12);
    assert_true(grad[0] == -1.0f && grad[1] == 0.0f); /* 2 * (1 - 3) / 4 */
    assert_error_contains(ctx, vgae_normal_nll(ctx, mean, target, 2, 0.0, NULL, 1, NULL, &nll),
                          "variance 0 is not finite and > 0");
}

/* Found in review: an entry of mask weight 0 is not looked at (a NaN
 * logit or a bad target there changes nothing), infinite logits give exact
 * terms, and pos_weight must be finite. */
static void likelihood_edge_cases(void **state)
{
    vgae_ctx *ctx = *state;
    const float x[3] = {0.5f, NAN, 0.25f}, t[3] = {1, 2, 0}, mask[3] = {1, 0, 1};
    float grad[3] = {9, 9, 9};
    double nll;
    vgae_bernoulli_options o = vgae_bernoulli_plain();
    o.mask = mask;
    assert_int_equal(vgae_bernoulli_nll(ctx, x, t, 3, &o, 1, grad, &nll), VGAE_OK);
    assert_true(fabs(nll - (log1p(exp(-0.5)) + log1p(exp(0.25)))) < 1e-12);
    assert_true(grad[1] == 0);
    const int64_t listed[2] = {0, 1};
    o.entries = listed;
    o.n_entries = 2;
    assert_int_equal(vgae_bernoulli_nll(ctx, x, t, 3, &o, 1, grad, &nll), VGAE_OK);
    assert_true(fabs(nll - log1p(exp(-0.5))) < 1e-12 && grad[1] == 0 && grad[2] == 0);
    assert_int_equal(vgae_normal_nll(ctx, x, t, 3, 1.0, mask, 1, grad, &nll), VGAE_OK);
    assert_true(isfinite(nll) && grad[1] == 0);
    double dx;
    assert_true(vgae_bernoulli_term(INFINITY, 1, 2, &dx) == 0 && dx == 0);
    assert_true(vgae_bernoulli_term(-INFINITY, 0, 2, &dx) == 0 && dx == 0);
    o = vgae_bernoulli_plain();
    o.pos_weight = INFINITY;
    assert_error_contains(ctx, vgae_bernoulli_nll(ctx, x, t, 1, &o, 1, NULL, &nll),
                          "pos_weight inf is not finite and > 0");
}

/* The chunked sums do not depend on the thread count. */
static void likelihood_sums_independent_of_threads(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 1 << 20 };
    float *x = malloc(N * sizeof *x), *t = malloc(N * sizeof *t), *g1 = malloc(N * sizeof *g1),
          *g2 = malloc(N * sizeof *g2);
    vgae_rng r;
    vgae_rng_init(&r, 8, 0);
    vgae_rng_normal_fill_f(&r, x, N, 1);
    vgae_rng_uniform_fill_f(&r, t, N, 0, 1, 1);
    double a, b, c, d;
    vgae_bernoulli_options o = vgae_bernoulli_plain();
    o.pos_weight = 2.5;
    vgae_ctx_set_threads(ctx, 1);
    assert_int_equal(vgae_bernoulli_nll(ctx, x, t, N, &o, 1, g1, &a), VGAE_OK);
    assert_int_equal(vgae_normal_nll(ctx, x, t, N, 0.3, NULL, 1, NULL, &c), VGAE_OK);
    vgae_ctx_set_threads(ctx, 2);
    assert_int_equal(vgae_bernoulli_nll(ctx, x, t, N, &o, 1, g2, &b), VGAE_OK);
    assert_int_equal(vgae_normal_nll(ctx, x, t, N, 0.3, NULL, 1, NULL, &d), VGAE_OK);
    assert_true(a == b && c == d);
    assert_memory_equal(g1, g2, N * sizeof *g1);
    free(x);
    free(t);
    free(g1);
    free(g2);
}

/* ---- Adam ---- */

/* f(theta) = (theta - 3)^2 / 2 from theta = 0, lr 0.1, defaults otherwise.
 * By hand: step 1 has g = -3, m = -0.3, v = 0.009; the bias corrections
 * give m^ = -3, v^ = 9, so theta moves by lr * 3 / (3 + 1e-8):
 * theta1 = 0.09999999966666669. Step 2: g = theta1 - 3, m = 0.9 m + 0.1 g,
 * v = 0.999 v + 0.001 g^2, m^ = m / 0.19, v^ = v / 0.001999:
 * theta2 = 0.19989729224944813; step 3: theta3 = 0.2996184760421757. */
static void adam_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat theta, grad;
    vgae_mat_init(ctx, &theta, 1, 1);
    vgae_mat_init(ctx, &grad, 1, 1);
    vgae_params params = {0};
    assert_int_equal(vgae_params_add(ctx, &params, "theta", &theta, &grad), VGAE_OK);
    vgae_adam_options o = vgae_adam_defaults();
    assert_true(o.lr == 1e-3 && o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8);
    o.lr = 0.1;
    vgae_adam adam;
    assert_int_equal(vgae_adam_init(ctx, &adam, &params, &o), VGAE_OK);
    const double want[3] = {0.09999999966666669, 0.19989729224944813, 0.2996184760421757};
    for (int k = 0; k < 3; k++) {
        grad.data[0] = theta.data[0] - 3;
        vgae_adam_step(ctx, &adam);
        /* theta, m and v are stored as floats (2^-24 relative each step):
         * 1e-6 relative holds three steps with room to spare */
        if (fabs(theta.data[0] - want[k]) > 1e-6 * want[k])
            fail_msg("step %d: theta %.9g, by hand %.9g", k + 1, theta.data[0], want[k]);
    }
    vgae_adam_destroy(&adam);
    vgae_params_destroy(&params);
    vgae_mat_destroy(&theta);
    vgae_mat_destroy(&grad);
}

/* Clipping by the joint norm, over parameters of several parts (the
 * norm is summed in parts of 16384 on threads): the norm it returns is
 * the one summed here in double (the parts' order adds rounding of at most
 * ~(parts) 2^-53 relative: 1e-12 is far above it), the scaled gradients
 * have norm max_norm (float rounding of 300,000 products: 1e-5 relative),
 * the bits are the same at 1 and 2 threads, a gradient within the bound is
 * left alone, and a NaN gives a norm that is not finite and changes nothing. */
static void clip_grad_norm(void **state)
{
    (void)state;
    vgae_mat g[2][3], w[3];
    double norms[2];
    for (int t = 0; t < 2; t++) {
        vgae_ctx *ctx = vgae_ctx_new();
        assert_non_null(ctx);
        vgae_ctx_set_threads(ctx, t + 1);
        vgae_params params = {0};
        const int64_t rows[3] = {300, 1, 7}, cols[3] = {1000, 5, 1};
        vgae_rng r;
        vgae_rng_init(&r, 5, 0);
        double sq = 0;
        for (int k = 0; k < 3; k++) {
            vgae_mat_init(ctx, &w[k], rows[k], cols[k]);
            vgae_mat_init(ctx, &g[t][k], rows[k], cols[k]);
            for (int64_t i = 0; i < vgae_mat_size(&g[t][k]); i++) {
                g[t][k].data[i] = (vgae_real)vgae_rng_normal(&r);
                sq += (double)g[t][k].data[i] * g[t][k].data[i];
            }
            char name[8] = {'p', (char)('0' + k), 0};
            assert_int_equal(vgae_params_add(ctx, &params, name, &w[k], &g[t][k]), VGAE_OK);
        }
        const double big = vgae_params_clip_grad_norm(ctx, &params, 1e9); /* within: untouched */
        assert_true(fabs(big - sqrt(sq)) <= 1e-12 * sqrt(sq));
        norms[t] = vgae_params_clip_grad_norm(ctx, &params, 2.0);
        assert_true(norms[t] == big);
        double after = 0;
        for (int k = 0; k < 3; k++)
            for (int64_t i = 0; i < vgae_mat_size(&g[t][k]); i++)
                after += (double)g[t][k].data[i] * g[t][k].data[i];
        assert_true(fabs(sqrt(after) - 2.0) <= 1e-5 * 2.0);
        if (t == 1) {
            for (int k = 0; k < 3; k++)
                assert_memory_equal(g[0][k].data, g[1][k].data, (size_t)vgae_mat_size(&g[0][k]) * sizeof *g[0][k].data);
            assert_true(norms[0] == norms[1]);
            const vgae_real kept = g[1][0].data[17];
            g[1][2].data[3] = NAN;
            assert_false(isfinite(vgae_params_clip_grad_norm(ctx, &params, 1e-3)));
            assert_true(g[1][0].data[17] == kept);
        }
        vgae_params_destroy(&params);
        for (int k = 0; k < 3; k++)
            vgae_mat_destroy(&w[k]);
        vgae_ctx_free(ctx);
    }
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < 3; k++)
            vgae_mat_destroy(&g[t][k]);
}

/* Found in review: eps 0 is refused (0 / 0 for a parameter that never had
 * a gradient), and a gradient too large for a float second moment does not
 * freeze the parameter afterwards. */
static void adam_edge_cases(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat theta, grad;
    vgae_mat_init(ctx, &theta, 1, 1);
    vgae_mat_init(ctx, &grad, 1, 1);
    vgae_params params = {0};
    vgae_params_add(ctx, &params, "theta", &theta, &grad);
    vgae_adam adam;
    vgae_adam_options o = vgae_adam_defaults();
    o.eps = 0;
    assert_error_contains(ctx, vgae_adam_init(ctx, &adam, &params, &o), "eps > 0");
    o = vgae_adam_defaults();
    o.lr = 0.1;
    o.beta2 = 0.9; /* forget the huge gradient within a few hundred steps */
    assert_int_equal(vgae_adam_init(ctx, &adam, &params, &o), VGAE_OK);
    grad.data[0] = 3e34f; /* its square overflows float */
    vgae_adam_step(ctx, &adam);
    assert_true(isfinite(adam.v[0]));
    const float after_first = theta.data[0];
    for (int k = 0; k < 2000; k++) {
        grad.data[0] = 1;
        vgae_adam_step(ctx, &adam);
    }
    assert_true(theta.data[0] < after_first - 1); /* it moves again */
    vgae_adam_destroy(&adam);
    vgae_params_destroy(&params);
    vgae_mat_destroy(&theta);
    vgae_mat_destroy(&grad);
}

/* Adam reaches the minimum of an ill-conditioned quadratic
 * sum_i c_i (theta_i - t_i)^2 / 2 with c from 1 to 100. */
static void adam_reaches_minimum(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat theta, grad;
    vgae_mat_init(ctx, &theta, 2, 2);
    vgae_mat_init(ctx, &grad, 2, 2);
    vgae_params params = {0};
    vgae_params_add(ctx, &params, "theta", &theta, &grad);
    const double c[4] = {1, 10, 50, 100}, target[4] = {3, -1, 0.5, 2};
    vgae_adam_options o = vgae_adam_defaults();
    o.lr = 0.01;
    vgae_adam adam;
    assert_int_equal(vgae_adam_init(ctx, &adam, &params, &o), VGAE_OK);
    for (int step = 0; step < 5000; step++) {
        for (int i = 0; i < 4; i++)
            grad.data[i] = (float)(c[i] * (theta.data[i] - target[i]));
        vgae_adam_step(ctx, &adam);
    }
    /* the furthest start is 3 away: 300 steps of lr would do; after 5000
     * the oscillation has died down to well under lr */
    for (int i = 0; i < 4; i++)
        if (fabs(theta.data[i] - target[i]) > 1e-3)
            fail_msg("theta[%d] = %g, minimum at %g", i, theta.data[i], target[i]);
    assert_int_equal(adam.step, 5000);
    vgae_adam_destroy(&adam);
    vgae_params_destroy(&params);
    vgae_mat_destroy(&theta);
    vgae_mat_destroy(&grad);
}

static void params_list(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_linear a, b;
    vgae_rng init;
    vgae_rng_init(&init, 1, VGAE_STREAM_INIT);
    assert_int_equal(vgae_linear_init(ctx, &a, 3, 4, 1, &init), VGAE_OK);
    assert_int_equal(vgae_linear_init(ctx, &b, 4, 2, 0, &init), VGAE_OK);
    vgae_params list = {0};
    assert_int_equal(vgae_linear_params(ctx, &a, "enc", &list), VGAE_OK);
    assert_int_equal(vgae_linear_params(ctx, &b, "dec", &list), VGAE_OK);
    assert_int_equal(list.count, 3);
    assert_int_equal(vgae_params_scalars(&list), 12 + 4 + 8);
    assert_ptr_equal(vgae_params_find(&list, "enc.bias")->value, &a.b);
    assert_null(vgae_params_find(&list, "dec.bias"));
    assert_error_contains(ctx, vgae_linear_params(ctx, &b, "dec", &list), "'dec.weight' is already");
    b.dw.data[0] = 5;
    vgae_params_zero_grad(&list);
    assert_true(b.dw.data[0] == 0);
    vgae_params_destroy(&list);
    vgae_linear_destroy(&a);
    vgae_linear_destroy(&b);
    assert_error_contains(ctx, vgae_linear_init(ctx, &a, 0, 2, 1, &init), "must be positive");
}

/* ---- layers ---- */

/* Glorot uniform: every weight within r = sqrt(6 / (fan_in + fan_out)),
 * mean 0 and variance r^2 / 3 within 5 standard errors (sd of the mean
 * r / sqrt(3 n), of the variance r^2 sqrt(4 / (45 n))). */
static void glorot_bounds(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_linear layer;
    assert_int_equal(vgae_linear_init(ctx, &layer, 400, 300, 1, vgae_ctx_rng(ctx, VGAE_STREAM_INIT)), 0);
    const double r = sqrt(6.0 / 700), n = 400 * 300;
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < 400 * 300; i++) {
        double w = layer.w.data[i];
        assert_true(fabs(w) <= r);
        sum += w;
        sq += w * w;
    }
    assert_true(fabs(sum / n) < 5 * r / sqrt(3 * n));
    assert_true(fabs(sq / n - r * r / 3) < 5 * r * r * sqrt(4.0 / (45 * n)));
    for (int j = 0; j < 300; j++)
        assert_true(layer.b.data[j] == 0);
    vgae_linear_destroy(&layer);
}

static void dropout_keeps_expectation(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_mat x, y, mask;
    vgae_mat_init(ctx, &x, 500, 200);
    vgae_mat_init(ctx, &y, 500, 200);
    vgae_mat_init(ctx, &mask, 500, 200);
    for (int64_t i = 0; i < 100000; i++)
        x.data[i] = 2;
    vgae_rng r;
    vgae_rng_init(&r, 4, VGAE_STREAM_DROPOUT);
    assert_int_equal(vgae_dropout_forward(ctx, 0.3, &r, &x, &mask, &y), VGAE_OK);
    double kept = 0, sum = 0;
    for (int64_t i = 0; i < 100000; i++) {
        assert_true(y.data[i] == 0 || fabs(y.data[i] - 2 / 0.7) < 1e-6);
        kept += y.data[i] != 0;
        sum += y.data[i];
    }
    /* kept fraction 0.7 within 5 sd of a binomial proportion */
    assert_true(fabs(kept / 1e5 - 0.7) < 5 * sqrt(0.7 * 0.3 / 1e5));
    assert_true(fabs(sum / 1e5 - 2) < 10 * 2 * sqrt(0.3 / 0.7 / 1e5));
    vgae_rng before = r;
    assert_int_equal(vgae_dropout_forward(ctx, 0.0, &r, &x, &mask, &y), VGAE_OK);
    assert_memory_equal(x.data, y.data, 100000 * sizeof(float));
    assert_int_equal(vgae_rng_u32(&before), vgae_rng_u32(&r)); /* rate 0 draws nothing */
    assert_error_contains(ctx, vgae_dropout_forward(ctx, 1.0, &r, &x, &mask, &y), "rate 1 is not in [0, 1)");
    vgae_mat_destroy(&x);
    vgae_mat_destroy(&y);
    vgae_mat_destroy(&mask);
}

/* ---- ELBO ---- */
static void elbo_terms_and_errors(void **state)
{
    vgae_ctx *ctx = *state;
    tiny_vae m;
    assert_int_equal(tiny_vae_init(ctx, &m, 8, 10, 6, 3, 0), VGAE_OK);
    vgae_elbo_terms t, t2;
    m.config = (vgae_elbo_config){.recon_scale = 0.5, .kl_scale = 0.25, .beta = 2, .sample = 1};
    assert_int_equal(tiny_vae_loss(ctx, &m, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), 1, &t), VGAE_OK);
    assert_true(t.nll > 0 && t.kl > 0);
    assert_true(fabs(t.loss - (0.5 * t.nll + 2 * 0.25 * t.kl)) < 1e-12 * t.loss);
    /* beta 0 keeps the reconstruction and drops the KL from the loss */
    m.config.beta = 0;
    vgae_rng replay;
    vgae_rng_init(&replay, 0, VGAE_STREAM_NOISE);
    assert_int_equal(tiny_vae_loss(ctx, &m, &replay, 0, &t), VGAE_OK);
    vgae_rng_init(&replay, 0, VGAE_STREAM_NOISE);
    assert_int_equal(tiny_vae_loss(ctx, &m, &replay, 0, &t2), VGAE_OK);
    assert_true(t.loss == 0.5 * t.nll && t.loss == t2.loss);
    /* the evaluation mode is deterministic without any stream */
    m.config.sample = 0;
    assert_int_equal(tiny_vae_loss(ctx, &m, NULL, 0, &t), VGAE_OK);
    assert_memory_equal(m.work.z.data, m.mean.data, (size_t)vgae_mat_size(&m.mean) * sizeof(float));
    m.config.sample = 1;
    assert_error_contains(ctx, tiny_vae_loss(ctx, &m, NULL, 0, &t), "sampling z needs a noise stream");
    m.config.kl_scale = -1;
    assert_error_contains(ctx, tiny_vae_loss(ctx, &m, NULL, 0, &t), "scales must be finite and >= 0");
    /* a wrongly shaped dlogvar is refused before the decoder adds to its gradients */
    m.config = vgae_elbo_defaults();
    vgae_mat wrong;
    vgae_mat_init(ctx, &wrong, 3, 8);
    vgae_params_zero_grad(&m.params);
    const vgae_mat *heads[] = {&m.mean, &m.logvar};
    vgae_mat *d_heads[] = {&m.dmean, &wrong};
    assert_error_contains(ctx, vgae_elbo_compute(ctx, &m.config, m.latent, heads,
                                                 vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), tiny_decode,
                                                 &m, &m.work, d_heads, &t),
                          "shapes differ");
    for (int64_t k = 0; k < vgae_mat_size(&m.dec.dw); k++)
        assert_true(m.dec.dw.data[k] == 0);
    vgae_mat_destroy(&wrong);
    tiny_vae_destroy(&m);
    /* the autoencoder form: no KL, z = mean */
    assert_int_equal(tiny_vae_init(ctx, &m, 8, 10, 6, 3, 1), VGAE_OK);
    assert_int_equal(tiny_vae_loss(ctx, &m, NULL, 1, &t), VGAE_OK);
    assert_true(t.kl == 0 && t.loss == t.nll);
    tiny_vae_destroy(&m);
}

/* Training the whole chain at 1 and at 2 threads gives the same bits:
 * OpenBLAS splits GEMMs by output blocks, our loops sum in fixed chunks. */
static void chain_independent_of_threads(void **state)
{
    vgae_ctx *ctx = *state;
    float *first = NULL;
    size_t bytes = 0;
    double loss[2];
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        vgae_ctx_set_seed(ctx, 31);
        tiny_vae m;
        assert_int_equal(tiny_vae_init(ctx, &m, 256, 784, 400, 20, 0), VGAE_OK);
        vgae_adam adam;
        assert_int_equal(vgae_adam_init(ctx, &adam, &m.params, NULL), VGAE_OK);
        vgae_elbo_terms t;
        for (int step = 0; step < 3; step++) {
            assert_int_equal(tiny_vae_loss(ctx, &m, vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), 1, &t), 0);
            vgae_adam_step(ctx, &adam);
        }
        loss[threads - 1] = t.loss;
        const vgae_mat *w = m.params.items[0].value; /* enc.weight after three updates */
        if (threads == 1) {
            bytes = (size_t)vgae_mat_size(w) * sizeof(float);
            first = malloc(bytes);
            memcpy(first, w->data, bytes);
        } else {
            assert_memory_equal(first, w->data, bytes);
        }
        vgae_adam_destroy(&adam);
        tiny_vae_destroy(&m);
    }
    assert_true(loss[0] == loss[1]);
    free(first);
    vgae_ctx_set_threads(ctx, 1);
}

/* The normal quantile against published values (to 16 digits; the inverse
 * of the CDF at these points) and against the CDF itself. Wichura's AS 241
 * is accurate to about delta = 1e-16 relative; an error delta |q| in q moves
 * Phi(q) by phi(q) delta |q|, and phi(q) / Phi(q) is about |q| in the lower
 * tail, so the round trip p -> q -> Phi(q) holds to about delta q^2 relative
 * in p, plus erfc's few ulps: 1e-15 (1 + q^2) leaves a margin. */
static void normal_quantile(void **state)
{
    (void)state;
    const struct { double p, q; } known[] = {
        {0.5, 0.0}, {0.975, 1.959963984540054}, {0.025, -1.959963984540054},
        {0.8413447460685429, 1.0}, {1e-10, -6.361340902404056}, {0.999, 3.090232306167813}};
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        double q = vgae_normal_quantile(known[k].p);
        if (fabs(q - known[k].q) > 1e-14 * (1 + fabs(known[k].q)))
            fail_msg("quantile(%.17g) = %.17g, published %.17g", known[k].p, q, known[k].q);
    }
    for (double p = 1e-300; p < 1; p = p < 0.01 ? p * 37 : p + 0.0173) {
        double q = vgae_normal_quantile(p), back = 0.5 * erfc(-q / sqrt(2.0));
        if (fabs(back - p) > 1e-15 * (1 + q * q) * p)
            fail_msg("Phi(quantile(%.17g)) = %.17g", p, back);
        /* symmetry, where 1 - p is not rounded by more than dq/dp = 1/phi(q) <= 300 can hide */
        if (p >= 1e-3)
            assert_true(fabs(vgae_normal_quantile(1 - p) + q) < 1e-12);
    }
    assert_true(isinf(vgae_normal_quantile(0)) && vgae_normal_quantile(0) < 0);
    assert_true(isinf(vgae_normal_quantile(1)) && vgae_normal_quantile(1) > 0);
    assert_true(isnan(vgae_normal_quantile(-0.1)) && isnan(vgae_normal_quantile(NAN)));
}

/* The nearest-code kernel of the vq layer: on random codebooks (k = 37, so
 * that the last 5 codes take its scalar path) its pick is as near as the
 * exact nearest code up to float rounding of the distances, at most
 * (d + 2) ulps of their largest terms, taken as 8 * 2^-23 (||e||^2 +
 * 2 |x| |e|); exact ties go to the lower index in any lane and in the tail;
 * all-NaN input gives code 0. */
static void nearest_code_kernel(void **state)
{
    (void)state;
    enum { D = 3, K = 37 };
    vgae_real book[K * D], et[D * K], norms[K], x[D];
    uint32_t seed = 12345;
    for (int trial = 0; trial < 300; trial++) {
        for (int j = 0; j < K * D; j++) {
            seed = seed * 1664525u + 1013904223u;
            book[j] = (vgae_real)((seed >> 8) / 16777216.0 * 2 - 1);
        }
        for (int i = 0; i < D; i++) {
            seed = seed * 1664525u + 1013904223u;
            x[i] = (vgae_real)((seed >> 8) / 16777216.0 * 2 - 1);
        }
        if (trial % 3 == 1) /* x on a code repeated in other lanes and in the tail */
            for (int i = 0; i < D; i++) {
                x[i] = book[7 * D + i];
                book[23 * D + i] = book[34 * D + i] = book[7 * D + i];
            }
        double emax = 0, xn = 0;
        for (int j = 0; j < K; j++) {
            double s = 0;
            for (int i = 0; i < D; i++) {
                et[i * K + j] = book[j * D + i];
                s += (double)book[j * D + i] * book[j * D + i];
            }
            norms[j] = (vgae_real)s;
            emax = s > emax ? s : emax;
        }
        for (int i = 0; i < D; i++)
            xn += (double)x[i] * x[i];
        double best = INFINITY, dist[K];
        for (int j = 0; j < K; j++) {
            double s = 0;
            for (int i = 0; i < D; i++)
                s += ((double)x[i] - book[j * D + i]) * ((double)x[i] - book[j * D + i]);
            dist[j] = s;
            best = s < best ? s : best;
        }
        const int32_t pick = vgae_kernel_nearest(x, D, et, norms, K);
        assert_true(pick >= 0 && pick < K);
        const double tol = 8 * 0x1p-23 * (emax + 2 * sqrt(xn * emax));
        assert_true(dist[pick] - best <= tol);
        if (trial % 3 == 1)
            assert_int_equal(pick, 7);
    }
    /* a code repeated in every lane-aligned block and in the tail, nearest of all */
    for (int j = 0; j < K; j++) {
        norms[j] = 5;
        for (int i = 0; i < D; i++)
            et[i * K + j] = 0;
    }
    for (int at = 0; at < K; at += 11)
        norms[at] = 1;
    x[0] = x[1] = x[2] = 0.5f;
    assert_int_equal(vgae_kernel_nearest(x, D, et, norms, K), 0);
    norms[0] = 5;
    assert_int_equal(vgae_kernel_nearest(x, D, et, norms, K), 11);
    norms[11] = norms[22] = 5;
    assert_int_equal(vgae_kernel_nearest(x, D, et, norms, K), 33);
    x[0] = x[1] = x[2] = NAN;
    assert_int_equal(vgae_kernel_nearest(x, D, et, norms, K), 0);
}

/* The vq layer's picks over many vectors (400 code vectors, a codebook of
 * 512: the search splits over threads) equal the kernel's one vector at a
 * time, on 1 and on 2 threads. */
static void vq_picks_on_any_thread_count(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_latent_options vo = vgae_latent_defaults();
    vo.codes = 4;
    vo.codebook = 512;
    vgae_latent *l = NULL;
    assert_int_equal(vgae_latent_new_with(ctx, "vq", 16, &vo, vgae_ctx_rng(ctx, VGAE_STREAM_INIT), &l), VGAE_OK);
    vgae_mat ze = {0}, et = {0};
    assert_int_equal(vgae_mat_init(ctx, &ze, 100, 16), VGAE_OK);
    vgae_rng_normal_fill_f(vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), ze.data, 1600, 1);
    const vgae_mat *book = vgae_latent_codebook(l);
    assert_int_equal(vgae_mat_init(ctx, &et, 4, 512), VGAE_OK);
    vgae_real norms[512];
    for (int j = 0; j < 512; j++) {
        double s = 0;
        for (int i = 0; i < 4; i++) {
            et.data[i * 512 + j] = book->data[j * 4 + i];
            s += (double)book->data[j * 4 + i] * book->data[j * 4 + i];
        }
        norms[j] = (vgae_real)s;
    }
    int32_t picks[2][400];
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        assert_int_equal(vgae_latent_vq_assign(ctx, l, &ze, picks[threads - 1]), VGAE_OK);
    }
    vgae_ctx_set_threads(ctx, 1);
    int distinct = 0;
    for (int v = 0; v < 400; v++) {
        assert_int_equal(picks[0][v], vgae_kernel_nearest(ze.data + v * 4, 4, et.data, norms, 512));
        assert_int_equal(picks[0][v], picks[1][v]);
        distinct += v == 0 || picks[0][v] != picks[0][v - 1];
    }
    assert_true(distinct > 100);
    vgae_mat_destroy(&ze);
    vgae_mat_destroy(&et);
    vgae_latent_free(l);
}

/* The latent layer interface: the kinds and their heads, the Gaussian's
 * calls equal the Gaussian math they wrap, the point layer passes the mean
 * through with no KL and no density, and bad calls are refused. */
static void latent_layers(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_latent *g = NULL, *p = NULL, *bad = NULL;
    assert_int_equal(vgae_latent_new(ctx, "gaussian", 2, &g), VGAE_OK);
    assert_int_equal(vgae_latent_new(ctx, "point", 2, &p), VGAE_OK);
    assert_error_contains(ctx, vgae_latent_new(ctx, "binary", 2, &bad),
                          "unknown latent layer 'binary' (the kinds: gaussian, point, vq)");
    /* a vq layer needs a stream for its codebook, and whole code vectors */
    assert_error_contains(ctx, vgae_latent_new(ctx, "vq", 2, &bad), "needs a random stream");
    vgae_latent_options vo = vgae_latent_defaults();
    vo.codes = 3;
    assert_error_contains(ctx, vgae_latent_new_with(ctx, "vq", 8, &vo, vgae_ctx_rng(ctx, VGAE_STREAM_INIT), &bad),
                          "cannot hold 3 code vectors");
    assert_error_contains(ctx, vgae_latent_new(ctx, "point", 0, &bad), "0 dimensions");
    assert_null(bad);
    assert_string_equal(vgae_latent_kind(g), "gaussian");
    assert_int_equal(vgae_latent_heads(g), 2);
    assert_string_equal(vgae_latent_head_name(g, 1), "logvar");
    assert_null(vgae_latent_head_name(g, 2));
    assert_int_equal(vgae_latent_heads(p), 1);
    assert_true(vgae_latent_is_stochastic(g) && !vgae_latent_is_stochastic(p));
    vgae_mat mean = {0}, logvar = {0}, eps = {0}, z = {0}, z2 = {0}, dm = {0}, dl = {0}, dm2 = {0}, dl2 = {0};
    const float mv[] = {0.5f, -1, 2, 0.25f}, lv[] = {-1, 0.5f, 0, 1};
    vgae_mat *all[] = {&mean, &logvar, &eps, &z, &z2, &dm, &dl, &dm2, &dl2};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        assert_int_equal(vgae_mat_init(ctx, all[k], 2, 2), VGAE_OK);
    memcpy(mean.data, mv, sizeof mv);
    memcpy(logvar.data, lv, sizeof lv);
    const vgae_mat *heads[] = {&mean, &logvar};
    /* the Gaussian layer is the Gaussian math, bit for bit */
    vgae_rng a, b;
    vgae_rng_init(&a, 5, VGAE_STREAM_NOISE);
    b = a;
    assert_int_equal(vgae_latent_sample(ctx, g, heads, &a, &eps, &z), VGAE_OK);
    assert_int_equal(vgae_gaussian_sample(ctx, &mean, &logvar, &b, &eps, &z2), VGAE_OK);
    assert_memory_equal(z.data, z2.data, 4 * sizeof(float));
    double kl1, kl2, rows[2];
    assert_int_equal(vgae_latent_kl(ctx, g, heads, rows, &kl1), VGAE_OK);
    assert_int_equal(vgae_gaussian_kl(ctx, &mean, &logvar, NULL, &kl2), VGAE_OK);
    assert_true(kl1 == kl2 && kl1 > 0 && fabs(rows[0] + rows[1] - kl1) < 1e-12);
    vgae_mat *d_heads[] = {&dm, &dl};
    assert_int_equal(vgae_latent_backward(ctx, g, heads, &eps, &z, 0.5, d_heads), VGAE_OK);
    assert_int_equal(vgae_gaussian_backward(ctx, &mean, &logvar, &eps, &z, 0.5, &dm2, &dl2), VGAE_OK);
    assert_memory_equal(dm.data, dm2.data, 4 * sizeof(float));
    assert_memory_equal(dl.data, dl2.data, 4 * sizeof(float));
    assert_int_equal(vgae_latent_log_ratio(ctx, g, heads, &eps, &z, rows), VGAE_OK);
    /* deterministic mode: z = mean, eps = 0 */
    assert_int_equal(vgae_latent_sample(ctx, g, heads, NULL, &eps, &z), VGAE_OK);
    assert_memory_equal(z.data, mean.data, 4 * sizeof(float));
    assert_true(eps.data[0] == 0 && eps.data[3] == 0);
    /* the point layer */
    assert_int_equal(vgae_latent_sample(ctx, p, heads, &a, &eps, &z2), VGAE_OK);
    assert_memory_equal(z2.data, mean.data, 4 * sizeof(float));
    assert_int_equal(vgae_latent_kl(ctx, p, heads, rows, &kl1), VGAE_OK);
    assert_true(kl1 == 0 && rows[0] == 0 && rows[1] == 0);
    memcpy(dm.data, lv, sizeof lv);
    vgae_mat *d_point[] = {&dm};
    assert_int_equal(vgae_latent_backward(ctx, p, heads, NULL, &dm, 3.0, d_point), VGAE_OK);
    assert_memory_equal(dm.data, lv, sizeof lv); /* d mean = dz, whatever the KL weight */
    assert_error_contains(ctx, vgae_latent_log_ratio(ctx, p, heads, &eps, &z, rows), "has no density");
    /* a missing or misshapen head */
    const vgae_mat *one[] = {&mean, NULL};
    assert_error_contains(ctx, vgae_latent_sample(ctx, g, one, NULL, &eps, &z), "head 'logvar' is missing");
    vgae_mat wide = {0};
    assert_int_equal(vgae_mat_init(ctx, &wide, 2, 3), VGAE_OK);
    const vgae_mat *off[] = {&wide, &logvar};
    assert_error_contains(ctx, vgae_latent_kl(ctx, g, off, NULL, &kl1), "head 'mean' is 2 x 3, not 2 x 2");
    vgae_mat_destroy(&wide);
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        vgae_mat_destroy(all[k]);
    vgae_latent_free(g);
    vgae_latent_free(p);
}

/* Walks for pictures: the line between two codes and the grid of prior
 * quantiles, by hand. */
static void latent_walks(void **state)
{
    vgae_ctx *ctx = *state;
    const vgae_real a[] = {0, 1, -2}, b[] = {1, 3, 2};
    vgae_mat line = {0}, grid = {0};
    assert_int_equal(vgae_latent_interpolate(ctx, a, b, 3, 5, &line), VGAE_OK);
    assert_int_equal(line.rows, 5);
    for (int s = 0; s < 5; s++)
        for (int d = 0; d < 3; d++)
            assert_true(fabs(VGAE_MAT_AT(&line, s, d) - (a[d] + s / 4.0 * (b[d] - a[d]))) < 1e-6);
    assert_memory_equal(line.data, a, sizeof a); /* the ends are the codes themselves */
    assert_memory_equal(line.data + 12, b, sizeof b);
    assert_error_contains(ctx, vgae_latent_interpolate(ctx, a, b, 3, 1, &line), "steps >= 2");
    assert_int_equal(vgae_latent_grid(ctx, 3, &grid), VGAE_OK);
    assert_int_equal(grid.rows, 9);
    /* the middle is the origin; the first dimension grows to the right, the second upwards */
    assert_true(VGAE_MAT_AT(&grid, 4, 0) == 0 && VGAE_MAT_AT(&grid, 4, 1) == 0);
    const float q = (float)vgae_normal_quantile(5.0 / 6);
    assert_true(VGAE_MAT_AT(&grid, 0, 0) == -q && VGAE_MAT_AT(&grid, 0, 1) == q);
    assert_true(VGAE_MAT_AT(&grid, 8, 0) == q && VGAE_MAT_AT(&grid, 8, 1) == -q);
    assert_error_contains(ctx, vgae_latent_grid(ctx, 1, &grid), "2..100000 a side");
    vgae_mat_destroy(&line);
    vgae_mat_destroy(&grid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(philox_known_answers),
        cmocka_unit_test(rng_same_seed_reproduces),
        cmocka_unit_test_setup_teardown(rng_streams_do_not_shift_each_other, setup_ctx, teardown_ctx),
        cmocka_unit_test(rng_streams_uncorrelated),
        cmocka_unit_test(rng_normal_statistics),
        cmocka_unit_test(rng_normal_float_statistics),
        cmocka_unit_test(rng_uniform_statistics),
        cmocka_unit_test(rng_fill_independent_of_threads),
        cmocka_unit_test(rng_fill_window_is_a_slice),
        cmocka_unit_test_setup_teardown(gemm_small_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(gemm_blocks_match_reference, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(lstm_float_steps_and_threads, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(lstm_lengths_skip_padding, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(kl_closed_form, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bernoulli_kernel_accuracy, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bernoulli_extreme_logits, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(gaussian_likelihood_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(likelihood_edge_cases, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(likelihood_sums_independent_of_threads, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(adam_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test(clip_grad_norm),
        cmocka_unit_test_setup_teardown(adam_edge_cases, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(adam_reaches_minimum, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(params_list, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(glorot_bounds, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(dropout_keeps_expectation, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(elbo_terms_and_errors, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(chain_independent_of_threads, setup_ctx, teardown_ctx),
        cmocka_unit_test(normal_quantile),
        cmocka_unit_test(nearest_code_kernel),
        cmocka_unit_test_setup_teardown(vq_picks_on_any_thread_count, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(latent_layers, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(latent_walks, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
