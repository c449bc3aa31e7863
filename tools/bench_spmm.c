/* Benchmark: vgae's CSR product Y = Â X against CHOLMOD's cholmod_sdmult, same run, as a ratio. */
#include <cholmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vgae/vgae.h"

#include "bench.h"

static int bench(vgae_ctx *ctx, const char *name)
{
    vgae_dataset *ds = NULL;
    vgae_csr *a = NULL;
    int found = bench_load(ctx, "bench_spmm", name, &ds);
    if (found <= 0)
        return found < 0;
    if (vgae_gcn_normalize(ctx, ds->graph, &a)) {
        fprintf(stderr, "bench_spmm: %s\n", vgae_ctx_message(ctx));
        vgae_dataset_free(ds);
        return 1;
    }
    const int32_t n = a->rows;
    cholmod_common cm;
    cholmod_start(&cm);
    cholmod_sparse *ca = cholmod_allocate_sparse((size_t)n, (size_t)n, (size_t)a->nnz, 1, 1, 0, CHOLMOD_REAL, &cm);
    for (int32_t i = 0; i <= n; i++)
        ((int *)ca->p)[i] = (int)a->rowptr[i];
    for (int64_t p = 0; p < a->nnz; p++) {
        ((int *)ca->i)[p] = a->col[p];
        ((double *)ca->x)[p] = a->val[p];
    }
    for (int32_t k = 16; k <= 64; k *= 2) {
        float *x = malloc(sizeof *x * (size_t)n * (size_t)k), *y = malloc(sizeof *y * (size_t)n * (size_t)k);
        cholmod_dense *cx = cholmod_ones((size_t)n, (size_t)k, CHOLMOD_REAL, &cm);
        cholmod_dense *cy = cholmod_zeros((size_t)n, (size_t)k, CHOLMOD_REAL, &cm);
        double one[2] = {1, 0}, zero[2] = {0, 0}, t_ref, t1, t2;
        for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
            x[i] = (float)(i % 13) * 0.1f;
        MEDIAN_US(t_ref, cholmod_sdmult(ca, 0, one, zero, cx, cy, &cm));
        vgae_ctx_set_threads(ctx, 1);
        MEDIAN_US(t1, vgae_csr_spmm(ctx, a, x, k, y));
        vgae_ctx_set_threads(ctx, 2);
        MEDIAN_US(t2, vgae_csr_spmm(ctx, a, x, k, y));
        printf("%-9s %7d %9lld %4d %12.1f %12.1f %16.1f %8.2fx %8.2fx\n", name, n, (long long)a->nnz, k, t1, t2,
               t_ref, t_ref / t1, t_ref / t2);
        cholmod_free_dense(&cx, &cm);
        cholmod_free_dense(&cy, &cm);
        free(x);
        free(y);
    }
    cholmod_free_sparse(&ca, &cm);
    cholmod_finish(&cm);
    vgae_csr_free(a);
    vgae_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    vgae_ctx *ctx = vgae_ctx_new();
    struct rusage ru;
    int rc = 0;
    if (!ctx)
        return 1;
    printf("Y = Â X, X row-major float (vgae) vs column-major double (cholmod_sdmult, 1 thread)\n");
    printf("OpenBLAS kernels: %s; median of %d runs; speed-up = cholmod time / vgae time\n\n",
           openblas_get_corename(), REPS);
    printf("%-9s %7s %9s %4s %12s %12s %16s %9s %9s\n", "dataset", "nodes", "nnz(Â)", "k", "vgae 1t us",
           "vgae 2t us", "cholmod us", "x (1t)", "x (2t)");
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            rc |= bench(ctx, argv[i]);
    else
        rc |= bench(ctx, "cora") | bench(ctx, "citeseer") | bench(ctx, "pubmed") | bench(ctx, "cit-HepPh");
    getrusage(RUSAGE_SELF, &ru);
    printf("\npeak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    vgae_ctx_free(ctx);
    return rc;
}
