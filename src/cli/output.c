/* What the tool prints: usage and library errors, notes held until success, JSON pieces, the log. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli/cli.h"
#include "vgae/io/outfile.h"

/* A progress line redrawn in place is open (not yet ended by a newline). */
static int progress_open;

int cli_stderr_is_tty(void)
{
    static int known = -1;
    if (known < 0)
        known = isatty(fileno(stderr)) == 1;
    return known;
}

void cli_progress_open(int open)
{
    progress_open = open;
}

void cli_progress_done(void)
{
    if (progress_open)
        fputs("\n", stderr);
    progress_open = 0;
}

int cli_lookup_name(const char *cmd, const char *value,
                    vgae_status (*lookup)(vgae_ctx *ctx, const char *name, void *dest), void *dest)
{
    vgae_ctx *ctx = vgae_ctx_new();
    const int bad = !ctx || lookup(ctx, value, dest);
    if (bad)
        cli_usage_error(cmd, "%s", ctx ? vgae_ctx_message(ctx) : "out of memory");
    vgae_ctx_free(ctx);
    return bad ? -1 : 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "vgae%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'vgae%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
    return CLI_USAGE;
}

/* ---- signals: the first SIGINT or SIGTERM asks the work to stop at the
 * end of its step (every context is interrupted, and no output file is
 * committed after it); a second ends the process at once, removing the
 * temporary files of outputs not yet written. ---- */
static volatile sig_atomic_t caught_signal;

static void on_stop_signal(int sig)
{
    if (caught_signal) {
        vgae_outfile_remove_pending();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    caught_signal = sig;
    vgae_interrupt_all();
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a closed pipe on standard output is a write error to report, not a silent death */
    signal(SIGPIPE, SIG_IGN);
}

int cli_finish(int rc)
{
    int err = fflush(stdout) != 0 ? errno : 0;
    if (ferror(stdout) && rc == CLI_OK) {
        fprintf(stderr, "vgae: cannot write to standard output: %s\n", strerror(err ? err : EIO));
        rc = CLI_ERROR;
    }
    return caught_signal ? 128 + caught_signal : rc;
}

int cli_check_outputs(vgae_ctx *ctx, const char *first, const char *second)
{
    const char *paths[2] = {first, second};
    for (int k = 0; k < 2; k++)
        if (paths[k] && vgae_outfile_check(ctx, paths[k]))
            return cli_lib_error(ctx);
    return CLI_OK;
}

static const char *checkpoint_path;

void cli_set_checkpoint_path(const char *path)
{
    checkpoint_path = path;
}

int cli_interrupted(const char *msg, const char *checkpoint)
{
    cli_progress_done();
    fprintf(stderr, "vgae: %s (%s); checkpoint %s written: to go on, run the same command with "
            "--resume %s\n", msg, caught_signal == SIGINT ? "SIGINT" : "SIGTERM", checkpoint, checkpoint);
    return CLI_ERROR;
}

int cli_lib_error(vgae_ctx *ctx)
{
    const char *msg = vgae_ctx_message(ctx);
    /* "interrupted after ...; checkpoint FILE written" */
    const char *kept = strstr(msg, "; checkpoint ");
    if (vgae_ctx_status(ctx) == VGAE_EINTR && caught_signal && kept && checkpoint_path) {
        char before[400];
        snprintf(before, sizeof before, "%.*s", (int)(kept - msg), msg);
        return cli_interrupted(before, checkpoint_path);
    }
    cli_progress_done();
    if (vgae_ctx_status(ctx) == VGAE_EINTR && caught_signal)
        fprintf(stderr, "vgae: %s (%s); nothing written\n", *msg ? msg : "interrupted",
                caught_signal == SIGINT ? "SIGINT" : "SIGTERM");
    else
        fprintf(stderr, "vgae: %s\n", *msg ? msg : vgae_status_name(vgae_ctx_status(ctx)));
    return CLI_ERROR;
}

/* Notes and warnings wait here until the command has succeeded, so that a
 * failing command prints one line only (its error). Progress prints at once. */
static char *held;
static size_t held_len, held_cap;

static void log_to_stderr(void *user, vgae_log_level level, const char *message)
{
    char line[1200];
    int n;
    (void)user;
    n = snprintf(line, sizeof line, "vgae: %s%s\n",
                 level >= VGAE_LOG_WARN ? "warning: " : level == VGAE_LOG_NOTE ? "note: " : "", message);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (level < VGAE_LOG_NOTE) {
        fputs(line, stderr);
        return;
    }
    if (held_len + (size_t)n + 1 > held_cap) {
        size_t cap = (held_cap ? held_cap * 2 : 4096) + (size_t)n;
        char *p = realloc(held, cap);
        if (!p) {
            fputs(line, stderr); /* no memory to hold it: say it now */
            return;
        }
        held = p;
        held_cap = cap;
    }
    memcpy(held + held_len, line, (size_t)n + 1);
    held_len += (size_t)n;
}

void cli_note(const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    log_to_stderr(NULL, VGAE_LOG_NOTE, message);
}

void cli_notes_flush(int print)
{
    cli_progress_done();
    if (print && held_len)
        fputs(held, stderr);
    free(held);
    held = NULL;
    held_len = held_cap = 0;
}

vgae_ctx *cli_ctx_new(int quiet, int threads)
{
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx) {
        fprintf(stderr, "vgae: out of memory\n");
        return NULL;
    }
    vgae_ctx_set_threads(ctx, threads);
    if (!quiet)
        vgae_ctx_set_log(ctx, log_to_stderr, NULL, cli_verbose ? VGAE_LOG_INFO : VGAE_LOG_NOTE);
    return ctx;
}

void cli_json_number(const char *key, double x, const char *after)
{
    if (isfinite(x))
        printf("\"%s\":%.17g%s", key, x, after);
    else
        printf("\"%s\":null%s", key, after);
}

void cli_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int cli_embed_format(const char *cmd, const char *name, const char *output, vgae_embed_format *out)
{
    *out = VGAE_EMBED_W2V;
    if (name) {
        int k = VGAE_EMBED_W2V;
        while (k <= VGAE_EMBED_MTX && strcmp(name, vgae_embed_format_name((vgae_embed_format)k)) != 0)
            k++;
        if (k > VGAE_EMBED_MTX)
            return cli_usage_error(cmd, "--format is w2v, tsv, npy or mtx, not '%s'", name), -1;
        *out = (vgae_embed_format)k;
    } else if (vgae_embed_format_guess(output) >= 0) {
        *out = (vgae_embed_format)vgae_embed_format_guess(output);
    }
    if (*out == VGAE_EMBED_NPY && strcmp(output, "-") == 0)
        return cli_usage_error(cmd, "npy is binary: -o needs a file name, not '-'"), -1;
    return 0;
}

int cli_write_codes_scores(vgae_ctx *ctx, const char *codes_path, vgae_embed_format format, const vgae_mat *codes,
                           char **names, const char *scores_path, void (*write_scores)(FILE *out, void *user),
                           void *user)
{
    vgae_outfile *sf = NULL;
    if (vgae_outfile_open(ctx, scores_path, &sf))
        return cli_lib_error(ctx);
    write_scores(vgae_outfile_stream(sf), user);
    if (vgae_embed_write(ctx, codes_path, format, codes->data, codes->rows, codes->cols, names)) {
        vgae_outfile_abort(sf);
        return cli_lib_error(ctx);
    }
    if (vgae_outfile_commit(ctx, sf)) {
        const int rc = cli_lib_error(ctx);
        if (strcmp(codes_path, "-") != 0)
            remove(codes_path); /* neither file, rather than half the result */
        return rc;
    }
    return CLI_OK;
}
