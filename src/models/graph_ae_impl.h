/* The graph autoencoder's inside, shared by its files: the struct, the GCN passes, the decoders, scoring. */
#ifndef VGAE_MODELS_GRAPH_AE_IMPL_H
#define VGAE_MODELS_GRAPH_AE_IMPL_H

#include "models/model_base.h"
#include "vgae/models/graph_ae.h"
#include "vgae/nn/layers.h"
#include "vgae/nn/sparse.h"

struct vgae_graph_ae {
    vgae_model_base base;         /* parameters, Adam, the latent layer, epoch, seed, time */
    vgae_graph_ae_options options;
    int32_t n, n_features;        /* n_features 0: featureless */
    vgae_split *split;            /* owned copy */
    vgae_graph *train;            /* the training edges (the decoder's targets), owned */
    vgae_csr *a_hat;              /* owned */
    vgae_csr *x, *xt;             /* owned copies of the features and their transpose, or NULL */
    double pos_weight, norm;      /* of the full loss */
    vgae_mat w0, wmu, wsig, dw0, dwmu, dwsig;
    /* work space: pmu holds H1 Wmu, then H1 Wsigma, then the backward's
     * products; h0 (with features) holds X W0, then the backward's dH0 */
    vgae_mat h0, h1, pmu, mean, logvar, dmean, dlogvar, dh1, tile;
    vgae_elbo_work elbo;
    int32_t *neg_buf;             /* sampled loss: this epoch's negatives, (u, v) pairs */
    int64_t encoded_epoch;        /* the epoch whose means `mean` holds; -1: none */
    /* facts for the model file */
    int64_t full_edges;
    uint32_t graph_checksum, features_checksum, split_checksum;
    vgae_link_figures reported;
    /* where the data came from (malloc'ed; NULL: not known): checked when saved */
    char *source_dataset, *source_graph, *source_features;
    vgae_graph_format source_format;
};

/* A model on a training graph (copied) and features (copied; NULL for
 * featureless), with its own split NULL: what vgae_graph_ae_new builds on.
 * Tests use it to reach the decoders on a given graph. */
vgae_status vgae_graph_ae_on_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                   const vgae_graph *train, const vgae_csr *features,
                                   vgae_graph_ae **out);

/* The loss for the current weights (drawing noise, and negatives for the
 * sampled loss, from the context's streams); with backward, also the
 * weight gradients. No update. terms may be NULL with backward. */
vgae_status vgae_graph_ae_loss(vgae_ctx *ctx, vgae_graph_ae *m, int backward, vgae_elbo_terms *terms);

/* The encoder: mean, and for a VGAE with with_logvar also logvar (scoring
 * pairs needs the means only). */
vgae_status vgae_gcn_forward(vgae_ctx *ctx, vgae_graph_ae *m, int with_logvar);
vgae_status vgae_gcn_backward(vgae_ctx *ctx, vgae_graph_ae *m);

/* The means of the current weights in m->mean (computed only if stale). */
vgae_status vgae_graph_ae_encode(vgae_ctx *ctx, vgae_graph_ae *m);

/* The full loss for given z (N x d) and its gradient dz (if not NULL)
 * scaled by grad_scale, computed in square blocks of `block` rows and
 * columns (only those on and above the diagonal: the loss is symmetric);
 * work is scratch space, grown as needed. */
vgae_status vgae_decoder_full(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                              double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                              double *nll);
/* Rows (and columns) of the full loss's square blocks for n nodes: fixed by
 * n alone, so that results do not depend on the thread count. */
int64_t vgae_full_block(int32_t n);

/* The sampled loss over the training edges and the n_neg pairs in neg
 * (u, v interleaved). Parallel over fixed parts of the nodes; the same
 * numbers on any thread count. */
vgae_status vgae_decoder_sampled(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                                 const int32_t *neg, int64_t n_neg, double grad_scale,
                                 vgae_mat *dz, double *nll);
/* This epoch's negatives for the sampled loss into m->neg_buf: as many
 * as the training edges, uniform ordered pairs u != v that are not training
 * edges. One draw from VGAE_STREAM_NEGATIVES keys fixed chunks of pairs,
 * which threads share; the same pairs on any thread count. */
void vgae_sampled_draw_negatives(vgae_ctx *ctx, vgae_graph_ae *m);

/* sigmoid(emb_u . emb_v) for each pair, the dot product summed in double. */
void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores);
/* ROC AUC and AP of n positive against n negative pairs (NaN for n = 0). */
vgae_status vgae_evaluate_pairs(vgae_ctx *ctx, const vgae_mat *emb, const vgae_pair *pos,
                                const vgae_pair *neg, int64_t n, double *auc, double *ap);

#endif
