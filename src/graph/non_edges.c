/* Drawing uniform non-adjacent node pairs in batches, with the adjacency lookups overlapped. */
#include "graph/non_edges.h"

/* Lists up to this long are scanned, not searched: no branch to mispredict. */
#define SHORT_LIST 64

/* Whether the sorted list x[0..len) holds v. */
static inline int contains(const int32_t *x, int64_t len, int32_t v)
{
    int found = 0;
    if (len <= SHORT_LIST) {
        for (int64_t i = 0; i < len; i++)
            found |= x[i] == v;
        return found;
    }
    int64_t l = 0;
    while (len > 1) { /* l stays at or below the first entry >= v */
        const int64_t half = len / 2;
        l = x[l + half - 1] < v ? l + half : l;
        len -= half;
    }
    return x[l] == v;
}

int vgae_non_edge_batch(const vgae_graph *g, vgae_rng *rng, int want, int32_t *a, int32_t *b)
{
    int32_t u[VGAE_NON_EDGE_BATCH], v[VGAE_NON_EDGE_BATCH];
    int64_t lo[VGAE_NON_EDGE_BATCH], hi[VGAE_NON_EDGE_BATCH];
    const uint64_t n = (uint64_t)g->n;
    /* three passes, each starting the memory reads the next one needs */
    for (int k = 0; k < want; k++) {
        u[k] = (int32_t)vgae_rng_below(rng, n);
        v[k] = (int32_t)vgae_rng_below(rng, n);
        __builtin_prefetch(g->rowptr + u[k]);
    }
    for (int k = 0; k < want; k++) {
        lo[k] = g->rowptr[u[k]];
        hi[k] = g->rowptr[u[k] + 1];
        /* the whole list when it is short, else where the search starts */
        const int64_t len = hi[k] - lo[k];
        const int32_t *first = g->adj + (len <= SHORT_LIST ? lo[k] : lo[k] + len / 2);
        for (int64_t i = 0; i < (len <= SHORT_LIST ? len : 1); i += 16)
            __builtin_prefetch(first + i);
    }
    int kept = 0;
    for (int k = 0; k < want; k++) {
        if (u[k] == v[k] || contains(g->adj + lo[k], hi[k] - lo[k], v[k]))
            continue;
        a[kept] = u[k];
        b[kept] = v[k];
        kept++;
    }
    return kept;
}
