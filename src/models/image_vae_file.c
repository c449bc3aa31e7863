/* Image VAE files: the model's metadata table, saving, and rebuilding a model from its file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_file.h"
#include "models/image_vae_impl.h"
#include "vgae/core/version.h"

/* Everything an image VAE file records besides its weights. */
typedef struct facts {
    int input, latent, batch, epochs, binarize, height, width;
    int64_t epochs_trained, train_images;
    uint64_t seed;
    double lr, beta, train_loss, test_neg_elbo, test_recon, test_kl, seconds_per_epoch;
    char kind[16], hidden[128], source_data[1024], library_version[32];
    vgae_kl_schedule kl;
    int kl_anneal, classes;
    int latent_kind, vq_codes, vq_codebook, vq_restart;
    double vq_commitment, vq_ema;
} facts;

static const char *const binarize_names[] = {"none", "dynamic", NULL};
static const char *const latent_names[] = {"gaussian", "vq", NULL};

/* The metadata of an image VAE: one table for writing and reading. */
static int meta_table(facts *f, vgae_meta_key k[40])
{
    int n = 0;
#define KEY(...) k[n++] = (vgae_meta_key){__VA_ARGS__}
    KEY(.key = "kind", .type = VGAE_META_TEXT, .value = f->kind, .size = sizeof f->kind, .required = 1);
    KEY(.key = "input", .type = VGAE_META_INT, .value = &f->input, .min = 1, .max = 1 << 24, .required = 1);
    KEY(.key = "hidden", .type = VGAE_META_TEXT, .value = f->hidden, .size = sizeof f->hidden, .required = 1);
    KEY(.key = "latent", .type = VGAE_META_INT, .value = &f->latent, .min = 1, .max = 65536, .required = 1);
    KEY(.key = "batch", .type = VGAE_META_INT, .value = &f->batch, .min = 1, .max = 1 << 16, .required = 1);
    KEY(.key = "lr", .type = VGAE_META_REAL, .value = &f->lr, .min = 1e-12, .max = 1e6);
    KEY(.key = "epochs", .type = VGAE_META_INT, .value = &f->epochs, .min = 0, .max = 100000000, .required = 1);
    KEY(.key = "beta", .type = VGAE_META_REAL, .value = &f->beta, .min = 0, .max = 1e12);
    KEY(.key = "binarize", .type = VGAE_META_NAME, .value = &f->binarize, .names = binarize_names);
    KEY(.key = "classes", .type = VGAE_META_INT, .value = &f->classes, .min = 0, .max = 256);
    KEY(.key = "latent_kind", .type = VGAE_META_NAME, .value = &f->latent_kind, .names = latent_names);
    KEY(.key = "vq_codes", .type = VGAE_META_INT, .value = &f->vq_codes, .min = 1, .max = 65536);
    KEY(.key = "vq_codebook", .type = VGAE_META_INT, .value = &f->vq_codebook, .min = 2, .max = 65536);
    KEY(.key = "vq_commitment", .type = VGAE_META_REAL, .value = &f->vq_commitment, .min = 0, .max = 1e6);
    KEY(.key = "vq_restart", .type = VGAE_META_INT, .value = &f->vq_restart, .min = 0, .max = 1);
    KEY(.key = "vq_ema", .type = VGAE_META_REAL, .value = &f->vq_ema, .min = 0, .max = 0.999999999);
    KEY(.key = "epochs_trained", .type = VGAE_META_INT64, .value = &f->epochs_trained, .min = 0, .max = 1e12);
    KEY(.key = "height", .type = VGAE_META_INT, .value = &f->height, .min = 1, .max = 1 << 24);
    KEY(.key = "width", .type = VGAE_META_INT, .value = &f->width, .min = 1, .max = 1 << 24);
    KEY(.key = "seed", .type = VGAE_META_UINT64, .value = &f->seed);
    KEY(.key = "train_images", .type = VGAE_META_INT64, .value = &f->train_images, .min = 0, .max = 1e15);
    KEY(.key = "train_loss", .type = VGAE_META_REAL, .value = &f->train_loss);
    KEY(.key = "test_neg_elbo", .type = VGAE_META_REAL, .value = &f->test_neg_elbo);
    KEY(.key = "test_recon", .type = VGAE_META_REAL, .value = &f->test_recon);
    KEY(.key = "test_kl", .type = VGAE_META_REAL, .value = &f->test_kl);
    KEY(.key = "seconds_per_epoch", .type = VGAE_META_REAL, .value = &f->seconds_per_epoch, .digits = 3);
    KEY(.key = "source_data", .type = VGAE_META_TEXT, .value = f->source_data, .size = sizeof f->source_data);
    KEY(.key = "library_version", .type = VGAE_META_TEXT, .value = f->library_version, .size = sizeof f->library_version);
#undef KEY
    return vgae_kl_meta_keys(k, n, &f->kl, &f->kl_anneal);
}

int vgae_image_vae_file_version(const vgae_image_vae *v)
{
    /* version 4: a conditional model, 5: a vq one, which a vgae without them must refuse */
    return v->options.latent_kind == VGAE_IMAGE_VQ ? 5 : v->options.classes ? 4 : 0;
}

char *vgae_image_vae_meta_text(vgae_ctx *ctx, const vgae_image_vae *v, int checkpoint)
{
    const vgae_image_vae_options *o = &v->options;
    const int64_t epochs = v->base.epoch;
    facts f = {.input = v->input, .latent = o->latent, .batch = o->batch, .epochs = o->epochs,
               .binarize = o->binarize, .height = v->height, .width = v->width,
               .epochs_trained = epochs, .train_images = v->train_images, .seed = v->base.seed,
               .lr = o->lr, .beta = o->beta, .train_loss = v->train_loss,
               .test_neg_elbo = v->reported.neg_elbo, .test_recon = v->reported.recon,
               .test_kl = v->reported.kl,
               .seconds_per_epoch = epochs ? v->base.train_seconds / (double)epochs : 0.0,
               .kind = "image-vae", .kl = o->kl, .kl_anneal = (int)o->kl.anneal, .classes = o->classes,
               .latent_kind = o->latent_kind, .vq_codes = o->vq.codes, .vq_codebook = o->vq.codebook,
               .vq_commitment = o->vq.commitment, .vq_restart = o->restart, .vq_ema = o->vq.ema};
    if (checkpoint) /* no measurement: the keys a checkpoint compares are the options' */
        f.train_loss = f.test_neg_elbo = f.test_recon = f.test_kl = NAN;
    for (int i = 0; i < o->n_hidden; i++)
        snprintf(f.hidden + strlen(f.hidden), sizeof f.hidden - strlen(f.hidden), "%s%d",
                 i ? "," : "", o->hidden[i]);
    memcpy(f.source_data, v->folder, sizeof f.source_data);
    snprintf(f.library_version, sizeof f.library_version, "%s", vgae_version());
    vgae_meta_key keys[40];
    return vgae_meta_format(ctx, keys, meta_table(&f, keys));
}

vgae_status vgae_image_vae_save(vgae_ctx *ctx, const vgae_image_vae *v, const char *path)
{
    char *text = vgae_image_vae_meta_text(ctx, v, 0);
    if (!text)
        return vgae_ctx_status(ctx);
    vgae_status st = vgae_model_file_write(ctx, path, text, &v->base.params, NULL,
                                           vgae_image_vae_file_version(v));
    free(text);
    return st;
}

/* "400" or "512,256" into the options; 0 if it is not such a list. */
static int parse_hidden(const char *s, vgae_image_vae_options *o)
{
    char *end;
    o->n_hidden = 0;
    for (const char *p = s; *p; p = *end ? end + 1 : end) {
        long h = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || h < 1 || h > 65536 ||
            o->n_hidden == VGAE_VAE_MAX_HIDDEN)
            return 0;
        o->hidden[o->n_hidden++] = (int)h;
    }
    return o->n_hidden > 0;
}

vgae_status vgae_image_vae_from_file(vgae_ctx *ctx, const vgae_model_file *file,
                                     vgae_image_vae **out)
{
    *out = NULL;
    const char *path = vgae_model_file_path(file);
    if (strcmp(vgae_model_file_kind(file), "image-vae") != 0)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "not an image VAE model (kind '%s')",
                            vgae_model_file_kind(file));
    vgae_image_vae_options o = vgae_image_vae_defaults();
    /* a missing seed is the CLI's default of vgae 0.1.0, whose library could
     * save a model without its seed and shape */
    facts f = {.lr = o.lr, .beta = o.beta, .binarize = o.binarize, .train_loss = NAN,
               .test_neg_elbo = NAN, .test_recon = NAN, .test_kl = NAN, .seed = 42, .kl = o.kl,
               .kl_anneal = (int)o.kl.anneal, .latent_kind = o.latent_kind, .vq_codes = o.vq.codes,
               .vq_codebook = o.vq.codebook, .vq_commitment = o.vq.commitment, .vq_restart = o.restart,
               .vq_ema = o.vq.ema};
    vgae_meta_key keys[40];
    vgae_status st = vgae_meta_parse(ctx, file, keys, meta_table(&f, keys));
    if (st)
        return st;
    if (!f.height && !f.width) {
        /* a file of vgae 0.1.0's library without its shape: square images
         * when the pixel count is a square, else one row */
        int32_t side = (int32_t)lround(sqrt((double)f.input));
        f.height = side * side == f.input ? side : 1;
        f.width = f.input / f.height;
    }
    if (!parse_hidden(f.hidden, &o) || (int64_t)f.height * f.width != f.input)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: bad image VAE "
                            "metadata (hidden '%s', %d x %d images of %d pixels)", f.hidden,
                            f.height, f.width, f.input);
    /* the stored tensors must add up to the layers the metadata describes
     * before anything is allocated from its sizes */
    int64_t want = 0, have = 0, prev = f.input + f.classes;
    for (int i = 0; i < o.n_hidden; i++) {
        want += (prev + 1) * (int64_t)o.hidden[i];
        prev = o.hidden[i];
    }
    const int vq = f.latent_kind == VGAE_IMAGE_VQ;
    if (vq && (f.vq_codes < 1 || f.latent % f.vq_codes))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: %d codes do not divide a latent "
                            "space of %d", f.vq_codes, f.latent);
    want += (vq ? 1 : 2) * (prev + 1) * (int64_t)f.latent; /* z_e, or mean and logvar */
    if (vq) /* the codebook */
        want += (int64_t)f.vq_codebook * (f.latent / f.vq_codes);
    prev = f.latent + f.classes;
    for (int j = o.n_hidden - 1; j >= -1; j--) {
        int64_t next = j >= 0 ? o.hidden[j] : f.input;
        want += (prev + 1) * next;
        prev = next;
    }
    for (int t = 0; t < vgae_model_file_tensors(file); t++)
        have += vgae_mat_size(vgae_model_file_tensor(file, t));
    if (want != have)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: the metadata "
                            "describes %lld weights, the file holds %lld", (long long)want,
                            (long long)have);
    o.latent = f.latent;
    o.batch = f.batch;
    o.epochs = f.epochs;
    o.lr = f.lr;
    o.beta = f.beta;
    o.binarize = (vgae_binarize)f.binarize;
    o.kl = f.kl;
    o.kl.anneal = (vgae_kl_anneal)f.kl_anneal;
    o.classes = f.classes;
    o.latent_kind = f.latent_kind;
    o.vq = (vgae_latent_options){f.vq_codes, f.vq_codebook, f.vq_commitment, f.vq_ema};
    o.restart = f.vq_restart;
    const vgae_images shape = {.height = f.height, .width = f.width};
    st = vgae_image_vae_new(ctx, &o, &shape, out);
    if (st) {
        vgae_fail_prefix(ctx, "%s: ", path);
        return st;
    }
    vgae_image_vae *v = *out;
    st = vgae_model_file_load_params(ctx, file, &v->base.params);
    if (st) {
        vgae_image_vae_free(v);
        *out = NULL;
        return st;
    }
    v->base.epoch = f.epochs_trained;
    v->base.seed = f.seed;
    v->base.train_seconds = f.seconds_per_epoch * (double)f.epochs_trained;
    v->train_images = f.train_images;
    v->train_loss = f.train_loss;
    v->reported = (vgae_image_figures){f.test_neg_elbo, f.test_recon, f.test_kl, 0};
    memcpy(v->folder, f.source_data, sizeof v->folder);
    return VGAE_OK;
}

vgae_status vgae_image_vae_load(vgae_ctx *ctx, const char *path, vgae_image_vae **out)
{
    vgae_model_file *file = NULL;
    *out = NULL;
    vgae_status st = vgae_model_file_read(ctx, path, &file);
    if (!st)
        st = vgae_image_vae_from_file(ctx, file, out);
    vgae_model_file_free(file);
    return st;
}
