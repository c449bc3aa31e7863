/* Tests of GCN normalization on small graphs worked by hand, and of the sparse-times-dense product. */
#include <cholmod.h>
#include <float.h>
#include <math.h>

#include "testutil.h"

/* Â[i][j] from the CSR, 0 if not stored. */
static double entry(const vgae_csr *a, int32_t i, int32_t j)
{
    for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++)
        if (a->col[p] == j)
            return a->val[p];
    return 0.0;
}

/* Compares the whole matrix with a dense expectation. Â is computed in double
 * and stored as float, so each entry is within half an ulp of float:
 * |err| <= 2^-24 |x| (FLT_EPSILON / 2). */
static void assert_matrix(const vgae_csr *a, int n, const double *want)
{
    int64_t nnz = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double w = want[i * n + j], got = entry(a, i, j);
            nnz += w != 0.0;
            if (fabs(got - w) > FLT_EPSILON / 2 * fabs(w))
                fail_msg("A[%d][%d] = %.9g, expected %.9g", i, j, got, w);
        }
    assert_int_equal(a->nnz, nnz);
    for (int i = 0; i < n; i++)
        for (int64_t p = a->rowptr[i] + 1; p < a->rowptr[i + 1]; p++)
            assert_true(a->col[p - 1] < a->col[p]);
}

static vgae_csr *normalized(vgae_ctx *ctx, int32_t n, int64_t m, const int32_t *pairs)
{
    vgae_graph *g = NULL;
    vgae_csr *a = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, n, m, pairs, 0, &g), VGAE_OK);
    assert_int_equal(vgae_gcn_normalize(ctx, g, &a), VGAE_OK);
    vgae_graph_free(g);
    return a;
}

/* Path 0-1-2-3: degrees of A + I are 2, 3, 3, 2; Â_ij = 1 / sqrt(d_i d_j). */
static const int32_t path_pairs[] = {0, 1, 1, 2, 2, 3};
#define S6 0.40824829046386301637 /* 1 / sqrt(6) */
static const double path_hat[16] = {
    1.0 / 2, S6,      0,       0,       /* */
    S6,      1.0 / 3, 1.0 / 3, 0,       /* */
    0,       1.0 / 3, 1.0 / 3, S6,      /* */
    0,       0,       S6,      1.0 / 2, /* */
};

static void path_by_hand(void **state)
{
    vgae_csr *a = normalized(*state, 4, 3, path_pairs);
    assert_matrix(a, 4, path_hat);
    vgae_csr_free(a);
}

static void star_by_hand(void **state)
{
    /* Star: centre 0 (degree 5 with its loop), leaves 1..4 (degree 2). */
    const int32_t pairs[] = {0, 1, 0, 2, 3, 0, 0, 4};
    const double c = 1 / sqrt(10.0);
    const double want[25] = {
        0.2, c,   c,   c,   c,   /* */
        c,   0.5, 0,   0,   0,   /* */
        c,   0,   0.5, 0,   0,   /* */
        c,   0,   0,   0.5, 0,   /* */
        c,   0,   0,   0,   0.5, /* */
    };
    vgae_csr *a = normalized(*state, 5, 4, pairs);
    assert_matrix(a, 5, want);
    vgae_csr_free(a);
}

static void isolated_node_by_hand(void **state)
{
    /* Edge 0-1 and isolated node 2: its only entry is its own loop, Â_22 = 1. */
    const int32_t pairs[] = {1, 0};
    const double want[9] = {0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 1};
    vgae_csr *a = normalized(*state, 3, 1, pairs);
    assert_matrix(a, 3, want);
    vgae_csr_free(a);
}

static void spmm_by_hand(void **state)
{
    /* Â (path) times X, against the product of the hand-derived Â in double.
     * Float Â (2^-24 relative) and a float sum of <= 3 terms keep each entry
     * within 5 * 2^-24 * sum|a x| <= 5 * 6e-8 * 3 < 1e-6. */
    const float x[8] = {1, 0, 0, 1, 1, 1, 2, -1};
    float y[8];
    vgae_csr *a = normalized(*state, 4, 3, path_pairs);
    assert_int_equal(vgae_csr_spmm(*state, a, x, 2, y), VGAE_OK);
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < 2; c++) {
            double want = 0;
            for (int j = 0; j < 4; j++)
                want += path_hat[i * 4 + j] * x[j * 2 + c];
            assert_float_equal(y[i * 2 + c], want, 1e-6);
        }
    vgae_csr_free(a);
}

/* Y = Â X on Cora, against CHOLMOD's cholmod_sdmult in double on the same
 * (float) matrix and X. A float sum of r terms is within about r * 2^-24 of
 * the exact sum relative to sum |a_ij x_j| (each product adds one rounding,
 * each addition one), so entry i is held to (nnz_i + 1) * 2^-24 * sum|a x|. */
static void spmm_matches_cholmod_on_cora(void **state)
{
    vgae_ctx *ctx = *state;
    char *dir = shared_dataset(ctx, "cora");
    vgae_dataset_source src = {0};
    vgae_dataset *ds = NULL;
    vgae_csr *a = NULL;
    cholmod_common cm;
    cholmod_sparse *ca;
    cholmod_dense *cx, *cy;
    const int32_t k = 16;
    float *x, *y;
    double one[2] = {1, 0}, zero[2] = {0, 0};
    uint64_t s = 42;
    if (!dir)
        skip();
    src.graph_path = dir;
    assert_int_equal(vgae_dataset_load(ctx, &src, NULL, &ds), VGAE_OK);
    assert_int_equal(vgae_gcn_normalize(ctx, ds->graph, &a), VGAE_OK);
    assert_int_equal(a->nnz, 2708 + 2 * 5278);
    const int32_t n = a->rows;
    x = malloc(sizeof *x * (size_t)n * k);
    y = malloc(sizeof *y * (size_t)n * k);
    for (int64_t i = 0; i < (int64_t)n * k; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 2 - 1);
    }
    cholmod_start(&cm);
    ca = cholmod_allocate_sparse((size_t)n, (size_t)n, (size_t)a->nnz, 1, 1, 0, CHOLMOD_REAL, &cm);
    for (int32_t i = 0; i <= n; i++)
        ((int *)ca->p)[i] = (int)a->rowptr[i];
    for (int64_t p = 0; p < a->nnz; p++) {
        ((int *)ca->i)[p] = a->col[p];
        ((double *)ca->x)[p] = a->val[p];
    }
    cx = cholmod_allocate_dense((size_t)n, (size_t)k, (size_t)n, CHOLMOD_REAL, &cm);
    cy = cholmod_zeros((size_t)n, (size_t)k, CHOLMOD_REAL, &cm);
    for (int32_t i = 0; i < n; i++)
        for (int32_t c = 0; c < k; c++)
            ((double *)cx->x)[(size_t)c * n + i] = x[(size_t)i * k + c]; /* column-major */
    /* Â is symmetric, so A' X (what CSC-as-CSR computes) equals A X. */
    assert_true(cholmod_sdmult(ca, 0, one, zero, cx, cy, &cm));
    for (int threads = 1; threads <= 2; threads++) {
        vgae_ctx_set_threads(ctx, threads);
        assert_int_equal(vgae_csr_spmm(ctx, a, x, k, y), VGAE_OK);
        for (int32_t i = 0; i < n; i++) {
            double bound_scale = (double)(a->rowptr[i + 1] - a->rowptr[i] + 1) * ldexp(1.0, -24);
            for (int32_t c = 0; c < k; c++) {
                double mag = 0;
                for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++)
                    mag += fabs(a->val[p] * x[(size_t)a->col[p] * k + c]);
                double ref = ((double *)cy->x)[(size_t)c * n + i];
                if (fabs(y[(size_t)i * k + c] - ref) > bound_scale * mag)
                    fail_msg("Y[%d][%d] = %.9g, CHOLMOD %.9g", i, c, y[(size_t)i * k + c], ref);
            }
        }
    }
    cholmod_free_sparse(&ca, &cm);
    cholmod_free_dense(&cx, &cm);
    cholmod_free_dense(&cy, &cm);
    cholmod_finish(&cm);
    free(x);
    free(y);
    vgae_csr_free(a);
    vgae_dataset_free(ds);
    free(dir);
}

static void spmm_is_the_same_on_any_thread_count(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = 3000, M = 20000, K = 24 };
    int32_t *pairs = malloc(sizeof *pairs * 2 * M);
    float *x = malloc(sizeof *x * N * K), *y1 = malloc(sizeof *y1 * N * K), *y2 = malloc(sizeof *y2 * N * K);
    uint64_t s = 7;
    vgae_csr *a;
    for (int e = 0; e < 2 * M; e++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        pairs[e] = (int32_t)((s >> 33) % N);
    }
    for (int i = 0; i < N * K; i++)
        x[i] = (float)(i % 17) - 8.5f;
    a = normalized(ctx, N, M, pairs);
    vgae_ctx_set_threads(ctx, 1);
    assert_int_equal(vgae_csr_spmm(ctx, a, x, K, y1), VGAE_OK);
    vgae_ctx_set_threads(ctx, 2);
    assert_int_equal(vgae_csr_spmm(ctx, a, x, K, y2), VGAE_OK);
    assert_memory_equal(y1, y2, sizeof *y1 * N * K);
    vgae_csr_free(a);
    free(pairs);
    free(x);
    free(y1);
    free(y2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(path_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(star_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(isolated_node_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(spmm_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(spmm_matches_cholmod_on_cora, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(spmm_is_the_same_on_any_thread_count, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
