/* The two-layer GCN encoder of the graph autoencoders: forward and backward, one output per latent head. */
#include "models/graph_ae_impl.h"

vgae_status vgae_gcn_forward(vgae_ctx *ctx, vgae_graph_ae *m, int with_logvar)
{
    const int32_t h = m->options.hidden, l = m->options.latent;
    /* the latent layer's heads: the mean, and for a Gaussian layer the log-variance */
    const int stochastic = vgae_latent_heads(m->base.latent) > 1 && with_logvar;
    /* H0 = X W0, or W0 itself when X is the identity */
    const vgae_mat *h0 = m->x ? &m->h0 : &m->w0;
    vgae_status st = VGAE_OK;
    if (m->x)
        st = vgae_csr_spmm(ctx, m->x, m->w0.data, h, m->h0.data);
    if (!st)
        st = vgae_csr_spmm(ctx, m->a_hat, h0->data, h, m->h1.data);
    if (!st)
        st = vgae_activation_forward(ctx, VGAE_ACT_RELU, &m->h1, &m->h1);
    /* mean = Â (H1 Wmu); log sigma = Â (H1 Wsigma), into logvar; logvar = 2
     * log sigma. pmu holds each product H1 W in turn. */
    if (!st)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1, &m->h1, &m->wmu, 0, &m->pmu);
    if (!st)
        st = vgae_csr_spmm(ctx, m->a_hat, m->pmu.data, l, m->mean.data);
    if (!st && stochastic)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_NO_TRANS, 1, &m->h1, &m->wsig, 0, &m->pmu);
    if (!st && stochastic)
        st = vgae_csr_spmm(ctx, m->a_hat, m->pmu.data, l, m->logvar.data);
    if (!st && stochastic)
        for (int64_t k = 0; k < vgae_mat_size(&m->logvar); k++)
            m->logvar.data[k] *= 2;
    return st;
}

/* From dmean (and dlogvar) to the weight gradients dw0, dwmu, dwsig
 * (overwritten). Â is symmetric, so Â^T dY = Â dY. dlogvar is consumed;
 * pmu and, with features, h0 serve as work space (their forward values are
 * not needed any more). */
vgae_status vgae_gcn_backward(vgae_ctx *ctx, vgae_graph_ae *m)
{
    const int32_t h = m->options.hidden, l = m->options.latent;
    const int stochastic = vgae_latent_heads(m->base.latent) > 1;
    vgae_status st = vgae_csr_spmm(ctx, m->a_hat, m->dmean.data, l, m->pmu.data);
    if (!st)
        st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1, &m->h1, &m->pmu, 0, &m->dwmu);
    if (!st)
        st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &m->pmu, &m->wmu, 0, &m->dh1);
    if (!st && stochastic) {
        /* d log sigma = 2 dlogvar */
        for (int64_t k = 0; k < vgae_mat_size(&m->dlogvar); k++)
            m->dlogvar.data[k] *= 2;
        st = vgae_csr_spmm(ctx, m->a_hat, m->dlogvar.data, l, m->pmu.data);
        if (!st)
            st = vgae_gemm(ctx, VGAE_TRANS, VGAE_NO_TRANS, 1, &m->h1, &m->pmu, 0, &m->dwsig);
        if (!st)
            st = vgae_gemm(ctx, VGAE_NO_TRANS, VGAE_TRANS, 1, &m->pmu, &m->wsig, 1, &m->dh1);
    }
    if (!st)
        st = vgae_activation_backward(ctx, VGAE_ACT_RELU, &m->h1, &m->dh1, &m->dh1);
    if (st)
        return st;
    /* dH0 = Â dpre; dW0 = X^T dH0, or dH0 itself without features */
    if (!m->x)
        return vgae_csr_spmm(ctx, m->a_hat, m->dh1.data, h, m->dw0.data);
    st = vgae_csr_spmm(ctx, m->a_hat, m->dh1.data, h, m->h0.data);
    return st ? st : vgae_csr_spmm(ctx, m->xt, m->h0.data, h, m->dw0.data);
}
