/* The sampled reconstruction loss: training edges and as many drawn non-edges, O(E d). */
#include <math.h>
#include <string.h>

#include "graph/non_edges.h"
#include "models/graph_ae_impl.h"
#include "nn/kernels.h"

/* Negatives are drawn in chunks of this many pairs, chunk c from sub-stream
 * c of the epoch's key, so that threads share the chunks and every thread
 * count draws the same pairs. */
#define NEG_CHUNK 8192

/* The decoder splits the nodes into parts of at least PART_NODES nodes and
 * at most MAX_PARTS parts, fixed by n alone. A part's thread alone writes
 * the part's rows of dz, and adds to each row in a fixed order. */
#define PART_NODES 64
#define MAX_PARTS 8

/* z rows are fetched this many edges ahead: on a large graph each is a
 * trip to DRAM, and they overlap only when started early. */
#define AHEAD 32
/* Logits per call of the vectorized kernel; negatives with an end in the
 * part are gathered in batches of this many, their rows fetched as the
 * batch fills. */
#define BATCH 32

void vgae_sampled_draw_negatives(vgae_ctx *ctx, vgae_graph_ae *m, int64_t count)
{
    /* one draw from the stream per epoch: the key of this epoch's chunks */
    const uint64_t key = vgae_rng_u64(vgae_ctx_rng(ctx, VGAE_STREAM_NEGATIVES));
    const int64_t chunks = (count + NEG_CHUNK - 1) / NEG_CHUNK;
    const int threads = vgae_ctx_threads(ctx);
    const vgae_graph *g = m->train;
    int32_t *neg = m->neg_buf;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && chunks > 1)
    for (int64_t c = 0; c < chunks; c++) {
        vgae_rng rng;
        vgae_rng_init(&rng, key, VGAE_STREAM_NEGATIVES);
        vgae_rng_substream(&rng, (uint32_t)c);
        int32_t a[VGAE_NON_EDGE_BATCH], b[VGAE_NON_EDGE_BATCH];
        const int64_t end = count < (c + 1) * NEG_CHUNK ? count : (c + 1) * NEG_CHUNK;
        for (int64_t k = c * NEG_CHUNK; k < end;) {
            int want = end - k < VGAE_NON_EDGE_BATCH ? (int)(end - k) : VGAE_NON_EDGE_BATCH;
            int got = vgae_non_edge_batch(g, &rng, want, a, b);
            for (int i = 0; i < got; i++, k++) {
                neg[2 * k] = a[i];
                neg[2 * k + 1] = b[i];
            }
        }
    }
}

/* The kernel over k edges (from[i], to[i]), then each one's gradient added
 * to row from[i] of dz, in order; returns the counted loss. */
static double flush_edges(vgae_real *x, const uint8_t *counted, int k, double scale,
                          const int32_t *from, const int32_t *to, const vgae_mat *z, vgae_mat *dz)
{
    const int64_t d = z->cols;
    double loss = vgae_kernel_logistic(x, counted, k, 1, scale);
    for (int i = 0; dz && i < k; i++)
        vgae_add_scaled(dz->data + from[i] * d, x[i], z->data + to[i] * d, d);
    return loss;
}

/* The loss terms and the rows of dz of nodes lo..hi-1 (the negatives'
 * terms weighted by neg_weight). A pair is met from
 * each of its ends in the part; its loss is counted once (from the smaller
 * end of an edge, from u of a negative (u, v)), its gradient at each end.
 * Logits go through the vectorized kernel a batch at a time. */
static double decode_part(const vgae_graph *g, const vgae_mat *z, const int32_t *neg,
                          int64_t n_neg, double scale, double neg_weight, vgae_mat *dz, int32_t lo,
                          int32_t hi)
{
    const double neg_scale = scale * neg_weight;
    const int64_t d = z->cols, last = g->rowptr[hi];
    const vgae_real *zd = z->data;
    vgae_real x[BATCH];
    uint8_t counted[BATCH] = {0};
    double loss = 0.0;
    /* positives, row by row, BATCH edges at a time (a batch may span
     * rows: short rows would leave the kernel's vectors half empty) */
    int32_t from[BATCH], to[BATCH];
    int edges = 0;
    for (int32_t u = lo; u < hi; u++) {
        if (dz)
            memset(dz->data + u * d, 0, (size_t)d * sizeof *dz->data);
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++) {
            if (p + AHEAD < last)
                vgae_prefetch_row(zd + g->adj[p + AHEAD] * d, d);
            if (!dz && g->adj[p] < u)
                continue; /* without the gradient, only the edges counted here */
            from[edges] = u;
            to[edges] = g->adj[p];
            x[edges] = (vgae_real)vgae_pair_dot(zd + u * d, zd + to[edges] * d, d);
            counted[edges] = to[edges] > u;
            if (++edges == BATCH) {
                loss += flush_edges(x, counted, edges, scale, from, to, z, dz);
                edges = 0;
            }
        }
    }
    loss += flush_edges(x, counted, edges, scale, from, to, z, dz);
    /* negatives: the pairs with an end in the part, in their order, a batch
     * at a time; the batch's rows are fetched while it fills */
    int64_t batch[BATCH];
    int filled = 0;
    for (int64_t k = 0; k <= n_neg; k++) {
        if (k < n_neg) {
            const int32_t u = neg[2 * k], v = neg[2 * k + 1];
            const int in_u = u >= lo && u < hi, in_v = dz && v >= lo && v < hi;
            if (!in_u && !in_v)
                continue;
            vgae_prefetch_row(zd + u * d, d);
            vgae_prefetch_row(zd + v * d, d);
            if (dz)
                vgae_prefetch_row(dz->data + (in_u ? u : v) * d, d);
            batch[filled++] = k;
            if (filled < BATCH)
                continue;
        }
        for (int i = 0; i < filled; i++) {
            const int32_t u = neg[2 * batch[i]], v = neg[2 * batch[i] + 1];
            x[i] = (vgae_real)vgae_pair_dot(zd + u * d, zd + v * d, d);
            counted[i] = u >= lo && u < hi;
        }
        loss += neg_weight * vgae_kernel_logistic(x, counted, filled, 0, neg_scale);
        for (int i = 0; dz && i < filled; i++) {
            const int32_t u = neg[2 * batch[i]], v = neg[2 * batch[i] + 1];
            if (u >= lo && u < hi)
                vgae_add_scaled(dz->data + u * d, x[i], zd + v * d, d);
            if (v >= lo && v < hi)
                vgae_add_scaled(dz->data + v * d, x[i], zd + u * d, d);
        }
        filled = 0;
    }
    return loss;
}

vgae_status vgae_decoder_sampled(vgae_ctx *ctx, const vgae_graph *pos, const vgae_mat *z,
                                 const int32_t *neg, int64_t n_neg, double grad_scale,
                                 double neg_weight, vgae_mat *dz, double *nll)
{
    const int32_t n = pos->n;
    int parts = n / PART_NODES < MAX_PARTS ? (int)(n / PART_NODES) : MAX_PARTS;
    if (parts < 1)
        parts = 1;
    const int threads = vgae_ctx_threads(ctx);
    double part_loss[MAX_PARTS];
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && parts > 1)
    for (int p = 0; p < parts; p++) {
        const int32_t lo = (int32_t)((int64_t)n * p / parts), hi = (int32_t)((int64_t)n * (p + 1) / parts);
        part_loss[p] = decode_part(pos, z, neg, n_neg, grad_scale, neg_weight, dz, lo, hi);
    }
    double sum = 0.0; /* in part order: the same sum on any thread count */
    for (int p = 0; p < parts; p++)
        sum += part_loss[p];
    if (nll) /* NULL: not wanted (the terms are cheap here, so they are summed anyway) */
        *nll = sum;
    return VGAE_OK;
}
