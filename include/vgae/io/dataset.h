/* A dataset: a graph with optional node features and labels, located by name or path. */
#ifndef VGAE_IO_DATASET_H
#define VGAE_IO_DATASET_H

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"
#include "vgae/io/features.h"
#include "vgae/io/graph_file.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to read. Either name, a dataset folder looked up with
 * vgae_dataset_find, or graph_path, a graph file or a dataset folder; a
 * dataset folder holds adjacency.mtx[.gz] and optionally
 * features.mtx[.gz] and labels.txt. features_path / labels_path (may be
 * NULL) override or add. format applies to a graph file (AUTO: from its
 * extension). */
typedef struct vgae_dataset_source {
    const char *name;
    const char *graph_path;
    const char *features_path;
    const char *labels_path;
    vgae_graph_format format;
} vgae_dataset_source;

typedef struct vgae_dataset {
    vgae_graph *graph;
    vgae_csr *features;   /* NULL if there are none; rows == graph->n */
    vgae_labels *labels;  /* NULL if there are none; n == graph->n */
    char *name;           /* the dataset's name when it was found by name, else NULL */
    char *graph_path;     /* the files actually read */
    char *features_path;
    char *labels_path;
    vgae_graph_format format; /* the graph's format as read */
    char *note;           /* one line a user should read (e.g. PubMed has no features here), or NULL */
} vgae_dataset;

/* A dataset folder found by vgae_dataset_list. */
typedef struct vgae_dataset_entry {
    char *name;
    char *dir;
} vgae_dataset_entry;

/* Finds the folder of the dataset `name`: the first of NAME under each
 * folder of search_path (colon-separated, may be NULL or empty), then under
 * ./datasets, then under the built-in folders (vgae_dataset_builtin_dirs).
 * On success *dir_out is a malloc'ed path. */
VGAE_EXPORT vgae_status vgae_dataset_find(vgae_ctx *ctx, const char *name, const char *search_path,
                              char **dir_out);

/* The folders searched after search_path and ./datasets, colon-separated:
 * the source tree's datasets/ and the installed share/vgae/datasets. */
VGAE_EXPORT const char *vgae_dataset_builtin_dirs(void);

/* Every dataset folder (a folder holding adjacency.mtx[.gz]) in the search
 * order of vgae_dataset_find, the first of each name only, sorted by name.
 * Free with vgae_dataset_list_free. */
VGAE_EXPORT vgae_status vgae_dataset_list(vgae_ctx *ctx, const char *search_path,
                                          vgae_dataset_entry **out, int *n);
VGAE_EXPORT void vgae_dataset_list_free(vgae_dataset_entry *list, int n);

/* Loads graph, features and labels, checking that their sizes agree. A
 * source with a name is looked up in search_path (see vgae_dataset_find);
 * giving both a name and a graph path, or neither, is VGAE_EINVAL. */
VGAE_EXPORT vgae_status vgae_dataset_load(vgae_ctx *ctx, const vgae_dataset_source *src,
                              const char *search_path, vgae_dataset **out);

/* Frees a dataset; accepts NULL. */
VGAE_EXPORT void vgae_dataset_free(vgae_dataset *ds);

#ifdef __cplusplus
}
#endif
#endif
