/* Reading files plain or gzip-compressed, every gzip member of them, in reads of any size. */
#ifndef VGAE_IO_ZIN_H
#define VGAE_IO_ZIN_H

#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "vgae/core/context.h"

/* A file opened for reading. gzip is told from the content (the magic
 * bytes 1f 8b), not the name. A gzip file is read member after member (as
 * gzip -d does, the concatenation of their contents); anything after the
 * last member that is not one (a damaged member's header, foreign bytes)
 * is an error, as are a member cut short and corrupt data: zlib's own
 * gzread takes bytes that do not start a member for trailing garbage and
 * stops there without a word, losing the rest of the file. Reads are not
 * limited to INT_MAX bytes. Errors name the file and a byte offset where
 * one helps, not a line: the reader is ahead of the lines. */
typedef struct vgae_zin {
    FILE *f;
    const char *path;   /* borrowed */
    unsigned char *in;  /* compressed input buffer */
    size_t in_cap;
    int gzip;           /* 0: plain */
    int between;        /* gzip: a member ended (or none began): the next bytes must start one */
    int eof;            /* the file has no more bytes */
    int z_ready;        /* z was initialized */
    int64_t members;    /* gzip members begun */
    int64_t consumed;   /* compressed bytes taken from the file and used */
    int64_t produced;   /* bytes decompressed so far */
    int64_t limit;      /* the most it may decompress to (vgae_max_inflated) */
    z_stream z;
} vgae_zin;

/* Opens path (a regular readable file: vgae_check_readable's messages). */
vgae_status vgae_zin_open(vgae_ctx *ctx, vgae_zin *r, const char *path);
/* Reads up to n bytes into buf; *got receives how many, 0 at the end of
 * the data. Errors name the file: "cannot read: ...", "truncated gzip data
 * (member M ends early)", "corrupt gzip data (...)", "bytes after gzip
 * member M that are not a gzip member ...", out of memory. */
vgae_status vgae_zin_read(vgae_ctx *ctx, vgae_zin *r, void *buf, size_t n, size_t *got);
/* Closes; accepts a zeroed, never-opened reader. */
void vgae_zin_close(vgae_zin *r);

#endif
