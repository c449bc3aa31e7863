/* A program that uses libvgae as an installed package: pkg-config finds it, the public API is all it sees. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <vgae/vgae.h>

#if VGAE_VERSION_NUMBER < 200
#error "the version macros are missing or wrong"
#endif

static int fail(vgae_ctx *ctx, const char *what)
{
    fprintf(stderr, "installed_program: %s: %s\n", what, vgae_ctx_message(ctx));
    return 1;
}

int main(void)
{
    if (strcmp(vgae_version(), VGAE_VERSION_STRING) != 0) {
        fprintf(stderr, "installed_program: headers %s, library %s\n", VGAE_VERSION_STRING,
                vgae_version());
        return 1;
    }
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx)
        return 1;
    /* two cliques of 8 joined by one edge: held-out edges lie inside a clique */
    int32_t pairs[2 * 57];
    int64_t m = 0;
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 8; i++)
            for (int j = i + 1; j < 8; j++) {
                pairs[2 * m] = 8 * c + i;
                pairs[2 * m + 1] = 8 * c + j;
                m++;
            }
    pairs[2 * m] = 0;
    pairs[2 * m + 1] = 8;
    m++;
    vgae_dataset data = {0};
    vgae_split *split = NULL;
    vgae_graph_ae *model = NULL;
    vgae_linkpred_result r;
    vgae_graph_ae_options o = vgae_graph_ae_defaults();
    o.epochs = 100;
    vgae_ctx_set_seed(ctx, 1);
    int rc = 0;
    if (vgae_graph_from_pairs(ctx, 16, m, pairs, 0, &data.graph))
        rc = fail(ctx, "graph");
    else if (vgae_split_make(ctx, data.graph, 0.1, 0.2, &split))
        rc = fail(ctx, "split");
    else if (vgae_graph_ae_new(ctx, &o, &data, split, &model))
        rc = fail(ctx, "model");
    /* the model holds its own copies: the data may go now */
    vgae_split_free(split);
    vgae_graph_free(data.graph);
    if (!rc && vgae_graph_ae_fit(ctx, model, 0, NULL, NULL, &r))
        rc = fail(ctx, "fit");
    if (!rc) {
        printf("vgae %s (%s): test AUC %.3f after %lld epochs\n", vgae_version(),
               vgae_dependency_versions(), r.figures.test.auc, (long long)vgae_graph_ae_epoch(model));
        if (!(r.figures.test.auc > 0.8) || vgae_graph_ae_epoch(model) != 100)
            rc = 1;
    }
    vgae_graph_ae_free(model);
    vgae_ctx_free(ctx);
    return rc;
}
