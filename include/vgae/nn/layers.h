/* Dense layers with forward and backward side by side: linear, ReLU/identity, dropout, layer and batch norm. */
#ifndef VGAE_NN_LAYERS_H
#define VGAE_NN_LAYERS_H

#include "vgae/core/export.h"
#include "vgae/nn/dense.h"
#include "vgae/nn/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = x W (+ b): x is rows x in, W in x out, b 1 x out. Backward adds to
 * the gradients dW and db, so that several passes can accumulate. */
typedef struct vgae_linear {
    int64_t in, out;
    int has_bias;
    vgae_mat w, b;   /* b is empty without a bias */
    vgae_mat dw, db;
} vgae_linear;

/* Allocates the layer with Glorot-uniform weights drawn from `init` and a
 * zero bias (if has_bias). */
VGAE_EXPORT vgae_status vgae_linear_init(vgae_ctx *ctx, vgae_linear *layer, int64_t in, int64_t out,
                             int has_bias, vgae_rng *init);
VGAE_EXPORT void vgae_linear_destroy(vgae_linear *layer);
/* Adds "<prefix>.weight" (and "<prefix>.bias") to a parameter list. */
VGAE_EXPORT vgae_status vgae_linear_params(vgae_ctx *ctx, vgae_linear *layer, const char *prefix,
                               vgae_params *list);
/* y = x W + b; y must be x->rows x out. */
VGAE_EXPORT vgae_status vgae_linear_forward(vgae_ctx *ctx, const vgae_linear *layer, const vgae_mat *x,
                                vgae_mat *y);
/* dW += x^T dy; db += the column sums of dy (in double); dx = dy W^T
 * unless dx is NULL (the first layer needs no input gradient). */
VGAE_EXPORT vgae_status vgae_linear_backward(vgae_ctx *ctx, vgae_linear *layer, const vgae_mat *x,
                                 const vgae_mat *dy, vgae_mat *dx);

/* Glorot & Bengio (2010) uniform initialization of a fan_in x fan_out
 * matrix: U(-r, r) with r = sqrt(6 / (fan_in + fan_out)). */
VGAE_EXPORT void vgae_glorot_uniform(vgae_ctx *ctx, vgae_mat *w, vgae_rng *init);

/* Elementwise activations. Forward may work in place (y == x); backward
 * takes the forward's output y and may work in place (dx == dy). */
typedef enum vgae_activation { VGAE_ACT_IDENTITY = 0, VGAE_ACT_RELU = 1 } vgae_activation;

VGAE_EXPORT vgae_status vgae_activation_forward(vgae_ctx *ctx, vgae_activation act, const vgae_mat *x,
                                    vgae_mat *y);
/* dx = dy * f'(x), written through y: ReLU's derivative is 1 where y > 0, else 0. */
VGAE_EXPORT vgae_status vgae_activation_backward(vgae_ctx *ctx, vgae_activation act, const vgae_mat *y,
                                     const vgae_mat *dy, vgae_mat *dx);

/* Inverted dropout: each element is kept with probability 1 - rate and
 * scaled by 1 / (1 - rate), so the expected output is the input. The mask
 * (0 or 1 / (1 - rate) per element, shaped like x) is drawn from `rng`
 * and kept for backward. rate 0 (or evaluation) passes x through with a
 * mask of ones and draws nothing. */
VGAE_EXPORT vgae_status vgae_dropout_forward(vgae_ctx *ctx, double rate, vgae_rng *rng, const vgae_mat *x,
                                 vgae_mat *mask, vgae_mat *y);
/* dx = dy * mask. */
VGAE_EXPORT vgae_status vgae_dropout_backward(vgae_ctx *ctx, const vgae_mat *mask, const vgae_mat *dy,
                                  vgae_mat *dx);

/* Normalization with a learned gain and shift (each 1 x cols), over the
 * rows of x (layer norm, Ba et al. 2016) or its columns (batch norm, Ioffe
 * & Szegedy 2015, over all rows at once):
 *   xhat = (x - mean) / sqrt(var + 1e-5),  y = xhat * gain + shift,
 * mean and the (biased) variance taken over each group, in double. Forward
 * keeps xhat (shaped like x) and istd (one 1 / sqrt(var + 1e-5) per group:
 * rows or columns) for backward; y may be x. */
typedef enum vgae_norm_axis { VGAE_NORM_ROWS = 0, VGAE_NORM_COLUMNS = 1 } vgae_norm_axis;

VGAE_EXPORT vgae_status vgae_norm_forward(vgae_ctx *ctx, vgae_norm_axis axis, const vgae_mat *x,
                                          const vgae_mat *gain, const vgae_mat *shift,
                                          vgae_mat *xhat, vgae_mat *istd, vgae_mat *y);
/* dx from dy; adds to dgain and dshift. dx may be dy. */
VGAE_EXPORT vgae_status vgae_norm_backward(vgae_ctx *ctx, vgae_norm_axis axis, const vgae_mat *xhat,
                                           const vgae_mat *istd, const vgae_mat *gain,
                                           const vgae_mat *dy, vgae_mat *dgain, vgae_mat *dshift,
                                           vgae_mat *dx);

#ifdef __cplusplus
}
#endif
#endif
