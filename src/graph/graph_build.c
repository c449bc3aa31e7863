/* Building graphs: cleaning a list of node pairs into a simple undirected graph in CSR form; copies. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/graph/graph.h"

void vgae_graph_free(vgae_graph *g)
{
    if (!g)
        return;
    if (g->names) {
        for (int32_t i = 0; i < g->n; i++)
            free(g->names[i]);
        free(g->names);
    }
    free(g->rowptr);
    free(g->adj);
    free(g);
}

vgae_status vgae_graph_copy(vgae_ctx *ctx, const vgae_graph *g, vgae_graph **out)
{
    *out = NULL;
    vgae_graph *c = vgae_calloc(ctx, 1, sizeof *c);
    if (!c)
        return VGAE_ENOMEM;
    *c = (vgae_graph){.n = g->n, .n_edges = g->n_edges, .report = g->report};
    c->rowptr = vgae_alloc(ctx, (size_t)g->n + 1, sizeof *c->rowptr);
    c->adj = vgae_alloc(ctx, (size_t)(2 * g->n_edges) + 1, sizeof *c->adj);
    vgae_status st = c->rowptr && c->adj ? VGAE_OK : VGAE_ENOMEM;
    if (!st) {
        memcpy(c->rowptr, g->rowptr, ((size_t)g->n + 1) * sizeof *c->rowptr);
        memcpy(c->adj, g->adj, (size_t)(2 * g->n_edges) * sizeof *c->adj);
    }
    if (!st && g->names) {
        c->names = vgae_calloc(ctx, (size_t)g->n + 1, sizeof *c->names);
        st = c->names ? VGAE_OK : VGAE_ENOMEM;
        for (int32_t i = 0; !st && i < g->n; i++)
            if (!(c->names[i] = vgae_strdup(ctx, g->names[i])))
                st = VGAE_ENOMEM;
    }
    if (st) {
        vgae_graph_free(c);
        return st;
    }
    *out = c;
    return VGAE_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Radix digits of 16 bits: a pass's counts (512 KB) stay in the cache. */
#define RADIX_BITS 16
#define RADIX_SIZE (1 << RADIX_BITS)
/* Fewer keys than this are sorted with qsort. */
#define RADIX_MIN 65536

/* Sorts m keys with LSD radix passes of 16 bits, skipping the digits all
 * keys share (the high bits of node numbers below 2^31). Needs m keys of
 * scratch; returns 0 (keys untouched) if it cannot have them. */
static int radix_sort(vgae_ctx *ctx, uint64_t *keys, int64_t m)
{
    uint64_t *tmp = vgae_alloc(ctx, (size_t)m, sizeof *tmp);
    int64_t *count = vgae_alloc(ctx, RADIX_SIZE, sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        vgae_ctx_clear(ctx); /* not an error: qsort needs no scratch */
        return 0;
    }
    uint64_t *from = keys, *to = tmp;
    for (int shift = 0; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, RADIX_SIZE * sizeof *count);
        for (int64_t i = 0; i < m; i++)
            count[(from[i] >> shift) & (RADIX_SIZE - 1)]++;
        if (count[(from[0] >> shift) & (RADIX_SIZE - 1)] == m)
            continue; /* every key has this digit */
        for (int64_t d = 0, at = 0; d < RADIX_SIZE; d++) {
            int64_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (int64_t i = 0; i < m; i++)
            to[count[(from[i] >> shift) & (RADIX_SIZE - 1)]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != keys)
        memcpy(keys, from, (size_t)m * sizeof *keys);
    free(tmp);
    free(count);
    return 1;
}

/* Sorts keys and removes repeats; returns the number kept. Keys already
 * in order (a file written sorted, such as vgae generate's) are not sorted
 * again. */
static int64_t sort_unique(vgae_ctx *ctx, uint64_t *keys, int64_t m)
{
    int64_t k = 0, sorted = 1;
    for (int64_t i = 1; i < m && sorted; i++)
        sorted = keys[i - 1] <= keys[i];
    if (!sorted && (m < RADIX_MIN || !radix_sort(ctx, keys, m)))
        qsort(keys, (size_t)m, sizeof *keys, cmp_u64);
    for (int64_t i = 0; i < m; i++)
        if (k == 0 || keys[i] != keys[k - 1])
            keys[k++] = keys[i];
    return k;
}

vgae_status vgae_graph_from_pairs(vgae_ctx *ctx, int32_t n, int64_t m, const int32_t *pairs,
                                  int directed, vgae_graph **out)
{
    vgae_graph *g = NULL;
    uint64_t *keys = NULL;
    int64_t k = 0, unique;
    vgae_status st = VGAE_OK;

    *out = NULL;
    if (n < 0 || m < 0)
        return vgae_fail(ctx, VGAE_EINVAL, "graph with %d nodes and %lld pairs", n, (long long)m);
    g = vgae_calloc(ctx, 1, sizeof *g);
    keys = vgae_alloc(ctx, (size_t)m, sizeof *keys);
    if (!g || !keys) {
        st = VGAE_ENOMEM;
        goto fail;
    }
    g->n = n;
    g->report.input_entries = m;
    g->report.directed = directed != 0;
    for (int64_t e = 0; e < m; e++) {
        uint64_t u = (uint64_t)pairs[2 * e], v = (uint64_t)pairs[2 * e + 1];
        if (pairs[2 * e] < 0 || pairs[2 * e] >= n || pairs[2 * e + 1] < 0 || pairs[2 * e + 1] >= n) {
            st = vgae_fail(ctx, VGAE_ERANGE, "pair %lld (%d, %d) is outside nodes 0..%d", (long long)e,
                           pairs[2 * e], pairs[2 * e + 1], n - 1);
            goto fail;
        }
        if (!directed && u > v) {
            uint64_t t = u;
            u = v;
            v = t;
        }
        keys[k++] = u << 32 | v;
    }
    /* Repeats first, then self-loops: a loop listed twice is one loop and one duplicate. */
    unique = sort_unique(ctx, keys, k);
    g->report.duplicates_dropped = k - unique;
    k = 0;
    for (int64_t e = 0; e < unique; e++) {
        if (keys[e] >> 32 == (keys[e] & 0xffffffffu))
            g->report.self_loops_dropped++;
        else
            keys[k++] = keys[e];
    }
    unique = k;
    if (directed) {
        /* (i,j) and (j,i) are one undirected edge: fold, then drop the repeats. */
        for (int64_t e = 0; e < unique; e++) {
            uint64_t u = keys[e] >> 32, v = keys[e] & 0xffffffffu;
            keys[e] = u < v ? u << 32 | v : v << 32 | u;
        }
        unique = sort_unique(ctx, keys, k);
        g->report.reciprocal_merged = k - unique;
    }
    g->n_edges = unique;

    /* Both directions, each row sorted: count, prefix-sum, then fill in key order. */
    g->rowptr = vgae_calloc(ctx, (size_t)n + 1, sizeof *g->rowptr);
    g->adj = vgae_alloc(ctx, (size_t)(2 * unique), sizeof *g->adj);
    if (!g->rowptr || !g->adj) {
        st = VGAE_ENOMEM;
        goto fail;
    }
    for (int64_t e = 0; e < unique; e++) {
        g->rowptr[(keys[e] >> 32) + 1]++;
        g->rowptr[(keys[e] & 0xffffffffu) + 1]++;
    }
    for (int32_t i = 0; i < n; i++)
        g->rowptr[i + 1] += g->rowptr[i];
    {
        int64_t *next = vgae_alloc(ctx, (size_t)n + 1, sizeof *next);
        if (!next) {
            st = VGAE_ENOMEM;
            goto fail;
        }
        memcpy(next, g->rowptr, ((size_t)n + 1) * sizeof *next);
        /* Keys are sorted by (u, v), u < v. Pass 1 writes every row's smaller
         * neighbours (ascending u for a fixed v), pass 2 its larger ones
         * (ascending v for a fixed u), so each row comes out sorted. */
        for (int64_t e = 0; e < unique; e++) {
            int32_t u = (int32_t)(keys[e] >> 32), v = (int32_t)(keys[e] & 0xffffffffu);
            g->adj[next[v]++] = u; /* u < v: the lower part of row v */
        }
        for (int64_t e = 0; e < unique; e++) {
            int32_t u = (int32_t)(keys[e] >> 32), v = (int32_t)(keys[e] & 0xffffffffu);
            g->adj[next[u]++] = v; /* v > u: the upper part of row u */
        }
        free(next);
    }
    free(keys);
    *out = g;
    return VGAE_OK;
fail:
    free(keys);
    vgae_graph_free(g);
    return st;
}
