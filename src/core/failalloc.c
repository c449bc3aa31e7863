/* The allocation-failure test build's allocator: the n-th allocation made
 * by vgae's own code (and by CHOLMOD, whose allocator is routed here) fails
 * when VGAE_FAIL_ALLOC=n; with VGAE_FAIL_ALLOC_COUNT=FILE the number of
 * allocations made is written to FILE at exit, so that a sweep knows how
 * far to go (tools/failalloc). Compiled only by -Dfailalloc=true. */
/* this file uses the real allocator: the macros go before the system headers come */
#undef malloc
#undef calloc
#undef realloc
#undef aligned_alloc
#undef strdup

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SuiteSparse_config.h>

static atomic_long made;
static long fail_at = -1; /* -1: not read yet; 0: never */

static int fails(void)
{
    if (fail_at < 0) {
        const char *v = getenv("VGAE_FAIL_ALLOC");
        fail_at = v ? atol(v) : 0;
    }
    const long k = atomic_fetch_add(&made, 1) + 1;
    return fail_at > 0 && k == fail_at;
}

void *vgae_fa_malloc(size_t n)
{
    return fails() ? NULL : malloc(n);
}

void *vgae_fa_calloc(size_t count, size_t size)
{
    return fails() ? NULL : calloc(count, size);
}

void *vgae_fa_realloc(void *p, size_t n)
{
    return fails() ? NULL : realloc(p, n);
}

void *vgae_fa_aligned_alloc(size_t align, size_t n)
{
    return fails() ? NULL : aligned_alloc(align, n);
}

char *vgae_fa_strdup(const char *s)
{
    return fails() ? NULL : strdup(s);
}

static void report(void)
{
    const char *path = getenv("VGAE_FAIL_ALLOC_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%ld\n", (long)atomic_load(&made));
        fclose(f);
    }
}

__attribute__((constructor)) static void route(void)
{
    /* CHOLMOD allocates through SuiteSparse_config: its allocations count too */
    SuiteSparse_config.malloc_func = vgae_fa_malloc;
    SuiteSparse_config.calloc_func = vgae_fa_calloc;
    SuiteSparse_config.realloc_func = vgae_fa_realloc;
    atexit(report);
}
