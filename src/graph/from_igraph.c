/* An igraph graph as a vgae_graph: shared by the igraph-based readers and the generators. */
#include <stdlib.h>

#include "core/internal.h"
#include "core/libguard.h"
#include "graph/from_igraph.h"

vgae_status vgae_graph_from_igraph(vgae_ctx *ctx, const igraph_t *ig, vgae_graph **out)
{
    igraph_vector_int_t edges;
    int32_t *pairs = NULL;
    *out = NULL;
    igraph_error_t err = igraph_vector_int_init(&edges, 0);
    if (err != IGRAPH_SUCCESS)
        return vgae_igraph_fail(ctx, err, "listing edges");
    err = igraph_get_edgelist(ig, &edges, 0);
    const igraph_integer_t m = igraph_vector_int_size(&edges) / 2;
    if (err == IGRAPH_SUCCESS)
        pairs = vgae_alloc(ctx, (size_t)(2 * m), sizeof *pairs);
    for (igraph_integer_t i = 0; pairs && i < 2 * m; i++)
        pairs[i] = (int32_t)VECTOR(edges)[i];
    igraph_vector_int_destroy(&edges); /* 16 bytes an edge: gone before the sort */
    vgae_status st = err != IGRAPH_SUCCESS ? vgae_igraph_fail(ctx, err, "listing edges")
                     : !pairs               ? VGAE_ENOMEM
                                            : vgae_graph_from_pairs(ctx, (int32_t)igraph_vcount(ig), m, pairs,
                                                                    igraph_is_directed(ig), out);
    free(pairs);
    return st;
}

