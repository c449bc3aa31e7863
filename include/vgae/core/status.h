/* Status codes returned by every fallible libvgae function. */
#ifndef VGAE_CORE_STATUS_H
#define VGAE_CORE_STATUS_H

#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VGAE_OK is zero; every other value is an error whose human-readable
 * explanation is left in the context (vgae_ctx_message). */
typedef enum vgae_status {
    VGAE_OK = 0,
    VGAE_ENOMEM,       /* an allocation failed */
    VGAE_EIO,          /* a file could not be opened, read or written */
    VGAE_EFORMAT,      /* a file's content is malformed */
    VGAE_EUNSUPPORTED, /* well-formed, but a variant vgae does not handle */
    VGAE_ERANGE,       /* a size or index is out of range or too large */
    VGAE_EINVAL,       /* an argument is invalid */
    VGAE_ENOTFOUND,    /* a named thing (dataset, file) does not exist */
    VGAE_EINTERNAL,    /* a dependency (igraph, CHOLMOD) reported an error */
    VGAE_EINTR,        /* stopped by vgae_ctx_interrupt (Ctrl-C) */
    VGAE_EPEER         /* another process of a distributed run failed (and said why) */
} vgae_status;

/* A short constant name for a status ("out of memory", ...). Never NULL. */
VGAE_EXPORT const char *vgae_status_name(vgae_status status);

#ifdef __cplusplus
}
#endif
#endif
