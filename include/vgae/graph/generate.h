/* Random graphs from igraph's generators. */
#ifndef VGAE_GRAPH_GENERATE_H
#define VGAE_GRAPH_GENERATE_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_generator {
    VGAE_GENERATE_GNM = 0, /* Erdos-Renyi G(n, m): exactly m edges, uniformly */
    VGAE_GENERATE_BA,      /* Barabasi-Albert: each new node links to m / n earlier ones */
    VGAE_GENERATE_SBM,     /* stochastic block model: `blocks` equal blocks, about m edges,
                              a fraction `inside` of them within blocks */
    VGAE_GENERATE_GEO      /* random geometric graph on the unit torus, about m edges */
} vgae_generator;

typedef struct vgae_generate_options {
    vgae_generator kind;
    int64_t nodes, edges; /* n >= 1; m >= 1 (the expected count for sbm and geo) */
    uint64_t seed;        /* seeds igraph's default generator */
    int64_t blocks;       /* sbm: number of blocks (10) */
    double inside;        /* sbm: expected fraction of edges inside blocks (0.9) */
} vgae_generate_options;

/* Defaults for kind: blocks 10, inside 0.9, seed 42; nodes and edges 0 (to be set). */
VGAE_EXPORT vgae_generate_options vgae_generate_defaults(vgae_generator kind);

/* "gnm", "ba", "sbm", "geo"; "unknown" otherwise. */
VGAE_EXPORT const char *vgae_generator_name(vgae_generator kind);
/* Parses a name as printed by vgae_generator_name. */
VGAE_EXPORT vgae_status vgae_generator_from_name(vgae_ctx *ctx, const char *name, vgae_generator *out);

/* A simple undirected graph (no loops, no repeated edges) from igraph's
 * generator for the kind, seeded with options->seed: the same options give
 * the same graph with the same igraph version. Refuses sizes the generator
 * cannot meet (more edges than pairs, probabilities above 1) and graphs the
 * readers would refuse as absurd (more than 2^20 + 16 m nodes by default;
 * vgae_ctx_set_max_nodes). Calls igraph,
 * which is not thread-safe: call from one thread. O(n + m) for gnm, ba, sbm,
 * O(n log n + m) for geo, plus O(m log m) to sort the edges. */
VGAE_EXPORT vgae_status vgae_graph_generate(vgae_ctx *ctx, const vgae_generate_options *options,
                                vgae_graph **out);

#ifdef __cplusplus
}
#endif
#endif
