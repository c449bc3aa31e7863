/* The layout of struct vgae_ctx, shared by the core files that need it. */
#ifndef VGAE_CONTEXT_IMPL_H
#define VGAE_CONTEXT_IMPL_H

#include <signal.h>

#include <cholmod.h>
#include "vgae/core/context.h"

struct vgae_ctx {
    vgae_status status;
    char message[1024];
    int threads;
    vgae_log_fn log;
    void *log_user;
    vgae_log_level log_min;
    uint64_t seed;
    vgae_progress_fn progress;
    void *progress_user;
    volatile sig_atomic_t interrupted; /* set by vgae_ctx_interrupt, maybe from a signal handler */
    int64_t node_base;                 /* vgae_ctx_set_max_nodes; 0: VGAE_NODE_BASE */
    int64_t max_inflated;              /* vgae_ctx_set_max_inflated; 0: the default rule */
    vgae_rng streams[VGAE_STREAM_COUNT + 1]; /* the last: for an invalid stream id */
    cholmod_common cholmod; /* CHOLMOD's workspace and settings for this context */
};

#endif
