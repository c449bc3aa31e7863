/* The LSTM layer over a batch of sequences: per step the product of the
 * input and the last h against [Wx; Wh], packed once per pass (in panels of
 * 16 units, each with its four gates), and the cells, the batch's sequences
 * in groups that run through all steps side by side on the threads;
 * backward through time the same way (h_{t-1}'s and the input's gradients
 * against the packed transposes of Wh and Wx), and one GEMM for both
 * weights' gradients at the end, over the rows [x_t | h_{t-1}] the
 * forward steps kept. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    /* [Wx; Wh] in one block, and their gradients: one product gives both */
    vgae_mat *mats[] = {&layer->wx, &layer->dwx, &layer->b, &layer->db};
    const int64_t rows[] = {in + hidden, in + hidden, 1, 1};
    vgae_status st = VGAE_OK;
    for (int k = 0; !st && k < 4; k++)
        st = vgae_mat_init(ctx, mats[k], rows[k], 4 * hidden);
    if (st) {
        vgae_lstm_destroy(layer);
        return st;
    }
    layer->wh = vgae_mat_rows(&layer->wx, in, hidden);
    layer->dwh = vgae_mat_rows(&layer->dwx, in, hidden);
    layer->wx.rows = layer->dwx.rows = in;
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
    vgae_mat *mats[] = {&layer->wx, &layer->dwx, &layer->b, &layer->db}; /* wh and dwh are in wx's and dwx's */
    for (int k = 0; k < 4; k++)
        vgae_mat_destroy(mats[k]);
    layer->wh = layer->dwh = (vgae_mat){0};
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

/* Blocks of VGAE_PANEL units (the last may be short). */
static int64_t blocks_of(int64_t hidden)
{
    return (hidden + VGAE_PANEL - 1) / VGAE_PANEL;
}

/* How many of `width` units block q holds. */
static int block_width(int64_t width, int64_t q)
{
    return width - q * VGAE_PANEL < VGAE_PANEL ? (int)(width - q * VGAE_PANEL) : VGAE_PANEL;
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
    if (!st) st = vgae_reserve(ctx, (void **)&run->order, &run->order_cap, 2 * (size_t)cap_batch, sizeof *run->order);
    if (!st) st = vgae_reserve(ctx, (void **)&run->sums, &run->sums_cap, (size_t)(cap_batch * 4 * hidden), sizeof *run->sums);
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
    vgae_mat *mats[] = {&run->gates, &run->hs, &run->cs, &run->dh, &run->dc, &run->packed, &run->xh};
    for (int k = 0; k < 7; k++)
        vgae_mat_destroy(mats[k]);
    free(run->order);
    free(run->sums);
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

/* Wx over Wh ((in + H) x 4H) for the forward steps: unit block q's gate g
 * as a panel, packed[q][g][k][l] = [Wx; Wh][k][g H + q PANEL + l], zero
 * past the last unit. */
static void pack_forward(const vgae_lstm *layer, vgae_real *packed, int threads)
{
    const int64_t hd = layer->hidden, nq = blocks_of(hd), kk = layer->in + hd;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && nq > 1)
    for (int64_t q = 0; q < nq; q++)
        for (int g = 0; g < 4; g++)
            for (int64_t k = 0; k < kk; k++) {
                vgae_real *to = packed + ((q * 4 + g) * kk + k) * VGAE_PANEL;
                const vgae_mat *w = k < layer->in ? &layer->wx : &layer->wh;
                const vgae_real *from = w->data + (k < layer->in ? k : k - layer->in) * 4 * hd + g * hd + q * VGAE_PANEL;
                for (int64_t l = 0; l < VGAE_PANEL; l++)
                    to[l] = q * VGAE_PANEL + l < hd ? from[l] : 0;
            }
}

/* [Wh; Wx]'s transpose for the backward steps, in panels: Wh's (4H x H)
 * then Wx's (4H x in), packed[q][c][l] = W[q PANEL + l][c] of each, zero
 * past its last row. */
static void pack_transposed(const vgae_mat *w, vgae_real *packed, int threads)
{
    const int64_t rows = w->rows, g4 = w->cols, nq = blocks_of(rows);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && nq > 1)
    for (int64_t q = 0; q < nq; q++)
        for (int64_t c = 0; c < g4; c++) {
            vgae_real *to = packed + (q * g4 + c) * VGAE_PANEL;
            for (int64_t l = 0; l < VGAE_PANEL; l++)
                to[l] = q * VGAE_PANEL + l < rows ? w->data[(q * VGAE_PANEL + l) * g4 + c] : 0;
        }
}

static void pack_backward(const vgae_lstm *layer, vgae_real *packed, int threads)
{
    pack_transposed(&layer->wh, packed, threads);
    pack_transposed(&layer->wx, packed + blocks_of(layer->hidden) * 4 * layer->hidden * VGAE_PANEL, threads);
}

/* The room the packed weights take: the forward's panels or the backward's, the larger. */
static int64_t packed_rows(const vgae_lstm *layer)
{
    const int64_t hd = layer->hidden, fwd = blocks_of(hd) * 4 * (layer->in + hd),
                  back = (blocks_of(hd) + blocks_of(layer->in)) * 4 * hd;
    return fwd > back ? fwd : back;
}

/* The sequences in `groups` groups, each a list longest first (ties in row
 * order), dealt from the batch sorted by length as cards are (group g
 * gets the g-th longest, the (g + groups)-th, ...), so that the groups'
 * steps add up alike; group g's list from group_first(run, g). */
static void make_groups(vgae_lstm_run *run, int groups)
{
    int32_t *sorted = run->order + run->batch;
    for (int64_t k = 0; k < run->batch; k++) {
        const int32_t row = (int32_t)k, len = run->lengths ? run->lengths[row] : 0;
        int64_t i = k;
        for (; i > 0 && run->lengths && run->lengths[sorted[i - 1]] < len; i--)
            sorted[i] = sorted[i - 1];
        sorted[i] = row;
    }
    run->groups = groups;
    for (int64_t k = 0, at = 0; k < groups; k++)
        for (int64_t i = k; i < run->batch; i += groups)
            run->order[at++] = sorted[i];
}

/* Group g's first sequence in run->order, and how many it has. */
static int64_t group_first(const vgae_lstm_run *run, int64_t g)
{
    const int64_t size = run->batch / run->groups, more = run->batch % run->groups;
    return g * size + (g < more ? g : more);
}

static int64_t group_size(const vgae_lstm_run *run, int64_t g)
{
    return run->batch / run->groups + (g < run->batch % run->groups);
}

/* How many of a group's sequences (list, size of them) run step t: a prefix. */
static int64_t running(const vgae_lstm_run *run, const int32_t *list, int64_t size, int64_t t)
{
    while (run->lengths && size > 0 && run->lengths[list[size - 1]] <= t)
        size--;
    return size;
}

/* Groups (and threads) for a pass of rows x hidden cells: one unless there
 * is work enough to share. */
static int step_threads(vgae_ctx *ctx, int64_t rows, int64_t hd)
{
    const int threads = vgae_ctx_threads(ctx);
    return threads > 1 && rows >= 2 * VGAE_PANEL_ROWS && rows * hd * 4 * hd >= VGAE_PARALLEL_MIN / 4 ? threads : 1;
}

/* A tile's rows: those of m (cols apart) of sequences list[r0..r0+n), the
 * tile filled to VGAE_PANEL_ROWS with the first (every row of every tile
 * is computed by the same code; the fill is thrown away). */
static void tile_rows(const vgae_real **to, const vgae_real *m, int64_t cols, const int32_t *list, int64_t r0,
                      int n)
{
    for (int r = 0; r < VGAE_PANEL_ROWS; r++)
        to[r] = m + (int64_t)list[r0 + (r < n ? r : 0)] * cols;
}

/* Rows list[from..to) of m (cols wide) set to 0: sequences that have ended. */
static void zero_rows(vgae_real *m, int64_t cols, const int32_t *list, int64_t from, int64_t to)
{
    for (int64_t k = from; k < to; k++)
        memset(m + (int64_t)list[k] * cols, 0, (size_t)cols * sizeof *m);
}

/* The forward steps of a group's sequences (list, size of them): at each,
 * for those still running (a prefix), [x_t | h_{t-1}] in a row of xh (the
 * cells of the step before wrote h_{t-1} there), then a_t = x_t Wx +
 * h_{t-1} Wh (the latter not at t = 0 without h0: h_{-1} = 0) + b + cond,
 * each entry's products summed in one accumulator, and the cells, unit
 * block by unit block; the ended ones' h, c and row of xh set to 0. A
 * sequence's steps depend on its own rows alone, so the groups run side by
 * side without meeting, and each entry is computed the same way whatever
 * group it falls in. */
static void forward_group(const vgae_lstm *layer, vgae_lstm_run *run, const vgae_mat *x, const vgae_mat *cond,
                          const int32_t *list, int64_t size, int has_h0)
{
    const int64_t hd = layer->hidden, g4 = 4 * hd, nq = blocks_of(hd), batch = run->batch, in = layer->in,
                  kk = in + hd;
    for (int64_t t = 0; t < run->steps; t++) {
        vgae_real *a = run->gates.data + t * batch * g4;
        const vgae_real *h_prev = vgae_lstm_h(run, t - 1).data, *c_prev = vgae_lstm_c(run, t - 1).data;
        vgae_real *h = vgae_lstm_h(run, t).data, *c = vgae_lstm_c(run, t).data;
        const int64_t rows = running(run, list, size, t);
        zero_rows(h, hd, list, rows, size);
        zero_rows(c, hd, list, rows, size);
        const vgae_real *xt = x->data + t * batch * in;
        vgae_real *xh = run->xh.data + t * batch * kk, *xh_next = t + 1 < run->steps ? xh + batch * kk + in : NULL;
        zero_rows(xh, kk, list, rows, size);
        for (int64_t k = 0; k < rows; k++) {
            const int64_t row = list[k];
            memcpy(xh + row * kk, xt + row * in, (size_t)in * sizeof *xh);
            if (t == 0) /* h0, or 0 */
                memcpy(xh + row * kk + in, h_prev + row * hd, (size_t)hd * sizeof *xh);
        }
        for (int64_t q = 0; q < nq; q++) {
            const int64_t j0 = q * VGAE_PANEL, j1 = j0 + block_width(hd, q);
            const vgae_real *panel = run->packed.data + q * 4 * kk * VGAE_PANEL;
            for (int64_t r0 = 0; r0 < rows; r0 += VGAE_PANEL_ROWS) {
                const int n = rows - r0 < VGAE_PANEL_ROWS ? (int)(rows - r0) : VGAE_PANEL_ROWS;
                const vgae_real *xs[VGAE_PANEL_ROWS], *adds[VGAE_PANEL_ROWS];
                vgae_real *outs[VGAE_PANEL_ROWS];
                tile_rows(xs, xh, kk, list, r0, n);
                for (int half = 0; half < 2; half++) { /* gates 2 half and 2 half + 1 */
                    const int64_t at = 2 * half * hd + j0;
                    for (int r = 0; r < n; r++) {
                        const int64_t row = list[r0 + r];
                        outs[r] = a + row * g4 + at;
                        if (cond)
                            adds[r] = cond->data + row * g4 + at;
                    }
                    const vgae_real *p0 = panel + 2 * half * kk * VGAE_PANEL;
                    const vgae_panel_tile tile = {
                        .a = xs, .ka = t > 0 || has_h0 ? kk : in,
                        .p0 = p0, .p1 = p0 + kk * VGAE_PANEL, .bias = {layer->b.data + at, layer->b.data + at + hd},
                        .add = cond ? adds : NULL, .add_gap = hd, .out = outs, .out_gap = hd,
                        .rows = n, .width = {(int)(j1 - j0), (int)(j1 - j0)}};
                    vgae_kernel_panel_tile(&tile);
                }
            }
            vgae_kernel_lstm_step(a, c_prev, c, h, xh_next, kk, list, rows, hd, j0, j1);
        }
    }
}

/* out[r][0..width) = a[r] (k wide) times the packed transposed weights
 * (panels of VGAE_PANEL of the width, k x VGAE_PANEL each), for rows
 * list[0..rows), two panels at a time, each entry summed over k in order. */
static void times_panels(const vgae_real *a, int64_t k, const int32_t *list, int64_t rows, const vgae_real *packed,
                         int64_t width, vgae_real *out)
{
    const int64_t nq = blocks_of(width);
    for (int64_t q0 = 0; q0 < nq; q0 += 2) {
        const int64_t q1 = q0 + 1 < nq ? q0 + 1 : q0;
        for (int64_t r0 = 0; r0 < rows; r0 += VGAE_PANEL_ROWS) {
            const int n = rows - r0 < VGAE_PANEL_ROWS ? (int)(rows - r0) : VGAE_PANEL_ROWS;
            const vgae_real *in[VGAE_PANEL_ROWS];
            vgae_real *outs[VGAE_PANEL_ROWS];
            tile_rows(in, a, k, list, r0, n);
            for (int r = 0; r < n; r++)
                outs[r] = out + (int64_t)list[r0 + r] * width + q0 * VGAE_PANEL;
            const vgae_panel_tile tile = {.a = in, .ka = k, .p0 = packed + q0 * k * VGAE_PANEL,
                                          .p1 = packed + q1 * k * VGAE_PANEL, .out = outs, .out_gap = VGAE_PANEL,
                                          .rows = n, .width = {block_width(width, q0),
                                                               q1 == q0 ? 0 : block_width(width, q1)}};
            vgae_kernel_panel_tile(&tile);
        }
    }
}

/* The backward steps of a group's sequences: at each, for those still
 * running, dh += dh_last at a sequence's last step and the outputs'
 * gradient, the cells' backward (the ended ones' dh, dc and gradient of a_t
 * set to 0), then the input's gradient dx_t = da_t Wx^T (0 for the ended
 * ones) when it is wanted, and, when h_{t-1}'s is, dh = da_t Wh^T. */
static void backward_group(const vgae_lstm *layer, vgae_lstm_run *run, const int32_t *list, int64_t size,
                           const vgae_mat *dh_out, const vgae_mat *dh_last, const vgae_mat *dc_last, int want_dh0,
                           vgae_mat *dx)
{
    const int64_t hd = layer->hidden, g4 = 4 * hd, nq = blocks_of(hd), batch = run->batch;
    vgae_real *dh = run->dh.data, *dc = run->dc.data;
    for (int64_t t = run->steps - 1; t >= 0; t--) {
        vgae_real *a = run->gates.data + t * batch * g4;
        const vgae_real *c_prev = vgae_lstm_c(run, t - 1).data, *c = vgae_lstm_c(run, t).data;
        const vgae_real *add = dh_out ? dh_out->data + t * batch * hd : NULL;
        /* sequences list[ending..rows) have their last step here */
        const int64_t rows = running(run, list, size, t),
                      ending = t == run->steps - 1 ? 0 : running(run, list, size, t + 1);
        zero_rows(dh, hd, list, rows, size);
        zero_rows(dc, hd, list, rows, size);
        zero_rows(a, g4, list, rows, size);
        for (int64_t k = ending; k < rows; k++) {
            const int64_t r = list[k];
            for (int64_t j = 0; dh_last && j < hd; j++)
                dh[r * hd + j] += dh_last->data[r * hd + j];
            for (int64_t j = 0; dc_last && j < hd; j++)
                dc[r * hd + j] += dc_last->data[r * hd + j];
        }
        for (int64_t k = 0; add && k < rows; k++) {
            const int64_t r = list[k];
            for (int64_t j = 0; j < hd; j++)
                dh[r * hd + j] += add[r * hd + j];
        }
        /* with each sequence's sum over its steps */
        vgae_kernel_lstm_step_back(a, c_prev, c, dh, dc, run->sums, list, rows, hd, 0, hd);
        if (dx) { /* the input's gradient, da_t Wx^T; 0 past a sequence's end */
            vgae_real *dxt = dx->data + t * batch * layer->in;
            zero_rows(dxt, layer->in, list, rows, size);
            times_panels(a, g4, list, rows, run->packed.data + nq * g4 * VGAE_PANEL, layer->in, dxt);
        }
        if (t > 0 || want_dh0) /* h_{t-1}'s, da_t Wh^T */
            times_panels(a, g4, list, rows, run->packed.data, hd, dh);
    }
}

/* The groups of a pass side by side, each on a thread of its own. */
static void forward_steps(const vgae_lstm *layer, vgae_lstm_run *run, const vgae_mat *x, const vgae_mat *cond,
                          int has_h0)
{
#pragma omp parallel for schedule(static, 1) num_threads(run->groups) if (run->groups > 1)
    for (int g = 0; g < run->groups; g++)
        forward_group(layer, run, x, cond, run->order + group_first(run, g), group_size(run, g), has_h0);
}

static void backward_steps(const vgae_lstm *layer, vgae_lstm_run *run, const vgae_mat *dh_out,
                           const vgae_mat *dh_last, const vgae_mat *dc_last, int want_dh0, vgae_mat *dx)
{
#pragma omp parallel for schedule(static, 1) num_threads(run->groups) if (run->groups > 1)
    for (int g = 0; g < run->groups; g++)
        backward_group(layer, run, run->order + group_first(run, g), group_size(run, g), dh_out, dh_last, dc_last,
                       want_dh0, dx);
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
                              const int32_t *lengths, vgae_lstm_run *run)
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
    run->lengths = lengths;
    /* the weights in panels: [Wx; Wh] (room for them once: it only grows),
     * and the rows [x_t | h_{t-1}] (for the run's largest pass) */
    st = vgae_mat_ensure(ctx, &run->packed, packed_rows(layer), VGAE_PANEL);
    if (!st && (run->xh.cols != layer->in + hd || run->xh.rows < steps * batch))
        st = vgae_mat_ensure(ctx, &run->xh, run->cap_rows, layer->in + hd);
    if (st)
        return st;
    make_groups(run, step_threads(ctx, batch, hd));
    vgae_mat h_init = vgae_lstm_h(run, -1), c_init = vgae_lstm_c(run, -1);
    if (h0)
        memcpy(h_init.data, h0->data, (size_t)(batch * hd) * sizeof *h0->data);
    else
        vgae_mat_zero(&h_init);
    if (c0)
        memcpy(c_init.data, c0->data, (size_t)(batch * hd) * sizeof *c0->data);
    else
        vgae_mat_zero(&c_init);
    pack_forward(layer, run->packed.data, vgae_ctx_threads(ctx));
    forward_steps(layer, run, x, cond, h0 != NULL);
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
    vgae_mat_zero(&dh);
    vgae_mat_zero(&dc);
    memset(run->sums, 0, (size_t)(batch * g4) * sizeof *run->sums);
    pack_backward(layer, run->packed.data, vgae_ctx_threads(ctx));
    /* the gradient carried to h_{t-1}: to step t-1, or h0's */
    backward_steps(layer, run, dh_out, dh_last, dc_last, dh0 != NULL, dx);
    if (dh0)
        memcpy(dh0->data, dh.data, (size_t)(batch * hd) * sizeof *dh.data);
    if (dc0)
        memcpy(dc0->data, dc.data, (size_t)(batch * hd) * sizeof *dc.data);
    /* [dWx; dWh] += [x_t | h_{t-1}]^T da_t over all steps, in one product */
    const vgae_mat da = vgae_mat_rows(&run->gates, 0, steps * batch), xh = vgae_mat_rows(&run->xh, 0, steps * batch);
    vgae_mat dw = {layer->in + hd, g4, layer->dwx.data};
    st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1.0, &xh, &da, 1.0, &dw);
    if (st)
        return st;
    /* each sequence's sum over its steps (in double, from the last step
     * back) is the condition's gradient; the bias's adds them in sequence
     * order, 512 columns at a time */
    for (int64_t k = 0; dcond && k < batch * g4; k++)
        dcond->data[k] = (vgae_real)run->sums[k];
    enum { PART = 512 };
    for (int64_t j0 = 0; j0 < g4; j0 += PART) {
        const int64_t len = g4 - j0 < PART ? g4 - j0 : PART;
        double sum[PART] = {0};
        for (int64_t s = 0; s < batch; s++)
            for (int64_t j = 0; j < len; j++)
                sum[j] += run->sums[s * g4 + j0 + j];
        for (int64_t j = 0; j < len; j++)
            layer->db.data[j0 + j] = (vgae_real)(layer->db.data[j0 + j] + sum[j]);
    }
    return VGAE_OK;
}
