/* Helpers shared by the dense core's files: BLAS by element type, fixed-order parallel sums. */
#ifndef VGAE_NN_INTERNAL_H
#define VGAE_NN_INTERNAL_H

#include <float.h>
#include <stdint.h>
#include <cblas.h>

#include "core/internal.h"
#include "vgae/nn/dense.h"
#include "vgae/nn/optim.h"

/* VGAE_REAL_DOUBLE: the test suite's double-precision build of the core,
 * which also puts its own vgae/nn/real.h (vgae_real = double) first on the
 * include path. */
#ifdef VGAE_REAL_DOUBLE
_Static_assert(sizeof(vgae_real) == sizeof(double), "the double build needs its own vgae/nn/real.h");
#define VGAE_BLAS(name) cblas_d##name
#define VGAE_REAL_MAX DBL_MAX
#define vgae_rng_normal_fill_real vgae_rng_normal_fill_d
#define vgae_rng_uniform_fill_real vgae_rng_uniform_fill_d
#else
_Static_assert(sizeof(vgae_real) == sizeof(float), "vgae_real is float in the library");
#define VGAE_BLAS(name) cblas_s##name
#define VGAE_REAL_MAX FLT_MAX
#define vgae_rng_normal_fill_real vgae_rng_normal_fill_f
#define vgae_rng_uniform_fill_real vgae_rng_uniform_fill_f
#endif

/* VGAE_EINVAL naming `what` unless every non-NULL matrix has the shape of
 * the first: VGAE_CHECK_SHAPES(ctx, "dropout", x, y, mask). */
vgae_status vgae_mat_check_shapes(vgae_ctx *ctx, const char *what, int count,
                                  const vgae_mat *const *mats);
#define VGAE_CHECK_SHAPES(ctx, what, ...)                                                   \
    vgae_mat_check_shapes((ctx), (what),                                                  \
                          (int)(sizeof((const vgae_mat *[]){__VA_ARGS__}) / sizeof(vgae_mat *)), \
                          (const vgae_mat *[]){__VA_ARGS__})

/* Parallel reductions split [0, n) into VGAE_CHUNKS fixed chunks, sum each
 * in double, then add the chunk sums in chunk order: the result does not
 * depend on how many threads took the chunks. */
#define VGAE_CHUNKS 64
static inline int64_t vgae_chunk_start(int64_t n, int c)
{
    return n / VGAE_CHUNKS * c + n % VGAE_CHUNKS * c / VGAE_CHUNKS;
}
static inline double vgae_sum_chunks(const double part[VGAE_CHUNKS])
{
    double s = 0.0;
    for (int c = 0; c < VGAE_CHUNKS; c++)
        s += part[c];
    return s;
}
/* The column sums of g (rows x cols) added to db (1 x cols; add 0:
 * written over it), each in double and in row order: a linear layer's
 * bias gradient. */
void vgae_column_sums(vgae_ctx *ctx, const vgae_mat *g, vgae_mat *db, int add);

/* Several independent products C = alpha op(A) op(B) + beta C at once:
 * the fixed blocks of vgae_gemm, of all of them, in one parallel loop (at
 * most 32 products; no C may be an input of another). */
typedef struct vgae_gemm_job {
    vgae_trans trans_a, trans_b;
    double alpha;
    const vgae_mat *a, *b;
    double beta;
    vgae_mat *c;
} vgae_gemm_job;
vgae_status vgae_gemm_batch(vgae_ctx *ctx, int count, const vgae_gemm_job *jobs);

/* Rows r0..r0+rows-1 of m as a matrix of their own (a view: not to be destroyed). */
static inline vgae_mat vgae_mat_rows(const vgae_mat *m, int64_t r0, int64_t rows)
{
    return (vgae_mat){rows, m->cols, m->data + r0 * m->cols};
}

/* Below this many elements a loop runs on one thread. */
#define VGAE_PARALLEL_MIN 32768

/* A parameter list walked in parts of VGAE_PARAM_PART elements from each
 * parameter's start (work split alike at any thread count): how many parts,
 * and part q's parameter, its first element there, its length and where the
 * parameter starts among all the list's elements. */
#define VGAE_PARAM_PART 16384
int64_t vgae_params_parts(const vgae_params *list);
int vgae_params_part(const vgae_params *list, int64_t q, int64_t *first, int64_t *len, int64_t *offset);

#endif
