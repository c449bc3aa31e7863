/* The core's vectorized element-wise kernels: its own exp and log1p, one copy per instruction set. */
#ifndef VGAE_NN_KERNELS_H
#define VGAE_NN_KERNELS_H

#include <stdint.h>
#include "vgae/nn/dense.h"

/* The gradient part of vgae_kernel_logistic for target 0 alone, for epochs
 * whose loss is not wanted: each x_j becomes scale * sigmoid(x_j). */
void vgae_kernel_sigmoid(vgae_real *x, int64_t n, double scale);

/* Bernoulli terms with logits x and one target for all (1: an edge, 0: a
 * non-edge), -log sigmoid(x) or -log sigmoid(-x), as both graph decoders
 * need them: returns the sum, in double, of the terms whose counted[j] is
 * not 0 (all if counted is NULL), and replaces every x_j with scale times
 * the term's derivative in x_j. */
double vgae_kernel_logistic(vgae_real *x, const uint8_t *counted, int64_t n, int target,
                            double scale);

/* The Bernoulli terms pw t softplus(-x) + (1 - t) softplus(x) of logits x
 * and targets t, summed in double; grad (if not NULL) receives grad_scale
 * times each derivative, (1 - t) sigmoid(x) - pw t sigmoid(-x). *bad is set
 * to 1 if some target is not in [0, 1] (the sum is then meaningless; the
 * caller finds and reports it). */
double vgae_kernel_bernoulli(const vgae_real *x, const vgae_real *t, int64_t n, double pw,
                             double grad_scale, vgae_real *grad, int *bad);

/* One Adam step over n elements: m and v move towards g and g^2 (v kept
 * finite), and theta -= step m / (sqrt(v) / sqrt_c2 + eps), where step =
 * lr / (1 - beta1^t) and sqrt_c2 = sqrt(1 - beta2^t). */
void vgae_kernel_adam(vgae_real *theta, const vgae_real *g, vgae_real *m, vgae_real *v, int64_t n,
                      double beta1, double beta2, double step, double sqrt_c2, double eps);

/* The index of the nearest of k codebook vectors to x (d values): the
 * smallest norms[j] - 2 x . e_j, with e_j column j of et (d x k, row-major)
 * and norms[j] = ||e_j||^2, the lowest index on ties; 0 if all are NaN. */
int32_t vgae_kernel_nearest(const vgae_real *x, int64_t d, const vgae_real *et, const vgae_real *norms,
                            int64_t k);

#endif
