/* Little-endian integers in byte buffers: the one writer and reader of the binary formats and checksums. */
#ifndef VGAE_CORE_BYTES_H
#define VGAE_CORE_BYTES_H

#include <stdint.h>
#include <zlib.h>

/* Writes the low `bytes` bytes of x at p, least significant first; returns
 * the byte after them. */
static inline unsigned char *vgae_put_le(unsigned char *p, uint64_t x, int bytes)
{
    for (int i = 0; i < bytes; i++)
        *p++ = (unsigned char)(x >> (8 * i));
    return p;
}

/* Reads `bytes` bytes at p as a little-endian unsigned integer. */
static inline uint64_t vgae_get_le(const unsigned char *p, int bytes)
{
    uint64_t x = 0;
    for (int i = 0; i < bytes; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* A CRC-32 (zlib) of little-endian integers, fed through a buffer: zlib
 * is fast on long runs and slow on 4-byte calls (checksums of graphs with
 * tens of millions of edges). */
typedef struct vgae_crc {
    uLong crc;
    size_t used;
    unsigned char buf[4096];
} vgae_crc;

static inline void vgae_crc_start(vgae_crc *c)
{
    c->crc = crc32(0L, Z_NULL, 0);
    c->used = 0;
}

/* Appends x as `bytes` little-endian bytes (1..8). */
static inline void vgae_crc_le(vgae_crc *c, uint64_t x, int bytes)
{
    if (c->used + 8 > sizeof c->buf) {
        c->crc = crc32(c->crc, c->buf, (uInt)c->used);
        c->used = 0;
    }
    vgae_put_le(c->buf + c->used, x, bytes);
    c->used += (size_t)bytes;
}

/* The checksum of everything appended. */
static inline uint32_t vgae_crc_end(vgae_crc *c)
{
    c->crc = crc32(c->crc, c->buf, (uInt)c->used);
    c->used = 0;
    return (uint32_t)c->crc;
}

#endif
