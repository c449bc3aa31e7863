/* Fetching rows held by other processes: a plan of who sends which rows to whom, then exchanges of any width over it. */
#ifndef VGAE_DIST_HALO_H
#define VGAE_DIST_HALO_H

#include <stdint.h>

#include "dist/comm_impl.h"
#include "vgae/dist/part_file.h"

/* The rows of positions `want` (ascending, none of this part's) arrive in
 * that order; their owners are parts in position order, so each owner's
 * rows are a run of them. */
typedef struct vgae_halo {
    int parts;
    int32_t first, count;  /* this part's positions */
    int32_t n_want;
    int64_t *recv_rows, *recv_at;   /* per part: rows from it, and where in the want order they start */
    int64_t *send_rows, *send_at;   /* per part: rows to it, and where in `send` they start */
    int32_t *send;                  /* local rows (0-based) to send, grouped by part */
    int64_t n_send;                 /* rows sent in an exchange: the staging it needs is n_send x width */
    int64_t *bytes;                 /* 4 x parts: counts and offsets in bytes */
} vgae_halo;

/* The plan for fetching the rows of positions want[0..n) (ascending, none
 * in [part->first, part->first + part->count)). Collective: every process
 * makes its own plan at the same time. */
vgae_status vgae_halo_plan(vgae_ctx *ctx, vgae_comm *comm, const vgae_part *part, const int32_t *want, int32_t n,
                           vgae_halo *h);
/* Rows of `local` (this part's rows, width values each) to the processes
 * that want them, packed in stage (room for n_send x width values, the
 * caller's: plans that never run at once share one); the wanted rows into
 * `out` (n x width), in want order. Collective. */
vgae_status vgae_halo_exchange(vgae_ctx *ctx, vgae_comm *comm, vgae_halo *h, const vgae_real *local, int64_t width,
                               vgae_real *stage, vgae_real *out);
void vgae_halo_destroy(vgae_halo *h);

#endif
