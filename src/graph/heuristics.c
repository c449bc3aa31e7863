/* Classical link scores: neighbourhood overlaps from the two adjacency lists, Katz and personalized PageRank from one vector per node. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/internal.h"
#include "graph/vectors.h"
#include "vgae/graph/heuristics.h"

static const char *const names[VGAE_HEURISTIC_COUNT] = {"cn", "jaccard", "aa", "ra", "pa", "katz", "ppr"};
static const char *const titles[VGAE_HEURISTIC_COUNT] = {
    "common neighbours", "Jaccard", "Adamic-Adar", "resource allocation",
    "preferential attachment", "Katz", "personalized PageRank"};

vgae_heuristic_options vgae_heuristic_defaults(void)
{
    vgae_heuristic_options o = {.katz_beta = 0.005, .katz_length = 3, .ppr_alpha = 0.15,
                                .ppr_epsilon = 1e-5};
    return o;
}

const char *vgae_heuristic_name(vgae_heuristic h)
{
    return (unsigned)h < VGAE_HEURISTIC_COUNT ? names[h] : "unknown";
}

const char *vgae_heuristic_title(vgae_heuristic h)
{
    return (unsigned)h < VGAE_HEURISTIC_COUNT ? titles[h] : "unknown";
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

/* Katz from u: w->c receives sum_l beta^l (A^l e_u); a and b hold the walks. */
static void katz_vector(const vgae_graph *g, int32_t u, const vgae_heuristic_options *o, vgae_workspace *w)
{
    vgae_acc *cur = &w->a, *next = &w->b;
    vgae_acc_add(cur, u, 1.0);
    double weight = 1.0;
    for (int l = 1; l <= o->katz_length; l++) {
        weight *= o->katz_beta;
        for (int64_t k = 0; k < cur->n_touched; k++) {
            const int32_t x = cur->touched[k];
            const double walks = cur->x[x];
            for (int64_t p = g->rowptr[x]; p < g->rowptr[x + 1]; p++)
                vgae_acc_add(next, g->adj[p], walks);
        }
        for (int64_t k = 0; k < next->n_touched; k++)
            vgae_acc_add(&w->c, next->touched[k], weight * next->x[next->touched[k]]);
        vgae_acc_clear(cur);
        vgae_acc *t = cur;
        cur = next;
        next = t;
    }
    vgae_acc_clear(cur);
}

void vgae_ppr_vector(const vgae_graph *g, int32_t u, double alpha, double epsilon, vgae_workspace *w)
{
    vgae_acc *p = &w->c, *r = &w->a;
    if (degree(g, u) == 0) {
        vgae_acc_add(p, u, 1.0); /* a walk from an isolated node never leaves it */
        return;
    }
    int64_t head = 0, tail = 0;
    const int64_t n = g->n;
    vgae_acc_add(r, u, 1.0);
    w->queue[tail++ % n] = u;
    w->queued[u] = 1;
    while (head != tail) {
        const int32_t x = w->queue[head++ % n];
        w->queued[x] = 0;
        const double rx = r->x[x];
        const int64_t dx = degree(g, x);
        if (dx == 0 || rx < epsilon * (double)dx)
            continue;
        vgae_acc_add(p, x, alpha * rx);
        r->x[x] = 0.0;
        const double share = (1 - alpha) * rx / (double)dx;
        for (int64_t k = g->rowptr[x]; k < g->rowptr[x + 1]; k++) {
            const int32_t y = g->adj[k];
            vgae_acc_add(r, y, share);
            if (!w->queued[y] && r->x[y] >= epsilon * (double)degree(g, y)) {
                w->queued[y] = 1;
                w->queue[tail++ % n] = y;
            }
        }
    }
    vgae_acc_clear(r);
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

/* Katz and PPR from one end of each pair: Katz's walk counts are
 * symmetric, and PPR on an undirected graph is reversible, d(u) pi_u(v) =
 * d(v) pi_v(u), so pi_u(v) + pi_v(u) = pi_s(t) (1 + d(s) / d(t)) for either
 * end s. The end is the one more of the pairs share (the smaller id on a
 * tie), so that few vectors serve many pairs (a positive's hard negatives
 * all share it); one vector per distinct source, shared by the threads. */
static vgae_status vector_scores(vgae_ctx *ctx, const vgae_graph *g, vgae_heuristic h,
                                 const vgae_heuristic_options *o, const vgae_pair *pairs,
                                 int64_t n, double *scores)
{
    source_item *items = vgae_alloc(ctx, (size_t)n + 1, sizeof *items);
    int64_t *starts = vgae_alloc(ctx, (size_t)n + 2, sizeof *starts);
    int64_t *uses = vgae_calloc(ctx, (size_t)g->n + 1, sizeof *uses);
    if (!items || !starts || !uses) {
        free(items);
        free(starts);
        free(uses);
        return VGAE_ENOMEM;
    }
    for (int64_t k = 0; k < n; k++) {
        uses[pairs[k].u]++;
        uses[pairs[k].v]++;
    }
    for (int64_t k = 0; k < n; k++) {
        const int32_t u = pairs[k].u, v = pairs[k].v;
        const int from_v = uses[v] > uses[u] || (uses[v] == uses[u] && v < u);
        items[k] = (source_item){from_v ? v : u, 2 * k + from_v};
    }
    free(uses);
    qsort(items, (size_t)n, sizeof *items, by_node);
    int64_t groups = 0;
    for (int64_t k = 0; k < n; k++)
        if (k == 0 || items[k].node != items[k - 1].node)
            starts[groups++] = k;
    starts[groups] = n;
    const int threads = vgae_ctx_threads(ctx);
    int failed = 0;
#pragma omp parallel num_threads(threads) if (threads > 1 && groups > 1)
    {
        vgae_workspace w;
        int ok = vgae_workspace_init(&w, g->n);
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
                vgae_ppr_vector(g, src, o->ppr_alpha, o->ppr_epsilon, &w);
            for (int64_t k = starts[q]; k < starts[q + 1]; k++) {
                const int64_t pair = items[k].slot / 2;
                const int32_t other = items[k].slot % 2 ? pairs[pair].u : pairs[pair].v;
                double x = w.c.x[other];
                if (h == VGAE_HEURISTIC_PPR && degree(g, other) > 0)
                    x *= 1.0 + (double)degree(g, src) / (double)degree(g, other);
                scores[pair] = x;
            }
            vgae_acc_clear(&w.c);
        }
        vgae_workspace_free(&w);
    }
    free(items);
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
