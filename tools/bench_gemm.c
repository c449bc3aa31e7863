/* Benchmark: vgae_gemm's fixed-block threading against OpenBLAS's own threads, same run, as a ratio. */
#include <cblas.h>
#include <stdio.h>
#include <sys/resource.h>

#include "vgae/vgae.h"

#include "bench.h"

typedef struct {
    const char *name;
    int m, n, k, ta, tb;
} gemm_case;

/* The products the models make: GCN layers on Cora/PubMed sizes, the MNIST
 * VAE's 784-400-20 layers at batch 128, and one large square product. */
static const gemm_case cases[] = {
    {"gcn H Wmu (cora)", 2708, 16, 32, 0, 0},
    {"gcn dWmu (pubmed)", 32, 16, 19717, 1, 0},
    {"gcn X0 W0 dense (cora)", 2708, 32, 1433, 0, 0},
    {"vae x W0", 128, 400, 784, 0, 0},
    {"vae dW0 = x^T dh", 784, 400, 128, 1, 0},
    {"vae dh W_dec^T", 128, 400, 784, 0, 1},
    {"vae h W_dec", 128, 784, 400, 0, 0},
    {"square 1024", 1024, 1024, 1024, 0, 0},
};

int main(void)
{
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx)
        return 1;
    printf("C = op(A) op(B), float. vgae_gemm: OpenBLAS on 1 thread per fixed block of 256 rows or\n"
           "columns (the same bits on any thread count); reference: one OpenBLAS call on its own 2 threads.\n");
    printf("OpenBLAS kernels: %s; median of %d runs; ratio = reference time / vgae time (> 1: vgae faster)\n\n",
           openblas_get_corename(), REPS);
    printf("%-24s %5s %5s %6s %11s %11s %13s %7s\n", "case", "m", "n", "k", "vgae 1t us", "vgae 2t us",
           "openblas 2t us", "ratio");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const gemm_case *g = &cases[c];
        vgae_mat a, b, out;
        if (vgae_mat_init(ctx, &a, g->ta ? g->k : g->m, g->ta ? g->m : g->k) ||
            vgae_mat_init(ctx, &b, g->tb ? g->n : g->k, g->tb ? g->k : g->n) ||
            vgae_mat_init(ctx, &out, g->m, g->n)) {
            fprintf(stderr, "bench_gemm: %s\n", vgae_ctx_message(ctx));
            return 1;
        }
        vgae_rng r;
        vgae_rng_init(&r, 1, 0);
        vgae_rng_normal_fill_f(&r, a.data, vgae_mat_size(&a), 1);
        vgae_rng_normal_fill_f(&r, b.data, vgae_mat_size(&b), 1);
        double t1, t2, tref;
        vgae_ctx_set_threads(ctx, 1);
        MEDIAN_US(t1, vgae_gemm(ctx, g->ta, g->tb, 1, &a, &b, 0, &out));
        vgae_ctx_set_threads(ctx, 2);
        MEDIAN_US(t2, vgae_gemm(ctx, g->ta, g->tb, 1, &a, &b, 0, &out));
        openblas_set_num_threads(2);
        MEDIAN_US(tref, cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                                    g->tb ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1, a.data,
                                    (int)a.cols, b.data, (int)b.cols, 0, out.data, g->n));
        openblas_set_num_threads(1);
        printf("%-24s %5d %5d %6d %11.1f %11.1f %13.1f %6.2fx\n", g->name, g->m, g->n, g->k, t1, t2,
               tref, tref / t2);
        vgae_mat_destroy(&a);
        vgae_mat_destroy(&b);
        vgae_mat_destroy(&out);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\npeak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    vgae_ctx_free(ctx);
    return 0;
}
