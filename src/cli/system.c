/* The machine: OpenBLAS's kernels (re-executing for faster ones), the default thread count, the system report. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);

static const char *blas_corename(void)
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
    if (!want || kernel_rank(blas_corename()) >= kernel_rank(want))
        return;
    /* OpenBLAS picks its kernels in a library constructor, so only a fresh
     * process sees the variable. If exec fails we simply go on, slower. */
    setenv("OPENBLAS_CORETYPE", want, 1);
    /* remembers what OpenBLAS had picked, for --verbose */
    setenv("VGAE_BLAS_REEXEC", blas_corename(), 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
}

/* Why these kernels: OpenBLAS's own pick, the user's OPENBLAS_CORETYPE, or
 * ours after re-executing. */
static const char *blas_origin(char *buf, size_t size)
{
    const char *was = getenv("VGAE_BLAS_REEXEC"), *set = getenv("OPENBLAS_CORETYPE");
    if (was && set)
        snprintf(buf, size, "set by vgae: OpenBLAS picked %s", was);
    else if (set)
        snprintf(buf, size, "from OPENBLAS_CORETYPE=%s", set);
    else
        snprintf(buf, size, "picked by OpenBLAS");
    return buf;
}

void cli_system_report(FILE *out, int json, long threads)
{
    char origin[128];
    const char *config = openblas_get_config();
    blas_origin(origin, sizeof origin);
    if (json) {
        fputs("{\"vgae\":", out);
        cli_json_string(vgae_version());
        fputs(",\"blas_kernels\":", out);
        cli_json_string(blas_corename());
        fputs(",\"blas_kernels_origin\":", out);
        cli_json_string(origin);
        fputs(",\"blas_config\":", out);
        cli_json_string(config ? config : "unknown");
        fputs(",\"core_kernels\":", out);
        cli_json_string(vgae_kernel_isa());
        fprintf(out, ",\"threads\":%ld}\n", threads);
        return;
    }
    fprintf(out, "OpenBLAS kernels: %s (%s)\n", blas_corename(), origin);
    fprintf(out, "OpenBLAS build: %s\n", config ? config : "unknown");
    fprintf(out, "vgae kernels: %s\n", vgae_kernel_isa());
    long procs = sysconf(_SC_NPROCESSORS_ONLN), busy = procs > threads ? procs - threads : 0;
    fprintf(out, "threads: %ld by default (%ld processors, %ld busy with other work; --threads sets it);"
                 " OpenBLAS runs on one thread inside each\n", threads, procs, busy);
}

/* Tasks running or ready to run right now, from /proc/stat; -1 if unknown. */
static long runnable_now(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    long n = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "procs_running %ld", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

/* This process's threads that are running or ready to run (OpenBLAS's own
 * threads spin for a while after the library loads). */
static long own_runnable(void)
{
    DIR *d = opendir("/proc/self/task");
    long n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[64], buf[256];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%.20s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[len] = 0;
        const char *state = strrchr(buf, ')'); /* "pid (name) S ..." */
        if (state && state[1] == ' ' && state[2] == 'R')
            n++;
    }
    if (d)
        closedir(d);
    return n > 0 ? n : 1;
}

/* Processors busy with other processes' work right now (0 if unknown). */
static long busy_processors(void)
{
    /* the fewest of a few looks 1 ms apart, so that a short-lived task
     * (a shell, a compiler starting) is not taken for steady work */
    long busy = -1;
    for (int k = 0; k < 5; k++) {
        long all = runnable_now();
        if (all < 0)
            return 0;
        long others = all - own_runnable();
        if (busy < 0 || others < busy)
            busy = others;
        if (busy <= 0)
            break;
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    return busy > 0 ? busy : 0;
}

int cli_default_threads(void)
{
    /* One thread per processor not busy with other work: a thread that
     * shares its core waits at every join, which costs more than its work
     * gives (2 threads on 2 cores with one busy ran 5x slower than 1).
     * Results do not depend on the count. */
    static int threads = 0;
    if (threads > 0)
        return threads;
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    if (procs < 1)
        procs = 1;
    long free_procs = procs - busy_processors();
    threads = free_procs > 0 ? (int)free_procs : 1;
    return threads;
}

