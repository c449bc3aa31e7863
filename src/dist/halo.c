/* Fetching rows held by other processes: a plan of who sends which rows to whom, then exchanges of any width over it. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dist/halo.h"

void vgae_halo_destroy(vgae_halo *h)
{
    free(h->recv_rows);
    free(h->send);
    free(h->bytes);
    *h = (vgae_halo){0};
}

vgae_status vgae_halo_plan(vgae_ctx *ctx, vgae_comm *comm, const vgae_part *part, const int32_t *want, int32_t n,
                           vgae_halo *h)
{
    const int p = vgae_comm_size(comm);
    *h = (vgae_halo){.parts = p, .first = part->first, .count = part->count, .n_want = n};
    /* one block of 4 x p counts, then 4 x p byte counts */
    h->recv_rows = vgae_calloc(ctx, (size_t)(4 * p), sizeof *h->recv_rows);
    h->bytes = vgae_calloc(ctx, (size_t)(4 * p), sizeof *h->bytes);
    vgae_status st = h->recv_rows && h->bytes ? VGAE_OK : VGAE_ENOMEM;
    st = vgae_comm_agree(ctx, comm, st, NULL);
    if (st)
        return st;
    h->recv_at = h->recv_rows + p;
    h->send_rows = h->recv_rows + 2 * p;
    h->send_at = h->recv_rows + 3 * p;
    for (int32_t i = 0; i < n; i++)
        h->recv_rows[vgae_part_owner(part, want[i])]++;
    for (int r = 1; r < p; r++)
        h->recv_at[r] = h->recv_at[r - 1] + h->recv_rows[r - 1];
    st = vgae_comm_alltoall_i64(ctx, comm, h->recv_rows, h->send_rows);
    if (st)
        return st;
    for (int r = 1; r < p; r++)
        h->send_at[r] = h->send_at[r - 1] + h->send_rows[r - 1];
    h->n_send = h->send_at[p - 1] + h->send_rows[p - 1];
    h->send = vgae_alloc(ctx, (size_t)(h->n_send ? h->n_send : 1), sizeof *h->send);
    st = vgae_comm_agree(ctx, comm, h->send ? VGAE_OK : VGAE_ENOMEM, NULL);
    if (st)
        return st;
    /* the positions each process wants from this one, then as local rows */
    int64_t *b = h->bytes;
    for (int r = 0; r < p; r++) {
        b[r] = h->recv_rows[r] * (int64_t)sizeof *want;
        b[p + r] = h->recv_at[r] * (int64_t)sizeof *want;
        b[2 * p + r] = h->send_rows[r] * (int64_t)sizeof *h->send;
        b[3 * p + r] = h->send_at[r] * (int64_t)sizeof *h->send;
    }
    st = vgae_comm_alltoallv(ctx, comm, want, b, b + p, h->send, b + 2 * p, b + 3 * p);
    for (int64_t k = 0; !st && k < h->n_send; k++) {
        const int32_t row = h->send[k] - part->first;
        if (row < 0 || row >= part->count)
            st = vgae_fail(ctx, VGAE_EINTERNAL, "a process asked for position %d, which part %d does not hold",
                           h->send[k], part->part);
        h->send[k] = row;
    }
    return vgae_comm_agree(ctx, comm, st, NULL);
}

vgae_status vgae_halo_exchange(vgae_ctx *ctx, vgae_comm *comm, vgae_halo *h, const vgae_real *local, int64_t width,
                               vgae_real *stage, vgae_real *out)
{
    const int p = h->parts;
    const size_t row_bytes = (size_t)width * sizeof *local;
    for (int64_t k = 0; k < h->n_send; k++)
        memcpy((unsigned char *)stage + (size_t)k * row_bytes, local + (size_t)h->send[k] * (size_t)width, row_bytes);
    int64_t *b = h->bytes;
    for (int r = 0; r < p; r++) {
        b[r] = h->send_rows[r] * (int64_t)row_bytes;
        b[p + r] = h->send_at[r] * (int64_t)row_bytes;
        b[2 * p + r] = h->recv_rows[r] * (int64_t)row_bytes;
        b[3 * p + r] = h->recv_at[r] * (int64_t)row_bytes;
    }
    return vgae_comm_alltoallv(ctx, comm, stage, b, b + p, out, b + 2 * p, b + 3 * p);
}
