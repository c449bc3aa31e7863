/* What every model's checkpoint shares: the state's byte encoding, the random streams, Adam, writing, and the check that a checkpoint is of this run. */
#ifndef VGAE_MODELS_CHECKPOINT_INTERNAL_H
#define VGAE_MODELS_CHECKPOINT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "io/blob.h"
#include "io/model_file.h"
#include "vgae/models/checkpoint.h"
#include "vgae/nn/optim.h"

/* A training state is a blob (io/blob.h) of these values beside vgae's own. */
void vgae_state_reals(vgae_state_out *s, const vgae_real *x, int64_t n);
/* The context's random streams, each as it stands. */
void vgae_state_rngs(vgae_state_out *s, vgae_ctx *ctx);
void vgae_state_rng(vgae_state_out *s, const vgae_rng *r);
/* Adam's step and moments (all scalars of its parameters). */
void vgae_state_adam(vgae_state_out *s, const vgae_adam *adam);
/* A parameter list's values, end to end, after their count. */
void vgae_state_params(vgae_state_out *s, const vgae_params *params);

/* The blob `name` of the checkpoint (VGAE_EFORMAT naming the file if it lacks it). */
vgae_status vgae_state_open(vgae_ctx *ctx, const vgae_model_file *file, const char *name,
                            vgae_state_in *in);
void vgae_state_take_reals(vgae_state_in *s, vgae_real *x, int64_t n);
void vgae_state_take_rng(vgae_state_in *s, vgae_rng *r);
/* Into the context's streams (all of them, or none when bad). */
void vgae_state_take_rngs(vgae_state_in *s, vgae_ctx *ctx);
void vgae_state_take_adam(vgae_state_in *s, vgae_adam *adam);
void vgae_state_take_params(vgae_state_in *s, vgae_params *params);
/* VGAE_OK if the blob was read whole and made sense; else VGAE_EFORMAT
 * naming the file and the blob. */
vgae_status vgae_state_close(vgae_ctx *ctx, const vgae_model_file *file, const char *name,
                             const vgae_state_in *in);

/* Writes a checkpoint: the model's metadata (as its save writes it), the
 * checkpoint's own keys, the caller's lines (user_meta: "user_KEY VALUE"
 * lines, or NULL), the parameters and split, and the blobs; atomically,
 * even after vgae_interrupt_all. */
vgae_status vgae_checkpoint_write(vgae_ctx *ctx, const char *path, const char *model_meta,
                                  const char *user_meta, const vgae_params *params,
                                  const vgae_split *split, const vgae_blob *blobs, int n_blobs);

/* Whether file is a checkpoint of the run whose metadata (as a checkpoint
 * of it now would record) is model_meta: a checkpoint of this format, and
 * every key of model_meta but those in `progress` (NULL-terminated: what
 * training changes) with the same value. VGAE_EINVAL with one line naming
 * the file and the first difference. */
vgae_status vgae_checkpoint_check(vgae_ctx *ctx, const vgae_model_file *file, const char *model_meta,
                                  const char *const *progress);

/* What every model's resume begins with: the check above, then the
 * weights (the file's tensors) and Adam ("adam") into base. */
struct vgae_model_base;
vgae_status vgae_checkpoint_resume_base(vgae_ctx *ctx, const vgae_model_file *file, const char *model_meta,
                                        const char *const *progress, struct vgae_model_base *base);
/* And what it ends with: the context's random streams ("rng"). */
vgae_status vgae_checkpoint_resume_streams(vgae_ctx *ctx, const vgae_model_file *file);

#endif
