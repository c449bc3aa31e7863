/* The full reconstruction loss over all N^2 pairs, block by block, fused with its gradient. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "graph/adjacency.h"
#include "models/graph_ae_impl.h"
#include "nn/kernels.h"
#include "nn/internal.h"
#include "vgae/vae/likelihood.h"

/* The logits z_i . z_j are symmetric, and so are the targets (A + I) and the
 * gradient G: only the blocks on and above the diagonal are computed, those
 * above counting twice. With latent width 16 a block goes through vgae's
 * fused kernel: its speed then depends on vgae's kernels alone, not on the
 * GEMM kernels OpenBLAS picks for the CPU (tools/bench_decoder times both
 * paths: about the same with OpenBLAS's AVX-512 kernels on an AMD Zen 5,
 * 1.5x faster than its AVX2 ones and 4.5x faster than its SSE3 fallback).
 * The pairs of blocks are dealt round-robin to FULL_SLOTS slots; each slot
 * sums its loss and gradient on its own, and the slots are added in slot
 * order. Which thread takes a slot changes nothing, so the result is the
 * same for any thread count. */
#define FULL_SLOTS 16

int64_t vgae_full_block(int32_t n)
{
    /* a 256 x 256 tile of floats is 256 KB, within a core's L2 cache */
    return n < 256 ? (n > 0 ? n : 1) : 256;
}

/* softplus(x) = -log sigmoid(-x), exactly for any x */
static double softplus(double x)
{
    return -vgae_log_sigmoid(-x);
}

typedef struct full_job {
    const vgae_graph *g;  /* the training edges (row i's by node i) */
    double pos_weight;
    const vgae_real *z;
    int64_t d;
    double scale;  /* of the gradient; 0 without one */
    int want_loss; /* 0: the gradient alone (faster) */
    int fused;     /* blocks through vgae_kernel_full_tile (latent width 16) */
} full_job;

/* Loss of the block rows i0..i0+ni-1, columns j0..j0+nj-1 in the tile t
 * (ni x nj, its logits on entry); t becomes scale * d loss / d logits.
 * Targets: 1 on training edges and on the diagonal, weighted by pos_weight;
 * 0 elsewhere. */
static double block_loss(const full_job *job, int32_t i0, int32_t ni, int32_t j0, int32_t nj,
                         vgae_real *t)
{
    const vgae_graph *g = job->g;
    const double pw = job->pos_weight, scale = job->scale;
    const int want_loss = job->want_loss;
    double loss = 0.0;
    for (int32_t r = 0; r < ni; r++) {
        const int32_t i = i0 + r;
        vgae_real *row = t + (int64_t)r * nj;
        const int64_t lo = vgae_adj_lower_bound(g->adj, g->rowptr[i], g->rowptr[i + 1], j0);
        const int64_t hi = vgae_adj_lower_bound(g->adj, lo, g->rowptr[i + 1], j0 + nj);
        const int diag = i >= j0 && i < j0 + nj;
        /* a positive's term is pw softplus(-x) instead of softplus(x):
         * pw (softplus(x) - x) - softplus(x) = (pw - 1) softplus(x) - pw x */
        if (want_loss) {
            double fix = 0.0;
            if (diag)
                fix += (pw - 1) * softplus(row[i - j0]) - pw * row[i - j0];
            for (int64_t p = lo; p < hi; p++) {
                double x = row[g->adj[p] - j0];
                fix += (pw - 1) * softplus(x) - pw * x;
            }
            loss += vgae_kernel_logistic(row, NULL, nj, 0, scale) + fix;
        } else {
            vgae_kernel_sigmoid(row, nj, scale);
        }
        /* a positive's gradient is scale pw (sigmoid(x) - 1) = pw (row - scale) */
        if (diag)
            row[i - j0] = (vgae_real)(pw * (row[i - j0] - scale));
        for (int64_t p = lo; p < hi; p++)
            row[g->adj[p] - j0] = (vgae_real)(pw * (row[g->adj[p] - j0] - scale));
    }
    return loss;
}

/* One pair of blocks (bi <= bj) of size b: logits, loss, and the gradient
 * added to acc (n x d) when there is one. Returns the loss, doubled above
 * the diagonal. */
static double block_pair(const full_job *job, int32_t n, int32_t b, int32_t bi, int32_t bj,
                         vgae_real *tile, vgae_real *acc)
{
    const int32_t i0 = bi * b, j0 = bj * b;
    const int32_t ni = n - i0 < b ? n - i0 : b, nj = n - j0 < b ? n - j0 : b;
    const int d = (int)job->d;
    const vgae_real *zi = job->z + (int64_t)i0 * d, *zj = job->z + (int64_t)j0 * d;
    if (job->fused) {
        const vgae_graph *g = job->g;
        const vgae_full_tile t = {zi, zj, ni, nj, i0, j0, g->rowptr, g->adj, job->pos_weight, job->scale,
                                  job->want_loss, bi == bj, acc ? acc + (int64_t)i0 * d : NULL,
                                  acc ? acc + (int64_t)j0 * d : NULL, tile};
        const double loss = vgae_kernel_full_tile(&t);
        return bi == bj ? loss : 2 * loss;
    }
    VGAE_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, ni, nj, d, 1, zi, d, zj, d, 0, tile,
                    nj);
    double loss = block_loss(job, i0, ni, j0, nj, tile);
    if (acc) {
        /* d loss / d z_i = sum_j (G_ij + G_ji) z_j = 2 (G z)_i: block (I, J)
         * gives 2 G_IJ z_J to rows I and, above the diagonal, 2 G_IJ^T z_I
         * to rows J */
        VGAE_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, d, nj, 2, tile, nj, zj, d,
                        1, acc + (int64_t)i0 * d, d);
        if (bi != bj)
            VGAE_BLAS(gemm)(CblasRowMajor, CblasTrans, CblasNoTrans, nj, d, ni, 2, tile, nj, zi,
                            d, 1, acc + (int64_t)j0 * d, d);
    }
    return bi == bj ? loss : 2 * loss;
}

vgae_status vgae_decoder_full(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                              double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                              double *nll)
{
    return vgae_decoder_full_path(ctx, m, z, grad_scale, dz, work, block, 1, nll);
}

vgae_status vgae_decoder_full_path(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                                   double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                                   int fused, double *nll)
{
    const int32_t n = (int32_t)z->rows;
    if (nll)
        *nll = 0.0;
    if (!nll && !dz)
        return VGAE_OK;
    if (n != m->n)
        return vgae_fail(ctx, VGAE_EINVAL, "decoder: z has %d rows for a graph of %d nodes", n, m->n);
    if (dz && (dz->rows != z->rows || dz->cols != z->cols))
        return vgae_fail(ctx, VGAE_EINVAL, "decoder: dz is not the shape of z");
    if (n == 0)
        return VGAE_OK;
    const int32_t b = (int32_t)(block < 1 ? 1 : block < n ? block : n);
    const int64_t d = z->cols, nb = (n + b - 1) / b, pairs = nb * (nb + 1) / 2;
    const int slots = (int)(pairs < FULL_SLOTS ? pairs : FULL_SLOTS);
    const int threads = vgae_ctx_threads(ctx);
    /* work: one b x b tile per thread, then a gradient accumulator per slot */
    fused = fused && d == VGAE_FULL_TILE_D;
    const int64_t tile_size = fused ? vgae_full_tile_work(b) : (int64_t)b * b;
    const int64_t tiles = (int64_t)threads * tile_size, accs = dz ? (int64_t)slots * n * d : 0;
    vgae_status st = vgae_mat_ensure(ctx, work, 1, tiles + accs);
    if (st)
        return st;
    vgae_real *acc = dz ? work->data + tiles : NULL;
    if (acc)
        memset(acc, 0, (size_t)accs * sizeof *acc);
    const full_job job = {m->train, m->pos_weight, z->data, d, dz ? grad_scale : 0.0, nll != NULL, fused};
    double slot_loss[FULL_SLOTS];
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (int s = 0; s < slots; s++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        vgae_real *tile = work->data + (int64_t)tid * tile_size;
        vgae_real *sacc = acc ? acc + (int64_t)s * n * d : NULL;
        double loss = 0.0;
        int64_t p = 0;
        for (int32_t bi = 0; bi < nb; bi++)
            for (int32_t bj = bi; bj < nb; bj++, p++)
                if (p % slots == s)
                    loss += block_pair(&job, n, b, bi, bj, tile, sacc);
        slot_loss[s] = loss;
    }
    double sum = 0.0;
    for (int s = 0; s < slots; s++)
        sum += slot_loss[s];
    if (nll)
        *nll = sum;
    if (acc) {
        /* dz = the slots' sums added in slot order, in parts of fixed size */
        const int64_t size = (int64_t)n * d, part = 4096, parts = (size + part - 1) / part;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && parts > 1)
        for (int64_t q = 0; q < parts; q++) {
            const int64_t e0 = q * part, len = size - e0 < part ? size - e0 : part;
            vgae_real *out = dz->data + e0;
            memcpy(out, acc + e0, (size_t)len * sizeof *out);
            for (int s = 1; s < slots; s++) {
                const vgae_real *in = acc + (int64_t)s * size + e0;
                for (int64_t e = 0; e < len; e++)
                    out[e] += in[e];
            }
        }
    }
    return VGAE_OK;
}

int64_t vgae_decoder_full_rows_work(int32_t block, int64_t d)
{
    return d == VGAE_FULL_TILE_D ? vgae_full_tile_work(block) : (int64_t)block * block;
}

double vgae_decoder_full_rows(const vgae_graph *g, double pos_weight, const vgae_real *z, int32_t n, int64_t d,
                              int32_t i0, int32_t ni, int32_t block, double scale, int want_loss, vgae_real *gi,
                              vgae_real *work)
{
    const full_job job = {g, pos_weight, z, d, gi ? scale : 0.0, want_loss, d == VGAE_FULL_TILE_D};
    const vgae_real *zi = z + (int64_t)i0 * d;
    double loss = 0.0;
    for (int32_t j0 = 0; j0 < n; j0 += block) {
        const int32_t nj = n - j0 < block ? n - j0 : block;
        const vgae_real *zj = z + (int64_t)j0 * d;
        if (job.fused) { /* as a tile on the diagonal: the gradient of rows I alone */
            const vgae_full_tile t = {zi, zj, ni, nj, i0, j0, g->rowptr, g->adj, pos_weight, job.scale,
                                      want_loss, 1, gi, NULL, work};
            loss += vgae_kernel_full_tile(&t);
            continue;
        }
        VGAE_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasTrans, ni, nj, (int)d, 1, zi, (int)d, zj, (int)d, 0,
                        work, nj);
        loss += block_loss(&job, i0, ni, j0, nj, work);
        if (gi)
            VGAE_BLAS(gemm)(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, (int)d, nj, 2, work, nj, zj, (int)d, 1,
                            gi, (int)d);
    }
    return loss;
}
