/* Atomic output files: write to a temporary file, fsync, rename over the target. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "io/outfile.h"

vgae_status vgae_outfile_open(vgae_ctx *ctx, vgae_outfile *out, const char *path)
{
    *out = (vgae_outfile){0};
    if (strcmp(path, "-") == 0) {
        out->f = stdout;
        out->path = vgae_strdup(ctx, path);
        return out->path ? VGAE_OK : VGAE_ENOMEM;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "is a directory");
    out->path = vgae_strdup(ctx, path);
    out->tmp = vgae_alloc(ctx, strlen(path) + 16, 1);
    if (!out->path || !out->tmp) {
        vgae_outfile_abort(out);
        return VGAE_ENOMEM;
    }
    /* "FOLDER/.NAME.XXXXXX" next to the target */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    sprintf(out->tmp, "%.*s.%s.XXXXXX", (int)dir_len, path, path + dir_len);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        int err = errno;
        free(out->tmp);
        out->tmp = NULL;
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
    }
    fchmod(fd, 0644); /* mkstemp makes 0600; output files are ordinary files */
    out->f = fdopen(fd, "wb");
    if (!out->f) {
        int err = errno;
        close(fd);
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(err));
    }
    return VGAE_OK;
}

vgae_status vgae_outfile_commit(vgae_ctx *ctx, vgae_outfile *out)
{
    if (!out->tmp) { /* standard output */
        int bad = fflush(out->f) != 0 || ferror(out->f);
        free(out->path);
        *out = (vgae_outfile){0};
        return bad ? vgae_fail(ctx, VGAE_EIO, "cannot write to standard output") : VGAE_OK;
    }
    int err = 0;
    if (fflush(out->f) != 0 || ferror(out->f))
        err = errno ? errno : EIO;
    if (!err && fsync(fileno(out->f)) != 0)
        err = errno;
    if (fclose(out->f) != 0 && !err)
        err = errno ? errno : EIO;
    out->f = NULL;
    if (!err && rename(out->tmp, out->path) != 0)
        err = errno;
    if (err) {
        vgae_fail_at(ctx, VGAE_EIO, out->path, 0, "cannot write: %s", strerror(err));
        vgae_outfile_abort(out);
        return VGAE_EIO;
    }
    free(out->tmp);
    free(out->path);
    *out = (vgae_outfile){0};
    return VGAE_OK;
}

void vgae_outfile_abort(vgae_outfile *out)
{
    if (out->f && out->f != stdout)
        fclose(out->f);
    if (out->tmp)
        unlink(out->tmp);
    free(out->tmp);
    free(out->path);
    *out = (vgae_outfile){0};
}
