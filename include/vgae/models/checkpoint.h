/* Checkpoints: a training run's whole state in one file, to continue the run after a stop as if it never stopped. */
#ifndef VGAE_MODELS_CHECKPOINT_H
#define VGAE_MODELS_CHECKPOINT_H

#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A checkpoint is a model file (vgae/io/model_file.h, format version 7)
 * holding, besides the model's metadata, weights and split, everything the
 * rest of the run depends on: the optimizer's moments and step, the epoch
 * (and for minibatch training the place in the epoch and its order), every
 * random stream of the context, and what model selection has seen (the
 * best weights, their value and epoch, evaluations without improvement).
 * A run resumed from it ends with the same bits as the run that was never
 * stopped, on any thread count. The model's own loaders read it as the
 * model at that point. It is written whole or not at all, even after
 * vgae_interrupt_all. Resuming refuses a checkpoint of another run: another
 * graph, split, features, labels or images, other options, another seed,
 * another vgae version or checkpoint format, naming what differs. */
#define VGAE_CHECKPOINT_VERSION 1

/* When a fit writes checkpoints. */
typedef struct vgae_checkpoint_options {
    const char *path; /* where (each checkpoint replaces the last); NULL: none */
    int every;        /* after every this many epochs; 0: only when interrupted */
    /* the caller's own state, as metadata lines "user_KEY VALUE\n" (a
     * malloc'ed text the checkpoint frees, "" for none; NULL means out of
     * memory, and the checkpoint fails), asked for at each write; the
     * callback may be NULL */
    char *(*user_meta)(void *user);
    void *user;
} vgae_checkpoint_options;

#ifdef __cplusplus
}
#endif
#endif
