/* A VGAE or GAE trained across processes: each computes its rows, fetches its halo's, and sums gradients block by block in block order. */
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dist/comm_impl.h"
#include "dist/halo.h"
#include "dist/train_internal.h"
#include "models/graph_ae_impl.h"
#include "models/model_base.h"
#include "nn/internal.h"
#include "nn/kernels.h"
#include "vgae/dist/train.h"
#include "vgae/eval/metrics.h"
#include "vgae/nn/layers.h"

/* Pair terms go through the logistic kernel this many at a time, a batch
 * always filled to this width (zeros after the last pair): every pair's
 * term then comes from the same code, whatever batch it falls in. */
#define BATCH 32
/* Rows are fetched this many pairs ahead: on a large graph each is a trip
 * to memory, and they overlap only when started early. */
#define AHEAD 16

_Static_assert(sizeof(vgae_real) == sizeof(float), "the distributed model is built in float only");

/* A non-edge whose v another part holds, as it travels there: u's and
 * v's positions and the pair's coefficient. */
typedef struct far_pair {
    int32_t u, v;
    vgae_real coef;
} far_pair;

typedef struct dist_layer {
    int64_t in, out;
    /* a featureless first layer: this part's rows (W is then T itself) */
    vgae_mat w, dw;
    vgae_mat wsig, dwsig; /* a VGAE's last layer */
    vgae_mat act;         /* hidden layers: relu(Â T), count x out; in the backward pass, dT */
} dist_layer;

/* Where a weight's gradient sits in the vector summed over blocks. */
typedef struct reduced {
    vgae_mat *grad;
    int64_t at;
} reduced;

struct vgae_dist_gae {
    vgae_comm *comm;
    vgae_part *part;      /* owned: its adjacency's columns renumbered local (see a) */
    int32_t *halo_pos;    /* n_halo: the positions of the halo's rows, ascending */
    vgae_graph_ae_options o;
    int32_t n, first, count, n_halo;
    int stochastic, layers;
    vgae_model_base base;
    dist_layer L[VGAE_MAX_LAYERS];
    vgae_csr *a;          /* count x (count + halo): this part's rows of Â, columns local (part->a_hat) */
    vgae_halo halo;       /* the rows of the halo, fetched before each propagation */
    vgae_real *stage;     /* the rows a halo exchange sends, packed (when zall cannot hold them) */
    size_t stage_cap;
    int32_t b0, b1;       /* this part's blocks */
    int32_t *block_row;   /* b1 - b0 + 1: the blocks' first local rows */
    vgae_csr **xt;        /* with features: per block, its rows' features transposed */
    /* work: count rows; ext has count + halo rows, the halo's after, and
     * holds in turn each layer's T, the codes the decoder reads, and in
     * the backward pass the gradient being propagated */
    vgae_mat mean, logvar, dmean, dlogvar, ext, scratch;
    vgae_elbo_work elbo;
    double *kl_row;       /* count: a row's KL */
    /* the gradient summed over blocks: every weight but a featureless first
     * layer's, then the loss's two terms (nll, kl) */
    reduced red[2 * VGAE_MAX_LAYERS];
    int n_red;
    int64_t red_len;
    double *partials, *summed; /* (b1 - b0) x red_len, red_len */
    /* sampled loss: this epoch's non-edges drawn by this part's blocks, (u
     * local row, v position), block by block; and what travels */
    int64_t n_neg, *neg_block;   /* per block, its first pair */
    int32_t *neg_u, *neg_v;
    vgae_real *coef;             /* per pair: its coefficient (the loss's derivative by its score, scaled) */
    vgae_real *coef_out, *coef_in; /* fetching rows: those of the far pairs, out by v's part, in as in_pairs */
    size_t coef_out_cap, coef_in_cap;
    int32_t *reply_at;           /* per pair with v remote: its row among the replies (more than one part) */
    int32_t *out_pairs, *in_pairs;
    /* gathering Z: the far pairs out (by v's part, each group in pair
     * order) and in (by sending part), each with its coefficient; in the
     * buffers below or, when they fit, in ext, which the decoder does not
     * use that way */
    far_pair *rout, *rin, *rec_out, *rec_in;
    size_t rec_out_cap, rec_in_cap;
    vgae_real *out_rows, *in_rows, *back_rows; /* rows of z_u out (then z_v back), in; z_v back in */
    size_t in_cap, in_rows_cap, out_cap, out_rows_cap, back_cap, far_cap;
    int64_t *far;                /* the far pairs, grouped by v's part */
    int32_t *stamp, *slot;       /* count: the part a row was last sent to (-1: none), and its index there */
    int32_t *mark;               /* the largest part's rows: a far v's index among its part's distinct ones (-1: none) */
    int64_t *counts;             /* 17 x parts */
    int32_t *starts;             /* parts + 1: each part's first position (the last: N) */
    /* the halo as a set of positions (NULL without a halo): bit v of
     * halo_bits[v / 64] is set when position v is in the halo, and
     * halo_rank[w] counts the set bits of the words before w, so that the
     * halo index of a position takes no search (the draw asks it of every
     * candidate); 3 bits a node */
    uint64_t *halo_bits;
    uint32_t *halo_rank;
    /* (b1 - b0) x parts: per block, its pairs by v's part (counted while
     * drawing; this part's own count is its near pairs), where its far
     * ones begin among the far pairs grouped by v's part (count_far), and
     * the cursors of a pass over them */
    int64_t *block_far, *block_at, *block_cur;
    vgae_far_rows far_rows;      /* gather: the far ends' codes from zall; fetch: the above */
    int want_loss;               /* this epoch's terms are wanted (the full loss skips them otherwise) */
    vgae_dist_stats stats;
    int64_t halo_bytes;          /* sent in halo exchanges since the model was made */
    /* evaluation: the far ends of the pairs this part scores (validation;
     * validation and test), the plan that fetches their codes, and
     * [this part's means | the fetched rows] */
    int32_t *eval_want[2], n_eval_want[2];
    vgae_halo eval_halo[2];
    int eval_planned[2];
    vgae_mat eval_emb;
    /* full loss: this part's training edges by position (other rows empty),
     * every row's code, the rows' tiles (block-aligned) and their work */
    vgae_graph train_rows;
    double pos_weight, norm;
    vgae_mat zall;
    int64_t n_tiles, *tile_row, *tile_block; /* per tile: first local row; block */
    double *tile_loss;
    vgae_real *tile_work;                /* tile_threads threads' work */
    int tile_threads;
    int64_t *gather_at;               /* 2 x parts: bytes and offsets of each part's rows */
    /* model selection: the best weights so far (every parameter end to end) */
    vgae_real *best;
};

/* ---- setting up ---- */

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) and keeps each value once; returns how many remain. */
static int64_t sort_unique(int32_t *v, int64_t n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_i32);
    int64_t u = 0;
    for (int64_t k = 0; k < n; k++)
        if (k == 0 || v[k] != v[k - 1])
            v[u++] = v[k];
    return u;
}


static vgae_status refuse(vgae_ctx *ctx, const char *what)
{
    return vgae_fail(ctx, VGAE_EINVAL, "training across processes does not support %s", what);
}

static vgae_status check_options(vgae_ctx *ctx, const vgae_graph_ae_options *o)
{
    if (o->decoder != VGAE_DECODER_INNER)
        return refuse(ctx, "the Hadamard decoder (--decoder hadamard)");
    if (o->propagation != VGAE_PROP_GCN)
        return refuse(ctx, "LightGCN propagation");
    for (int l = 0; l < o->layers; l++)
        if (o->hops[l] != 1)
            return refuse(ctx, "--hops other than 1");
    if (o->bias)
        return refuse(ctx, "--bias");
    if (o->dropout > 0)
        return refuse(ctx, "--dropout");
    if (o->norm != VGAE_NORM_NONE)
        return refuse(ctx, "--norm");
    if (o->residual)
        return refuse(ctx, "--residual");
    if (o->l2_scale > 0)
        return refuse(ctx, "--l2-scale");
    if (o->mask_rate > 0)
        return refuse(ctx, "--mask-rate");
    if (o->adversarial > 0)
        return refuse(ctx, "--adversarial");
    if (o->weight_decay > 0 || o->encoder_decay > 0)
        return refuse(ctx, "weight decay");
    if (o->kl.capacity > 0)
        return refuse(ctx, "the KL capacity objective");
    if (o->condition != VGAE_CONDITION_NONE)
        return refuse(ctx, "conditioning on labels");
    if (o->structure_input)
        return refuse(ctx, "--structure-input");
    return VGAE_OK;
}

/* Â's rows with columns local: this part's positions as 0..count-1, the
 * halo's (ascending positions) as count.., in place, the entries in their
 * order (by position). */
static vgae_status local_adjacency(vgae_ctx *ctx, vgae_dist_gae *m)
{
    vgae_csr *a = m->part->a_hat;
    const int32_t first = m->first, end = m->first + m->count;
    int32_t *pos = vgae_alloc(ctx, (size_t)(a->nnz ? a->nnz : 1), sizeof *pos);
    if (!pos)
        return VGAE_ENOMEM;
    int64_t n = 0;
    for (int64_t e = 0; e < a->nnz; e++)
        if (a->col[e] < first || a->col[e] >= end)
            pos[n++] = a->col[e];
    const int64_t u = sort_unique(pos, n);
    m->n_halo = (int32_t)u;
    int32_t *shrunk = realloc(pos, (size_t)(u ? u : 1) * sizeof *pos);
    m->halo_pos = shrunk ? shrunk : pos;
    for (int64_t e = 0; e < a->nnz; e++) {
        const int32_t c = a->col[e];
        if (c >= first && c < end) {
            a->col[e] = c - first;
        } else { /* its place among the halo's positions */
            int64_t lo = 0, hi = u - 1;
            while (lo < hi) {
                const int64_t mid = (lo + hi) / 2;
                if (m->halo_pos[mid] < c)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            a->col[e] = m->count + (int32_t)lo;
        }
    }
    a->cols = m->count + m->n_halo;
    m->a = a;
    return VGAE_OK;
}

/* The first position of part r (the parts' end for r = parts). */
static int32_t part_first(const vgae_dist_gae *m, int r)
{
    return m->part->block_start[vgae_partition_first_block(m->part->blocks, m->part->parts, r)];
}

/* The part holding position v (m->starts made): the last whose first
 * position is <= v, by a search whose steps depend on the number of parts
 * alone, each a conditional move (far and near ends come in random order:
 * a branch on them would be mispredicted half the time). */
static inline int owner_of(const vgae_dist_gae *m, int32_t v)
{
    int lo = 0;
    for (int n = m->part->parts; n > 1;) {
        const int half = n / 2;
        lo = m->starts[lo + half] <= v ? lo + half : lo;
        n -= half;
    }
    return lo;
}

/* The position of local column c (a conditional move, not a branch: the
 * binary search in adjacent() meets near and far columns alike). */
static inline int32_t position_of(const vgae_dist_gae *m, int32_t c)
{
    const int32_t h = c - m->count;
    const int32_t far = m->n_halo ? m->halo_pos[h > 0 ? h : 0] : 0;
    return c < m->count ? m->first + c : far;
}

/* A parameter; own: this part's rows of a featureless first layer, its
 * gradient not summed. */
static vgae_status add_param(vgae_ctx *ctx, vgae_dist_gae *m, const char *name, vgae_mat *v, vgae_mat *g,
                             int64_t rows, int64_t cols, int own)
{
    vgae_status st = vgae_mat_init(ctx, v, rows, cols);
    if (!st)
        st = vgae_mat_init(ctx, g, rows, cols);
    if (!st)
        st = vgae_params_add(ctx, &m->base.params, name, v, g);
    if (!st && !own) {
        m->red[m->n_red++] = (reduced){g, m->red_len};
        m->red_len += rows * cols;
    }
    return st;
}

/* Glorot-uniform weights as one process would draw them, in layer order
 * (W, then a VGAE's W sigma); a featureless first layer's rows from a
 * window of its whole draw (N x out values). */
static void draw_weights(vgae_ctx *ctx, vgae_dist_gae *m, int l, vgae_mat *w, vgae_rng *init)
{
    if (l > 0 || m->part->x) {
        vgae_glorot_uniform(ctx, w, init);
        return;
    }
    const double r = sqrt(6.0 / (double)(m->n + w->cols));
    vgae_rng_set_window(init, (int64_t)m->first * w->cols, (int64_t)m->n * w->cols);
    vgae_rng_uniform_fill_real(init, w->data, vgae_mat_size(w), -r, r, vgae_ctx_threads(ctx));
}

static void init_weights(vgae_ctx *ctx, vgae_dist_gae *m)
{
    vgae_rng *init = vgae_ctx_rng(ctx, VGAE_STREAM_INIT);
    for (int l = 0; l < m->layers; l++) {
        draw_weights(ctx, m, l, &m->L[l].w, init);
        if (l == m->layers - 1 && m->stochastic)
            draw_weights(ctx, m, l, &m->L[l].wsig, init);
    }
}

/* This part's layers, parameters and work space. */
static vgae_status build(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const vgae_graph_ae_options *o = &m->o;
    const vgae_part *part = m->part;
    const int64_t rows = m->count, ext = (int64_t)m->count + m->n_halo;
    int64_t widest = o->latent;
    vgae_status st = vgae_model_base_init(ctx, &m->base, m->stochastic ? "gaussian" : "point", o->latent);
    for (int l = 0; !st && l < m->layers; l++) {
        dist_layer *L = &m->L[l];
        const int last = l == m->layers - 1, own_rows = l == 0 && !part->x;
        L->in = l == 0 ? (part->x ? part->feature_cols : m->n) : o->hidden;
        L->out = last ? o->latent : o->hidden;
        widest = L->out > widest ? L->out : widest;
        const int64_t w_rows = own_rows ? rows : L->in;
        st = add_param(ctx, m, last ? "gcn.wmu" : l == 0 ? "gcn.w0" : "gcn.w", &L->w, &L->dw, w_rows, L->out,
                       own_rows);
        if (!st && last && m->stochastic)
            st = add_param(ctx, m, "gcn.wsigma", &L->wsig, &L->dwsig, w_rows, L->out, own_rows);
        if (!st && !last)
            st = vgae_mat_init(ctx, &L->act, rows, L->out);
    }
    /* the loss's two terms ride at the end of the summed vector */
    m->red_len += 2;
    if (!st) st = vgae_mat_init(ctx, &m->mean, rows, o->latent);
    if (!st) st = vgae_mat_init(ctx, &m->dmean, rows, o->latent);
    if (!st && m->stochastic) st = vgae_mat_init(ctx, &m->logvar, rows, o->latent);
    if (!st && m->stochastic) st = vgae_mat_init(ctx, &m->dlogvar, rows, o->latent);
    if (!st) st = vgae_mat_init(ctx, &m->ext, ext, widest);
    /* the noise goes where the gradient of logvar will: the Gaussian's
     * backward pass reads each value before it writes there */
    if (!st && m->stochastic)
        m->elbo.eps_in = &m->dlogvar;
    int64_t most = 1;
    for (int l = 0; l < m->layers; l++)
        if (!(l == 0 && !part->x) && m->L[l].in * m->L[l].out > most)
            most = m->L[l].in * m->L[l].out;
    if (!st) st = vgae_mat_init(ctx, &m->scratch, 1, most);
    const int32_t blocks = m->b1 - m->b0;
    if (!st && (!(m->kl_row = vgae_alloc(ctx, (size_t)rows, sizeof *m->kl_row)) ||
                !(m->partials = vgae_alloc(ctx, (size_t)blocks * (size_t)m->red_len, sizeof *m->partials)) ||
                !(m->summed = vgae_alloc(ctx, (size_t)m->red_len, sizeof *m->summed)) ||
                !(m->counts = vgae_calloc(ctx, 17 * (size_t)vgae_comm_size(m->comm), sizeof *m->counts))))
        st = VGAE_ENOMEM;
    /* per block, its rows' features transposed (the first layer's weight gradient) */
    if (!st && part->x && !(m->xt = vgae_calloc(ctx, (size_t)blocks, sizeof *m->xt)))
        st = VGAE_ENOMEM;
    for (int32_t b = 0; !st && part->x && b < blocks; b++) {
        const int32_t r0 = m->block_row[b], r1 = m->block_row[b + 1];
        vgae_csr view = {r1 - r0, part->x->cols, part->x->rowptr[r1] - part->x->rowptr[r0], NULL, NULL, NULL};
        vgae_csr *rowsb = NULL;
        st = vgae_csr_new(ctx, view.rows, view.cols, view.nnz, &rowsb);
        if (!st) {
            const int64_t off = part->x->rowptr[r0];
            for (int32_t r = 0; r <= r1 - r0; r++)
                rowsb->rowptr[r] = part->x->rowptr[r0 + r] - off;
            memcpy(rowsb->col, part->x->col + off, (size_t)view.nnz * sizeof *rowsb->col);
            memcpy(rowsb->val, part->x->val + off, (size_t)view.nnz * sizeof *rowsb->val);
            st = vgae_csr_transpose(ctx, rowsb, &m->xt[b]);
        }
        vgae_csr_free(rowsb);
    }
    if (!st) {
        init_weights(ctx, m);
        st = vgae_model_base_optimizer(ctx, &m->base, o->lr);
    }
    return st;
}

/* The negatives' room: this part's share of E_train * negatives, per block
 * in proportion to its rows (fixed by the blocks alone). */
static int64_t block_negatives(const vgae_dist_gae *m, int32_t b)
{
    const vgae_part *p = m->part;
    const int64_t total = p->n_train * m->o.negatives;
    /* total * s / n without overflow: total = q n + r, r s < 2^62 */
    const int64_t q = total / p->n, r = total % p->n;
    const int64_t a = q * p->block_start[b] + r * p->block_start[b] / p->n;
    const int64_t z = q * p->block_start[b + 1] + r * p->block_start[b + 1] / p->n;
    return z - a;
}

static vgae_status negatives_room(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int32_t blocks = m->b1 - m->b0;
    if (!(m->neg_block = vgae_alloc(ctx, (size_t)blocks + 1, sizeof *m->neg_block)))
        return VGAE_ENOMEM;
    m->neg_block[0] = 0;
    for (int32_t b = 0; b < blocks; b++)
        m->neg_block[b + 1] = m->neg_block[b] + block_negatives(m, m->b0 + b);
    m->n_neg = m->neg_block[blocks];
    const size_t n = (size_t)(m->n_neg ? m->n_neg : 1);
    m->neg_u = vgae_alloc(ctx, n, sizeof *m->neg_u);
    m->neg_v = vgae_alloc(ctx, n, sizeof *m->neg_v);
    m->coef = vgae_alloc(ctx, n, sizeof *m->coef);
    const int alone = vgae_comm_size(m->comm) == 1; /* no far ends */
    m->reply_at = alone ? NULL : vgae_alloc(ctx, n, sizeof *m->reply_at);
    m->stamp = vgae_alloc(ctx, (size_t)m->count, sizeof *m->stamp);
    m->slot = vgae_alloc(ctx, (size_t)m->count, sizeof *m->slot);
    int32_t largest = 1; /* rows of the largest part: the far v's are marked over their part's */
    for (int r = 0; r < m->part->parts; r++) {
        const int32_t size = part_first(m, r + 1) - part_first(m, r);
        largest = size > largest ? size : largest;
    }
    m->mark = vgae_alloc(ctx, (size_t)largest, sizeof *m->mark);
    const size_t parts = (size_t)m->part->parts;
    m->starts = vgae_alloc(ctx, parts + 1, sizeof *m->starts);
    m->block_far = vgae_calloc(ctx, (size_t)blocks * parts, sizeof *m->block_far);
    m->block_at = vgae_alloc(ctx, (size_t)blocks * parts, sizeof *m->block_at);
    m->block_cur = vgae_alloc(ctx, (size_t)blocks * parts, sizeof *m->block_cur);
    if (!m->neg_u || !m->neg_v || !m->coef || (!alone && !m->reply_at) || !m->stamp || !m->slot || !m->mark ||
        !m->starts || !m->block_far || !m->block_at || !m->block_cur)
        return VGAE_ENOMEM;
    for (int r = 0; r <= m->part->parts; r++)
        m->starts[r] = part_first(m, r);
    if (m->n_halo) {
        const size_t words = (size_t)m->n / 64 + 1;
        m->halo_bits = vgae_calloc(ctx, words, sizeof *m->halo_bits);
        m->halo_rank = vgae_alloc(ctx, words, sizeof *m->halo_rank);
        if (!m->halo_bits || !m->halo_rank)
            return VGAE_ENOMEM;
        for (int32_t h = 0; h < m->n_halo; h++)
            m->halo_bits[m->halo_pos[h] / 64] |= UINT64_C(1) << (m->halo_pos[h] % 64);
        uint32_t below = 0;
        for (size_t w = 0; w < words; w++) {
            m->halo_rank[w] = below;
            below += (uint32_t)__builtin_popcountll(m->halo_bits[w]);
        }
    }
    for (int32_t u = 0; u < m->count; u++)
        m->stamp[u] = -1;
    for (int32_t i = 0; i < largest; i++)
        m->mark[i] = -1;
    return VGAE_OK;
}

/* Room for every row's code (zall), and each part's bytes and offsets in it. */
static vgae_status gather_room(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int p = vgae_comm_size(m->comm);
    if (!m->gather_at && !(m->gather_at = vgae_alloc(ctx, 2 * (size_t)p, sizeof *m->gather_at)))
        return VGAE_ENOMEM;
    for (int r = 0; r < p; r++) {
        const int32_t b0 = vgae_partition_first_block(m->part->blocks, p, r);
        const int32_t b1 = vgae_partition_first_block(m->part->blocks, p, r + 1);
        m->gather_at[r] = ((int64_t)m->part->block_start[b1] - m->part->block_start[b0]) * m->o.latent *
                          (int64_t)sizeof(vgae_real);
        m->gather_at[p + r] = (int64_t)m->part->block_start[b0] * m->o.latent * (int64_t)sizeof(vgae_real);
    }
    return vgae_mat_ensure(ctx, &m->zall, m->n, m->o.latent);
}

/* The staging every halo exchange needs: the training halo's rows at the
 * widest layer, the evaluation's at the latent width. */
static int64_t stage_need(const vgae_dist_gae *m)
{
    const int64_t widest = m->o.latent > m->o.hidden ? m->o.latent : m->o.hidden;
    int64_t need = m->halo.n_send * widest;
    for (int k = 0; k < 2; k++)
        if (m->eval_planned[k] && m->eval_halo[k].n_send * m->o.latent > need)
            need = m->eval_halo[k].n_send * m->o.latent;
    return need;
}

/* Where halo exchanges pack their rows: in zall when it has room (it
 * holds every code only inside the decoder, which makes no halo exchange),
 * else in stage of its own. */
static vgae_real *stage_of(const vgae_dist_gae *m)
{
    return vgae_mat_size(&m->zall) >= stage_need(m) ? m->zall.data : m->stage;
}

/* Makes (or frees) stage for the plans made so far and zall as it is. Collective. */
static vgae_status stage_room(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int64_t need = stage_need(m);
    vgae_status st = VGAE_OK;
    if (vgae_mat_size(&m->zall) >= need) {
        free(m->stage);
        m->stage = NULL;
        m->stage_cap = 0;
    } else {
        st = vgae_reserve(ctx, (void **)&m->stage, &m->stage_cap, (size_t)(need ? need : 1), sizeof *m->stage);
    }
    return vgae_comm_agree(ctx, m->comm, st, NULL);
}

/* Rows (and columns) of the full loss's tiles. */
#define FULL_TILE 256

/* The full loss's room: the training edges of this part's rows by
 * position, the tiles of its rows (each block's rows in tiles of
 * FULL_TILE from the block's first: the same tiles at any process count),
 * their work, every row's code, and the reference's weights. */
static vgae_status full_room(vgae_ctx *ctx, int threads, vgae_dist_gae *m)
{
    const vgae_csr *a = m->part->a_hat;
    const double nn = (double)m->n * m->n, s = 2.0 * (double)m->part->n_train;
    m->pos_weight = (nn - s) / s;
    m->norm = nn / (2 * (nn - s));
    m->train_rows.n = m->n;
    m->train_rows.rowptr = vgae_calloc(ctx, (size_t)m->n + 1, sizeof *m->train_rows.rowptr);
    m->train_rows.adj = vgae_alloc(ctx, (size_t)(a->nnz ? a->nnz : 1), sizeof *m->train_rows.adj);
    if (!m->train_rows.rowptr || !m->train_rows.adj)
        return VGAE_ENOMEM;
    int64_t e = 0;
    for (int32_t r = 0; r < m->count; r++) { /* Â's row without its diagonal */
        for (int64_t k = a->rowptr[r]; k < a->rowptr[r + 1]; k++)
            if (a->col[k] != r) /* local column r: the diagonal */
                m->train_rows.adj[e++] = position_of(m, a->col[k]);
        m->train_rows.rowptr[m->first + r + 1] = e;
    }
    for (int32_t i = m->first + m->count; i < m->n; i++)
        m->train_rows.rowptr[i + 1] = e;
    m->train_rows.n_edges = e; /* this part's rows' half-edges */
    for (int32_t b = 0; b < m->b1 - m->b0; b++)
        m->n_tiles += (m->block_row[b + 1] - m->block_row[b] + FULL_TILE - 1) / FULL_TILE;
    m->tile_row = vgae_alloc(ctx, (size_t)m->n_tiles + 1, sizeof *m->tile_row);
    m->tile_block = vgae_alloc(ctx, (size_t)m->n_tiles + 1, sizeof *m->tile_block);
    m->tile_loss = vgae_alloc(ctx, (size_t)m->n_tiles + 1, sizeof *m->tile_loss);
    const int64_t work = vgae_decoder_full_rows_work(FULL_TILE, m->o.latent);
    m->tile_threads = threads > 0 ? threads : 1;
    m->tile_work = vgae_alloc(ctx, (size_t)(m->tile_threads * work), sizeof *m->tile_work);
    if (!m->tile_row || !m->tile_block || !m->tile_loss || !m->tile_work)
        return VGAE_ENOMEM;
    int64_t t = 0;
    for (int32_t b = 0; b < m->b1 - m->b0; b++)
        for (int32_t r = m->block_row[b]; r < m->block_row[b + 1]; r += FULL_TILE, t++) {
            m->tile_row[t] = r;
            m->tile_block[t] = b;
        }
    m->tile_row[m->n_tiles] = m->count;
    return gather_room(ctx, m);
}

/* Frees the buffers of an epoch's far-pair exchanges (made again, to
 * their need, by the next epoch). */
static void release_exchanges(vgae_dist_gae *m)
{
    void **bufs[] = {(void **)&m->out_pairs, (void **)&m->in_pairs, (void **)&m->coef_out, (void **)&m->coef_in,
                     (void **)&m->out_rows, (void **)&m->in_rows, (void **)&m->back_rows, (void **)&m->far,
                     (void **)&m->rec_out,   (void **)&m->rec_in};
    size_t *caps[] = {&m->out_cap,      &m->in_cap,   &m->coef_out_cap, &m->coef_in_cap, &m->out_rows_cap,
                      &m->in_rows_cap, &m->back_cap, &m->far_cap,      &m->rec_out_cap,  &m->rec_in_cap};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(*bufs[i]);
        *bufs[i] = NULL;
        *caps[i] = 0;
    }
}

void vgae_dist_gae_free(vgae_dist_gae *m)
{
    if (!m)
        return;
    for (int l = 0; l < VGAE_MAX_LAYERS; l++) {
        dist_layer *L = &m->L[l];
        vgae_mat *mats[] = {&L->w, &L->dw, &L->wsig, &L->dwsig, &L->act};
        for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
            vgae_mat_destroy(mats[i]);
    }
    vgae_mat *mats[] = {&m->mean, &m->logvar, &m->dmean, &m->dlogvar, &m->ext, &m->scratch};
    for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
        vgae_mat_destroy(mats[i]);
    vgae_model_base_destroy(&m->base);
    m->elbo.eps_in = NULL;
    vgae_elbo_work_destroy(&m->elbo);
    vgae_part_free(m->part);
    free(m->halo_pos);
    free(m->halo_bits);
    free(m->halo_rank);
    vgae_halo_destroy(&m->halo);
    for (int32_t b = 0; m->xt && b < m->b1 - m->b0; b++)
        vgae_csr_free(m->xt[b]);
    free(m->xt);
    free(m->block_row);
    free(m->kl_row);
    free(m->partials);
    free(m->summed);
    free(m->counts);
    free(m->neg_block);
    free(m->neg_u);
    free(m->neg_v);
    free(m->reply_at);
    release_exchanges(m);
    free(m->coef);
    free(m->stamp);
    free(m->slot);
    free(m->mark);
    free(m->starts);
    free(m->block_far);
    free(m->block_at);
    free(m->block_cur);
    free(m->best);
    for (int k = 0; k < 2; k++) {
        vgae_halo_destroy(&m->eval_halo[k]);
        free(m->eval_want[k]);
    }
    vgae_mat_destroy(&m->eval_emb);
    free(m->train_rows.rowptr);
    free(m->train_rows.adj);
    vgae_mat_destroy(&m->zall);
    free(m->stage);
    free(m->tile_row);
    free(m->tile_block);
    free(m->tile_loss);
    free(m->tile_work);
    free(m->gather_at);
    free(m);
}

vgae_status vgae_dist_gae_new(vgae_ctx *ctx, vgae_comm *comm, const vgae_graph_ae_options *options,
                              vgae_part *part, vgae_dist_gae **out)
{
    *out = NULL;
    vgae_status st = check_options(ctx, options);
    if (!st && part->parts != vgae_comm_size(comm))
        st = vgae_fail(ctx, VGAE_EINVAL, "the partition has %d parts: run it on %d processes (mpirun -np %d), "
                       "not %d", part->parts, part->parts, part->parts, vgae_comm_size(comm));
    if (!st && part->part != vgae_comm_rank(comm))
        st = vgae_fail(ctx, VGAE_EINVAL, "process %d was given part %d", vgae_comm_rank(comm), part->part);
    /* every process must hold a part of the same partition */
    uint64_t *ids = vgae_alloc(ctx, (size_t)vgae_comm_size(comm), sizeof *ids);
    if (!st && !ids)
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, comm, st, NULL);
    if (!st)
        st = vgae_comm_allgather_u64(ctx, comm, part->identity, ids);
    for (int r = 1; !st && r < vgae_comm_size(comm); r++)
        if (ids[r] != ids[0])
            st = vgae_fail(ctx, VGAE_EINVAL, "process %d holds a part of another partition (identity 0x%08x, "
                           "process 0's 0x%08x)", r, (unsigned)ids[r], (unsigned)ids[0]);
    free(ids);
    vgae_dist_gae *m = st ? NULL : vgae_calloc(ctx, 1, sizeof *m);
    if (!st && !m)
        st = VGAE_ENOMEM;
    if (!m)
        vgae_part_free(part); /* taken, as the model would have */
    if (m) {
        m->comm = comm;
        m->part = part;
        m->o = *options;
        m->n = part->n;
        m->first = part->first;
        m->count = part->count;
        m->layers = options->layers;
        m->stochastic = options->kind == VGAE_MODEL_VGAE;
        m->b0 = vgae_partition_first_block(part->blocks, part->parts, part->part);
        m->b1 = vgae_partition_first_block(part->blocks, part->parts, part->part + 1);
        if (!(m->block_row = vgae_alloc(ctx, (size_t)(m->b1 - m->b0) + 1, sizeof *m->block_row)))
            st = VGAE_ENOMEM;
        for (int32_t b = m->b0; !st && b <= m->b1; b++)
            m->block_row[b - m->b0] = part->block_start[b] - m->first;
    }
    if (!st)
        st = local_adjacency(ctx, m);
    if (!st)
        st = build(ctx, m);
    if (!st && options->loss == VGAE_LOSS_SAMPLED)
        st = negatives_room(ctx, m);
    if (!st && options->loss == VGAE_LOSS_FULL)
        st = full_room(ctx, vgae_ctx_threads(ctx), m);
    st = vgae_comm_agree(ctx, comm, st, NULL);
    if (!st)
        st = vgae_halo_plan(ctx, comm, part, m->halo_pos, m->n_halo, &m->halo);
    if (st) {
        vgae_dist_gae_free(m);
        return st;
    }
    m->stats.halo_rows = m->n_halo;
    m->stats.rows = m->count;
    st = vgae_dist_gae_set_far_rows(ctx, m, VGAE_FAR_AUTO);
    if (st) {
        vgae_dist_gae_free(m);
        return st;
    }
    *out = m;
    return VGAE_OK;
}

vgae_status vgae_dist_gae_set_far_rows(vgae_ctx *ctx, vgae_dist_gae *m, vgae_far_rows mode)
{
    const int p = vgae_comm_size(m->comm);
    if (mode == VGAE_FAR_AUTO) {
        /* a process draws about E_train x negatives / P non-edges, v
         * uniform: each other row is touched with probability 1 - e^(-that / N)
         * (one process alone has no far ends) */
        const double per = (double)m->part->n_train * m->o.negatives / p;
        mode = p > 1 && 1 - exp(-per / (double)m->n) >= 0.5 ? VGAE_FAR_GATHER : VGAE_FAR_FETCH;
    }
    vgae_status st = VGAE_OK;
    if (mode == VGAE_FAR_GATHER && m->o.loss == VGAE_LOSS_SAMPLED)
        st = gather_room(ctx, m);
    else if (m->o.loss == VGAE_LOSS_SAMPLED) /* the full loss keeps zall */
        vgae_mat_destroy(&m->zall);
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (!st)
        m->far_rows = mode;
    return st ? st : stage_room(ctx, m);
}

vgae_far_rows vgae_dist_gae_far_rows(const vgae_dist_gae *m)
{
    return m->far_rows;
}

/* ---- the encoder ---- */

static vgae_mat rows_of(const vgae_mat *a, int64_t r0, int64_t r1)
{
    return (vgae_mat){r1 - r0, a->cols, a->data + r0 * a->cols};
}

static vgae_mat shaped(const vgae_mat *buf, int64_t rows, int64_t cols)
{
    return (vgae_mat){rows, cols, buf->data};
}

/* The halo's rows of t (count + halo rows, the first count filled) from their parts. */
static vgae_status fetch_halo(vgae_ctx *ctx, vgae_dist_gae *m, vgae_mat *t)
{
    const int64_t before = vgae_comm_bytes_sent(m->comm);
    vgae_status st = vgae_halo_exchange(ctx, m->comm, &m->halo, t->data, t->cols, stage_of(m),
                                        t->data + (int64_t)m->count * t->cols);
    m->halo_bytes += vgae_comm_bytes_sent(m->comm) - before;
    return st;
}

/* out = Â t, t's first count rows filled: its halo's rows fetched first. */
static vgae_status propagate(vgae_ctx *ctx, vgae_dist_gae *m, vgae_mat *t, vgae_mat *out)
{
    vgae_status st = fetch_halo(ctx, m, t);
    return st ? st : vgae_csr_spmm(ctx, m->a, t->data, (int32_t)t->cols, out->data);
}

/* C = A op(B) (+ C with beta 1) over this part's rows, block by block: a
 * BLAS product's bits may depend on how many rows it is given (OpenBLAS
 * picks kernels by shape), and blocks are the same at any process count. */
static vgae_status gemm_rows(vgae_ctx *ctx, const vgae_dist_gae *m, vgae_trans tb, const vgae_mat *a,
                             const vgae_mat *b, double beta, vgae_mat *c)
{
    vgae_status st = VGAE_OK;
    for (int32_t bl = 0; !st && bl < m->b1 - m->b0; bl++) {
        const int64_t r0 = m->block_row[bl], r1 = m->block_row[bl + 1];
        const vgae_mat ab = rows_of(a, r0, r1);
        vgae_mat cb = rows_of(c, r0, r1);
        st = vgae_gemm(ctx, VGAE_NO_TRANS, tb, 1, &ab, b, beta, &cb);
    }
    return st;
}

/* T of layer l into t's first count rows, from its weights w (not for a
 * featureless first layer, whose T is W). */
static vgae_status times_w(vgae_ctx *ctx, vgae_dist_gae *m, int l, const vgae_mat *w, vgae_mat *t)
{
    vgae_mat head = rows_of(t, 0, m->count);
    if (l > 0)
        return gemm_rows(ctx, m, VGAE_NO_TRANS, &m->L[l - 1].act, w, 0, &head);
    return vgae_csr_spmm(ctx, m->part->x, w->data, (int32_t)w->cols, head.data);
}

/* Â (input W) into out: T in ext, or a featureless first layer's W
 * copied there (ext has the halo's room). */
static vgae_status layer_product(vgae_ctx *ctx, vgae_dist_gae *m, int l, vgae_mat *w, vgae_mat *out)
{
    const int64_t rows = (int64_t)m->count + m->n_halo;
    vgae_mat t = shaped(&m->ext, rows, w->cols);
    vgae_status st = VGAE_OK;
    if (l > 0 || m->part->x)
        st = times_w(ctx, m, l, w, &t);
    else
        memcpy(t.data, w->data, (size_t)vgae_mat_size(w) * sizeof *w->data);
    return st ? st : propagate(ctx, m, &t, out);
}

static vgae_status forward(vgae_ctx *ctx, vgae_dist_gae *m, int with_logvar)
{
    vgae_status st = VGAE_OK;
    for (int l = 0; !st && l < m->layers; l++) {
        dist_layer *L = &m->L[l];
        if (l == m->layers - 1) {
            st = layer_product(ctx, m, l, &L->w, &m->mean);
            if (!st && m->stochastic && with_logvar) {
                st = layer_product(ctx, m, l, &L->wsig, &m->logvar);
                for (int64_t k = 0; !st && k < vgae_mat_size(&m->logvar); k++)
                    m->logvar.data[k] *= 2; /* logvar = 2 log sigma */
            }
        } else {
            st = layer_product(ctx, m, l, &L->w, &L->act);
            if (!st)
                st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &L->act, &L->act);
        }
    }
    return st;
}

/* The partial of gradient `which` over block b (a float matrix) into the
 * block's summed vector at its place. */
static void put_partial(vgae_dist_gae *m, int32_t b, const vgae_mat *grad, const vgae_real *values)
{
    double *dst = m->partials + (int64_t)b * m->red_len;
    for (int k = 0; k < m->n_red; k++)
        if (m->red[k].grad == grad) {
            for (int64_t i = 0; i < vgae_mat_size(grad); i++)
                dst[m->red[k].at + i] = values[i];
            return;
        }
}

/* Layer l's weight gradient from dT (count x out): per block the product
 * of its rows of the input and of dT, into the partials; a featureless
 * first layer's own rows directly. */
static vgae_status weight_grads(vgae_ctx *ctx, vgae_dist_gae *m, int l, const vgae_mat *dt, vgae_mat *dw)
{
    if (l == 0 && !m->part->x) { /* dW = dT, propagated into dW itself */
        if (dt->data != dw->data)
            memcpy(dw->data, dt->data, (size_t)vgae_mat_size(dt) * sizeof *dt->data);
        return VGAE_OK;
    }
    vgae_mat part = shaped(&m->scratch, dw->rows, dw->cols);
    vgae_status st = VGAE_OK;
    for (int32_t b = 0; !st && b < m->b1 - m->b0; b++) {
        const int64_t r0 = m->block_row[b], r1 = m->block_row[b + 1];
        const vgae_mat dtb = rows_of(dt, r0, r1);
        if (l > 0) {
            const vgae_mat in = rows_of(&m->L[l - 1].act, r0, r1);
            st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1, &in, &dtb, 0, &part);
        } else {
            st = vgae_csr_spmm(ctx, m->xt[b], dtb.data, (int32_t)dtb.cols, part.data);
        }
        if (!st)
            put_partial(m, b, dw, part.data);
    }
    return st;
}

/* From dmean (and dlogvar) to the weight gradients: this part's rows, and
 * the partials of the summed ones. Each gradient is propagated from ext
 * (its halo's rows fetched) into a buffer done with: the last layer's dT
 * over dmean (dlogvar), a hidden layer's over its activations (after
 * ReLU's mask has been taken from them), a featureless first layer's into
 * its weights' gradient itself. */
static vgae_status backward(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int last = m->layers - 1;
    dist_layer *L = &m->L[last];
    const int64_t count = m->count, rows = count + m->n_halo;
    vgae_mat ext = shaped(&m->ext, rows, L->out);
    memcpy(ext.data, m->dmean.data, (size_t)vgae_mat_size(&m->dmean) * sizeof *ext.data);
    vgae_mat *dt = last == 0 && !m->part->x ? &L->dw : &m->dmean;
    vgae_status st = propagate(ctx, m, &ext, dt);
    vgae_mat *dts = last == 0 && !m->part->x ? &L->dwsig : &m->dlogvar;
    if (!st && m->stochastic) {
        for (int64_t k = 0; k < vgae_mat_size(&m->dlogvar); k++)
            ext.data[k] = 2 * m->dlogvar.data[k]; /* d log sigma = 2 dlogvar */
        st = propagate(ctx, m, &ext, dts);
    }
    if (!st)
        st = weight_grads(ctx, m, last, dt, &L->dw);
    if (!st && m->stochastic)
        st = weight_grads(ctx, m, last, dts, &L->dwsig);
    vgae_mat din = shaped(&m->ext, count, m->o.hidden);
    if (!st && last > 0)
        st = gemm_rows(ctx, m, VGAE_TRANS, dt, &L->w, 0, &din);
    if (!st && last > 0 && m->stochastic)
        st = gemm_rows(ctx, m, VGAE_TRANS, dts, &L->wsig, 1, &din);
    for (int l = last - 1; !st && l >= 0; l--) {
        L = &m->L[l];
        st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &L->act, &din, &din);
        ext = shaped(&m->ext, rows, L->out); /* din is its first count rows */
        dt = l == 0 && !m->part->x ? &L->dw : &L->act;
        if (!st)
            st = propagate(ctx, m, &ext, dt);
        if (!st)
            st = weight_grads(ctx, m, l, dt, &L->dw);
        din = shaped(&m->ext, count, L->in);
        if (!st && l > 0)
            st = gemm_rows(ctx, m, VGAE_TRANS, dt, &L->w, 0, &din);
    }
    return st;
}

/* ---- the sampled loss ---- */

/* Whether position v is a neighbour of local row u: a search of its row
 * (in position order) for the last column at or before v, by halving
 * steps that are conditional moves (v is random: a branch would miss half
 * the time). The steps compare local columns and load no position: an
 * own column c lies at or before v when c < own, v's place among this
 * part's rows (clamped), and a halo column when its halo index is below
 * the number of halo positions at or before v (they ascend). */
static int adjacent(const vgae_dist_gae *m, int32_t u, int32_t v)
{
    const int32_t *col = m->a->col + m->a->rowptr[u];
    int64_t n = m->a->rowptr[u + 1] - m->a->rowptr[u], lo = 0;
    if (!n)
        return 0;
    /* all by masks and conditional moves: whether v is this part's is
     * itself random */
    const int64_t at = (int64_t)v - m->first;
    int64_t own = at + 1;
    own = own < 0 ? 0 : own;
    own = own > m->count ? m->count : own;
    uint32_t below = 0, in = 0; /* halo positions before v; whether v is one */
    if (m->halo_bits) {
        const uint32_t w = (uint32_t)v / 64, bit = (uint32_t)v % 64;
        const uint64_t word = m->halo_bits[w];
        below = m->halo_rank[w] + (uint32_t)__builtin_popcountll(word & ((UINT64_C(1) << bit) - 1));
        in = (uint32_t)(word >> bit) & 1;
    }
    const uint32_t halo_upto = below + in, count = (uint32_t)m->count;
    /* v's local column: its own, its halo one, or none (-1) */
    const uint32_t mine = 0u - (uint32_t)((uint64_t)at < (uint64_t)m->count);
    const uint32_t far = (count + below) | ((uint32_t)in - 1u);
    const int32_t target = (int32_t)(((uint32_t)at & mine) | (far & ~mine));
    while (n > 1) {
        const int64_t half = n / 2;
        const uint32_t c = (uint32_t)col[lo + half];
        lo = (c < (uint32_t)own) | (c - count < halo_upto) ? lo + half : lo;
        n -= half;
    }
    return col[lo] == target;
}

/* This epoch's non-edges: block b draws its share from sub-stream b + 1 of
 * a key drawn once per epoch from VGAE_STREAM_NEGATIVES (every process
 * draws the key: the streams advance alike). u uniform over the block, v
 * over all nodes, u != v, not a training edge. Each block counts its
 * pairs by v's part (block_far; this part's own: its near pairs). */
static void draw_negatives(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const uint64_t key = vgae_rng_u64(vgae_ctx_rng(ctx, VGAE_STREAM_NEGATIVES));
    const int threads = vgae_ctx_threads(ctx), blocks = m->b1 - m->b0;
    /* blocks draw from their own streams into their own ranges: any thread may take any */
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && blocks > 1)
    for (int32_t b = 0; b < blocks; b++) {
        vgae_rng r;
        vgae_rng_init(&r, key, VGAE_STREAM_NEGATIVES);
        vgae_rng_substream(&r, (uint32_t)(m->b0 + b) + 1);
        const int32_t r0 = m->block_row[b], size = m->block_row[b + 1] - r0;
        int64_t *far = m->block_far + (int64_t)b * m->part->parts;
        memset(far, 0, (size_t)m->part->parts * sizeof *far);
        /* candidates BATCH at a time, their rows fetched before they are
         * checked in order: the same pairs as one at a time (a block's
         * stream serves it alone; candidates past its count are dropped) */
        int32_t cu[BATCH], cv[BATCH];
        for (int64_t k = m->neg_block[b]; k < m->neg_block[b + 1];) {
            for (int i = 0; i < BATCH; i++) {
                cu[i] = r0 + (int32_t)vgae_rng_below(&r, (uint64_t)size);
                cv[i] = (int32_t)vgae_rng_below(&r, (uint64_t)m->n);
                __builtin_prefetch(m->a->rowptr + cu[i]);
            }
            for (int i = 0; i < BATCH; i++)
                __builtin_prefetch(m->a->col + m->a->rowptr[cu[i]]);
            for (int i = 0; i < BATCH && k < m->neg_block[b + 1]; i++) {
                if (cv[i] == m->first + cu[i] || adjacent(m, cu[i], cv[i]))
                    continue;
                m->neg_u[k] = cu[i];
                m->neg_v[k] = cv[i];
                far[owner_of(m, cv[i])]++;
                k++;
            }
        }
    }
}

typedef struct batch {
    vgae_real x[BATCH];
    uint8_t counted[BATCH];
    const vgae_real *a[BATCH], *b[BATCH]; /* the pair's rows */
    vgae_real *da[BATCH], *db[BATCH];     /* where each end's gradient goes (NULL: not here) */
    vgae_real *keep[BATCH];               /* where the pair's coefficient is kept (NULL: not kept) */
    int filled;
} batch;

/* The kernel over a batch (filled to BATCH), then each pair's gradient at
 * its ends here, in order; the counted terms' loss. */
static double flush(batch *q, int target, double scale, int64_t d)
{
    if (!q->filled)
        return 0.0;
    for (int i = q->filled; i < BATCH; i++) {
        q->x[i] = 0;
        q->counted[i] = 0;
    }
    const double loss = vgae_kernel_logistic(q->x, q->counted, BATCH, target, scale);
    for (int i = 0; i < q->filled; i++) {
        if (q->da[i])
            vgae_add_scaled(q->da[i], q->x[i], q->b[i], d);
        if (q->db[i])
            vgae_add_scaled(q->db[i], q->x[i], q->a[i], d);
        if (q->keep[i])
            *q->keep[i] = q->x[i];
    }
    q->filled = 0;
    return loss;
}

static double push(batch *q, const vgae_real *a, const vgae_real *b, vgae_real *da, vgae_real *db,
                   vgae_real *keep, int counted, int target, double scale, int64_t d)
{
    const int i = q->filled++;
    q->a[i] = a;
    q->b[i] = b;
    q->da[i] = da;
    q->db[i] = db;
    q->keep[i] = keep;
    q->counted[i] = (uint8_t)counted;
    q->x[i] = (vgae_real)vgae_pair_dot(a, b, d);
    return q->filled == BATCH ? flush(q, target, scale, d) : 0.0;
}

/* This part's non-edges whose v another part holds, per part (out_n,
 * from the blocks' counts) with their offsets grouped by part (out_at),
 * the rest of the 13 x parts counts zeroed; where each block's far pairs
 * begin in each part's group (block_at; each group in pair order).
 * Returns how many. */
static int64_t count_far(const vgae_dist_gae *m, int64_t *c)
{
    const int p = vgae_comm_size(m->comm), blocks = m->b1 - m->b0;
    int64_t *out_n = c, *out_at = c + 2 * p;
    memset(c, 0, (size_t)(13 * p) * sizeof *c);
    for (int32_t b = 0; b < blocks; b++)
        for (int r = 0; r < p; r++)
            out_n[r] += r == m->part->part ? 0 : m->block_far[(int64_t)b * p + r];
    for (int r = 1; r < p; r++)
        out_at[r] = out_at[r - 1] + out_n[r - 1];
    for (int r = 0; r < p; r++)
        for (int64_t b = 0, at = out_at[r]; b < blocks; b++) {
            m->block_at[b * p + r] = at;
            at += r == m->part->part ? 0 : m->block_far[b * p + r];
        }
    return out_at[p - 1] + out_n[p - 1];
}

/* Block b's cursors (a pass over its pairs places each far pair at
 * far_slot), reset to where its far pairs begin. */
static int64_t *far_cursors(const vgae_dist_gae *m, int32_t b)
{
    const int p = m->part->parts;
    int64_t *cur = m->block_cur + (int64_t)b * p;
    memcpy(cur, m->block_at + (int64_t)b * p, (size_t)p * sizeof *cur);
    return cur;
}

/* Where non-edge k (of the block whose cursors these are) goes among the
 * far pairs grouped by v's part, each group in pair order, or -1 when v is
 * this part's. */
static int64_t far_slot(const vgae_dist_gae *m, int64_t *cursor, int64_t k)
{
    const int r = owner_of(m, m->neg_v[k]), mine = r == m->part->part;
    const int64_t j = cursor[r]++; /* this part's own cursor counts nothing used */
    return mine ? -1 : j;
}

/* Each far pair k at its place j among the far pairs grouped by v's part
 * (each group in pair order): far[j] = k. Blocks on threads. */
static void place_far(vgae_ctx *ctx, vgae_dist_gae *m, int64_t *far)
{
    const int threads = vgae_ctx_threads(ctx), blocks = m->b1 - m->b0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && blocks > 1)
    for (int32_t bl = 0; bl < blocks; bl++) {
        int64_t *cursor = far_cursors(m, bl);
        for (int64_t k = m->neg_block[bl]; k < m->neg_block[bl + 1]; k++) {
            const int64_t j = far_slot(m, cursor, k);
            if (j >= 0)
                far[j] = k;
        }
    }
}

/* The non-edges' far ends. Each part sends to each other part the pairs
 * whose v it holds, as (u's index among the rows sent, v), with the rows
 * of z_u, each u once; the other part sends back the rows of z_v, each v
 * once, in ascending v (both sides list the v's alike). On return the
 * pairs that came in are in in_pairs (by sending part, each in its order;
 * the counts and offsets in m->counts, as laid out below), and
 * reply_at[k] is the row of z_v in back_rows for each pair k whose v is
 * far. Per far pair 8 bytes, and a row for each distinct u and v. */
static vgae_status exchange_negatives(vgae_ctx *ctx, vgae_dist_gae *m, const vgae_mat *z)
{
    const int p = vgae_comm_size(m->comm);
    const int64_t d = z->cols;
    int64_t *c = m->counts;
    int64_t *out_n = c, *in_n = c + p, *out_at = c + 2 * p, *in_at = c + 3 * p; /* pairs */
    int64_t *out_u = c + 4 * p, *in_u = c + 5 * p, *out_uat = c + 6 * p, *in_uat = c + 7 * p; /* rows of z_u */
    int64_t *back_n = c + 8 * p, *reply_n = c + 9 * p, *back_at = c + 10 * p, *reply_at = c + 11 * p; /* z_v */
    int64_t *b = c + 13 * p; /* b: 4 x p byte counts and offsets */
    const int64_t n_out = count_far(m, c);
    vgae_status st = VGAE_OK;
    if (vgae_reserve(ctx, (void **)&m->far, &m->far_cap, (size_t)(n_out ? n_out : 1), sizeof *m->far) ||
        vgae_reserve(ctx, (void **)&m->out_pairs, &m->out_cap, 2 * (size_t)(n_out ? n_out : 1), sizeof *m->out_pairs))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (st)
        return st;
    /* the far pairs grouped by v's part, each group in pair order; the
     * distinct u's each part gets */
    place_far(ctx, m, m->far);
    int64_t distinct = 0;
    for (int r = 0; r < p; r++) {
        for (int64_t j = out_at[r]; j < out_at[r] + out_n[r]; j++) {
            const int32_t u = m->neg_u[m->far[j]];
            distinct += m->stamp[u] != r;
            m->stamp[u] = r;
        }
    }
    for (int32_t u = 0; u < m->count; u++)
        m->stamp[u] = -1;
    if (vgae_reserve(ctx, (void **)&m->out_rows, &m->out_rows_cap, (size_t)(distinct ? distinct : 1) * (size_t)d,
                  sizeof *m->out_rows))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (st)
        return st;
    /* per part: u's index among its rows (each u once, in first use), v */
    int64_t rows = 0;
    for (int r = 0; r < p; r++) {
        out_uat[r] = rows;
        for (int64_t j = out_at[r]; j < out_at[r] + out_n[r]; j++) {
            const int32_t u = m->neg_u[m->far[j]];
            if (m->stamp[u] != r) {
                m->stamp[u] = r;
                m->slot[u] = (int32_t)(rows - out_uat[r]);
                memcpy(m->out_rows + rows * d, z->data + (int64_t)u * d, (size_t)d * sizeof *z->data);
                rows++;
            }
            m->out_pairs[2 * j] = m->slot[u];
            m->out_pairs[2 * j + 1] = m->neg_v[m->far[j]];
        }
        out_u[r] = rows - out_uat[r];
    }
    for (int32_t u = 0; u < m->count; u++)
        m->stamp[u] = -1;
    /* how many pairs and rows come in from each part */
    st = vgae_comm_alltoall_i64(ctx, m->comm, out_n, in_n);
    if (!st)
        st = vgae_comm_alltoall_i64(ctx, m->comm, out_u, in_u);
    if (st)
        return st;
    for (int r = 1; r < p; r++) {
        in_at[r] = in_at[r - 1] + in_n[r - 1];
        in_uat[r] = in_uat[r - 1] + in_u[r - 1];
    }
    const int64_t n_in = in_at[p - 1] + in_n[p - 1], rows_in = in_uat[p - 1] + in_u[p - 1];
    if (vgae_reserve(ctx, (void **)&m->in_pairs, &m->in_cap, 2 * (size_t)(n_in ? n_in : 1), sizeof *m->in_pairs) ||
        vgae_reserve(ctx, (void **)&m->in_rows, &m->in_rows_cap, (size_t)(rows_in ? rows_in : 1) * (size_t)d,
                  sizeof *m->in_rows))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    const int64_t pair_bytes = 2 * (int64_t)sizeof(int32_t), row_bytes = d * (int64_t)sizeof(vgae_real);
    for (int s = 0; !st && s < 2; s++) {
        const int64_t size = s == 0 ? pair_bytes : row_bytes;
        const int64_t *sn = s == 0 ? out_n : out_u, *sa = s == 0 ? out_at : out_uat;
        const int64_t *rn = s == 0 ? in_n : in_u, *ra = s == 0 ? in_at : in_uat;
        for (int r = 0; r < p; r++) {
            b[r] = sn[r] * size;
            b[p + r] = sa[r] * size;
            b[2 * p + r] = rn[r] * size;
            b[3 * p + r] = ra[r] * size;
        }
        st = s == 0 ? vgae_comm_alltoallv(ctx, m->comm, m->out_pairs, b, b + p, m->in_pairs, b + 2 * p, b + 3 * p)
                    : vgae_comm_alltoallv(ctx, m->comm, m->out_rows, b, b + p, m->in_rows, b + 2 * p, b + 3 * p);
    }
    if (st)
        return st;
    /* the distinct v's of each part's pairs, ascending: on the drawer's
     * side (where each far pair finds its reply) and on v's (the
     * replies), marked over the part's positions and read off in order */
    for (int r = 0; r < p; r++) {
        const int32_t base = part_first(m, r), size = part_first(m, r + 1) - base;
        int32_t *mark = m->mark;
        for (int64_t j = out_at[r]; j < out_at[r] + out_n[r]; j++)
            mark[m->out_pairs[2 * j + 1] - base] = 0;
        int64_t u = 0;
        for (int32_t i = 0; i < size; i++)
            if (mark[i] >= 0)
                mark[i] = (int32_t)u++;
        back_n[r] = u;
        back_at[r] = r ? back_at[r - 1] + back_n[r - 1] : 0;
        for (int64_t j = out_at[r]; j < out_at[r] + out_n[r]; j++)
            m->reply_at[m->far[j]] = (int32_t)(back_at[r] + mark[m->out_pairs[2 * j + 1] - base]);
        for (int32_t i = 0; i < size; i++)
            mark[i] = -1;
    }
    const int64_t n_back = back_at[p - 1] + back_n[p - 1];
    int64_t n_reply = 0;
    for (int r = 0; r < p; r++) { /* the rows to send back: this part's, marked by the pairs that came in */
        reply_at[r] = n_reply;
        for (int64_t j = in_at[r]; j < in_at[r] + in_n[r]; j++) {
            const int64_t row = (int64_t)m->in_pairs[2 * j + 1] - m->first;
            if (row < 0 || row >= m->count) {
                st = vgae_fail(ctx, VGAE_EINTERNAL, "a non-edge's end %d is not this part's", m->in_pairs[2 * j + 1]);
                break;
            }
            reply_n[r] += m->stamp[row] != r;
            m->stamp[row] = r;
        }
        n_reply += reply_n[r];
    }
    if (!st && (vgae_reserve(ctx, (void **)&m->back_rows, &m->back_cap, (size_t)(n_back ? n_back : 1) * (size_t)d,
                          sizeof *m->back_rows) ||
                /* the replies go out from where the rows of z_u went: those are sent */
                vgae_reserve(ctx, (void **)&m->out_rows, &m->out_rows_cap, (size_t)(n_reply ? n_reply : 1) * (size_t)d,
                          sizeof *m->out_rows)))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    for (int r = 0; !st && r < p; r++) { /* each part's rows, marked again (p + r), in ascending order */
        for (int64_t j = in_at[r]; j < in_at[r] + in_n[r]; j++)
            m->stamp[m->in_pairs[2 * j + 1] - m->first] = p + r;
        int64_t u = reply_at[r];
        for (int32_t row = 0; row < m->count; row++)
            if (m->stamp[row] == p + r)
                memcpy(m->out_rows + u++ * d, z->data + (int64_t)row * d, (size_t)d * sizeof *z->data);
    }
    for (int32_t row = 0; row < m->count; row++)
        m->stamp[row] = -1;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    for (int r = 0; !st && r < p; r++) {
        b[r] = reply_n[r] * row_bytes;
        b[p + r] = reply_at[r] * row_bytes;
        b[2 * p + r] = back_n[r] * row_bytes;
        b[3 * p + r] = back_at[r] * row_bytes;
    }
    if (!st)
        st = vgae_comm_alltoallv(ctx, m->comm, m->out_rows, b, b + p, m->back_rows, b + 2 * p, b + 3 * p);
    m->stats.remote_pairs = n_out;
    return st;
}

/* Gathering Z: how many far pairs each part sends each other (in
 * m->counts as exchange_negatives lays them out), and room for them, out
 * and in (rout, rin). They travel once their coefficients are known. */
static vgae_status far_pairs_room(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int p = vgae_comm_size(m->comm);
    int64_t *c = m->counts;
    int64_t *out_n = c, *in_n = c + p, *in_at = c + 3 * p;
    const int64_t n_out = count_far(m, c);
    vgae_status st = vgae_comm_alltoall_i64(ctx, m->comm, out_n, in_n);
    if (st)
        return st;
    for (int r = 1; r < p; r++)
        in_at[r] = in_at[r - 1] + in_n[r - 1];
    const int64_t n_in = in_at[p - 1] + in_n[p - 1];
    if ((n_out + n_in) * (int64_t)sizeof(far_pair) <= vgae_mat_size(&m->ext) * (int64_t)sizeof *m->ext.data) {
        m->rout = (far_pair *)(void *)m->ext.data;
        m->rin = m->rout + n_out;
    } else if (vgae_reserve(ctx, (void **)&m->rec_out, &m->rec_out_cap, (size_t)(n_out ? n_out : 1),
                            sizeof *m->rec_out) ||
               vgae_reserve(ctx, (void **)&m->rec_in, &m->rec_in_cap, (size_t)(n_in ? n_in : 1),
                            sizeof *m->rec_in)) {
        st = VGAE_ENOMEM;
    } else {
        m->rout = m->rec_out;
        m->rin = m->rec_in;
    }
    m->stats.remote_pairs = n_out;
    return vgae_comm_agree(ctx, m->comm, st, NULL);
}

/* Gathering Z: the far pairs (rout, filled by the decoder) to their v's
 * parts, those that came in into rin. 12 bytes a far pair. */
static vgae_status send_far_pairs(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int p = vgae_comm_size(m->comm);
    int64_t *c = m->counts;
    const int64_t *out_n = c, *in_n = c + p, *out_at = c + 2 * p, *in_at = c + 3 * p;
    int64_t *b = c + 13 * p;
    const int64_t size = (int64_t)sizeof(far_pair), n_in = in_at[p - 1] + in_n[p - 1];
    for (int r = 0; r < p; r++) {
        b[r] = out_n[r] * size;
        b[p + r] = out_at[r] * size;
        b[2 * p + r] = in_n[r] * size;
        b[3 * p + r] = in_at[r] * size;
    }
    vgae_status st = vgae_comm_alltoallv(ctx, m->comm, m->rout, b, b + p, m->rin, b + 2 * p, b + 3 * p);
    for (int64_t j = 0; !st && j < n_in; j++)
        if (m->rin[j].v < m->first || m->rin[j].v >= m->first + m->count || m->rin[j].u < 0 || m->rin[j].u >= m->n)
            st = vgae_fail(ctx, VGAE_EINTERNAL, "a non-edge (%d, %d) is not this part's", m->rin[j].u, m->rin[j].v);
    return vgae_comm_agree(ctx, m->comm, st, NULL);
}

/* Room for the coefficients of the far pairs, out (cout: in the order the
 * pairs went to their v's parts, grouped by v's part, each group in pair
 * order; the decoder writes them there) and in (cin: as in_pairs). */
static vgae_status coefficients_room(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int p = vgae_comm_size(m->comm);
    const int64_t *c = m->counts;
    const int64_t *out_n = c, *in_n = c + p, *out_at = c + 2 * p, *in_at = c + 3 * p;
    const int64_t n_out = out_at[p - 1] + out_n[p - 1], n_in = in_at[p - 1] + in_n[p - 1];
    vgae_status st = VGAE_OK;
    if (vgae_reserve(ctx, (void **)&m->coef_out, &m->coef_out_cap, (size_t)(n_out ? n_out : 1),
                     sizeof *m->coef_out) ||
        vgae_reserve(ctx, (void **)&m->coef_in, &m->coef_in_cap, (size_t)(n_in ? n_in : 1), sizeof *m->coef_in))
        st = VGAE_ENOMEM;
    return vgae_comm_agree(ctx, m->comm, st, NULL);
}

/* The far pairs' coefficients (in cout) to their v's parts; those of the
 * pairs that came in into cin. 4 bytes a far pair. */
static vgae_status send_coefficients(vgae_ctx *ctx, vgae_dist_gae *m)
{
    const int p = vgae_comm_size(m->comm);
    if (p == 1)
        return VGAE_OK;
    int64_t *c = m->counts;
    const int64_t *out_n = c, *in_n = c + p, *out_at = c + 2 * p, *in_at = c + 3 * p;
    int64_t *b = c + 13 * p;
    const int64_t size = (int64_t)sizeof *m->coef_out;
    for (int r = 0; r < p; r++) {
        b[r] = out_n[r] * size;
        b[p + r] = out_at[r] * size;
        b[2 * p + r] = in_n[r] * size;
        b[3 * p + r] = in_at[r] * size;
    }
    return vgae_comm_alltoallv(ctx, m->comm, m->coef_out, b, b + p, m->coef_in, b + 2 * p, b + 3 * p);
}

/* Where the sampled loss's decoder reads a code: of local column c (this
 * part's rows, then the halo's; ext holds them when fetched), of the far
 * u of the pair j that came in from part r, of the far v of pair k. */
static const vgae_real *col_row(const vgae_dist_gae *m, const vgae_real *ext, int32_t c, int64_t d)
{
    return m->far_rows == VGAE_FAR_GATHER ? m->zall.data + (int64_t)position_of(m, c) * d : ext + (int64_t)c * d;
}

static const vgae_real *in_row(const vgae_dist_gae *m, const int64_t *in_uat, int r, int64_t j, int64_t d)
{
    return m->in_rows + (in_uat[r] + m->in_pairs[2 * j]) * d;
}

static const vgae_real *far_row(const vgae_dist_gae *m, int64_t k, int64_t d)
{
    return m->far_rows == VGAE_FAR_GATHER ? m->zall.data + (int64_t)m->neg_v[k] * d
                                          : m->back_rows + (int64_t)m->reply_at[k] * d;
}

/* The code of non-edge k's v: gathering, every row's is in zall (no
 * branch on whether v is near or far, which comes in random order). */
static const vgae_real *v_row(const vgae_dist_gae *m, const vgae_mat *z, int64_t k, int64_t d)
{
    if (m->far_rows == VGAE_FAR_GATHER)
        return m->zall.data + (int64_t)m->neg_v[k] * d;
    const int64_t v = (int64_t)m->neg_v[k] - m->first;
    return v >= 0 && v < m->count ? z->data + v * d : far_row(m, k, d);
}

/* The sampled loss's decoder (an ELBO decoder callback). A row's gradient
 * adds, in this order, whatever P is: its training edges' terms, its
 * non-edges' terms as their u (each non-edge scored once, by its block, at
 * u's part), then its shares as some non-edge's v, in the blocks' order
 * (those of the parts before this one, this part's own, those after), each
 * from the pair's coefficient and u's code. The loss terms of each block
 * (positives counted from their smaller end, non-edges from u) go to the
 * block's partial. */
static vgae_status decode_sampled(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale, vgae_mat *dz,
                                  double *nll)
{
    vgae_dist_gae *m = self;
    const double start = vgae_now();
    const int64_t d = z->cols, count = m->count;
    const int p = vgae_comm_size(m->comm), me = vgae_comm_rank(m->comm);
    const double neg_weight = 1.0 / m->o.negatives, neg_scale = grad_scale * neg_weight;
    (void)nll; /* summed per block, below */
    vgae_status st = VGAE_OK;
    const int gather = m->far_rows == VGAE_FAR_GATHER;
    if (gather) { /* every row's code; room for the far pairs, sent with their coefficients */
        st = vgae_comm_allgatherv(ctx, m->comm, z->data, m->zall.data, m->gather_at, m->gather_at + p);
        if (!st)
            st = far_pairs_room(ctx, m);
    } else { /* the halo's codes; the far pairs' rows */
        vgae_mat zext_w = shaped(&m->ext, (int64_t)count + m->n_halo, d);
        memcpy(zext_w.data, z->data, (size_t)(count * d) * sizeof *z->data);
        st = fetch_halo(ctx, m, &zext_w);
        if (!st)
            st = exchange_negatives(ctx, m, z);
        if (!st)
            st = coefficients_room(ctx, m);
    }
    if (st)
        return st;
    vgae_mat_zero(dz);
    const vgae_csr *a = m->a;
    const vgae_mat zext = shaped(&m->ext, (int64_t)count + m->n_halo, d);
    /* the training edges, block by block: a block's rows' gradient is its
     * own (the far end adds its share from its own row), so threads take
     * whole blocks and the bits do not depend on their number */
    const int threads = vgae_ctx_threads(ctx), blocks = m->b1 - m->b0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && blocks > 1)
    for (int32_t bl = 0; bl < blocks; bl++) {
        batch q = {0};
        double loss = 0;
        const int64_t last = a->rowptr[m->block_row[bl + 1]];
        for (int32_t u = m->block_row[bl]; u < m->block_row[bl + 1]; u++)
            for (int64_t e = a->rowptr[u]; e < a->rowptr[u + 1]; e++) {
                if (e + AHEAD < last)
                    vgae_prefetch_row(col_row(m, zext.data, a->col[e + AHEAD], d), d);
                const int32_t c = a->col[e];
                if (c == u)
                    continue; /* Â's diagonal: not an edge */
                loss += push(&q, z->data + (int64_t)u * d, col_row(m, zext.data, c, d), dz->data + (int64_t)u * d,
                             NULL, NULL, position_of(m, c) > m->first + u, 1, grad_scale, d);
            }
        loss += flush(&q, 1, grad_scale, d);
        m->partials[(int64_t)bl * m->red_len + m->red_len - 2] = loss;
    }
    /* the non-edges, each scored once, where its u is: its gradient at u
     * added (threads take whole blocks: a block's pairs touch its rows
     * alone), its term to the block's loss, its coefficient kept: a far
     * pair's where it leaves for v's part, a near pair's with the block's
     * near pairs, moved to the front of its range (in their order: the
     * shares at v below walk them alone; a pair is moved only once read) */
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && blocks > 1)
    for (int32_t bl = 0; bl < blocks; bl++) {
        batch q = {0};
        double loss = 0;
        int64_t *cursor = far_cursors(m, bl), near = m->neg_block[bl];
        for (int64_t k = m->neg_block[bl]; k < m->neg_block[bl + 1]; k++) {
            if (k + AHEAD < m->neg_block[bl + 1]) {
                const int64_t ua = m->neg_u[k + AHEAD];
                vgae_prefetch_row(z->data + ua * d, d);
                vgae_prefetch_row(dz->data + ua * d, d);
                vgae_prefetch_row(v_row(m, z, k + AHEAD, d), d);
            }
            const int32_t u = m->neg_u[k], v = m->neg_v[k];
            const int64_t j = far_slot(m, cursor, k);
            const vgae_real *zv = v_row(m, z, k, d);
            vgae_real *keep;
            if (j < 0) {
                m->neg_u[near] = u;
                m->neg_v[near] = v;
                keep = m->coef + near++;
            } else if (gather) {
                m->rout[j] = (far_pair){.u = m->first + u, .v = v};
                keep = &m->rout[j].coef;
            } else {
                keep = m->coef_out + j;
            }
            loss += push(&q, z->data + (int64_t)u * d, zv, dz->data + (int64_t)u * d, NULL, keep, 1, 0, neg_scale, d);
        }
        loss += flush(&q, 0, neg_scale, d);
        m->partials[(int64_t)bl * m->red_len + m->red_len - 2] += neg_weight * loss;
    }
    /* the far pairs (gathering) or their coefficients to their v's parts */
    st = gather ? send_far_pairs(ctx, m) : send_coefficients(ctx, m);
    if (st)
        return st;
    /* each pair's share at v, in block order: the pairs of the parts before
     * this one, this part's own, those of the parts after (one thread: a
     * row gathers shares from pairs of every block, in their order) */
    const int64_t *in_n = m->counts + p, *in_at = m->counts + 3 * p, *in_uat = m->counts + 7 * p;
    for (int r = 0; r < p; r++) {
        if (r != me) {
            const int64_t end = in_at[r] + in_n[r];
            for (int64_t j = in_at[r]; j < end; j++) {
                const int64_t ja = j + AHEAD;
                if (ja < end) {
                    const int32_t va = gather ? m->rin[ja].v : m->in_pairs[2 * ja + 1];
                    vgae_prefetch_row(dz->data + ((int64_t)va - m->first) * d, d);
                    vgae_prefetch_row(gather ? m->zall.data + (int64_t)m->rin[ja].u * d : in_row(m, in_uat, r, ja, d),
                                      d);
                }
                if (gather)
                    vgae_add_scaled(dz->data + ((int64_t)m->rin[j].v - m->first) * d, m->rin[j].coef,
                                    m->zall.data + (int64_t)m->rin[j].u * d, d);
                else
                    vgae_add_scaled(dz->data + ((int64_t)m->in_pairs[2 * j + 1] - m->first) * d, m->coef_in[j],
                                    in_row(m, in_uat, r, j, d), d);
            }
            continue;
        }
        for (int32_t bl = 0; bl < blocks; bl++) { /* each block's near pairs, at the front of its range */
            const int64_t begin = m->neg_block[bl], end = begin + m->block_far[(int64_t)bl * p + me];
            for (int64_t k = begin; k < end; k++) {
                if (k + AHEAD < end) {
                    vgae_prefetch_row(dz->data + ((int64_t)m->neg_v[k + AHEAD] - m->first) * d, d);
                    vgae_prefetch_row(z->data + (int64_t)m->neg_u[k + AHEAD] * d, d);
                }
                vgae_add_scaled(dz->data + ((int64_t)m->neg_v[k] - m->first) * d, m->coef[k],
                                z->data + (int64_t)m->neg_u[k] * d, d);
            }
        }
    }
    m->stats.decoder_seconds = vgae_now() - start;
    return VGAE_OK;
}

/* The full loss's decoder (an ELBO decoder callback): every row's code
 * gathered, then this part's rows against all N in tiles, each ordered pair
 * counted once; the tiles' losses added block by block in tile order. */
static vgae_status decode_full(vgae_ctx *ctx, void *self, const vgae_mat *z, double grad_scale, vgae_mat *dz,
                               double *nll)
{
    vgae_dist_gae *m = self;
    const double start = vgae_now();
    const int p = vgae_comm_size(m->comm);
    /* at most the threads the work was made for (the context's count may have grown since) */
    const int threads = vgae_ctx_threads(ctx) < m->tile_threads ? vgae_ctx_threads(ctx) : m->tile_threads;
    const int64_t d = z->cols, work = vgae_decoder_full_rows_work(FULL_TILE, d);
    (void)nll; /* summed per block, below */
    vgae_status st = vgae_comm_allgatherv(ctx, m->comm, z->data, m->zall.data, m->gather_at, m->gather_at + p);
    if (st)
        return st;
    vgae_mat_zero(dz);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && m->n_tiles > 1)
    for (int64_t t = 0; t < m->n_tiles; t++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        const int32_t r0 = (int32_t)m->tile_row[t];
        const int32_t end = m->block_row[m->tile_block[t] + 1], nr = end - r0 < FULL_TILE ? end - r0 : FULL_TILE;
        m->tile_loss[t] = vgae_decoder_full_rows(&m->train_rows, m->pos_weight, m->zall.data, m->n, d,
                                                 m->first + r0, nr, FULL_TILE, grad_scale, m->want_loss,
                                                 dz->data + (int64_t)r0 * d, m->tile_work + tid * work);
    }
    for (int64_t t = 0; t < m->n_tiles; t++)
        m->partials[m->tile_block[t] * m->red_len + m->red_len - 2] += m->tile_loss[t];
    m->stats.decoder_seconds = vgae_now() - start;
    return VGAE_OK;
}

/* ---- an epoch ---- */

static vgae_status loss_and_gradient(vgae_ctx *ctx, vgae_dist_gae *m, vgae_elbo_terms *terms)
{
    const vgae_graph_ae_options *o = &m->o;
    const double nn = (double)m->n * m->n;
    const int32_t blocks = m->b1 - m->b0;
    const int64_t d = o->latent;
    vgae_elbo_config cfg = vgae_elbo_defaults();
    cfg.kl_scale = 1.0 / nn;
    cfg.beta = o->beta * vgae_kl_anneal_weight(&o->kl, (double)m->base.epoch, o->epochs);
    const int sampled = o->loss == VGAE_LOSS_SAMPLED;
    m->want_loss = terms != NULL;
    cfg.recon_scale = sampled ? 1.0 / (double)m->part->n_train : m->norm / nn;
    memset(m->partials, 0, (size_t)blocks * (size_t)m->red_len * sizeof *m->partials);
    double t = vgae_now();
    if (sampled)
        draw_negatives(ctx, m);
    m->stats.draw_seconds = vgae_now() - t;
    vgae_params_zero_grad(&m->base.params);
    vgae_status st = forward(ctx, m, 1);
    const vgae_mat *heads[] = {&m->mean, &m->logvar};
    vgae_mat *d_heads[] = {&m->dmean, &m->dlogvar};
    vgae_rng *noise = vgae_ctx_rng(ctx, VGAE_STREAM_NOISE);
    if (!st && m->stochastic) /* this part's rows of one draw for all N rows */
        vgae_rng_set_window(noise, (int64_t)m->first * d, (int64_t)m->n * d);
    if (!st)
        st = vgae_elbo_compute(ctx, &cfg, m->base.latent, heads, noise, sampled ? decode_sampled : decode_full, m,
                               &m->elbo, d_heads, NULL);
    if (!st && m->stochastic) { /* the KL of each block, summed in row order */
        double total;
        st = vgae_latent_kl(ctx, m->base.latent, heads, m->kl_row, &total);
        for (int32_t b = 0; !st && b < blocks; b++) {
            double kl = 0;
            for (int32_t r = m->block_row[b]; r < m->block_row[b + 1]; r++)
                kl += m->kl_row[r];
            m->partials[(int64_t)b * m->red_len + m->red_len - 1] = kl;
        }
    }
    if (!st)
        st = backward(ctx, m);
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (!st)
        st = vgae_comm_ordered_sum(ctx, m->comm, m->partials, blocks, m->red_len, m->summed);
    if (st)
        return st;
    for (int k = 0; k < m->n_red; k++)
        for (int64_t i = 0; i < vgae_mat_size(m->red[k].grad); i++)
            m->red[k].grad->data[i] = (vgae_real)m->summed[m->red[k].at + i];
    if (terms) {
        const double nll = m->summed[m->red_len - 2], kl = m->summed[m->red_len - 1];
        *terms = (vgae_elbo_terms){.nll = nll, .kl = kl, .loss = cfg.recon_scale * nll + cfg.beta * cfg.kl_scale * kl};
    }
    return VGAE_OK;
}

vgae_status vgae_dist_gae_loss(vgae_ctx *ctx, vgae_dist_gae *m, vgae_elbo_terms *terms)
{
    return loss_and_gradient(ctx, m, terms);
}

vgae_params *vgae_dist_gae_params(vgae_dist_gae *m)
{
    return &m->base.params;
}

vgae_status vgae_dist_gae_train_epoch(vgae_ctx *ctx, vgae_dist_gae *m, vgae_elbo_terms *terms)
{
    const double start = vgae_now(), comm_before = vgae_comm_seconds(m->comm);
    const int64_t before = vgae_comm_bytes_sent(m->comm), halo_before = m->halo_bytes;
    vgae_status st = loss_and_gradient(ctx, m, terms);
    if (!st) /* a weight's gradient is the same everywhere; a featureless first layer's rows are not */
        st = vgae_comm_agree(ctx, m->comm, vgae_model_base_step(ctx, &m->base, 1), NULL);
    if (st)
        return st;
    m->base.epoch++;
    m->stats.epoch_seconds = vgae_now() - start;
    m->stats.comm_seconds = vgae_comm_seconds(m->comm) - comm_before;
    m->base.train_seconds += m->stats.epoch_seconds;
    m->stats.epoch_bytes = vgae_comm_bytes_sent(m->comm) - before;
    m->stats.epoch_halo_bytes = m->halo_bytes - halo_before;
    return VGAE_OK;
}

const vgae_part *vgae_dist_gae_part(const vgae_dist_gae *m)
{
    return m->part;
}

vgae_dist_stats vgae_dist_gae_stats(const vgae_dist_gae *m)
{
    return m->stats;
}

/* ---- evaluation ---- */

/* The plan for sets 0..sets-1 (validation: 2, all: 4): the far ends of
 * their pairs that other parts hold. Collective. */
static vgae_status plan_evaluation(vgae_ctx *ctx, vgae_dist_gae *m, int which)
{
    const vgae_part *p = m->part;
    const int sets = which ? 4 : 2;
    int64_t n = 0;
    for (int s = 0; s < sets; s++)
        n += p->held[s].count;
    int32_t *want = vgae_alloc(ctx, (size_t)(n ? n : 1), sizeof *want);
    vgae_status st = want ? VGAE_OK : VGAE_ENOMEM;
    int64_t k = 0;
    for (int s = 0; !st && s < sets; s++)
        for (int64_t i = 0; i < p->held[s].count; i++) {
            const int32_t v = p->held[s].pairs[i].v;
            if (v < m->first || v >= m->first + m->count)
                want[k++] = v;
        }
    if (!st)
        k = sort_unique(want, k);
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (!st)
        st = vgae_halo_plan(ctx, m->comm, p, want, (int32_t)k, &m->eval_halo[which]);
    if (!st)
        st = stage_room(ctx, m);
    if (st) {
        free(want);
        return st;
    }
    m->eval_want[which] = want;
    m->n_eval_want[which] = (int32_t)k;
    m->eval_planned[which] = 1;
    return VGAE_OK;
}

/* The row of position v in eval_emb: this part's, or among the fetched. */
static int64_t eval_row(const vgae_dist_gae *m, int which, int32_t v)
{
    if (v >= m->first && v < m->first + m->count)
        return v - m->first;
    const int32_t *w = m->eval_want[which];
    int64_t lo = 0, hi = m->n_eval_want[which] - 1;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (w[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return m->count + lo;
}

/* Pairs are scored this many at a time (their rows looked up first). */
#define EVAL_CHUNK 4096

/* Every process's scores of set s gathered on process 0 (*all, NULL on
 * the others), checked to be the whole set. Collective. */
static vgae_status gather_set(vgae_ctx *ctx, vgae_dist_gae *m, int s, const double *mine, int64_t n, double **all,
                              int64_t *counts)
{
    const vgae_part *p = m->part;
    unsigned char *got = NULL;
    vgae_status st = vgae_comm_gather(ctx, m->comm, mine, n * (int64_t)sizeof *mine, &got, counts);
    *all = (double *)got;
    if (!st && vgae_comm_rank(m->comm) == 0) {
        int64_t bytes = 0;
        for (int r = 0; r < vgae_comm_size(m->comm); r++)
            bytes += counts[r];
        const int64_t size = s < 2 ? p->n_val : p->n_test;
        if (bytes != size * (int64_t)sizeof *mine)
            st = vgae_fail(ctx, VGAE_EINTERNAL, "%lld held-out pairs of set %d scored of %lld",
                           (long long)(bytes / (int64_t)sizeof *mine), s, (long long)size);
    }
    return st;
}

vgae_status vgae_dist_gae_evaluate(vgae_ctx *ctx, vgae_dist_gae *m, int test, vgae_link_figures *out)
{
    const vgae_part *p = m->part;
    const int which = test ? 1 : 0, sets = test ? 4 : 2, procs = vgae_comm_size(m->comm);
    const int64_t d = m->o.latent;
    *out = vgae_link_figures_none(&m->o.hits);
    if (test) /* the test comes after training: the epochs' exchange buffers make room for it */
        release_exchanges(m);
    vgae_status st = m->eval_planned[which] ? VGAE_OK : plan_evaluation(ctx, m, which);
    if (!st)
        st = forward(ctx, m, 0);
    /* the codes and the fetched rows: in ext when it has room (it does
     * nothing between epochs), else a buffer of their own */
    const int64_t emb_rows = (int64_t)m->count + m->n_eval_want[which];
    vgae_mat emb = shaped(&m->ext, emb_rows, d);
    if (emb_rows * d > vgae_mat_size(&m->ext)) {
        if (!st)
            st = vgae_mat_ensure(ctx, &m->eval_emb, emb_rows, d);
        emb = m->eval_emb;
    }
    int64_t n = 0; /* the most pairs of a (positives, negatives) pair of sets here */
    for (int t = 0; t < sets / 2; t++)
        if (p->held[2 * t].count + p->held[2 * t + 1].count > n)
            n = p->held[2 * t].count + p->held[2 * t + 1].count;
    /* this process's scores of a pair of sets (AUC, AP and Hits@K do not
     * depend on the pairs' order: process 0 takes each set's scores in
     * process order) */
    double *scores = vgae_alloc(ctx, (size_t)(n ? n : 1), sizeof *scores);
    vgae_pair *pairs = vgae_alloc(ctx, EVAL_CHUNK, sizeof *pairs);
    int64_t *counts = vgae_alloc(ctx, (size_t)procs, sizeof *counts);
    if (!st && !(scores && pairs && counts))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (!st) {
        memcpy(emb.data, m->mean.data, (size_t)vgae_mat_size(&m->mean) * sizeof *m->mean.data);
        st = vgae_halo_exchange(ctx, m->comm, &m->eval_halo[which], m->mean.data, d, stage_of(m),
                                emb.data + (int64_t)m->count * d);
    }
    for (int t = 0; !st && t < sets / 2; t++) {
        /* each pair scored where the part that holds it is, as one process scores it */
        int64_t at = 0;
        for (int s = 2 * t; s < 2 * t + 2; s++)
            for (int64_t i0 = 0; i0 < p->held[s].count; i0 += EVAL_CHUNK) {
                const int64_t i1 = i0 + EVAL_CHUNK < p->held[s].count ? i0 + EVAL_CHUNK : p->held[s].count;
                for (int64_t i = i0; i < i1; i++)
                    pairs[i - i0] = (vgae_pair){p->held[s].pairs[i].u - m->first,
                                                (int32_t)eval_row(m, which, p->held[s].pairs[i].v)};
                vgae_score_pairs(&emb, pairs, i1 - i0, scores + at);
                at += i1 - i0;
            }
        /* gathered on process 0, its figures, freed */
        double *pos = NULL, *neg = NULL;
        const int64_t n_pos = p->held[2 * t].count, n_neg = p->held[2 * t + 1].count;
        st = gather_set(ctx, m, 2 * t, scores, n_pos, &pos, counts);
        st = vgae_comm_agree(ctx, m->comm, st, NULL);
        if (!st)
            st = gather_set(ctx, m, 2 * t + 1, scores + n_pos, n_neg, &neg, counts);
        if (!st && vgae_comm_rank(m->comm) == 0) {
            const int64_t size = t == 0 ? p->n_val : p->n_test;
            st = vgae_set_metrics_sorting(ctx, pos, size, neg, size, &m->o.hits, t == 0 ? &out->val : &out->test);
        }
        free(pos);
        free(neg);
        st = vgae_comm_agree(ctx, m->comm, st, NULL);
    }
    if (!st) /* every process gets the figures (model selection decides alike everywhere) */
        st = vgae_comm_bcast(ctx, m->comm, out, (int64_t)sizeof *out, 0);
    free(scores);
    free(pairs);
    free(counts);
    return st;
}

/* ---- fitting ---- */

/* The parameters' values end to end into buf, or back from it. */
static void params_copy(vgae_dist_gae *m, vgae_real *buf, int save)
{
    for (int k = 0, at = 0; k < m->base.params.count; k++) {
        vgae_mat *v = m->base.params.items[k].value;
        const size_t bytes = (size_t)vgae_mat_size(v) * sizeof *v->data;
        if (save)
            memcpy(buf + at, v->data, bytes);
        else
            memcpy(v->data, buf + at, bytes);
        at += (int)vgae_mat_size(v);
    }
}

vgae_status vgae_dist_gae_fit(vgae_ctx *ctx, vgae_dist_gae *m, int every, vgae_epoch_fn progress, void *user,
                              vgae_linkpred_result *result)
{
    const vgae_graph_ae_options *o = &m->o;
    *result = (vgae_linkpred_result){vgae_link_figures_none(&o->hits), 0, NAN, 0, 0};
    const double start = m->base.train_seconds;
    double best = -INFINITY;
    int best_epoch = 0, stale = 0;
    vgae_status st = VGAE_OK;
    if (o->val_every > 0 && o->select == VGAE_SELECT_MRR)
        return vgae_fail(ctx, VGAE_EINVAL, "training across processes has no hard negatives: select on AUC, AP "
                                           "or Hits@K");
    if (o->val_every > 0 && !m->best &&
        !(m->best = vgae_alloc(ctx, (size_t)vgae_params_scalars(&m->base.params), sizeof *m->best)))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    int epoch = 0;
    for (; !st && epoch < o->epochs; epoch++) {
        if (vgae_ctx_interrupted(ctx)) {
            st = vgae_fail(ctx, VGAE_EINTR, "interrupted");
            break;
        }
        const int report = progress && every > 0 && ((epoch + 1) % every == 0 || epoch + 1 == o->epochs);
        const int validate = o->val_every > 0 && ((epoch + 1) % o->val_every == 0 || epoch + 1 == o->epochs);
        vgae_elbo_terms terms = {0};
        st = vgae_dist_gae_train_epoch(ctx, m, report || epoch + 1 == o->epochs ? &terms : NULL);
        if (st)
            break;
        if (epoch + 1 == o->epochs)
            result->final_loss = terms.loss;
        vgae_link_figures f = vgae_link_figures_none(&o->hits);
        if (validate) {
            st = vgae_dist_gae_evaluate(ctx, m, 0, &f);
            const double value = st ? NAN : vgae_select_value(o, &f.val);
            if (!st && value > best) {
                best = value;
                best_epoch = epoch + 1;
                stale = 0;
                params_copy(m, m->best, 1);
            } else if (!st) {
                stale++;
            }
        }
        if (!st && report)
            progress(user, epoch + 1, &terms, f.val.auc, f.val.ap, m->base.train_seconds - start);
        if (!st && validate && o->patience > 0 && stale >= o->patience) {
            epoch++;
            break;
        }
    }
    if (st)
        return st;
    if (best_epoch > 0)
        params_copy(m, m->best, 0);
    result->epochs = epoch;
    result->best_epoch = best_epoch;
    result->train_seconds = m->base.train_seconds - start;
    return vgae_dist_gae_evaluate(ctx, m, 1, &result->figures);
}

/* ---- embeddings ---- */

vgae_status vgae_dist_gae_embed(vgae_ctx *ctx, vgae_dist_gae *m, const char *path, vgae_embed_format format)
{
    const int64_t d = m->o.latent, procs = vgae_comm_size(m->comm);
    vgae_status st = forward(ctx, m, 0);
    /* each process's records: node numbers, then the means' rows */
    const int64_t bytes = (int64_t)m->count * ((int64_t)sizeof(int32_t) + d * (int64_t)sizeof(vgae_real));
    unsigned char *mine = vgae_alloc(ctx, (size_t)bytes, 1), *all = NULL;
    int64_t *counts = vgae_alloc(ctx, (size_t)procs, sizeof *counts);
    if (!st && !(mine && counts))
        st = VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, m->comm, st, NULL);
    if (!st) {
        memcpy(mine, m->part->node, (size_t)m->count * sizeof(int32_t));
        memcpy(mine + (size_t)m->count * sizeof(int32_t), m->mean.data, (size_t)(m->count * d) * sizeof(vgae_real));
        st = vgae_comm_gather(ctx, m->comm, mine, bytes, &all, counts);
    }
    free(mine);
    if (!st && vgae_comm_rank(m->comm) == 0) {
        float *emb = vgae_alloc(ctx, (size_t)m->n * (size_t)d, sizeof *emb);
        st = emb ? VGAE_OK : VGAE_ENOMEM;
        const unsigned char *at = all;
        for (int r = 0; !st && r < procs; r++) { /* process r's rows to their nodes' places */
            const int64_t rows = counts[r] / ((int64_t)sizeof(int32_t) + d * (int64_t)sizeof(vgae_real));
            const unsigned char *values = at + rows * (int64_t)sizeof(int32_t);
            for (int64_t i = 0; i < rows; i++) {
                int32_t node;
                memcpy(&node, at + i * (int64_t)sizeof node, sizeof node);
                memcpy(emb + (int64_t)node * d, values + i * d * (int64_t)sizeof(vgae_real),
                       (size_t)d * sizeof(vgae_real));
            }
            at += counts[r];
        }
        if (!st)
            st = vgae_embed_write(ctx, path, format, emb, m->n, d, NULL);
        free(emb);
    }
    free(all);
    free(counts);
    return vgae_comm_agree(ctx, m->comm, st, NULL);
}
