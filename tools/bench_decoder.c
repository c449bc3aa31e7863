/* Benchmark: the full N^2 decoder and a whole training epoch on 1 and 2 threads, same run, as ratios;
 * and the decoder's two paths (the fused kernel, three BLAS products per block) on 2 threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "models/graph_ae_impl.h"
#include "vgae/vgae.h"

#include "bench.h"

/* Loads dataset `name`, splits it as linkpred does, and times on 1 and 2
 * threads: the full loss with its gradient for z drawn N(0, 1) (the hot
 * path), and one VGAE training epoch. Checks that both thread counts give
 * the same bits. */
static int bench(vgae_ctx *ctx, const char *name, int featureless)
{
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    vgae_graph_ae *m = NULL;
    int found = bench_load(ctx, "bench_decoder", name, &ds);
    if (found <= 0)
        return found < 0;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.features = !featureless;
    vgae_status st = vgae_split_make(ctx, ds->graph, 0.05, 0.1, &split);
    if (!st)
        st = vgae_graph_ae_new(ctx, &o, ds, split, &m);
    const vgae_graph *train = m ? m->train : NULL;
    vgae_mat z = {0}, dz1 = {0}, dz2 = {0}, work = {0};
    if (!st)
        st = vgae_mat_init(ctx, &z, train->n, o.latent);
    if (!st)
        st = vgae_mat_init(ctx, &dz1, train->n, o.latent);
    if (!st)
        st = vgae_mat_init(ctx, &dz2, train->n, o.latent);
    if (st) {
        fprintf(stderr, "bench_decoder: %s\n", vgae_ctx_message(ctx));
        return 1;
    }
    vgae_rng r;
    vgae_rng_init(&r, 1, 0);
    vgae_rng_normal_fill_f(&r, z.data, vgae_mat_size(&z), 1);
    const int64_t block = 256;
    double nll1 = 0, nll2 = 0, nll3 = 0, d1, d2, d3, e1, e2;
    vgae_ctx_set_threads(ctx, 2);
    MEDIAN_US(d2, vgae_decoder_full(ctx, m, &z, 1e-6, &dz2, &work, block, &nll2));
    /* the same loss through the BLAS path (different sums: close, not equal) */
    MEDIAN_US(d3, vgae_decoder_full_path(ctx, m, &z, 1e-6, &dz1, &work, block, 0, &nll3));
    vgae_ctx_set_threads(ctx, 1);
    MEDIAN_US(d1, vgae_decoder_full(ctx, m, &z, 1e-6, &dz1, &work, block, &nll1));
    int same = nll1 == nll2 && memcmp(dz1.data, dz2.data, (size_t)vgae_mat_size(&dz1) * sizeof(float)) == 0;
    vgae_elbo_terms terms;
    vgae_ctx_set_threads(ctx, 1);
    MEDIAN_US(e1, vgae_graph_ae_train_epoch(ctx, m, &terms));
    vgae_ctx_set_threads(ctx, 2);
    MEDIAN_US(e2, vgae_graph_ae_train_epoch(ctx, m, &terms));
    const double pairs = (double)train->n * train->n;
    if (fabs(nll3 - nll2) > 1e-5 * fabs(nll2)) {
        fprintf(stderr, "bench_decoder: %s: the two paths' losses differ: %.10g and %.10g\n", name, nll2, nll3);
        same = 0;
    }
    printf("%-8s %7d %11.2f %11.2f %6.2fx %10.2f %11.2f %6.2fx %11.2f %11.2f %6.2fx %9s\n", name, train->n,
           d1 / 1e3, d2 / 1e3, d1 / d2, 1e3 * d2 / pairs, d3 / 1e3, d3 / d2, e1 / 1e3, e2 / 1e3, e1 / e2,
           same ? "yes" : "NO");
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&dz1);
    vgae_mat_destroy(&dz2);
    vgae_mat_destroy(&work);
    vgae_graph_ae_free(m);
    vgae_split_free(split);
    vgae_dataset_free(ds);
    return same ? 0 : 1;
}

int main(int argc, char **argv)
{
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx)
        return 1;
    printf("The full reconstruction loss with its gradient (N^2 pairs, latent 16) and one VGAE\n"
           "training epoch, on 1 and 2 threads; median of %d runs. OpenBLAS kernels: %s;\n"
           "vgae kernels: %s. Datasets from $VGAE_DATA. 'blas 2t': the loss through\n"
           "three BLAS products per block instead of the fused kernel; 'x': its time / the fused one's.\n\n",
           REPS, openblas_get_corename(), vgae_kernel_isa());
    printf("%-8s %7s %11s %11s %7s %10s %11s %7s %11s %11s %7s %9s\n", "dataset", "nodes", "loss 1t ms",
           "loss 2t ms", "ratio", "ns/pair 2t", "blas 2t ms", "x", "epoch 1t ms", "epoch 2t ms", "ratio",
           "same bits");
    int rc = 0;
    if (argc > 1)
        for (int k = 1; k < argc; k++)
            rc |= bench(ctx, argv[k], strcmp(argv[k], "pubmed") == 0);
    else
        rc |= bench(ctx, "cora", 0) | bench(ctx, "citeseer", 0) | bench(ctx, "pubmed", 1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\npubmed runs featureless, as in the paper's table. Peak RSS: %.1f MB\n",
           (double)ru.ru_maxrss / 1024.0);
    vgae_ctx_free(ctx);
    return rc;
}
