/* What every model's checkpoint shares: the state's byte encoding, the random streams, Adam, writing, and the check that a checkpoint is of this run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "models/checkpoint.h"
#include "models/model_base.h"

/* ---- writing the state ---- */

void vgae_state_reals(vgae_state_out *s, const vgae_real *x, int64_t n)
{
    unsigned char b[4 * 256];
    for (int64_t i = 0; i < n; i += 256) {
        const int64_t m = n - i < 256 ? n - i : 256;
        for (int64_t k = 0; k < m; k++) {
            uint32_t u;
            memcpy(&u, &x[i + k], 4);
            vgae_put_le(b + 4 * k, u, 4);
        }
        vgae_state_bytes(s, b, (size_t)(4 * m));
    }
}

void vgae_state_rng(vgae_state_out *s, const vgae_rng *r)
{
    vgae_state_u64(s, (uint64_t)r->key[0] | (uint64_t)r->key[1] << 32);
    vgae_state_u64(s, (uint64_t)r->stream | (uint64_t)r->substream << 32);
    vgae_state_u64(s, r->block);
    vgae_state_u64(s, (uint64_t)r->buf[0] | (uint64_t)r->buf[1] << 32);
    vgae_state_u64(s, (uint64_t)r->buf[2] | (uint64_t)r->buf[3] << 32);
    vgae_state_u64(s, (uint64_t)r->used | (uint64_t)(r->has_spare != 0) << 32);
    vgae_state_f64(s, r->spare);
}

void vgae_state_rngs(vgae_state_out *s, vgae_ctx *ctx)
{
    vgae_state_u64(s, VGAE_STREAM_COUNT);
    for (int k = 0; k < VGAE_STREAM_COUNT; k++)
        vgae_state_rng(s, vgae_ctx_rng(ctx, (vgae_stream)k));
}

void vgae_state_adam(vgae_state_out *s, const vgae_adam *adam)
{
    const int64_t n = vgae_params_scalars(adam->params);
    vgae_state_u64(s, (uint64_t)adam->step);
    vgae_state_u64(s, (uint64_t)n);
    vgae_state_reals(s, adam->m, n);
    vgae_state_reals(s, adam->v, n);
}

void vgae_state_params(vgae_state_out *s, const vgae_params *params)
{
    vgae_state_u64(s, (uint64_t)vgae_params_scalars(params));
    for (int k = 0; k < params->count; k++)
        vgae_state_reals(s, params->items[k].value->data, vgae_mat_size(params->items[k].value));
}

/* ---- reading it back ---- */

vgae_status vgae_state_open(vgae_ctx *ctx, const vgae_model_file *file, const char *name,
                            vgae_state_in *in)
{
    return vgae_blob_open(ctx, file, name, "checkpoint", in);
}

void vgae_state_take_reals(vgae_state_in *s, vgae_real *x, int64_t n)
{
    const unsigned char *p = n > 0 && (uint64_t)n <= SIZE_MAX / 4 ? vgae_state_take_bytes(s, (size_t)n * 4) : NULL;
    if (!p) {
        s->bad |= n > 0;
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        uint32_t u = (uint32_t)vgae_get_le(p + 4 * k, 4);
        memcpy(&x[k], &u, 4);
    }
}

void vgae_state_take_rng(vgae_state_in *s, vgae_rng *r)
{
    uint64_t w[7];
    for (int k = 0; k < 7; k++)
        w[k] = vgae_state_take_u64(s);
    const uint32_t used = (uint32_t)w[5], spare = (uint32_t)(w[5] >> 32);
    if (used > 4 || spare > 1)
        s->bad = 1;
    if (s->bad)
        return;
    r->key[0] = (uint32_t)w[0];
    r->key[1] = (uint32_t)(w[0] >> 32);
    r->stream = (uint32_t)w[1];
    r->substream = (uint32_t)(w[1] >> 32);
    r->block = w[2];
    r->buf[0] = (uint32_t)w[3];
    r->buf[1] = (uint32_t)(w[3] >> 32);
    r->buf[2] = (uint32_t)w[4];
    r->buf[3] = (uint32_t)(w[4] >> 32);
    r->used = (int)used;
    r->has_spare = (int)spare;
    memcpy(&r->spare, &w[6], 8);
    r->window_first = r->window_total = 0; /* a window lasts one fill: none between epochs */
}

void vgae_state_take_rngs(vgae_state_in *s, vgae_ctx *ctx)
{
    vgae_rng r[VGAE_STREAM_COUNT];
    if (vgae_state_take_u64(s) != VGAE_STREAM_COUNT)
        s->bad = 1;
    for (int k = 0; k < VGAE_STREAM_COUNT; k++) {
        vgae_state_take_rng(s, &r[k]);
        if (!s->bad && r[k].stream != (uint32_t)k)
            s->bad = 1;
    }
    for (int k = 0; !s->bad && k < VGAE_STREAM_COUNT; k++)
        *vgae_ctx_rng(ctx, (vgae_stream)k) = r[k];
}

void vgae_state_take_adam(vgae_state_in *s, vgae_adam *adam)
{
    const uint64_t step = vgae_state_take_u64(s), n = vgae_state_take_u64(s);
    if (n != (uint64_t)vgae_params_scalars(adam->params) || step > ((uint64_t)1 << 53))
        s->bad = 1;
    if (s->bad)
        return;
    vgae_state_take_reals(s, adam->m, (int64_t)n);
    vgae_state_take_reals(s, adam->v, (int64_t)n);
    if (!s->bad)
        adam->step = (int64_t)step;
}

void vgae_state_take_params(vgae_state_in *s, vgae_params *params)
{
    if (vgae_state_take_u64(s) != (uint64_t)vgae_params_scalars(params))
        s->bad = 1;
    for (int k = 0; !s->bad && k < params->count; k++)
        vgae_state_take_reals(s, params->items[k].value->data, vgae_mat_size(params->items[k].value));
}

vgae_status vgae_state_close(vgae_ctx *ctx, const vgae_model_file *file, const char *name,
                            const vgae_state_in *in)
{
    return vgae_blob_close(ctx, file, name, "checkpoint", in);
}

/* ---- the file ---- */

vgae_status vgae_checkpoint_write(vgae_ctx *ctx, const char *path, const char *model_meta,
                                  const char *user_meta, const vgae_params *params,
                                  const vgae_split *split, const vgae_blob *blobs, int n_blobs)
{
    if (!user_meta)
        user_meta = "";
    /* the caller's lines keep to their own keys, whole lines */
    for (const char *line = user_meta; *line; line = strchr(line, '\n') + 1)
        if (strncmp(line, "user_", 5) != 0 || !strchr(line, '\n'))
            return vgae_fail(ctx, VGAE_EINVAL, "a checkpoint's caller lines must each be "
                             "'user_KEY VALUE' ending with a line break");
    char head[64];
    snprintf(head, sizeof head, "checkpoint_version %d\n", VGAE_CHECKPOINT_VERSION);
    const size_t a = strlen(model_meta), b = strlen(head), c = strlen(user_meta);
    char *meta = vgae_alloc(ctx, a + b + c + 1, 1);
    if (!meta)
        return VGAE_ENOMEM;
    memcpy(meta, model_meta, a);
    memcpy(meta + a, head, b);
    memcpy(meta + a + b, user_meta, c + 1);
    vgae_status st = vgae_model_file_write_blobs(ctx, path, meta, params, split, 7, blobs, n_blobs);
    free(meta);
    return st;
}

/* What a differing key says about the checkpoint. */
static const char *what_differs(const char *key)
{
    static const struct { const char *key, *what; } names[] = {
        {"graph_checksum", "another graph"}, {"features_checksum", "other features"},
        {"labels_checksum", "other labels"}, {"split_checksum", "another split"},
        {"nodes", "another graph"}, {"edges", "another graph"}, {"features", "other features"},
        {"checkpoint_images", "other training images"}, {"seed", "another seed"},
        {"library_version", "another vgae version"}, {"kind", "another model"}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(key, names[k].key) == 0)
            return names[k].what;
    return "other options";
}

vgae_status vgae_checkpoint_check(vgae_ctx *ctx, const vgae_model_file *file, const char *model_meta,
                                  const char *const *progress)
{
    const char *path = vgae_model_file_path(file);
    const char *version = vgae_model_file_meta(file, "checkpoint_version");
    char want[16];
    snprintf(want, sizeof want, "%d", VGAE_CHECKPOINT_VERSION);
    if (vgae_model_file_version(file) < 7 || !version)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "not a checkpoint: a model file (format "
                            "version %d) without a training state; checkpoints are written by "
                            "--checkpoint", vgae_model_file_version(file));
    if (strcmp(version, want) != 0)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "checkpoint format version %.20s: this vgae "
                            "resumes version %s only", version, want);
    for (const char *line = model_meta; *line;) {
        const char *space = strchr(line, ' '), *end = strchr(line, '\n');
        if (!space || !end || space > end)
            return vgae_fail(ctx, VGAE_EINVAL, "bad model metadata line");
        char key[64], here[1100];
        snprintf(key, sizeof key, "%.*s", (int)(space - line), line);
        snprintf(here, sizeof here, "%.*s", (int)(end - space - 1), space + 1);
        line = end + 1;
        int skip = 0;
        for (int k = 0; progress && progress[k]; k++)
            skip |= strcmp(progress[k], key) == 0;
        const char *there = vgae_model_file_meta(file, key);
        if (skip || (there && strcmp(there, here) == 0))
            continue;
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "a checkpoint of %s: %s %.200s there, %.200s here",
                            what_differs(key), key, there ? there : "(none)", *here ? here : "(none)");
    }
    return VGAE_OK;
}

vgae_status vgae_checkpoint_resume_base(vgae_ctx *ctx, const vgae_model_file *file, const char *model_meta,
                                        const char *const *progress, vgae_model_base *base)
{
    vgae_status st = vgae_checkpoint_check(ctx, file, model_meta, progress);
    if (!st)
        st = vgae_model_file_load_params(ctx, file, &base->params);
    vgae_state_in in;
    if (!st && !(st = vgae_state_open(ctx, file, "adam", &in))) {
        vgae_state_take_adam(&in, &base->adam);
        st = vgae_state_close(ctx, file, "adam", &in);
    }
    return st;
}

vgae_status vgae_checkpoint_resume_streams(vgae_ctx *ctx, const vgae_model_file *file)
{
    vgae_state_in in;
    vgae_status st = vgae_state_open(ctx, file, "rng", &in);
    if (!st) {
        vgae_state_take_rngs(&in, ctx);
        st = vgae_state_close(ctx, file, "rng", &in);
    }
    return st;
}
