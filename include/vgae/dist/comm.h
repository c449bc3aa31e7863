/* The processes of a distributed run (MPI, when vgae is built with it; else one process alone). */
#ifndef VGAE_DIST_COMM_H
#define VGAE_DIST_COMM_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The processes that train together: MPI_COMM_WORLD of the processes
 * mpirun started, or, in a build without MPI, this process alone (rank 0
 * of 1). Only commands that train across processes open one: without it a
 * program never starts MPI. */
typedef struct vgae_comm vgae_comm;

/* 1 if this build has MPI (the library's version string in *version, if
 * not NULL), else 0. */
VGAE_EXPORT int vgae_comm_has_mpi(const char **version);

/* Joins the run: MPI_Init_thread (funneled: OpenMP threads compute, the
 * main thread communicates) unless MPI is running already, with errors
 * returned rather than fatal. */
VGAE_EXPORT vgae_status vgae_comm_open(vgae_ctx *ctx, int *argc, char ***argv, vgae_comm **out);
/* Leaves: MPI_Finalize if vgae_comm_open started MPI. Accepts NULL. */
VGAE_EXPORT void vgae_comm_close(vgae_comm *c);
VGAE_EXPORT int vgae_comm_rank(const vgae_comm *c);
VGAE_EXPORT int vgae_comm_size(const vgae_comm *c);

/* Every process calls this with its status after work that may fail on
 * some of them, before the next exchange (a process that failed and left
 * would leave the others waiting forever). Returns st on a process that
 * failed; VGAE_EPEER on the others when any failed, with a message naming
 * the first failed rank; VGAE_OK when none did. *first_failed (may be
 * NULL) receives that rank, or -1. */
VGAE_EXPORT vgae_status vgae_comm_agree(vgae_ctx *ctx, vgae_comm *c, vgae_status st, int *first_failed);

/* Rank 0 receives every process's bytes, in rank order, into *all
 * (malloc'ed; sizes in counts, size values); the others send theirs and
 * receive nothing (*all NULL). Collective. */
VGAE_EXPORT vgae_status vgae_comm_gather(vgae_ctx *ctx, vgae_comm *c, const void *mine, int64_t bytes, unsigned char **all,
                             int64_t *counts);
/* Bytes this process has sent since it opened (payload, as counted by
 * vgae's exchanges) and how many exchanges. */
VGAE_EXPORT int64_t vgae_comm_bytes_sent(const vgae_comm *c);
VGAE_EXPORT int64_t vgae_comm_messages(const vgae_comm *c);
/* Seconds this process has spent in exchanges since it opened, waiting
 * for the others included (0 alone). */
VGAE_EXPORT double vgae_comm_seconds(const vgae_comm *c);

#ifdef __cplusplus
}
#endif
#endif
