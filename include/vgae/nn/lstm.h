/* The LSTM layer: a batch of sequences forward and backward through time, its products in the project's kernels. */
#ifndef VGAE_NN_LSTM_H
#define VGAE_NN_LSTM_H

#include "vgae/core/export.h"
#include "vgae/core/rng.h"
#include "vgae/nn/dense.h"
#include "vgae/nn/optim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One LSTM layer (Hochreiter & Schmidhuber 1997, with the forget gate of
 * Gers et al. 2000), hidden size H, on inputs of `in` values:
 *     a_t = x_t Wx + h_{t-1} Wh + b (+ cond)        (1 x 4H: i, f, g, o)
 *     i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
 *     c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)
 * the gates side by side in that order, as PyTorch's nn.LSTM lays them
 * out (its two biases are one here). */
typedef struct vgae_lstm {
    int64_t in, hidden;
    vgae_mat wx, wh, b;    /* in x 4H, H x 4H, 1 x 4H; wh's rows follow wx's in one block */
    vgae_mat dwx, dwh, db; /* their gradients (backward adds), dwh's rows after dwx's likewise */
} vgae_lstm;

/* The weights uniform in [-1/sqrt(H), 1/sqrt(H)] from init (PyTorch's
 * initialization), the bias 0 but the forget gate's, 1 (Jozefowicz et al.
 * 2015: the cell remembers from the start). VGAE_EINVAL for sizes < 1. */
VGAE_EXPORT vgae_status vgae_lstm_init(vgae_ctx *ctx, vgae_lstm *layer, int64_t in, int64_t hidden, vgae_rng *init);
VGAE_EXPORT void vgae_lstm_destroy(vgae_lstm *layer);
/* Adds "<prefix>.wx", "<prefix>.wh" and "<prefix>.bias" to a parameter list. */
VGAE_EXPORT vgae_status vgae_lstm_params(vgae_ctx *ctx, vgae_lstm *layer, const char *prefix, vgae_params *list);

/* What a forward pass keeps for its backward pass, for up to the steps and
 * batch it was made for (zero-initialize; vgae_lstm_run_ensure sizes it,
 * allocating only when it grows: no allocation per step or per batch). */
typedef struct vgae_lstm_run {
    int64_t steps, batch; /* of the last forward pass */
    const int32_t *lengths; /* and its sequences' lengths (NULL: all run every step) */
    vgae_mat gates;       /* steps * batch x 4H: the gates' values; after backward, d loss / d a_t */
    vgae_mat hs, cs;      /* (steps + 1) * batch x H: the initial state, then each step's */
    vgae_mat dh, dc;      /* batch x H: what backward carries from step to step */
    vgae_mat packed;      /* the weights in panels of 16 units: Wx over Wh forward, Wh's transpose backward */
    vgae_mat xh;          /* steps * batch x (in + H): row t * batch + s is [x_t | h_{t-1}] of sequence s
                           * (0 past its end), what the products read and the weights' gradients sum over */
    int32_t *order;       /* 2 batch: the sequences in groups, each longest first; room to sort */
    int groups;           /* that run side by side: the threads' count, or 1 */
    double *sums;         /* batch x 4H: each sequence's gradient of a_t summed over its steps */
    size_t sums_cap;
    size_t order_cap;
    int64_t cap_rows, cap_hidden;
} vgae_lstm_run;

VGAE_EXPORT vgae_status vgae_lstm_run_ensure(vgae_ctx *ctx, vgae_lstm_run *run, int64_t steps, int64_t batch,
                                             int64_t hidden);
VGAE_EXPORT void vgae_lstm_run_destroy(vgae_lstm_run *run);

/* Forward over `steps` steps of `batch` sequences, time-major: row
 * t * batch + s of x (steps * batch x in) is sequence s's input at step t.
 * cond (batch x 4H, or NULL) is added to every step's a_t: an input that
 * is the same at every step, such as a code z times a weight, computed
 * once. h0 and c0 (batch x H, or NULL for zeros) start the sequences.
 * A step reads only earlier steps: sequences of different lengths share a
 * batch padded at their ends. lengths (batch values, or NULL: each runs
 * all steps) tells where each ends: sequence s runs steps 0..lengths[s]-1;
 * past them no work is spent on it, its h and c are 0, and backward gives
 * it no gradient there (its d loss / d a_t is 0), which is what the
 * padded steps would give when the loss ignores them. The array must live
 * until the backward pass. */
VGAE_EXPORT vgae_status vgae_lstm_forward(vgae_ctx *ctx, const vgae_lstm *layer, const vgae_mat *x,
                                          const vgae_mat *cond, const vgae_mat *h0, const vgae_mat *c0,
                                          int64_t steps, int64_t batch, const int32_t *lengths,
                                          vgae_lstm_run *run);
/* Views of the last forward pass's outputs h_t (steps * batch x H, time-
 * major as x) and of step t's h and c (batch x H; t = -1: the initial). */
VGAE_EXPORT vgae_mat vgae_lstm_outputs(const vgae_lstm_run *run);
VGAE_EXPORT vgae_mat vgae_lstm_h(const vgae_lstm_run *run, int64_t t);
VGAE_EXPORT vgae_mat vgae_lstm_c(const vgae_lstm_run *run, int64_t t);

/* Backward through time from d loss / d h_t for every step (dh_out, as
 * vgae_lstm_outputs; NULL: none) and d loss / d the last step's h and c
 * beyond that (dh_last, dc_last, batch x H; NULL: none; with lengths, at
 * each sequence's own last step). Adds to dwx, dwh
 * and db; writes, for each that is not NULL: dx (as x), dcond (batch x
 * 4H), dh0 and dc0 (batch x H). x and cond must be the forward pass's;
 * the run's gates then hold d loss / d a_t: forward again before another
 * backward. */
VGAE_EXPORT vgae_status vgae_lstm_backward(vgae_ctx *ctx, vgae_lstm *layer, const vgae_mat *x,
                                           const vgae_mat *dh_out, const vgae_mat *dh_last,
                                           const vgae_mat *dc_last, vgae_lstm_run *run, vgae_mat *dx,
                                           vgae_mat *dcond, vgae_mat *dh0, vgae_mat *dc0);

#ifdef __cplusplus
}
#endif
#endif
