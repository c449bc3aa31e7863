/* Graph autoencoder checkpoints: the training state written beside the model, and a fit resumed from it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/checkpoint.h"
#include "models/graph_ae_impl.h"

/* The metadata keys that training changes: the rest must match to resume. */
static const char *const progress_keys[] = {
    "epochs_trained", "best_epoch", "train_seconds", "val_auc", "val_ap", "test_auc", "test_ap",
    "val_mrr", "test_mrr", "val_hits", "test_hits", "source_dataset", "source_graph",
    "source_features", "source_format", "source_labels", NULL};

vgae_status vgae_graph_ae_set_checkpoints(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_checkpoint_options *o)
{
    char *path = o && o->path ? vgae_strdup(ctx, o->path) : NULL;
    if (o && o->path && !path)
        return VGAE_ENOMEM;
    if (o && o->every < 0) {
        free(path);
        return vgae_fail(ctx, VGAE_EINVAL, "checkpoints every %d epochs", o->every);
    }
    free((char *)m->checkpoints.path);
    m->checkpoints = o ? *o : (vgae_checkpoint_options){0};
    m->checkpoints.path = path;
    return VGAE_OK;
}

vgae_status vgae_graph_ae_checkpoint(vgae_ctx *ctx, vgae_graph_ae *m, const char *path,
                                     const char *user_meta)
{
    const vgae_fit_state *fs = &m->fit;
    vgae_state_out rng = {.ctx = ctx}, adam = {.ctx = ctx}, fit = {.ctx = ctx}, best = {.ctx = ctx},
                   adv = {.ctx = ctx};
    vgae_state_rngs(&rng, ctx);
    vgae_state_adam(&adam, &m->base.adam);
    const int64_t fields[] = {fs->active, fs->epoch, fs->best_epoch, fs->stale, fs->done,
                              m->base.epoch, m->best_epoch};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        vgae_state_u64(&fit, (uint64_t)fields[k]);
    const double reals[] = {fs->best_value, fs->terms.loss, fs->terms.nll, fs->terms.kl,
                            fs->terms.penalty, fs->start_seconds, m->base.train_seconds};
    for (size_t k = 0; k < sizeof reals / sizeof reals[0]; k++)
        vgae_state_f64(&fit, reals[k]);
    const int64_t scalars = vgae_params_scalars(&m->base.params);
    vgae_state_u64(&best, fs->best ? (uint64_t)scalars : 0);
    if (fs->best)
        vgae_state_reals(&best, fs->best, scalars);
    if (m->adversary) { /* the discriminator trains beside the model */
        vgae_state_params(&adv, &m->adversary->params);
        vgae_state_adam(&adv, &m->adversary->adam);
    }
    vgae_status st = rng.failed || adam.failed || fit.failed || best.failed || adv.failed
                         ? VGAE_ENOMEM : VGAE_OK;
    char *meta = st ? NULL : vgae_graph_ae_meta_text(ctx, m, path, 1);
    if (!st && !meta)
        st = vgae_ctx_status(ctx);
    const vgae_blob blobs[] = {{"rng", rng.data, rng.size}, {"adam", adam.data, adam.size},
                               {"fit", fit.data, fit.size}, {"best", best.data, best.size},
                               {"adversary", adv.data, adv.size}};
    if (!st)
        st = vgae_checkpoint_write(ctx, path, meta, user_meta, &m->base.params, m->split, blobs,
                                   m->adversary ? 5 : 4);
    free(meta);
    free(rng.data);
    free(adam.data);
    free(fit.data);
    free(best.data);
    free(adv.data);
    return st;
}

/* The "fit" and "best" sections into the model's fit state. */
static vgae_status take_fit(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_model_file *file)
{
    vgae_state_in in;
    vgae_status st = vgae_state_open(ctx, file, "fit", &in);
    if (st)
        return st;
    int64_t f[7];
    double r[7];
    for (int k = 0; k < 7; k++)
        f[k] = (int64_t)vgae_state_take_u64(&in);
    for (int k = 0; k < 7; k++)
        r[k] = vgae_state_take_f64(&in);
    const int epochs = m->options.epochs;
    if (f[0] < 0 || f[0] > 1 || f[1] < 0 || f[1] > epochs || f[2] < 0 || f[2] > f[1] || f[3] < 0 ||
        f[3] > epochs || f[4] < 0 || f[4] > 1 || f[5] < f[1] || f[5] > (int64_t)1 << 40 || f[6] < 0 ||
        f[6] > f[5])
        in.bad = 1;
    if ((st = vgae_state_close(ctx, file, "fit", &in)))
        return st;
    if ((st = vgae_state_open(ctx, file, "best", &in)))
        return st;
    const int64_t scalars = vgae_params_scalars(&m->base.params);
    const uint64_t count = vgae_state_take_u64(&in);
    vgae_real *best = NULL;
    if (count != 0 && count != (uint64_t)scalars)
        in.bad = 1;
    if (!in.bad && count && !(best = vgae_alloc(ctx, (size_t)scalars + 1, sizeof *best)))
        return VGAE_ENOMEM;
    if (best)
        vgae_state_take_reals(&in, best, scalars);
    if ((st = vgae_state_close(ctx, file, "best", &in))) {
        free(best);
        return st;
    }
    vgae_fit_state_clear(&m->fit);
    m->fit = (vgae_fit_state){.active = (int)f[0], .epoch = (int)f[1], .best_epoch = (int)f[2],
                              .stale = (int)f[3], .done = (int)f[4], .best_value = r[0], .best = best,
                              .terms = {r[1], r[2], r[3], r[4]}, .start_seconds = r[5]};
    m->base.epoch = f[5];
    m->best_epoch = (int)f[6];
    m->base.train_seconds = r[6];
    return VGAE_OK;
}

vgae_status vgae_graph_ae_resume(vgae_ctx *ctx, vgae_graph_ae *m, const vgae_model_file *file)
{
    char *meta = vgae_graph_ae_meta_text(ctx, m, vgae_model_file_path(file), 1);
    if (!meta)
        return vgae_ctx_status(ctx);
    vgae_status st = vgae_checkpoint_resume_base(ctx, file, meta, progress_keys, &m->base);
    free(meta);
    vgae_state_in in;
    if (!st && m->adversary && !(st = vgae_state_open(ctx, file, "adversary", &in))) {
        vgae_state_take_params(&in, &m->adversary->params);
        vgae_state_take_adam(&in, &m->adversary->adam);
        st = vgae_state_close(ctx, file, "adversary", &in);
    }
    if (!st)
        st = take_fit(ctx, m, file);
    if (!st)
        st = vgae_checkpoint_resume_streams(ctx, file);
    m->encoded_epoch = -1; /* the weights changed */
    return st;
}
