/* Reading files plain or gzip-compressed, every gzip member of them, in reads of any size. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/zin.h"

#define IN_CAP (1 << 17)

/* Moves the unread input to the front and reads more behind it. */
static vgae_status fill(vgae_ctx *ctx, vgae_zin *r)
{
    if (r->eof)
        return VGAE_OK;
    if (r->z.avail_in && r->z.next_in != r->in)
        memmove(r->in, r->z.next_in, r->z.avail_in);
    r->z.next_in = r->in;
    const size_t got = fread(r->in + r->z.avail_in, 1, r->in_cap - r->z.avail_in, r->f);
    if (got == 0) {
        if (ferror(r->f))
            return vgae_fail_at(ctx, VGAE_EIO, r->path, 0, "cannot read: %s", strerror(errno));
        r->eof = 1;
    }
    r->z.avail_in += (uInt)got;
    return VGAE_OK;
}

vgae_status vgae_zin_open(vgae_ctx *ctx, vgae_zin *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    vgae_status st = vgae_check_readable(ctx, path);
    if (st)
        return st;
    r->f = fopen(path, "rb");
    if (!r->f)
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot open: %s", strerror(errno));
    r->in_cap = IN_CAP;
    if (!(r->in = vgae_alloc(ctx, r->in_cap, 1))) {
        vgae_zin_close(r);
        return VGAE_ENOMEM;
    }
    r->z.next_in = r->in;
    /* the first bytes say whether it is gzip */
    while (!r->eof && r->z.avail_in < 2)
        if ((st = fill(ctx, r))) {
            vgae_zin_close(r);
            return st;
        }
    if (r->z.avail_in >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        struct stat sb;
        r->limit = vgae_max_inflated(ctx, fstat(fileno(r->f), &sb) == 0 ? (int64_t)sb.st_size : 0);
        r->gzip = 1;
        r->between = 1;
        const int ret = inflateInit2(&r->z, 15 + 16); /* one gzip member at a time */
        if (ret != Z_OK) {
            vgae_zin_close(r);
            return ret == Z_MEM_ERROR ? vgae_fail_at(ctx, VGAE_ENOMEM, path, 0, "out of memory for gzip")
                                      : vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot start zlib (%d)", ret);
        }
        r->z_ready = 1;
    }
    return VGAE_OK;
}

static vgae_status read_plain(vgae_ctx *ctx, vgae_zin *r, unsigned char *buf, size_t n, size_t *got)
{
    size_t done = 0;
    if (r->z.avail_in) { /* what the look at the first bytes read */
        const size_t take = r->z.avail_in < n ? r->z.avail_in : n;
        memcpy(buf, r->z.next_in, take);
        r->z.next_in += take;
        r->z.avail_in -= (uInt)take;
        done = take;
    }
    while (done < n && !r->eof) {
        const size_t k = fread(buf + done, 1, n - done, r->f);
        if (k == 0) {
            if (ferror(r->f))
                return vgae_fail_at(ctx, VGAE_EIO, r->path, 0, "cannot read: %s", strerror(errno));
            r->eof = 1;
        }
        done += k;
    }
    *got = done;
    return VGAE_OK;
}

vgae_status vgae_zin_read(vgae_ctx *ctx, vgae_zin *r, void *out, size_t n, size_t *got)
{
    unsigned char *buf = out;
    *got = 0;
    if (!r->gzip)
        return read_plain(ctx, r, buf, n, got);
    size_t done = 0;
    vgae_status st = VGAE_OK;
    while (done < n) {
        if (r->between) {
            if (r->z.avail_in < 2 && !r->eof) {
                if ((st = fill(ctx, r)))
                    return st;
                continue;
            }
            if (r->z.avail_in == 0)
                break; /* the end, after a whole member */
            if (r->z.avail_in < 2 || r->z.next_in[0] != 0x1f || r->z.next_in[1] != 0x8b)
                return vgae_fail_at(ctx, VGAE_EFORMAT, r->path, 0, "the bytes from byte %lld on are not a gzip "
                                    "member (after %lld whole member%s): a damaged member or foreign bytes",
                                    (long long)r->consumed, (long long)r->members, r->members == 1 ? "" : "s");
            if (r->members && inflateReset(&r->z) != Z_OK)
                return vgae_fail_at(ctx, VGAE_EIO, r->path, 0, "cannot restart zlib");
            r->members++;
            r->between = 0;
        }
        if (r->z.avail_in == 0 && !r->eof && (st = fill(ctx, r)))
            return st;
        const size_t want = n - done < (size_t)1 << 30 ? n - done : (size_t)1 << 30;
        r->z.next_out = buf + done;
        r->z.avail_out = (uInt)want;
        const uInt in_before = r->z.avail_in;
        const int ret = inflate(&r->z, Z_NO_FLUSH);
        done += want - r->z.avail_out;
        r->produced += (int64_t)(want - r->z.avail_out);
        r->consumed += in_before - r->z.avail_in;
        if (r->produced > r->limit)
            return vgae_fail_at(ctx, VGAE_ERANGE, r->path, 0, "decompresses to more than %lld bytes (the limit "
                                "--max-inflated sets: by default 256 MiB or 64 times the file)", (long long)r->limit);
        if (ret == Z_STREAM_END) {
            r->between = 1;
            continue;
        }
        if (ret == Z_OK)
            continue;
        if (ret == Z_BUF_ERROR && !(r->z.avail_in == 0 && r->eof))
            continue; /* more input to read */
        if (ret == Z_BUF_ERROR)
            return vgae_fail_at(ctx, VGAE_EFORMAT, r->path, 0, "truncated gzip data (member %lld ends early)",
                                (long long)r->members);
        if (ret == Z_MEM_ERROR)
            return vgae_fail_at(ctx, VGAE_ENOMEM, r->path, 0, "out of memory decompressing");
        return vgae_fail_at(ctx, VGAE_EFORMAT, r->path, 0, "corrupt gzip data (member %lld: %s)",
                            (long long)r->members, r->z.msg ? r->z.msg : "bad data");
    }
    *got = done;
    return VGAE_OK;
}

void vgae_zin_close(vgae_zin *r)
{
    if (r->z_ready)
        inflateEnd(&r->z);
    if (r->f)
        fclose(r->f);
    free(r->in);
    memset(r, 0, sizeof *r);
}
