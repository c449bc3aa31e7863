/* Output files written whole or not at all: a temporary file beside the target, fsync, rename over it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "vgae/io/outfile.h"

struct vgae_outfile {
    FILE *f;      /* write here */
    char *path;   /* the target ("-": standard output) */
    char *tmp;    /* the temporary file, NULL for standard output */
};

vgae_status vgae_outfile_open(vgae_ctx *ctx, const char *path, vgae_outfile **result)
{
    *result = NULL;
    vgae_outfile *out = vgae_calloc(ctx, 1, sizeof *out);
    if (!out)
        return VGAE_ENOMEM;
    if (strcmp(path, "-") == 0) {
        out->f = stdout;
        out->path = vgae_strdup(ctx, path);
        if (!out->path) {
            vgae_outfile_abort(out);
            return VGAE_ENOMEM;
        }
        *result = out;
        return VGAE_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "is a directory");
    }
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
    *result = out;
    return VGAE_OK;
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
    if (!out->tmp) { /* standard output */
        int bad = fflush(out->f) != 0 || ferror(out->f);
        out->f = NULL;
        vgae_outfile_abort(out);
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
    if (out->tmp)
        unlink(out->tmp);
    free(out->tmp);
    free(out->path);
    free(out);
}
