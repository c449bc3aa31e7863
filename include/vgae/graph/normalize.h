/* GCN normalization of an adjacency matrix: D^-1/2 (A + I) D^-1/2. */
#ifndef VGAE_GRAPH_NORMALIZE_H
#define VGAE_GRAPH_NORMALIZE_H

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"
#include "vgae/nn/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Builds Â = D^-1/2 (A + I) D^-1/2, where D is the degree matrix of A + I
 * (so every node, isolated ones included, has degree >= 1), with CHOLMOD,
 * and returns it in compact CSR form (symmetric, both triangles stored,
 * n + 2 m entries). O(n + m). */
VGAE_EXPORT vgae_status vgae_gcn_normalize(vgae_ctx *ctx, const vgae_graph *g, vgae_csr **out);

#ifdef __cplusplus
}
#endif
#endif
