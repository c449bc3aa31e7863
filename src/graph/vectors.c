/* The work space of per-node vectors: three sparse accumulators and a queue per thread. */
#include <stdlib.h>

#include "graph/vectors.h"

static int acc_init(vgae_acc *a, int32_t n)
{
    a->x = calloc((size_t)n + 1, sizeof *a->x);
    a->touched = malloc(((size_t)n + 1) * sizeof *a->touched);
    a->in = calloc((size_t)n + 1, 1);
    a->n_touched = 0;
    return a->x && a->touched && a->in;
}

static void acc_free(vgae_acc *a)
{
    free(a->x);
    free(a->touched);
    free(a->in);
}

int vgae_workspace_init(vgae_workspace *w, int32_t n)
{
    *w = (vgae_workspace){0};
    int ok = acc_init(&w->a, n) & acc_init(&w->b, n) & acc_init(&w->c, n);
    w->queue = malloc(((size_t)n + 1) * sizeof(int32_t));
    w->queued = calloc((size_t)n + 1, 1);
    return ok && w->queue && w->queued;
}

void vgae_workspace_free(vgae_workspace *w)
{
    acc_free(&w->a);
    acc_free(&w->b);
    acc_free(&w->c);
    free(w->queue);
    free(w->queued);
}
