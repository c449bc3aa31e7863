/* Compact CSR sparse matrices: allocation, copy, transpose, checksum (the product is in spmm.c). */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "vgae/nn/sparse.h"

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

vgae_status vgae_csr_transpose(vgae_ctx *ctx, const vgae_csr *a, vgae_csr **out)
{
    vgae_csr *t = NULL;
    vgae_status st = vgae_csr_new(ctx, a->cols, a->rows, a->nnz, &t);
    if (st)
        return st;
    /* count the entries of each column, then place them row by row: each
     * row of the transpose comes out in ascending column order */
    for (int64_t p = 0; p < a->nnz; p++)
        t->rowptr[a->col[p] + 1]++;
    for (int32_t j = 0; j < a->cols; j++)
        t->rowptr[j + 1] += t->rowptr[j];
    int64_t *next = vgae_alloc(ctx, (size_t)a->cols + 1, sizeof *next);
    if (!next) {
        vgae_csr_free(t);
        return VGAE_ENOMEM;
    }
    memcpy(next, t->rowptr, ((size_t)a->cols + 1) * sizeof *next);
    for (int32_t i = 0; i < a->rows; i++)
        for (int64_t p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) {
            int64_t q = next[a->col[p]]++;
            t->col[q] = i;
            t->val[q] = a->val[p];
        }
    free(next);
    *out = t;
    return VGAE_OK;
}

vgae_status vgae_csr_copy(vgae_ctx *ctx, const vgae_csr *a, vgae_csr **out)
{
    vgae_status st = vgae_csr_new(ctx, a->rows, a->cols, a->nnz, out);
    if (st)
        return st;
    memcpy((*out)->rowptr, a->rowptr, ((size_t)a->rows + 1) * sizeof *a->rowptr);
    if (a->nnz) {
        memcpy((*out)->col, a->col, (size_t)a->nnz * sizeof *a->col);
        memcpy((*out)->val, a->val, (size_t)a->nnz * sizeof *a->val);
    }
    return VGAE_OK;
}

uint32_t vgae_csr_checksum(const vgae_csr *a)
{
    if (!a)
        return 0;
    vgae_crc c;
    vgae_crc_start(&c);
    vgae_crc_le(&c, (uint64_t)a->rows, 8);
    vgae_crc_le(&c, (uint64_t)a->cols, 8);
    vgae_crc_le(&c, (uint64_t)a->nnz, 8);
    for (int32_t r = 0; r <= a->rows; r++)
        vgae_crc_le(&c, (uint64_t)a->rowptr[r], 8);
    for (int64_t p = 0; p < a->nnz; p++) {
        uint32_t v;
        memcpy(&v, &a->val[p], 4);
        vgae_crc_le(&c, (uint32_t)a->col[p], 4);
        vgae_crc_le(&c, v, 4);
    }
    return vgae_crc_end(&c);
}
