/* Hard negatives in the manner of HeaRT: per held-out positive, the non-edges its ends rank highest by resource allocation and personalized PageRank. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "graph/pair_hash.h"
#include "graph/vectors.h"
#include "vgae/graph/split.h"

/* Personalized PageRank of the candidates: restart 0.15, push to 1e-4 per
 * degree (coarser than the PPR baseline's: only the order of the nearest
 * few hundred nodes matters here). */
#define HARD_PPR_ALPHA 0.15
#define HARD_PPR_EPSILON 1e-4

/* The positives of the split: no hard negative may be one. */
typedef struct {
    uint64_t *slots;
    uint64_t mask;
} positives;

static int has(const positives *s, int32_t a, int32_t b)
{
    const uint64_t key = a < b ? vgae_pair_key(a, b) : vgae_pair_key(b, a);
    for (uint64_t h = vgae_pair_mix(key) & s->mask;; h = (h + 1) & s->mask) {
        if (s->slots[h] == key)
            return 1;
        if (s->slots[h] == 0)
            return 0;
    }
}

static void add(positives *s, vgae_pair p)
{
    const uint64_t key = vgae_pair_key(p.u, p.v);
    uint64_t h = vgae_pair_mix(key) & s->mask;
    while (s->slots[h] != 0 && s->slots[h] != key)
        h = (h + 1) & s->mask;
    s->slots[h] = key;
}

typedef struct {
    int32_t node;
    double ra, ppr;
    int64_t score; /* the sum of the two ranks: lower is harder */
    uint32_t key;  /* breaks ties */
} candidate;

static int by_ra(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    return (a->ra < b->ra) - (a->ra > b->ra);
}

static int by_ppr(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    return (a->ppr < b->ppr) - (a->ppr > b->ppr);
}

static int by_score(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    if (a->score != b->score)
        return (a->score > b->score) - (a->score < b->score);
    if (a->key != b->key)
        return (a->key > b->key) - (a->key < b->key);
    return (a->node > b->node) - (a->node < b->node);
}

/* Adds each candidate's rank under the order just sorted (ties share the
 * rank of the first of them: the number of candidates strictly ahead). */
static void add_ranks(candidate *c, int64_t n, int ppr)
{
    int64_t rank = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && (ppr ? c[i].ppr != c[i - 1].ppr : c[i].ra != c[i - 1].ra))
            rank = i;
        c[i].score += rank;
    }
}

/* The want hardest negatives (a, w) for the end a of a positive whose other
 * end is b, into out (canonical pairs); 0, or -1 if a has too few non-edges. */
static int one_side(const vgae_graph *t, const positives *pos, int32_t a, int32_t b, int64_t want,
                    vgae_rng *rng, vgae_workspace *w, candidate *cand, vgae_pair *out)
{
    /* resource allocation from a, into w->b; PPR from a, into w->c */
    for (int64_t p = t->rowptr[a]; p < t->rowptr[a + 1]; p++) {
        const int32_t x = t->adj[p];
        const double share = 1.0 / (double)(t->rowptr[x + 1] - t->rowptr[x]);
        for (int64_t q = t->rowptr[x]; q < t->rowptr[x + 1]; q++)
            vgae_acc_add(&w->b, t->adj[q], share);
    }
    vgae_ppr_vector(t, a, HARD_PPR_ALPHA, HARD_PPR_EPSILON, w);
    /* the candidates: every node either reaches, once (PPR's set, then RA's
     * nodes PPR missed), but a itself, b, and the positives of a */
    int64_t n = 0;
    for (int s = 0; s < 2; s++) {
        const vgae_acc *from = s ? &w->b : &w->c;
        for (int64_t k = 0; k < from->n_touched; k++) {
            const int32_t x = from->touched[k];
            if (x == a || x == b || (s && w->c.in[x]) || has(pos, a, x))
                continue;
            cand[n++] = (candidate){x, w->b.x[x], w->c.x[x], 0, vgae_rng_u32(rng)};
        }
    }
    vgae_acc_clear(&w->b);
    vgae_acc_clear(&w->c);
    qsort(cand, (size_t)n, sizeof *cand, by_ra);
    add_ranks(cand, n, 0);
    qsort(cand, (size_t)n, sizeof *cand, by_ppr);
    add_ranks(cand, n, 1);
    qsort(cand, (size_t)n, sizeof *cand, by_score);
    int64_t got = n < want ? n : want;
    for (int64_t k = 0; k < got; k++) {
        const int32_t x = cand[k].node;
        out[k] = (vgae_pair){a < x ? a : x, a < x ? x : a};
        w->a.in[x] = 1; /* chosen (a's residual is clear: a free marker) */
    }
    /* too few within reach: uniform non-edges of a fill the rest. Finding
     * them takes about n ln(want) tries; the cap is far above that, and is
     * reached only when a has fewer non-edges left than are wanted. */
    const int64_t cap = 64 * (int64_t)t->n + 1024 * want;
    for (int64_t tries = 0; got < want && tries < cap; tries++) {
        const int32_t x = (int32_t)vgae_rng_below(rng, (uint64_t)t->n);
        if (x == a || x == b || w->a.in[x] || has(pos, a, x))
            continue;
        out[got++] = (vgae_pair){a < x ? a : x, a < x ? x : a};
        w->a.in[x] = 1;
    }
    for (int64_t k = 0; k < got; k++)
        w->a.in[out[k].u == a ? out[k].v : out[k].u] = 0;
    return got < want ? -1 : 0;
}

vgae_status vgae_split_add_hard_negatives(vgae_ctx *ctx, vgae_split *split, int64_t k)
{
    if (k < 2 || k > 100000)
        return vgae_fail(ctx, VGAE_EINVAL, "%lld hard negatives per positive (2..100000)", (long long)k);
    vgae_graph *t = NULL;
    positives pos = {0};
    uint64_t slots = 16;
    const int64_t n_pos = split->n_train + split->n_val + split->n_test;
    while (slots < 2 * (uint64_t)n_pos + 16)
        slots *= 2;
    pos.slots = vgae_calloc(ctx, slots, sizeof *pos.slots);
    pos.mask = slots - 1;
    vgae_status st = pos.slots ? vgae_split_train_graph(ctx, split, &t) : VGAE_ENOMEM;
    if (!st)
        st = vgae_split_alloc_hard(ctx, split, k);
    if (st) {
        free(pos.slots);
        vgae_graph_free(t);
        return st;
    }
    for (int set = VGAE_SET_TRAIN; set <= VGAE_SET_TEST_POS; set += 1 + (set == VGAE_SET_VAL_POS)) {
        int64_t count;
        const vgae_pair *p = vgae_split_pairs(split, (vgae_split_set)set, &count);
        for (int64_t i = 0; i < count; i++)
            add(&pos, p[i]);
    }
    /* one draw from the stream keys every positive's sub-stream */
    const uint64_t key = vgae_rng_u64(vgae_ctx_rng(ctx, VGAE_STREAM_HARD));
    const int64_t held = split->n_val + split->n_test, head = (k + 1) / 2;
    const int threads = vgae_ctx_threads(ctx);
    int64_t bad = -1;
    int no_memory = 0;
#pragma omp parallel num_threads(threads) if (threads > 1 && held > 1)
    {
        vgae_workspace w;
        candidate *cand = malloc(((size_t)t->n + 1) * sizeof *cand);
        const int ok = vgae_workspace_init(&w, t->n) && cand;
        if (!ok) {
#pragma omp atomic write
            no_memory = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (int64_t i = 0; i < held; i++) {
            if (!ok)
                continue;
            const vgae_pair p = i < split->n_val ? split->val_pos[i] : split->test_pos[i - split->n_val];
            vgae_pair *out = split->val_hard + i * k; /* test_hard follows val_hard */
            vgae_rng rng;
            vgae_rng_init(&rng, key, VGAE_STREAM_HARD);
            vgae_rng_substream(&rng, (uint32_t)i);
            if (one_side(t, &pos, p.u, p.v, head, &rng, &w, cand, out) ||
                one_side(t, &pos, p.v, p.u, k - head, &rng, &w, cand, out + head)) {
#pragma omp critical(vgae_hard_failed)
                if (bad < 0 || i < bad)
                    bad = i;
            }
        }
        vgae_workspace_free(&w);
        free(cand);
    }
    free(pos.slots);
    vgae_graph_free(t);
    if (no_memory || bad >= 0) {
        vgae_split_alloc_hard(ctx, split, 0);
        if (no_memory)
            return vgae_fail(ctx, VGAE_ENOMEM, "out of memory for the hard negatives");
        const vgae_pair p = bad < split->n_val ? split->val_pos[bad] : split->test_pos[bad - split->n_val];
        return vgae_fail(ctx, VGAE_EINVAL, "the graph is too small for %lld hard negatives per "
                         "positive: the positive (%d, %d) has too few non-edges", (long long)k,
                         p.u, p.v);
    }
    return VGAE_OK;
}
