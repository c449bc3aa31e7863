/* A model's trainable parameters as a named list, and the Adam optimizer over them. */
#ifndef VGAE_NN_OPTIM_H
#define VGAE_NN_OPTIM_H

#include "vgae/core/export.h"
#include "vgae/nn/dense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One trainable tensor: its value and the gradient that backward passes
 * accumulate into. The list does not own them. */
typedef struct vgae_param {
    char name[48];
    vgae_mat *value, *grad;
} vgae_param;

typedef struct vgae_params {
    int count, capacity;
    vgae_param *items;
} vgae_params;

/* Appends a parameter; value and grad must have the same shape and outlive
 * the list. Names are unique within a list (VGAE_EINVAL otherwise). */
VGAE_EXPORT vgae_status vgae_params_add(vgae_ctx *ctx, vgae_params *list, const char *name, vgae_mat *value,
                            vgae_mat *grad);
VGAE_EXPORT void vgae_params_destroy(vgae_params *list);
/* Sets every gradient to zero (before a backward pass accumulates into them). */
VGAE_EXPORT void vgae_params_zero_grad(vgae_params *list);
/* The number of scalars in all parameters. */
VGAE_EXPORT int64_t vgae_params_scalars(const vgae_params *list);
/* The parameter of that name, or NULL. */
VGAE_EXPORT vgae_param *vgae_params_find(const vgae_params *list, const char *name);
/* The gradients' joint Euclidean norm; when it exceeds max_norm (> 0), every
 * gradient is scaled by max_norm / norm. The norm is summed in double in
 * fixed parts, in order: the same bits at any thread count. For float
 * gradients (whose squares a double sum cannot overflow) it is not finite
 * exactly when some element is not; then nothing is scaled. */
VGAE_EXPORT double vgae_params_clip_grad_norm(vgae_ctx *ctx, vgae_params *list, double max_norm);

/* Adam (Kingma & Ba 2015, Algorithm 1): with g the gradient and t the step,
 *   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2,
 *   theta -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps).
 * The update is computed in double per element; m and v are stored as vgae_real. */
typedef struct vgae_adam_options {
    double lr, beta1, beta2, eps;
} vgae_adam_options;

/* lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8 (eps must be > 0: a
 * parameter whose gradient was always 0 would get 0 / 0). */
VGAE_EXPORT vgae_adam_options vgae_adam_defaults(void);

typedef struct vgae_adam {
    vgae_adam_options options;
    int64_t step;             /* steps taken */
    const vgae_params *params; /* not owned; must not change after init */
    vgae_real *m, *v;         /* first and second moments, all parameters end to end */
} vgae_adam;

/* Starts Adam over params with zero moments; options NULL means the defaults. */
VGAE_EXPORT vgae_status vgae_adam_init(vgae_ctx *ctx, vgae_adam *adam, const vgae_params *params,
                           const vgae_adam_options *options);
/* One update of every parameter from its gradient (the gradients are left as they are). */
VGAE_EXPORT void vgae_adam_step(vgae_ctx *ctx, vgae_adam *adam);
VGAE_EXPORT void vgae_adam_destroy(vgae_adam *adam);

#ifdef __cplusplus
}
#endif
#endif
