/* The processes of a distributed run and their exchanges: MPI when built with it, else one process alone. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dist/comm_impl.h"

#ifdef VGAE_HAVE_MPI
#include <mpi.h>
#endif

struct vgae_comm {
    int rank, size;
    int started;   /* vgae_comm_open called MPI_Init */
    int64_t bytes, messages;
    double seconds; /* in exchanges, waiting for the others included */
    int *ints;     /* 4 x size: MPI's int counts and offsets of an exchange (made once: an
                    * exchange cannot fail for want of memory on one process alone) */
};

int vgae_comm_has_mpi(const char **version)
{
#ifdef VGAE_HAVE_MPI
    if (version) {
        static char text[MPI_MAX_LIBRARY_VERSION_STRING];
        int len = 0;
        MPI_Get_library_version(text, &len);
        char *cut = strpbrk(text, ",\n"); /* "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4" */
        if (cut)
            *cut = '\0';
        *version = text;
    }
    return 1;
#else
    if (version)
        *version = NULL;
    return 0;
#endif
}

#ifdef VGAE_HAVE_MPI
/* MPI's error rc as the context's message. */
static vgae_status mpi_fail(vgae_ctx *ctx, int rc, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error %d", rc);
    return vgae_fail(ctx, VGAE_EINTERNAL, "MPI: %s failed: %s", what, text);
}
/* rc = call, its time added to the comm c's (every function here names its comm c). */
#define TIMED(rc, call)                                        \
    do {                                                       \
        const double t0_ = vgae_now();                         \
        rc = (call);                                           \
        c->seconds += vgae_now() - t0_;                        \
    } while (0)
#define MPI_CHECK(call, what)                                  \
    do {                                                       \
        int rc_;                                               \
        TIMED(rc_, call);                                      \
        if (rc_ != MPI_SUCCESS)                                \
            return mpi_fail(ctx, rc_, what);                   \
    } while (0)

/* A byte count MPI takes (an int). */
static vgae_status int_count(vgae_ctx *ctx, int64_t bytes, int *out)
{
    if (bytes < 0 || bytes > INT_MAX)
        return vgae_fail(ctx, VGAE_ERANGE, "an exchange of %lld bytes is more than MPI's int counts hold",
                         (long long)bytes);
    *out = (int)bytes;
    return VGAE_OK;
}
#endif

vgae_status vgae_comm_open(vgae_ctx *ctx, int *argc, char ***argv, vgae_comm **out)
{
    *out = NULL;
    vgae_comm *c = vgae_calloc(ctx, 1, sizeof *c);
    if (!c)
        return VGAE_ENOMEM;
    c->size = 1;
#ifdef VGAE_HAVE_MPI
    int running = 0, provided = 0;
    MPI_Initialized(&running);
    if (!running) {
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            free(c);
            return vgae_fail(ctx, VGAE_EINTERNAL, "MPI could not start");
        }
        c->started = 1;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
    c->ints = vgae_alloc(ctx, 4 * (size_t)c->size, sizeof *c->ints);
    if (vgae_comm_agree(ctx, c, c->ints ? VGAE_OK : VGAE_ENOMEM, NULL)) {
        vgae_comm_close(c);
        return vgae_ctx_status(ctx);
    }
#else
    (void)argc;
    (void)argv;
#endif
    *out = c;
    return VGAE_OK;
}

void vgae_comm_close(vgae_comm *c)
{
    if (!c)
        return;
#ifdef VGAE_HAVE_MPI
    if (c->started)
        MPI_Finalize();
#endif
    free(c->ints);
    free(c);
}

int vgae_comm_rank(const vgae_comm *c)
{
    return c->rank;
}

int vgae_comm_size(const vgae_comm *c)
{
    return c->size;
}

int64_t vgae_comm_bytes_sent(const vgae_comm *c)
{
    return c->bytes;
}

int64_t vgae_comm_messages(const vgae_comm *c)
{
    return c->messages;
}

double vgae_comm_seconds(const vgae_comm *c)
{
    return c->seconds;
}

vgae_status vgae_comm_agree(vgae_ctx *ctx, vgae_comm *c, vgae_status st, int *first_failed)
{
    int first = st ? c->rank : c->size;
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        const int mine = first;
        int rc;
        TIMED(rc, MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD));
        if (rc != MPI_SUCCESS && !st)
            st = mpi_fail(ctx, rc, "agreeing on the status");
        c->messages++;
        c->bytes += (int64_t)sizeof mine;
    }
#endif
    if (first_failed)
        *first_failed = first < c->size ? first : -1;
    if (st || first == c->size)
        return st;
    return vgae_fail(ctx, VGAE_EPEER, "process %d of %d failed (it printed why)", first, c->size);
}

vgae_status vgae_comm_ordered_sum(vgae_ctx *ctx, vgae_comm *c, const double *partials, int64_t mine, int64_t len,
                                  double *out)
{
#ifdef VGAE_HAVE_MPI
    int count = 0;
    if (c->size > 1) {
        vgae_status st = int_count(ctx, len, &count);
        if (st)
            return st;
    }
    if (c->size > 1 && c->rank > 0)
        MPI_CHECK(MPI_Recv(out, count, MPI_DOUBLE, c->rank - 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
                  "receiving a sum");
    else
#endif
        memset(out, 0, (size_t)len * sizeof *out);
    for (int64_t b = 0; b < mine; b++) {
        const double *p = partials + b * len;
        for (int64_t i = 0; i < len; i++)
            out[i] += p[i];
    }
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        if (c->rank < c->size - 1) {
            MPI_CHECK(MPI_Send(out, count, MPI_DOUBLE, c->rank + 1, 1, MPI_COMM_WORLD), "passing a sum on");
            c->bytes += len * (int64_t)sizeof *out;
            c->messages++;
        }
        MPI_CHECK(MPI_Bcast(out, count, MPI_DOUBLE, c->size - 1, MPI_COMM_WORLD), "broadcasting a sum");
        if (c->rank == c->size - 1) {
            c->bytes += len * (int64_t)sizeof *out * (c->size - 1);
            c->messages += c->size - 1;
        }
    }
#else
    (void)ctx;
    (void)c;
#endif
    return VGAE_OK;
}

vgae_status vgae_comm_allgather_u64(vgae_ctx *ctx, vgae_comm *c, uint64_t mine, uint64_t *all)
{
    all[0] = mine;
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        MPI_CHECK(MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD), "gathering values");
        c->bytes += (int64_t)sizeof mine * (c->size - 1);
        c->messages += c->size - 1;
    }
#else
    (void)ctx;
    (void)c;
#endif
    return VGAE_OK;
}

vgae_status vgae_comm_alltoall_i64(vgae_ctx *ctx, vgae_comm *c, const int64_t *send, int64_t *recv)
{
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        MPI_CHECK(MPI_Alltoall(send, 1, MPI_INT64_T, recv, 1, MPI_INT64_T, MPI_COMM_WORLD), "exchanging counts");
        c->bytes += (int64_t)sizeof *send * (c->size - 1);
        c->messages += c->size - 1;
        return VGAE_OK;
    }
#endif
    (void)ctx;
    (void)c;
    recv[0] = send[0];
    return VGAE_OK;
}

vgae_status vgae_comm_alltoallv(vgae_ctx *ctx, vgae_comm *c, const void *send, const int64_t *send_bytes,
                                const int64_t *send_off, void *recv, const int64_t *recv_bytes,
                                const int64_t *recv_off)
{
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        const int p = c->size;
        int *v = c->ints;
        vgae_status st = VGAE_OK;
        for (int r = 0; !st && r < p; r++) {
            st = int_count(ctx, send_bytes[r], &v[r]);
            if (!st) st = int_count(ctx, send_off[r], &v[p + r]);
            if (!st) st = int_count(ctx, recv_bytes[r], &v[2 * p + r]);
            if (!st) st = int_count(ctx, recv_off[r], &v[3 * p + r]);
            if (!st && r != c->rank) {
                c->bytes += send_bytes[r];
                c->messages += send_bytes[r] > 0;
            }
        }
        /* the counts are this process's own: one that cannot send them stops all */
        st = vgae_comm_agree(ctx, c, st, NULL);
        int rc = MPI_SUCCESS;
        if (!st)
            TIMED(rc, MPI_Alltoallv(send, v, v + p, MPI_BYTE, recv, v + 2 * p, v + 3 * p, MPI_BYTE, MPI_COMM_WORLD));
        if (rc != MPI_SUCCESS)
            return mpi_fail(ctx, rc, "exchanging rows");
        return st;
    }
#endif
    (void)ctx;
    (void)c;
    (void)recv_bytes;
    if (send_bytes[0])
        memcpy((unsigned char *)recv + recv_off[0], (const unsigned char *)send + send_off[0], (size_t)send_bytes[0]);
    return VGAE_OK;
}

vgae_status vgae_comm_gather(vgae_ctx *ctx, vgae_comm *c, const void *mine, int64_t bytes, unsigned char **all,
                             int64_t *counts)
{
    *all = NULL;
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        /* every step that may fail on one process is agreed on before the
         * next collective: a process that left would leave the others waiting */
        const int p = c->size;
        int64_t *sizes = vgae_alloc(ctx, (size_t)p, sizeof *sizes);
        int *v = c->ints;
        int count = 0;
        vgae_status st = sizes ? int_count(ctx, bytes, &count) : VGAE_ENOMEM;
        st = vgae_comm_agree(ctx, c, st, NULL);
        int rc = MPI_SUCCESS;
        if (!st)
            TIMED(rc, MPI_Gather(&bytes, 1, MPI_INT64_T, sizes, 1, MPI_INT64_T, 0, MPI_COMM_WORLD));
        if (!st && rc == MPI_SUCCESS) {
            int64_t total = 0;
            for (int r = 0; !st && c->rank == 0 && r < p; r++) { /* process 0: where each one's bytes go */
                counts[r] = sizes[r];
                st = int_count(ctx, total, &v[p + r]);
                if (!st)
                    st = int_count(ctx, sizes[r], &v[r]);
                total += sizes[r];
            }
            if (!st && c->rank == 0 && !(*all = vgae_alloc(ctx, (size_t)(total ? total : 1), 1)))
                st = VGAE_ENOMEM;
            st = vgae_comm_agree(ctx, c, st, NULL);
            if (!st)
                TIMED(rc, MPI_Gatherv(mine, count, MPI_BYTE, *all, v, v + p, MPI_BYTE, 0, MPI_COMM_WORLD));
            if (c->rank != 0) {
                c->bytes += bytes + (int64_t)sizeof bytes;
                c->messages += 2;
            }
        }
        free(sizes);
        if (rc != MPI_SUCCESS)
            st = mpi_fail(ctx, rc, "gathering to process 0");
        if (st) {
            free(*all);
            *all = NULL;
        }
        return st;
    }
#endif
    (void)c;
    counts[0] = bytes;
    if (!(*all = vgae_alloc(ctx, (size_t)(bytes ? bytes : 1), 1)))
        return VGAE_ENOMEM;
    if (bytes)
        memcpy(*all, mine, (size_t)bytes);
    return VGAE_OK;
}

vgae_status vgae_comm_allgatherv(vgae_ctx *ctx, vgae_comm *c, const void *mine, void *all, const int64_t *counts,
                                 const int64_t *offsets)
{
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        const int p = c->size;
        int *v = c->ints;
        vgae_status st = VGAE_OK;
        for (int r = 0; !st && r < p; r++) {
            st = int_count(ctx, counts[r], &v[r]);
            if (!st)
                st = int_count(ctx, offsets[r], &v[p + r]);
        }
        /* every process computes the same counts: they fail alike */
        int rc = MPI_SUCCESS;
        if (!st)
            TIMED(rc, MPI_Allgatherv(mine, v[c->rank], MPI_BYTE, all, v, v + p, MPI_BYTE, MPI_COMM_WORLD));
        if (rc != MPI_SUCCESS)
            return mpi_fail(ctx, rc, "gathering rows on every process");
        c->bytes += counts[c->rank] * (p - 1);
        c->messages += p - 1;
        return st;
    }
#endif
    (void)ctx;
    (void)c;
    if (counts[0])
        memmove((unsigned char *)all + offsets[0], mine, (size_t)counts[0]);
    return VGAE_OK;
}

vgae_status vgae_comm_bcast(vgae_ctx *ctx, vgae_comm *c, void *buf, int64_t bytes, int root)
{
#ifdef VGAE_HAVE_MPI
    if (c->size > 1) {
        int count = 0;
        vgae_status st = int_count(ctx, bytes, &count);
        if (st)
            return st;
        MPI_CHECK(MPI_Bcast(buf, count, MPI_BYTE, root, MPI_COMM_WORLD), "broadcasting");
        if (c->rank == root) {
            c->bytes += bytes * (c->size - 1);
            c->messages += c->size - 1;
        }
    }
#endif
    (void)ctx;
    (void)c;
    (void)buf;
    (void)bytes;
    (void)root;
    return VGAE_OK;
}
