/* The allocation-failure test build (-Dfailalloc=true): every file of the
 * project is compiled with this header first, so that its malloc, calloc,
 * realloc, aligned_alloc and strdup go through counters that fail the n-th
 * allocation (VGAE_FAIL_ALLOC=n; see failalloc.c). Not in normal builds. */
#ifndef VGAE_CORE_FAILALLOC_H
#define VGAE_CORE_FAILALLOC_H

/* only stddef.h here: the system headers come later, after each file's
 * own feature macros (their prototypes then declare these functions) */
#include <stddef.h>

/* exported from the library, so that the command line's allocations count with it */
#define VGAE_FA_API __attribute__((visibility("default")))
VGAE_FA_API void *vgae_fa_malloc(size_t n);
VGAE_FA_API void *vgae_fa_calloc(size_t count, size_t size);
VGAE_FA_API void *vgae_fa_realloc(void *p, size_t n);
VGAE_FA_API void *vgae_fa_aligned_alloc(size_t align, size_t n);
VGAE_FA_API char *vgae_fa_strdup(const char *s);

#define malloc(n) vgae_fa_malloc(n)
#define calloc(c, s) vgae_fa_calloc(c, s)
#define realloc(p, n) vgae_fa_realloc(p, n)
#define aligned_alloc(a, n) vgae_fa_aligned_alloc(a, n)
#define strdup(s) vgae_fa_strdup(s)

#endif
