/* The sparse-times-dense product Y = A X of the hot path, over vgae_real. */
#include <string.h>

#include "nn/nn_internal.h"
#include "vgae/csr.h"

/* Columns per block: a block's sums stay in registers while a row's entries
 * stream past (16 floats = one AVX-512 or two AVX2 vectors). */
#define SPMM_BLOCK 16

/* One output row: y_i = sum_p val[p] * x[col[p]], in the stored order. A
 * float accumulator loses at most about (terms of the row) * 2^-24 relative
 * to the sum of absolute terms. */
static void spmm_row(const vgae_csr *a, const vgae_real *restrict x, int32_t k, int32_t i, vgae_real *restrict yi)
{
    const int64_t begin = a->rowptr[i], end = a->rowptr[i + 1];
    const int32_t *restrict col = a->col;
    const float *restrict val = a->val;
    int32_t c0 = 0;
    for (; c0 + SPMM_BLOCK <= k; c0 += SPMM_BLOCK) {
        vgae_real acc[SPMM_BLOCK] = {0};
        for (int64_t p = begin; p < end; p++) {
            const float v = val[p];
            const vgae_real *restrict xj = x + (size_t)col[p] * (size_t)k + c0;
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
            const vgae_real *restrict xj = x + (size_t)col[p] * (size_t)k + c0;
            for (int32_t c = 0; c < rest; c++)
                yi[c0 + c] += v * xj[c];
        }
    }
}

vgae_status vgae_csr_spmm(vgae_ctx *ctx, const vgae_csr *a, const vgae_real *x, int32_t k, vgae_real *y)
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
