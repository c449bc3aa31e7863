/* Timing helpers shared by the benchmarks: a monotonic clock and the median of repeated runs. */
#ifndef VGAE_BENCH_H
#define VGAE_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#include "vgae/vgae.h"

extern char *openblas_get_corename(void);

/* The library's clock (private: the benchmarks link the static archive). */
double vgae_now(void);
#define now vgae_now

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { REPS = 41 };

/* Median time in microseconds of REPS calls, after one warm-up call. */
#define MEDIAN_US(out, call)                                  \
    do {                                                      \
        double t_[REPS];                                      \
        call;                                                 \
        for (int r_ = 0; r_ < REPS; r_++) {                   \
            double t0_ = now();                               \
            call;                                             \
            t_[r_] = 1e6 * (now() - t0_);                     \
        }                                                     \
        qsort(t_, REPS, sizeof t_[0], cmp_double);            \
        (out) = t_[REPS / 2];                                 \
    } while (0)

/* Loads dataset `name` from the folders of $VGAE_DATA: 1 on success; 0 if
 * it is not there (a line saying so is printed); -1 on an error (printed,
 * prefixed with `prog`). */
static inline int bench_load(vgae_ctx *ctx, const char *prog, const char *name, vgae_dataset **ds)
{
    char *dir = NULL;
    *ds = NULL;
    if (vgae_dataset_find(ctx, name, getenv("VGAE_DATA"), &dir)) {
        printf("%-9s (not found: %s)\n", name, vgae_ctx_message(ctx));
        return 0;
    }
    free(dir);
    vgae_dataset_source src = {.name = name};
    vgae_status st = vgae_dataset_load(ctx, &src, getenv("VGAE_DATA"), ds);
    if (st) {
        fprintf(stderr, "%s: %s\n", prog, vgae_ctx_message(ctx));
        return -1;
    }
    return 1;
}

#endif
