/* Dense row-major matrices of vgae_real and the GEMM that multiplies them (OpenBLAS). */
#ifndef VGAE_NN_DENSE_H
#define VGAE_NN_DENSE_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/nn/real.h"

#ifdef __cplusplus
extern "C" {
#endif

/* rows x cols, element (i, j) at data[i * cols + j]. Owned by whoever
 * called vgae_mat_init; a zero-filled struct is a valid empty matrix. */
typedef struct vgae_mat {
    int64_t rows, cols;
    vgae_real *data; /* 64-byte aligned; NULL when empty */
} vgae_mat;

#define VGAE_MAT_AT(m, i, j) ((m)->data[(int64_t)(i) * (m)->cols + (j)])

/* Allocates a zero-filled rows x cols matrix. */
VGAE_EXPORT vgae_status vgae_mat_init(vgae_ctx *ctx, vgae_mat *m, int64_t rows, int64_t cols);
/* Frees the elements and leaves an empty matrix; accepts NULL and empty matrices. */
VGAE_EXPORT void vgae_mat_destroy(vgae_mat *m);
/* Makes m rows x cols, reallocating only if the shape changes; the contents
 * are zero after a reallocation and kept otherwise. */
VGAE_EXPORT vgae_status vgae_mat_ensure(vgae_ctx *ctx, vgae_mat *m, int64_t rows, int64_t cols);
static inline int64_t vgae_mat_size(const vgae_mat *m)
{
    return m->rows * m->cols;
}
VGAE_EXPORT void vgae_mat_zero(vgae_mat *m);
/* dst = src; dst must have src's shape. */
VGAE_EXPORT vgae_status vgae_mat_copy(vgae_ctx *ctx, vgae_mat *dst, const vgae_mat *src);
/* VGAE_EINVAL with a message naming `what` unless a and b have the same shape. */
VGAE_EXPORT vgae_status vgae_mat_check_same(vgae_ctx *ctx, const char *what, const vgae_mat *a, const vgae_mat *b);

typedef enum vgae_trans { VGAE_NO_TRANS = 0, VGAE_TRANS = 1 } vgae_trans;

/* C = alpha op(A) op(B) + beta C, op being the identity or the transpose.
 * Checks the shapes (VGAE_EINVAL). Large products are split into blocks of
 * at most 256 rows of C (of columns, when C is wider than tall and at most
 * 256 rows high), fixed by the shape, that the context's threads share,
 * each block one single-threaded OpenBLAS call: the same bits on any thread
 * count. Inside a parallel region of the caller's, the product runs on the
 * calling thread. */
VGAE_EXPORT vgae_status vgae_gemm(vgae_ctx *ctx, vgae_trans trans_a, vgae_trans trans_b, double alpha,
                      const vgae_mat *a, const vgae_mat *b, double beta, vgae_mat *c);

/* The instruction set of the core's own vectorized element-wise kernels
 * (the full loss, Bernoulli terms, Adam), picked for this CPU when the
 * library loads: "x86-64-v4 (AVX-512)", "x86-64-v3 (AVX2, FMA)" or
 * "x86-64 (SSE2)". Every choice gives the same bits. */
VGAE_EXPORT const char *vgae_kernel_isa(void);

#ifdef __cplusplus
}
#endif
#endif
