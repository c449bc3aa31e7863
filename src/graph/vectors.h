/* Per-node vectors for link scores: sparse accumulators over a dense array, and personalized PageRank by push. */
#ifndef VGAE_GRAPH_VECTORS_H
#define VGAE_GRAPH_VECTORS_H

#include <stdint.h>

#include "vgae/graph/graph.h"

/* A dense vector over the nodes that remembers which entries it touched,
 * so that clearing it costs what was used. */
typedef struct vgae_acc {
    double *x;
    int32_t *touched;
    unsigned char *in; /* 1 for the entries in touched */
    int64_t n_touched;
} vgae_acc;

static inline void vgae_acc_add(vgae_acc *a, int32_t i, double v)
{
    if (!a->in[i]) {
        a->in[i] = 1;
        a->touched[a->n_touched++] = i;
    }
    a->x[i] += v;
}

static inline void vgae_acc_clear(vgae_acc *a)
{
    for (int64_t k = 0; k < a->n_touched; k++) {
        a->x[a->touched[k]] = 0.0;
        a->in[a->touched[k]] = 0;
    }
    a->n_touched = 0;
}

/* One thread's work space: three accumulators and a queue, for n nodes. */
typedef struct vgae_workspace {
    vgae_acc a, b, c;
    int32_t *queue;
    unsigned char *queued;
} vgae_workspace;

/* 1 on success, 0 when memory ran out (then free it all the same). */
int vgae_workspace_init(vgae_workspace *w, int32_t n);
void vgae_workspace_free(vgae_workspace *w);

/* Personalized PageRank from u with restart probability alpha, by push
 * (Andersen, Chung & Lang 2006): w->c receives the estimate (clear it
 * after use), within epsilon deg(v) of the true value at every v; w->a is
 * the residual (left clear). A node is pushed while its residual is at
 * least epsilon times its degree; the queue is first in, first out, so the
 * result is fixed by the graph and u. */
void vgae_ppr_vector(const vgae_graph *g, int32_t u, double alpha, double epsilon,
                     vgae_workspace *w);

#endif
