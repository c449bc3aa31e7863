/* Conditioning inputs: a matrix with each row's class code beside it, and the gradient split back. */
#ifndef VGAE_NN_CONCAT_H
#define VGAE_NN_CONCAT_H

#include <stdint.h>

#include "vgae/nn/dense.h"

/* out (a->rows x (a->cols + w)) = [a | c_r]: row r is a's row r, then the
 * code c_r of its class y[r] in w columns: row y[r] of table (w columns),
 * or with table NULL the one-hot vector of y[r]; w zeros when y[r] < 0 (a
 * class not known). out's shape is the caller's; rows are written alone. */
void vgae_concat_codes(const vgae_mat *a, const int32_t *y, const vgae_mat *table, int64_t w, vgae_mat *out);

/* The gradient of vgae_concat_codes: da (if not NULL) = the first da->cols
 * columns of dout; each row's last w columns are added to row y[r] of
 * dtable (if not NULL), rows in order (the same sums on any thread count). */
void vgae_concat_codes_backward(const vgae_mat *dout, const int32_t *y, int64_t w, vgae_mat *da,
                                vgae_mat *dtable);

#endif
