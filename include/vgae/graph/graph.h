/* A simple undirected graph held as a symmetric adjacency structure, and what can be asked of it. */
#ifndef VGAE_GRAPH_GRAPH_H
#define VGAE_GRAPH_GRAPH_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What cleaning did to the input to make it a simple undirected graph. */
typedef struct vgae_graph_report {
    int64_t input_entries;        /* edges / matrix entries as read */
    int64_t self_loops_dropped;   /* distinct self-loops (i, i) */
    int64_t duplicates_dropped;   /* repeated entries: the same ordered pair in a directed
                                     input, the same unordered pair in an undirected one */
    int64_t reciprocal_merged;    /* directed input only: (i,j) and (j,i) made one edge */
    int64_t zero_weights_dropped; /* explicit zero weights, read as "no edge" */
    int weighted;                 /* the input had weights; they count as presence only */
    int directed;                 /* the input was directed and was symmetrized */
} vgae_graph_report;

/* Nodes are 0..n-1. The adjacency is stored in both directions: node i's
 * neighbours are adj[rowptr[i] .. rowptr[i+1]-1], sorted ascending, with no
 * self-loops and no repeats; rowptr[n] == 2 * n_edges. */
typedef struct vgae_graph {
    int32_t n;
    int64_t n_edges; /* undirected edges */
    int64_t *rowptr;
    int32_t *adj;
    char **names;    /* n original node names, or NULL if the input had none */
    vgae_graph_report report;
} vgae_graph;

/* Builds a graph on n nodes from m pairs (pairs[2k], pairs[2k+1]), 0-based.
 * directed != 0 means (i,j) and (j,i) are distinct entries that symmetrization
 * merges; otherwise each pair is an undirected edge and repeats are duplicates.
 * Self-loops are dropped. Cost O(m log m). */
VGAE_EXPORT vgae_status vgae_graph_from_pairs(vgae_ctx *ctx, int32_t n, int64_t m, const int32_t *pairs,
                                  int directed, vgae_graph **out);

/* A copy of g (adjacency, names and report). O(n + m). */
VGAE_EXPORT vgae_status vgae_graph_copy(vgae_ctx *ctx, const vgae_graph *g, vgae_graph **out);

/* Frees a graph; accepts NULL. */
VGAE_EXPORT void vgae_graph_free(vgae_graph *g);

/* Number of nodes with no neighbour. O(n). */
VGAE_EXPORT int64_t vgae_graph_isolated_nodes(const vgae_graph *g);

/* A CRC-32 (zlib) of the cleaned graph: the node count, then every edge
 * (u, v), u < v, in order, as little-endian 32-bit integers. Node names do
 * not enter it. Split and model files record it to catch a mismatch. O(n + m). */
VGAE_EXPORT uint32_t vgae_graph_checksum(const vgae_graph *g);

/* Finds nodes by the ids users see: names when the graph has them, else
 * the numbers 0..n-1. Build once, look up many times. */
typedef struct vgae_node_index {
    const vgae_graph *g;   /* borrowed */
    int32_t *slots;        /* hash of names -> node + 1; NULL without names */
    uint64_t mask;
    int32_t dup_a, dup_b;  /* the first two nodes sharing a name (a name then
                            * finds dup_a), or -1 when names are unique */
} vgae_node_index;
VGAE_EXPORT vgae_status vgae_node_index_init(vgae_ctx *ctx, vgae_node_index *index, const vgae_graph *g);
VGAE_EXPORT void vgae_node_index_destroy(vgae_node_index *index);
/* The node of id `id`, or -1 if there is none. */
VGAE_EXPORT int32_t vgae_node_index_find(const vgae_node_index *index, const char *id);
/* Writes node v's id (its name, or the number) into buf. */
VGAE_EXPORT const char *vgae_node_id(const vgae_graph *g, int32_t v, char buf[16]);

/* Connected components, counted by igraph; largest may be NULL. O(n + m). */
VGAE_EXPORT vgae_status vgae_graph_components(vgae_ctx *ctx, const vgae_graph *g, int64_t *count,
                                  int64_t *largest);

/* Whether u and v are adjacent in g (binary search in the shorter list). */
VGAE_EXPORT int vgae_graph_has_edge(const vgae_graph *g, int32_t u, int32_t v);

#ifdef __cplusplus
}
#endif
#endif
