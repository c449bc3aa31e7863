/* A dataset: a graph with optional node features and labels, located by name or path. */
#ifndef VGAE_DATASET_H
#define VGAE_DATASET_H

#include "vgae/features.h"
#include "vgae/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where to read from. graph_path is a graph file or a dataset folder
 * holding adjacency.mtx[.gz] and optionally features.mtx[.gz] and
 * labels.txt; features_path / labels_path (may be NULL) override or add. */
typedef struct vgae_dataset_source {
    const char *graph_path;
    const char *features_path;
    const char *labels_path;
    vgae_graph_format format;
} vgae_dataset_source;

typedef struct vgae_dataset {
    vgae_graph *graph;
    vgae_csr *features;   /* NULL if there are none; rows == graph->n */
    vgae_labels *labels;  /* NULL if there are none; n == graph->n */
    char *graph_path;     /* the files actually read */
    char *features_path;
    char *labels_path;
} vgae_dataset;

/* Finds the folder of the dataset `name`: the first of NAME under each
 * folder of search_path (colon-separated, may be NULL or empty), then under
 * ./datasets. On success *dir_out is a malloc'ed path. */
vgae_status vgae_dataset_find(vgae_ctx *ctx, const char *name, const char *search_path,
                              char **dir_out);

/* Loads graph, features and labels, checking that their sizes agree. */
vgae_status vgae_dataset_load(vgae_ctx *ctx, const vgae_dataset_source *src, vgae_dataset **out);

/* Frees a dataset; accepts NULL. */
void vgae_dataset_free(vgae_dataset *ds);

#ifdef __cplusplus
}
#endif
#endif
