/* Locating a dataset folder by name and loading its graph, features and labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "io/labels.h"
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

#ifndef VGAE_DATASET_DIRS
#define VGAE_DATASET_DIRS ""
#endif

const char *vgae_dataset_builtin_dirs(void)
{
    return VGAE_DATASET_DIRS;
}

/* Calls visit(dir, len, arg) for each folder of the search order: those of
 * search_path, ./datasets, then the built-in ones; stops at a non-zero
 * return and gives it back. */
static int each_folder(const char *search_path, int (*visit)(const char *, size_t, void *), void *arg)
{
    const char *lists[3] = {search_path ? search_path : "", "datasets", VGAE_DATASET_DIRS};
    for (int l = 0; l < 3; l++) {
        const char *p = lists[l];
        for (;;) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            int r = len > 0 ? visit(p, len, arg) : 0;
            if (r)
                return r;
            if (!colon)
                break;
            p = colon + 1;
        }
    }
    return 0;
}

typedef struct {
    vgae_ctx *ctx;
    const char *name;
    char *dir;
} find_state;

static int find_visit(const char *dir, size_t len, void *arg)
{
    find_state *f = arg;
    char *d = join(f->ctx, dir, len, f->name);
    if (!d)
        return -1;
    if (is_dir(d)) {
        f->dir = d;
        return 1;
    }
    free(d);
    return 0;
}

vgae_status vgae_dataset_find(vgae_ctx *ctx, const char *name, const char *search_path, char **dir_out)
{
    find_state f = {ctx, name, NULL};
    int r;
    *dir_out = NULL;
    if (!*name || strchr(name, '/'))
        return vgae_fail(ctx, VGAE_EINVAL, "dataset name '%s' must be a plain name (use --graph for a path)",
                         name);
    r = each_folder(search_path, find_visit, &f);
    if (r < 0)
        return VGAE_ENOMEM;
    if (r > 0) {
        *dir_out = f.dir;
        return VGAE_OK;
    }
    return vgae_fail(ctx, VGAE_ENOTFOUND,
                     "dataset '%s' not found in VGAE_DATA (%s), ./datasets nor %s", name,
                     search_path && *search_path ? search_path : "not set",
                     *VGAE_DATASET_DIRS ? VGAE_DATASET_DIRS : "the built-in folders (none)");
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
    free(ds->note);
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

typedef struct {
    vgae_ctx *ctx;
    vgae_dataset_entry *list;
    int n, cap;
} list_state;

static int listed(const list_state *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->list[i].name, name) == 0)
            return 1;
    return 0;
}

static int list_visit(const char *dir, size_t len, void *arg)
{
    list_state *l = arg;
    char *folder = join(l->ctx, dir, len, "");
    DIR *d;
    struct dirent *e;
    int r = 0;
    if (!folder)
        return -1;
    d = opendir(folder);
    while (d && (e = readdir(d))) {
        char *sub, *adj = NULL;
        if (e->d_name[0] == '.' || listed(l, e->d_name))
            continue;
        if (!(sub = join(l->ctx, folder, strlen(folder), e->d_name))) {
            r = -1;
            break;
        }
        if (is_dir(sub) && find_member(l->ctx, sub, "adjacency.mtx", &adj)) {
            free(sub);
            r = -1;
            break;
        }
        if (adj) {
            if (l->n == l->cap) {
                int cap = l->cap ? 2 * l->cap : 8;
                vgae_dataset_entry *grown = realloc(l->list, (size_t)cap * sizeof *grown);
                if (!grown) {
                    free(sub);
                    free(adj);
                    r = -1;
                    break;
                }
                l->list = grown;
                l->cap = cap;
            }
            l->list[l->n].name = vgae_strdup(l->ctx, e->d_name);
            l->list[l->n].dir = sub;
            sub = NULL;
            if (!l->list[l->n++].name) {
                free(adj);
                r = -1;
                break;
            }
        }
        free(adj);
        free(sub);
    }
    if (d)
        closedir(d);
    free(folder);
    return r;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const vgae_dataset_entry *)a)->name, ((const vgae_dataset_entry *)b)->name);
}

vgae_status vgae_dataset_list(vgae_ctx *ctx, const char *search_path, vgae_dataset_entry **out, int *n)
{
    list_state l = {ctx, NULL, 0, 0};
    *out = NULL;
    *n = 0;
    if (each_folder(search_path, list_visit, &l) < 0) {
        vgae_dataset_list_free(l.list, l.n);
        return vgae_fail(ctx, VGAE_ENOMEM, "out of memory listing datasets");
    }
    if (l.n > 1)
        qsort(l.list, (size_t)l.n, sizeof *l.list, entry_cmp);
    *out = l.list;
    *n = l.n;
    return VGAE_OK;
}

void vgae_dataset_list_free(vgae_dataset_entry *list, int n)
{
    for (int i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].dir);
    }
    free(list);
}

/* What a user should know about a dataset as loaded: PubMed's node features
 * are not distributed with the Planetoid files we can reach offline. NULL
 * (no error) when there is nothing to say. */
static vgae_status dataset_note(vgae_ctx *ctx, const char *dir, vgae_dataset *ds)
{
    static const char fmt[] =
        "pubmed has no node features here (Planetoid's ind.pubmed.allx is not available offline); "
        "to use them, put them in %s/features.mtx[.gz] (19717 x 500; datasets/README.md says how)";
    size_t len;
    if (!ds->name || strcmp(ds->name, "pubmed") != 0 || ds->features_path)
        return VGAE_OK;
    len = sizeof fmt + strlen(dir);
    if (!(ds->note = vgae_alloc(ctx, len, 1)))
        return VGAE_ENOMEM;
    snprintf(ds->note, len, fmt, dir);
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
    if (!st && dir)
        st = dataset_note(ctx, dir, ds);
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
        st = vgae_labels_read_for(ctx, ds->labels_path, ds->graph->n, ds->graph_path, &ds->labels);
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
