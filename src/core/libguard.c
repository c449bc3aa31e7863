/* Routing of igraph's and CHOLMOD's error handlers into the context (neither may abort or print). */
#include "core/libguard.h"
#include "core/context_impl.h"
#include "core/internal.h"

/* The context that receives errors from the library call under way on this thread. */
static _Thread_local vgae_ctx *cholmod_target;
static _Thread_local vgae_ctx *igraph_target;
static _Thread_local int igraph_reported;
static _Thread_local const char *igraph_label;

static void cholmod_handler(int status, const char *file, int line, const char *message)
{
    (void)file;
    (void)line;
    if (!cholmod_target)
        return;
    if (status < 0)
        vgae_fail(cholmod_target, status == CHOLMOD_OUT_OF_MEMORY ? VGAE_ENOMEM : VGAE_EINTERNAL,
                  "CHOLMOD: %s", message);
    else
        vgae_log(cholmod_target, VGAE_LOG_WARN, "CHOLMOD warning: %s", message);
}

void vgae_cholmod_init(vgae_ctx *ctx, cholmod_common *cm)
{
    cholmod_target = ctx;
    cholmod_start(cm);
    cm->print = 0;
    cm->error_handler = cholmod_handler;
}

void vgae_cholmod_finish(vgae_ctx *ctx, cholmod_common *cm)
{
    cholmod_target = ctx;
    cholmod_finish(cm);
    cholmod_target = NULL;
}

cholmod_common *vgae_cholmod(vgae_ctx *ctx)
{
    cholmod_target = ctx;
    return &ctx->cholmod;
}

static void igraph_error_handler(const char *reason, const char *file, int line,
                                 igraph_error_t err)
{
    (void)file;
    (void)line;
    /* The first report is the most specific; outer frames only repeat it.
     * Copy the reason before the FINALLY stack is freed: it may live there. */
    if (igraph_target && !igraph_reported) {
        igraph_reported = 1;
        /* igraph's words for running out of memory are its step's ("Cannot
         * initialize vector."): say what happened first (the caller puts
         * the file's name before it) */
        if (err == IGRAPH_ENOMEM)
            vgae_fail(igraph_target, VGAE_ENOMEM, "out of memory (igraph: %s)", reason);
        else
            vgae_fail(igraph_target, VGAE_EINTERNAL, "%s", reason);
    }
    /* igraph requires the handler to release what its FINALLY stack holds. */
    IGRAPH_FINALLY_FREE();
}

static void igraph_warning_handler(const char *reason, const char *file, int line)
{
    (void)file;
    (void)line;
    if (igraph_target)
        vgae_log(igraph_target, VGAE_LOG_WARN, "%s%sigraph: %s", igraph_label ? igraph_label : "",
                 igraph_label ? ": " : "", reason);
}

void vgae_igraph_enter(vgae_ctx *ctx, vgae_igraph_guard *guard, const char *label)
{
    guard->old_ctx = igraph_target;
    guard->old_label = igraph_label;
    igraph_target = ctx;
    igraph_label = label;
    igraph_reported = 0;
    guard->old_error = igraph_set_error_handler(igraph_error_handler);
    guard->old_warning = igraph_set_warning_handler(igraph_warning_handler);
    guard->old_attributes = igraph_set_attribute_table(&igraph_cattribute_table);
}

void vgae_igraph_leave(vgae_igraph_guard *guard)
{
    igraph_set_error_handler(guard->old_error);
    igraph_set_warning_handler(guard->old_warning);
    igraph_set_attribute_table(guard->old_attributes);
    igraph_target = guard->old_ctx;
    igraph_label = guard->old_label;
}

vgae_status vgae_igraph_fail(vgae_ctx *ctx, igraph_error_t err, const char *what)
{
    vgae_status st = err == IGRAPH_ENOMEM ? VGAE_ENOMEM : VGAE_EINTERNAL;
    if (!igraph_reported)
        return vgae_fail(ctx, st, "igraph: %s failed: %s", what, igraph_strerror(err));
    igraph_reported = 0;
    return vgae_ctx_status(ctx) ? vgae_ctx_status(ctx) : st;
}
