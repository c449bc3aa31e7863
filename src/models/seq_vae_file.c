/* Sequence VAE files: the model's metadata table (its alphabet among it), saving, and rebuilding a model from its file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_file.h"
#include "models/seq_vae_impl.h"
#include "vgae/core/version.h"

/* Everything a sequence VAE file records besides its weights. */
typedef struct facts {
    char kind[16], alphabet[VGAE_ALPHABET_MAX * 7 + 1], source_data[1024], library_version[32];
    int embed, enc_hidden, bidirectional, dec_hidden, latent, max_len, batch, epochs, kl_anneal, source_format;
    int64_t epochs_trained, train_sequences;
    uint64_t seed;
    double lr, beta, word_dropout, free_bits, clip, train_loss, seconds_per_epoch, valid_frac;
    double valid_neg_elbo, valid_recon, valid_kl;
    vgae_kl_schedule kl;
} facts;

static const char *const format_names[] = {"auto", "lines", "smi", "csv", NULL};

static int meta_table(facts *f, vgae_meta_key k[48])
{
    int n = 0;
#define KEY(...) k[n++] = (vgae_meta_key){__VA_ARGS__}
    KEY(.key = "kind", .type = VGAE_META_TEXT, .value = f->kind, .size = sizeof f->kind, .required = 1);
    KEY(.key = "alphabet", .type = VGAE_META_TEXT, .value = f->alphabet, .size = sizeof f->alphabet, .required = 1);
    KEY(.key = "embed", .type = VGAE_META_INT, .value = &f->embed, .min = 1, .max = 4096, .required = 1);
    KEY(.key = "enc_hidden", .type = VGAE_META_INT, .value = &f->enc_hidden, .min = 1, .max = 8192, .required = 1);
    KEY(.key = "bidirectional", .type = VGAE_META_INT, .value = &f->bidirectional, .min = 0, .max = 1, .required = 1);
    KEY(.key = "dec_hidden", .type = VGAE_META_INT, .value = &f->dec_hidden, .min = 1, .max = 8192, .required = 1);
    KEY(.key = "latent", .type = VGAE_META_INT, .value = &f->latent, .min = 1, .max = 4096, .required = 1);
    KEY(.key = "max_len", .type = VGAE_META_INT, .value = &f->max_len, .min = 1, .max = 100000, .required = 1);
    KEY(.key = "batch", .type = VGAE_META_INT, .value = &f->batch, .min = 1, .max = 65536, .required = 1);
    KEY(.key = "lr", .type = VGAE_META_REAL, .value = &f->lr, .min = 1e-12, .max = 10);
    KEY(.key = "epochs", .type = VGAE_META_INT, .value = &f->epochs, .min = 0, .max = 1000000, .required = 1);
    KEY(.key = "beta", .type = VGAE_META_REAL, .value = &f->beta, .min = 0, .max = 1e6);
    KEY(.key = "word_dropout", .type = VGAE_META_REAL, .value = &f->word_dropout, .min = 0, .max = 1);
    KEY(.key = "free_bits", .type = VGAE_META_REAL, .value = &f->free_bits, .min = 0, .max = 1e3);
    KEY(.key = "clip", .type = VGAE_META_REAL, .value = &f->clip, .min = 0, .max = 1e9);
    KEY(.key = "epochs_trained", .type = VGAE_META_INT64, .value = &f->epochs_trained, .min = 0, .max = 1e12);
    KEY(.key = "seed", .type = VGAE_META_UINT64, .value = &f->seed);
    KEY(.key = "train_sequences", .type = VGAE_META_INT64, .value = &f->train_sequences, .min = 0, .max = 1e15);
    KEY(.key = "train_loss", .type = VGAE_META_REAL, .value = &f->train_loss);
    KEY(.key = "valid_neg_elbo", .type = VGAE_META_REAL, .value = &f->valid_neg_elbo);
    KEY(.key = "valid_recon", .type = VGAE_META_REAL, .value = &f->valid_recon);
    KEY(.key = "valid_kl", .type = VGAE_META_REAL, .value = &f->valid_kl);
    KEY(.key = "seconds_per_epoch", .type = VGAE_META_REAL, .value = &f->seconds_per_epoch, .digits = 3);
    KEY(.key = "source_data", .type = VGAE_META_TEXT, .value = f->source_data, .size = sizeof f->source_data);
    KEY(.key = "source_format", .type = VGAE_META_NAME, .value = &f->source_format, .names = format_names);
    KEY(.key = "valid_frac", .type = VGAE_META_REAL, .value = &f->valid_frac, .min = 0, .max = 1);
    KEY(.key = "library_version", .type = VGAE_META_TEXT, .value = f->library_version, .size = sizeof f->library_version);
#undef KEY
    return vgae_kl_meta_keys(k, n, &f->kl, &f->kl_anneal);
}

/* The alphabet as text: its code points in hexadecimal, comma-separated
 * (a character may be a blank or a comma itself). */
static void alphabet_text(const vgae_alphabet *a, char *out, size_t size)
{
    out[0] = '\0';
    for (int32_t i = 0; i < a->size; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%x", i ? "," : "", (unsigned)a->sym[i]);
}

/* And back; 0 unless it is such a list, ascending, of valid code points. */
static int alphabet_parse(const char *s, vgae_alphabet *a)
{
    a->size = 0;
    for (const char *p = s; *p;) {
        char *end;
        const unsigned long c = strtoul(p, &end, 16);
        if (end == p || (*end && *end != ',') || c > 0x10FFFF || a->size == VGAE_ALPHABET_MAX ||
            (a->size && c <= a->sym[a->size - 1]))
            return 0;
        a->sym[a->size++] = (uint32_t)c;
        p = *end ? end + 1 : end;
    }
    return a->size > 0;
}

vgae_status vgae_seq_vae_save(vgae_ctx *ctx, const vgae_seq_vae *m, const char *path)
{
    const vgae_seq_vae_options *o = &m->options;
    const int64_t epochs = m->base.epoch;
    facts *f = vgae_calloc(ctx, 1, sizeof *f);
    if (!f)
        return VGAE_ENOMEM;
    *f = (facts){.kind = "seq-vae", .embed = o->embed, .enc_hidden = o->enc_hidden,
                 .bidirectional = o->bidirectional, .dec_hidden = o->dec_hidden, .latent = o->latent,
                 .max_len = o->max_len, .batch = o->batch, .epochs = o->epochs, .lr = o->lr, .beta = o->beta,
                 .word_dropout = o->word_dropout, .free_bits = o->free_bits, .clip = o->clip,
                 .epochs_trained = epochs, .seed = m->base.seed, .train_sequences = m->train_sequences,
                 .train_loss = m->train_loss, .valid_neg_elbo = m->reported.neg_elbo,
                 .valid_recon = m->reported.recon, .valid_kl = m->reported.kl,
                 .seconds_per_epoch = epochs ? m->base.train_seconds / (double)epochs : 0.0, .kl = o->kl,
                 .kl_anneal = (int)o->kl.anneal, .source_format = (int)m->source_format,
                 .valid_frac = m->valid_frac};
    alphabet_text(&m->alphabet, f->alphabet, sizeof f->alphabet);
    snprintf(f->source_data, sizeof f->source_data, "%s", m->source);
    snprintf(f->library_version, sizeof f->library_version, "%s", vgae_version());
    vgae_meta_key keys[48];
    char *text = vgae_meta_format(ctx, keys, meta_table(f, keys));
    free(f);
    if (!text)
        return vgae_ctx_status(ctx);
    vgae_status st = vgae_model_file_write(ctx, path, text, &m->base.params, NULL, 0);
    free(text);
    return st;
}

vgae_status vgae_seq_vae_from_file(vgae_ctx *ctx, const vgae_model_file *file, vgae_seq_vae **out)
{
    *out = NULL;
    const char *path = vgae_model_file_path(file);
    if (strcmp(vgae_model_file_kind(file), "seq-vae") != 0)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "not a sequence VAE model (kind '%s')",
                            vgae_model_file_kind(file));
    vgae_seq_vae_options o = vgae_seq_vae_defaults();
    facts *f = vgae_calloc(ctx, 1, sizeof *f);
    if (!f)
        return VGAE_ENOMEM;
    *f = (facts){.lr = o.lr, .beta = o.beta, .word_dropout = o.word_dropout, .free_bits = o.free_bits,
                 .clip = o.clip, .train_loss = NAN, .valid_neg_elbo = NAN, .valid_recon = NAN, .valid_kl = NAN,
                 .kl = o.kl, .kl_anneal = (int)o.kl.anneal};
    vgae_meta_key keys[48];
    vgae_alphabet a;
    vgae_status st = vgae_meta_parse(ctx, file, keys, meta_table(f, keys));
    if (!st && !alphabet_parse(f->alphabet, &a))
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: the alphabet '%.40s' is not a "
                          "list of ascending hexadecimal code points", f->alphabet);
    if (!st) {
        o.embed = f->embed;
        o.enc_hidden = f->enc_hidden;
        o.bidirectional = f->bidirectional;
        o.dec_hidden = f->dec_hidden;
        o.latent = f->latent;
        o.max_len = f->max_len;
        o.batch = f->batch;
        o.epochs = f->epochs;
        o.lr = f->lr;
        o.beta = f->beta;
        o.word_dropout = f->word_dropout;
        o.free_bits = f->free_bits;
        o.clip = f->clip;
        o.kl = f->kl;
        o.kl.anneal = (vgae_kl_anneal)f->kl_anneal;
        /* the stored weights must be the ones these sizes make, before any are allocated */
        const int64_t v = a.size + VGAE_SEQ_FIRST_CHAR, e = o.embed, he = o.enc_hidden, hd = o.dec_hidden;
        const int64_t dirs = o.bidirectional ? 2 : 1, lat = o.latent;
        const int64_t want = v * e + dirs * (e + he + 1) * 4 * he + 2 * (dirs * he + 1) * lat + lat * 4 * hd +
                             (e + hd + 1) * 4 * hd + (hd + 1) * v;
        int64_t have = 0;
        for (int t = 0; t < vgae_model_file_tensors(file); t++)
            have += vgae_mat_size(vgae_model_file_tensor(file, t));
        if (want != have)
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "corrupted model file: the metadata describes %lld "
                              "weights, the file holds %lld", (long long)want, (long long)have);
    }
    if (!st) {
        st = vgae_seq_vae_new(ctx, &o, &a, out);
        if (st)
            vgae_fail_prefix(ctx, "%s: ", path);
    }
    if (!st && (st = vgae_model_file_load_params(ctx, file, &(*out)->base.params))) {
        vgae_seq_vae_free(*out);
        *out = NULL;
    }
    if (!st) {
        vgae_seq_vae *m = *out;
        m->base.epoch = f->epochs_trained;
        m->base.seed = f->seed;
        m->base.train_seconds = f->seconds_per_epoch * (double)f->epochs_trained;
        m->train_sequences = f->train_sequences;
        m->train_loss = f->train_loss;
        m->reported = (vgae_seq_figures){.neg_elbo = f->valid_neg_elbo, .recon = f->valid_recon, .kl = f->valid_kl};
        snprintf(m->source, sizeof m->source, "%s", f->source_data);
        m->source_format = (vgae_seq_format)f->source_format;
        m->valid_frac = f->valid_frac;
    }
    free(f);
    return st;
}

vgae_status vgae_seq_vae_load(vgae_ctx *ctx, const char *path, vgae_seq_vae **out)
{
    vgae_model_file *file = NULL;
    *out = NULL;
    vgae_status st = vgae_model_file_read(ctx, path, &file);
    if (!st)
        st = vgae_seq_vae_from_file(ctx, file, out);
    vgae_model_file_free(file);
    return st;
}

void vgae_seq_vae_set_source(vgae_seq_vae *m, const char *source, vgae_seq_format format, double valid_frac,
                             int64_t train_sequences, double train_loss)
{
    snprintf(m->source, sizeof m->source, "%s", source ? source : "");
    m->source_format = format;
    m->valid_frac = valid_frac;
    m->train_sequences = train_sequences;
    m->train_loss = train_loss;
}

void vgae_seq_vae_set_reported(vgae_seq_vae *m, const vgae_seq_figures *f)
{
    m->reported = *f;
}

const char *vgae_seq_vae_source(const vgae_seq_vae *m, vgae_seq_format *format, double *valid_frac)
{
    if (format)
        *format = m->source_format;
    if (valid_frac)
        *valid_frac = m->valid_frac;
    return m->source;
}

uint64_t vgae_seq_vae_seed(const vgae_seq_vae *m)
{
    return m->base.seed;
}
