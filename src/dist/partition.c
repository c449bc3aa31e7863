/* Partitioning a graph's nodes into fixed blocks (METIS recursive bisection, contiguous runs, a seeded shuffle) and runs of blocks into P parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dist/partition_names.h"
#include "vgae/dist/partition.h"
#include "vgae/io/outfile.h"

#ifdef VGAE_HAVE_METIS
#include <metis.h>
#endif

/* The random method's stream: none of vgae_stream's (those are the
 * training's), so that partitioning draws nothing from them. */
#define PARTITION_STREAM 0x70617274u /* "part" */

const char *const vgae_partition_method_names[] = {"metis", "contiguous", "random", NULL};

vgae_status vgae_partition_method_from_name(vgae_ctx *ctx, const char *name, vgae_partition_method *out)
{
    for (int k = 0; k < 3; k++)
        if (strcmp(name, vgae_partition_method_names[k]) == 0) {
            *out = (vgae_partition_method)k;
            return VGAE_OK;
        }
    return vgae_fail(ctx, VGAE_EINVAL, "unknown partition method '%s' (metis, contiguous or random)", name);
}

const char *vgae_partition_method_name(vgae_partition_method method)
{
    return (unsigned)method < 3 ? vgae_partition_method_names[method] : "unknown";
}

int vgae_partition_has_metis(const char **version)
{
#ifdef VGAE_HAVE_METIS
    if (version) {
        static char text[32];
        snprintf(text, sizeof text, "%d.%d.%d", METIS_VER_MAJOR, METIS_VER_MINOR, METIS_VER_SUBMINOR);
        *version = text;
    }
    return 1;
#else
    if (version)
        *version = NULL;
    return 0;
#endif
}

void vgae_partition_free(vgae_partition *p)
{
    if (!p)
        return;
    free(p->block);
    free(p->part);
    free(p->order);
    free(p->position);
    free(p->block_start);
    free(p->sizes);
    free(p->inside);
    free(p->halo);
    free(p);
}

int32_t vgae_partition_first_block(int32_t blocks, int32_t parts, int32_t k)
{
    return (int32_t)((int64_t)k * blocks / parts);
}

#ifdef VGAE_HAVE_METIS
/* METIS may leave blocks empty when there are few nodes a block (34 nodes
 * in 20 blocks): each empty block, in order, takes the highest-numbered
 * node of the largest block (the first on ties), so that every block, and
 * so every rank, has rows. */
static vgae_status fill_empty_blocks(vgae_ctx *ctx, int32_t n, int32_t blocks, int32_t *block)
{
    int32_t *sizes = vgae_calloc(ctx, (size_t)blocks, sizeof *sizes);
    if (!sizes)
        return VGAE_ENOMEM;
    for (int32_t i = 0; i < n; i++)
        sizes[block[i]]++;
    int32_t filled = 0;
    for (int32_t k = 0; k < blocks; k++) {
        if (sizes[k])
            continue;
        int32_t big = 0;
        for (int32_t q = 1; q < blocks; q++)
            big = sizes[q] > sizes[big] ? q : big;
        int32_t i = n - 1;
        while (block[i] != big)
            i--;
        block[i] = k;
        sizes[big]--;
        sizes[k] = 1;
        filled++;
    }
    free(sizes);
    if (filled)
        vgae_log(ctx, VGAE_LOG_NOTE, "METIS left %d of %d blocks empty; each took one node of the largest block",
                 filled, blocks);
    return VGAE_OK;
}

/* METIS's recursive bisection on g's adjacency (symmetric, no self-loops:
 * what METIS asks): each bisection's halves get runs of block numbers, so
 * runs of blocks are regions (k-way numbers its blocks in no such order). */
static vgae_status metis_blocks(vgae_ctx *ctx, const vgae_graph *g, int32_t blocks, int32_t *block)
{
    const int64_t nnz = g->rowptr[g->n];
    if (nnz > (int64_t)INT32_MAX)
        return vgae_fail(ctx, VGAE_EINVAL, "METIS (32-bit indices here) cannot take %lld adjacency entries",
                         (long long)nnz);
    idx_t *xadj = vgae_alloc(ctx, (size_t)g->n + 1, sizeof *xadj);
    idx_t *adjncy = xadj ? vgae_alloc(ctx, (size_t)(nnz ? nnz : 1), sizeof *adjncy) : NULL;
    idx_t *where = adjncy ? vgae_alloc(ctx, (size_t)g->n, sizeof *where) : NULL;
    vgae_status st = where ? VGAE_OK : VGAE_ENOMEM;
    if (!st) {
        for (int32_t i = 0; i <= g->n; i++)
            xadj[i] = (idx_t)g->rowptr[i];
        for (int64_t p = 0; p < nnz; p++)
            adjncy[p] = (idx_t)g->adj[p];
        idx_t nvtxs = g->n, ncon = 1, nparts = blocks, objval = 0, options[METIS_NOPTIONS];
        METIS_SetDefaultOptions(options);
        options[METIS_OPTION_SEED] = (idx_t)(vgae_ctx_seed(ctx) & 0x7fffffff);
        options[METIS_OPTION_NUMBERING] = 0;
        const int r = METIS_PartGraphRecursive(&nvtxs, &ncon, xadj, adjncy, NULL, NULL, NULL, &nparts, NULL, NULL,
                                          options, &objval, where);
        if (r == METIS_ERROR_MEMORY)
            st = vgae_fail(ctx, VGAE_ENOMEM, "METIS ran out of memory partitioning %d nodes", g->n);
        else if (r != METIS_OK)
            st = vgae_fail(ctx, VGAE_EINVAL, "METIS failed (status %d) partitioning %d nodes into %d blocks", r,
                           g->n, blocks);
        for (int32_t i = 0; !st && i < g->n; i++)
            block[i] = (int32_t)where[i];
    }
    free(xadj);
    free(adjncy);
    free(where);
    return st ? st : fill_empty_blocks(ctx, g->n, blocks, block);
}
#endif

/* Every node's block (`blocks` of them here), by the method. */
static vgae_status assign(vgae_ctx *ctx, const vgae_graph *g, int32_t blocks, vgae_partition_method method,
                          int32_t *block)
{
    const int32_t n = g->n;
    if (blocks == 1 || method == VGAE_PARTITION_CONTIGUOUS) {
        for (int32_t i = 0; i < n; i++)
            block[i] = (int32_t)((int64_t)i * blocks / n);
        return VGAE_OK;
    }
    if (method == VGAE_PARTITION_RANDOM) {
        int32_t *order = vgae_alloc(ctx, (size_t)n, sizeof *order);
        if (!order)
            return VGAE_ENOMEM;
        vgae_rng r;
        vgae_rng_init(&r, vgae_ctx_seed(ctx), PARTITION_STREAM);
        for (int32_t i = 0; i < n; i++)
            order[i] = i;
        for (int32_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
            const int32_t j = (int32_t)vgae_rng_below(&r, (uint64_t)i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int32_t k = 0; k < n; k++)
            block[order[k]] = (int32_t)((int64_t)k * blocks / n);
        free(order);
        return VGAE_OK;
    }
#ifdef VGAE_HAVE_METIS
    return metis_blocks(ctx, g, blocks, block);
#else
    return vgae_fail(ctx, VGAE_EINVAL, "this vgae was built without METIS: use --method contiguous or random "
                                       "(or install libmetis-dev and build again)");
#endif
}

/* Parts from blocks, the positions (a counting sort by block, stable in
 * node number) and the block starts. */
static vgae_status arrange(vgae_ctx *ctx, vgae_partition *p)
{
    const int32_t n = p->n, blocks = p->blocks;
    for (int32_t i = 0; i < n; i++)
        if (p->block[i] < 0 || p->block[i] >= blocks) /* what METIS returned */
            return vgae_fail(ctx, VGAE_EINVAL, "node %d was put in block %d of %d", i, p->block[i], blocks);
    for (int32_t i = 0; i < n; i++)
        p->block_start[p->block[i] + 1]++;
    for (int32_t b = 0; b < blocks; b++)
        p->block_start[b + 1] += p->block_start[b];
    for (int32_t i = 0; i < n; i++) { /* block_start[b] runs ahead while filling, then is put back */
        const int32_t at = p->block_start[p->block[i]]++;
        p->order[at] = i;
        p->position[i] = at;
    }
    for (int32_t b = blocks; b > 0; b--)
        p->block_start[b] = p->block_start[b - 1];
    p->block_start[0] = 0;
    for (int32_t k = 0, b = 0; k < p->parts; k++)
        for (const int32_t end = vgae_partition_first_block(blocks, p->parts, k + 1); b < end; b++)
            for (int32_t at = p->block_start[b]; at < p->block_start[b + 1]; at++)
                p->part[p->order[at]] = k;
    return VGAE_OK;
}

/* Sizes, edges inside, halos and the cut of p over g. Node j is in the
 * halo of each other part among its neighbours' parts: mark[k] == j once
 * part k has counted it. Every edge is seen from both ends; counted at the
 * smaller. */
static vgae_status measure(vgae_ctx *ctx, const vgae_graph *g, vgae_partition *p)
{
    const int32_t n = g->n, parts = p->parts;
    int32_t *mark = vgae_alloc(ctx, (size_t)parts, sizeof *mark);
    if (!mark)
        return VGAE_ENOMEM;
    for (int32_t k = 0; k < parts; k++)
        mark[k] = -1;
    for (int32_t j = 0; j < n; j++) {
        const int32_t own = p->part[j];
        p->sizes[own]++;
        for (int64_t e = g->rowptr[j]; e < g->rowptr[j + 1]; e++) {
            const int32_t i = g->adj[e], k = p->part[i];
            if (k == own) {
                p->inside[k] += i > j;
            } else {
                p->edge_cut += i > j;
                if (mark[k] != j) {
                    mark[k] = j;
                    p->halo[k]++;
                }
            }
        }
    }
    free(mark);
    return VGAE_OK;
}

vgae_status vgae_partition_graph(vgae_ctx *ctx, const vgae_graph *g, int32_t parts, int32_t blocks,
                                 vgae_partition_method method, vgae_partition **out)
{
    *out = NULL;
    if ((unsigned)method > VGAE_PARTITION_RANDOM)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown partition method %d", (int)method);
    if (blocks < 1 || blocks > g->n)
        return vgae_fail(ctx, VGAE_EINVAL, "cannot split %d nodes into %d blocks (1 to %d)", g->n, blocks, g->n);
    if (parts < 1 || parts > blocks)
        return vgae_fail(ctx, VGAE_EINVAL, "cannot split %d blocks into %d parts (1 to %d)", blocks, parts,
                         blocks);
    vgae_partition *p = vgae_calloc(ctx, 1, sizeof *p);
    if (!p)
        return VGAE_ENOMEM;
    const size_t n = (size_t)g->n;
    p->n = g->n;
    p->parts = parts;
    p->blocks = blocks;
    p->method = method;
    p->block = vgae_alloc(ctx, n, sizeof *p->block);
    p->part = vgae_alloc(ctx, n, sizeof *p->part);
    p->order = vgae_alloc(ctx, n, sizeof *p->order);
    p->position = vgae_alloc(ctx, n, sizeof *p->position);
    p->block_start = vgae_calloc(ctx, (size_t)blocks + 1, sizeof *p->block_start);
    p->sizes = vgae_calloc(ctx, (size_t)parts, sizeof *p->sizes);
    p->inside = vgae_calloc(ctx, (size_t)parts, sizeof *p->inside);
    p->halo = vgae_calloc(ctx, (size_t)parts, sizeof *p->halo);
    vgae_status st = p->block && p->part && p->order && p->position && p->block_start && p->sizes &&
                             p->inside && p->halo
                         ? VGAE_OK
                         : VGAE_ENOMEM;
    if (!st)
        st = assign(ctx, g, blocks, method, p->block);
    if (!st)
        st = arrange(ctx, p);
    if (!st)
        st = measure(ctx, g, p);
    if (st) {
        vgae_partition_free(p);
        return st;
    }
    *out = p;
    return VGAE_OK;
}

vgae_status vgae_partition_write(vgae_ctx *ctx, const char *path, const vgae_partition *p)
{
    vgae_outfile *out = NULL;
    vgae_status st = vgae_outfile_open(ctx, path, &out);
    if (st)
        return st;
    FILE *f = vgae_outfile_stream(out);
    for (int32_t i = 0; i < p->n; i++)
        fprintf(f, "%d\n", p->part[i]);
    return vgae_outfile_commit(ctx, out);
}
