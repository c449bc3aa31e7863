/* The sequence VAE (Bowman et al. 2016): an LSTM encoder to the shared Gaussian layer, an LSTM decoder conditioned on z. */
#ifndef VGAE_MODELS_SEQ_VAE_H
#define VGAE_MODELS_SEQ_VAE_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/io/model_file.h"
#include "vgae/io/sequences.h"
#include "vgae/nn/dense.h"
#include "vgae/vae/elbo.h"
#include "vgae/vae/kl_schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vgae_seq_vae_options {
    int embed;          /* character embedding width (32) */
    int enc_hidden;     /* encoder LSTM units, each direction (256) */
    int bidirectional;  /* 1: the encoder reads each sequence both ways (1) */
    int dec_hidden;     /* decoder LSTM units (256) */
    int latent;         /* 56 */
    int max_len;        /* the longest sequence, in characters (120) */
    int batch;          /* 64 */
    double lr;          /* Adam, 2e-3 */
    int epochs;         /* 50 */
    double beta;        /* the KL's weight (0.1: at 1 the KL sinks to the free bits' floor) */
    vgae_kl_schedule kl; /* annealing (linear over 5 epochs) */
    /* against posterior collapse: the decoder's input characters replaced
     * by a blank with this probability (Bowman et al.'s word dropout; 0.1),
     * and free bits per latent dimension in nats (see vgae_elbo_config;
     * 0.05) */
    double word_dropout, free_bits;
    double clip;        /* the gradient's largest norm (5; 0: no clipping) */
} vgae_seq_vae_options;

VGAE_EXPORT vgae_seq_vae_options vgae_seq_vae_defaults(void);

/* Tokens: a sequence of characters c_1..c_L of the model's alphabet is
 * read as the token ids 3 + index(c); the decoder starts from START (1),
 * ends with END (0), and word dropout puts BLANK (2) in place of an input
 * character. */
enum { VGAE_SEQ_END = 0, VGAE_SEQ_START = 1, VGAE_SEQ_BLANK = 2, VGAE_SEQ_FIRST_CHAR = 3 };

/*     characters -> embedding -> LSTM (both ways) -> last states -> mean, logvar
 *     -> Gaussian layer -> z -> (z Wz added to every step's gates)
 *     LSTM decoder over START c_1 .. c_L (teacher forcing) -> softmax -> c_1 .. c_L END
 * The loss, through the shared vgae_elbo_compute, is the negative ELBO per
 * sequence: the categorical negative log-likelihood of its characters and
 * its END, plus beta * KL (annealed, with free bits). Opaque. */
typedef struct vgae_seq_vae vgae_seq_vae;

/* A model over the alphabet (copied), weights from VGAE_STREAM_INIT. */
VGAE_EXPORT vgae_status vgae_seq_vae_new(vgae_ctx *ctx, const vgae_seq_vae_options *options,
                                         const vgae_alphabet *alphabet, vgae_seq_vae **out);
VGAE_EXPORT void vgae_seq_vae_free(vgae_seq_vae *m);
VGAE_EXPORT const vgae_seq_vae_options *vgae_seq_vae_settings(const vgae_seq_vae *m);
VGAE_EXPORT const vgae_alphabet *vgae_seq_vae_alphabet(const vgae_seq_vae *m);
VGAE_EXPORT int64_t vgae_seq_vae_parameters(const vgae_seq_vae *m);
VGAE_EXPORT int64_t vgae_seq_vae_epochs(const vgae_seq_vae *m);

/* What an epoch or an evaluation measured, means per sequence. */
typedef struct vgae_seq_figures {
    double loss;       /* what training minimizes (annealed, free bits) */
    double neg_elbo;   /* recon + kl */
    double recon, kl;  /* nats per sequence */
    double per_char;   /* the negative ELBO per character (END counted) */
    double char_accuracy; /* teacher-forced next-character accuracy */
    int64_t sequences, characters;
} vgae_seq_figures;

/* Called after each batch: batches done of total, seconds so far. */
typedef void (*vgae_seq_progress_fn)(void *user, int64_t done, int64_t total, double seconds);

/* One pass over the sequences in batches of similar length (the order and
 * the batches drawn from VGAE_STREAM_SHUFFLE, word dropout from
 * VGAE_STREAM_DROPOUT, z from VGAE_STREAM_NOISE), one Adam step a batch.
 * Every sequence must be of the model's alphabet and at most max_len long
 * (VGAE_EINVAL otherwise). */
VGAE_EXPORT vgae_status vgae_seq_vae_train_epoch(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *train,
                                                 vgae_seq_progress_fn progress, void *user,
                                                 vgae_seq_figures *out);
/* The negative ELBO of the sequences with one draw of z each (from a
 * stream of the evaluation's own: the same model and seed evaluate alike),
 * no dropout, the KL plain. */
VGAE_EXPORT vgae_status vgae_seq_vae_evaluate(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s,
                                              vgae_seq_figures *out);

/* The importance-weighted estimate of -log p(x) (Burda et al. 2016) with
 * k draws of z per sequence from the context's VGAE_STREAM_NOISE, mean
 * over the sequences: a bound that tightens as k grows (k = 1: the
 * negative ELBO of one draw). progress (may be NULL) after each batch. */
VGAE_EXPORT vgae_status vgae_seq_vae_iwae(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, int k,
                                          vgae_seq_progress_fn progress, void *user, double *nll);

/* The means of q(z|x) of the sequences (s->count x latent into out, resized). */
VGAE_EXPORT vgae_status vgae_seq_vae_encode(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, vgae_mat *out);

/* Decodes codes z (rows x latent) into sequences (out: rows of them):
 * greedy (temperature 0: the likeliest character each step) or sampled
 * from the softmax at the temperature (draws from rng), until END or
 * max_len characters (a sequence cut there has ended[i] = 0; ended may be
 * NULL). */
VGAE_EXPORT vgae_status vgae_seq_vae_decode(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_mat *z, double temperature,
                                            vgae_rng *rng, vgae_seqs *out, uint8_t *ended);

/* Writes the model file (kind "seq-vae"; see vgae/io/model_file.h): the
 * options, the alphabet, seed and epochs trained, where the training
 * sequences came from and how many, the last training loss and measured
 * figures, seconds per epoch, the library version, and the weights. Whole
 * or not at all. */
VGAE_EXPORT vgae_status vgae_seq_vae_save(vgae_ctx *ctx, const vgae_seq_vae *model, const char *path);
/* The model a file holds (VGAE_EINVAL for another kind of model;
 * VGAE_EFORMAT for metadata that does not match the weights). */
VGAE_EXPORT vgae_status vgae_seq_vae_from_file(vgae_ctx *ctx, const vgae_model_file *file, vgae_seq_vae **out);
/* vgae_model_file_read then vgae_seq_vae_from_file. */
VGAE_EXPORT vgae_status vgae_seq_vae_load(vgae_ctx *ctx, const char *path, vgae_seq_vae **out);
/* What the file records of the training data (the file's name and how
 * its lines were read, the fraction held out for validation, the training
 * sequences, the last epoch's loss) and of the last measurement. */
VGAE_EXPORT void vgae_seq_vae_set_source(vgae_seq_vae *model, const char *source, vgae_seq_format format,
                                         double valid_frac, int64_t train_sequences, double train_loss);
/* The training data's file name ("" when unknown), with how it was read
 * and the fraction held out (each may be NULL). */
VGAE_EXPORT const char *vgae_seq_vae_source(const vgae_seq_vae *model, vgae_seq_format *format,
                                            double *valid_frac);
/* The context's seed when the model was made. */
VGAE_EXPORT uint64_t vgae_seq_vae_seed(const vgae_seq_vae *model);
VGAE_EXPORT void vgae_seq_vae_set_reported(vgae_seq_vae *model, const vgae_seq_figures *figures);

#ifdef __cplusplus
}
#endif
#endif
