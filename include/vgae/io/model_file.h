/* Model files: the versioned binary container every model is saved in (metadata, tensors, a split, a CRC-32). */
#ifndef VGAE_IO_MODEL_FILE_H
#define VGAE_IO_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/graph/split.h"
#include "vgae/nn/dense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layout (all integers little-endian):
 *   "VGAEMODL"                      8-byte magic
 *   u32 format version              (1)
 *   u32 M, then M bytes             metadata: "key value\n" lines, UTF-8; the
 *                                   key "kind" names the model ("vgae",
 *                                   "gae", "image-vae")
 *   u32 T, then T tensors           each: u16 name length, name, u64 rows,
 *                                   u64 cols, rows * cols float32
 *   u32 S: 0 (no split) or 5, then u32 nodes and the 5 pair sets train,
 *                                   val_pos, val_neg, test_pos, test_neg:
 *                                   u64 count, count * (i32 u, i32 v);
 *                                   or (version 2) 7: u32 nodes, u64 K, the
 *                                   5 sets, then val_hard and test_hard
 *                                   (K hard negatives per held-out positive)
 *   u32 CRC-32 (zlib) of every byte before it.
 * A file whose split has no hard negatives is written as version 1, which
 * every vgae reads; version 2 only when it has them, so that a vgae older
 * than hard negatives refuses the file as too new. Version 3: a graph model
 * with the decoder's degree term (same layout; a vgae that reads version 2
 * would drop the term). Version 4: a conditional image VAE (key "classes";
 * a vgae without it would misread the layers' sizes). Version 5: a
 * vector-quantized image VAE (keys "latent_kind" vq, "vq_*", a codebook).
 * Version 6: a graph model conditioned on node labels (keys "condition",
 * "classes", "labels_checksum", a tensor of label codes). Version 7: a
 * checkpoint (vgae/models/checkpoint.h): any model's file with keys
 * "checkpoint_*" and, after the split, its training state as named runs
 * of bytes (u32 B, then B of u16 name length, name, u64 size, bytes).
 * Every model's save writes this and every model's load reads it; the
 * models differ only in their metadata keys and tensor names. */
#define VGAE_MODEL_FILE_VERSION 7

/* A model file as read, whatever model it holds: for looking at (vgae info
 * --model) and for the models' loaders. Opaque. */
typedef struct vgae_model_file vgae_model_file;

/* Reads and checks a model file: the magic, the version (a newer one is
 * VGAE_EUNSUPPORTED), the CRC, every size, finite weights, metadata lines of
 * the form "key value" with unique keys. Errors name the file. */
VGAE_EXPORT vgae_status vgae_model_file_read(vgae_ctx *ctx, const char *path, vgae_model_file **out);
/* Frees; accepts NULL. */
VGAE_EXPORT void vgae_model_file_free(vgae_model_file *file);

/* The path it was read from. */
VGAE_EXPORT const char *vgae_model_file_path(const vgae_model_file *file);
/* The format version the file was written in (1 to 7). */
VGAE_EXPORT int vgae_model_file_version(const vgae_model_file *file);
/* The value of the metadata key "kind" ("" if there is none). */
VGAE_EXPORT const char *vgae_model_file_kind(const vgae_model_file *file);
/* The value of a metadata key, or NULL; valid while the file is. */
VGAE_EXPORT const char *vgae_model_file_meta(const vgae_model_file *file, const char *key);
/* All the metadata lines as stored. */
VGAE_EXPORT const char *vgae_model_file_meta_text(const vgae_model_file *file);
/* The tensors: how many, and the name and values of tensor i. */
VGAE_EXPORT int vgae_model_file_tensors(const vgae_model_file *file);
VGAE_EXPORT const char *vgae_model_file_tensor_name(const vgae_model_file *file, int i);
VGAE_EXPORT const vgae_mat *vgae_model_file_tensor(const vgae_model_file *file, int i);
/* The stored split (its n_edges and fractions 0), or NULL if there is none. */
VGAE_EXPORT const vgae_split *vgae_model_file_split(const vgae_model_file *file);

#ifdef __cplusplus
}
#endif
#endif
