/* Benchmark: what memory gives on this machine, on 1 and 2 threads.
 *
 * Two figures bound the graph models at scale and say how far a second core
 * can help a memory-bound pass:
 *   - streaming bandwidth (STREAM's triad a = b + s c over 3 x 128 MB);
 *   - random row gathers: vgae_csr_spmm, Y = A X, over a graph with no
 *     locality (as G(n,m)): each of 10^6 rows of A adds DEG rows of X drawn
 *     at random, X of width 16 and 32 floats (one and two cache lines), X in
 *     4 KB pages (malloc) and in 2 MB pages (vgae's allocator asks for
 *     transparent huge pages: what the models get).
 * Prints GB/s (triad: 3 arrays' bytes, as STREAM counts; gathers: the rows
 * gathered), ns per gathered row, and the 2-thread / 1-thread ratio. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/internal.h"

#include "bench.h"

enum { TRIAD_N = 32 * 1024 * 1024, ROWS = 1000000, DEG = 18, TRIES = 7 };

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return t[n / 2];
}

static double triad(float *a, const float *b, const float *c, int threads)
{
    double t[TRIES];
    for (int r = 0; r < TRIES; r++) {
        double t0 = now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < TRIAD_N; i++)
            a[i] = b[i] + 3.0f * c[i];
        t[r] = now() - t0;
    }
    return median(t, TRIES);
}

static void row(const char *name, double t1, double t2, double rows, double bytes)
{
    printf("%-34s %10.1f %10.1f %10.2f %10.2f %7.2fx\n", name, bytes / t1 / 1e9, bytes / t2 / 1e9, 1e9 * t1 / rows,
           1e9 * t2 / rows, t1 / t2);
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    vgae_ctx *ctx = vgae_ctx_new();
    vgae_csr *g = NULL;
    const size_t xbytes = sizeof(float) * ROWS * 32;
    float *a = malloc(sizeof(float) * TRIAD_N), *b = malloc(sizeof(float) * TRIAD_N),
          *c = malloc(sizeof(float) * TRIAD_N);
    float *x4k = malloc(xbytes), *y = malloc(xbytes), *xhuge = ctx ? vgae_alloc_zeroed(ctx, xbytes) : NULL;
    if (!ctx || !a || !b || !c || !x4k || !y || !xhuge || vgae_csr_new(ctx, ROWS, ROWS, (int64_t)ROWS * DEG, &g)) {
        fprintf(stderr, "bench_mem: out of memory\n");
        return 1;
    }
#pragma omp parallel for num_threads(2) schedule(static)
    for (int64_t i = 0; i < TRIAD_N; i++) {
        a[i] = 0;
        b[i] = (float)(i % 7);
        c[i] = (float)(i % 5);
    }
    for (int64_t i = 0; i < (int64_t)ROWS * 32; i++)
        x4k[i] = xhuge[i] = (float)(i % 11), y[i] = 0;
    /* the rows' neighbours, drawn at random (xorshift), ascending within a row as CSR keeps them */
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int64_t p = 0; p < (int64_t)ROWS * DEG; p++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        g->col[p] = (int32_t)(s % ROWS);
        g->val[p] = 1.0f;
    }
    for (int64_t i = 0; i <= ROWS; i++)
        g->rowptr[i] = i * DEG;
    for (int64_t i = 0; i < ROWS; i++)
        qsort(g->col + i * DEG, DEG, sizeof(int32_t), cmp_int32);

    printf("memory, 1 and 2 threads (%d processors); median of %d runs (triad), %d (products)\n\n",
           omp_get_num_procs(), TRIES, REPS);
    printf("%-34s %10s %10s %10s %10s %8s\n", "pass", "1t GB/s", "2t GB/s", "1t ns/row", "2t ns/row", "2t/1t");
    row("triad (3 x 128 MB)", triad(a, b, c, 1), triad(a, b, c, 2), (double)TRIAD_N, 3.0 * sizeof(float) * TRIAD_N);
    const float *xs[2] = {x4k, xhuge};
    const char *pages[2] = {"4 KB", "2 MB"};
    for (int w = 16; w <= 32; w *= 2)
        for (int k = 0; k < 2; k++) {
            double rows = (double)ROWS * DEG, bytes = rows * (double)w * sizeof(float), t1, t2;
            char name[64];
            vgae_ctx_set_threads(ctx, 1);
            MEDIAN_US(t1, vgae_csr_spmm(ctx, g, xs[k], w, y));
            vgae_ctx_set_threads(ctx, 2);
            MEDIAN_US(t2, vgae_csr_spmm(ctx, g, xs[k], w, y));
            snprintf(name, sizeof name, "vgae_csr_spmm x %d, %s pages", w, pages[k]);
            row(name, t1 * 1e-6, t2 * 1e-6, rows, bytes);
        }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\n%d rows of %d random neighbours each (as the 10^6-node, 10^7-edge G(n,m) graph's propagation\n"
           "matrix); transparent huge pages: ", ROWS, DEG);
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char thp[128] = "unknown\n";
    if (f) {
        if (!fgets(thp, sizeof thp, f))
            strcpy(thp, "unknown\n");
        fclose(f);
    }
    printf("%s", thp);
    printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    free(a), free(b), free(c), free(x4k), free(y), free(xhuge);
    vgae_csr_free(g);
    vgae_ctx_free(ctx);
    return 0;
}
