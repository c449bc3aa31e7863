/* GCN normalization Â = D^-1/2 (A + I) D^-1/2, built with CHOLMOD, returned as compact CSR. */
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "core/libguard.h"
#include "vgae/graph/normalize.h"

/* The graph's adjacency (both triangles, values 1) as a CHOLMOD matrix.
 * Symmetric, so its CSC arrays are the graph's CSR arrays. */
static cholmod_sparse *adjacency_to_cholmod(vgae_ctx *ctx, const vgae_graph *g)
{
    cholmod_common *cm = vgae_cholmod(ctx);
    cholmod_sparse *a;
    int *p, *i;
    double *x;
    if (2 * g->n_edges + g->n > INT32_MAX) { /* A + I must fit CHOLMOD's int indices */
        vgae_fail(ctx, VGAE_ERANGE, "graph too large for normalization (%lld edges)", (long long)g->n_edges);
        return NULL;
    }
    a = cholmod_allocate_sparse((size_t)g->n, (size_t)g->n, (size_t)(2 * g->n_edges), 1, 1, 0, CHOLMOD_REAL, cm);
    if (!a)
        return NULL;
    p = a->p;
    i = a->i;
    x = a->x;
    for (int64_t c = 0; c <= g->n; c++)
        p[c] = (int)g->rowptr[c];
    for (int64_t e = 0; e < 2 * g->n_edges; e++) {
        i[e] = g->adj[e];
        x[e] = 1.0;
    }
    return a;
}

vgae_status vgae_gcn_normalize(vgae_ctx *ctx, const vgae_graph *g, vgae_csr **out)
{
    cholmod_common *cm = vgae_cholmod(ctx);
    cholmod_sparse *a = NULL, *eye = NULL, *s = NULL;
    cholmod_dense *scale = NULL;
    vgae_csr *res = NULL;
    double one[2] = {1.0, 0.0};
    vgae_status st = VGAE_OK;

    *out = NULL;
    vgae_ctx_clear(ctx);
    a = adjacency_to_cholmod(ctx, g);
    if (a)
        eye = cholmod_speye((size_t)g->n, (size_t)g->n, CHOLMOD_REAL, cm);
    if (eye)
        s = cholmod_add(a, eye, one, one, 1, 1, cm); /* A + I, sorted */
    if (s)
        scale = cholmod_allocate_dense((size_t)g->n, 1, (size_t)g->n, CHOLMOD_REAL, cm);
    if (!scale) {
        st = vgae_ctx_status(ctx) ? vgae_ctx_status(ctx) : vgae_fail(ctx, VGAE_ENOMEM, "CHOLMOD failed");
        goto done;
    }
    {
        /* Every column of A + I has its diagonal 1, so degrees are column sums >= 1. */
        const int *sp = s->p;
        const double *sx = s->x;
        double *d = scale->x;
        for (int32_t c = 0; c < g->n; c++) {
            double deg = 0.0;
            for (int q = sp[c]; q < sp[c + 1]; q++)
                deg += sx[q];
            d[c] = 1.0 / sqrt(deg);
        }
    }
    if (!cholmod_scale(scale, CHOLMOD_SYM, s, cm)) {
        st = vgae_ctx_status(ctx) ? vgae_ctx_status(ctx) : vgae_fail(ctx, VGAE_EINTERNAL, "CHOLMOD scale failed");
        goto done;
    }
    st = vgae_csr_new(ctx, g->n, g->n, (int64_t)cholmod_nnz(s, cm), &res);
    if (st)
        goto done;
    {
        /* Â is symmetric: column c of the CSC form is row c of the CSR form. */
        const int *sp = s->p, *si = s->i;
        const double *sx = s->x;
        for (int64_t c = 0; c <= g->n; c++)
            res->rowptr[c] = sp[c];
        for (int64_t q = 0; q < res->nnz; q++) {
            res->col[q] = si[q];
            res->val[q] = (float)sx[q];
        }
    }
    *out = res;
done:
    cholmod_free_sparse(&a, cm);
    cholmod_free_sparse(&eye, cm);
    cholmod_free_sparse(&s, cm);
    cholmod_free_dense(&scale, cm);
    return st;
}
