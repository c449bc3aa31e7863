/* The byte encoding of model files' named runs of bytes (blobs): little-endian values appended, and read back with bounds checks. */
#include <string.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "io/blob.h"
#include "io/model_file.h"

/* ---- writing ---- */

void vgae_state_bytes(vgae_state_out *s, const void *p, size_t n)
{
    if (s->failed)
        return;
    if (vgae_grow(s->ctx, (void **)&s->data, &s->cap, s->size + n, 1)) {
        s->failed = 1;
        return;
    }
    memcpy(s->data + s->size, p, n);
    s->size += n;
}

void vgae_state_u64(vgae_state_out *s, uint64_t x)
{
    unsigned char b[8];
    vgae_put_le(b, x, 8);
    vgae_state_bytes(s, b, 8);
}

void vgae_state_f64(vgae_state_out *s, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    vgae_state_u64(s, u);
}

/* n values of `bytes` bytes each, little-endian, through a buffer. */
static void put_words(vgae_state_out *s, const void *x, int64_t n, int bytes)
{
    unsigned char b[8 * 256];
    const unsigned char *src = x;
    for (int64_t i = 0; i < n; i += 256) {
        const int64_t m = n - i < 256 ? n - i : 256;
        for (int64_t k = 0; k < m; k++) {
            uint64_t u = 0;
            if (bytes == 4) {
                uint32_t w;
                memcpy(&w, src + (i + k) * 4, 4);
                u = w;
            } else {
                memcpy(&u, src + (i + k) * 8, 8);
            }
            vgae_put_le(b + bytes * k, u, bytes);
        }
        vgae_state_bytes(s, b, (size_t)(bytes * m));
    }
}

void vgae_state_i32s(vgae_state_out *s, const int32_t *x, int64_t n)
{
    put_words(s, x, n, 4);
}

void vgae_state_i64s(vgae_state_out *s, const int64_t *x, int64_t n)
{
    put_words(s, x, n, 8);
}

void vgae_state_f32s(vgae_state_out *s, const float *x, int64_t n)
{
    put_words(s, x, n, 4);
}

/* ---- reading ---- */

const unsigned char *vgae_state_take_bytes(vgae_state_in *s, size_t n)
{
    if (s->bad || (size_t)(s->end - s->p) < n) {
        s->bad = 1;
        return NULL;
    }
    const unsigned char *at = s->p;
    s->p += n;
    return at;
}

uint64_t vgae_state_take_u64(vgae_state_in *s)
{
    const unsigned char *p = vgae_state_take_bytes(s, 8);
    return p ? vgae_get_le(p, 8) : 0;
}

double vgae_state_take_f64(vgae_state_in *s)
{
    uint64_t u = vgae_state_take_u64(s);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

static void take_words(vgae_state_in *s, void *x, int64_t n, int bytes)
{
    const unsigned char *p = n > 0 && (uint64_t)n <= SIZE_MAX / 8 ? vgae_state_take_bytes(s, (size_t)n * bytes)
                                                                  : NULL;
    unsigned char *dst = x;
    if (!p) {
        s->bad |= n != 0;
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        const uint64_t u = vgae_get_le(p + bytes * k, bytes);
        if (bytes == 4) {
            const uint32_t w = (uint32_t)u;
            memcpy(dst + 4 * k, &w, 4);
        } else {
            memcpy(dst + 8 * k, &u, 8);
        }
    }
}

void vgae_state_take_i32s(vgae_state_in *s, int32_t *x, int64_t n)
{
    take_words(s, x, n, 4);
}

void vgae_state_take_i64s(vgae_state_in *s, int64_t *x, int64_t n)
{
    take_words(s, x, n, 8);
}

void vgae_state_take_f32s(vgae_state_in *s, float *x, int64_t n)
{
    take_words(s, x, n, 4);
}

vgae_status vgae_blob_open(vgae_ctx *ctx, const vgae_model_file *file, const char *name, const char *what,
                           vgae_state_in *in)
{
    size_t size = 0;
    const unsigned char *p = vgae_model_file_blob(file, name, &size);
    *in = (vgae_state_in){p, p ? p + size : NULL, 0};
    if (!p)
        return vgae_fail_at(ctx, VGAE_EFORMAT, vgae_model_file_path(file), 0, "corrupted %s: no '%s' section",
                            what, name);
    return VGAE_OK;
}

vgae_status vgae_blob_close(vgae_ctx *ctx, const vgae_model_file *file, const char *name, const char *what,
                            const vgae_state_in *in)
{
    if (in->bad || in->p != in->end)
        return vgae_fail_at(ctx, VGAE_EFORMAT, vgae_model_file_path(file), 0,
                            "corrupted %s: its '%s' section is cut short, too long or out of range", what,
                            name);
    return VGAE_OK;
}
