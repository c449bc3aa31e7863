/* MatrixMarket reader: banner, size line and entries into triplets, with checks. */
#ifndef VGAE_MTX_H
#define VGAE_MTX_H

#include <stdint.h>
#include "vgae/core/context.h"

typedef enum vgae_mtx_field { VGAE_MTX_PATTERN, VGAE_MTX_REAL, VGAE_MTX_INTEGER } vgae_mtx_field;

/* Entries as stored in the file, 0-based. A symmetric matrix is NOT expanded:
 * each stored entry (i, j) also stands for (j, i). `array` files keep only
 * their nonzero values. Every value is finite. */
typedef struct vgae_mtx {
    int32_t rows, cols;
    int64_t nnz;    /* entries held below */
    int is_array;   /* the file was `array` (dense) rather than `coordinate` */
    int symmetric;
    vgae_mtx_field field;
    int32_t *row;
    int32_t *col;
    double *val;    /* NULL for pattern */
} vgae_mtx;

/* Reads a MatrixMarket `matrix` file (coordinate or array; pattern, real
 * or integer; general or symmetric), plain or gzip. Anything else, and any
 * malformed line, is an error naming the file and line. */
vgae_status vgae_mtx_read(vgae_ctx *ctx, const char *path, vgae_mtx **out);
void vgae_mtx_free(vgae_mtx *m);

#endif
