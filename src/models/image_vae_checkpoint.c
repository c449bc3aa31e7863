/* Image VAE checkpoints: the training state (at an epoch's end or part way through one) written beside the model, and training resumed from it. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "models/checkpoint.h"
#include "models/image_vae_impl.h"
#include "vae/latent_state.h"

/* The metadata keys that training changes: the rest must match to resume. */
static const char *const progress_keys[] = {
    "epochs_trained", "train_images", "train_loss", "test_neg_elbo", "test_recon", "test_kl",
    "seconds_per_epoch", "source_data", NULL};

/* A CRC-32 of the training images (pixels and labels), kept for the same
 * images: a checkpoint must continue on the images it was made on. */
static uint32_t images_checksum(vgae_image_vae *v, const vgae_images *train)
{
    if (v->images_crc_of == train->pixels && v->images_crc_n == train->n)
        return v->images_crc;
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *p = (const unsigned char *)train->pixels;
    size_t left = (size_t)train->n * (size_t)v->input * sizeof *train->pixels;
    for (; left; ) {
        const size_t chunk = left < ((size_t)1 << 30) ? left : ((size_t)1 << 30);
        crc = crc32(crc, p, (uInt)chunk);
        p += chunk;
        left -= chunk;
    }
    if (train->labels)
        crc = crc32(crc, train->labels, (uInt)train->n);
    v->images_crc = (uint32_t)crc;
    v->images_crc_of = train->pixels;
    v->images_crc_n = train->n;
    return v->images_crc;
}

/* The model's checkpoint metadata with the training images' count and checksum. */
static char *checkpoint_meta(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train)
{
    char *meta = vgae_image_vae_meta_text(ctx, v, 1);
    if (!meta)
        return NULL;
    char line[96];
    snprintf(line, sizeof line, "checkpoint_images %" PRId64 " 0x%08" PRIx32 "\n", train->n,
             images_checksum(v, train));
    char *all = vgae_alloc(ctx, strlen(meta) + strlen(line) + 1, 1);
    if (all) {
        memcpy(all, meta, strlen(meta));
        memcpy(all + strlen(meta), line, strlen(line) + 1);
    }
    free(meta);
    return all;
}

vgae_status vgae_image_vae_checkpoint(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train,
                                      const char *path, const char *user_meta)
{
    if (train->height != v->height || train->width != v->width || train->n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "a checkpoint needs the model's training images");
    vgae_state_out rng = {.ctx = ctx}, adam = {.ctx = ctx}, epoch = {.ctx = ctx}, lat = {.ctx = ctx};
    vgae_state_rngs(&rng, ctx);
    vgae_state_adam(&adam, &v->base.adam);
    vgae_state_u64(&epoch, (uint64_t)v->base.epoch);
    vgae_state_u64(&epoch, (uint64_t)v->at);
    vgae_state_u64(&epoch, (uint64_t)v->train_images);
    vgae_state_u64(&epoch, (uint64_t)v->restarted);
    vgae_state_f64(&epoch, v->at_sum);
    vgae_state_f64(&epoch, v->base.train_seconds);
    vgae_state_f64(&epoch, v->train_loss);
    vgae_state_rng(&epoch, &v->order_rng);
    const vgae_latent_state ls = vgae_latent_training_state(v->base.latent);
    vgae_state_u64(&lat, (uint64_t)ls.codes);
    vgae_state_u64(&lat, (uint64_t)ls.dim);
    vgae_state_u64(&lat, ls.ema_n != NULL);
    for (int64_t k = 0; k < ls.codes; k++)
        vgae_state_u64(&lat, (uint64_t)ls.usage[k]);
    for (int64_t k = 0; ls.ema_n && k < ls.codes; k++)
        vgae_state_f64(&lat, ls.ema_n[k]);
    for (int64_t k = 0; ls.ema_n && k < ls.codes * ls.dim; k++)
        vgae_state_f64(&lat, ls.ema_m[k]);
    vgae_status st = rng.failed || adam.failed || epoch.failed || lat.failed ? VGAE_ENOMEM : VGAE_OK;
    char *meta = st ? NULL : checkpoint_meta(ctx, v, train);
    if (!st && !meta)
        st = vgae_ctx_status(ctx);
    const vgae_blob blobs[] = {{"rng", rng.data, rng.size}, {"adam", adam.data, adam.size},
                               {"epoch", epoch.data, epoch.size}, {"latent", lat.data, lat.size}};
    if (!st)
        st = vgae_checkpoint_write(ctx, path, meta, user_meta, &v->base.params, NULL, blobs, 4);
    free(meta);
    free(rng.data);
    free(adam.data);
    free(epoch.data);
    free(lat.data);
    return st;
}

/* The "epoch" section: where training stands. */
static vgae_status take_epoch(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train,
                              const vgae_model_file *file)
{
    vgae_state_in in;
    vgae_status st = vgae_state_open(ctx, file, "epoch", &in);
    if (st)
        return st;
    const uint64_t epoch = vgae_state_take_u64(&in), at = vgae_state_take_u64(&in);
    const uint64_t images = vgae_state_take_u64(&in), restarted = vgae_state_take_u64(&in);
    const double at_sum = vgae_state_take_f64(&in), seconds = vgae_state_take_f64(&in);
    const double train_loss = vgae_state_take_f64(&in);
    vgae_rng order;
    vgae_state_take_rng(&in, &order);
    if (epoch > (uint64_t)1 << 40 || at >= (uint64_t)train->n || at % (uint64_t)v->capacity != 0 ||
        images > (uint64_t)train->n || restarted > (uint64_t)INT32_MAX)
        in.bad = 1;
    if ((st = vgae_state_close(ctx, file, "epoch", &in)))
        return st;
    v->base.epoch = (int64_t)epoch;
    v->at = (int64_t)at;
    v->train_images = (int64_t)images;
    v->restarted = (int)restarted;
    v->at_sum = at_sum;
    v->base.train_seconds = seconds;
    v->train_loss = train_loss;
    v->order_rng = order;
    return VGAE_OK;
}

/* The "latent" section: a vq layer's counts and moving averages. */
static vgae_status take_latent(vgae_ctx *ctx, vgae_image_vae *v, const vgae_model_file *file)
{
    vgae_state_in in;
    vgae_status st = vgae_state_open(ctx, file, "latent", &in);
    if (st)
        return st;
    const vgae_latent_state ls = vgae_latent_training_state(v->base.latent);
    if (vgae_state_take_u64(&in) != (uint64_t)ls.codes || vgae_state_take_u64(&in) != (uint64_t)ls.dim ||
        vgae_state_take_u64(&in) != (ls.ema_n != NULL))
        in.bad = 1;
    /* read into place only once the whole section is known to fit */
    const size_t need = (size_t)ls.codes * 8 * (1 + (ls.ema_n ? 1 + (size_t)ls.dim : 0));
    if (!in.bad && (size_t)(in.end - in.p) != need)
        in.bad = 1;
    for (int64_t k = 0; !in.bad && k < ls.codes; k++)
        ls.usage[k] = (int64_t)vgae_state_take_u64(&in);
    for (int64_t k = 0; !in.bad && ls.ema_n && k < ls.codes; k++)
        ls.ema_n[k] = vgae_state_take_f64(&in);
    for (int64_t k = 0; !in.bad && ls.ema_n && k < ls.codes * ls.dim; k++)
        ls.ema_m[k] = vgae_state_take_f64(&in);
    return vgae_state_close(ctx, file, "latent", &in);
}

vgae_status vgae_image_vae_resume(vgae_ctx *ctx, vgae_image_vae *v, const vgae_images *train,
                                  const vgae_model_file *file)
{
    if (train->height != v->height || train->width != v->width || train->n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "resuming needs the model's training images");
    char *meta = checkpoint_meta(ctx, v, train);
    if (!meta)
        return vgae_ctx_status(ctx);
    vgae_status st = vgae_checkpoint_resume_base(ctx, file, meta, progress_keys, &v->base);
    free(meta);
    if (!st)
        st = take_epoch(ctx, v, train, file);
    if (!st)
        st = take_latent(ctx, v, file);
    if (!st)
        st = vgae_checkpoint_resume_streams(ctx, file);
    return st;
}
