/* Layer and batch normalization with a learned gain and shift: forward keeps the normalized values and inverse deviations for backward. */
#include <math.h>

#include "nn/internal.h"
#include "vgae/nn/layers.h"

/* Added to the variance before its square root, as the usual
 * implementations do: a constant group normalizes to 0, not NaN. */
#define NORM_EPS 1e-5

/* Group g of x along the axis: its first element and the step to the next,
 * and how many elements it has. Rows: group g is row g; columns: column g. */
static void group(const vgae_mat *x, vgae_norm_axis axis, int64_t g, int64_t *first, int64_t *step,
                  int64_t *count)
{
    if (axis == VGAE_NORM_ROWS) {
        *first = g * x->cols;
        *step = 1;
        *count = x->cols;
    } else {
        *first = g;
        *step = x->cols;
        *count = x->rows;
    }
}

vgae_status vgae_norm_forward(vgae_ctx *ctx, vgae_norm_axis axis, const vgae_mat *x,
                              const vgae_mat *gain, const vgae_mat *shift, vgae_mat *xhat,
                              vgae_mat *istd, vgae_mat *y)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "norm forward", x, xhat, y);
    const int64_t groups = axis == VGAE_NORM_ROWS ? x->rows : x->cols;
    if (!st && (gain->rows != 1 || gain->cols != x->cols || shift->rows != 1 ||
                shift->cols != x->cols || istd->rows * istd->cols != groups))
        st = vgae_fail(ctx, VGAE_EINVAL, "norm forward: gain and shift must be 1 x %lld and "
                       "istd hold %lld values", (long long)x->cols, (long long)groups);
    if (st)
        return st;
    const int threads = vgae_ctx_threads(ctx);
    /* every group alone, its sums in double in a fixed order */
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && groups * x->cols > 65536)
    for (int64_t g = 0; g < groups; g++) {
        int64_t first, step, count;
        group(x, axis, g, &first, &step, &count);
        double sum = 0, ss = 0;
        for (int64_t k = 0; k < count; k++)
            sum += x->data[first + k * step];
        const double mean = sum / (double)count;
        for (int64_t k = 0; k < count; k++) {
            const double d = x->data[first + k * step] - mean;
            ss += d * d;
        }
        const double inv = 1.0 / sqrt(ss / (double)count + NORM_EPS);
        istd->data[g] = (vgae_real)inv;
        for (int64_t k = 0; k < count; k++) {
            const int64_t i = first + k * step, c = axis == VGAE_NORM_ROWS ? k : g;
            const vgae_real h = (vgae_real)((x->data[i] - mean) * inv);
            xhat->data[i] = h;
            y->data[i] = h * gain->data[c] + shift->data[c];
        }
    }
    return VGAE_OK;
}

vgae_status vgae_norm_backward(vgae_ctx *ctx, vgae_norm_axis axis, const vgae_mat *xhat,
                               const vgae_mat *istd, const vgae_mat *gain, const vgae_mat *dy,
                               vgae_mat *dgain, vgae_mat *dshift, vgae_mat *dx)
{
    vgae_status st = VGAE_CHECK_SHAPES(ctx, "norm backward", xhat, dy, dx);
    if (st)
        return st;
    const int64_t rows = xhat->rows, cols = xhat->cols;
    const int64_t groups = axis == VGAE_NORM_ROWS ? rows : cols;
    /* dgain and dshift: column sums over the rows, in row order */
    for (int64_t c = 0; c < cols; c++) {
        double g = 0, s = 0;
        for (int64_t r = 0; r < rows; r++) {
            g += (double)dy->data[r * cols + c] * xhat->data[r * cols + c];
            s += dy->data[r * cols + c];
        }
        dgain->data[c] += (vgae_real)g;
        dshift->data[c] += (vgae_real)s;
    }
    /* dx = istd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy gain */
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && rows * cols > 65536)
    for (int64_t g = 0; g < groups; g++) {
        int64_t first, step, count;
        group(xhat, axis, g, &first, &step, &count);
        double m1 = 0, m2 = 0;
        for (int64_t k = 0; k < count; k++) {
            const int64_t i = first + k * step, c = axis == VGAE_NORM_ROWS ? k : g;
            const double d = (double)dy->data[i] * gain->data[c];
            m1 += d;
            m2 += d * xhat->data[i];
        }
        m1 /= (double)count;
        m2 /= (double)count;
        for (int64_t k = 0; k < count; k++) {
            const int64_t i = first + k * step, c = axis == VGAE_NORM_ROWS ? k : g;
            const double d = (double)dy->data[i] * gain->data[c];
            dx->data[i] = (vgae_real)(istd->data[g] * (d - m1 - xhat->data[i] * m2));
        }
    }
    return VGAE_OK;
}
