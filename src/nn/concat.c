/* Conditioning inputs: a matrix with each row's class code beside it, and the gradient split back. */
#include <string.h>

#include "nn/concat.h"

void vgae_concat_codes(const vgae_mat *a, const int32_t *y, const vgae_mat *table, int64_t w, vgae_mat *out)
{
    const int64_t d = a->cols, width = d + w;
    for (int64_t r = 0; r < a->rows; r++) {
        vgae_real *row = out->data + r * width;
        memcpy(row, a->data + r * d, sizeof *row * (size_t)d);
        if (y[r] >= 0 && table)
            memcpy(row + d, table->data + (int64_t)y[r] * w, sizeof *row * (size_t)w);
        else
            memset(row + d, 0, sizeof *row * (size_t)w);
        if (y[r] >= 0 && !table)
            row[d + y[r]] = 1;
    }
}

void vgae_concat_codes_backward(const vgae_mat *dout, const int32_t *y, int64_t w, vgae_mat *da,
                                vgae_mat *dtable)
{
    const int64_t width = dout->cols, d = width - w;
    for (int64_t r = 0; r < dout->rows; r++) {
        const vgae_real *row = dout->data + r * width;
        if (da)
            memcpy(da->data + r * da->cols, row, sizeof *row * (size_t)da->cols);
        if (dtable && y[r] >= 0) {
            vgae_real *g = dtable->data + (int64_t)y[r] * w;
            for (int64_t c = 0; c < w; c++)
                g[c] += row[d + c];
        }
    }
}
