/* The sequence VAE's inside, shared by its files and reached by the gradient checks. */
#ifndef VGAE_MODELS_SEQ_VAE_IMPL_H
#define VGAE_MODELS_SEQ_VAE_IMPL_H

#include "models/model_base.h"
#include "vgae/models/seq_vae.h"
#include "vgae/nn/layers.h"
#include "vgae/nn/lstm.h"

struct vgae_seq_vae {
    vgae_model_base base; /* parameters, Adam, the latent layer, epoch, seed, time */
    vgae_seq_vae_options options;
    vgae_alphabet alphabet;
    int32_t vocab;        /* alphabet.size + VGAE_SEQ_FIRST_CHAR */
    vgae_mat emb, demb;   /* vocab x embed, shared by the encoder and the decoder */
    vgae_lstm enc[2];     /* forward, backward (bidirectional) */
    vgae_linear head[2];  /* [last states] -> mean, logvar */
    vgae_mat wz, dwz;     /* latent x 4 dec_hidden: z's part of every decoder step's gates */
    vgae_lstm dec;
    vgae_linear out;      /* dec_hidden -> vocab */
    vgae_elbo_work elbo;
    /* the batch loaded: rows sequences, steps = the longest + 1; tok holds
     * three steps x rows grids (time-major): the characters forward (END
     * past each end: the decoder's targets too), backward, and the
     * decoder's input (START, then the characters, some BLANK) */
    int64_t rows, steps;
    int32_t *tok, *len;   /* len: each sequence's length, then (from len_cap) the decoder's steps, length + 1 */
    int64_t tok_cap, len_cap;
    double *row_nll;      /* rows: each sequence's negative log-likelihood */
    double *cell_nll;     /* steps x rows: each step's term */
    uint8_t *cell_ok;     /* steps x rows: the likeliest character was the right one */
    int64_t cell_cap;
    vgae_lstm_run enc_run[2], dec_run;
    vgae_mat x_in, dx_in;  /* directions x steps x rows x embed: the grids' embeddings and their gradient */
    vgae_mat hcat, dhcat, dhcat2; /* rows x (directions x enc_hidden) */
    vgae_mat dh_last;      /* directions x rows x enc_hidden: the gradient of the encoder's last states */
    vgae_mat mean, logvar, dmean, dlogvar, cond, dcond;
    vgae_mat logits, dout; /* steps x rows x vocab; x dec_hidden */
    vgae_mat h0, c0;       /* batch x dec_hidden: decoding step by step */
    /* facts for the model file */
    char source[1024];
    vgae_seq_format source_format;
    double valid_frac;
    int64_t train_sequences;
    double train_loss;
    vgae_seq_figures reported;
};

/* The loss of all of s as one batch (no word dropout; z from noise), and
 * with backward the parameters' gradients (zeroed first). */
vgae_status vgae_seq_vae_loss(vgae_ctx *ctx, vgae_seq_vae *m, const vgae_seqs *s, const vgae_elbo_config *cfg,
                              vgae_rng *noise, int backward, vgae_elbo_terms *terms);
/* The parameter list (for the checks). */
static inline vgae_params *vgae_seq_vae_params(vgae_seq_vae *m)
{
    return &m->base.params;
}

#endif
