/* The leak-free edge split: shuffled held-out edges and uniformly drawn non-edges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "graph/adjacency.h"
#include "graph/non_edges.h"
#include "graph/pair_hash.h"
#include "vgae/context.h"
#include "vgae/split.h"

int vgae_graph_has_edge(const vgae_graph *g, int32_t u, int32_t v)
{
    if (g->rowptr[u + 1] - g->rowptr[u] > g->rowptr[v + 1] - g->rowptr[v]) {
        int32_t t = u;
        u = v;
        v = t;
    }
    const int64_t end = g->rowptr[u + 1], p = vgae_adj_lower_bound(g->adj, g->rowptr[u], end, v);
    return p < end && g->adj[p] == v;
}

/* A set of unordered pairs (open addressing, linear probing). */
typedef struct {
    uint64_t *slots; /* 0 = empty, else ((u << 32) | v) + 1 with u < v */
    uint64_t mask;
} pair_set;


/* Inserts the pair; returns 0 if it was already there. */
static int pair_set_add(pair_set *s, uint64_t key)
{
    for (uint64_t h = vgae_pair_mix(key) & s->mask;; h = (h + 1) & s->mask) {
        if (s->slots[h] == key)
            return 0;
        if (s->slots[h] == 0) {
            s->slots[h] = key;
            return 1;
        }
    }
}

/* floor(E * frac), robust to 0.1 * 10k landing a hair below k. */
static int64_t held_out_count(int64_t edges, double frac)
{
    return (int64_t)floor((double)edges * frac + 1e-9);
}

/* Draws count pairs that are not edges of g and not yet in `taken`. A
 * batch never asks for more candidates than pairs are still missing, so the
 * stream is used as by drawing one candidate at a time. */
static void draw_negatives(const vgae_graph *g, vgae_rng *rng, pair_set *taken, vgae_pair *out,
                           int64_t count)
{
    int32_t a[VGAE_NON_EDGE_BATCH], b[VGAE_NON_EDGE_BATCH];
    for (int64_t k = 0; k < count;) {
        int want = count - k < VGAE_NON_EDGE_BATCH ? (int)(count - k) : VGAE_NON_EDGE_BATCH;
        int got = vgae_non_edge_batch(g, rng, want, a, b);
        for (int i = 0; i < got; i++) {
            int32_t u = a[i] < b[i] ? a[i] : b[i], v = a[i] < b[i] ? b[i] : a[i];
            if (pair_set_add(taken, vgae_pair_key(u, v)))
                out[k++] = (vgae_pair){u, v};
        }
    }
}

vgae_status vgae_split_make(vgae_ctx *ctx, const vgae_graph *g, double val_frac, double test_frac,
                            vgae_split **out)
{
    *out = NULL;
    if (!(val_frac >= 0 && val_frac < 1) || !(test_frac >= 0 && test_frac < 1) ||
        !(val_frac + test_frac < 1))
        return vgae_fail(ctx, VGAE_EINVAL,
                         "split fractions must be in [0, 1) and sum to less than 1 "
                         "(validation %g, test %g)", val_frac, test_frac);
    const int64_t edges = g->n_edges;
    const int64_t n_val = held_out_count(edges, val_frac), n_test = held_out_count(edges, test_frac);
    const int64_t n_train = edges - n_val - n_test;
    if ((val_frac > 0 && n_val < 1) || (test_frac > 0 && n_test < 1) || n_train < 1)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "the graph has %lld edges, too few to split: %g for validation and %g for "
                         "test leave %lld validation, %lld test and %lld training edges (each "
                         "asked-for set needs at least one)",
                         (long long)edges, val_frac, test_frac, (long long)n_val, (long long)n_test,
                         (long long)n_train);
    const double non_edges = (double)g->n * (g->n - 1) / 2 - (double)edges;
    if ((double)(n_val + n_test) > non_edges)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "the graph has only %.0f non-adjacent pairs, fewer than the %lld negatives "
                         "the split needs", non_edges, (long long)(n_val + n_test));

    vgae_split *s = vgae_calloc(ctx, 1, sizeof *s);
    int64_t *order = vgae_alloc(ctx, (size_t)edges, sizeof *order);
    vgae_pair *all = vgae_alloc(ctx, (size_t)edges, sizeof *all);
    vgae_pair *held = vgae_alloc(ctx, (size_t)(2 * (n_val + n_test)) + 1, sizeof *held);
    pair_set taken = {0};
    uint64_t slots = 16;
    while (slots < 2 * (uint64_t)(n_val + n_test) + 16)
        slots *= 2;
    taken.slots = vgae_calloc(ctx, slots, sizeof *taken.slots);
    taken.mask = slots - 1;
    vgae_status st = VGAE_OK;
    if (!s || !order || !all || !held || !taken.slots) {
        st = VGAE_ENOMEM;
        goto done;
    }
    s->n = g->n;
    s->n_edges = edges;
    s->val_frac = val_frac;
    s->test_frac = test_frac;
    s->n_train = n_train;
    s->n_val = n_val;
    s->n_test = n_test;
    s->train = vgae_alloc(ctx, (size_t)n_train, sizeof *s->train);
    if (!s->train) {
        st = VGAE_ENOMEM;
        goto done;
    }
    /* the edges in the graph's own order (u < v), then shuffled */
    int64_t e = 0;
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
            if (g->adj[p] > u)
                all[e++] = (vgae_pair){u, g->adj[p]};
    vgae_rng *rng = vgae_ctx_rng(ctx, VGAE_STREAM_SPLIT);
    vgae_rng_permutation(rng, order, edges);
    s->val_pos = held;
    s->test_pos = held + n_val;
    s->val_neg = held + n_val + n_test;
    s->test_neg = held + 2 * n_val + n_test;
    for (int64_t k = 0; k < edges; k++) {
        vgae_pair p = all[order[k]];
        if (k < n_val)
            s->val_pos[k] = p;
        else if (k < n_val + n_test)
            s->test_pos[k - n_val] = p;
        else
            s->train[k - n_val - n_test] = p;
    }
    held = NULL; /* owned by s now */
    /* test negatives first, as the reference draws them */
    draw_negatives(g, rng, &taken, s->test_neg, n_test);
    draw_negatives(g, rng, &taken, s->val_neg, n_val);
done:
    free(order);
    free(all);
    free(held);
    free(taken.slots);
    if (st) {
        vgae_split_free(s);
        return st;
    }
    *out = s;
    return VGAE_OK;
}

vgae_status vgae_split_train_graph(vgae_ctx *ctx, const vgae_split *split, vgae_graph **out)
{
    return vgae_graph_from_pairs(ctx, split->n, split->n_train, (const int32_t *)split->train, 0,
                                 out);
}

void vgae_split_free(vgae_split *split)
{
    if (!split)
        return;
    free(split->train);
    free(split->val_pos); /* the four held-out arrays are one allocation */
    free(split);
}
