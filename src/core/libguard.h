/* Routes igraph's and CHOLMOD's error and warning handlers into a vgae context. */
#ifndef VGAE_LIBGUARD_H
#define VGAE_LIBGUARD_H

#include <cholmod.h>
#include <igraph.h>
#include "vgae/core/context.h"

/* Starts / finishes the CHOLMOD workspace of a context: printing off, errors
 * routed to the context that most recently called vgae_cholmod(). */
void vgae_cholmod_init(vgae_ctx *ctx, cholmod_common *cm);
void vgae_cholmod_finish(vgae_ctx *ctx, cholmod_common *cm);
/* The CHOLMOD workspace of ctx; CHOLMOD errors raised by calls that take it
 * are recorded in ctx. */
cholmod_common *vgae_cholmod(vgae_ctx *ctx);

/* igraph's handlers are process-wide (the Debian build is not thread-safe:
 * call igraph from one thread). Between enter and leave, igraph errors and
 * warnings go to ctx instead of aborting or printing, and the C attribute
 * table is installed; leave restores what was there before. */
typedef struct vgae_igraph_guard {
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
    igraph_attribute_table_t *old_attributes;
    vgae_ctx *old_ctx;
    const char *old_label;
} vgae_igraph_guard;

/* label (may be NULL): the file being read, put before igraph's warnings. */
void vgae_igraph_enter(vgae_ctx *ctx, vgae_igraph_guard *guard, const char *label);
void vgae_igraph_leave(vgae_igraph_guard *guard);

/* For a failed igraph call: the status matching err, making sure ctx holds
 * a message (igraph's own, or one naming `what`). */
vgae_status vgae_igraph_fail(vgae_ctx *ctx, igraph_error_t err, const char *what);

#endif
