/* Reading node labels: one integer class per line, -1 for unknown. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/labels.h"
#include "vgae/io/features.h"

/* Class numbers index a table, so an absurd one is refused rather than allocated. */
#define VGAE_MAX_CLASS 1000000

void vgae_labels_free(vgae_labels *labels)
{
    if (!labels)
        return;
    free(labels->y);
    free(labels);
}

vgae_status vgae_labels_read(vgae_ctx *ctx, const char *path, vgae_labels **out)
{
    return vgae_labels_read_for(ctx, path, 0, NULL, out);
}

vgae_status vgae_labels_read_for(vgae_ctx *ctx, const char *path, int32_t nodes, const char *graph,
                                 vgae_labels **out)
{
    vgae_lines lines;
    vgae_labels *lab = NULL;
    unsigned char *seen = NULL;
    size_t cap = 0, len, seen_cap = 0;
    char *line;
    int got;
    vgae_status st;

    *out = NULL;
    st = vgae_lines_open(ctx, &lines, path);
    if (st)
        return st;
    lab = vgae_calloc(ctx, 1, sizeof *lab);
    if (!lab) {
        st = VGAE_ENOMEM;
        goto fail;
    }
    while ((got = vgae_lines_next(ctx, &lines, &line, &len)) == 1) {
        char *end;
        long v;
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        while (isspace((unsigned char)*line))
            line++;
        errno = 0;
        v = strtol(line, &end, 10);
        if (end == line || *end || errno == ERANGE || v < -1 || v > VGAE_MAX_CLASS) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                              "expected a class number in 0..%d or -1 (unknown), found '%s'", VGAE_MAX_CLASS, line);
            goto fail;
        }
        if (lab->n == INT32_MAX) {
            st = vgae_fail_at(ctx, VGAE_ERANGE, path, lines.lineno, "too many labels");
            goto fail;
        }
        if (nodes > 0 && lab->n == nodes) { /* the rest would be read only to be refused */
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno, "more labels than the %d nodes of %s",
                              nodes, graph ? graph : "the graph");
            goto fail;
        }
        st = vgae_grow(ctx, (void **)&lab->y, &cap, (size_t)lab->n + 1, sizeof *lab->y);
        if (st)
            goto fail;
        lab->y[lab->n++] = (int32_t)v;
        if (v < 0) {
            lab->n_unlabelled++;
        } else {
            size_t old = seen_cap;
            st = vgae_grow(ctx, (void **)&seen, &seen_cap, (size_t)v + 1, 1);
            if (st)
                goto fail;
            if (seen_cap > old)
                memset(seen + old, 0, seen_cap - old);
            if (!seen[v]) {
                seen[v] = 1;
                lab->n_classes++;
            }
        }
    }
    if (got < 0) {
        st = vgae_ctx_status(ctx);
        goto fail;
    }
    if (lab->n == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "empty file (expected one label per line)");
        goto fail;
    }
    vgae_lines_close(&lines);
    free(seen);
    *out = lab;
    return VGAE_OK;
fail:
    vgae_lines_close(&lines);
    free(seen);
    vgae_labels_free(lab);
    return st;
}
