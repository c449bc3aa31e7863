/* The planted-partition graph the link-prediction tests train on. */
#ifndef VGAE_PLANTED_H
#define VGAE_PLANTED_H

#include "testutil.h"

/* A planted partition: 16 blocks of 10 nodes, edges inside a block with
 * probability 0.6 and across with 0.002 (seeded, from the data stream).
 * Expected: 432 edges inside blocks, 24 across. */
static inline vgae_graph *planted_graph(vgae_ctx *ctx)
{
    enum { N = 160, B = 10 };
    int32_t *pairs = malloc(sizeof *pairs * N * N);
    int64_t m = 0;
    vgae_rng r;
    vgae_rng_init(&r, 17, VGAE_STREAM_DATA);
    for (int32_t i = 0; i < N; i++)
        for (int32_t j = i + 1; j < N; j++)
            if (vgae_rng_uniform(&r) < (i / B == j / B ? 0.6 : 0.002)) {
                pairs[2 * m] = i;
                pairs[2 * m + 1] = j;
                m++;
            }
    vgae_graph *g = NULL;
    assert_int_equal(vgae_graph_from_pairs(ctx, N, m, pairs, 0, &g), VGAE_OK);
    free(pairs);
    return g;
}

#endif
