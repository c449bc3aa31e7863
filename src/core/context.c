/* The context object: error recording, logging, threads and allocation helpers. */
/* madvise advice (MADV_HUGEPAGE) is a Linux extension beyond POSIX */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cblas.h>
#include <omp.h>

#include "core/context_impl.h"
#include "core/internal.h"
#include "core/libguard.h"

vgae_ctx *vgae_ctx_new(void)
{
    vgae_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->threads = 1;
    ctx->log_min = VGAE_LOG_INFO;
    vgae_ctx_set_seed(ctx, 0);
    /* OpenBLAS's own threads give thread-count-dependent bits (0.3.21):
     * the library calls it single-threaded and splits products itself. */
    openblas_set_num_threads(1);
    vgae_cholmod_init(ctx, &ctx->cholmod);
    return ctx;
}

void vgae_ctx_free(vgae_ctx *ctx)
{
    if (!ctx)
        return;
    vgae_cholmod_finish(ctx, &ctx->cholmod);
    free(ctx);
}

const char *vgae_ctx_message(const vgae_ctx *ctx)
{
    return ctx->message;
}

vgae_status vgae_ctx_status(const vgae_ctx *ctx)
{
    return ctx->status;
}

void vgae_ctx_clear(vgae_ctx *ctx)
{
    ctx->status = VGAE_OK;
    ctx->message[0] = '\0';
    ctx->interrupted = 0;
}

void vgae_ctx_set_progress(vgae_ctx *ctx, vgae_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void vgae_progress(vgae_ctx *ctx, const char *what, int64_t done, int64_t total)
{
    if (ctx && ctx->progress)
        ctx->progress(ctx->progress_user, what, done, total);
}

void vgae_ctx_interrupt(vgae_ctx *ctx)
{
    ctx->interrupted = 1;
}

#define VGAE_NODE_BASE ((int64_t)1 << 20)

void vgae_ctx_set_max_nodes(vgae_ctx *ctx, int64_t base)
{
    ctx->node_base = base > 0 ? base : 0;
}

int64_t vgae_max_nodes(const vgae_ctx *ctx, int64_t entries)
{
    const int64_t base = ctx && ctx->node_base ? ctx->node_base : VGAE_NODE_BASE;
    return base + 16 * entries;
}

const char *vgae_max_nodes_rule(const vgae_ctx *ctx, int64_t entries, char *buf)
{
    const int64_t base = ctx && ctx->node_base ? ctx->node_base : VGAE_NODE_BASE;
    snprintf(buf, 160, "at most %lld for %lld entries: %lld + 16 per entry; --max-nodes raises the %lld",
             (long long)vgae_max_nodes(ctx, entries), (long long)entries, (long long)base, (long long)base);
    return buf;
}

void vgae_ctx_set_max_inflated(vgae_ctx *ctx, int64_t bytes)
{
    ctx->max_inflated = bytes > 0 ? bytes : 0;
}

int64_t vgae_max_inflated(const vgae_ctx *ctx, int64_t compressed)
{
    if (ctx && ctx->max_inflated)
        return ctx->max_inflated;
    const int64_t floor = (int64_t)1 << 28;
    return compressed > floor / 64 ? 64 * compressed : floor;
}

static volatile sig_atomic_t all_interrupted;

void vgae_interrupt_all(void)
{
    all_interrupted = 1;
}

int vgae_all_interrupted(void)
{
    return all_interrupted != 0;
}

int vgae_ctx_interrupted(const vgae_ctx *ctx)
{
    return ctx->interrupted != 0 || all_interrupted != 0;
}

void vgae_ctx_set_threads(vgae_ctx *ctx, int threads)
{
    ctx->threads = threads < 1 ? 1 : threads;
}

int vgae_ctx_threads(const vgae_ctx *ctx)
{
    /* inside a parallel region (a model's lanes, each on one thread), the
     * kernels it calls run on the calling thread alone */
    return omp_in_parallel() ? 1 : ctx->threads;
}

void vgae_ctx_set_seed(vgae_ctx *ctx, uint64_t seed)
{
    ctx->seed = seed;
    for (uint32_t s = 0; s <= VGAE_STREAM_COUNT; s++)
        vgae_rng_init(&ctx->streams[s], seed, s);
}

uint64_t vgae_ctx_seed(const vgae_ctx *ctx)
{
    return ctx->seed;
}

vgae_rng *vgae_ctx_rng(vgae_ctx *ctx, vgae_stream stream)
{
    /* an id outside the enum gets a stream of its own, never a named one */
    return &ctx->streams[(unsigned)stream < VGAE_STREAM_COUNT ? stream : VGAE_STREAM_COUNT];
}

void vgae_ctx_set_log(vgae_ctx *ctx, vgae_log_fn fn, void *user, vgae_log_level min_level)
{
    ctx->log = fn;
    ctx->log_user = user;
    ctx->log_min = min_level;
}

/* Replaces control characters (newlines, escapes from input files) so that
 * a message stays one printable line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static void trim_end(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

static void set_message(vgae_ctx *ctx, vgae_status status, const char *prefix, const char *fmt,
                        va_list ap)
{
    size_t used = 0;
    /* threads of a parallel region may fail at once: one message at a time */
#pragma omp critical(vgae_message)
    {
        ctx->status = status;
        if (prefix) {
            int n = snprintf(ctx->message, sizeof ctx->message, "%s", prefix);
            used = n < 0 ? 0 : (size_t)n < sizeof ctx->message ? (size_t)n : sizeof ctx->message - 1;
        }
        vsnprintf(ctx->message + used, sizeof ctx->message - used, fmt, ap);
        one_line(ctx->message);
        trim_end(ctx->message);
    }
}

vgae_status vgae_fail(vgae_ctx *ctx, vgae_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(ctx, status, NULL, fmt, ap);
    va_end(ap);
    return status;
}

vgae_status vgae_fail_at(vgae_ctx *ctx, vgae_status status, const char *path, int64_t line,
                         const char *fmt, ...)
{
    char prefix[512];
    va_list ap;
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%lld: ", path, (long long)line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", path);
    va_start(ap, fmt);
    set_message(ctx, status, prefix, fmt, ap);
    va_end(ap);
    return status;
}

void vgae_fail_prefix(vgae_ctx *ctx, const char *fmt, ...)
{
    char old[sizeof ctx->message];
    char prefix[512];
    va_list ap;
    memcpy(old, ctx->message, sizeof old);
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    snprintf(ctx->message, sizeof ctx->message, "%s%s", prefix, old);
}

void vgae_log(vgae_ctx *ctx, vgae_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if (!ctx->log || level < ctx->log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    one_line(line);
    ctx->log(ctx->log_user, level, line);
}

void *vgae_alloc(vgae_ctx *ctx, size_t count, size_t size)
{
    void *p;
    if (size != 0 && count > SIZE_MAX / size) {
        vgae_fail(ctx, VGAE_ENOMEM, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    p = malloc(count * size > 0 ? count * size : 1);
    if (!p)
        vgae_fail(ctx, VGAE_ENOMEM, "out of memory (%zu bytes)", count * size);
    return p;
}

void *vgae_calloc(vgae_ctx *ctx, size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        vgae_fail(ctx, VGAE_ENOMEM, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *vgae_alloc_zeroed(vgae_ctx *ctx, size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    const int big = bytes >= 2 * huge;
    const size_t align = big ? huge : 64;
    if (bytes > SIZE_MAX - align) {
        vgae_fail(ctx, VGAE_ENOMEM, "allocation of %zu bytes overflows", bytes);
        return NULL;
    }
    const size_t rounded = bytes ? (bytes + align - 1) / align * align : align;
    void *p = aligned_alloc(align, rounded);
    if (!p) {
        vgae_fail(ctx, VGAE_ENOMEM, "out of memory (%zu bytes)", bytes);
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    if (big) /* advice only: without transparent huge pages nothing changes */
        (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, rounded);
    return p;
}

char *vgae_strdup(vgae_ctx *ctx, const char *s)
{
    char *d = strdup(s);
    if (!d)
        vgae_fail(ctx, VGAE_ENOMEM, "out of memory");
    return d;
}

/* Reallocates *buf to c elements (c >= need > *cap). */
static vgae_status regrow(vgae_ctx *ctx, void **buf, size_t *cap, size_t c, size_t size)
{
    if (c > SIZE_MAX / size)
        return vgae_fail(ctx, VGAE_ENOMEM, "buffer of %zu elements is too large", c);
    void *p = realloc(*buf, c * size);
    if (!p)
        return vgae_fail(ctx, VGAE_ENOMEM, "out of memory (%zu bytes)", c * size);
    *buf = p;
    *cap = c;
    return VGAE_OK;
}

vgae_status vgae_grow(vgae_ctx *ctx, void **buf, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 16;
    if (need <= *cap)
        return VGAE_OK;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return vgae_fail(ctx, VGAE_ENOMEM, "buffer of %zu elements is too large", need);
        c *= 2;
    }
    return regrow(ctx, buf, cap, c, size);
}

vgae_status vgae_reserve(vgae_ctx *ctx, void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return VGAE_OK;
    const size_t slack = need / 16 + 16;
    return regrow(ctx, buf, cap, need > SIZE_MAX - slack ? need : need + slack, size);
}
