/* Output files written whole or not at all: a temporary file beside the target, fsync, rename over it;
 * devices, FIFOs and standard output written directly. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "vgae/io/outfile.h"

struct vgae_outfile {
    FILE *f;      /* write here */
    char *path;   /* the target as given ("-": standard output) */
    char *tmp;    /* the temporary file; NULL when written directly */
    char *target; /* what the rename replaces: path, or a symbolic link's file */
    int direct;   /* standard output, a device or a FIFO: no temporary file */
    int keep;     /* committed even after vgae_interrupt_all (a checkpoint) */
};

/* The temporary files of open outfiles, for vgae_outfile_remove_pending
 * (a signal handler): slots written by the thread that opens and closes
 * outfiles, read by the handler. */
#define PENDING 16
static char *volatile pending[PENDING];

static void pending_add(char *tmp)
{
    for (int k = 0; k < PENDING; k++)
        if (!pending[k]) {
            pending[k] = tmp;
            return;
        }
}

static void pending_drop(const char *tmp)
{
    for (int k = 0; k < PENDING; k++)
        if (pending[k] == tmp)
            pending[k] = NULL;
}

void vgae_outfile_remove_pending(void)
{
    for (int k = 0; k < PENDING; k++) {
        char *tmp = pending[k];
        if (tmp)
            unlink(tmp);
    }
}

/* Where path leads: *target (malloc'ed) the file a rename must replace
 * (path itself, or the file a symbolic link points to, followed to its
 * end), *kind its stat mode bits (0 if it does not exist). */
static vgae_status resolve(vgae_ctx *ctx, const char *path, char **target, mode_t *kind)
{
    struct stat st;
    *target = NULL;
    *kind = 0;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(errno));
        *target = vgae_strdup(ctx, path);
        return *target ? VGAE_OK : VGAE_ENOMEM;
    }
    if (S_ISLNK(st.st_mode)) {
        /* follow it: the link stays, the file it names gets the new content */
        char *real = vgae_absolute_path(ctx, path);
        if (!real)
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: a symbolic link to a missing "
                                "or unreachable file");
        if (stat(real, &st) != 0) {
            int err = errno;
            free(real);
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
        }
        *target = vgae_strdup(ctx, real);
        free(real);
        if (!*target)
            return VGAE_ENOMEM;
    } else {
        *target = vgae_strdup(ctx, path);
        if (!*target)
            return VGAE_ENOMEM;
    }
    *kind = st.st_mode & S_IFMT;
    return VGAE_OK;
}

vgae_status vgae_outfile_open(vgae_ctx *ctx, const char *path, vgae_outfile **result)
{
    *result = NULL;
    vgae_outfile *out = vgae_calloc(ctx, 1, sizeof *out);
    if (!out)
        return VGAE_ENOMEM;
    if (!(out->path = vgae_strdup(ctx, path))) {
        vgae_outfile_abort(out);
        return VGAE_ENOMEM;
    }
    if (strcmp(path, "-") == 0) {
        out->f = stdout;
        out->direct = 1;
        *result = out;
        return VGAE_OK;
    }
    mode_t kind;
    vgae_status st = resolve(ctx, path, &out->target, &kind);
    if (st) {
        vgae_outfile_abort(out);
        return st;
    }
    if (kind == S_IFDIR) {
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "is a directory");
    }
    if (kind && kind != S_IFREG) {
        /* a device, FIFO or socket: written in place, as standard output is
         * (renaming a file over it would replace the device node) */
        int fd = open(out->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || !(out->f = fdopen(fd, "wb"))) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            vgae_outfile_abort(out);
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
        }
        out->direct = 1;
        *result = out;
        return VGAE_OK;
    }
    /* "FOLDER/.NAME.XXXXXX" next to the target */
    out->tmp = vgae_alloc(ctx, strlen(out->target) + 16, 1);
    if (!out->tmp) {
        vgae_outfile_abort(out);
        return VGAE_ENOMEM;
    }
    const char *slash = strrchr(out->target, '/');
    size_t dir_len = slash ? (size_t)(slash - out->target) + 1 : 0;
    sprintf(out->tmp, "%.*s.%s.XXXXXX", (int)dir_len, out->target, out->target + dir_len);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        int err = errno;
        free(out->tmp);
        out->tmp = NULL;
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
    }
    pending_add(out->tmp);
    fchmod(fd, 0644); /* mkstemp makes 0600; output files are ordinary files */
    out->f = fdopen(fd, "wb");
    if (!out->f) {
        int err = errno;
        close(fd);
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
    }
    *result = out;
    return VGAE_OK;
}

vgae_status vgae_outfile_check(vgae_ctx *ctx, const char *path)
{
    if (strcmp(path, "-") == 0)
        return VGAE_OK;
    char *target = NULL;
    mode_t kind;
    vgae_status st = resolve(ctx, path, &target, &kind);
    if (!st && kind == S_IFDIR)
        st = vgae_fail_at(ctx, VGAE_EIO, path, 0, "is a directory");
    else if (!st && kind && kind != S_IFREG && access(target, W_OK) != 0)
        st = vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(errno));
    free(target);
    if (st || (kind && kind != S_IFREG))
        return st;
    /* a file in the folder: a temporary one, made and removed */
    vgae_outfile *out = NULL;
    st = vgae_outfile_open(ctx, path, &out);
    vgae_outfile_abort(out);
    return st;
}

void vgae_outfile_keep_when_interrupted(vgae_outfile *out)
{
    out->keep = 1;
}

FILE *vgae_outfile_stream(vgae_outfile *out)
{
    return out->f;
}

const char *vgae_outfile_path(const vgae_outfile *out)
{
    return out->path;
}

vgae_status vgae_outfile_commit(vgae_ctx *ctx, vgae_outfile *out)
{
    const int to_stdout = out->f == stdout;
    int err = 0;
    if (fflush(out->f) != 0 || ferror(out->f))
        err = errno ? errno : EIO;
    if (out->direct) {
        if (!to_stdout && fclose(out->f) != 0 && !err)
            err = errno ? errno : EIO;
        out->f = NULL;
        vgae_status st = err ? to_stdout ? vgae_fail(ctx, VGAE_EIO, "cannot write to standard output: %s",
                                                     strerror(err))
                                         : vgae_fail_at(ctx, VGAE_EIO, out->path, 0, "cannot write: %s",
                                                        strerror(err))
                             : VGAE_OK;
        vgae_outfile_abort(out);
        return st;
    }
    if (!err && fsync(fileno(out->f)) != 0)
        err = errno;
    if (fclose(out->f) != 0 && !err)
        err = errno ? errno : EIO;
    out->f = NULL;
    /* a program told to stop (a signal) writes nothing more */
    if (!err && !out->keep && vgae_all_interrupted()) {
        vgae_fail(ctx, VGAE_EINTR, "interrupted: %s not written", out->path);
        vgae_outfile_abort(out);
        return VGAE_EINTR;
    }
    if (!err && rename(out->tmp, out->target) != 0)
        err = errno;
    if (err) {
        vgae_fail_at(ctx, VGAE_EIO, out->path, 0, "cannot write: %s", strerror(err));
        vgae_outfile_abort(out);
        return VGAE_EIO;
    }
    pending_drop(out->tmp);
    free(out->tmp);
    out->tmp = NULL; /* renamed: nothing to remove */
    vgae_outfile_abort(out);
    return VGAE_OK;
}

void vgae_outfile_abort(vgae_outfile *out)
{
    if (!out)
        return;
    if (out->f && out->f != stdout)
        fclose(out->f);
    if (out->tmp) {
        unlink(out->tmp);
        pending_drop(out->tmp);
    }
    free(out->tmp);
    free(out->target);
    free(out->path);
    free(out);
}
