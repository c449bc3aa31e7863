/* The graph autoencoders' encoder: a stack of layers, each the product of its input with its weights, propagated over the graph, then (hidden layers) norm, ReLU and a residual. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/graph_ae_impl.h"
#include "nn/internal.h"

/* L2 scaling divides by the norm or by this, whichever is larger (a zero row stays zero). */
#define L2_FLOOR 1e-12

static int is_last(const vgae_graph_ae *m, int l)
{
    return l == m->options.layers - 1;
}

static int stochastic(const vgae_graph_ae *m)
{
    return vgae_latent_heads(m->base.latent) > 1;
}

/* Whether the last layer's T (and T sigma) live in dmean (and dlogvar),
 * which only the ELBO's backward pass writes: behind hidden layers, unless
 * L2 scaling reads T back. */
static int t_in_grads(const vgae_graph_ae *m)
{
    return m->options.layers > 1 && !(m->options.l2_scale > 0);
}

/* Whether layer l's output adds its input: a hidden layer after the first
 * whose input is as wide as its output. */
static int residual_at(const vgae_graph_ae *m, int l)
{
    return m->options.residual && l > 0 && !is_last(m, l) && m->layers[l].in == m->layers[l].out;
}

/* Whether the last layer's input gradient is written over the last hidden
 * layer's output (its ReLU mask kept as bits first): not behind a residual,
 * whose backward pass needs both. */
static int din_in_act(const vgae_graph_ae *m)
{
    return m->options.layers > 1 && !residual_at(m, m->options.layers - 2);
}

/* The output of hidden layer l (0 <= l < layers - 1). */
static vgae_mat *output(vgae_graph_ae *m, int l)
{
    vgae_enc_layer *L = &m->layers[l < 0 ? 0 : l];
    return residual_at(m, l) ? &L->h : &L->act;
}

/* A view of the first cols columns' worth of a work buffer as N x cols. */
static vgae_mat view(const vgae_mat *buf, int64_t rows, int64_t cols)
{
    return (vgae_mat){rows, cols, buf->data};
}

/* The graph the encoder propagates over: with edge masking, while training,
 * the visible edges'. */
static const vgae_csr *graph(const vgae_graph_ae *m)
{
    return m->training && m->a_visible ? m->a_visible : m->a_hat;
}

static int dropout_at(const vgae_graph_ae *m, int l)
{
    return m->training && m->options.dropout > 0 && (l > 0 || !m->x);
}

static vgae_status add_param(vgae_ctx *ctx, vgae_graph_ae *m, const char *name, vgae_mat *v,
                             vgae_mat *g, int64_t rows, int64_t cols)
{
    vgae_status st = vgae_mat_init(ctx, v, rows, cols);
    if (!st)
        st = vgae_mat_init(ctx, g, rows, cols);
    return st ? st : vgae_params_add(ctx, &m->base.params, name, v, g);
}

vgae_status vgae_encoder_init(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *init)
{
    const vgae_graph_ae_options *o = &m->options;
    const int64_t n = m->n;
    const int vgae = stochastic(m);
    int64_t widest = 1;
    vgae_status st = VGAE_OK;
    for (int l = 0; !st && l < o->layers; l++) {
        vgae_enc_layer *L = &m->layers[l];
        const int last = is_last(m, l);
        L->in = l == 0 ? (m->x ? m->x->cols : n) : o->hidden;
        L->out = last ? o->latent : o->hidden;
        L->hops = o->hops[l];
        widest = L->out > widest ? L->out : widest;
        char name[48];
        /* the 2016 names: gcn.w0 for the first layer, gcn.wmu and
         * gcn.wsigma for the last */
        if (last)
            snprintf(name, sizeof name, "gcn.wmu");
        else
            snprintf(name, sizeof name, "gcn.w%d", l);
        st = add_param(ctx, m, name, &L->w, &L->dw, L->in, L->out);
        if (!st && o->bias) {
            snprintf(name, sizeof name, last ? "gcn.bmu" : "gcn.b%d", l);
            st = add_param(ctx, m, name, &L->b, &L->db, 1, L->out);
        }
        if (!st && last && vgae)
            st = add_param(ctx, m, "gcn.wsigma", &L->wsig, &L->dwsig, L->in, L->out);
        if (!st && last && vgae && o->bias)
            st = add_param(ctx, m, "gcn.bsigma", &L->bsig, &L->dbsig, 1, L->out);
        if (!st && !last && o->norm != VGAE_NORM_NONE) {
            snprintf(name, sizeof name, "norm%d.gain", l);
            st = add_param(ctx, m, name, &L->gain, &L->dgain, 1, L->out);
            snprintf(name, sizeof name, "norm%d.shift", l);
            if (!st)
                st = add_param(ctx, m, name, &L->shift, &L->dshift, 1, L->out);
            if (!st)
                st = vgae_mat_init(ctx, &L->xhat, n, L->out);
            if (!st)
                st = vgae_mat_init(ctx, &L->istd, 1, o->norm == VGAE_NORM_LAYER ? n : L->out);
            for (int64_t c = 0; !st && c < L->out; c++)
                L->gain.data[c] = 1;
        }
        /* forward values: T (unless it is W itself), the activations; the
         * last layer's T are read by the forward pass alone (unless L2
         * scaling needs them back), so behind hidden layers they live in
         * dmean and dlogvar, which the ELBO's backward pass writes first */
        const int need_t = m->x || l > 0 || o->bias || (last && o->l2_scale > 0);
        if (!st && need_t && !(last && t_in_grads(m)))
            st = vgae_mat_init(ctx, &L->t, n, L->out);
        if (!st && last && vgae && !t_in_grads(m))
            st = vgae_mat_init(ctx, &L->tsig, n, L->out);
        if (!st && last && o->l2_scale > 0)
            st = vgae_mat_init(ctx, &L->rnorm, n, 1);
        if (!st && !last)
            st = vgae_mat_init(ctx, &L->act, n, L->out);
        if (!st && residual_at(m, l))
            st = vgae_mat_init(ctx, &L->h, n, L->out);
        if (!st && o->dropout > 0 && (l > 0 || !m->x)) {
            const int64_t rows = l > 0 ? n : L->in; /* featureless: W's rows */
            st = vgae_mat_init(ctx, &L->in_drop, rows, l > 0 ? L->in : L->out);
            if (!st)
                st = vgae_mat_init(ctx, &L->mask, rows, l > 0 ? L->in : L->out);
        }
    }
    if (!st && o->l2_scale > 0 && o->l2_learn)
        st = add_param(ctx, m, "l2.scale", &m->l2_scale, &m->dl2_scale, 1, 1);
    if (!st && o->l2_scale > 0 && o->l2_learn)
        m->l2_scale.data[0] = (vgae_real)o->l2_scale;
    if (!st) st = vgae_mat_init(ctx, &m->mean, n, o->latent);
    if (!st) st = vgae_mat_init(ctx, &m->dmean, n, o->latent);
    if (!st && vgae) st = vgae_mat_init(ctx, &m->logvar, n, o->latent);
    if (!st && vgae) st = vgae_mat_init(ctx, &m->dlogvar, n, o->latent);
    /* dT's buffer: a featureless first layer's dT is its dW, and a VGAE's
     * last layer's goes where logvar was (the ELBO's backward pass is done
     * with it; every pass that reads logvar computes it first) */
    int64_t widest_dt = 0;
    for (int l = 0; l < o->layers; l++)
        if (!(l == 0 && !m->x && o->layers > 1) && !(is_last(m, l) && vgae) && m->layers[l].out > widest_dt)
            widest_dt = m->layers[l].out;
    if (!st && widest_dt) st = vgae_mat_init(ctx, &m->grad_t, n, widest_dt);
    /* the last layer's input gradient goes into the last hidden layer's
     * act (its mask saved as bits first); a buffer of its own only for
     * deeper stacks and behind a residual */
    if (!st && din_in_act(m) &&
        !(m->relu_bits = vgae_alloc(ctx, (size_t)((n * o->hidden + 63) / 64), sizeof *m->relu_bits)))
        st = VGAE_ENOMEM;
    if (!st && (o->layers > 2 || (o->layers > 1 && !din_in_act(m))))
        st = vgae_mat_init(ctx, &m->dinput, n, o->hidden);
    if (!st && t_in_grads(m)) {
        vgae_enc_layer *L = &m->layers[o->layers - 1];
        L->t = (vgae_mat){n, L->out, m->dmean.data};
        if (vgae)
            L->tsig = (vgae_mat){n, L->out, m->dlogvar.data};
    }
    if (!st && o->residual && o->layers > 2) st = vgae_mat_init(ctx, &m->dresid, n, o->hidden);
    int most_hops = 0;
    for (int l = 0; l < o->layers; l++)
        most_hops = o->hops[l] > most_hops ? o->hops[l] : most_hops;
    if (!st && most_hops > 1) st = vgae_mat_init(ctx, &m->prop_tmp, n, widest);
    if (!st && most_hops > 0 && o->propagation == VGAE_PROP_LIGHTGCN)
        st = vgae_mat_init(ctx, &m->prop_acc, n, widest);
    if (!st && most_hops > 0 && o->propagation == VGAE_PROP_LIGHTGCN && !m->prop_tmp.data)
        st = vgae_mat_init(ctx, &m->prop_tmp, n, widest);
    if (st)
        return st;
    /* Glorot-uniform weights in layer order (W, then Wsigma): for the 2016
     * model gcn.w0, gcn.wmu, gcn.wsigma, as the first version drew them */
    for (int l = 0; l < o->layers; l++) {
        vgae_glorot_uniform(ctx, &m->layers[l].w, init);
        if (is_last(m, l) && vgae)
            vgae_glorot_uniform(ctx, &m->layers[l].wsig, init);
    }
    return VGAE_OK;
}

void vgae_encoder_destroy(vgae_graph_ae *m)
{
    if (t_in_grads(m)) { /* views, not owned */
        m->layers[m->options.layers - 1].t = (vgae_mat){0};
        m->layers[m->options.layers - 1].tsig = (vgae_mat){0};
    }
    free(m->relu_bits);
    m->relu_bits = NULL;
    for (int l = 0; l < VGAE_MAX_LAYERS; l++) {
        vgae_enc_layer *L = &m->layers[l];
        vgae_mat *mats[] = {&L->w, &L->dw, &L->b, &L->db, &L->wsig, &L->dwsig, &L->bsig,
                            &L->dbsig, &L->gain, &L->dgain, &L->shift, &L->dshift, &L->in_drop,
                            &L->mask, &L->t, &L->tsig, &L->rnorm, &L->xhat, &L->istd, &L->act,
                            &L->h};
        for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
            vgae_mat_destroy(mats[i]);
    }
    vgae_mat *mats[] = {&m->l2_scale, &m->dl2_scale, &m->mean, &m->logvar, &m->dmean,
                        &m->dlogvar, &m->tile, &m->prop_tmp, &m->prop_acc, &m->grad_t,
                        &m->dinput, &m->dresid};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
}

/* out = propagate(t) over hops hops (see vgae_propagation); out is not t.
 * Â is symmetric, so the same pass carries gradients back. */
static vgae_status propagate(vgae_ctx *ctx, vgae_graph_ae *m, int hops, const vgae_mat *t,
                             vgae_mat *out)
{
    const vgae_csr *a = graph(m);
    const int64_t n = t->rows, c = t->cols;
    if (hops == 0)
        return vgae_mat_copy(ctx, out, t);
    if (m->options.propagation == VGAE_PROP_GCN) {
        /* Â^K t, the last product landing in out */
        vgae_mat tmp = view(&m->prop_tmp, n, c);
        const vgae_mat *cur = t;
        vgae_status st = VGAE_OK;
        for (int k = 1; !st && k <= hops; k++) {
            vgae_mat *dst = (hops - k) % 2 == 0 ? out : &tmp;
            st = vgae_csr_spmm(ctx, a, cur->data, (int32_t)c, dst->data);
            cur = dst;
        }
        return st;
    }
    /* LightGCN: the mean of Â^k t over k = 0..K, summed in order */
    vgae_mat x = view(&m->prop_tmp, n, c), y = view(&m->prop_acc, n, c);
    vgae_status st = vgae_mat_copy(ctx, out, t);
    const vgae_mat *cur = t;
    for (int k = 1; !st && k <= hops; k++) {
        vgae_mat *dst = k % 2 ? &x : &y;
        st = vgae_csr_spmm(ctx, a, cur->data, (int32_t)c, dst->data);
        for (int64_t i = 0; !st && i < n * c; i++)
            out->data[i] += dst->data[i];
        cur = dst;
    }
    const vgae_real w = (vgae_real)(1.0 / (hops + 1));
    for (int64_t i = 0; !st && i < n * c; i++)
        out->data[i] *= w;
    return st;
}

/* The sparse input the encoder reads: X, or while training with edge
 * masking and structure input the visible edges' adjacency; with dropout
 * a copy whose values are dropped and scaled (drawn here). Its transpose
 * goes to m->xt_used, for the backward pass. */
static vgae_status features(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_csr **x)
{
    const vgae_csr *base = m->training && m->x_visible ? m->x_visible : m->x;
    *x = base;
    m->xt_used = base == m->x ? m->xt : m->xt_visible;
    if (!(m->training && m->options.dropout > 0))
        return VGAE_OK;
    vgae_csr_free(m->x_drop);
    vgae_csr_free(m->xt_drop);
    m->xt_drop = NULL;
    vgae_status st = vgae_csr_copy(ctx, base, &m->x_drop);
    if (st)
        return st;
    const double rate = m->options.dropout;
    const float keep = (float)(1.0 / (1.0 - rate));
    vgae_rng *rng = vgae_ctx_rng(ctx, VGAE_STREAM_DROPOUT);
    vgae_rng_uniform_fill_f(rng, m->x_drop->val, base->nnz, 0.0, 1.0, vgae_ctx_threads(ctx));
    for (int64_t k = 0; k < base->nnz; k++)
        m->x_drop->val[k] = m->x_drop->val[k] >= (float)rate ? base->val[k] * keep : 0;
    st = vgae_csr_transpose(ctx, m->x_drop, &m->xt_drop);
    *x = m->x_drop;
    m->xt_used = m->xt_drop;
    return st;
}

/* T = input W (+ b) for layer l into L->t, or *t = W itself for the
 * identity input (featureless first layer) when nothing is added. in is
 * the dense input (NULL for the first layer). */
static vgae_status times_w(vgae_ctx *ctx, vgae_graph_ae *m, int l, const vgae_mat *in,
                           const vgae_mat *w, const vgae_mat *b, vgae_mat *t_buf,
                           const vgae_mat **t)
{
    vgae_status st = VGAE_OK;
    if (in) {
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1, in, w, 0, t_buf);
    } else if (m->x) {
        const vgae_csr *x;
        st = features(ctx, m, &x);
        if (!st)
            st = vgae_csr_spmm(ctx, x, w->data, (int32_t)w->cols, t_buf->data);
    } else if (t_buf->data) {
        st = vgae_mat_copy(ctx, t_buf, w); /* featureless: X W = W */
    } else {
        *t = w;
        return VGAE_OK;
    }
    if (!st && b && b->data)
        for (int64_t r = 0; r < t_buf->rows; r++)
            for (int64_t c = 0; c < t_buf->cols; c++)
                t_buf->data[r * t_buf->cols + c] += b->data[c];
    (void)l;
    *t = t_buf;
    return st;
}

/* VGNAE's scaling of the last layer's T: each row to L2 norm s. */
static double l2_scale(const vgae_graph_ae *m)
{
    return m->options.l2_learn ? (double)m->l2_scale.data[0] : m->options.l2_scale;
}

static void l2_forward(vgae_graph_ae *m, vgae_enc_layer *L)
{
    const double s = l2_scale(m);
    for (int64_t r = 0; r < L->t.rows; r++) {
        vgae_real *row = L->t.data + r * L->t.cols;
        double ss = 0;
        for (int64_t c = 0; c < L->t.cols; c++)
            ss += (double)row[c] * row[c];
        const double inv = 1.0 / fmax(sqrt(ss), L2_FLOOR);
        L->rnorm.data[r] = (vgae_real)inv;
        for (int64_t c = 0; c < L->t.cols; c++)
            row[c] = (vgae_real)(s * row[c] * inv);
    }
}

/* dT from dT' (in place) for T' = s T / |T|: with u = T' / s,
 * dT = (s / |T|) (dT' - u (u . dT')); ds += sum of u . dT'. */
static void l2_backward(vgae_graph_ae *m, const vgae_enc_layer *L, vgae_mat *dt)
{
    const double s = l2_scale(m);
    double ds = 0;
    for (int64_t r = 0; r < dt->rows; r++) {
        const vgae_real *tr = L->t.data + r * L->t.cols;
        vgae_real *g = dt->data + r * dt->cols;
        double ug = 0;
        for (int64_t c = 0; c < dt->cols; c++)
            ug += (double)tr[c] / s * g[c];
        ds += ug;
        for (int64_t c = 0; c < dt->cols; c++)
            g[c] = (vgae_real)(s * L->rnorm.data[r] * (g[c] - tr[c] / s * ug));
    }
    if (m->options.l2_learn)
        m->dl2_scale.data[0] += (vgae_real)ds;
}

/* The dense input of layer l > 0: the previous layer's output, after
 * dropout while training. */
static vgae_status layer_input(vgae_ctx *ctx, vgae_graph_ae *m, int l, const vgae_mat **in)
{
    *in = output(m, l - 1);
    if (!dropout_at(m, l))
        return VGAE_OK;
    vgae_enc_layer *L = &m->layers[l];
    vgae_status st = vgae_dropout_forward(ctx, m->options.dropout,
                                          vgae_ctx_rng(ctx, VGAE_STREAM_DROPOUT), *in, &L->mask,
                                          &L->in_drop);
    *in = &L->in_drop;
    return st;
}

vgae_status vgae_gcn_forward(vgae_ctx *ctx, vgae_graph_ae *m, int with_logvar)
{
    const vgae_graph_ae_options *o = &m->options;
    vgae_status st = VGAE_OK;
    for (int l = 0; !st && l < o->layers; l++) {
        vgae_enc_layer *L = m->layers + l;
        const vgae_mat *in = NULL, *t;
        if (l > 0)
            st = layer_input(ctx, m, l, &in);
        /* a featureless first layer with dropout drops entries of W (its rows are X W) */
        const vgae_mat *w = &L->w;
        if (!st && l == 0 && !m->x && dropout_at(m, 0)) {
            st = vgae_dropout_forward(ctx, o->dropout, vgae_ctx_rng(ctx, VGAE_STREAM_DROPOUT),
                                      &L->w, &L->mask, &L->in_drop);
            w = &L->in_drop;
        }
        if (!st)
            st = times_w(ctx, m, l, in, w, &L->b, &L->t, &t);
        if (st)
            break;
        if (is_last(m, l)) {
            if (o->l2_scale > 0)
                l2_forward(m, L);
            st = propagate(ctx, m, L->hops, t, &m->mean);
            if (!st && stochastic(m) && with_logvar) {
                const vgae_mat *ts;
                st = times_w(ctx, m, l, in, &L->wsig, &L->bsig, &L->tsig, &ts);
                if (!st)
                    st = propagate(ctx, m, L->hops, ts, &m->logvar);
                for (int64_t k = 0; !st && k < vgae_mat_size(&m->logvar); k++)
                    m->logvar.data[k] *= 2; /* logvar = 2 log sigma */
            }
            break;
        }
        st = propagate(ctx, m, L->hops, t, &L->act);
        if (!st && o->norm != VGAE_NORM_NONE)
            st = vgae_norm_forward(ctx, o->norm == VGAE_NORM_LAYER ? VGAE_NORM_ROWS : VGAE_NORM_COLUMNS,
                                   &L->act, &L->gain, &L->shift, &L->xhat, &L->istd, &L->act);
        if (!st)
            st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &L->act, &L->act);
        if (!st && l > 0 && residual_at(m, l)) {
            const vgae_mat *prev = output(m, l - 1);
            for (int64_t k = 0; k < vgae_mat_size(&L->h); k++)
                L->h.data[k] = L->act.data[k] + prev->data[k];
        }
    }
    return st;
}

/* dW (overwritten) and db (added) of layer l from dT, its input `in`
 * (NULL: the first layer's features or identity). */
static vgae_status weight_grads(vgae_ctx *ctx, vgae_graph_ae *m, int l, const vgae_mat *in,
                                const vgae_mat *dt, vgae_mat *dw, vgae_mat *db)
{
    vgae_status st;
    if (in)
        st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1, in, dt, 0, dw);
    else if (m->x)
        st = vgae_csr_spmm(ctx, m->training ? m->xt_used : m->xt, dt->data,
                           (int32_t)dt->cols, dw->data);
    else
        st = vgae_mat_copy(ctx, dw, dt); /* nothing when dT was written into dW */
    /* db before the dropout's mask: dt may be dw itself */
    for (int64_t c = 0; !st && db->data && c < dt->cols; c++) {
        double s = 0;
        for (int64_t r = 0; r < dt->rows; r++)
            s += dt->data[r * dt->cols + c];
        db->data[c] += (vgae_real)s;
    }
    if (!st && dw == &m->layers[0].dw && !m->x && dropout_at(m, 0)) /* W was dropped out */
        st = vgae_dropout_backward(ctx, &m->layers[0].mask, dw, dw);
    return st;
}

/* The dense input of layer l as forward used it (NULL for the first). */
static const vgae_mat *used_input(vgae_graph_ae *m, int l)
{
    if (l == 0)
        return NULL;
    return dropout_at(m, l) ? &m->layers[l].in_drop : output(m, l - 1);
}

/* ReLU's mask of y (y > 0) as bits, 64 to a word (save), and then d = d
 * where the bit is set, else +0 (apply): for a gradient written over y
 * itself. */
static void mask_word(const vgae_real *y, int64_t len, uint64_t *word)
{
    uint64_t v = 0;
    for (int64_t j = 0; j < len; j++)
        v |= (uint64_t)(y[j] > 0) << j;
    *word = v;
}

/* Clears the bits of each value whose mask bit is clear, without a branch
 * (a select compiled to a branch mispredicted on half the elements: three
 * times this loop's time at a million nodes). */
static void mask_apply_word(uint64_t v, int64_t len, vgae_real *d)
{
    if (sizeof *d == sizeof(uint32_t)) {
        for (int64_t j = 0; j < len; j++) {
            uint32_t u;
            memcpy(&u, d + j, sizeof u);
            u &= 0u - (uint32_t)(v >> j & 1);
            memcpy(d + j, &u, sizeof u);
        }
    } else { /* the double-precision build of the gradient checks */
        _Static_assert(sizeof *d == sizeof(uint32_t) || sizeof *d == sizeof(uint64_t), "32 or 64-bit values");
        for (int64_t j = 0; j < len; j++) {
            uint64_t u;
            memcpy(&u, d + j, sizeof u);
            u &= 0u - (v >> j & 1);
            memcpy(d + j, &u, sizeof u);
        }
    }
}

static void relu_mask(vgae_ctx *ctx, int save, vgae_mat *m, uint64_t *bits)
{
    const int64_t n = vgae_mat_size(m), words = (n + 63) / 64;
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n >= VGAE_PARALLEL_MIN)
    for (int64_t w = 0; w < words; w++) {
        vgae_real *at = m->data + 64 * w;
        const int64_t len = 64 * w + 64 <= n ? 64 : n - 64 * w;
        /* whole words with a constant count, which the compiler unrolls */
        if (save && len == 64)
            mask_word(at, 64, bits + w);
        else if (save)
            mask_word(at, len, bits + w);
        else if (len == 64)
            mask_apply_word(bits[w], 64, at);
        else
            mask_apply_word(bits[w], len, at);
    }
}

vgae_status vgae_gcn_backward(vgae_ctx *ctx, vgae_graph_ae *m)
{
    const vgae_graph_ae_options *o = &m->options;
    const int last = o->layers - 1, vgae = stochastic(m);
    vgae_enc_layer *L = &m->layers[last];
    const vgae_mat *in = used_input(m, last);
    /* dT of the mean's head where logvar was (the ELBO is done with it; a
     * GAE has its own buffer), a VGAE's dT of log sigma where dmean was */
    vgae_mat dt = view(vgae ? &m->logvar : &m->grad_t, m->n, L->out), dts = view(&m->dmean, m->n, L->out);
    /* the last layer's input gradient: into the last hidden layer's act */
    const int over_act = din_in_act(m);
    const vgae_mat din_buf = view(&m->dinput, m->n, o->hidden);
    vgae_mat din = over_act ? view(&m->layers[last - 1].act, m->n, o->hidden) : din_buf;
    /* the last layer: dT = propagate(dmean), then W's gradient and the input's */
    vgae_status st = propagate(ctx, m, L->hops, &m->dmean, &dt);
    if (!st && o->l2_scale > 0)
        l2_backward(m, L, &dt);
    if (!st && vgae) {
        /* d log sigma = 2 dlogvar */
        for (int64_t k = 0; k < vgae_mat_size(&m->dlogvar); k++)
            m->dlogvar.data[k] *= 2;
        st = propagate(ctx, m, L->hops, &m->dlogvar, &dts);
    }
    /* both weight gradients read the input before its gradient may overwrite it */
    if (!st)
        st = weight_grads(ctx, m, last, in, &dt, &L->dw, &L->db);
    if (!st && vgae)
        st = weight_grads(ctx, m, last, in, &dts, &L->dwsig, &L->dbsig);
    if (!st && in && over_act)
        relu_mask(ctx, 1, &m->layers[last - 1].act, m->relu_bits);
    if (!st && in)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &dt, &L->w, 0, &din);
    if (!st && in && vgae)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &dts, &L->wsig, 1, &din);
    if (!st && in && dropout_at(m, last))
        st = vgae_dropout_backward(ctx, &L->mask, &din, &din);
    /* the hidden layers, last to first: din holds the gradient of each one's output */
    for (int l = last - 1; !st && l >= 0; l--) {
        L = &m->layers[l];
        in = used_input(m, l);
        dt = l == 0 && !m->x ? L->dw : view(&m->grad_t, m->n, L->out);
        vgae_mat dres = view(&m->dresid, m->n, L->out);
        if (residual_at(m, l))
            st = vgae_mat_copy(ctx, &dres, &din); /* the input's share of the output */
        if (!st && l == last - 1 && over_act)
            relu_mask(ctx, 0, &din, m->relu_bits);
        else if (!st)
            st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &L->act, &din, &din);
        if (!st && o->norm != VGAE_NORM_NONE)
            st = vgae_norm_backward(ctx, o->norm == VGAE_NORM_LAYER ? VGAE_NORM_ROWS : VGAE_NORM_COLUMNS,
                                    &L->xhat, &L->istd, &L->gain, &din, &L->dgain, &L->dshift, &din);
        if (!st)
            st = propagate(ctx, m, L->hops, &din, &dt);
        if (!st)
            st = weight_grads(ctx, m, l, in, &dt, &L->dw, &L->db);
        if (!st && in) { /* the gradient of layer l - 1's output: in the buffer */
            din = din_buf;
            st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &dt, &L->w, 0, &din);
        }
        if (!st && in && dropout_at(m, l))
            st = vgae_dropout_backward(ctx, &L->mask, &din, &din);
        if (!st && in && residual_at(m, l))
            for (int64_t k = 0; k < vgae_mat_size(&din); k++)
                din.data[k] += dres.data[k];
    }
    return st;
}
