/* Library-internal helpers: errors and logging through the context, allocation, the clock. */
#ifndef VGAE_CORE_INTERNAL_H
#define VGAE_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vgae/core/context.h"

#if defined(__GNUC__)
#define VGAE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VGAE_PRINTF(a, b)
#endif

/* Records an error in ctx and returns status (for `return vgae_fail(...)`). */
vgae_status vgae_fail(vgae_ctx *ctx, vgae_status status, const char *fmt, ...) VGAE_PRINTF(3, 4);
/* The same, with the message prefixed by "path:line: " (line 0: "path: "). */
vgae_status vgae_fail_at(vgae_ctx *ctx, vgae_status status, const char *path, int64_t line,
                         const char *fmt, ...) VGAE_PRINTF(5, 6);
/* Puts "prefix" before the message already recorded (e.g. a file name). */
void vgae_fail_prefix(vgae_ctx *ctx, const char *fmt, ...) VGAE_PRINTF(2, 3);

/* Sends one formatted line to the context's log callback, if any. */
void vgae_log(vgae_ctx *ctx, vgae_log_level level, const char *fmt, ...) VGAE_PRINTF(3, 4);

/* malloc with overflow-checked count * size; records VGAE_ENOMEM on failure. */
void *vgae_alloc(vgae_ctx *ctx, size_t count, size_t size);
void *vgae_calloc(vgae_ctx *ctx, size_t count, size_t size);
/* bytes of zeros, 64-byte aligned (free with free()); from 4 MiB up on
 * 2 MiB boundaries and given to the kernel as candidates for transparent
 * huge pages (a node-embedding matrix of 10^6 rows is read at random: 4 KiB
 * pages miss the TLB on nearly every row, and each fault zeroes 4 KiB). */
void *vgae_alloc_zeroed(vgae_ctx *ctx, size_t bytes);
/* strdup that records VGAE_ENOMEM on failure. */
char *vgae_strdup(vgae_ctx *ctx, const char *s);
/* Grows *buf (holding *cap elements of size) to at least need elements. */
vgae_status vgae_grow(vgae_ctx *ctx, void **buf, size_t *cap, size_t need, size_t size);
/* The same, to need and 1/16 more: for a buffer whose need moves a little
 * from call to call (doubling would leave up to half of it unused). */
vgae_status vgae_reserve(vgae_ctx *ctx, void **buf, size_t *cap, size_t need, size_t size);

/* The most nodes (or matrix rows / columns) accepted from a file holding
 * `entries` entries or bytes: the context's base (vgae_ctx_set_max_nodes,
 * 2^20 by default) plus 16 per entry. A header or an id beyond that is
 * refused before anything is allocated (a 10-byte edge list naming node
 * 2^24 would cost half a gigabyte; one naming 2^31, 16 GB of row
 * pointers). ctx may be NULL: the default. */
int64_t vgae_max_nodes(const vgae_ctx *ctx, int64_t entries);
/* The most bytes a gzip file of `compressed` bytes may decompress to
 * (vgae_ctx_set_max_inflated). */
int64_t vgae_max_inflated(const vgae_ctx *ctx, int64_t compressed);
/* The sentence naming that limit, for messages: "at most N for E entries:
 * B + 16 per entry; --max-nodes raises B". buf holds 160 bytes. */
const char *vgae_max_nodes_rule(const vgae_ctx *ctx, int64_t entries, char *buf);

/* The shortest "%.15g".."%.17g" text of x that reads back as exactly x
 * (0.05 rather than 0.050000000000000003). buf holds at least 32 bytes. */
const char *vgae_format_double(char *buf, double x);

/* Seconds on the monotonic clock: the library's one clock (training time,
 * progress). */
double vgae_now(void);
/* Reports a step's progress to the context's vgae_progress_fn, if any. */
void vgae_progress(vgae_ctx *ctx, const char *what, int64_t done, int64_t total);

/* An outfile committed even after vgae_interrupt_all: a checkpoint, which
 * is what a stopped run is to leave behind. */
struct vgae_outfile;
void vgae_outfile_keep_when_interrupted(struct vgae_outfile *out);

/* The absolute form of an existing path, malloc'ed; NULL (with a message
 * naming the path) if it cannot be resolved. */
char *vgae_absolute_path(vgae_ctx *ctx, const char *path);

#endif
