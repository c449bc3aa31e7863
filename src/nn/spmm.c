/* The sparse-times-dense product Y = A X of the hot path, over vgae_real. */
#include <string.h>

#include "nn/internal.h"
#include "vgae/nn/sparse.h"

/* Columns per block: a block's sums stay in registers while a row's entries
 * stream past (32 floats = two AVX-512, four AVX2 or eight SSE vectors). */
#define SPMM_BLOCK 32
/* On a large graph the rows of X that a row of A picks are scattered over
 * more memory than the caches hold, and each costs a trip to DRAM: fetch
 * them this many entries ahead so that those trips overlap. */
#define SPMM_AHEAD 64
/* At most this many bytes of each X row are fetched ahead. */
#define SPMM_AHEAD_BYTES 256

/* y[c0 .. c0+w) of one row: y_ic = sum_p val[p] * x[col[p]][c], in the
 * stored order. w is a constant at the calls that matter (SPMM_BLOCK, 16),
 * so that the compiler keeps acc in registers. With `ahead`, X's rows for
 * the entries SPMM_AHEAD further on are prefetched. A float accumulator
 * loses at most about (terms of the row) * 2^-24 relative to the sum of
 * absolute terms. */
static inline void spmm_cols(const vgae_csr *a, const vgae_real *restrict x, int32_t k, int32_t i,
                             int32_t c0, int32_t w, int ahead, vgae_real *restrict yi)
{
    const int64_t begin = a->rowptr[i], end = a->rowptr[i + 1];
    const int32_t *restrict col = a->col;
    const float *restrict val = a->val;
    const size_t row_bytes = (size_t)k * sizeof *x;
    const size_t fetch = row_bytes < SPMM_AHEAD_BYTES ? row_bytes : SPMM_AHEAD_BYTES;
    vgae_real acc[SPMM_BLOCK] = {0};
    for (int64_t p = begin; p < end; p++) {
        if (ahead && p + SPMM_AHEAD < a->nnz) {
            const char *next = (const char *)(x + (size_t)col[p + SPMM_AHEAD] * (size_t)k);
            for (size_t b = 0; b < fetch; b += 64)
                __builtin_prefetch(next + b);
        }
        const vgae_real v = val[p];
        const vgae_real *restrict xj = x + (size_t)col[p] * (size_t)k + c0;
        for (int32_t c = 0; c < w; c++)
            acc[c] += v * xj[c];
    }
    memcpy(yi + c0, acc, (size_t)w * sizeof *yi);
}

/* One output row, in column blocks; X's rows are fetched ahead in the
 * first block only (the others find them in the cache). */
static void spmm_row(const vgae_csr *a, const vgae_real *restrict x, int32_t k, int32_t i,
                     vgae_real *restrict yi)
{
    int32_t c0 = 0;
    for (; c0 + SPMM_BLOCK <= k; c0 += SPMM_BLOCK)
        spmm_cols(a, x, k, i, c0, SPMM_BLOCK, c0 == 0, yi);
    if (c0 + 16 <= k) {
        spmm_cols(a, x, k, i, c0, 16, c0 == 0, yi);
        c0 += 16;
    }
    if (c0 < k)
        spmm_cols(a, x, k, i, c0, k - c0, c0 == 0, yi);
}

vgae_status vgae_csr_spmm(vgae_ctx *ctx, const vgae_csr *a, const vgae_real *x, int32_t k, vgae_real *y)
{
    const int threads = vgae_ctx_threads(ctx);
    if (k < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "spmm with %d columns", k);
    if (k == 0 || a->rows == 0)
        return VGAE_OK;
    /* Rows are independent, so any schedule gives the same bits; dynamic
     * evens out rows of very different lengths (hubs). Small products are
     * not worth waking threads for. */
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads) if (threads > 1 && a->nnz * (int64_t)k > 65536)
    for (int32_t i = 0; i < a->rows; i++)
        spmm_row(a, x, k, i, y + (size_t)i * (size_t)k);
    return VGAE_OK;
}
