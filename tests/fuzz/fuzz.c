/* libFuzzer harnesses for every reader vgae has: one source, one program per
 * reader (FUZZ_READER, a number into readers[] below). Each input is written
 * to a file, which the reader reads as a user's file would be read; an
 * error is a fine outcome, a crash, a leak, undefined behaviour, a hang or an
 * allocation past libFuzzer's limits is a finding. Built by -Dfuzz=true with
 * clang (tools/fuzz). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgae/vgae.h"

enum { MTX, EDGELIST, NCOL, LGL, GRAPHML, GML, PAJEK, FEATURES, LABELS, SPLIT, PAIRS, MODEL, IDX };

#ifndef FUZZ_READER
#error "FUZZ_READER names the reader"
#endif
#ifndef FUZZ_DATA
#error "FUZZ_DATA is the test data folder"
#endif

static vgae_ctx *ctx;
static char path[64];
static int fd = -1;
/* The graph split, pair and model files are read against, with its labels
 * (its blocks, for models conditioned on them): tests/data/planted.edges,
 * the graph the seeds in tests/fuzz/corpus were made on, so that they
 * reach past the checks of their graph. */
static vgae_graph *planted;
static vgae_labels *planted_labels;
static vgae_node_index planted_index; /* its node ids, for pair files */

static void setup(void)
{
    if (ctx)
        return;
    ctx = vgae_ctx_new();
    if (!ctx)
        abort();
    vgae_ctx_set_threads(ctx, 1);
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vgae-fuzz-XXXXXX", dir && strlen(dir) < 32 ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    if (vgae_graph_read(ctx, FUZZ_DATA "/planted.edges", VGAE_FORMAT_EDGELIST, &planted) ||
        vgae_labels_read(ctx, FUZZ_DATA "/planted-labels.txt", &planted_labels) ||
        vgae_node_index_init(ctx, &planted_index, planted))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    vgae_ctx_clear(ctx);
    switch (FUZZ_READER) {
    case MTX: case EDGELIST: case NCOL: case LGL: case GRAPHML: case GML: case PAJEK: {
        static const vgae_graph_format formats[] = {VGAE_FORMAT_MTX, VGAE_FORMAT_EDGELIST, VGAE_FORMAT_NCOL,
                                                    VGAE_FORMAT_LGL, VGAE_FORMAT_GRAPHML, VGAE_FORMAT_GML,
                                                    VGAE_FORMAT_PAJEK};
        vgae_graph *g = NULL;
        if (vgae_graph_read(ctx, path, formats[FUZZ_READER], &g) == VGAE_OK)
            vgae_graph_free(g);
        break;
    }
    case FEATURES: {
        vgae_csr *x = NULL;
        if (vgae_features_read(ctx, path, &x) == VGAE_OK)
            vgae_csr_free(x);
        break;
    }
    case LABELS: {
        vgae_labels *l = NULL;
        if (vgae_labels_read(ctx, path, &l) == VGAE_OK)
            vgae_labels_free(l);
        break;
    }
    case SPLIT: {
        vgae_split *s = NULL;
        /* both as checked against the graph and forced past the graph checks */
        for (int force = 0; force <= 1; force++)
            if (vgae_split_read(ctx, path, planted, force, &s, NULL) == VGAE_OK) {
                vgae_split_free(s);
                s = NULL;
            }
        break;
    }
    case PAIRS: {
        vgae_pair *p = NULL;
        int64_t n = 0;
        if (vgae_pairs_read(ctx, path, &planted_index, &p, &n) == VGAE_OK)
            free(p);
        break;
    }
    case MODEL: {
        vgae_model_file *f = NULL;
        if (vgae_model_file_read(ctx, path, &f) != VGAE_OK)
            break;
        /* the model it holds, built from it: a graph model on the planted graph, or an image VAE */
        vgae_image_vae *v = NULL;
        vgae_graph_ae *m = NULL;
        const vgae_dataset d = {.graph = planted, .labels = planted_labels};
        if (strcmp(vgae_model_file_kind(f), "image-vae") == 0) {
            if (vgae_image_vae_from_file(ctx, f, &v) == VGAE_OK)
                vgae_image_vae_free(v);
        } else if (vgae_graph_ae_from_file(ctx, f, &d, 1, &m) == VGAE_OK) {
            /* a checkpoint: its training state put into the model it holds */
            if (vgae_model_file_meta(f, "checkpoint_version"))
                (void)vgae_graph_ae_resume(ctx, m, f);
            vgae_graph_ae_free(m);
        }
        vgae_model_file_free(f);
        break;
    }
    case IDX: {
        vgae_images *im = NULL;
        if (vgae_images_read(ctx, path, NULL, &im) == VGAE_OK)
            vgae_images_free(im);
        break;
    }
    default:
        abort();
    }
    return 0;
}
