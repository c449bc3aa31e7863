/* The leak-free edge split: its one memory layout, how it is made, and how it is checked against a graph. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "graph/non_edges.h"
#include "graph/pair_hash.h"
#include "vgae/graph/split.h"

/* ---- the layout: train in one allocation, the held-out sets in one block ---- */

vgae_status vgae_split_alloc(vgae_ctx *ctx, int32_t n, int64_t n_train, int64_t n_val,
                             int64_t n_test, vgae_split **out)
{
    *out = NULL;
    if (n < 0 || n_train < 0 || n_val < 0 || n_test < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "a split of %d nodes with %lld, %lld and %lld pairs", n,
                         (long long)n_train, (long long)n_val, (long long)n_test);
    vgae_split *s = vgae_calloc(ctx, 1, sizeof *s);
    if (!s)
        return VGAE_ENOMEM;
    s->n = n;
    s->n_train = n_train;
    s->n_val = n_val;
    s->n_test = n_test;
    s->train = vgae_alloc(ctx, (size_t)n_train + 1, sizeof *s->train);
    vgae_pair *held = vgae_alloc(ctx, (size_t)(2 * (n_val + n_test)) + 1, sizeof *held);
    if (!s->train || !held) {
        free(held);
        vgae_split_free(s);
        return VGAE_ENOMEM;
    }
    s->val_pos = held;
    s->test_pos = held + n_val;
    s->val_neg = held + n_val + n_test;
    s->test_neg = held + 2 * n_val + n_test;
    *out = s;
    return VGAE_OK;
}

void vgae_split_free(vgae_split *split)
{
    if (!split)
        return;
    free(split->train);
    free(split->val_pos); /* the four held-out arrays are one allocation */
    free(split->val_hard); /* and the two sets of hard negatives another */
    free(split);
}

vgae_status vgae_split_alloc_hard(vgae_ctx *ctx, vgae_split *split, int64_t n_hard)
{
    free(split->val_hard);
    split->val_hard = split->test_hard = NULL;
    split->n_hard = 0;
    if (n_hard <= 0)
        return VGAE_OK;
    vgae_pair *hard = vgae_alloc(ctx, (size_t)((split->n_val + split->n_test) * n_hard) + 1, sizeof *hard);
    if (!hard)
        return VGAE_ENOMEM;
    split->n_hard = n_hard;
    split->val_hard = hard;
    split->test_hard = hard + split->n_val * n_hard;
    return VGAE_OK;
}

vgae_status vgae_split_copy(vgae_ctx *ctx, const vgae_split *split, vgae_split **out)
{
    vgae_status st = vgae_split_alloc(ctx, split->n, split->n_train, split->n_val, split->n_test, out);
    if (st)
        return st;
    vgae_split *s = *out;
    s->n_edges = split->n_edges;
    s->val_frac = split->val_frac;
    s->test_frac = split->test_frac;
    if (vgae_split_alloc_hard(ctx, s, split->n_hard)) {
        vgae_split_free(s);
        *out = NULL;
        return VGAE_ENOMEM;
    }
    for (int k = VGAE_SET_TRAIN; k <= VGAE_SET_TEST_HARD; k++) {
        int64_t count;
        const vgae_pair *from = vgae_split_pairs(split, (vgae_split_set)k, &count);
        if (count > 0) /* an empty set may have no array at all */
            memcpy((vgae_pair *)vgae_split_pairs(s, (vgae_split_set)k, &count), from,
                   (size_t)count * sizeof *from);
    }
    return VGAE_OK;
}

const vgae_pair *vgae_split_pairs(const vgae_split *split, vgae_split_set set, int64_t *count)
{
    switch (set) {
    case VGAE_SET_TRAIN: *count = split->n_train; return split->train;
    case VGAE_SET_VAL_POS: *count = split->n_val; return split->val_pos;
    case VGAE_SET_VAL_NEG: *count = split->n_val; return split->val_neg;
    case VGAE_SET_TEST_POS: *count = split->n_test; return split->test_pos;
    case VGAE_SET_TEST_NEG: *count = split->n_test; return split->test_neg;
    case VGAE_SET_VAL_HARD: *count = split->n_val * split->n_hard; return split->val_hard;
    case VGAE_SET_TEST_HARD: *count = split->n_test * split->n_hard; return split->test_hard;
    }
    *count = 0;
    return NULL;
}

const char *vgae_split_set_name(vgae_split_set set)
{
    switch (set) {
    case VGAE_SET_TRAIN: return "train";
    case VGAE_SET_VAL_POS:
    case VGAE_SET_VAL_NEG: return "val";
    case VGAE_SET_TEST_POS:
    case VGAE_SET_TEST_NEG: return "test";
    case VGAE_SET_VAL_HARD: return "val_hard";
    case VGAE_SET_TEST_HARD: return "test_hard";
    }
    return "unknown";
}

int vgae_split_set_positive(vgae_split_set set)
{
    return set == VGAE_SET_TRAIN || set == VGAE_SET_VAL_POS || set == VGAE_SET_TEST_POS;
}

/* ---- making a split ---- */

/* A set of unordered pairs (open addressing, linear probing). */
typedef struct {
    uint64_t *slots; /* 0 = empty, else vgae_pair_key(u, v) */
    uint64_t mask;
} pair_set;

/* A set with room for `count` pairs at a load of at most one half. */
static vgae_status pair_set_init(vgae_ctx *ctx, pair_set *s, uint64_t count)
{
    uint64_t slots = 16;
    while (slots < 2 * count + 16)
        slots *= 2;
    s->slots = vgae_calloc(ctx, slots, sizeof *s->slots);
    s->mask = slots - 1;
    return s->slots ? VGAE_OK : VGAE_ENOMEM;
}

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

    vgae_split *s = NULL;
    int64_t *order = vgae_alloc(ctx, (size_t)edges, sizeof *order);
    vgae_pair *all = vgae_alloc(ctx, (size_t)edges, sizeof *all);
    pair_set taken = {0};
    vgae_status st = order && all ? VGAE_OK : VGAE_ENOMEM;
    if (!st)
        st = pair_set_init(ctx, &taken, (uint64_t)(n_val + n_test));
    if (!st)
        st = vgae_split_alloc(ctx, g->n, n_train, n_val, n_test, &s);
    if (st)
        goto done;
    s->n_edges = edges;
    s->val_frac = val_frac;
    s->test_frac = test_frac;
    /* the edges in the graph's own order (u < v), then shuffled */
    int64_t e = 0;
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
            if (g->adj[p] > u)
                all[e++] = (vgae_pair){u, g->adj[p]};
    vgae_rng *rng = vgae_ctx_rng(ctx, VGAE_STREAM_SPLIT);
    vgae_rng_permutation(rng, order, edges);
    for (int64_t k = 0; k < edges; k++) {
        vgae_pair p = all[order[k]];
        if (k < n_val)
            s->val_pos[k] = p;
        else if (k < n_val + n_test)
            s->test_pos[k - n_val] = p;
        else
            s->train[k - n_val - n_test] = p;
    }
    /* test negatives first, as the reference draws them */
    draw_negatives(g, rng, &taken, s->test_neg, n_test);
    draw_negatives(g, rng, &taken, s->val_neg, n_val);
done:
    free(order);
    free(all);
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

/* ---- checking a split against a graph ---- */

const char *vgae_split_pair_problem(const vgae_graph *g, int32_t u, int32_t v, int positive)
{
    if (u == v)
        return "is a self-pair";
    const int edge = vgae_graph_has_edge(g, u, v);
    if (positive && !edge)
        return "is not an edge of the graph";
    if (!positive && edge)
        return "is an edge of the graph";
    return NULL;
}

static vgae_status bad_pair(vgae_ctx *ctx, vgae_split_set set, int64_t index, vgae_pair p,
                            const char *why, vgae_split_set *where, int64_t *at)
{
    if (where)
        *where = set;
    if (at)
        *at = index;
    return vgae_fail(ctx, VGAE_EINVAL, "the split's %s %s (%d, %d) %s", vgae_split_set_name(set),
                     set == VGAE_SET_TRAIN || set >= VGAE_SET_VAL_HARD ? "pair"
                     : vgae_split_set_positive(set) ? "positive" : "negative",
                     p.u, p.v, why);
}

/* Each positive's hard negatives: nodes of g, u < v, not an edge of g (so
 * no positive of the split), no repeat in one positive's list. */
static vgae_status check_hard(vgae_ctx *ctx, const vgae_split *split, const vgae_graph *g,
                              vgae_split_set *where, int64_t *at)
{
    const int64_t k = split->n_hard;
    pair_set mine = {0};
    vgae_status st = k > 0 ? pair_set_init(ctx, &mine, (uint64_t)k) : VGAE_OK;
    for (int set = VGAE_SET_VAL_HARD; !st && k > 0 && set <= VGAE_SET_TEST_HARD; set++) {
        int64_t count;
        const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)set, &count);
        for (int64_t i = 0; !st && i < count; i++) {
            if (i % k == 0)
                memset(mine.slots, 0, (mine.mask + 1) * sizeof *mine.slots);
            const char *why = NULL;
            if (p[i].u < 0 || p[i].v >= g->n || p[i].u >= p[i].v)
                why = "is not a pair u < v of the graph's nodes";
            else if ((why = vgae_split_pair_problem(g, p[i].u, p[i].v, 0)) == NULL &&
                     !pair_set_add(&mine, vgae_pair_key(p[i].u, p[i].v)))
                why = "appears twice among one positive's hard negatives";
            if (why)
                st = bad_pair(ctx, (vgae_split_set)set, i, p[i], why, where, at);
        }
    }
    free(mine.slots);
    return st;
}

vgae_status vgae_split_check(vgae_ctx *ctx, const vgae_split *split, const vgae_graph *g,
                             vgae_split_set *where, int64_t *at)
{
    if (split->n != g->n)
        return vgae_fail(ctx, VGAE_EINVAL, "the split is of a graph of %d nodes, not %d", split->n,
                         g->n);
    if (split->n_train < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "the split has no train pairs");
    pair_set seen = {0};
    vgae_status st = pair_set_init(ctx, &seen, (uint64_t)(split->n_train + 2 * (split->n_val + split->n_test)));
    for (int k = VGAE_SET_TRAIN; !st && k <= VGAE_SET_TEST_NEG; k++) {
        int64_t count;
        const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)k, &count);
        for (int64_t i = 0; !st && i < count; i++) {
            const char *why = NULL;
            if (p[i].u < 0 || p[i].v >= g->n || p[i].u >= p[i].v)
                why = "is not a pair u < v of the graph's nodes";
            else if (!(why = vgae_split_pair_problem(g, p[i].u, p[i].v, vgae_split_set_positive((vgae_split_set)k))) &&
                     !pair_set_add(&seen, vgae_pair_key(p[i].u, p[i].v)))
                why = "appears twice in the split";
            if (why)
                st = bad_pair(ctx, (vgae_split_set)k, i, p[i], why, where, at);
        }
    }
    if (!st)
        st = check_hard(ctx, split, g, where, at);
    free(seen.slots);
    return st;
}

uint32_t vgae_split_checksum(const vgae_split *split)
{
    vgae_crc c;
    vgae_crc_start(&c);
    vgae_crc_le(&c, (uint64_t)split->n_train, 8);
    vgae_crc_le(&c, (uint64_t)split->n_val, 8);
    vgae_crc_le(&c, (uint64_t)split->n_test, 8);
    for (int k = VGAE_SET_TRAIN; k <= VGAE_SET_TEST_NEG; k++) {
        int64_t count;
        const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)k, &count);
        for (int64_t i = 0; i < count; i++) {
            vgae_crc_le(&c, (uint32_t)p[i].u, 4);
            vgae_crc_le(&c, (uint32_t)p[i].v, 4);
        }
    }
    return vgae_crc_end(&c);
}
