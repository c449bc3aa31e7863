/* Exporting node embeddings: word2vec text, TSV, NumPy .npy and MatrixMarket array files. */
#ifndef VGAE_IO_EMBEDDING_H
#define VGAE_IO_EMBEDDING_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The file formats of vgae_embed_write. In every format row i is node i, in the order of the
 * input (the graph's node order).
 *
 * VGAE_EMBED_W2V  word2vec text, as gensim's KeyedVectors.load_word2vec_format(path,
 *                 binary=False) reads it: a line "N d", then per node "name v1 ... vd". A name
 *                 must be non-empty, valid UTF-8 (gensim decodes strictly) and free of
 *                 whitespace (space, \t, \n, \v, \f, \r).
 * VGAE_EMBED_TSV  a header "node\td0\td1...\td{d-1}", then per node "name\tv1\t...\tvd". A name
 *                 must be non-empty and hold no tab, \n or \r.
 * VGAE_EMBED_NPY  NumPy .npy version 1.0, dtype '<f4' (little-endian float32 on any host),
 *                 shape (N, d), C order; the header is padded to a multiple of 64 bytes. Names
 *                 are not stored: row i is node i.
 * VGAE_EMBED_MTX  MatrixMarket "matrix array real general", N x d, values in column-major order
 *                 as the array format requires; a comment line says that row i is node i. Names
 *                 are not stored.
 *
 * Text values are printed with "%.9g", which reads back as the same float, with '.' as the
 * decimal point whatever the locale; lines end in '\n'. */
typedef enum vgae_embed_format {
    VGAE_EMBED_W2V = 0,
    VGAE_EMBED_TSV = 1,
    VGAE_EMBED_NPY = 2,
    VGAE_EMBED_MTX = 3
} vgae_embed_format;

/* "w2v", "tsv", "npy", "mtx" -> format; VGAE_EINVAL naming the unknown name otherwise. */
VGAE_EXPORT vgae_status vgae_embed_format_from_name(vgae_ctx *ctx, const char *name, vgae_embed_format *out);
/* "w2v", "tsv", "npy" or "mtx"; "unknown" for a value outside the enum (never NULL). */
VGAE_EXPORT const char *vgae_embed_format_name(vgae_embed_format f);
/* The format a path's extension implies (.w2v/.txt/.vec -> w2v, .tsv, .npy, .mtx; letter case
 * ignored), or -1 (no extension, another one, "-", NULL). */
VGAE_EXPORT int vgae_embed_format_guess(const char *path);

/* Writes n x d row-major float embeddings to path ("-" = standard output), atomically through
 * a temporary file beside it: no partial file on any error, and an existing file is either kept
 * or replaced whole. names: n node names, or NULL for 0..n-1 (ignored by npy and mtx).
 *
 * Everything is checked before anything is written. VGAE_EINVAL: path NULL, a format outside
 * the enum, n < 0, d < 1, n * d too large, data NULL while n * d > 0, a NULL name, a value
 * that is NaN or infinite (the message names the node and column), a name the format cannot
 * hold (the message names the node index and the name). VGAE_EIO (naming the path): the
 * folder is missing or unwritable, the path is a directory, a write fails. VGAE_ENOMEM. */
VGAE_EXPORT vgae_status vgae_embed_write(vgae_ctx *ctx, const char *path, vgae_embed_format format,
                             const float *data, int64_t n, int64_t d, char *const *names);

#ifdef __cplusplus
}
#endif
#endif
