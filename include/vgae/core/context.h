/* The per-run context: last error message, thread count, random streams and log callback. */
#ifndef VGAE_CORE_CONTEXT_H
#define VGAE_CORE_CONTEXT_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/core/rng.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque. One context per thread of use; it is not shared between threads. */
typedef struct vgae_ctx vgae_ctx;

typedef enum vgae_log_level {
    VGAE_LOG_DEBUG = 0,
    VGAE_LOG_INFO = 1, /* progress and facts about the data */
    VGAE_LOG_NOTE = 2, /* something the user should know: data was altered */
    VGAE_LOG_WARN = 3  /* probably not what the user wanted */
} vgae_log_level;

/* Receives log messages (one line, no trailing newline). */
typedef void (*vgae_log_fn)(void *user, vgae_log_level level, const char *message);

/* Creates a context with the defaults: 1 thread, no log callback. Returns
 * NULL only when memory is exhausted. */
VGAE_EXPORT vgae_ctx *vgae_ctx_new(void);
/* Frees a context; accepts NULL. */
VGAE_EXPORT void vgae_ctx_free(vgae_ctx *ctx);

/* The message of the last error ("" if none). Valid until the next call
 * that takes this context. */
VGAE_EXPORT const char *vgae_ctx_message(const vgae_ctx *ctx);
/* The status of the last error (VGAE_OK if none). */
VGAE_EXPORT vgae_status vgae_ctx_status(const vgae_ctx *ctx);
/* Forgets the last error. */
VGAE_EXPORT void vgae_ctx_clear(vgae_ctx *ctx);

/* Asks the long loops running on ctx (the epochs of vgae_graph_ae_fit) to
 * stop at their next check, which fails with VGAE_EINTR and leaves the
 * model whole (the weights after the last finished epoch). Safe to call
 * from a signal handler or another thread; vgae_ctx_clear resets it. */
VGAE_EXPORT void vgae_ctx_interrupt(vgae_ctx *ctx);
/* Whether ctx was interrupted, or every context was (vgae_interrupt_all). */
VGAE_EXPORT int vgae_ctx_interrupted(const vgae_ctx *ctx);
/* Interrupts every context of the process, for good (a program's signal
 * handler: async-signal-safe). Output files not yet committed are then
 * not committed: vgae_outfile_commit fails with VGAE_EINTR and writes
 * nothing. */
VGAE_EXPORT void vgae_interrupt_all(void);
/* Whether vgae_interrupt_all was called. */
VGAE_EXPORT int vgae_all_interrupted(void);

/* The readers refuse a file that implies more nodes than base + 16 per
 * entry (edge, matrix entry, or byte of a Pajek file) before allocating
 * them: 2^20 + 16 per entry by default (base 0); a larger base lets in
 * graphs with many isolated nodes, at their cost in memory. */
VGAE_EXPORT void vgae_ctx_set_max_nodes(vgae_ctx *ctx, int64_t base);
/* A gzip file may decompress to at most this many bytes: by default (0)
 * 256 MiB or 64 times its compressed size, whichever is more (text
 * compresses 3 to 20 times; a file of one repeated byte, 1000 times). A
 * file that would exceed it is refused as soon as it does. */
VGAE_EXPORT void vgae_ctx_set_max_inflated(vgae_ctx *ctx, int64_t bytes);

/* Number of threads the library's parallel loops may use (>= 1). Results
 * do not depend on it: every parallel loop splits its work into parts fixed
 * by the sizes alone and sums them in a fixed order. Matrix products run
 * OpenBLAS on one thread per block (vgae_ctx_new sets OpenBLAS, process-wide,
 * to one thread: its own threading changes the bits with the thread count). */
VGAE_EXPORT void vgae_ctx_set_threads(vgae_ctx *ctx, int threads);
/* The threads set; 1 when called inside an active OpenMP parallel region
 * (a model's lanes, each on one thread, run their kernels on that thread). */
VGAE_EXPORT int vgae_ctx_threads(const vgae_ctx *ctx);

/* Sets the seed and restarts every named stream from it (the default seed is 0). */
VGAE_EXPORT void vgae_ctx_set_seed(vgae_ctx *ctx, uint64_t seed);
VGAE_EXPORT uint64_t vgae_ctx_seed(const vgae_ctx *ctx);
/* The context's stream for one use (VGAE_STREAM_INIT, ...). Draws from one
 * stream never move another (an id outside the enum gets a separate spare
 * stream). */
VGAE_EXPORT vgae_rng *vgae_ctx_rng(vgae_ctx *ctx, vgae_stream stream);

/* Installs a log callback (NULL to silence). Messages below min_level are
 * not formatted at all. */
VGAE_EXPORT void vgae_ctx_set_log(vgae_ctx *ctx, vgae_log_fn fn, void *user, vgae_log_level min_level);

/* Progress of the long steps that have no callback of their own (writing
 * a graph file, generating a graph): fn(user, what, done, total) is called
 * when a step starts (done 0), now and then as it goes, and when it ends
 * (done == total); total 0: the step cannot say how far it is (igraph's
 * generators). NULL: no progress (the default). */
typedef void (*vgae_progress_fn)(void *user, const char *what, int64_t done, int64_t total);
VGAE_EXPORT void vgae_ctx_set_progress(vgae_ctx *ctx, vgae_progress_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
