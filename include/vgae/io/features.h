/* Node features and node labels read from files. */
#ifndef VGAE_IO_FEATURES_H
#define VGAE_IO_FEATURES_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/nn/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a node-feature matrix (rows = nodes) from MatrixMarket, sparse
 * `coordinate` or dense `array`, real or integer (pattern reads as 1),
 * optionally gzip-compressed. Zeros are not stored. Values must be finite. */
VGAE_EXPORT vgae_status vgae_features_read(vgae_ctx *ctx, const char *path, vgae_csr **out);

/* Node labels: y[i] is the class of node i, or -1 if unknown. */
typedef struct vgae_labels {
    int32_t n;
    int32_t *y;
    int32_t n_classes;    /* number of distinct classes present */
    int32_t n_unlabelled; /* nodes with -1 */
} vgae_labels;

/* Reads labels from a text file with one integer per line (-1 = unknown). */
VGAE_EXPORT vgae_status vgae_labels_read(vgae_ctx *ctx, const char *path, vgae_labels **out);
/* Frees labels; accepts NULL. */
VGAE_EXPORT void vgae_labels_free(vgae_labels *labels);

#ifdef __cplusplus
}
#endif
#endif
