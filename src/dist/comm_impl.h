/* The exchanges distributed training makes: ordered sums, gathers, all-to-all, halo rows; one process alone without MPI. */
#ifndef VGAE_DIST_COMM_IMPL_H
#define VGAE_DIST_COMM_IMPL_H

#include <stdint.h>

#include "vgae/dist/comm.h"
#include "vgae/nn/real.h"

/* Every call below is collective: each process of c calls it, in the same
 * order. Failures of MPI itself are VGAE_EINTERNAL with MPI's message. */

/* The sum over all blocks, in block order, of one vector of len doubles
 * per block: this process holds `mine` consecutive blocks' vectors
 * (partials, block by block), and the processes hold the blocks in rank
 * order. out (len) receives ((0 + b_0) + b_1) + ... on every process: the
 * same bits whatever the number of processes, since the additions are the
 * same and in the same order. Passed along the ranks, each adding its
 * blocks to what the rank before it sent, then broadcast from the last:
 * P - 1 messages of len doubles and a broadcast. */
vgae_status vgae_comm_ordered_sum(vgae_ctx *ctx, vgae_comm *c, const double *partials, int64_t mine, int64_t len,
                                  double *out);

/* Every process's 64-bit value, in rank order, into all (size values). */
vgae_status vgae_comm_allgather_u64(vgae_ctx *ctx, vgae_comm *c, uint64_t mine, uint64_t *all);

/* Each process sends send_bytes[r] bytes from send + send_off[r] to rank r
 * and receives recv_bytes[r] bytes from rank r at recv + recv_off[r]
 * (offsets in bytes; what goes to itself is copied). */
vgae_status vgae_comm_alltoallv(vgae_ctx *ctx, vgae_comm *c, const void *send, const int64_t *send_bytes,
                                const int64_t *send_off, void *recv, const int64_t *recv_bytes,
                                const int64_t *recv_off);
/* Each process's send[r] to rank r, into recv[r] from rank r (size values each). */
vgae_status vgae_comm_alltoall_i64(vgae_ctx *ctx, vgae_comm *c, const int64_t *send, int64_t *recv);

/* Every process's bytes, in rank order, into all on every process:
 * process r's counts[r] bytes at offsets[r]; mine are this process's. */
vgae_status vgae_comm_allgatherv(vgae_ctx *ctx, vgae_comm *c, const void *mine, void *all, const int64_t *counts,
                                 const int64_t *offsets);
/* bytes from root to every process. */
vgae_status vgae_comm_bcast(vgae_ctx *ctx, vgae_comm *c, void *buf, int64_t bytes, int root);

#endif
