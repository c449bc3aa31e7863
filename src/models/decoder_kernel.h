/* The vectorized inner loop of the full reconstruction loss (its own exp and log1p). */
#ifndef VGAE_DECODER_KERNEL_H
#define VGAE_DECODER_KERNEL_H

#include <stdint.h>
#include "vgae/dense.h"

/* Treats every entry of a row of logits as a negative (target 0): returns
 * sum_j softplus(x_j) = -sum_j log sigmoid(-x_j) in double, and replaces
 * each x_j with scale * sigmoid(x_j), its gradient. The caller corrects the
 * few positive entries afterwards. */
double vgae_decoder_row_negatives(vgae_real *row, int64_t n, double scale);

/* The instruction set of the copy in use (it is picked when the library
 * loads), for --verbose and the benchmarks. */
const char *vgae_decoder_kernel_isa(void);

#endif
