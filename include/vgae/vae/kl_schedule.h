/* How the KL term is weighted as training goes: annealing schedules and the capacity objective. */
#ifndef VGAE_VAE_KL_SCHEDULE_H
#define VGAE_VAE_KL_SCHEDULE_H

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The KL's weight beta * w(t) at training time t (in epochs, fractional
 * within an epoch: t = epochs done + batches done / batches per epoch):
 *   CONSTANT  w = 1 (the default: the plain or beta-VAE);
 *   LINEAR    w = min(1, t / warmup): the KL warm-up of Bowman et al. 2016
 *             and Sonderby et al. 2016;
 *   CYCLICAL  the training's E epochs split into `cycles` cycles of length
 *             P = E / cycles; within a cycle w = min(1, (t mod P) / (ratio P)),
 *             rising from 0 over the first `ratio` of the cycle and held at 1
 *             for the rest (Fu et al., NAACL 2019: 4 cycles, ratio 0.5).
 * Capacity (Burgess et al. 2018, "Understanding disentangling in beta-VAE"):
 * with capacity > 0 the KL term of the loss becomes
 *     gamma * |KL - C(t)|,   C(t) = capacity * min(1, t / capacity_epochs)
 * (KL and C per example: per image, per node), pushing the KL toward a
 * capacity that grows during training; beta and the annealing weight then
 * no longer apply. */
typedef enum vgae_kl_anneal {
    VGAE_KL_CONSTANT = 0,
    VGAE_KL_LINEAR = 1,
    VGAE_KL_CYCLICAL = 2
} vgae_kl_anneal;

typedef struct vgae_kl_schedule {
    vgae_kl_anneal anneal;  /* CONSTANT */
    double warmup;          /* LINEAR: epochs to full weight (10) */
    int cycles;             /* CYCLICAL: cycles over the training (4) */
    double ratio;           /* CYCLICAL: the rising fraction of a cycle, (0, 1] (0.5) */
    double capacity;        /* C_max in nats per example; 0: off (0) */
    double capacity_epochs; /* epochs over which C grows to C_max; 0: C_max from the start (0) */
    double gamma;           /* the weight of |KL - C| (1000, as Burgess et al.) */
} vgae_kl_schedule;

/* The constant schedule, no capacity: the loss of a model without a schedule. */
VGAE_EXPORT vgae_kl_schedule vgae_kl_schedule_defaults(void);
/* VGAE_EINVAL naming the field for a schedule out of range. */
VGAE_EXPORT vgae_status vgae_kl_schedule_check(vgae_ctx *ctx, const vgae_kl_schedule *s);
/* w(t) of a training of `epochs` epochs (1 for CONSTANT; in [0, 1]). */
VGAE_EXPORT double vgae_kl_anneal_weight(const vgae_kl_schedule *s, double t, int epochs);
/* C(t); 0 without capacity. */
VGAE_EXPORT double vgae_kl_capacity(const vgae_kl_schedule *s, double t);
/* "constant", "linear", "cyclical"; "unknown" outside the enum. */
VGAE_EXPORT const char *vgae_kl_anneal_name(vgae_kl_anneal a);
/* The anneal of a name; VGAE_EINVAL listing the names (ctx may be NULL). */
VGAE_EXPORT vgae_status vgae_kl_anneal_from_name(vgae_ctx *ctx, const char *name, vgae_kl_anneal *out);

#ifdef __cplusplus
}
#endif
#endif
