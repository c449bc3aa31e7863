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

/* One tile of the full reconstruction loss with latent width 16
 * (VGAE_FULL_TILE_D), fused: logits, loss and gradient pair by pair in
 * blocks of 16 x 16, never the whole tile. Rows i0..i0+ni-1 of Z (zi) against
 * rows j0..j0+nj-1 (zj), both row-major; targets 1 on the graph's edges
 * (rowptr, adj: sorted rows) and on the diagonal, weighted by pos_weight, 0
 * elsewhere. Returns the loss of the ni x nj pairs (want_loss; else 0).
 * With gi: gi += 2 G z_J and, unless diag (the tile is on the diagonal, I =
 * J), gj += 2 G^T z_I, G = scale times the loss's derivative in the logits.
 * work holds vgae_full_tile_work(nj) reals. */
#define VGAE_FULL_TILE_D 16
typedef struct vgae_full_tile {
    const vgae_real *zi, *zj;
    int32_t ni, nj, i0, j0;
    const int64_t *rowptr;
    const int32_t *adj;
    double pos_weight, scale;
    int want_loss, diag;
    vgae_real *gi, *gj, *work;
} vgae_full_tile;
static inline int64_t vgae_full_tile_work(int32_t nj)
{
    return 3 * (((int64_t)nj + 15) / 16) * 256 + 5 * 256;
}
double vgae_kernel_full_tile(const vgae_full_tile *t);

/* The index of the nearest of k codebook vectors to x (d values): the
 * smallest norms[j] - 2 x . e_j, with e_j column j of et (d x k, row-major)
 * and norms[j] = ||e_j||^2, the lowest index on ties; 0 if all are NaN. */
int32_t vgae_kernel_nearest(const vgae_real *x, int64_t d, const vgae_real *et, const vgae_real *norms,
                            int64_t k);

/* One step of LSTM cells of `hidden` units (see vgae/nn/lstm.h), the
 * units j0..j1-1 of rows list[0..rows) (NULL: rows 0..rows-1): a (a row
 * 4 hidden: i, f, g, o) holds the gates' pre-activations and receives
 * their values; c = f c_prev + i g and h = o tanh(c) (a row hidden each),
 * h also at h2 + r * h2_stride for row r when h2 is not NULL. */
void vgae_kernel_lstm_step(vgae_real *a, const vgae_real *c_prev, vgae_real *c, vgae_real *h, vgae_real *h2,
                           int64_t h2_stride, const int32_t *list, int64_t rows, int64_t hidden, int64_t j0,
                           int64_t j1);
/* Its backward: from the gates' values (a), c_prev, c, dh = d loss / d h
 * and dc = d loss / d c from the step after, a receives d loss / d the
 * pre-activations and dc the gradient carried to c_prev; when sums is not
 * NULL, the row's d loss / d the pre-activations are added to its sums (a
 * row 4 hidden, in double). */
void vgae_kernel_lstm_step_back(vgae_real *a, const vgae_real *c_prev, const vgae_real *c, const vgae_real *dh,
                                vgae_real *dc, double *sums, const int32_t *list, int64_t rows, int64_t hidden,
                                int64_t j0, int64_t j1);

/* Products against weights packed in panels of VGAE_PANEL columns (each
 * panel k x VGAE_PANEL, row after row), VGAE_PANEL_ROWS rows at a time, by
 * two panels p0 and p1 side by side: row r's entry of a panel is its
 * products summed in one accumulator, over a[r] (ka long) against the
 * panel's first ka rows, then + bias[p] (when not NULL), then + the
 * addend add[r] (panel 1's at add[r] + add_gap; when add is not NULL).
 * Rows r < rows are written, panel 0's at out[r] and panel 1's at out[r] +
 * out_gap, width[p] columns of each. Every row of the tile is computed by
 * the same code (a short tile repeats a row), so a row's figures do not
 * depend on the tile it falls in. */
#define VGAE_PANEL 16
#define VGAE_PANEL_ROWS 8
typedef struct {
    const vgae_real *const *a;
    int64_t ka;
    const vgae_real *p0, *p1, *bias[2];
    const vgae_real *const *add;
    int64_t add_gap;
    vgae_real *const *out;
    int64_t out_gap;
    int rows, width[2];
} vgae_panel_tile;
void vgae_kernel_panel_tile(const vgae_panel_tile *t);

/* ---- the sampled decoders' pair terms (inline: their loops are the hot path) ---- */

/* z_u . z_v in double, in VGAE_DOT_LANES interleaved partial sums added in a
 * fixed order at the end: the lanes vectorize, and the chain of dependent
 * additions is VGAE_DOT_LANES times shorter than one running sum's. Products of
 * floats are exact in double, and the sum is symmetric in a and b. */
#define VGAE_DOT_LANES 8
static inline double vgae_pair_dot(const vgae_real *restrict a, const vgae_real *restrict b, int64_t d)
{
    double lane[VGAE_DOT_LANES] = {0};
    int64_t c = 0;
    for (; c + VGAE_DOT_LANES <= d; c += VGAE_DOT_LANES)
        for (int j = 0; j < VGAE_DOT_LANES; j++)
            lane[j] += (double)a[c + j] * b[c + j];
    for (int j = 0; c < d; c++, j++)
        lane[j] += (double)a[c] * b[c];
    return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

/* Starts loading a row of d values (its first 256 bytes: a latent of 64):
 * for the decoders' rows, fetched some pairs ahead of their use. */
static inline void vgae_prefetch_row(const vgae_real *row, int64_t d)
{
    const int64_t bytes = d * (int64_t)sizeof *row < 256 ? d * (int64_t)sizeof *row : 256;
    for (int64_t b = 0; b < bytes; b += 64)
        __builtin_prefetch((const char *)row + b);
}

/* dst += g src over d values. */
static inline void vgae_add_scaled(vgae_real *restrict dst, vgae_real g, const vgae_real *restrict src,
                              int64_t d)
{
    for (int64_t c = 0; c < d; c++)
        dst[c] += g * src[c];
}

#endif
