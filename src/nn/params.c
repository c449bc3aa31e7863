/* The list of a model's named parameters and their gradients. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/internal.h"
#include "vgae/nn/optim.h"

vgae_status vgae_params_add(vgae_ctx *ctx, vgae_params *list, const char *name, vgae_mat *value,
                            vgae_mat *grad)
{
    if (strlen(name) >= sizeof list->items[0].name)
        return vgae_fail(ctx, VGAE_EINVAL, "parameter name '%s' is too long", name);
    if (vgae_params_find(list, name))
        return vgae_fail(ctx, VGAE_EINVAL, "parameter '%s' is already in the list", name);
    vgae_status st = vgae_mat_check_same(ctx, name, value, grad);
    if (st)
        return st;
    if (list->count == list->capacity) {
        size_t cap = (size_t)list->capacity;
        void *items = list->items;
        st = vgae_grow(ctx, &items, &cap, cap + 1, sizeof list->items[0]);
        if (st)
            return st;
        list->items = items;
        list->capacity = (int)cap;
    }
    vgae_param *p = &list->items[list->count++];
    strcpy(p->name, name);
    p->value = value;
    p->grad = grad;
    return VGAE_OK;
}

void vgae_params_destroy(vgae_params *list)
{
    if (!list)
        return;
    free(list->items);
    list->items = NULL;
    list->count = list->capacity = 0;
}

void vgae_params_zero_grad(vgae_params *list)
{
    for (int i = 0; i < list->count; i++)
        vgae_mat_zero(list->items[i].grad);
}

int64_t vgae_params_scalars(const vgae_params *list)
{
    int64_t n = 0;
    for (int i = 0; i < list->count; i++)
        n += vgae_mat_size(list->items[i].value);
    return n;
}

vgae_param *vgae_params_find(const vgae_params *list, const char *name)
{
    for (int i = 0; i < list->count; i++)
        if (strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

int vgae_params_part(const vgae_params *list, int64_t q, int64_t *first, int64_t *len, int64_t *offset)
{
    int64_t at = 0;
    for (int p = 0;; p++) {
        const int64_t n = vgae_mat_size(list->items[p].value), here = (n + VGAE_PARAM_PART - 1) / VGAE_PARAM_PART;
        if (q < here) {
            *first = q * VGAE_PARAM_PART;
            *len = n - *first < VGAE_PARAM_PART ? n - *first : VGAE_PARAM_PART;
            *offset = at;
            return p;
        }
        q -= here;
        at += n;
    }
}

int64_t vgae_params_parts(const vgae_params *list)
{
    int64_t parts = 0;
    for (int p = 0; p < list->count; p++)
        parts += (vgae_mat_size(list->items[p].value) + VGAE_PARAM_PART - 1) / VGAE_PARAM_PART;
    return parts;
}

/* Parts summed side by side at a time: their sums wait on the stack. */
#define CLIP_ROUND 256

double vgae_params_clip_grad_norm(vgae_ctx *ctx, vgae_params *list, double max_norm)
{
    const int threads = vgae_ctx_threads(ctx);
    const int64_t parts = vgae_params_parts(list), scalars = vgae_params_scalars(list);
    double sq = 0;
    for (int64_t q0 = 0; q0 < parts; q0 += CLIP_ROUND) {
        const int64_t n = parts - q0 < CLIP_ROUND ? parts - q0 : CLIP_ROUND;
        double part_sq[CLIP_ROUND];
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && scalars >= VGAE_PARALLEL_MIN)
        for (int64_t k = 0; k < n; k++) {
            int64_t first, len, offset;
            const vgae_mat *g = list->items[vgae_params_part(list, q0 + k, &first, &len, &offset)].grad;
            double s = 0;
            for (int64_t i = first; i < first + len; i++)
                s += (double)g->data[i] * g->data[i];
            part_sq[k] = s;
        }
        for (int64_t k = 0; k < n; k++)
            sq += part_sq[k];
    }
    const double norm = sqrt(sq);
    if (!(max_norm > 0) || !(norm > max_norm) || !isfinite(norm))
        return norm;
    const vgae_real scale = (vgae_real)(max_norm / norm);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && scalars >= VGAE_PARALLEL_MIN)
    for (int64_t q = 0; q < parts; q++) {
        int64_t first, len, offset;
        vgae_mat *g = list->items[vgae_params_part(list, q, &first, &len, &offset)].grad;
        for (int64_t i = first; i < first + len; i++)
            g->data[i] *= scale;
    }
    return norm;
}
