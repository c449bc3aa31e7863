/* The graph autoencoder's inside, shared by its files: the struct, the GCN passes, the decoders, scoring. */
#ifndef VGAE_MODELS_GRAPH_AE_IMPL_H
#define VGAE_MODELS_GRAPH_AE_IMPL_H

#include "models/model_base.h"
#include "vgae/models/checkpoint.h"
#include "vgae/models/graph_ae.h"
#include "vgae/nn/layers.h"
#include "vgae/nn/sparse.h"

/* One layer of the encoder (see vgae_graph_ae_options): its weights and
 * what its forward pass keeps for the backward pass. */
typedef struct vgae_enc_layer {
    int64_t in, out;              /* widths; layer 0's input: the feature columns, or N */
    int hops;
    vgae_mat w, dw, b, db;        /* b, db: 1 x out with a bias, else empty */
    vgae_mat wsig, dwsig, bsig, dbsig; /* a VGAE's last layer: log sigma's */
    vgae_mat gain, dgain, shift, dshift; /* a hidden layer's norm */
    vgae_mat in_drop, mask;       /* a dense input after dropout, and its mask */
    vgae_mat t;                   /* T = input W (+ b); the last layer's, L2-scaled */
    vgae_mat tsig;                /* a VGAE's last layer: input Wsigma (+ bsigma) */
    vgae_mat rnorm;               /* L2 scaling: 1 / max(|T_r|, 1e-12) per row */
    vgae_mat xhat, istd;          /* norm: the normalized values, 1 / std per group */
    vgae_mat act;                 /* a hidden layer: relu(norm(propagate(T))) */
    vgae_mat h;                   /* a hidden layer's output: act (+ its input) */
} vgae_enc_layer;

/* The discriminator of the adversarial regularizer (ARGA): z -> 64 -> 1,
 * with its own parameters and Adam. */
typedef struct vgae_adversary {
    vgae_linear l1, l2;
    vgae_params params;
    vgae_adam adam;
    vgae_mat real, a1, a1_real, logit, dlogit, da1, dz_adv;
} vgae_adversary;

/* The Hadamard-MLP decoder's weights: w2 . relu(W1 (z_u * z_v) + b1) + b2,
 * plus a (log(1 + d_u) + log(1 + d_v)) with the degree term. */
typedef struct vgae_mlp_decoder {
    vgae_linear l1, l2;
    vgae_mat h, a1, logit, dlogit, da1, dh; /* a batch of pairs */
    vgae_mat deg_weight, ddeg_weight;       /* a, 1 x 1; empty without the degree term */
    /* log(1 + d) per node: d the training graph's degrees (fixed), and the
     * visible edges' under this epoch's mask */
    double *log_degree, *log_degree_visible;
} vgae_mlp_decoder;

/* Where a fit stands (vgae_graph_ae_fit), kept in the model so that a
 * checkpoint holds it and a resumed fit goes on from it. */
typedef struct vgae_fit_state {
    int active;             /* a fit is under way (interrupted, or resumed into) */
    int epoch;              /* the fit's epochs done */
    int best_epoch, stale;  /* model selection: the epoch of the best weights, evaluations since */
    int done;               /* early stopping ended it after `epoch` epochs */
    double best_value;      /* the best validation figure seen (-inf: none) */
    vgae_real *best;        /* the best weights, the parameters end to end; NULL: none yet */
    vgae_elbo_terms terms;  /* the last epoch's terms with the loss computed */
    double start_seconds;   /* base.train_seconds when the fit began */
} vgae_fit_state;

struct vgae_graph_ae {
    vgae_model_base base;         /* parameters, Adam, the latent layer, epoch, seed, time */
    vgae_graph_ae_options options;
    int32_t n, n_features;        /* n_features 0: featureless */
    vgae_split *split;            /* owned copy */
    vgae_graph *train;            /* the training edges (the decoder's targets), owned */
    vgae_csr *a_hat;              /* the encoder's graph, owned */
    vgae_csr *x, *xt;             /* owned copies of the features and their transpose, or NULL */
    double pos_weight, norm;      /* of the full loss */
    vgae_enc_layer layers[VGAE_MAX_LAYERS];
    vgae_mat l2_scale, dl2_scale; /* 1 x 1: the VGNAE scale when learned */
    /* work space, N x the widest layer: propagation's ping-pong buffers,
     * the gradients of T and of a layer's input, a residual's gradient */
    vgae_mat mean, logvar, dmean, dlogvar, tile, prop_tmp, prop_acc, grad_t, dinput, dresid;
    /* memory at scale (encoder.c: t_in_grads, din_in_act): the last
     * hidden layer's ReLU mask as bits, while its act holds the gradient */
    uint64_t *relu_bits;
    vgae_elbo_work elbo;
    int32_t *neg_buf;             /* sampled loss: this epoch's negatives, (u, v) pairs */
    int64_t neg_cap, neg_used;    /* pairs neg_buf holds, and this epoch's */
    /* training only, per epoch: features after dropout (and their
     * transpose); with edge masking the visible edges' Â and the hidden
     * edges, the loss's positives */
    vgae_csr *x_drop, *xt_drop, *a_visible;
    vgae_csr *x_visible, *xt_visible; /* structure input under edge masking: A_visible */
    const vgae_csr *xt_used;      /* the transpose of the input the last forward pass read */
    vgae_graph *masked;
    int training;                 /* the forward pass draws dropout masks and uses a_visible */
    vgae_mlp_decoder mlp;         /* decoder HADAMARD */
    int encoder_params;           /* the first this many of base.params are the encoder's */
    vgae_adversary *adversary;    /* adversarial > 0 */
    double adversarial_loss;      /* the last epoch's regularizer term */
    int64_t encoded_epoch;        /* the epoch whose means `mean` holds; -1: none */
    int best_epoch;               /* model selection's choice in the last fit; 0: none */
    /* conditioning on labels (options.condition): each node's class (-1:
     * not known); the decoder's label codes (classes x classes) and their
     * gradient; [z | code] and its gradient; [mean | code] for scoring */
    int32_t *label;
    vgae_mat label_code, dlabel_code, zc, dzc, mean_c;
    /* facts for the model file */
    int64_t full_edges;
    uint32_t graph_checksum, features_checksum, split_checksum, labels_checksum;
    vgae_link_figures reported;
    vgae_fit_state fit;
    vgae_checkpoint_options checkpoints; /* path owned (a copy); NULL: none */
    /* where the data came from (malloc'ed; NULL: not known): checked when saved */
    char *source_dataset, *source_graph, *source_features, *source_labels;
    vgae_graph_format source_format;
};

/* A model on a training graph (copied) and features (copied; NULL for
 * featureless), with its own split NULL: what vgae_graph_ae_new builds on.
 * Tests use it to reach the decoders on a given graph. */
vgae_status vgae_graph_ae_on_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                   const vgae_graph *train, const vgae_csr *features,
                                   vgae_graph_ae **out);
/* The same with node labels (NULL: none), which a model conditioned on
 * them (options->condition, options->classes set) needs. */
vgae_status vgae_graph_ae_on_labeled_graph(vgae_ctx *ctx, const vgae_graph_ae_options *options,
                                           const vgae_graph *train, const vgae_csr *features,
                                           const vgae_labels *labels, vgae_graph_ae **out);
/* A CRC-32 of node labels (n, then each class) as a model file records
 * them; 0 for NULL. */
uint32_t vgae_labels_checksum(const vgae_labels *labels);

/* The loss for the current weights (drawing noise, and negatives for the
 * sampled loss, from the context's streams); with backward, also the
 * weight gradients. No update. terms may be NULL with backward. */
vgae_status vgae_graph_ae_loss(vgae_ctx *ctx, vgae_graph_ae *m, int backward, vgae_elbo_terms *terms);

/* The encoder's layers and parameters for the model's options (weights
 * drawn Glorot-uniform from init in layer order: W, then a VGAE's
 * Wsigma; biases and shifts 0, gains 1). */
vgae_status vgae_encoder_init(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *init);
void vgae_encoder_destroy(vgae_graph_ae *m);
/* The encoder: mean, and for a VGAE with with_logvar also logvar (scoring
 * pairs needs the means only). With m->training, dropout draws its masks
 * from VGAE_STREAM_DROPOUT and the edges come from m->a_visible if set. */
vgae_status vgae_gcn_forward(vgae_ctx *ctx, vgae_graph_ae *m, int with_logvar);
/* From dmean (and dlogvar, consumed) to the parameters' gradients (added). */
vgae_status vgae_gcn_backward(vgae_ctx *ctx, vgae_graph_ae *m);

/* The means of the current weights in m->mean (computed only if stale). */
vgae_status vgae_graph_ae_encode(vgae_ctx *ctx, vgae_graph_ae *m);

/* The full loss for given z (N x d) and its gradient dz (if not NULL)
 * scaled by grad_scale, computed in square blocks of `block` rows and
 * columns (only those on and above the diagonal: the loss is symmetric);
 * work is scratch space, grown as needed. With latent width 16 each block
 * goes through the fused kernel (vgae_kernel_full_tile), else through three
 * BLAS products and the element-wise kernel. */
vgae_status vgae_decoder_full(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                              double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                              double *nll);
/* The same with the path chosen: fused 0 takes the BLAS products at any
 * width (for tools/bench_decoder, which times both); 1 is what
 * vgae_decoder_full does. */
vgae_status vgae_decoder_full_path(vgae_ctx *ctx, const vgae_graph_ae *m, const vgae_mat *z,
                                   double grad_scale, vgae_mat *dz, vgae_mat *work, int64_t block,
                                   int fused, double *nll);
/* The full loss's rows i0..i0+ni-1 against all n rows of z (n x d): the
 * loss of those ni x n ordered pairs, each counted once, and with gi (ni x
 * d) gi += 2 G z over them, G = scale times the loss's derivative in the
 * logits. g's rows i0.. hold those rows' training edges (other rows may be
 * empty); the diagonal is a positive too. Column blocks of `block`, in
 * order, through the fused kernel at width 16: the same bits whoever
 * computes these rows (a process's share of a full loss spread over
 * processes). work: vgae_decoder_full_rows_work(block, d) reals. */
double vgae_decoder_full_rows(const vgae_graph *g, double pos_weight, const vgae_real *z, int32_t n, int64_t d,
                              int32_t i0, int32_t ni, int32_t block, double scale, int want_loss, vgae_real *gi,
                              vgae_real *work);
int64_t vgae_decoder_full_rows_work(int32_t block, int64_t d);
/* Rows (and columns) of the full loss's square blocks for n nodes: fixed by
 * n alone, so that results do not depend on the thread count. */
int64_t vgae_full_block(int32_t n);

/* The sampled loss over the edges of pos and the n_neg pairs in neg
 * (u, v interleaved): the positives' terms scaled by grad_scale, the
 * negatives' by grad_scale * neg_weight. Parallel over fixed parts of the
 * nodes; the same numbers on any thread count. */
vgae_status vgae_decoder_sampled(vgae_ctx *ctx, const vgae_graph *pos, const vgae_mat *z,
                                 const int32_t *neg, int64_t n_neg, double grad_scale,
                                 double neg_weight, vgae_mat *dz, double *nll);
/* This epoch's negatives for the sampled loss into m->neg_buf: count
 * uniform ordered pairs u != v that are not training edges. One draw from
 * VGAE_STREAM_NEGATIVES keys fixed chunks of pairs, which threads share;
 * the same pairs on any thread count. */
void vgae_sampled_draw_negatives(vgae_ctx *ctx, vgae_graph_ae *m, int64_t count);

/* The Hadamard-MLP decoder (decoder_mlp.c): its layers from init (after
 * the encoder's), its parameters added to the model's. */
vgae_status vgae_mlp_decoder_init(vgae_ctx *ctx, vgae_graph_ae *m, vgae_rng *init);
void vgae_mlp_decoder_destroy(vgae_mlp_decoder *d);
/* Its sampled loss, as vgae_decoder_sampled's; adds to its own gradients. */
vgae_status vgae_mlp_decoder_loss(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_graph *pos,
                                  const vgae_mat *z, const int32_t *neg, int64_t n_neg,
                                  double grad_scale, double neg_weight, vgae_mat *dz, double *nll);
/* Edge probabilities of n pairs under the decoder, from the embeddings emb. */
vgae_status vgae_mlp_decoder_score(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_mat *emb,
                                   const vgae_pair *pairs, int64_t n, double *scores);

/* The adversarial regularizer (adversary.c): the discriminator from init;
 * with dz, one discriminator step on (draws of N(0, I), z) and then the
 * encoder's term weight * mean -log D(z) into *loss with its gradient
 * added to dz; without dz, the term alone. */
vgae_status vgae_adversary_new(vgae_ctx *ctx, int64_t latent, double lr, vgae_rng *init,
                               vgae_adversary **out);
void vgae_adversary_free(vgae_adversary *a);
vgae_status vgae_adversary_apply(vgae_ctx *ctx, vgae_adversary *a, const vgae_mat *z,
                                 double weight, vgae_rng *rng, vgae_mat *dz, double *loss);

/* The model's metadata as its file records it (checkpoint: the figures of
 * no evaluation yet, as a checkpoint records them), malloc'ed; NULL on
 * error (a source that cannot be recorded is refused naming path). */
char *vgae_graph_ae_meta_text(vgae_ctx *ctx, const vgae_graph_ae *m, const char *path, int checkpoint);
/* The lowest format version that holds the model's options. */
int vgae_graph_ae_file_version(const vgae_graph_ae *m);
/* Ends the fit state (frees its best weights). */
void vgae_fit_state_clear(vgae_fit_state *fs);

/* The figure model selection watches (options->select), from validation figures. */
double vgae_select_value(const vgae_graph_ae_options *o, const vgae_set_figures *f);

/* sigmoid(emb_u . emb_v) for each pair, the dot product summed in double. */
void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores);

#endif
