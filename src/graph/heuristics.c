/* Classical link scores: neighbourhood overlaps from the two adjacency lists, Katz and personalized PageRank from one vector per node. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/internal.h"
#include "vgae/graph/heuristics.h"

static const char *const names[VGAE_HEURISTIC_COUNT] = {"cn", "jaccard", "aa", "ra", "pa", "katz", "ppr"};

vgae_heuristic_options vgae_heuristic_defaults(void)
{
    vgae_heuristic_options o = {.katz_beta = 0.005, .katz_length = 3, .ppr_alpha = 0.15,
                                .ppr_epsilon = 1e-6};
    return o;
}

const char *vgae_heuristic_name(vgae_heuristic h)
{
    return (unsigned)h < VGAE_HEURISTIC_COUNT ? names[h] : "unknown";
}

vgae_status vgae_heuristic_from_name(vgae_ctx *ctx, const char *name, vgae_heuristic *out)
{
    for (int h = 0; h < VGAE_HEURISTIC_COUNT; h++)
        if (strcmp(name, names[h]) == 0) {
            *out = (vgae_heuristic)h;
            return VGAE_OK;
        }
    return vgae_fail(ctx, VGAE_EINVAL, "unknown heuristic '%s' (expected cn, jaccard, aa, ra, pa, "
                     "katz or ppr)", name);
}

static int64_t degree(const vgae_graph *g, int32_t v)
{
    return g->rowptr[v + 1] - g->rowptr[v];
}

/* The scores that need only the two neighbour lists: one merge of the sorted lists. */
static double local_score(const vgae_graph *g, vgae_heuristic h, int32_t u, int32_t v)
{
    const int64_t du = degree(g, u), dv = degree(g, v);
    if (h == VGAE_HEURISTIC_PA)
        return (double)du * (double)dv;
    const int32_t *a = g->adj + g->rowptr[u], *b = g->adj + g->rowptr[v];
    int64_t i = 0, j = 0, common = 0;
    double sum = 0.0;
    while (i < du && j < dv) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            const double dw = (double)degree(g, a[i]); /* >= 2: w touches u and v */
            common++;
            sum += h == VGAE_HEURISTIC_AA ? 1.0 / log(dw) : 1.0 / dw;
            i++;
            j++;
        }
    }
    switch (h) {
    case VGAE_HEURISTIC_CN: return (double)common;
    case VGAE_HEURISTIC_JACCARD: return du + dv - common ? (double)common / (double)(du + dv - common) : 0.0;
    default: return sum; /* AA, RA */
    }
}

/* A dense vector over the nodes that remembers which entries it touched,
 * so that clearing it costs what was used. */
typedef struct {
    double *x;
    int32_t *touched;
    unsigned char *in; /* 1 for the entries in touched */
    int64_t n_touched;
} sparse_acc;

static void acc_add(sparse_acc *a, int32_t i, double v)
{
    if (!a->in[i]) {
        a->in[i] = 1;
        a->touched[a->n_touched++] = i;
    }
    a->x[i] += v;
}

static void acc_clear(sparse_acc *a)
{
    for (int64_t k = 0; k < a->n_touched; k++) {
        a->x[a->touched[k]] = 0.0;
        a->in[a->touched[k]] = 0;
    }
    a->n_touched = 0;
}

/* Per-thread work space: three accumulators and a queue. */
typedef struct {
    sparse_acc a, b, c;
    int32_t *queue;
    unsigned char *queued;
} workspace;

static int acc_init(sparse_acc *a, int32_t n)
{
    a->x = calloc((size_t)n + 1, sizeof *a->x);
    a->touched = malloc(((size_t)n + 1) * sizeof *a->touched);
    a->in = calloc((size_t)n + 1, 1);
    a->n_touched = 0;
    return a->x && a->touched && a->in;
}

static void acc_free(sparse_acc *a)
{
    free(a->x);
    free(a->touched);
    free(a->in);
}

static int workspace_init(workspace *w, int32_t n)
{
    *w = (workspace){0};
    int ok = acc_init(&w->a, n) & acc_init(&w->b, n) & acc_init(&w->c, n);
    w->queue = malloc(((size_t)n + 1) * sizeof(int32_t));
    w->queued = calloc((size_t)n + 1, 1);
    return ok && w->queue && w->queued;
}

static void workspace_free(workspace *w)
{
    acc_free(&w->a);
    acc_free(&w->b);
    acc_free(&w->c);
    free(w->queue);
    free(w->queued);
}

/* Katz from u: w->c receives sum_l beta^l (A^l e_u); a and b hold the walks. */
static void katz_vector(const vgae_graph *g, int32_t u, const vgae_heuristic_options *o, workspace *w)
{
    sparse_acc *cur = &w->a, *next = &w->b;
    acc_add(cur, u, 1.0);
    double weight = 1.0;
    for (int l = 1; l <= o->katz_length; l++) {
        weight *= o->katz_beta;
        for (int64_t k = 0; k < cur->n_touched; k++) {
            const int32_t x = cur->touched[k];
            const double walks = cur->x[x];
            for (int64_t p = g->rowptr[x]; p < g->rowptr[x + 1]; p++)
                acc_add(next, g->adj[p], walks);
        }
        for (int64_t k = 0; k < next->n_touched; k++)
            acc_add(&w->c, next->touched[k], weight * next->x[next->touched[k]]);
        acc_clear(cur);
        sparse_acc *t = cur;
        cur = next;
        next = t;
    }
    acc_clear(cur);
}

/* Personalized PageRank from u by push: w->c receives the estimate p, w->a
 * the residual. A node is pushed while its residual is at least epsilon
 * times its degree; the queue is first in, first out, so the result is
 * fixed by the graph and u. */
static void ppr_vector(const vgae_graph *g, int32_t u, const vgae_heuristic_options *o, workspace *w)
{
    sparse_acc *p = &w->c, *r = &w->a;
    if (degree(g, u) == 0) {
        acc_add(p, u, 1.0); /* a walk from an isolated node never leaves it */
        return;
    }
    int64_t head = 0, tail = 0;
    const int64_t n = g->n;
    acc_add(r, u, 1.0);
    w->queue[tail++ % n] = u;
    w->queued[u] = 1;
    while (head != tail) {
        const int32_t x = w->queue[head++ % n];
        w->queued[x] = 0;
        const double rx = r->x[x];
        const int64_t dx = degree(g, x);
        if (dx == 0 || rx < o->ppr_epsilon * (double)dx)
            continue;
        acc_add(p, x, o->ppr_alpha * rx);
        r->x[x] = 0.0;
        const double share = (1 - o->ppr_alpha) * rx / (double)dx;
        for (int64_t k = g->rowptr[x]; k < g->rowptr[x + 1]; k++) {
            const int32_t y = g->adj[k];
            acc_add(r, y, share);
            if (!w->queued[y] && r->x[y] >= o->ppr_epsilon * (double)degree(g, y)) {
                w->queued[y] = 1;
                w->queue[tail++ % n] = y;
            }
        }
    }
    acc_clear(r);
}

typedef struct {
    int32_t node;
    int64_t slot; /* 2 * pair + side: where the vector's value at the other end goes */
} source_item;

static int by_node(const void *pa, const void *pb)
{
    const source_item *a = pa, *b = pb;
    if (a->node != b->node)
        return (a->node > b->node) - (a->node < b->node);
    return (a->slot > b->slot) - (a->slot < b->slot);
}

/* Katz (from u only: walk counts are symmetric) or PPR (from both ends):
 * one vector per distinct source node, shared by the threads. */
static vgae_status vector_scores(vgae_ctx *ctx, const vgae_graph *g, vgae_heuristic h,
                                 const vgae_heuristic_options *o, const vgae_pair *pairs,
                                 int64_t n, double *scores)
{
    const int sides = h == VGAE_HEURISTIC_PPR ? 2 : 1;
    source_item *items = vgae_alloc(ctx, (size_t)(sides * n) + 1, sizeof *items);
    double *parts = vgae_calloc(ctx, (size_t)(2 * n) + 1, sizeof *parts);
    int64_t *starts = vgae_alloc(ctx, (size_t)(sides * n) + 2, sizeof *starts);
    if (!items || !parts || !starts) {
        free(items);
        free(parts);
        free(starts);
        return VGAE_ENOMEM;
    }
    for (int64_t k = 0; k < n; k++)
        for (int s = 0; s < sides; s++)
            items[sides * k + s] = (source_item){s ? pairs[k].v : pairs[k].u, 2 * k + s};
    qsort(items, (size_t)(sides * n), sizeof *items, by_node);
    int64_t groups = 0;
    for (int64_t k = 0; k < sides * n; k++)
        if (k == 0 || items[k].node != items[k - 1].node)
            starts[groups++] = k;
    starts[groups] = sides * n;
    const int threads = vgae_ctx_threads(ctx);
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1 && groups > 1)
    {
        workspace w;
        int ok = workspace_init(&w, g->n);
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 16)
        for (int64_t q = 0; q < groups; q++) {
            if (!ok)
                continue;
            const int32_t src = items[starts[q]].node;
            if (h == VGAE_HEURISTIC_KATZ)
                katz_vector(g, src, o, &w);
            else
                ppr_vector(g, src, o, &w);
            for (int64_t k = starts[q]; k < starts[q + 1]; k++) {
                const int64_t pair = items[k].slot / 2;
                const int32_t other = items[k].slot % 2 ? pairs[pair].u : pairs[pair].v;
                parts[items[k].slot] = w.c.x[other];
            }
            acc_clear(&w.c);
        }
        workspace_free(&w);
    }
    if (!failed)
        for (int64_t k = 0; k < n; k++)
            scores[k] = parts[2 * k] + parts[2 * k + 1];
    free(items);
    free(parts);
    free(starts);
    return failed ? vgae_fail(ctx, VGAE_ENOMEM, "out of memory for the %s vectors", names[h])
                  : VGAE_OK;
}

vgae_status vgae_heuristic_score(vgae_ctx *ctx, const vgae_graph *g, vgae_heuristic h,
                                 const vgae_heuristic_options *options, const vgae_pair *pairs,
                                 int64_t n, double *scores)
{
    const vgae_heuristic_options o = options ? *options : vgae_heuristic_defaults();
    if ((unsigned)h >= VGAE_HEURISTIC_COUNT)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown heuristic %d", (int)h);
    if (!(o.katz_beta > 0 && o.katz_beta < 1) || o.katz_length < 1 || o.katz_length > 10 ||
        !(o.ppr_alpha > 0 && o.ppr_alpha < 1) || !(o.ppr_epsilon > 0 && o.ppr_epsilon < 1))
        return vgae_fail(ctx, VGAE_EINVAL, "heuristic options: Katz beta in (0, 1) and length "
                         "1..10, PPR alpha and epsilon in (0, 1)");
    for (int64_t k = 0; k < n; k++)
        if (pairs[k].u < 0 || pairs[k].u >= g->n || pairs[k].v < 0 || pairs[k].v >= g->n)
            return vgae_fail(ctx, VGAE_EINVAL, "pair %lld (%d, %d) is not of the graph's %d nodes",
                             (long long)k, pairs[k].u, pairs[k].v, g->n);
    if (h == VGAE_HEURISTIC_KATZ || h == VGAE_HEURISTIC_PPR)
        return vector_scores(ctx, g, h, &o, pairs, n, scores);
    const int threads = vgae_ctx_threads(ctx);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n > 4096)
    for (int64_t k = 0; k < n; k++)
        scores[k] = local_score(g, h, pairs[k].u, pairs[k].v);
    return VGAE_OK;
}
