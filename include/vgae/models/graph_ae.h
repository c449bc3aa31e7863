/* The graph autoencoders VGAE and GAE (Kipf & Welling 2016): GCN encoder, latent layer, inner-product decoder. */
#ifndef VGAE_MODELS_GRAPH_AE_H
#define VGAE_MODELS_GRAPH_AE_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/eval/link.h"
#include "vgae/graph/split.h"
#include "vgae/io/dataset.h"
#include "vgae/io/model_file.h"
#include "vgae/models/checkpoint.h"
#include "vgae/nn/dense.h"
#include "vgae/vae/elbo.h"
#include "vgae/vae/kl_schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_graph_ae_kind {
    VGAE_MODEL_VGAE = 0, /* a Gaussian latent per node ("gaussian" layer), KL to N(0, I) */
    VGAE_MODEL_GAE = 1   /* plain autoencoder: z = mean ("point" layer), no KL */
} vgae_graph_ae_kind;

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

/* How each encoder layer spreads its output over the graph (Â = D^-1/2
 * (A_train + I) D^-1/2, K = the layer's hops):
 *   GCN       Â^K T (Kipf & Welling 2017; K = 1 is a GCN layer)
 *   LIGHTGCN  (T + Â T + ... + Â^K T) / (K + 1), the mean over hops 0..K
 *             (He et al. 2020, LightGCN)
 * K = 0 leaves T as it is: a dense layer (an MLP after propagation). */
typedef enum vgae_propagation {
    VGAE_PROP_GCN = 0,
    VGAE_PROP_LIGHTGCN = 1
} vgae_propagation;

/* Normalization after the propagation of each hidden layer: none; layer
 * norm (each node's row to mean 0 and variance 1, Ba et al. 2016); batch
 * norm (each column over all nodes, Ioffe & Szegedy 2015, full batch:
 * training and evaluation use the same statistics). Both learn a gain and
 * a shift per column. */
typedef enum vgae_norm_kind {
    VGAE_NORM_NONE = 0,
    VGAE_NORM_LAYER = 1,
    VGAE_NORM_BATCH = 2
} vgae_norm_kind;

/* How a pair's logit comes from the two embeddings:
 *   INNER     z_u . z_v (Kipf & Welling 2016)
 *   HADAMARD  an MLP on z_u * z_v (elementwise): w2 . relu(W1 (z_u * z_v) + b1) + b2,
 *             as the pairwise decoders of OGB's baselines and Refined-GAE (Ma et al. 2025) */
typedef enum vgae_decoder_kind {
    VGAE_DECODER_INNER = 0,
    VGAE_DECODER_HADAMARD = 1
} vgae_decoder_kind;

/* The validation figure model selection watches (higher is better). */
typedef enum vgae_select_metric {
    VGAE_SELECT_AUC = 0,
    VGAE_SELECT_AP = 1,
    VGAE_SELECT_MRR = 2,  /* needs hard negatives in the split */
    VGAE_SELECT_HITS = 3  /* Hits@K of the first K of options.hits */
} vgae_select_metric;

/* What a model is conditioned on (a conditional VGAE, Sohn et al. 2015, on nodes). */
typedef enum vgae_condition_kind {
    VGAE_CONDITION_NONE = 0,
    /* the dataset's node labels: node i's class y_i enters the encoder as
     * one-hot columns beside its input (features, or the identity or
     * adjacency of a featureless model) and the decoder as a learned code
     * e_{y_i} of `classes` dimensions beside z_i, so a pair's logit is
     * z_u . z_v + e_{y_u} . e_{y_v} (the Hadamard decoder takes the
     * concatenations alike); a node of unknown class (-1) has no one-hot
     * column and the code 0 */
    VGAE_CONDITION_LABELS = 1
} vgae_condition_kind;

#define VGAE_MAX_LAYERS 8

typedef struct vgae_graph_ae_options {
    vgae_graph_ae_kind kind;
    int hidden, latent; /* 32 and 16: the width of the hidden layers and of z */
    double lr;          /* Adam's learning rate, 0.01 */
    int epochs;         /* what vgae_graph_ae_fit trains: 200 */
    /* Weight of the KL on top of the reference's scale 1 / N^2 (see
     * vgae/vae/elbo.h); 1 reproduces the reference. Ignored by GAE. */
    double beta;
    /* KL annealing and the capacity objective (vgae/vae/kl_schedule.h; a
     * graph model's training time is its epoch; capacity in nats per node,
     * against the KL summed over nodes with the reference's 1 / N^2):
     * constant, no capacity. */
    vgae_kl_schedule kl;
    vgae_loss_kind loss;
    /* 1: encode the dataset's node features when it has them; 0: X = I
     * (featureless) whatever the dataset holds. */
    int features;
    /* the K of the Hits@K that evaluation reports (10, 20, 50, 100) */
    vgae_hits_ks hits;
    /* Featureless models: 1 encodes the training adjacency (X = A, without
     * self-loops) instead of the identity, so that a node isolated in the
     * training graph encodes to 0 (every edge of its own is held out) rather
     * than to an embedding only the negatives shaped; 0: X = I. */
    int structure_input;
    /* conditioning: NONE; with LABELS, vgae_graph_ae_new needs the
     * dataset's labels and sets classes to the largest label + 1 */
    vgae_condition_kind condition;
    int classes;

    /* ---- the encoder: `layers` layers, each
     *   T = dropout(H) W (+ b);  P = propagate(T, hops[l]);
     *   hidden layers: H' = relu(norm(P)) (+ H if residual and the widths match);
     *   the last: z = P (its mean; a VGAE has a second W for log sigma).
     * The defaults are the 2016 GCN: 2 layers, 1 hop each, no bias, no
     * dropout, norm or residual. */
    int layers;                    /* 1..VGAE_MAX_LAYERS: 2 */
    int hops[VGAE_MAX_LAYERS];     /* per layer, 0..16: 1 */
    vgae_propagation propagation;  /* GCN */
    int bias;                      /* 0 */
    double dropout;                /* on each layer's input (features too), [0, 1): 0 */
    vgae_norm_kind norm;           /* NONE */
    int residual;                  /* 0 */
    /* VGNAE (Ahn & Kim 2021): each row of the last layer's T scaled to
     * L2 norm `l2_scale` before it propagates; 0: off. With l2_learn the
     * scale starts there and is learned. */
    double l2_scale;
    int l2_learn;

    /* ---- the decoder ---- */
    vgae_decoder_kind decoder;     /* INNER */
    int decoder_hidden;            /* HADAMARD's hidden width: 0 means latent */
    /* HADAMARD: 1 adds a * (log(1 + d_u) + log(1 + d_v)) to a pair's logit,
     * d the degrees in the graph the encoder sees (the visible edges while
     * edges are masked) and a learned from 1; the GCN's normalization
     * divides degree out of the codes, and a product of two codes cannot
     * add it back: 0 */
    int degree_term;

    /* ---- training ---- */
    int negatives;                 /* the sampled loss's non-edges per positive: 1 */
    /* MaskGAE (Li et al. 2023): each epoch a fraction of the training edges
     * is hidden from the encoder, and the loss reconstructs them (with
     * `negatives` non-edges each); 0: off. Needs the sampled loss. */
    double mask_rate;
    /* ARGA (Pan et al. 2018): weight of an adversarial regularizer that
     * makes z look like draws of N(0, I) to a discriminator MLP (hidden
     * 64) trained alongside; 0: off. */
    double adversarial;
    double weight_decay;           /* L2 on the weights, added to the gradient: 0 */
    /* L2 on the encoder's weights only, on top of weight_decay (LightGCN's
     * penalty on its embeddings: featureless with structure_input, the
     * first layer's W is a table of node embeddings); the decoder's are
     * not pulled toward 0: 0 */
    double encoder_decay;

    /* ---- model selection on the validation pairs (never the test pairs) ----
     * Every val_every epochs (0: never) the model is scored on validation;
     * the weights with the best `select` figure are kept and restored at the
     * end of the fit; with patience P, training stops after P evaluations
     * without improvement (0: never). */
    int val_every;                 /* 0 */
    vgae_select_metric select;     /* AUC */
    int patience;                  /* 0 */
} vgae_graph_ae_options;

/* The reference's defaults: VGAE, hidden 32, latent 16, lr 0.01, 200
 * epochs, beta 1, full loss, with the features; Hits@10, 20, 50, 100; the
 * 2016 encoder and decoder, no model selection. */
VGAE_EXPORT vgae_graph_ae_options vgae_graph_ae_defaults(void);
/* Named settings: *o becomes the defaults with the recipe applied.
 * "kipf2016": the defaults (the 2016 VGAE). "tuned": the best recipe found
 * on validation data (the README's "Link prediction quality"); its settings
 * differ with node features (features 1) and without (0). VGAE_EINVAL for
 * another name (ctx may be NULL). */
VGAE_EXPORT vgae_status vgae_graph_ae_recipe(vgae_ctx *ctx, const char *name, int features,
                                             vgae_graph_ae_options *o);
/* The i-th recipe's name, from 0; NULL past the last. */
VGAE_EXPORT const char *vgae_graph_ae_recipe_name(int i);
/* "vgae" or "gae"; "full" or "sampled" ("unknown" outside the enums). */
VGAE_EXPORT const char *vgae_graph_ae_kind_name(vgae_graph_ae_kind kind);
VGAE_EXPORT const char *vgae_loss_name(vgae_loss_kind loss);
/* "AUC", "AP", "MRR", "Hits@K" (K the first of ks, written into buf). */
VGAE_EXPORT const char *vgae_select_name(vgae_select_metric s, const vgae_hits_ks *ks, char buf[24]);

/* A VGAE or GAE with everything it needs. Encoder (Kipf & Welling 2016):
 *   H = relu(Â X W0),  mean = Â H Wmu,  log sigma = Â H Wsigma,
 * Â = D^-1/2 (A_train + I) D^-1/2, X sparse (N x F) or, without features,
 * the identity (W0 is then N x hidden). logvar = 2 log sigma. Weights are
 * Glorot-uniform from VGAE_STREAM_INIT, without biases, as the reference.
 * The model owns its copies of what it uses (the split, the training graph
 * built from it, the features): the data it was made from may be freed
 * at any time. Opaque. */
typedef struct vgae_graph_ae vgae_graph_ae;

/* Builds a model on the training edges of split, a split of data->graph
 * (with data->features, unless options->features is 0 or there are none).
 * Draws the weights from the context's VGAE_STREAM_INIT and records the
 * context's seed, the data's source (its name, or the absolute paths of its
 * files) and checksums, for its model file. */
VGAE_EXPORT vgae_status vgae_graph_ae_new(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                              const vgae_dataset *data, const vgae_split *split,
                              vgae_graph_ae **out);

/* One Adam step on the loss (drawing noise, and negatives for the sampled
 * loss, from the context's streams); terms receives its parts (see
 * vgae/vae/elbo.h). With terms NULL the loss is not computed (faster with
 * the full loss); the gradient is then checked instead, and a NaN or
 * infinite one fails with VGAE_ERANGE before any weight changes. */
VGAE_EXPORT vgae_status vgae_graph_ae_train_epoch(vgae_ctx *ctx, vgae_graph_ae *model, vgae_elbo_terms *terms);

/* Scores the held-out pairs of split (NULL: the model's own) with the
 * current weights, sigmoid(mean_u . mean_v): AUC, AP and Hits@K of the
 * positives against the shared negatives, MRR against each positive's hard
 * negatives when the split has them (vgae/eval/link.h). With the model's own
 * split the figures are also kept as the model's reported figures (saved in
 * its file). */
VGAE_EXPORT vgae_status vgae_graph_ae_evaluate(vgae_ctx *ctx, vgae_graph_ae *model, const vgae_split *split,
                                   vgae_link_figures *out);

/* Called after epochs 1, every `every` and the last of a fit: the
 * validation figures are NaN when the split has no validation set. */
typedef void (*vgae_epoch_fn)(void *user, int epoch, const vgae_elbo_terms *terms, double val_auc,
                              double val_ap, double seconds);

/* What a fit reports: the final figures, the training time (seconds spent
 * in its epochs, without the scoring between them) and the last epoch's
 * loss. */
typedef struct vgae_linkpred_result {
    vgae_link_figures figures;
    double train_seconds, final_loss;
    int epochs;     /* trained (fewer than options.epochs after early stopping) */
    int best_epoch; /* with model selection: the epoch whose weights were kept; else 0 */
} vgae_linkpred_result;

/* Trains options.epochs epochs, calling progress (may be NULL) as above,
 * then evaluates the model on its own split. With options.val_every, the
 * validation figures decide which weights are kept (model selection, see
 * vgae_graph_ae_options), and patience may stop training early. */
VGAE_EXPORT vgae_status vgae_graph_ae_fit(vgae_ctx *ctx, vgae_graph_ae *model, int every,
                              vgae_epoch_fn progress, void *user, vgae_linkpred_result *result);

/* Checkpoints during vgae_graph_ae_fit (see vgae/models/checkpoint.h):
 * after every o->every epochs, and when the fit is interrupted
 * (vgae_interrupt_all) at the top of an epoch, before it returns
 * VGAE_EINTR. o NULL or o->path NULL: none. The options are copied. */
VGAE_EXPORT vgae_status vgae_graph_ae_set_checkpoints(vgae_ctx *ctx, vgae_graph_ae *model,
                                                      const vgae_checkpoint_options *o);
/* Writes a checkpoint of the model and the context's random streams now,
 * with the caller's lines user_meta ("user_KEY VALUE\n" each; NULL: none).
 * Between fits, or after a fit that returned VGAE_EINTR (the fit's place
 * is kept, and the next vgae_graph_ae_fit goes on from it). */
VGAE_EXPORT vgae_status vgae_graph_ae_checkpoint(vgae_ctx *ctx, vgae_graph_ae *model, const char *path,
                                                 const char *user_meta);
/* Puts a model made as the run was (the same data, split, options and
 * seed: vgae_graph_ae_new after vgae_ctx_set_seed) into the state of a
 * checkpoint of that run: weights, optimizer, epoch, the context's random
 * streams, the fit's place and model selection. The next vgae_graph_ae_fit
 * goes on from there and ends as the uninterrupted run would have, bit for
 * bit. A checkpoint of another run is VGAE_EINVAL naming what differs; on
 * any error, make the model (and seed the context) again. */
VGAE_EXPORT vgae_status vgae_graph_ae_resume(vgae_ctx *ctx, vgae_graph_ae *model,
                                             const vgae_model_file *checkpoint);

/* Writes the model file (see vgae/io/model_file.h): the metadata (kind,
 * options, sizes, seed, the checksums of graph, features and split, the
 * epochs trained, the figures last reported, the data's source, the
 * library version), the weights and the split. Written whole or not at all. */
VGAE_EXPORT vgae_status vgae_graph_ae_save(vgae_ctx *ctx, const vgae_graph_ae *model, const char *path);

/* Where a graph model file says its data came from: the dataset name, or
 * the absolute paths of its graph and features and the graph's format
 * (pointers into file; both name and graph_path are NULL for a model made
 * from data without files). VGAE_EINVAL for an image VAE's file,
 * VGAE_EFORMAT for metadata that is not a graph model's. */
VGAE_EXPORT vgae_status vgae_graph_ae_file_source(vgae_ctx *ctx, const vgae_model_file *file,
                                      vgae_dataset_source *source);

/* Rebuilds the model a file holds on data: the full graph it was trained
 * on (the file's split gives the training edges) and its features. The
 * graph and features must have the file's checksums, and the stored pairs
 * must fit the graph (vgae_split_check), unless force != 0. */
VGAE_EXPORT vgae_status vgae_graph_ae_from_file(vgae_ctx *ctx, const vgae_model_file *file,
                                    const vgae_dataset *data, int force, vgae_graph_ae **out);
/* vgae_model_file_read then vgae_graph_ae_from_file. */
VGAE_EXPORT vgae_status vgae_graph_ae_load(vgae_ctx *ctx, const char *path, const vgae_dataset *data,
                               int force, vgae_graph_ae **out);

/* Frees a model; accepts NULL. */
VGAE_EXPORT void vgae_graph_ae_free(vgae_graph_ae *model);

/* ---- what the model holds ---- */
VGAE_EXPORT const vgae_graph_ae_options *vgae_graph_ae_settings(const vgae_graph_ae *model);
VGAE_EXPORT int32_t vgae_graph_ae_nodes(const vgae_graph_ae *model);
/* Feature columns encoded, 0 when featureless. */
VGAE_EXPORT int32_t vgae_graph_ae_features(const vgae_graph_ae *model);
/* Epochs trained (counting those before a save). */
VGAE_EXPORT int64_t vgae_graph_ae_epoch(const vgae_graph_ae *model);
/* The seed the model was made with. */
VGAE_EXPORT uint64_t vgae_graph_ae_seed(const vgae_graph_ae *model);
/* Seconds spent in training epochs (counting those before a save). */
VGAE_EXPORT double vgae_graph_ae_train_seconds(const vgae_graph_ae *model);
/* The model's split (its own copy). */
VGAE_EXPORT const vgae_split *vgae_graph_ae_split(const vgae_graph_ae *model);
/* The figures of its last evaluation on its own split (NaN before any). */
VGAE_EXPORT vgae_link_figures vgae_graph_ae_reported(const vgae_graph_ae *model);

/* The node embeddings into out (resized to nodes x latent): the means of
 * q(z|X, A) with noise NULL, or a draw z = mean + sigma * eps from noise
 * (VGAE only: VGAE_EINVAL for a GAE, which has no variance). */
VGAE_EXPORT vgae_status vgae_graph_ae_embedding(vgae_ctx *ctx, vgae_graph_ae *model, vgae_rng *noise,
                                    vgae_mat *out);
/* Edge probabilities sigmoid(mean_u . mean_v) of n pairs, the dot product
 * summed in double. Node ids must be below vgae_graph_ae_nodes. */
VGAE_EXPORT vgae_status vgae_graph_ae_score_pairs(vgae_ctx *ctx, vgae_graph_ae *model, const vgae_pair *pairs,
                                      int64_t n, double *scores);

#ifdef __cplusplus
}
#endif
#endif
