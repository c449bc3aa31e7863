/* Searching a graph's sorted adjacency rows. */
#ifndef VGAE_GRAPH_ADJACENCY_H
#define VGAE_GRAPH_ADJACENCY_H

#include <stdint.h>

/* The first position p in [lo, hi) with adj[p] >= v, or hi: adj[lo..hi)
 * is sorted, as every row of a vgae_graph is. */
static inline int64_t vgae_adj_lower_bound(const int32_t *adj, int64_t lo, int64_t hi, int32_t v)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (adj[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#endif
