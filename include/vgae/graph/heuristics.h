/* Classical link scores on a graph: common neighbours, Jaccard, Adamic-Adar, resource allocation, preferential attachment, Katz, personalized PageRank. */
#ifndef VGAE_GRAPH_HEURISTICS_H
#define VGAE_GRAPH_HEURISTICS_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"
#include "vgae/graph/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The scores, for a pair (u, v) of g with neighbour sets N(u), N(v) and
 * degrees d (Liben-Nowell & Kleinberg 2007; Zhou, Lu & Zhang 2009):
 *   CN        |N(u) & N(v)|
 *   JACCARD   |N(u) & N(v)| / |N(u) | N(v)|   (0 when both are isolated)
 *   AA        sum over w in N(u) & N(v) of 1 / log d(w)   (Adamic & Adar 2003)
 *   RA        sum over w in N(u) & N(v) of 1 / d(w)       (resource allocation)
 *   PA        d(u) d(v)                                    (preferential attachment)
 *   KATZ      sum over l = 1..L of beta^l (walks of length l from u to v), L = katz_length
 *   PPR       pi_u(v) + pi_v(u): personalized PageRank with restart probability ppr_alpha,
 *             by local push to residual ppr_epsilon per degree (Andersen, Chung & Lang
 *             2006); computed from one end s as pi_s(t) (1 + d(s) / d(t)), which is the
 *             same number on an undirected graph (d(u) pi_u(v) = d(v) pi_v(u)) */
typedef enum vgae_heuristic {
    VGAE_HEURISTIC_CN = 0,
    VGAE_HEURISTIC_JACCARD,
    VGAE_HEURISTIC_AA,
    VGAE_HEURISTIC_RA,
    VGAE_HEURISTIC_PA,
    VGAE_HEURISTIC_KATZ,
    VGAE_HEURISTIC_PPR,
    VGAE_HEURISTIC_COUNT
} vgae_heuristic;

typedef struct vgae_heuristic_options {
    double katz_beta; /* 0.005 */
    int katz_length;  /* 3 */
    double ppr_alpha;   /* 0.15 */
    double ppr_epsilon; /* 1e-5 */
} vgae_heuristic_options;

/* The defaults above. */
VGAE_EXPORT vgae_heuristic_options vgae_heuristic_defaults(void);
/* "cn", "jaccard", "aa", "ra", "pa", "katz", "ppr"; "unknown" outside the enum. */
VGAE_EXPORT const char *vgae_heuristic_name(vgae_heuristic h);
/* "common neighbours", "Jaccard", ..., "personalized PageRank": for a person. */
VGAE_EXPORT const char *vgae_heuristic_title(vgae_heuristic h);
/* The heuristic of a name as printed by vgae_heuristic_name; VGAE_EINVAL listing the names. */
VGAE_EXPORT vgae_status vgae_heuristic_from_name(vgae_ctx *ctx, const char *name,
                                                 vgae_heuristic *out);

/* The scores of n pairs of g (node ids below g->n) under heuristic h
 * (options NULL: the defaults). Katz and PPR compute one vector per distinct
 * source node (one end of each pair: the end more pairs share), in parallel
 * on the context's threads (the same numbers on any count); the others look at the two neighbour lists. O(sum of the
 * degrees of the pairs' nodes) for the local scores; Katz O(L E) and PPR
 * O(1 / (alpha epsilon)) per distinct node at most. */
VGAE_EXPORT vgae_status vgae_heuristic_score(vgae_ctx *ctx, const vgae_graph *g,
                                             vgae_heuristic h,
                                             const vgae_heuristic_options *options,
                                             const vgae_pair *pairs, int64_t n, double *scores);

#ifdef __cplusplus
}
#endif
#endif
