/* Compact CSR sparse matrix and the sparse-times-dense product used on the hot path. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/csr.h"

vgae_status vgae_csr_new(vgae_ctx *ctx, int32_t rows, int32_t cols, int64_t nnz, vgae_csr **out)
{
    vgae_csr *a;
    *out = NULL;
    if (rows < 0 || cols < 0 || nnz < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "sparse matrix of %d x %d with %lld entries", rows, cols,
                         (long long)nnz);
    a = vgae_calloc(ctx, 1, sizeof *a);
    if (!a)
        return VGAE_ENOMEM;
    a->rows = rows;
    a->cols = cols;
    a->nnz = nnz;
    a->rowptr = vgae_calloc(ctx, (size_t)rows + 1, sizeof *a->rowptr);
    a->col = vgae_alloc(ctx, (size_t)nnz, sizeof *a->col);
    a->val = vgae_alloc(ctx, (size_t)nnz, sizeof *a->val);
    if (!a->rowptr || !a->col || !a->val) {
        vgae_csr_free(a);
        return VGAE_ENOMEM;
    }
    *out = a;
    return VGAE_OK;
}

void vgae_csr_free(vgae_csr *a)
{
    if (!a)
        return;
    free(a->rowptr);
    free(a->col);
    free(a->val);
    free(a);
}

/* Columns per block: a block's sums stay in registers while a row's entries
 * stream past (16 floats = one AVX-512 or two AVX2 vectors). */
#define SPMM_BLOCK 16

/* One output row: y_i = sum_p val[p] * x[col[p]], in the stored order. The
 * terms of a row are few (its degree), so a float accumulator loses at most
 * about deg * 2^-24 relative to the sum of absolute terms. */
static void spmm_row(const vgae_csr *a, const float *restrict x, int32_t k, int32_t i, float *restrict yi)
{
    const int64_t begin = a->rowptr[i], end = a->rowptr[i + 1];
    const int32_t *restrict col = a->col;
    const float *restrict val = a->val;
    int32_t c0 = 0;
    for (; c0 + SPMM_BLOCK <= k; c0 += SPMM_BLOCK) {
        float acc[SPMM_BLOCK] = {0};
        for (int64_t p = begin; p < end; p++) {
            const float v = val[p];
            const float *restrict xj = x + (size_t)col[p] * (size_t)k + c0;
            for (int c = 0; c < SPMM_BLOCK; c++)
                acc[c] += v * xj[c];
        }
        memcpy(yi + c0, acc, sizeof acc);
    }
    if (c0 < k) {
        const int32_t rest = k - c0;
        memset(yi + c0, 0, (size_t)rest * sizeof *yi);
        for (int64_t p = begin; p < end; p++) {
            const float v = val[p];
            const float *restrict xj = x + (size_t)col[p] * (size_t)k + c0;
            for (int32_t c = 0; c < rest; c++)
                yi[c0 + c] += v * xj[c];
        }
    }
}

vgae_status vgae_csr_spmm(vgae_ctx *ctx, const vgae_csr *a, const float *x, int32_t k, float *y)
{
    const int threads = vgae_ctx_threads(ctx);
    if (k < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "spmm with %d columns", k);
    if (k == 0 || a->rows == 0)
        return VGAE_OK;
    /* Small products are not worth waking threads for. */
#pragma omp parallel for schedule(static, 64) num_threads(threads) if (threads > 1 && a->nnz * (int64_t)k > 65536)
    for (int32_t i = 0; i < a->rows; i++)
        spmm_row(a, x, k, i, y + (size_t)i * (size_t)k);
    return VGAE_OK;
}
