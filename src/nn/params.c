/* The list of a model's named parameters and their gradients. */
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
