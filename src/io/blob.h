/* The byte encoding of model files' named runs of bytes (blobs): little-endian values appended, and read back with bounds checks. */
#ifndef VGAE_IO_BLOB_H
#define VGAE_IO_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/io/model_file.h"

/* A blob being written: little-endian values appended to a growing
 * buffer. An allocation failure is kept in `failed` (and the context) and
 * the rest is dropped: check once at the end. */
typedef struct vgae_state_out {
    vgae_ctx *ctx;
    unsigned char *data;
    size_t size, cap;
    int failed;
} vgae_state_out;

void vgae_state_bytes(vgae_state_out *s, const void *p, size_t n);
void vgae_state_u64(vgae_state_out *s, uint64_t x);
void vgae_state_f64(vgae_state_out *s, double x); /* its bits: exact */
void vgae_state_i32s(vgae_state_out *s, const int32_t *x, int64_t n);
void vgae_state_i64s(vgae_state_out *s, const int64_t *x, int64_t n);
void vgae_state_f32s(vgae_state_out *s, const float *x, int64_t n); /* their bits */

/* A blob being read: reads past the end set `bad`, and what follows reads
 * zeros. */
typedef struct vgae_state_in {
    const unsigned char *p, *end;
    int bad;
} vgae_state_in;

/* The next n bytes, or NULL (and bad) past the end. */
const unsigned char *vgae_state_take_bytes(vgae_state_in *s, size_t n);
uint64_t vgae_state_take_u64(vgae_state_in *s);
double vgae_state_take_f64(vgae_state_in *s);
void vgae_state_take_i32s(vgae_state_in *s, int32_t *x, int64_t n);
void vgae_state_take_i64s(vgae_state_in *s, int64_t *x, int64_t n);
void vgae_state_take_f32s(vgae_state_in *s, float *x, int64_t n);

/* The blob `name` of the file; VGAE_EFORMAT "PATH: corrupted WHAT: no
 * 'NAME' section" if it lacks it (what: "checkpoint", "part file"). */
vgae_status vgae_blob_open(vgae_ctx *ctx, const vgae_model_file *file, const char *name, const char *what,
                           vgae_state_in *in);
/* VGAE_OK if the blob was read whole and made sense; else VGAE_EFORMAT
 * naming the file, what it is and the blob. */
vgae_status vgae_blob_close(vgae_ctx *ctx, const vgae_model_file *file, const char *name, const char *what,
                            const vgae_state_in *in);

#endif
