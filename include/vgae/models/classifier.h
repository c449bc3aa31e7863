/* A softmax regression on image pixels: the yardstick that says whether generated images look like their class. */
#ifndef VGAE_MODELS_CLASSIFIER_H
#define VGAE_MODELS_CLASSIFIER_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/io/images.h"

#ifdef __cplusplus
extern "C" {
#endif

/* p(y | x) = softmax(x W + b) over the pixels (multinomial logistic
 * regression), trained by Adam (lr 0.005, batch 128) on cross-entropy for
 * `epochs` passes over shuffled images from the context's
 * VGAE_STREAM_SHUFFLE stream: the same seed gives the same weights at any
 * thread count. On MNIST 5 epochs reach about 92% test accuracy, the usual
 * figure for a linear classifier. Opaque. */
typedef struct vgae_classifier vgae_classifier;

/* Trains on train's images and labels (classes = the largest label + 1,
 * at least 2). VGAE_EINVAL without labels. */
VGAE_EXPORT vgae_status vgae_classifier_train(vgae_ctx *ctx, const vgae_images *train, int epochs,
                                              vgae_classifier **out);
/* The likeliest class of each of n images (pixels n x height x width, in [0, 1]). */
VGAE_EXPORT vgae_status vgae_classifier_predict(vgae_ctx *ctx, const vgae_classifier *c, const float *pixels,
                                                int64_t n, uint8_t *classes);
/* The fraction of images whose likeliest class is their label. */
VGAE_EXPORT vgae_status vgae_classifier_accuracy(vgae_ctx *ctx, const vgae_classifier *c, const float *pixels,
                                                 const uint8_t *labels, int64_t n, double *accuracy);
VGAE_EXPORT int vgae_classifier_classes(const vgae_classifier *c);
VGAE_EXPORT void vgae_classifier_free(vgae_classifier *c);

#ifdef __cplusplus
}
#endif
#endif
