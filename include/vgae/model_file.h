/* Model files: a versioned binary format holding metadata, weights and the split, with a CRC-32. */
#ifndef VGAE_MODEL_FILE_H
#define VGAE_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "vgae/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layout (all integers little-endian):
 *   "VGAEMODL"                      8-byte magic
 *   u32 format version              (1)
 *   u32 M, then M bytes             metadata: "key value\n" lines, UTF-8
 *   u32 T, then T tensors           each: u16 name length, name, u64 rows,
 *                                   u64 cols, rows * cols float32
 *   u32 S: 0 (no split) or 5, then u32 nodes and the 5 pair sets train,
 *                                   val_pos, val_neg, test_pos, test_neg:
 *                                   u64 count, count * (i32 u, i32 v)
 *   u32 CRC-32 (zlib) of every byte before it.
 * A reader refuses a wrong magic, a newer version, a CRC mismatch and any
 * size that runs past the end. Unknown metadata keys are kept for display. */
#define VGAE_MODEL_FILE_VERSION 1

/* The container as read: metadata text, tensors, the split if any. */
typedef struct vgae_container {
    char *meta_text;
    int n_tensors;
    char (*names)[64];
    vgae_mat *tensors;    /* float */
    vgae_split *split;    /* NULL when the file holds none */
} vgae_container;

/* Writes meta_text ("key value" lines), the tensors of a parameter list and
 * a split (NULL for none) atomically. */
vgae_status vgae_container_write(vgae_ctx *ctx, const char *path, const char *meta_text,
                                 const vgae_params *tensors, const vgae_split *split);
/* Reads and checks a container: magic, version, CRC, every size. */
vgae_status vgae_container_read(vgae_ctx *ctx, const char *path, vgae_container **out);
void vgae_container_free(vgae_container *c);
/* The tensor of that name, or NULL. */
const vgae_mat *vgae_container_tensor(const vgae_container *c, const char *name);
/* The value of `key` in "key value" lines, copied into buf, or NULL. */
const char *vgae_meta_get(const char *text, const char *key, char *buf, size_t size);

typedef struct vgae_model_meta {
    vgae_model_options options;
    int32_t nodes, n_features; /* n_features 0: featureless */
    int64_t edges;             /* of the full graph */
    uint64_t seed;
    double val_frac, test_frac;
    uint32_t graph_checksum, features_checksum, split_checksum;
    int epochs_trained;
    double val_auc, val_ap, test_auc, test_ap, train_seconds; /* as training reported them */
    char source_dataset[128];   /* --dataset name, or "" */
    char source_graph[1024];    /* the graph file read (absolute), or "" */
    char source_features[1024]; /* the features file read (absolute), or "" */
    char source_format[16];     /* the graph format name */
    char library_version[32];
} vgae_model_meta;

/* A CRC-32 of a feature matrix (shape, structure and values), or 0 for NULL. */
uint32_t vgae_features_checksum(const vgae_csr *x);

/* Writes model's weights, meta and split to path atomically (a temporary
 * file renamed over the target; nothing is left behind on an error). */
vgae_status vgae_model_save(vgae_ctx *ctx, const char *path, const vgae_model_meta *meta,
                            const vgae_model *model, const vgae_split *split);

/* What a model file holds. */
typedef struct vgae_model_file {
    vgae_model_meta meta;
    vgae_container *container; /* owns what the fields below point to */
    char *metadata_text;  /* the metadata lines as stored, for display */
    int n_tensors;
    char (*names)[64];
    vgae_mat *tensors;    /* float */
    vgae_split *split;
} vgae_model_file;

/* Reads and checks a model file. */
vgae_status vgae_model_file_read(vgae_ctx *ctx, const char *path, vgae_model_file **out);
void vgae_model_file_free(vgae_model_file *file);

/* Builds the model a file describes on the graph g (the full graph; the
 * file's split gives the training edges) and features (NULL when the model
 * is featureless), with the stored weights. The graph and features must
 * have the file's checksums unless force != 0. *train receives the training
 * graph, which the model borrows (free it after the model). */
vgae_status vgae_model_from_file(vgae_ctx *ctx, const vgae_model_file *file, const vgae_graph *g,
                                 const vgae_csr *features, int force, vgae_graph **train,
                                 vgae_model **out);

#ifdef __cplusplus
}
#endif
#endif
