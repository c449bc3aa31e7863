/* Graph files: reading every supported format into a vgae_graph, and writing MatrixMarket. */
#ifndef VGAE_IO_GRAPH_FILE_H
#define VGAE_IO_GRAPH_FILE_H

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_graph_format {
    VGAE_FORMAT_AUTO = 0, /* chosen from the file name's extension */
    VGAE_FORMAT_MTX,      /* MatrixMarket coordinate, optionally .gz */
    VGAE_FORMAT_EDGELIST, /* "u v [w]" per line, 0-based integer ids */
    VGAE_FORMAT_NCOL,     /* "name1 name2 [w]" per line (igraph NCOL) */
    VGAE_FORMAT_LGL,      /* igraph LGL */
    VGAE_FORMAT_GRAPHML,  /* GraphML (igraph) */
    VGAE_FORMAT_GML,      /* GML (igraph) */
    VGAE_FORMAT_PAJEK     /* Pajek .net (igraph) */
} vgae_graph_format;

/* Reads a graph from a file (gzip-compressed files are read transparently)
 * and cleans it into a simple undirected graph; the report says what was
 * dropped. format VGAE_FORMAT_AUTO picks the reader from the extension. */
VGAE_EXPORT vgae_status vgae_graph_read(vgae_ctx *ctx, const char *path, vgae_graph_format format,
                            vgae_graph **out);
/* The same, also giving the format actually read (the one AUTO resolved
 * to); *used may be NULL. */
VGAE_EXPORT vgae_status vgae_graph_read_as(vgae_ctx *ctx, const char *path, vgae_graph_format format,
                               vgae_graph **out, vgae_graph_format *used);

/* Writes g as MatrixMarket "coordinate pattern symmetric": the banner, the
 * comment lines in `comment` (each line gets a leading '%'; may be NULL),
 * "n n m", then the lower triangle one "row col" line per edge (1-based),
 * in column-major order. A path ending in ".gz" is gzip-compressed (level
 * 1). Written to a temporary file and renamed: whole or not at all. "-" is
 * standard output (never compressed). */
VGAE_EXPORT vgae_status vgae_graph_write_mtx(vgae_ctx *ctx, const vgae_graph *g, const char *path,
                                 const char *comment);

/* "mtx", "edgelist", ... ; "auto" for VGAE_FORMAT_AUTO. */
VGAE_EXPORT const char *vgae_graph_format_name(vgae_graph_format format);
/* Parses a format name as printed by vgae_graph_format_name. */
VGAE_EXPORT vgae_status vgae_graph_format_from_name(vgae_ctx *ctx, const char *name, vgae_graph_format *out);
/* The format an extension implies (a trailing ".gz" is looked through);
 * VGAE_FORMAT_AUTO if the extension is not known. */
VGAE_EXPORT vgae_graph_format vgae_graph_format_guess(const char *path);

#ifdef __cplusplus
}
#endif
#endif
