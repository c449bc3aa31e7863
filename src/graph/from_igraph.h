/* An igraph graph as a vgae_graph: shared by the igraph-based readers and the generators. */
#ifndef VGAE_FROM_IGRAPH_H
#define VGAE_FROM_IGRAPH_H

#include <igraph.h>
#include "vgae/graph/graph.h"

/* Lists ig's edges and cleans them into *out with vgae_graph_from_pairs
 * (directed if ig is). Call between vgae_igraph_enter and leave; ig must
 * have fewer than 2^31 nodes. */
vgae_status vgae_graph_from_igraph(vgae_ctx *ctx, const igraph_t *ig, vgae_graph **out);

#endif
