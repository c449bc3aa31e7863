/* The vectorized inner loop of the full reconstruction loss (built with -ffast-math, alone). */
#ifndef VGAE_DECODER_KERNEL_H
#define VGAE_DECODER_KERNEL_H

#include <stdint.h>
#include "vgae/dense.h"

/* Treats every entry of a row of logits as a negative (target 0): returns
 * sum_j softplus(x_j) = -sum_j log sigmoid(-x_j) in double, and replaces
 * each x_j with scale * sigmoid(x_j), its gradient. The caller corrects the
 * few positive entries afterwards. */
double vgae_decoder_row_negatives(vgae_real *row, int64_t n, double scale);

#endif
