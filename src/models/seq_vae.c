/* The sequence VAE: character embeddings, an LSTM encoder (both ways) to the
 * shared Gaussian layer, an LSTM decoder conditioned on z at every step,
 * a softmax over the characters; trained on the shared ELBO with KL
 * annealing, word dropout and free bits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/seq_vae_impl.h"
#include "nn/internal.h"
#include "vgae/nn/layers.h"

vgae_seq_vae_options vgae_seq_vae_defaults(void)
{
    vgae_seq_vae_options o = {.embed = 32, .enc_hidden = 256, .bidirectional = 1, .dec_hidden = 256,
                              .latent = 56, .max_len = 120, .batch = 64, .lr = 2e-3, .epochs = 50,
                              .beta = 0.1, .kl = vgae_kl_schedule_defaults(), .word_dropout = 0.1,
                              .free_bits = 0.05, .clip = 5.0};
    o.kl.anneal = VGAE_KL_LINEAR;
    o.kl.warmup = 5;
    return o;
}

static int directions(const vgae_seq_vae *m)
{
    return m->options.bidirectional ? 2 : 1;
}

void vgae_seq_vae_free(vgae_seq_vae *m)
{
    if (!m)
        return;
    vgae_mat *mats[] = {&m->emb, &m->demb, &m->wz, &m->dwz, &m->x_in, &m->dx_in, &m->hcat, &m->dhcat, &m->dhcat2,
                        &m->dh_last, &m->mean, &m->logvar, &m->dmean, &m->dlogvar, &m->cond, &m->dcond,
                        &m->logits, &m->dout, &m->h0, &m->c0};
    for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
        vgae_mat_destroy(mats[k]);
    for (int d = 0; d < 2; d++) {
        vgae_lstm_destroy(&m->enc[d]);
        vgae_lstm_run_destroy(&m->enc_run[d]);
    }
    vgae_lstm_destroy(&m->dec);
    vgae_lstm_run_destroy(&m->dec_run);
    for (int h = 0; h < 2; h++)
        vgae_linear_destroy(&m->head[h]);
    vgae_linear_destroy(&m->out);
    vgae_model_base_destroy(&m->base);
    vgae_elbo_work_destroy(&m->elbo);
    free(m->tok);
    free(m->len);
    free(m->row_nll);
    free(m->cell_nll);
    free(m->cell_ok);
    free(m);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_seq_vae_options *o)
{
    const struct {
        const char *name;
        int value, lo, hi;
    } ints[] = {{"embedding width", o->embed, 1, 4096},      {"encoder units", o->enc_hidden, 1, 8192},
                {"decoder units", o->dec_hidden, 1, 8192},   {"latent dimensions", o->latent, 1, 4096},
                {"longest sequence", o->max_len, 1, 100000}, {"batch", o->batch, 1, 65536},
                {"epochs", o->epochs, 0, 1000000}};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
        if (ints[k].value < ints[k].lo || ints[k].value > ints[k].hi)
            return vgae_fail(ctx, VGAE_EINVAL, "sequence VAE: %s %d (%d to %d)", ints[k].name, ints[k].value,
                             ints[k].lo, ints[k].hi);
    if (!(o->lr > 0 && o->lr < 10) || !(o->beta >= 0 && o->beta < 1e6) ||
        !(o->word_dropout >= 0 && o->word_dropout <= 1) || !(o->free_bits >= 0 && o->free_bits < 1e3) ||
        !(o->clip >= 0 && o->clip < 1e9))
        return vgae_fail(ctx, VGAE_EINVAL, "sequence VAE: lr %g (0 to 10), beta %g (>= 0), word dropout %g (0 to "
                         "1), free bits %g (>= 0), clip %g (>= 0) out of range", o->lr, o->beta, o->word_dropout,
                         o->free_bits, o->clip);
    return vgae_kl_schedule_check(ctx, &o->kl);
}

vgae_status vgae_seq_vae_new(vgae_ctx *ctx, const vgae_seq_vae_options *options, const vgae_alphabet *alphabet,
                             vgae_seq_vae **out)
{
    *out = NULL;
    vgae_status st = check_options(ctx, options);
    if (st)
        return st;
    if (alphabet->size < 1 || alphabet->size > VGAE_ALPHABET_MAX)
        return vgae_fail(ctx, VGAE_EINVAL, "sequence VAE: an alphabet of %d characters", alphabet->size);
    vgae_seq_vae *m = vgae_calloc(ctx, 1, sizeof *m);
    if (!m)
        return VGAE_ENOMEM;
    m->options = *options;
    m->alphabet = *alphabet;
    m->vocab = alphabet->size + VGAE_SEQ_FIRST_CHAR;
    const vgae_seq_vae_options *o = &m->options;
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    st = vgae_model_base_init(ctx, &m->base, "gaussian", o->latent);
    if (!st) st = vgae_mat_init(ctx, &m->emb, m->vocab, o->embed);
    if (!st) st = vgae_mat_init(ctx, &m->demb, m->vocab, o->embed);
    if (!st) /* N(0, 1) embeddings, as PyTorch's nn.Embedding */
        vgae_rng_normal_fill_real(init, m->emb.data, vgae_mat_size(&m->emb), vgae_ctx_threads(ctx));
    for (int d = 0; !st && d < directions(m); d++)
        st = vgae_lstm_init(ctx, &m->enc[d], o->embed, o->enc_hidden, init);
    for (int h = 0; !st && h < 2; h++)
        st = vgae_linear_init(ctx, &m->head[h], (int64_t)directions(m) * o->enc_hidden, o->latent, 1, init);
    if (!st) st = vgae_mat_init(ctx, &m->wz, o->latent, 4 * (int64_t)o->dec_hidden);
    if (!st) st = vgae_mat_init(ctx, &m->dwz, o->latent, 4 * (int64_t)o->dec_hidden);
    if (!st)
        vgae_glorot_uniform(ctx, &m->wz, init);
    if (!st) st = vgae_lstm_init(ctx, &m->dec, o->embed, o->dec_hidden, init);
    if (!st) st = vgae_linear_init(ctx, &m->out, o->dec_hidden, m->vocab, 1, init);
    /* the parameters, in this order in the model file */
    if (!st) st = vgae_params_add(ctx, &m->base.params, "embed", &m->emb, &m->demb);
    for (int d = 0; !st && d < directions(m); d++)
        st = vgae_lstm_params(ctx, &m->enc[d], d ? "enc.backward" : "enc.forward", &m->base.params);
    if (!st) st = vgae_linear_params(ctx, &m->head[0], "enc.mu", &m->base.params);
    if (!st) st = vgae_linear_params(ctx, &m->head[1], "enc.logvar", &m->base.params);
    if (!st) st = vgae_params_add(ctx, &m->base.params, "dec.z", &m->wz, &m->dwz);
    if (!st) st = vgae_lstm_params(ctx, &m->dec, "dec.lstm", &m->base.params);
    if (!st) st = vgae_linear_params(ctx, &m->out, "dec.out", &m->base.params);
    if (!st) st = vgae_model_base_optimizer(ctx, &m->base, o->lr);
    if (st) {
        vgae_seq_vae_free(m);
        return st;
    }
    *out = m;
    return VGAE_OK;
}

const vgae_seq_vae_options *vgae_seq_vae_settings(const vgae_seq_vae *m)
{
    return &m->options;
}

const vgae_alphabet *vgae_seq_vae_alphabet(const vgae_seq_vae *m)
{
    return &m->alphabet;
}

int64_t vgae_seq_vae_parameters(const vgae_seq_vae *m)
{
    return vgae_params_scalars(&m->base.params);
}

int64_t vgae_seq_vae_epochs(const vgae_seq_vae *m)
{
    return m->base.epoch;
}

/* ---- a batch ---- */

static vgae_status prepare_batch(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, const int64_t *idx,
                                 int64_t rows, vgae_rng *drop);

/* At least rows x cols: grown, never shrunk (batches differ in length:
 * the work is views of the rows a batch needs, not new allocations). */
static vgae_status room(vgae_ctx *ctx, vgae_mat *x, int64_t rows, int64_t cols)
{
    if (x->cols == cols && x->rows >= rows)
        return VGAE_OK;
    return vgae_mat_ensure(ctx, x, x->cols == cols && x->rows > rows ? x->rows : rows, cols);
}

/* Room for a batch of `rows` sequences of at most `longest` characters. */
static vgae_status batch_room(vgae_ctx *ctx, vgae_seq_vae *m, int64_t rows, int64_t longest)
{
    const vgae_seq_vae_options *o = &m->options;
    const int64_t steps = longest + 1, cells = steps * rows;
    vgae_status st = VGAE_OK;
    if (cells > m->tok_cap) {
        free(m->tok);
        if (!(m->tok = vgae_alloc(ctx, 3 * (size_t)cells, sizeof *m->tok)))
            return VGAE_ENOMEM;
        m->tok_cap = cells;
    }
    if (rows > m->len_cap) {
        free(m->len);
        free(m->row_nll);
        m->len = vgae_alloc(ctx, 2 * (size_t)rows, sizeof *m->len); /* and the decoder's steps */
        m->row_nll = vgae_alloc(ctx, (size_t)rows, sizeof *m->row_nll);
        if (!m->len || !m->row_nll)
            return VGAE_ENOMEM;
        m->len_cap = rows;
    }
    const int64_t he = (int64_t)directions(m) * o->enc_hidden;
    /* the encoder's directions each have their rows (see side_by_side) */
    const int64_t dirs = directions(m);
    if (!st) st = room(ctx, &m->x_in, dirs * cells, o->embed);
    if (!st) st = room(ctx, &m->dx_in, dirs * cells, o->embed);
    if (!st) st = room(ctx, &m->dh_last, dirs * rows, o->enc_hidden);
    if (!st) st = room(ctx, &m->logits, cells, m->vocab);
    if (!st) st = room(ctx, &m->dout, cells, o->dec_hidden);
    if (!st) st = room(ctx, &m->hcat, rows, he);
    if (!st) st = room(ctx, &m->dhcat, rows, he);
    if (!st) st = room(ctx, &m->dhcat2, rows, he);
    if (!st) st = room(ctx, &m->mean, rows, o->latent);
    if (!st) st = room(ctx, &m->logvar, rows, o->latent);
    if (!st) st = room(ctx, &m->dmean, rows, o->latent);
    if (!st) st = room(ctx, &m->dlogvar, rows, o->latent);
    if (!st) st = room(ctx, &m->cond, rows, 4 * (int64_t)o->dec_hidden);
    if (!st) st = room(ctx, &m->dcond, rows, 4 * (int64_t)o->dec_hidden);
    return st;
}

/* Loads sequences idx[0..rows) of s as the batch: lengths, and the token
 * grids (time-major, END past each end) read forward, backward, and as
 * the decoder's input (START, then the characters, each replaced by BLANK
 * with probability word_dropout when drop is not NULL). */
static void load_batch(vgae_seq_vae *m, const vgae_seqs *s, const int64_t *idx, int64_t rows, vgae_rng *drop)
{
    int64_t longest = 0;
    for (int64_t b = 0; b < rows; b++) {
        const int64_t i = idx ? idx[b] : b;
        m->len[b] = (int32_t)(s->start[i + 1] - s->start[i]);
        m->len[m->len_cap + b] = m->len[b] + 1; /* the decoder's steps: the characters, then END */
        longest = m->len[b] > longest ? m->len[b] : longest;
    }
    m->rows = rows;
    m->steps = longest + 1;
    const int64_t cells = m->steps * rows;
    int32_t *fwd = m->tok, *bwd = m->tok + cells, *dec = m->tok + 2 * cells;
    memset(m->tok, 0, 3 * (size_t)cells * sizeof *m->tok); /* END everywhere first */
    for (int64_t b = 0; b < rows; b++) {
        const int64_t i = idx ? idx[b] : b;
        const uint32_t *c = s->sym + s->start[i];
        const int32_t len = m->len[b];
        dec[b] = VGAE_SEQ_START;
        for (int32_t t = 0; t < len; t++) {
            const int32_t tok = VGAE_SEQ_FIRST_CHAR + vgae_alphabet_find(&m->alphabet, c[t]);
            fwd[t * rows + b] = tok;
            bwd[(len - 1 - t) * rows + b] = tok;
            dec[(t + 1) * rows + b] = drop && vgae_rng_uniform(drop) < m->options.word_dropout ? VGAE_SEQ_BLANK : tok;
        }
    }
}

/* x (rows of tokens) -> their embeddings. */
static void embed(const vgae_seq_vae *m, const int32_t *tok, int64_t n, vgae_mat *x)
{
    const int64_t e = m->emb.cols;
    for (int64_t r = 0; r < n; r++)
        memcpy(x->data + r * e, m->emb.data + (int64_t)tok[r] * e, (size_t)e * sizeof *x->data);
}

/* The embeddings' gradient: each row of dx added to its token's, in row order. */
static void embed_backward(vgae_seq_vae *m, const int32_t *tok, int64_t n, const vgae_mat *dx)
{
    const int64_t e = m->emb.cols;
    for (int64_t r = 0; r < n; r++) {
        vgae_real *g = m->demb.data + (int64_t)tok[r] * e;
        const vgae_real *d = dx->data + r * e;
        for (int64_t j = 0; j < e; j++)
            g[j] += d[j];
    }
}

/* The encoder's directions run side by side when there are threads for
 * them: each has its own rows of x_in, dx_in and dh_last, and each of its
 * products is the same single-threaded call either way (nested regions run
 * on one thread), so the bits do not depend on it. */
static int side_by_side(vgae_ctx *ctx, const vgae_seq_vae *m)
{
    return directions(m) > 1 && vgae_ctx_threads(ctx) > 1;
}

/* The encoder over the loaded batch: each direction's last state (at the
 * sequence's own last character) side by side in hcat, then the heads. */
static vgae_status encode_batch(vgae_ctx *ctx, vgae_seq_vae *m)
{
    const int64_t rows = m->rows, steps = m->steps - 1, cells = steps * rows, he = m->options.enc_hidden;
    const int dirs = directions(m);
    vgae_status st = VGAE_OK;
    for (int d = 0; !st && d < dirs; d++) /* room first: no allocation on the threads */
        st = vgae_lstm_run_ensure(ctx, &m->enc_run[d], steps, rows, he);
    if (st)
        return st;
    vgae_status dst[2] = {VGAE_OK, VGAE_OK};
#pragma omp parallel for schedule(static, 1) num_threads(dirs) if (side_by_side(ctx, m))
    for (int d = 0; d < dirs; d++) {
        vgae_mat x = vgae_mat_rows(&m->x_in, d * cells, cells);
        embed(m, m->tok + d * m->steps * rows, cells, &x);
        dst[d] = vgae_lstm_forward(ctx, &m->enc[d], &x, NULL, NULL, NULL, steps, rows, m->len, &m->enc_run[d]);
        for (int64_t b = 0; !dst[d] && b < rows; b++) {
            const vgae_mat h = vgae_lstm_h(&m->enc_run[d], m->len[b] - 1);
            memcpy(m->hcat.data + b * m->hcat.cols + d * he, h.data + b * he, (size_t)he * sizeof *h.data);
        }
    }
    st = dst[0] ? dst[0] : dst[1];
    vgae_mat hcat = vgae_mat_rows(&m->hcat, 0, rows), mean = vgae_mat_rows(&m->mean, 0, rows), logvar = vgae_mat_rows(&m->logvar, 0, rows);
    if (!st) st = vgae_linear_forward(ctx, &m->head[0], &hcat, &mean);
    if (!st) st = vgae_linear_forward(ctx, &m->head[1], &hcat, &logvar);
    return st;
}

/* Backward from the heads' gradients through the encoder (each direction's
 * input embedded again: the decoder's has held the first rows of x_in
 * since); the embeddings' gradients added in a fixed order afterwards. */
static vgae_status encode_backward(vgae_ctx *ctx, vgae_seq_vae *m)
{
    const int64_t rows = m->rows, steps = m->steps - 1, cells = steps * rows, he = m->options.enc_hidden;
    const int dirs = directions(m);
    vgae_mat hcat = vgae_mat_rows(&m->hcat, 0, rows), dhcat = vgae_mat_rows(&m->dhcat, 0, rows);
    vgae_mat dmean = vgae_mat_rows(&m->dmean, 0, rows), dlogvar = vgae_mat_rows(&m->dlogvar, 0, rows);
    vgae_status st = vgae_linear_backward(ctx, &m->head[0], &hcat, &dmean, &dhcat);
    if (!st) { /* the second head's input gradient added to the first's */
        vgae_mat dh2 = vgae_mat_rows(&m->dhcat2, 0, rows);
        st = vgae_linear_backward(ctx, &m->head[1], &hcat, &dlogvar, &dh2);
        for (int64_t k = 0; !st && k < vgae_mat_size(&dhcat); k++)
            dhcat.data[k] += dh2.data[k];
    }
    if (st)
        return st;
    vgae_status dst[2] = {VGAE_OK, VGAE_OK};
#pragma omp parallel for schedule(static, 1) num_threads(dirs) if (side_by_side(ctx, m))
    for (int d = 0; d < dirs; d++) {
        vgae_mat x = vgae_mat_rows(&m->x_in, d * cells, cells), dx = vgae_mat_rows(&m->dx_in, d * cells, cells);
        vgae_mat dh = {rows, he, m->dh_last.data + d * rows * he}; /* at each sequence's last step */
        embed(m, m->tok + d * m->steps * rows, cells, &x);
        for (int64_t b = 0; b < rows; b++)
            memcpy(dh.data + b * he, dhcat.data + b * dhcat.cols + d * he, (size_t)he * sizeof *dh.data);
        dst[d] = vgae_lstm_backward(ctx, &m->enc[d], &x, NULL, &dh, NULL, &m->enc_run[d], &dx, NULL, NULL, NULL);
    }
    for (int d = dirs - 1; d >= 0; d--) {
        if (dst[d])
            return dst[d];
        vgae_mat dx = vgae_mat_rows(&m->dx_in, d * cells, cells);
        embed_backward(m, m->tok + d * m->steps * rows, cells, &dx);
    }
    return VGAE_OK;
}

/* The decoder and its likelihood (an ELBO decoder callback): z Wz added to
 * every step's gates, the characters read with teacher forcing, a softmax
 * over the next character at every step up to each sequence's END. Each
 * sequence's terms are summed in step order (row_nll), the batch's in
 * sequence order. */
static vgae_status decode_cb(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale, vgae_mat *dz,
                             double *nll)
{
    vgae_seq_vae *m = self;
    const int64_t rows = m->rows, steps = m->steps, cells = steps * rows, v = m->vocab;
    const int32_t *target = m->tok, *input = m->tok + 2 * cells;
    vgae_mat cond = vgae_mat_rows(&m->cond, 0, rows), x = vgae_mat_rows(&m->x_in, 0, cells), logits = vgae_mat_rows(&m->logits, 0, cells);
    vgae_status st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, z, &m->wz, 0.0, &cond);
    if (st)
        return st;
    embed(m, input, cells, &x);
    st = vgae_lstm_forward(ctx, &m->dec, &x, &cond, NULL, NULL, steps, rows, m->len + m->len_cap, &m->dec_run);
    vgae_mat h = vgae_lstm_outputs(&m->dec_run);
    if (!st)
        st = vgae_linear_forward(ctx, &m->out, &h, &logits);
    if (st)
        return st;
    /* each cell's term, its gradient written over its logits (0 past the END) */
    const int threads = vgae_ctx_threads(ctx);
    const double scale = grad_scale;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && cells * v >= VGAE_PARALLEL_MIN)
    for (int64_t r = 0; r < cells; r++) {
        const int64_t t = r / rows, b = r % rows;
        vgae_real *l = logits.data + r * v;
        if (t > m->len[b]) {
            m->cell_nll[r] = 0;
            m->cell_ok[r] = 0;
            memset(l, 0, (size_t)v * sizeof *l);
            continue;
        }
        int64_t best = 0;
        double top = l[0];
        for (int64_t k = 1; k < v; k++)
            if (l[k] > top) {
                top = l[k];
                best = k;
            }
        double sum = 0;
        for (int64_t k = 0; k < v; k++)
            sum += exp((double)l[k] - top);
        const int32_t y = target[r];
        m->cell_nll[r] = log(sum) + top - (double)l[y];
        m->cell_ok[r] = best == y;
        if (dz) {
            for (int64_t k = 0; k < v; k++)
                l[k] = (vgae_real)(scale * (exp((double)l[k] - top) / sum));
            l[y] -= scale;
        }
    }
    double total = 0;
    for (int64_t b = 0; b < rows; b++) {
        double s = 0;
        for (int64_t t = 0; t <= m->len[b]; t++)
            s += m->cell_nll[t * rows + b];
        m->row_nll[b] = s;
        total += s;
    }
    if (nll)
        *nll = total;
    if (!dz)
        return VGAE_OK;
    vgae_mat dh = vgae_mat_rows(&m->dout, 0, cells), dx = vgae_mat_rows(&m->dx_in, 0, cells), dcond = vgae_mat_rows(&m->dcond, 0, rows);
    st = vgae_linear_backward(ctx, &m->out, &h, &logits, &dh);
    if (!st)
        st = vgae_lstm_backward(ctx, &m->dec, &x, &dh, NULL, NULL, &m->dec_run, &dx, &dcond, NULL, NULL);
    if (st)
        return st;
    embed_backward(m, input, cells, &dx);
    vgae_gemm_job jobs[2] = {{VGAE_TRANS, VGAE_NO_TRANS, 1.0, z, &dcond, 1.0, &m->dwz},
                             {VGAE_NO_TRANS, VGAE_TRANS, 1.0, &dcond, &m->wz, 0.0, dz}};
    return vgae_gemm_batch(ctx, 2, jobs);
}

/* The loss of the loaded batch (terms summed over its rows), and with
 * backward the parameters' gradients (zeroed first). */
static vgae_status batch_loss(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_elbo_config *cfg, vgae_rng *noise,
                              int backward, vgae_elbo_terms *terms)
{
    if (backward)
        vgae_params_zero_grad(&m->base.params);
    const int64_t rows = m->rows;
    vgae_status st = encode_batch(ctx, m);
    vgae_mat mean = vgae_mat_rows(&m->mean, 0, rows), logvar = vgae_mat_rows(&m->logvar, 0, rows);
    vgae_mat dmean = vgae_mat_rows(&m->dmean, 0, rows), dlogvar = vgae_mat_rows(&m->dlogvar, 0, rows);
    const vgae_mat *heads[] = {&mean, &logvar};
    vgae_mat *d_heads[] = {&dmean, &dlogvar};
    if (!st)
        st = vgae_elbo_compute(ctx, cfg, m->base.latent, heads, noise, decode_cb, m, &m->elbo,
                               backward ? d_heads : NULL, terms);
    if (!st && backward)
        st = encode_backward(ctx, m);
    return st;
}

vgae_status vgae_seq_vae_loss(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, const vgae_elbo_config *cfg,
                              vgae_rng *noise, int backward, vgae_elbo_terms *terms)
{
    int64_t *idx = vgae_alloc(ctx, (size_t)s->count, sizeof *idx);
    if (!idx)
        return VGAE_ENOMEM;
    for (int64_t i = 0; i < s->count; i++)
        idx[i] = i;
    vgae_status st = prepare_batch(ctx, m, s, idx, s->count, NULL);
    free(idx);
    return st ? st : batch_loss(ctx, m, cfg, noise, backward, terms);
}

/* Every sequence of s is of the model's alphabet and no longer than its maximum. */
static vgae_status check_seqs(vgae_ctx *ctx, const vgae_seq_vae *m, const vgae_seqs *s)
{
    if (s->count < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "sequence VAE: no sequences");
    for (int64_t i = 0; i < s->count; i++) {
        const int64_t len = s->start[i + 1] - s->start[i];
        if (len < 1 || len > m->options.max_len)
            return vgae_fail(ctx, VGAE_EINVAL, "sequence %lld (line %lld) has %lld characters: the model takes 1 "
                             "to %d", (long long)i + 1, (long long)s->line[i], (long long)len,
                             m->options.max_len);
        for (int64_t k = s->start[i]; k < s->start[i + 1]; k++)
            if (vgae_alphabet_find(&m->alphabet, s->sym[k]) < 0)
                return vgae_fail(ctx, VGAE_EINVAL, "sequence %lld (line %lld) has character U+%04X, not in the "
                                 "model's alphabet", (long long)i + 1, (long long)s->line[i], (unsigned)s->sym[k]);
    }
    return VGAE_OK;
}

/* Room for the per-cell terms of a batch of `cells`. */
static vgae_status cell_room(vgae_ctx *ctx, vgae_seq_vae *m, int64_t cells)
{
    if (cells <= m->cell_cap)
        return VGAE_OK;
    free(m->cell_nll);
    free(m->cell_ok);
    m->cell_nll = vgae_alloc(ctx, (size_t)cells, sizeof *m->cell_nll);
    m->cell_ok = vgae_alloc(ctx, (size_t)cells, sizeof *m->cell_ok);
    if (!m->cell_nll || !m->cell_ok)
        return VGAE_ENOMEM;
    m->cell_cap = cells;
    return VGAE_OK;
}

/* Room for every batch of s at once, the LSTMs' runs included: the
 * longest of its sequences in a full batch. Reserved before the first
 * batch, the memory is taken once, not again each time a longer batch
 * comes (fresh pages are zeroed by the system, and cost a fault each). */
static vgae_status reserve(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s)
{
    int64_t longest = 0;
    for (int64_t i = 0; i < s->count; i++) {
        const int64_t len = s->start[i + 1] - s->start[i];
        longest = len > longest ? len : longest;
    }
    const int64_t rows = s->count < m->options.batch ? s->count : m->options.batch;
    vgae_status st = batch_room(ctx, m, rows, longest);
    if (!st)
        st = cell_room(ctx, m, (longest + 1) * rows);
    for (int d = 0; !st && d < directions(m); d++) /* the encoder reads the characters alone */
        st = vgae_lstm_run_ensure(ctx, &m->enc_run[d], longest, rows, m->options.enc_hidden);
    if (!st) /* the decoder, START then each character */
        st = vgae_lstm_run_ensure(ctx, &m->dec_run, longest + 1, rows, m->options.dec_hidden);
    return st;
}

/* Loads idx[0..rows) of s with room for them. */
static vgae_status prepare_batch(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, const int64_t *idx,
                                 int64_t rows, vgae_rng *drop)
{
    int64_t longest = 0;
    for (int64_t b = 0; b < rows; b++) {
        const int64_t i = idx[b], len = s->start[i + 1] - s->start[i];
        longest = len > longest ? len : longest;
    }
    vgae_status st = batch_room(ctx, m, rows, longest);
    if (!st)
        st = cell_room(ctx, m, (longest + 1) * rows);
    if (!st)
        load_batch(m, s, idx, rows, drop);
    return st;
}

/* The batch's figures added to f: loss and terms (sums over rows), the
 * characters (with END) and the teacher-forced hits. */
static void add_figures(const vgae_seq_vae *m, const vgae_elbo_terms *t, double loss_sum, vgae_seq_figures *f)
{
    f->loss += loss_sum;
    f->recon += t->nll;
    f->kl += t->kl;
    f->sequences += m->rows;
    for (int64_t b = 0; b < m->rows; b++) {
        f->characters += m->len[b] + 1;
        for (int64_t t2 = 0; t2 <= m->len[b]; t2++)
            f->char_accuracy += m->cell_ok[t2 * m->rows + b];
    }
}

static void finish_figures(vgae_seq_figures *f)
{
    const double n = f->sequences ? (double)f->sequences : 1, chars = f->characters ? (double)f->characters : 1;
    f->neg_elbo = (f->recon + f->kl) / n;
    f->per_char = (f->recon + f->kl) / chars;
    f->char_accuracy /= chars;
    f->loss /= n;
    f->recon /= n;
    f->kl /= n;
}

/* Batches of similar length: the order shuffled, cut into pools of 32
 * batches, each pool sorted by length (ties in shuffled order) and cut
 * into batches, the batches then shuffled. order gets the sequences,
 * first[k] where batch k starts (batches + 1 values). */
typedef struct {
    int64_t i, len, at;
} by_len;

static int cmp_len(const void *a, const void *b)
{
    const by_len *x = a, *y = b;
    return x->len != y->len ? (x->len > y->len) - (x->len < y->len) : (x->at > y->at) - (x->at < y->at);
}

static vgae_status bucket_order(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, vgae_rng *r, int64_t *order,
                                int64_t *first, int64_t *batches)
{
    const int64_t n = s->count, bs = m->options.batch, pool = 32 * bs;
    by_len *tmp = vgae_alloc(ctx, (size_t)n, sizeof *tmp);
    int64_t *perm = vgae_alloc(ctx, (size_t)n, sizeof *perm);
    if (!tmp || !perm) {
        free(tmp);
        free(perm);
        return VGAE_ENOMEM;
    }
    vgae_rng_permutation(r, perm, n);
    for (int64_t k = 0; k < n; k++)
        tmp[k] = (by_len){perm[k], s->start[perm[k] + 1] - s->start[perm[k]], k};
    for (int64_t p0 = 0; p0 < n; p0 += pool)
        qsort(tmp + p0, (size_t)(n - p0 < pool ? n - p0 : pool), sizeof *tmp, cmp_len);
    int64_t nb = 0;
    for (int64_t p0 = 0; p0 < n; p0 += pool) {
        const int64_t p1 = n - p0 < pool ? n : p0 + pool;
        for (int64_t b0 = p0; b0 < p1; b0 += bs)
            perm[nb++] = b0; /* a batch: [b0, min(b0 + bs, p1)) */
    }
    /* the batches' order shuffled; each batch's end is the next start within its pool */
    int64_t *shuffle = vgae_alloc(ctx, (size_t)nb, sizeof *shuffle);
    if (!shuffle) {
        free(tmp);
        free(perm);
        return VGAE_ENOMEM;
    }
    vgae_rng_permutation(r, shuffle, nb);
    int64_t at = 0;
    for (int64_t k = 0; k < nb; k++) {
        const int64_t b0 = perm[shuffle[k]], pool_end = (b0 / pool) * pool + pool < n ? (b0 / pool) * pool + pool : n;
        const int64_t b1 = b0 + bs < pool_end ? b0 + bs : pool_end;
        first[k] = at;
        for (int64_t j = b0; j < b1; j++)
            order[at++] = tmp[j].i;
    }
    first[nb] = at;
    *batches = nb;
    free(shuffle);
    free(tmp);
    free(perm);
    return VGAE_OK;
}

vgae_status vgae_seq_vae_train_epoch(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *train,
                                     vgae_seq_progress_fn progress, void *user, vgae_seq_figures *out)
{
    *out = (vgae_seq_figures){0};
    vgae_status st = check_seqs(ctx, m, train);
    if (!st)
        st = reserve(ctx, m, train);
    if (st)
        return st;
    const double start = vgae_now();
    const int64_t n = train->count, bs = m->options.batch;
    int64_t *order = vgae_alloc(ctx, (size_t)n, sizeof *order);
    int64_t *first = vgae_alloc(ctx, (size_t)(n / bs + n / (32 * bs) + 3), sizeof *first);
    int64_t batches = 0;
    if (!order || !first)
        st = VGAE_ENOMEM;
    if (!st)
        st = bucket_order(ctx, m, train, vgae_ctx_rng(ctx, VGAE_STREAM_SHUFFLE), order, first, &batches);
    vgae_rng *drop = vgae_ctx_rng(ctx, VGAE_STREAM_DROPOUT), *noise = vgae_ctx_rng(ctx, VGAE_STREAM_NOISE);
    for (int64_t k = 0; !st && k < batches; k++) {
        const int64_t rows = first[k + 1] - first[k];
        st = prepare_batch(ctx, m, train, order + first[k], rows, m->options.word_dropout > 0 ? drop : NULL);
        vgae_elbo_config cfg = vgae_elbo_defaults();
        const double t = (double)m->base.epoch + (double)k / (double)batches;
        cfg.recon_scale = cfg.kl_scale = 1.0 / (double)rows;
        cfg.beta = m->options.beta * vgae_kl_anneal_weight(&m->options.kl, t, m->options.epochs);
        cfg.free_bits = m->options.free_bits;
        vgae_elbo_terms terms;
        if (!st)
            st = batch_loss(ctx, m, &cfg, noise, 1, &terms);
        if (!st) { /* a finite norm is a finite gradient: then the step need not check again */
            const double norm = vgae_params_clip_grad_norm(ctx, &m->base.params, m->options.clip);
            st = vgae_model_base_step(ctx, &m->base, !isfinite(norm));
        }
        if (!st)
            add_figures(m, &terms, terms.loss * (double)rows, out);
        if (!st && vgae_ctx_interrupted(ctx))
            st = vgae_fail(ctx, VGAE_EINTR, "interrupted");
        if (!st && progress)
            progress(user, k + 1, batches, vgae_now() - start);
    }
    free(order);
    free(first);
    if (st)
        return st;
    m->base.epoch++;
    m->base.train_seconds += vgae_now() - start;
    finish_figures(out);
    return VGAE_OK;
}

/* Runs fn over s in batches of the model's size, in order. */
static vgae_status over_batches(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s,
                                vgae_status (*fn)(vgae_ctx *, vgae_seq_vae *, int64_t, void *), void *arg)
{
    const int64_t bs = m->options.batch;
    vgae_status st = reserve(ctx, m, s);
    if (st)
        return st;
    int64_t *idx = vgae_alloc(ctx, (size_t)bs, sizeof *idx);
    if (!idx)
        return VGAE_ENOMEM;
    for (int64_t b0 = 0; !st && b0 < s->count; b0 += bs) {
        const int64_t rows = s->count - b0 < bs ? s->count - b0 : bs;
        for (int64_t k = 0; k < rows; k++)
            idx[k] = b0 + k;
        st = prepare_batch(ctx, m, s, idx, rows, NULL);
        if (!st)
            st = fn(ctx, m, b0, arg);
    }
    free(idx);
    return st;
}

typedef struct {
    vgae_rng noise;
    vgae_seq_figures f;
} eval_arg;

static vgae_status eval_batch(vgae_ctx *ctx, vgae_seq_vae *m, int64_t b0, void *arg)
{
    (void)b0;
    eval_arg *a = arg;
    vgae_elbo_config cfg = vgae_elbo_defaults();
    vgae_elbo_terms t;
    vgae_status st = batch_loss(ctx, m, &cfg, &a->noise, 0, &t);
    if (!st)
        add_figures(m, &t, t.loss, &a->f);
    return st;
}

vgae_status vgae_seq_vae_evaluate(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, vgae_seq_figures *out)
{
    *out = (vgae_seq_figures){0};
    vgae_status st = check_seqs(ctx, m, s);
    if (st)
        return st;
    eval_arg a = {.f = {0}};
    vgae_rng_init(&a.noise, vgae_ctx_seed(ctx), VGAE_STREAM_NOISE);
    vgae_rng_substream(&a.noise, (uint32_t)m->base.epoch);
    st = over_batches(ctx, m, s, eval_batch, &a);
    if (st)
        return st;
    finish_figures(&a.f);
    *out = a.f;
    return VGAE_OK;
}

static vgae_status encode_rows(vgae_ctx *ctx, vgae_seq_vae *m, int64_t b0, void *arg)
{
    vgae_mat *out = arg;
    vgae_status st = encode_batch(ctx, m);
    if (!st)
        memcpy(out->data + b0 * out->cols, m->mean.data, (size_t)(m->rows * out->cols) * sizeof *out->data);
    return st;
}

vgae_status vgae_seq_vae_encode(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, vgae_mat *out)
{
    vgae_status st = check_seqs(ctx, m, s);
    if (!st)
        st = vgae_mat_ensure(ctx, out, s->count, m->options.latent);
    return st ? st : over_batches(ctx, m, s, encode_rows, out);
}

/* The next character of each row from its logits: the likeliest
 * (temperature 0) or a draw from softmax(logits / temperature). */
static int32_t pick(const vgae_real *l, int64_t v, double temperature, vgae_rng *rng)
{
    int64_t best = 0;
    for (int64_t k = 1; k < v; k++)
        if (l[k] > l[best])
            best = k;
    if (temperature <= 0)
        return (int32_t)best;
    double sum = 0;
    for (int64_t k = 0; k < v; k++)
        sum += exp(((double)l[k] - l[best]) / temperature);
    double u = vgae_rng_uniform(rng) * sum;
    for (int64_t k = 0; k < v; k++) {
        u -= exp(((double)l[k] - l[best]) / temperature);
        if (u < 0)
            return (int32_t)k;
    }
    return (int32_t)best;
}

vgae_status vgae_seq_vae_decode(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_mat *z, double temperature,
                                vgae_rng *rng, vgae_seqs *out, uint8_t *ended)
{
    *out = (vgae_seqs){0};
    const vgae_seq_vae_options *o = &m->options;
    if (z->cols != o->latent)
        return vgae_fail(ctx, VGAE_EINVAL, "decoding codes of %lld dimensions with a model of %d",
                         (long long)z->cols, o->latent);
    if (!(temperature >= 0 && temperature < 1e6) || (temperature > 0 && !rng))
        return vgae_fail(ctx, VGAE_EINVAL, "a temperature of %g (>= 0; above 0 needs draws)", temperature);
    const int64_t n = z->rows, bs = o->batch, hd = o->dec_hidden, maxl = o->max_len;
    out->start = vgae_alloc(ctx, (size_t)n + 1, sizeof *out->start);
    out->sym = vgae_alloc(ctx, (size_t)(n * maxl + 1), sizeof *out->sym);
    out->line = vgae_alloc(ctx, (size_t)n + 1, sizeof *out->line);
    int32_t *tok = vgae_alloc(ctx, (size_t)bs, sizeof *tok);
    uint8_t *done = vgae_alloc(ctx, (size_t)bs, 1);
    uint32_t *grid = vgae_alloc(ctx, (size_t)(bs * maxl + 1), sizeof *grid);
    int32_t *lens = vgae_alloc(ctx, (size_t)bs, sizeof *lens);
    vgae_status st = out->start && out->sym && out->line && tok && done && grid && lens ? VGAE_OK : VGAE_ENOMEM;
    if (!st) st = vgae_mat_ensure(ctx, &m->h0, bs, hd);
    if (!st) st = vgae_mat_ensure(ctx, &m->c0, bs, hd);
    if (!st) st = batch_room(ctx, m, bs, 1);
    int64_t at = 0;
    if (!st)
        out->start[0] = 0;
    for (int64_t b0 = 0; !st && b0 < n; b0 += bs) {
        const int64_t rows = n - b0 < bs ? n - b0 : bs;
        const vgae_mat zb = vgae_mat_rows(z, b0, rows);
        vgae_mat cond = vgae_mat_rows(&m->cond, 0, rows), x = vgae_mat_rows(&m->x_in, 0, rows), h0 = vgae_mat_rows(&m->h0, 0, rows),
                 c0 = vgae_mat_rows(&m->c0, 0, rows), logits = vgae_mat_rows(&m->logits, 0, rows);
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1.0, &zb, &m->wz, 0.0, &cond);
        vgae_mat_zero(&h0);
        vgae_mat_zero(&c0);
        for (int64_t b = 0; b < rows; b++) {
            tok[b] = VGAE_SEQ_START;
            done[b] = 0;
            lens[b] = 0;
        }
        int64_t left = rows;
        for (int64_t t = 0; !st && t <= maxl && left > 0; t++) {
            embed(m, tok, rows, &x);
            st = vgae_lstm_forward(ctx, &m->dec, &x, &cond, &h0, &c0, 1, rows, NULL, &m->dec_run);
            vgae_mat h = vgae_lstm_h(&m->dec_run, 0), c = vgae_lstm_c(&m->dec_run, 0);
            if (!st)
                st = vgae_linear_forward(ctx, &m->out, &h, &logits);
            if (st)
                break;
            memcpy(h0.data, h.data, (size_t)(rows * hd) * sizeof *h.data);
            memcpy(c0.data, c.data, (size_t)(rows * hd) * sizeof *c.data);
            for (int64_t b = 0; b < rows; b++) {
                if (done[b])
                    continue;
                /* START and BLANK are never emitted: the likeliest of the others */
                vgae_real *l = logits.data + b * m->vocab;
                l[VGAE_SEQ_START] = l[VGAE_SEQ_BLANK] = -INFINITY;
                const int32_t next = pick(l, m->vocab, temperature, rng);
                if (next == VGAE_SEQ_END || t == maxl) {
                    done[b] = next == VGAE_SEQ_END ? 1 : 2;
                    left--;
                    continue;
                }
                grid[b * maxl + lens[b]++] = m->alphabet.sym[next - VGAE_SEQ_FIRST_CHAR];
                tok[b] = next;
            }
        }
        for (int64_t b = 0; !st && b < rows; b++) {
            memcpy(out->sym + at, grid + b * maxl, (size_t)lens[b] * sizeof *grid);
            at += lens[b];
            out->line[b0 + b] = b0 + b + 1;
            out->start[b0 + b + 1] = at;
            out->longest = lens[b] > out->longest ? lens[b] : out->longest;
            if (ended)
                ended[b0 + b] = done[b] == 1;
        }
    }
    free(tok);
    free(done);
    free(grid);
    free(lens);
    if (st) {
        vgae_seqs_free(out);
        return st;
    }
    out->count = n;
    return VGAE_OK;
}

typedef struct {
    int k;
    vgae_rng *noise;
    double sum;
    double *best, *acc;   /* rows: the running log-sum-exp of each row's log weights */
    vgae_seq_progress_fn progress;
    void *user;
    int64_t done, total;
    double start;
} iwae_arg;

/* Each row's k log weights log p(x|z) + log p(z) - log q(z|x), added up
 * as a running log-sum-exp. */
static vgae_status iwae_batch(vgae_ctx *ctx, vgae_seq_vae *m, int64_t b0, void *arg)
{
    (void)b0;
    iwae_arg *a = arg;
    const int64_t rows = m->rows, d = m->options.latent;
    vgae_status st = encode_batch(ctx, m);
    vgae_mat mean = vgae_mat_rows(&m->mean, 0, rows), logvar = vgae_mat_rows(&m->logvar, 0, rows);
    const vgae_mat *heads[] = {&mean, &logvar};
    if (!st) st = vgae_mat_ensure(ctx, &m->elbo.z, rows, d);
    if (!st) st = vgae_mat_ensure(ctx, &m->elbo.eps, rows, d);
    for (int j = 0; !st && j < a->k; j++) {
        st = vgae_latent_sample(ctx, m->base.latent, heads, a->noise, &m->elbo.eps, &m->elbo.z);
        if (!st) st = vgae_latent_log_ratio(ctx, m->base.latent, heads, &m->elbo.eps, &m->elbo.z, a->acc + rows);
        if (!st) st = decode_cb(ctx, m, &m->elbo.z, 1.0, NULL, NULL);
        for (int64_t b = 0; !st && b < rows; b++) {
            const double lw = -m->row_nll[b] - a->acc[rows + b];
            if (j == 0) {
                a->best[b] = lw;
                a->acc[b] = 1.0;
            } else if (lw > a->best[b]) {
                a->acc[b] = a->acc[b] * exp(a->best[b] - lw) + 1.0;
                a->best[b] = lw;
            } else {
                a->acc[b] += exp(lw - a->best[b]);
            }
        }
    }
    for (int64_t b = 0; !st && b < rows; b++)
        a->sum += -(a->best[b] + log(a->acc[b]) - log((double)a->k));
    a->done += rows;
    if (!st && a->progress)
        a->progress(a->user, a->done, a->total, vgae_now() - a->start);
    return st;
}

vgae_status vgae_seq_vae_iwae(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, int k, vgae_seq_progress_fn progress,
                              void *user, double *nll)
{
    *nll = NAN;
    if (k < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "importance sampling with %d draws", k);
    vgae_status st = check_seqs(ctx, m, s);
    if (st)
        return st;
    const int64_t bs = m->options.batch;
    iwae_arg a = {.k = k, .noise = vgae_ctx_rng(ctx, VGAE_STREAM_NOISE), .progress = progress, .user = user,
                  .total = s->count, .start = vgae_now()};
    a.best = vgae_alloc(ctx, (size_t)bs, sizeof *a.best);
    a.acc = vgae_alloc(ctx, 2 * (size_t)bs, sizeof *a.acc);
    st = a.best && a.acc ? over_batches(ctx, m, s, iwae_batch, &a) : VGAE_ENOMEM;
    free(a.best);
    free(a.acc);
    if (!st)
        *nll = a.sum / (double)s->count;
    return st;
}
