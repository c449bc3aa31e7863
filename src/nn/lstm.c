/* The LSTM layer over a batch of sequences: one GEMM for every step's input
 * part, one per step for the recurrent part, the cells in the vectorized
 * kernels; backward through time with one GEMM per step and one each for
 * the weights' gradients at the end. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn/internal.h"
#include "nn/kernels.h"
#include "vgae/nn/lstm.h"

vgae_status vgae_lstm_init(vgae_ctx *ctx, vgae_lstm *layer, int64_t in, int64_t hidden, vgae_rng *init)
{
    *layer = (vgae_lstm){.in = in, .hidden = hidden};
    if (in < 1 || hidden < 1 || hidden > (int64_t)1 << 20)
        return vgae_fail(ctx, VGAE_EINVAL, "LSTM layer: input %lld and hidden size %lld must be positive (hidden "
                         "at most 2^20)", (long long)in, (long long)hidden);
    vgae_mat *mats[] = {&layer->wx, &layer->dwx, &layer->wh, &layer->dwh, &layer->b, &layer->db};
    const int64_t rows[] = {in, in, hidden, hidden, 1, 1};
    vgae_status st = VGAE_OK;
    for (int k = 0; !st && k < 6; k++)
        st = vgae_mat_init(ctx, mats[k], rows[k], 4 * hidden);
    if (st) {
        vgae_lstm_destroy(layer);
        return st;
    }
    const double r = 1.0 / sqrt((double)hidden);
    const int threads = vgae_ctx_threads(ctx);
    vgae_rng_uniform_fill_real(init, layer->wx.data, vgae_mat_size(&layer->wx), -r, r, threads);
    vgae_rng_uniform_fill_real(init, layer->wh.data, vgae_mat_size(&layer->wh), -r, r, threads);
    for (int64_t j = hidden; j < 2 * hidden; j++)
        layer->b.data[j] = 1;
    return VGAE_OK;
}

void vgae_lstm_destroy(vgae_lstm *layer)
{
    if (!layer)
        return;
    vgae_mat *mats[] = {&layer->wx, &layer->dwx, &layer->wh, &layer->dwh, &layer->b, &layer->db};
    for (int k = 0; k < 6; k++)
        vgae_mat_destroy(mats[k]);
}

vgae_status vgae_lstm_params(vgae_ctx *ctx, vgae_lstm *layer, const char *prefix, vgae_params *list)
{
    static const char *const names[] = {"wx", "wh", "bias"};
    vgae_mat *values[] = {&layer->wx, &layer->wh, &layer->b}, *grads[] = {&layer->dwx, &layer->dwh, &layer->db};
    vgae_status st = VGAE_OK;
    for (int k = 0; !st && k < 3; k++) {
        char name[96];
        snprintf(name, sizeof name, "%s.%s", prefix, names[k]);
        st = vgae_params_add(ctx, list, name, values[k], grads[k]);
    }
    return st;
}

/* Room for steps x batch rows of hidden units: grown, never shrunk. */
vgae_status vgae_lstm_run_ensure(vgae_ctx *ctx, vgae_lstm_run *run, int64_t steps, int64_t batch, int64_t hidden)
{
    if (steps < 1 || batch < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "LSTM: %lld steps of %lld sequences", (long long)steps,
                         (long long)batch);
    const int64_t rows = steps * batch;
    if (rows <= run->cap_rows && batch <= run->dh.rows && hidden == run->cap_hidden)
        return VGAE_OK;
    const int64_t cap = rows > run->cap_rows ? rows : run->cap_rows;
    const int64_t cap_batch = batch > run->dh.rows ? batch : run->dh.rows;
    vgae_status st = vgae_mat_ensure(ctx, &run->gates, cap, 4 * hidden);
    if (!st) st = vgae_mat_ensure(ctx, &run->hs, cap + cap_batch, hidden);
    if (!st) st = vgae_mat_ensure(ctx, &run->cs, cap + cap_batch, hidden);
    if (!st) st = vgae_mat_ensure(ctx, &run->dh, cap_batch, hidden);
    if (!st) st = vgae_mat_ensure(ctx, &run->dc, cap_batch, hidden);
    if (st) {
        vgae_lstm_run_destroy(run);
        return st;
    }
    run->cap_rows = cap;
    run->cap_hidden = hidden;
    return VGAE_OK;
}

void vgae_lstm_run_destroy(vgae_lstm_run *run)
{
    if (!run)
        return;
    vgae_mat *mats[] = {&run->gates, &run->hs, &run->cs, &run->dh, &run->dc};
    for (int k = 0; k < 5; k++)
        vgae_mat_destroy(mats[k]);
    *run = (vgae_lstm_run){0};
}

vgae_mat vgae_lstm_outputs(const vgae_lstm_run *run)
{
    return vgae_mat_rows(&run->hs, run->batch, run->steps * run->batch);
}

vgae_mat vgae_lstm_h(const vgae_lstm_run *run, int64_t t)
{
    return vgae_mat_rows(&run->hs, (t + 1) * run->batch, run->batch);
}

vgae_mat vgae_lstm_c(const vgae_lstm_run *run, int64_t t)
{
    return vgae_mat_rows(&run->cs, (t + 1) * run->batch, run->batch);
}

/* The cells of one step on the context's threads, each thread a run of
 * rows (every element is computed alone: the same bits on any count). */
static void cells(vgae_ctx *ctx, int back, vgae_real *a, const vgae_real *c_prev, vgae_real *c, vgae_real *h,
                  vgae_real *dc, int64_t rows, int64_t hd)
{
    const int threads = vgae_ctx_threads(ctx);
    const int parts = threads > 1 && rows * hd >= VGAE_PARALLEL_MIN / 4 ? threads : 1;
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
    for (int k = 0; k < parts; k++) {
        const int64_t r0 = rows * k / parts, n = rows * (k + 1) / parts - r0;
        if (back)
            vgae_kernel_lstm_step_back(a + r0 * 4 * hd, c_prev + r0 * hd, c + r0 * hd, h + r0 * hd, dc + r0 * hd,
                                       n, hd);
        else
            vgae_kernel_lstm_step(a + r0 * 4 * hd, c_prev + r0 * hd, c + r0 * hd, h + r0 * hd, n, hd);
    }
}

static vgae_status check_shape(vgae_ctx *ctx, const char *what, const vgae_mat *m, int64_t rows, int64_t cols)
{
    if (m && (m->rows != rows || m->cols != cols))
        return vgae_fail(ctx, VGAE_EINVAL, "LSTM: %s is %lld x %lld, not %lld x %lld", what, (long long)m->rows,
                         (long long)m->cols, (long long)rows, (long long)cols);
    return VGAE_OK;
}

vgae_status vgae_lstm_forward(vgae_ctx *ctx, const vgae_lstm *layer, const vgae_mat *x, const vgae_mat *cond,
                              const vgae_mat *h0, const vgae_mat *c0, int64_t steps, int64_t batch,
                              vgae_lstm_run *run)
{
    const int64_t hd = layer->hidden, g4 = 4 * hd;
    vgae_status st = vgae_lstm_run_ensure(ctx, run, steps, batch, hd);
    if (!st) st = check_shape(ctx, "the input", x, steps * batch, layer->in);
    if (!st) st = check_shape(ctx, "the condition", cond, batch, g4);
    if (!st) st = check_shape(ctx, "h0", h0, batch, hd);
    if (!st) st = check_shape(ctx, "c0", c0, batch, hd);
    if (st)
        return st;
    run->steps = steps;
    run->batch = batch;
    /* every step's input part at once, then the bias and the condition */
    vgae_mat a = vgae_mat_rows(&run->gates, 0, steps * batch);
    st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, x, &layer->wx, 0.0, &a);
    if (st)
        return st;
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && steps * batch * g4 >= VGAE_PARALLEL_MIN)
    for (int64_t r = 0; r < steps * batch; r++) {
        vgae_real *row = a.data + r * g4;
        const vgae_real *add = cond ? cond->data + (r % batch) * g4 : NULL;
        for (int64_t j = 0; j < g4; j++)
            row[j] += layer->b.data[j];
        if (add)
            for (int64_t j = 0; j < g4; j++)
                row[j] += add[j];
    }
    vgae_mat h_init = vgae_lstm_h(run, -1), c_init = vgae_lstm_c(run, -1);
    if (h0)
        memcpy(h_init.data, h0->data, (size_t)(batch * hd) * sizeof *h0->data);
    else
        vgae_mat_zero(&h_init);
    if (c0)
        memcpy(c_init.data, c0->data, (size_t)(batch * hd) * sizeof *c0->data);
    else
        vgae_mat_zero(&c_init);
    for (int64_t t = 0; t < steps; t++) {
        vgae_mat at = vgae_mat_rows(&run->gates, t * batch, batch);
        const vgae_mat h_prev = vgae_lstm_h(run, t - 1), c_prev = vgae_lstm_c(run, t - 1);
        vgae_mat h = vgae_lstm_h(run, t), c = vgae_lstm_c(run, t);
        if (t > 0 || h0) /* h_{-1} = 0 adds nothing */
            st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, &h_prev, &layer->wh, 1.0, &at);
        if (st)
            return st;
        cells(ctx, 0, at.data, c_prev.data, c.data, h.data, NULL, batch, hd);
    }
    return VGAE_OK;
}

vgae_status vgae_lstm_backward(vgae_ctx *ctx, vgae_lstm *layer, const vgae_mat *x, const vgae_mat *dh_out,
                               const vgae_mat *dh_last, const vgae_mat *dc_last, vgae_lstm_run *run, vgae_mat *dx,
                               vgae_mat *dcond, vgae_mat *dh0, vgae_mat *dc0)
{
    const int64_t hd = layer->hidden, g4 = 4 * hd, steps = run->steps, batch = run->batch;
    vgae_status st = check_shape(ctx, "the input", x, steps * batch, layer->in);
    if (!st) st = check_shape(ctx, "the outputs' gradient", dh_out, steps * batch, hd);
    if (!st) st = check_shape(ctx, "the last h's gradient", dh_last, batch, hd);
    if (!st) st = check_shape(ctx, "the last c's gradient", dc_last, batch, hd);
    if (!st) st = check_shape(ctx, "the input's gradient", dx, steps * batch, layer->in);
    if (!st) st = check_shape(ctx, "the condition's gradient", dcond, batch, g4);
    if (!st) st = check_shape(ctx, "h0's gradient", dh0, batch, hd);
    if (!st) st = check_shape(ctx, "c0's gradient", dc0, batch, hd);
    if (st)
        return st;
    vgae_mat dh = vgae_mat_rows(&run->dh, 0, batch), dc = vgae_mat_rows(&run->dc, 0, batch);
    if (dh_last)
        memcpy(dh.data, dh_last->data, (size_t)(batch * hd) * sizeof *dh.data);
    else
        vgae_mat_zero(&dh);
    if (dc_last)
        memcpy(dc.data, dc_last->data, (size_t)(batch * hd) * sizeof *dc.data);
    else
        vgae_mat_zero(&dc);
    for (int64_t t = steps - 1; t >= 0; t--) {
        if (dh_out) {
            const vgae_real *add = dh_out->data + t * batch * hd;
            for (int64_t k = 0; k < batch * hd; k++)
                dh.data[k] += add[k];
        }
        vgae_mat at = vgae_mat_rows(&run->gates, t * batch, batch);
        const vgae_mat c_prev = vgae_lstm_c(run, t - 1), c = vgae_lstm_c(run, t);
        cells(ctx, 1, at.data, c_prev.data, c.data, dh.data, dc.data, batch, hd);
        /* the gradient carried to h_{t-1}: to step t-1, or h0's (a batch x
         * hidden product over 4 x hidden, in two blocks: one would leave a
         * thread idle at every step) */
        if (t > 0 || dh0) {
            const vgae_gemm_job step = {VGAE_NO_TRANS, VGAE_TRANS, 1.0, &at, &layer->wh, 0.0, &dh, 2};
            st = vgae_gemm_batch(ctx, 1, &step);
        }
        if (st)
            return st;
    }
    if (dh0)
        memcpy(dh0->data, dh.data, (size_t)(batch * hd) * sizeof *dh.data);
    if (dc0)
        memcpy(dc0->data, dc.data, (size_t)(batch * hd) * sizeof *dc.data);
    const vgae_mat da = vgae_mat_rows(&run->gates, 0, steps * batch);
    const vgae_mat h_prev = vgae_mat_rows(&run->hs, 0, steps * batch);
    vgae_gemm_job jobs[3] = {{VGAE_TRANS, VGAE_NO_TRANS, 1.0, x, &da, 1.0, &layer->dwx, 0},
                             {VGAE_TRANS, VGAE_NO_TRANS, 1.0, &h_prev, &da, 1.0, &layer->dwh, 0},
                             {VGAE_NO_TRANS, VGAE_TRANS, 1.0, &da, &layer->wx, 0.0, dx, 0}};
    st = vgae_gemm_batch(ctx, dx ? 3 : 2, jobs);
    if (st)
        return st;
    vgae_column_sums(ctx, &da, &layer->db, 1);
    if (dcond) { /* the sum over steps, in double, in step order, 64 columns
                  * at a time; the sequences on threads */
        enum { PART = 64 };
        const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && steps * batch * g4 >= VGAE_PARALLEL_MIN)
        for (int64_t s = 0; s < batch; s++)
            for (int64_t j0 = 0; j0 < g4; j0 += PART) {
                const int64_t len = g4 - j0 < PART ? g4 - j0 : PART;
                double sum[PART] = {0};
                for (int64_t t = 0; t < steps; t++) {
                    const vgae_real *row = da.data + (t * batch + s) * g4 + j0;
                    for (int64_t j = 0; j < len; j++)
                        sum[j] += (double)row[j];
                }
                for (int64_t j = 0; j < len; j++)
                    dcond->data[s * g4 + j0 + j] = (vgae_real)sum[j];
            }
    }
    return VGAE_OK;
}
