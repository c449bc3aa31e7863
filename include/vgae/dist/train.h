/* A VGAE or GAE trained across processes, each on its own part of a partitioned graph. */
#ifndef VGAE_DIST_TRAIN_H
#define VGAE_DIST_TRAIN_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/dist/comm.h"
#include "vgae/dist/part_file.h"
#include "vgae/io/embedding.h"
#include "vgae/models/graph_ae.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The model of vgae_graph_ae (the 2016 encoder: GCN layers of one hop,
 * ReLU between them; a Gaussian or point latent; the inner-product
 * decoder) with its rows spread over the processes of comm: each holds the
 * part vgae_part_read gave it, computes its rows of every layer and
 * receives the rows of its halo (the nodes of other parts its rows touch)
 * before each propagation, forward and back. The weights are the same on
 * every process; the gradient of each is summed over the partition's
 * blocks in block order (vgae_comm_ordered_sum), so that the same seed and
 * partition blocks give the same bits at any number of processes: the
 * noise of each row, the negatives of each block and every sum are fixed
 * by the blocks, not by who holds them. A featureless model's first
 * weights (one row per node) stay with their rows' process.
 *
 * The sampled loss (loss SAMPLED): the training edges of the process's rows
 * and, per block, its share of as many uniform non-edges (u in the block, v
 * anywhere), drawn from a sub-stream of the block; the rows of the far end
 * of each non-edge travel both ways (the pair's owner needs z_v, v's owner
 * z_u, to add its own end's gradient in the fixed order). The full loss
 * (loss FULL): each process scores its rows against all N (the codes of
 * all rows gathered each epoch: N x latent floats), counting each ordered
 * pair once.
 *
 * Options the distributed model does not have (dropout, norms, residuals,
 * masking, the Hadamard decoder, the adversary, weight decay, biases, more
 * than one hop, the KL capacity) are refused naming the option. */
typedef struct vgae_dist_gae vgae_dist_gae;

/* A model over part, every process calling with its own, the same options
 * and the context seeded alike. The model takes part (its adjacency is
 * renumbered in place, and vgae_dist_gae_free frees it; freed too when
 * this fails). Collective; a failure on any process fails all (VGAE_EPEER
 * on the others). */
VGAE_EXPORT vgae_status vgae_dist_gae_new(vgae_ctx *ctx, vgae_comm *comm, const vgae_graph_ae_options *options,
                                          vgae_part *part, vgae_dist_gae **out);
/* Where the sampled loss finds the codes of its non-edges' far ends (the
 * same bits either way): every process gathers every row of Z (N x latent
 * floats a process, each row sent once to each other process), or fetches
 * the distinct rows its pairs touch (three exchanges an epoch; fewer bytes
 * when a process's non-edges touch few of the other rows, as with many
 * processes). Auto gathers when a process's non-edges are expected to
 * touch at least half of the other processes' rows. */
typedef enum vgae_far_rows { VGAE_FAR_AUTO, VGAE_FAR_GATHER, VGAE_FAR_FETCH } vgae_far_rows;
/* Sets it (before training; made at auto by vgae_dist_gae_new). Collective. */
VGAE_EXPORT vgae_status vgae_dist_gae_set_far_rows(vgae_ctx *ctx, vgae_dist_gae *m, vgae_far_rows mode);
/* The way in use (gather or fetch). */
VGAE_EXPORT vgae_far_rows vgae_dist_gae_far_rows(const vgae_dist_gae *m);

/* The part the model holds (its facts: nodes, method, blocks, cut). */
VGAE_EXPORT const vgae_part *vgae_dist_gae_part(const vgae_dist_gae *m);
VGAE_EXPORT void vgae_dist_gae_free(vgae_dist_gae *m);

/* One epoch: loss, gradient, Adam. terms (may be NULL) receive the loss's
 * terms summed over all processes, the same on each. Collective. */
VGAE_EXPORT vgae_status vgae_dist_gae_train_epoch(vgae_ctx *ctx, vgae_dist_gae *m, vgae_elbo_terms *terms);

/* Scores the held-out pairs where their first node's row is (the second
 * node's code fetched from its process) and computes the figures on
 * process 0 from all scores in the sets' order; every process receives
 * them. test 0: validation only (test figures NaN). Collective. */
VGAE_EXPORT vgae_status vgae_dist_gae_evaluate(vgae_ctx *ctx, vgae_dist_gae *m, int test, vgae_link_figures *out);

/* As vgae_graph_ae_fit: options.epochs epochs, progress every `every`
 * (called on every process; print on one), model selection on validation
 * with options.val_every, then the figures. Collective. */
VGAE_EXPORT vgae_status vgae_dist_gae_fit(vgae_ctx *ctx, vgae_dist_gae *m, int every, vgae_epoch_fn progress,
                                          void *user, vgae_linkpred_result *result);

/* Writes the means of every node to path in the given format, by node
 * number (process 0 gathers and writes; the others send their rows).
 * Collective. */
VGAE_EXPORT vgae_status vgae_dist_gae_embed(vgae_ctx *ctx, vgae_dist_gae *m, const char *path,
                                            vgae_embed_format format);

/* What an epoch costs this process: bytes it sent in the last epoch, all
 * of them and those of halo rows alone; its rows and halo rows; the last
 * epoch's non-edges whose far end another process holds (sampled loss);
 * and where the last epoch's time went: all of it, drawing the non-edges,
 * the decoder (its exchanges included), and the exchanges alone (waiting
 * for the other processes included). */
typedef struct vgae_dist_stats {
    int64_t epoch_bytes, epoch_halo_bytes, halo_rows, rows, remote_pairs;
    double epoch_seconds, draw_seconds, decoder_seconds, comm_seconds;
} vgae_dist_stats;
VGAE_EXPORT vgae_dist_stats vgae_dist_gae_stats(const vgae_dist_gae *m);

#ifdef __cplusplus
}
#endif
#endif
