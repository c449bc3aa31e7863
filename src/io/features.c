/* Reading node features from MatrixMarket into compact CSR. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "io/mtx.h"
#include "vgae/io/features.h"

typedef struct entry {
    int32_t col;
    double val; /* summed in double, rounded to float once */
} entry;

static int cmp_entry(const void *a, const void *b)
{
    int32_t x = ((const entry *)a)->col, y = ((const entry *)b)->col;
    return (x > y) - (x < y);
}

vgae_status vgae_features_read(vgae_ctx *ctx, const char *path, vgae_csr **out)
{
    vgae_mtx *m = NULL;
    vgae_csr *x = NULL;
    entry *ent = NULL;
    int64_t *next = NULL, total = 0;
    vgae_status st;

    *out = NULL;
    st = vgae_mtx_read(ctx, path, &m);
    if (st)
        return st;
    /* a symmetric file's off-diagonal entry stands for two */
    for (int64_t e = 0; e < m->nnz; e++)
        total += 1 + (m->symmetric && m->row[e] != m->col[e]);
    st = vgae_csr_new(ctx, m->rows, m->cols, total, &x);
    if (st)
        goto done;
    ent = vgae_alloc(ctx, (size_t)total, sizeof *ent);
    next = vgae_alloc(ctx, (size_t)m->rows + 1, sizeof *next);
    if (!ent || !next) {
        st = VGAE_ENOMEM;
        goto done;
    }
    /* Bucket the entries by row, then sort each row by column. */
    for (int64_t e = 0; e < m->nnz; e++) {
        x->rowptr[m->row[e] + 1]++;
        if (m->symmetric && m->row[e] != m->col[e])
            x->rowptr[m->col[e] + 1]++;
    }
    for (int32_t r = 0; r < m->rows; r++)
        x->rowptr[r + 1] += x->rowptr[r];
    for (int64_t r = 0; r <= m->rows; r++)
        next[r] = x->rowptr[r];
    for (int64_t e = 0; e < m->nnz; e++) {
        double v = m->val ? m->val[e] : 1.0;
        ent[next[m->row[e]]++] = (entry){m->col[e], v};
        if (m->symmetric && m->row[e] != m->col[e])
            ent[next[m->col[e]]++] = (entry){m->row[e], v};
    }
    /* Repeated (row, col) entries are summed, as MatrixMarket readers do; zeros are not stored. */
    {
        int64_t w = 0;
        for (int32_t r = 0; r < m->rows; r++) {
            int64_t start = x->rowptr[r], end = x->rowptr[r + 1], first = w;
            qsort(ent + start, (size_t)(end - start), sizeof *ent, cmp_entry);
            for (int64_t q = start; q < end;) {
                double sum = 0.0;
                int32_t c = ent[q].col;
                for (; q < end && ent[q].col == c; q++)
                    sum += ent[q].val;
                if (fabs(sum) > FLT_MAX) {
                    st = vgae_fail_at(ctx, VGAE_ERANGE, path, 0, "value %g at (%d, %d) does not fit in a float",
                                      sum, r + 1, c + 1);
                    goto done;
                }
                x->col[w] = c;
                x->val[w] = (float)sum;
                w++;
            }
            {
                int64_t keep = first; /* drop explicit zeros and sums that cancelled */
                for (int64_t q = first; q < w; q++)
                    if (x->val[q] != 0.0f) {
                        x->col[keep] = x->col[q];
                        x->val[keep++] = x->val[q];
                    }
                w = keep;
            }
            x->rowptr[r] = first;
        }
        x->rowptr[m->rows] = w;
        x->nnz = w;
    }
    *out = x;
    x = NULL;
done:
    vgae_csr_free(x);
    vgae_mtx_free(m);
    free(ent);
    free(next);
    return st;
}
