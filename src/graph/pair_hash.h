/* Hash keys of unordered node pairs, shared by the split and its file reader. */
#ifndef VGAE_PAIR_HASH_H
#define VGAE_PAIR_HASH_H

#include <stdint.h>

/* ((u << 32) | v) + 1 for u < v: never 0, so 0 can mark an empty slot. */
static inline uint64_t vgae_pair_key(int32_t u, int32_t v)
{
    return (((uint64_t)(uint32_t)u << 32) | (uint32_t)v) + 1;
}

/* Spreads a key over the table (the finalizer of MurmurHash3). */
static inline uint64_t vgae_pair_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

#endif
