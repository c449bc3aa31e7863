/* A fresh temporary folder per test (a cmocka fixture), removed with what it holds afterwards. */
#ifndef VGAE_TMPDIR_H
#define VGAE_TMPDIR_H

#include <dirent.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    vgae_ctx *ctx;
    char dir[64];
    char path[4][256];
    int k;
} fixture;

static inline int tmpdir_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->ctx = vgae_ctx_new();
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vgae-test-XXXXXX");
    if (!fx->ctx || !mkdtemp(fx->dir)) {
        vgae_ctx_free(fx->ctx);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

/* Removes a folder and what it holds (files and folders; no links followed). */
static inline void remove_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char sub[512];
    if (!dp)
        return;
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= (int)sizeof sub)
            continue; /* cannot be: the folder names here are short */
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(sub);
        else
            unlink(sub);
    }
    closedir(dp);
    rmdir(dir);
}

static inline int tmpdir_teardown(void **state)
{
    fixture *fx = *state;
    remove_tree(fx->dir);
    vgae_ctx_free(fx->ctx);
    free(fx);
    return 0;
}

/* fx->dir/name; the last four results stay valid. */
static inline const char *in_dir(fixture *fx, const char *name)
{
    fx->k = (fx->k + 1) % 4;
    snprintf(fx->path[fx->k], sizeof fx->path[fx->k], "%s/%s", fx->dir, name);
    return fx->path[fx->k];
}

/* Number of entries in dir other than "." and "..": 0 means no file and no leftover ".NAME.*". */
static inline int count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int count = 0;
    assert_non_null(dp);
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            count++;
    closedir(dp);
    return count;
}

/* A call that must fail with status and a message holding needle, leaving
 * the folder empty (no output, no temporary file). */
#define assert_fails_cleanly(fx, call, status, needle)                                       \
    do {                                                                                     \
        assert_error_contains((fx)->ctx, (call), (needle));                                  \
        assert_int_equal(vgae_ctx_status((fx)->ctx), (status));                              \
        assert_int_equal(count_entries((fx)->dir), 0);                                       \
        vgae_ctx_clear((fx)->ctx);                                                           \
    } while (0)

#endif
