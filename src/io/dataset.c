/* Locating a dataset folder by name and loading its graph, features and labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "vgae/io/dataset.h"
#include "vgae/io/graph_file.h"

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* malloc'ed "dir/name". */
static char *join(vgae_ctx *ctx, const char *dir, size_t dir_len, const char *name)
{
    size_t n = dir_len + 1 + strlen(name) + 1;
    char *p = vgae_alloc(ctx, n, 1);
    if (p)
        snprintf(p, n, "%.*s%s%s", (int)dir_len, dir, dir_len && dir[dir_len - 1] != '/' ? "/" : "", name);
    return p;
}

vgae_status vgae_dataset_find(vgae_ctx *ctx, const char *name, const char *search_path, char **dir_out)
{
    const char *p = search_path ? search_path : "";
    *dir_out = NULL;
    if (!*name || strchr(name, '/'))
        return vgae_fail(ctx, VGAE_EINVAL, "dataset name '%s' must be a plain name (use --graph for a path)",
                         name);
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len > 0) {
            char *dir = join(ctx, p, len, name);
            if (!dir)
                return VGAE_ENOMEM;
            if (is_dir(dir)) {
                *dir_out = dir;
                return VGAE_OK;
            }
            free(dir);
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    {
        char *dir = join(ctx, "datasets", 8, name);
        if (!dir)
            return VGAE_ENOMEM;
        if (is_dir(dir)) {
            *dir_out = dir;
            return VGAE_OK;
        }
        free(dir);
    }
    return vgae_fail(ctx, VGAE_ENOTFOUND,
                     "dataset '%s' not found in VGAE_DATA (%s) nor in ./datasets", name,
                     search_path && *search_path ? search_path : "not set");
}

/* In a dataset folder: dir/base, else dir/base.gz, else NULL (no error). */
static vgae_status find_member(vgae_ctx *ctx, const char *dir, const char *base, char **out)
{
    char *p = join(ctx, dir, strlen(dir), base);
    *out = NULL;
    if (!p)
        return VGAE_ENOMEM;
    if (is_file(p)) {
        *out = p;
        return VGAE_OK;
    }
    free(p);
    {
        char gz[64];
        snprintf(gz, sizeof gz, "%s.gz", base);
        p = join(ctx, dir, strlen(dir), gz);
        if (!p)
            return VGAE_ENOMEM;
        if (is_file(p))
            *out = p;
        else
            free(p);
    }
    return VGAE_OK;
}

void vgae_dataset_free(vgae_dataset *ds)
{
    if (!ds)
        return;
    vgae_graph_free(ds->graph);
    vgae_csr_free(ds->features);
    vgae_labels_free(ds->labels);
    free(ds->name);
    free(ds->graph_path);
    free(ds->features_path);
    free(ds->labels_path);
    free(ds);
}

/* Resolves which files to read into ds's *_path fields; graph is the
 * graph file or dataset folder (found by name or given). */
static vgae_status resolve_paths(vgae_ctx *ctx, const vgae_dataset_source *src, const char *graph,
                                 vgae_dataset *ds)
{
    vgae_status st;
    if (is_dir(graph)) {
        st = find_member(ctx, graph, "adjacency.mtx", &ds->graph_path);
        if (st)
            return st;
        if (!ds->graph_path)
            return vgae_fail_at(ctx, VGAE_ENOTFOUND, graph, 0,
                                "dataset folder has no adjacency.mtx (or adjacency.mtx.gz)");
        if (!src->features_path && (st = find_member(ctx, graph, "features.mtx", &ds->features_path)))
            return st;
        if (!src->labels_path && (st = find_member(ctx, graph, "labels.txt", &ds->labels_path)))
            return st;
    } else if (!(ds->graph_path = vgae_strdup(ctx, graph))) {
        return VGAE_ENOMEM;
    }
    if (src->features_path && !(ds->features_path = vgae_strdup(ctx, src->features_path)))
        return VGAE_ENOMEM;
    if (src->labels_path && !(ds->labels_path = vgae_strdup(ctx, src->labels_path)))
        return VGAE_ENOMEM;
    return VGAE_OK;
}

vgae_status vgae_dataset_load(vgae_ctx *ctx, const vgae_dataset_source *src,
                              const char *search_path, vgae_dataset **out)
{
    vgae_dataset *ds;
    vgae_status st;
    char *dir = NULL;
    *out = NULL;
    if (!src->name == !src->graph_path)
        return vgae_fail(ctx, VGAE_EINVAL, src->name ? "give a dataset name or a graph path, not both"
                                                     : "no graph given: a dataset name or a graph path");
    ds = vgae_calloc(ctx, 1, sizeof *ds);
    if (!ds)
        return VGAE_ENOMEM;
    if (src->name) {
        st = vgae_dataset_find(ctx, src->name, search_path, &dir);
        if (!st && !(ds->name = vgae_strdup(ctx, src->name)))
            st = VGAE_ENOMEM;
        if (st)
            goto fail;
    }
    st = resolve_paths(ctx, src, dir ? dir : src->graph_path, ds);
    free(dir);
    if (st)
        goto fail;
    st = vgae_graph_read_as(ctx, ds->graph_path, src->format, &ds->graph, &ds->format);
    if (st)
        goto fail;
    if (ds->features_path) {
        st = vgae_features_read(ctx, ds->features_path, &ds->features);
        if (st)
            goto fail;
        if (ds->features->rows != ds->graph->n) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, ds->features_path, 0,
                              "feature matrix has %d rows but the graph %s has %d nodes", ds->features->rows,
                              ds->graph_path, ds->graph->n);
            goto fail;
        }
    }
    if (ds->labels_path) {
        st = vgae_labels_read(ctx, ds->labels_path, &ds->labels);
        if (st)
            goto fail;
        if (ds->labels->n != ds->graph->n) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, ds->labels_path, 0,
                              "%d labels but the graph %s has %d nodes", ds->labels->n, ds->graph_path,
                              ds->graph->n);
            goto fail;
        }
    }
    *out = ds;
    return VGAE_OK;
fail:
    vgae_dataset_free(ds);
    return st;
}
