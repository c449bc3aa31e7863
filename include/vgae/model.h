/* The graph autoencoders: a two-layer GCN encoder, an inner-product decoder, VGAE and GAE. */
#ifndef VGAE_MODEL_H
#define VGAE_MODEL_H

#include "vgae/csr.h"
#include "vgae/dense.h"
#include "vgae/elbo.h"
#include "vgae/graph.h"
#include "vgae/optim.h"
#include "vgae/split.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_model_kind {
    VGAE_MODEL_VGAE = 0, /* Gaussian latent per node, KL to N(0, I) */
    VGAE_MODEL_GAE = 1   /* plain autoencoder: z = mean, no KL */
} vgae_model_kind;

typedef enum vgae_loss_kind {
    /* All N^2 pairs, as the reference: targets A_train + I, positives
     * weighted by pos_weight = (N^2 - S) / S, the loss scaled by
     * norm / N^2 with norm = N^2 / (2 (N^2 - S)), where S = 2 E_train is
     * the sum of the training adjacency (the reference's adj.sum(), which
     * does not count the diagonal). Computed in square blocks on and above
     * the diagonal, fused with the gradient: O(N^2 d) time, O(N d) memory
     * (a 256 x 256 tile per thread and 16 partial gradients). */
    VGAE_LOSS_FULL = 0,
    /* The training edges plus as many fresh uniformly drawn non-edges each
     * epoch (VGAE_STREAM_NEGATIVES): loss = mean over positives of
     * -log sigmoid(x) + mean over negatives of -log sigmoid(-x). O(E d). */
    VGAE_LOSS_SAMPLED = 1
} vgae_loss_kind;

typedef struct vgae_model_options {
    vgae_model_kind kind;
    int hidden, latent; /* 32 and 16 */
    double lr;          /* Adam's learning rate, 0.01 */
    int epochs;         /* 200 */
    /* Weight of the KL on top of the reference's scale 1 / N^2 (see
     * vgae/elbo.h); 1 reproduces the reference. Ignored by GAE. */
    double beta;
    vgae_loss_kind loss;
} vgae_model_options;

/* The reference's defaults: VGAE, hidden 32, latent 16, lr 0.01, 200 epochs, beta 1, full loss. */
vgae_model_options vgae_model_defaults(void);

/* A model bound to its training graph. Encoder (Kipf & Welling 2016):
 *   H = relu(Â X W0),  mean = Â H Wmu,  log sigma = Â H Wsigma,
 * Â = D^-1/2 (A_train + I) D^-1/2, X sparse (N x F) or, without features,
 * the identity (W0 is then N x hidden). logvar = 2 log sigma. Weights are
 * Glorot-uniform from VGAE_STREAM_INIT, without biases, as the reference. */
typedef struct vgae_model {
    vgae_model_options options;
    int32_t n, n_features;        /* n_features 0: featureless */
    vgae_csr *a_hat;              /* owned */
    const vgae_csr *x;            /* borrowed features, or NULL */
    vgae_csr *xt;                 /* owned transpose of x */
    const vgae_graph *train;      /* borrowed training graph (the target) */
    double pos_weight, norm;      /* of the full loss */
    int64_t epoch;                /* epochs trained */
    vgae_mat w0, wmu, wsig, dw0, dwmu, dwsig;
    vgae_params params;
    vgae_adam adam;
    /* work space: pmu holds H1 Wmu, then H1 Wsigma, then the backward's
     * products; h0 (with features) holds X W0, then the backward's dH0 */
    vgae_mat h0, h1, pmu, mean, logvar, dmean, dlogvar, dh1, tile;
    vgae_elbo_work elbo;
    int32_t *neg_buf;             /* sampled loss: this epoch's negatives, (u, v) pairs */
} vgae_model;

/* Builds a model on the training graph (borrowed, must outlive the model)
 * and features (borrowed, N rows; NULL for featureless). Draws the weights
 * from the context's VGAE_STREAM_INIT. */
vgae_status vgae_model_new(vgae_ctx *ctx, const vgae_model_options *options,
                           const vgae_graph *train, const vgae_csr *features, vgae_model **out);
void vgae_model_free(vgae_model *model);

/* The loss for the current weights (drawing noise, and negatives for the
 * sampled loss, from the context's streams); with backward, also the
 * weight gradients (model->params). No update. terms may be NULL with
 * backward (the gradient alone). */
vgae_status vgae_model_loss(vgae_ctx *ctx, vgae_model *model, int backward, vgae_elbo_terms *terms);

/* One Adam step on the loss; terms receives its parts (see vgae/elbo.h).
 * With terms NULL the loss is not computed (faster with the full loss);
 * the gradient is then checked instead, and a NaN or infinite one fails
 * with VGAE_ERANGE before any weight changes. */
vgae_status vgae_model_train_epoch(vgae_ctx *ctx, vgae_model *model, vgae_elbo_terms *terms);

/* The per-node means (N x latent) of the current weights, into model->mean. */
vgae_status vgae_model_encode(vgae_ctx *ctx, vgae_model *model);

/* sigmoid(emb_u . emb_v) for each pair, the dot product summed in double. */
void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores);

/* Validation/test figures: ROC AUC and AP of positive against negative pairs. */
vgae_status vgae_evaluate_pairs(vgae_ctx *ctx, const vgae_mat *emb, const vgae_pair *pos,
                                const vgae_pair *neg, int64_t n, double *auc, double *ap);

/* The full loss for given z (N x d) and its gradient dz (if not NULL)
 * scaled by grad_scale, computed in square blocks of `block` rows and
 * columns (only those on and above the diagonal: the loss is symmetric);
 * work is scratch space, grown as needed. Exposed for tests. */
vgae_status vgae_decoder_full(vgae_ctx *ctx, const vgae_model *model, const vgae_mat *z,
                              double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                              double *nll);

/* ---- the link-prediction run ---- */
typedef struct vgae_linkpred_result {
    double val_auc, val_ap, test_auc, test_ap; /* NaN for an empty set */
    double train_seconds, final_loss;
    int epochs;
} vgae_linkpred_result;

/* Called after epochs 1, every `every` and the last: val figures are NaN
 * when there is no validation set. */
typedef void (*vgae_epoch_fn)(void *user, int epoch, const vgae_elbo_terms *terms, double val_auc,
                              double val_ap, double seconds);

/* Trains a model on split's training edges (progress as below) and
 * evaluates it on the validation and test pairs. On success the caller owns
 * *model and the training graph *train it borrows (free the model first). */
vgae_status vgae_linkpred_train(vgae_ctx *ctx, const vgae_split *split, const vgae_csr *features,
                                const vgae_model_options *options, int every,
                                vgae_epoch_fn progress, void *user, vgae_graph **train,
                                vgae_model **model, vgae_linkpred_result *result);

/* Encodes with the current weights and fills the val/test figures of result. */
vgae_status vgae_linkpred_evaluate(vgae_ctx *ctx, vgae_model *model, const vgae_split *split,
                                   vgae_linkpred_result *result);

/* Splits g (VGAE_STREAM_SPLIT), trains on the training edges, evaluates
 * the validation pairs as it goes and the test pairs at the end. Set the
 * context's seed first. */
vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_graph *g, const vgae_csr *features,
                              const vgae_model_options *options, double val_frac,
                              double test_frac, int every, vgae_epoch_fn progress, void *user,
                              vgae_linkpred_result *result);

#ifdef __cplusplus
}
#endif
#endif
