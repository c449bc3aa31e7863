/* Image data sets in the IDX format (MNIST, Fashion-MNIST): images as floats in [0,1], with their labels. */
#ifndef VGAE_IO_IMAGES_H
#define VGAE_IO_IMAGES_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vgae_images {
    int64_t n;             /* images */
    int32_t height, width;
    float *pixels;         /* n * height * width, row-major per image, scaled to [0,1] (byte / 255) */
    uint8_t *labels;       /* n labels, or NULL */
    char *folder;          /* the folder read by vgae_images_read_split, as an absolute path;
                              NULL for vgae_images_read */
} vgae_images;

/* Reads images (idx3, magic 0x00000803: unsigned bytes, 3 dimensions n x height x width) and,
 * when labels_path is not NULL, labels (idx1, magic 0x00000801: n unsigned bytes). Either file
 * may be plain or gzip-compressed (told from its content, not its name). On success *out owns
 * the result (vgae_images_free); on error *out is NULL.
 *
 * Errors name the file. VGAE_ENOTFOUND / VGAE_EIO: missing or unreadable ("cannot open: ...").
 * VGAE_EFORMAT: an empty file, corrupt or truncated gzip data, a wrong magic ("not an IDX image
 * file (magic 0x...)", "not an IDX label file ..."), a data type other than unsigned byte, a
 * dimension of 0, absurd dimensions (2^31 or more pixels per image, or more than 2^34 in
 * all), truncated data ("truncated: 47040000 pixel bytes expected, 1000 present"), bytes after
 * the data. VGAE_EINVAL: a label count that differs from the image count ("10000 labels for
 * 60000 images"). VGAE_ENOMEM. */
VGAE_EXPORT vgae_status vgae_images_read(vgae_ctx *ctx, const char *images_path, const char *labels_path,
                             vgae_images **out);
/* Frees images and everything they hold; accepts NULL. */
VGAE_EXPORT void vgae_images_free(vgae_images *im);

/* Reads a split of an MNIST-style folder: DIR/WHICH-images-idx3-ubyte and
 * DIR/WHICH-labels-idx1-ubyte, each also found with ".gz" and spelled with a dot
 * (WHICH-images.idx3-ubyte), tried in that order. which is "train" or "t10k" ("test" is taken
 * as "t10k"). Both files must be there: VGAE_ENOTFOUND names the folder and the file missing;
 * VGAE_EINVAL for another which. Then as vgae_images_read. */
VGAE_EXPORT vgae_status vgae_images_read_split(vgae_ctx *ctx, const char *dir, const char *which,
                                   vgae_images **out);

/* Replaces every pixel v with 1 with probability v, else 0: one fixed
 * draw from sub-stream 1 of the DATA stream of `seed` (the usual
 * binarized test set of dynamic binarization; the same seed gives the
 * same pixels). O(pixels). */
VGAE_EXPORT void vgae_images_binarize(vgae_images *im, uint64_t seed);
/* The number of classes the labels name: the largest label + 1; 0 without labels. */
VGAE_EXPORT int vgae_images_classes(const vgae_images *im);

#ifdef __cplusplus
}
#endif
#endif
