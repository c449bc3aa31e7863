/* Dense matrices: allocation, copies, shape checks and the GEMM wrapper. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nn/internal.h"

/* Rows (or columns) of C per block of a threaded product, and the work
 * (multiply-adds) below which a product runs on one thread. */
#define GEMM_BLOCK 256
#define GEMM_PARALLEL_MIN (1 << 20)

vgae_status vgae_mat_init(vgae_ctx *ctx, vgae_mat *m, int64_t rows, int64_t cols)
{
    m->rows = m->cols = 0;
    m->data = NULL;
    if (rows < 0 || cols < 0 || (cols > 0 && rows > INT64_MAX / cols))
        return vgae_fail(ctx, VGAE_EINVAL, "matrix shape %lld x %lld is invalid", (long long)rows,
                         (long long)cols);
    size_t count = (size_t)rows * (size_t)cols;
    if (count > 0) {
        if (count > (SIZE_MAX - 63) / sizeof(vgae_real))
            return vgae_fail(ctx, VGAE_ENOMEM, "a %lld x %lld matrix does not fit in memory",
                             (long long)rows, (long long)cols);
        m->data = vgae_alloc_zeroed(ctx, count * sizeof(vgae_real));
        if (!m->data)
            return vgae_fail(ctx, VGAE_ENOMEM, "out of memory for a %lld x %lld matrix",
                             (long long)rows, (long long)cols);
    }
    m->rows = rows;
    m->cols = cols;
    return VGAE_OK;
}

void vgae_mat_destroy(vgae_mat *m)
{
    if (!m)
        return;
    free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
}

vgae_status vgae_mat_ensure(vgae_ctx *ctx, vgae_mat *m, int64_t rows, int64_t cols)
{
    if (m->rows == rows && m->cols == cols)
        return VGAE_OK;
    vgae_mat_destroy(m);
    return vgae_mat_init(ctx, m, rows, cols);
}

void vgae_mat_zero(vgae_mat *m)
{
    if (m->data)
        memset(m->data, 0, (size_t)vgae_mat_size(m) * sizeof(vgae_real));
}

vgae_status vgae_mat_check_same(vgae_ctx *ctx, const char *what, const vgae_mat *a, const vgae_mat *b)
{
    if (a->rows == b->rows && a->cols == b->cols)
        return VGAE_OK;
    return vgae_fail(ctx, VGAE_EINVAL, "%s: shapes differ, %lld x %lld and %lld x %lld", what,
                     (long long)a->rows, (long long)a->cols, (long long)b->rows, (long long)b->cols);
}

vgae_status vgae_mat_check_shapes(vgae_ctx *ctx, const char *what, int count,
                                  const vgae_mat *const *mats)
{
    for (int i = 1; i < count; i++)
        if (mats[i]) {
            vgae_status st = vgae_mat_check_same(ctx, what, mats[0], mats[i]);
            if (st)
                return st;
        }
    return VGAE_OK;
}

vgae_status vgae_mat_copy(vgae_ctx *ctx, vgae_mat *dst, const vgae_mat *src)
{
    vgae_status st = vgae_mat_check_same(ctx, "matrix copy", dst, src);
    if (st == VGAE_OK && dst->data != src->data && src->data) /* a view of the same storage: nothing to do */
        memcpy(dst->data, src->data, (size_t)vgae_mat_size(src) * sizeof(vgae_real));
    return st;
}

/* A product's split into fixed blocks of C: GEMM_BLOCK rows, or columns
 * when C is wider than tall and too short to split by rows, or when it is
 * wider than tall and the inner dimension k is at least its width; a split
 * that depends on the shape only. (Row blocks of row-major C are
 * contiguous: two threads on column blocks of a 400 x 784 C reach 1.4
 * times one thread's speed, on row blocks 1.7 times. But each block's call
 * packs all of op(B) with row blocks, all of op(A) with column blocks,
 * which costs most when k is long: for an LSTM's weights' gradient, 288 x
 * 1024 over k = 2240, column blocks ran 9% faster.) */
typedef struct {
    int by_rows;
    int64_t len, size, blocks;
} gemm_split;

static gemm_split split_of(int64_t m, int64_t n, int64_t k)
{
    gemm_split s;
    s.by_rows = m >= n || (m > GEMM_BLOCK && k < n);
    /* blocks of at most GEMM_BLOCK, as even as multiples of 16 allow (784
     * columns: 4 x 196, not 3 x 256 + 16), so that threads finish together */
    s.len = s.by_rows ? m : n;
    const int64_t count0 = (s.len + GEMM_BLOCK - 1) / GEMM_BLOCK;
    s.size = ((s.len + count0 - 1) / count0 + 15) / 16 * 16;
    s.blocks = (s.len + s.size - 1) / s.size;
    return s;
}

/* Checks a product's shapes; *work receives m n k (0: nothing for the BLAS
 * to do, C already done). */
static vgae_status gemm_check(vgae_ctx *ctx, const vgae_gemm_job *j, double *work)
{
    const vgae_mat *a = j->a, *b = j->b;
    vgae_mat *c = j->c;
    int64_t m = j->trans_a ? a->cols : a->rows, k = j->trans_a ? a->rows : a->cols;
    int64_t kb = j->trans_b ? b->cols : b->rows, n = j->trans_b ? b->rows : b->cols;
    *work = 0;
    if (k != kb || c->rows != m || c->cols != n)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "gemm: op(A) is %lld x %lld, op(B) %lld x %lld, C %lld x %lld",
                         (long long)m, (long long)k, (long long)kb, (long long)n,
                         (long long)c->rows, (long long)c->cols);
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX || a->cols > INT_MAX || b->cols > INT_MAX)
        return vgae_fail(ctx, VGAE_ERANGE, "gemm: dimensions beyond the BLAS's 32-bit range");
    if (m == 0 || n == 0)
        return VGAE_OK;
    if (k == 0) { /* C = beta C; the BLAS would not be called with empty inner products */
        for (int64_t i = 0; i < m * n; i++)
            c->data[i] = j->beta == 0.0 ? 0 : (vgae_real)(j->beta * c->data[i]);
        return VGAE_OK;
    }
    *work = (double)m * (double)n * (double)k;
    return VGAE_OK;
}

/* Block blk of product j, by one single-threaded BLAS call. */
static void gemm_block(const vgae_gemm_job *j, const gemm_split *s, int64_t blk)
{
    const vgae_mat *a = j->a, *b = j->b;
    const int64_t m = j->trans_a ? a->cols : a->rows, n = j->c->cols, k = j->trans_a ? a->rows : a->cols;
    const int lda = (int)a->cols, ldb = (int)b->cols, ldc = (int)n;
    const int64_t first = blk * s->size;
    const int count = (int)(s->len - first < s->size ? s->len - first : s->size);
    /* the rows first.. of C come from rows (or, transposed, columns) of A;
     * its columns from columns (or rows) of B */
    const vgae_real *ab = a->data, *bb = b->data;
    vgae_real *cb = j->c->data;
    if (s->by_rows) {
        ab += j->trans_a ? first : first * lda;
        cb += first * ldc;
    } else {
        bb += j->trans_b ? first * ldb : first;
        cb += first;
    }
    VGAE_BLAS(gemm)(CblasRowMajor, j->trans_a ? CblasTrans : CblasNoTrans,
                    j->trans_b ? CblasTrans : CblasNoTrans, s->by_rows ? count : (int)m,
                    s->by_rows ? (int)n : count, (int)k, (vgae_real)j->alpha, ab, lda, bb, ldb,
                    (vgae_real)j->beta, cb, ldc);
}

vgae_status vgae_gemm_batch(vgae_ctx *ctx, int count, const vgae_gemm_job *jobs)
{
    /* OpenBLAS 0.3.21 gives different bits on different thread counts, so
     * it runs on one thread (see vgae_ctx_new) and the threads share fixed
     * blocks of C instead. Each element is then always computed by the same
     * single-threaded call. The blocks of all the products are one list,
     * so that independent products share one parallel loop. */
    enum { MAX_JOBS = 32 };
    if (count < 0 || count > MAX_JOBS)
        return vgae_fail(ctx, VGAE_EINVAL, "gemm: %d products at once (0..%d)", count, (int)MAX_JOBS);
    gemm_split split[MAX_JOBS];
    int64_t start[MAX_JOBS + 1];
    double work = 0.0;
    start[0] = 0;
    for (int i = 0; i < count; i++) {
        double w;
        vgae_status st = gemm_check(ctx, &jobs[i], &w);
        if (st)
            return st;
        split[i] = split_of(jobs[i].c->rows, jobs[i].c->cols,
                            jobs[i].trans_a ? jobs[i].a->rows : jobs[i].a->cols);
        if (w == 0.0)
            split[i].blocks = 0;
        start[i + 1] = start[i] + split[i].blocks;
        work += w;
    }
    const int64_t blocks = start[count];
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && blocks > 1 && work >= GEMM_PARALLEL_MIN)
    for (int64_t blk = 0; blk < blocks; blk++) {
        int i = 0;
        while (blk >= start[i + 1])
            i++;
        gemm_block(&jobs[i], &split[i], blk - start[i]);
    }
    return VGAE_OK;
}

vgae_status vgae_gemm(vgae_ctx *ctx, vgae_trans trans_a, vgae_trans trans_b, double alpha,
                      const vgae_mat *a, const vgae_mat *b, double beta, vgae_mat *c)
{
    const vgae_gemm_job job = {trans_a, trans_b, alpha, a, b, beta, c};
    return vgae_gemm_batch(ctx, 1, &job);
}
