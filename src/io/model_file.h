/* Writing model files, and the typed metadata tables through which every model writes and reads its keys. */
#ifndef VGAE_IO_MODEL_FILE_INTERNAL_H
#define VGAE_IO_MODEL_FILE_INTERNAL_H

#include <stddef.h>

#include "vgae/io/model_file.h"
#include "vgae/nn/optim.h"

/* Writes a model file (layout in vgae/io/model_file.h): meta_text ("key
 * value" lines), the tensors of a parameter list in list order, and a
 * split (NULL for none), atomically, as format version min_version or the
 * lowest that can hold it: a model that an older vgae would misread gives
 * the version that brought what it uses (2: the graph options of version 2;
 * 3: the degree term; 4: the conditional image VAE; 5: the vq image VAE), so that older readers
 * refuse it as too new; a split
 * with hard negatives needs 2; everything else is version 1. */
vgae_status vgae_model_file_write(vgae_ctx *ctx, const char *path, const char *meta_text,
                                  const vgae_params *tensors, const vgae_split *split, int min_version);

/* A named run of bytes beside the tensors: a checkpoint's training state
 * (format version 7: after the split, u32 B, then B of u16 name length,
 * name, u64 size, bytes). */
typedef struct vgae_blob {
    const char *name;
    const void *data;
    size_t size;
} vgae_blob;

/* vgae_model_file_write with blobs (NULL: none): a file with blobs is
 * version 7, and is written even after vgae_interrupt_all (a checkpoint is
 * what a stopped run leaves to continue from). */
vgae_status vgae_model_file_write_blobs(vgae_ctx *ctx, const char *path, const char *meta_text,
                                        const vgae_params *tensors, const vgae_split *split,
                                        int min_version, const vgae_blob *blobs, int n_blobs);
/* The bytes of the blob of that name and their count, or NULL. */
const void *vgae_model_file_blob(const vgae_model_file *file, const char *name, size_t *size);

/* One metadata key of a model: how its value is written and read. A model
 * describes its metadata once, as a table of these; vgae_meta_format writes
 * the table's values as lines in table order and vgae_meta_parse reads a
 * file's lines back into the same variables, so the two cannot disagree. */
typedef enum vgae_meta_type {
    VGAE_META_INT,    /* int; range [min, max] */
    VGAE_META_INT64,  /* int64_t; range [min, max] */
    VGAE_META_UINT64, /* uint64_t; any value below 2^63 */
    VGAE_META_REAL,   /* double; digits 0: the shortest text that reads back exactly, else
                         "%.{digits}f". With max > min, finite and in [min, max] (a
                         setting); else NaN allowed (a figure not measured) */
    VGAE_META_HEX32,  /* uint32_t as 0x%08x */
    VGAE_META_TEXT,   /* char[size]: one line of text, possibly empty */
    VGAE_META_NAME    /* an int index into names (NULL-terminated), written as the name */
} vgae_meta_type;

typedef struct vgae_meta_key {
    const char *key;
    vgae_meta_type type;
    void *value;
    double min, max;          /* VGAE_META_INT, VGAE_META_INT64; VGAE_META_REAL (see above) */
    int digits;               /* VGAE_META_REAL */
    size_t size;              /* VGAE_META_TEXT: the buffer's size */
    const char *const *names; /* VGAE_META_NAME */
    int required;             /* a file without the key is refused */
} vgae_meta_key;

/* The table's values as "key value\n" lines, malloc'ed. A text holding a
 * line break is VGAE_EINVAL. */
char *vgae_meta_format(vgae_ctx *ctx, const vgae_meta_key *keys, int n);
/* Reads the table's keys from a file's metadata into their variables. A
 * key the file lacks keeps its variable's value (or is refused if
 * required); keys the table does not list are left alone. A value that does
 * not parse or is out of range is VGAE_EFORMAT: "PATH: corrupted model
 * file: bad metadata 'KEY VALUE'". */
vgae_status vgae_meta_parse(vgae_ctx *ctx, const vgae_model_file *file, const vgae_meta_key *keys,
                            int n);

/* Parses one key's value (its text in a file) into its variable; 0 if it
 * does not parse or is out of range. For "key value" lines of other files
 * (a partition's manifest). */
int vgae_meta_parse_value(const vgae_meta_key *m, const char *v);
/* Copies the file's tensors into the parameters of the same names (each
 * must be there, with the parameter's shape). */
vgae_status vgae_model_file_load_params(vgae_ctx *ctx, const vgae_model_file *file,
                                        vgae_params *params);

#endif
