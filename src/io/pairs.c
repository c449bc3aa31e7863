/* Pair files: "u v" per line, node ids by name or number, read into a list of pairs. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "io/lines.h"
#include "vgae/io/pairs.h"

vgae_status vgae_pairs_read(vgae_ctx *ctx, const char *path, const vgae_node_index *index,
                            vgae_pair **pairs, int64_t *count)
{
    vgae_lines in = {0};
    vgae_pair *list = NULL;
    size_t n = 0, cap = 0;
    char *line;
    size_t len;
    int r;
    *pairs = NULL;
    *count = 0;
    vgae_status st = vgae_lines_open(ctx, &in, path);
    while (!st && (r = vgae_lines_next(ctx, &in, &line, &len)) != 0) {
        if (r < 0) {
            st = vgae_ctx_status(ctx);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *save = NULL;
        char *a = strtok_r(line, " \t\r", &save), *b = a ? strtok_r(NULL, " \t\r", &save) : NULL;
        if (!a)
            continue;
        if (!b || strtok_r(NULL, " \t\r", &save)) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, in.lineno, "expected two node ids");
            break;
        }
        int32_t u = vgae_node_index_find(index, a), v = vgae_node_index_find(index, b);
        if (u < 0 || v < 0) {
            st = vgae_fail_at(ctx, VGAE_EINVAL, path, in.lineno, "node '%.60s' is not in the graph",
                              u < 0 ? a : b);
            break;
        }
        if (n == cap)
            st = vgae_grow(ctx, (void **)&list, &cap, n + 1, sizeof *list);
        if (!st)
            list[n++] = (vgae_pair){u, v};
    }
    vgae_lines_close(&in);
    if (st) {
        free(list);
        return st;
    }
    *pairs = list;
    *count = (int64_t)n;
    return VGAE_OK;
}
