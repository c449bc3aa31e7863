/* Line-by-line reading of text files, plain or gzip-compressed, with line numbers. */
#ifndef VGAE_LINES_H
#define VGAE_LINES_H

#include <stddef.h>
#include <stdint.h>
#include "io/zin.h"
#include "vgae/core/context.h"

typedef struct vgae_lines {
    vgae_zin zin;
    const char *path;    /* borrowed */
    char *buf;           /* the line being assembled */
    size_t cap;
    unsigned char *raw;  /* what the last read gave, and where in it we are */
    size_t raw_len, raw_pos;
    int64_t lineno;      /* number of the line last returned (1-based) */
} vgae_lines;

/* Opens path for reading (gzip detected from the content, not the name;
 * every member of a gzip file, see io/zin.h). */
vgae_status vgae_lines_open(vgae_ctx *ctx, vgae_lines *lines, const char *path);
/* Reads the next line into *line (NUL-terminated, line ending removed; the
 * buffer is reused by the next call). Returns 1 for a line, 0 at the end of
 * the file, -1 on an error recorded in ctx (read error, corrupt or truncated
 * gzip data). */
int vgae_lines_next(vgae_ctx *ctx, vgae_lines *lines, char **line, size_t *len);
/* Closes; accepts a never-opened (zeroed) reader. */
void vgae_lines_close(vgae_lines *lines);

/* Checks that path names a readable regular file, recording a message
 * naming it otherwise ("no such file", "is a directory", ...). */
vgae_status vgae_check_readable(vgae_ctx *ctx, const char *path);


#endif
