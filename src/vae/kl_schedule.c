/* KL annealing schedules (constant, linear warm-up, cyclical) and the capacity objective's C(t). */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/vae/kl_schedule.h"

static const char *const anneal_names[] = {"constant", "linear", "cyclical"};

vgae_kl_schedule vgae_kl_schedule_defaults(void)
{
    vgae_kl_schedule s = {.anneal = VGAE_KL_CONSTANT, .warmup = 10, .cycles = 4, .ratio = 0.5,
                          .capacity = 0, .capacity_epochs = 0, .gamma = 1000};
    return s;
}

vgae_status vgae_kl_schedule_check(vgae_ctx *ctx, const vgae_kl_schedule *s)
{
    if (s->anneal < VGAE_KL_CONSTANT || s->anneal > VGAE_KL_CYCLICAL)
        return vgae_fail(ctx, VGAE_EINVAL, "unknown KL annealing %d", (int)s->anneal);
    if (!(s->warmup > 0) || !isfinite(s->warmup))
        return vgae_fail(ctx, VGAE_EINVAL, "the KL warm-up must last a positive number of epochs, not %g",
                         s->warmup);
    if (s->cycles < 1 || s->cycles > 1000000)
        return vgae_fail(ctx, VGAE_EINVAL, "KL annealing cycles must be 1..1000000, not %d", s->cycles);
    if (!(s->ratio > 0 && s->ratio <= 1))
        return vgae_fail(ctx, VGAE_EINVAL, "the rising part of a KL cycle must be in (0, 1], not %g", s->ratio);
    if (!(s->capacity >= 0) || !isfinite(s->capacity))
        return vgae_fail(ctx, VGAE_EINVAL, "the KL capacity must be finite and >= 0 nats, not %g", s->capacity);
    if (!(s->capacity_epochs >= 0) || !isfinite(s->capacity_epochs))
        return vgae_fail(ctx, VGAE_EINVAL, "the capacity's epochs must be >= 0, not %g", s->capacity_epochs);
    if (!(s->gamma > 0) || !isfinite(s->gamma))
        return vgae_fail(ctx, VGAE_EINVAL, "the capacity's gamma must be finite and > 0, not %g", s->gamma);
    return VGAE_OK;
}

double vgae_kl_anneal_weight(const vgae_kl_schedule *s, double t, int epochs)
{
    if (t < 0)
        t = 0;
    switch (s->anneal) {
    case VGAE_KL_LINEAR:
        return t >= s->warmup ? 1.0 : t / s->warmup;
    case VGAE_KL_CYCLICAL: {
        const double period = (epochs > 0 ? (double)epochs : 1.0) / s->cycles;
        const double in = fmod(t, period) / (s->ratio * period);
        return in >= 1 ? 1.0 : in;
    }
    case VGAE_KL_CONSTANT:
    default:
        return 1.0;
    }
}

double vgae_kl_capacity(const vgae_kl_schedule *s, double t)
{
    if (s->capacity <= 0)
        return 0;
    if (s->capacity_epochs <= 0 || t >= s->capacity_epochs)
        return s->capacity;
    return s->capacity * (t > 0 ? t : 0) / s->capacity_epochs;
}

const char *vgae_kl_anneal_name(vgae_kl_anneal a)
{
    return a >= VGAE_KL_CONSTANT && a <= VGAE_KL_CYCLICAL ? anneal_names[a] : "unknown";
}

vgae_status vgae_kl_anneal_from_name(vgae_ctx *ctx, const char *name, vgae_kl_anneal *out)
{
    for (int a = VGAE_KL_CONSTANT; a <= VGAE_KL_CYCLICAL; a++)
        if (strcmp(name, anneal_names[a]) == 0) {
            *out = (vgae_kl_anneal)a;
            return VGAE_OK;
        }
    return ctx ? vgae_fail(ctx, VGAE_EINVAL, "unknown KL annealing '%s' (constant, linear or cyclical)", name)
               : VGAE_EINVAL;
}
