/* Shared helpers for the unit tests: cmocka includes and test-data paths. */
#ifndef VGAE_TESTUTIL_H
#define VGAE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "vgae/vgae.h"

/* Path of a file in tests/data (the folder is passed as VGAE_TEST_DATA). */
static inline const char *data_path(const char *name)
{
    static char buf[4][1024];
    static int k;
    const char *dir = getenv("VGAE_TEST_DATA");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir ? dir : "tests/data", name);
    return buf[k];
}

/* Folder of a shared dataset (cora, ...) under $VGAE_DATA, or NULL. */
static inline char *shared_dataset(vgae_ctx *ctx, const char *name)
{
    char *dir = NULL;
    if (vgae_dataset_find(ctx, name, getenv("VGAE_DATA"), &dir) != VGAE_OK) {
        vgae_ctx_clear(ctx);
        return NULL;
    }
    return dir;
}

/* The graph of a dataset found by name (bundled or in $VGAE_DATA, plain or
 * gzip-compressed), or NULL when there is none. */
static inline vgae_graph *shared_graph(vgae_ctx *ctx, const char *name)
{
    vgae_dataset_source src = {.name = name};
    vgae_dataset *ds = NULL;
    if (vgae_dataset_load(ctx, &src, getenv("VGAE_DATA"), &ds) != VGAE_OK) {
        vgae_ctx_clear(ctx);
        return NULL;
    }
    vgae_graph *g = ds->graph;
    ds->graph = NULL;
    vgae_dataset_free(ds);
    return g;
}

static inline int setup_ctx(void **state)
{
    *state = vgae_ctx_new();
    return *state ? 0 : -1;
}

static inline int teardown_ctx(void **state)
{
    vgae_ctx_free(*state);
    return 0;
}

/* A graph from one of igraph's generators, seed 42 (see vgae/generate.h). */
static inline vgae_graph *generated_graph(vgae_ctx *ctx, vgae_generator kind, int64_t nodes,
                                          int64_t edges)
{
    vgae_generate_options o = vgae_generate_defaults(kind);
    vgae_graph *g = NULL;
    o.nodes = nodes;
    o.edges = edges;
    assert_int_equal(vgae_graph_generate(ctx, &o, &g), VGAE_OK);
    return g;
}

/* Asserts that status is an error and that the context's message contains needle. */
#define assert_error_contains(ctx, status, needle)                                           \
    do {                                                                                     \
        assert_int_not_equal((status), VGAE_OK);                                             \
        if (!strstr(vgae_ctx_message(ctx), (needle)))                                        \
            fail_msg("message '%s' lacks '%s'", vgae_ctx_message(ctx), (needle));            \
    } while (0)

#endif
