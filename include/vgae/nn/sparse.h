/* Compact CSR sparse matrix (float values) and its product with row-major dense matrices. */
#ifndef VGAE_NN_SPARSE_H
#define VGAE_NN_SPARSE_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/nn/dense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Row i holds col[rowptr[i] .. rowptr[i+1]-1] (ascending) with values val[...]. */
typedef struct vgae_csr {
    int32_t rows, cols;
    int64_t nnz;
    int64_t *rowptr; /* rows + 1 */
    int32_t *col;    /* nnz */
    float *val;      /* nnz */
} vgae_csr;

/* Allocates a rows x cols matrix with room for nnz entries; rowptr is zeroed. */
VGAE_EXPORT vgae_status vgae_csr_new(vgae_ctx *ctx, int32_t rows, int32_t cols, int64_t nnz, vgae_csr **out);
/* Frees a matrix; accepts NULL. */
VGAE_EXPORT void vgae_csr_free(vgae_csr *a);
/* A copy of a (same structure and values). O(nnz + rows). */
VGAE_EXPORT vgae_status vgae_csr_copy(vgae_ctx *ctx, const vgae_csr *a, vgae_csr **out);
/* A CRC-32 (zlib) of the matrix: rows, cols and nnz, the row pointers,
 * then each entry's column and value bits, all little-endian; 0 for NULL.
 * Model files record it for their features. O(nnz + rows). */
VGAE_EXPORT uint32_t vgae_csr_checksum(const vgae_csr *a);

/* Y = A X, with X (a->cols x k) and Y (a->rows x k) dense, row-major,
 * contiguous. Rows of Y are computed independently on vgae_ctx_threads
 * threads, each summed in a fixed order, so the result does not depend on
 * the thread count. O(nnz k). */
VGAE_EXPORT vgae_status vgae_csr_spmm(vgae_ctx *ctx, const vgae_csr *a, const vgae_real *x, int32_t k,
                          vgae_real *y);

/* The transpose, rows in ascending column order. O(nnz + rows + cols). */
VGAE_EXPORT vgae_status vgae_csr_transpose(vgae_ctx *ctx, const vgae_csr *a, vgae_csr **out);

#ifdef __cplusplus
}
#endif
#endif
