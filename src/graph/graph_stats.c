/* What can be asked of a graph: adjacency, isolated nodes, components, checksum, nodes by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "core/libguard.h"
#include "graph/adjacency.h"
#include "vgae/graph/graph.h"

int vgae_graph_has_edge(const vgae_graph *g, int32_t u, int32_t v)
{
    if (g->rowptr[u + 1] - g->rowptr[u] > g->rowptr[v + 1] - g->rowptr[v]) {
        int32_t t = u;
        u = v;
        v = t;
    }
    const int64_t end = g->rowptr[u + 1], p = vgae_adj_lower_bound(g->adj, g->rowptr[u], end, v);
    return p < end && g->adj[p] == v;
}

int64_t vgae_graph_isolated_nodes(const vgae_graph *g)
{
    int64_t count = 0;
    for (int32_t i = 0; i < g->n; i++)
        count += g->rowptr[i + 1] == g->rowptr[i];
    return count;
}

vgae_status vgae_graph_components(vgae_ctx *ctx, const vgae_graph *g, int64_t *count, int64_t *largest)
{
    igraph_vector_int_t edges, sizes;
    igraph_t ig;
    igraph_integer_t no = 0, k = 0;
    igraph_error_t err;
    vgae_igraph_guard guard;
    vgae_status st = VGAE_OK;
    int have_edges = 0, have_sizes = 0, have_graph = 0;

    vgae_igraph_enter(ctx, &guard, NULL);
    err = igraph_vector_int_init(&edges, 2 * g->n_edges);
    if (err)
        goto fail;
    have_edges = 1;
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t p = g->rowptr[u]; p < g->rowptr[u + 1]; p++)
            if (g->adj[p] > u) {
                VECTOR(edges)[k++] = u;
                VECTOR(edges)[k++] = g->adj[p];
            }
    err = igraph_create(&ig, &edges, g->n, IGRAPH_UNDIRECTED);
    if (err)
        goto fail;
    have_graph = 1;
    err = igraph_vector_int_init(&sizes, 0);
    if (err)
        goto fail;
    have_sizes = 1;
    err = igraph_connected_components(&ig, NULL, &sizes, &no, IGRAPH_WEAK);
    if (err)
        goto fail;
    *count = no;
    if (largest)
        *largest = no ? igraph_vector_int_max(&sizes) : 0;
    goto done;
fail:
    st = vgae_igraph_fail(ctx, err, "counting connected components");
done:
    if (have_sizes)
        igraph_vector_int_destroy(&sizes);
    if (have_graph)
        igraph_destroy(&ig);
    if (have_edges)
        igraph_vector_int_destroy(&edges);
    vgae_igraph_leave(&guard);
    return st;
}

uint32_t vgae_graph_checksum(const vgae_graph *g)
{
    vgae_crc c;
    vgae_crc_start(&c);
    vgae_crc_le(&c, (uint32_t)g->n, 4);
    for (int32_t u = 0; u < g->n; u++)
        for (int64_t k = g->rowptr[u]; k < g->rowptr[u + 1]; k++)
            if (g->adj[k] > u) {
                vgae_crc_le(&c, (uint32_t)u, 4);
                vgae_crc_le(&c, (uint32_t)g->adj[k], 4);
            }
    return vgae_crc_end(&c);
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ^ (h >> 29); /* the table uses the low bits */
}

vgae_status vgae_node_index_init(vgae_ctx *ctx, vgae_node_index *index, const vgae_graph *g)
{
    *index = (vgae_node_index){g, NULL, 0, -1, -1};
    if (!g->names)
        return VGAE_OK;
    uint64_t size = 16;
    while (size < 2 * (uint64_t)g->n)
        size *= 2;
    index->slots = vgae_calloc(ctx, size, sizeof *index->slots);
    if (!index->slots)
        return VGAE_ENOMEM;
    index->mask = size - 1;
    for (int32_t v = 0; v < g->n; v++) {
        uint64_t h = hash_name(g->names[v]) & index->mask;
        while (index->slots[h] && strcmp(g->names[index->slots[h] - 1], g->names[v]) != 0)
            h = (h + 1) & index->mask;
        if (!index->slots[h])
            index->slots[h] = v + 1;
        else if (index->dup_a < 0) { /* a repeated name: the first node keeps it */
            index->dup_a = index->slots[h] - 1;
            index->dup_b = v;
        }
    }
    return VGAE_OK;
}

void vgae_node_index_destroy(vgae_node_index *index)
{
    free(index->slots);
    index->slots = NULL;
}

int32_t vgae_node_index_find(const vgae_node_index *index, const char *id)
{
    const vgae_graph *g = index->g;
    if (!g->names) {
        char *end;
        errno = 0;
        long long v = strtoll(id, &end, 10);
        if (end == id || *end || errno || v < 0 || v >= g->n || !(*id >= '0' && *id <= '9'))
            return -1;
        return (int32_t)v;
    }
    for (uint64_t h = hash_name(id) & index->mask; index->slots[h]; h = (h + 1) & index->mask)
        if (strcmp(g->names[index->slots[h] - 1], id) == 0)
            return index->slots[h] - 1;
    return -1;
}

const char *vgae_node_id(const vgae_graph *g, int32_t v, char buf[16])
{
    if (g->names)
        return g->names[v];
    snprintf(buf, 16, "%d", v);
    return buf;
}
