/* Seeded, counter-based random streams (Philox4x32-10) and the draws built on them. */
#ifndef VGAE_CORE_RNG_H
#define VGAE_CORE_RNG_H

#include <stdint.h>

#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The named streams. Each use of randomness has its own stream, so that
 * drawing more from one (say, a longer training run using more noise) never
 * shifts another (the split, the initial weights). */
typedef enum vgae_stream {
    VGAE_STREAM_INIT = 0,      /* parameter initialization */
    VGAE_STREAM_NOISE = 1,     /* reparameterization noise eps */
    VGAE_STREAM_SHUFFLE = 2,   /* minibatch order */
    VGAE_STREAM_NEGATIVES = 3, /* negative pairs drawn during training */
    VGAE_STREAM_SPLIT = 4,     /* the train/validation/test split and its non-edges */
    VGAE_STREAM_DROPOUT = 5,   /* dropout masks */
    VGAE_STREAM_DATA = 6,      /* data-side draws, e.g. dynamic binarization */
    VGAE_STREAM_HARD = 7,      /* hard negatives of the held-out positives */
    VGAE_STREAM_ADVERSARY = 8, /* the adversarial regularizer's draws of N(0, I) */
    VGAE_STREAM_MASK = 9,      /* the training edges hidden from the encoder each epoch */
    VGAE_STREAM_COUNT = 10
} vgae_stream;

/* One stream. Philox4x32-10 (Salmon et al., SC 2011) maps a 128-bit counter
 * and a 64-bit key to 128 random bits; the key is the seed, the counter's
 * high words are the stream id and a sub-stream number, its low 64 bits
 * count blocks. A stream is a plain value: copy it to replay it. */
typedef struct vgae_rng {
    uint32_t key[2];
    uint32_t stream, substream;
    uint64_t block;   /* the next block to generate */
    uint32_t buf[4];  /* the current block's words */
    int used;         /* words of buf already handed out (4: none left) */
    int has_spare;    /* vgae_rng_normal keeps the second of a pair */
    double spare;
    int64_t window_first, window_total; /* vgae_rng_set_window's; total 0: none */
} vgae_rng;

/* The Philox4x32-10 bijection itself (for tests against the published
 * known-answer vectors). */
VGAE_EXPORT void vgae_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Starts stream `stream` (a vgae_stream or any other number) of `seed`. */
VGAE_EXPORT void vgae_rng_init(vgae_rng *r, uint64_t seed, uint32_t stream);
/* Moves to sub-stream k of the same seed and stream, from its start: for
 * draws that must not depend on how many came before (run k, epoch k).
 * Sub-stream 0 is where vgae_rng_init starts, so number them from 1 if
 * the stream is also used before. */
VGAE_EXPORT void vgae_rng_substream(vgae_rng *r, uint32_t k);
/* The stream's name ("init", "noise", ...), or "other". */
VGAE_EXPORT const char *vgae_stream_name(uint32_t stream);

VGAE_EXPORT uint32_t vgae_rng_u32(vgae_rng *r);
VGAE_EXPORT uint64_t vgae_rng_u64(vgae_rng *r);
/* Uniform on [0, 1) with 53 random bits. */
VGAE_EXPORT double vgae_rng_uniform(vgae_rng *r);
/* Uniform integer in [0, n), without modulo bias (Lemire's method); n >= 1. */
VGAE_EXPORT uint64_t vgae_rng_below(vgae_rng *r, uint64_t n);
/* Standard normal (Box-Muller on 53-bit uniforms). */
VGAE_EXPORT double vgae_rng_normal(vgae_rng *r);
/* A uniformly random permutation of 0..n-1 into perm (Fisher-Yates). */
VGAE_EXPORT void vgae_rng_permutation(vgae_rng *r, int64_t *perm, int64_t n);

/* Bulk draws. Element i comes from block (start + i/2) whatever the thread
 * count, so the result is the same on 1 thread or many; the stream then
 * continues after the blocks used (any partly used block is skipped first). */
VGAE_EXPORT void vgae_rng_normal_fill_d(vgae_rng *r, double *x, int64_t n, int threads);
/* Makes the next bulk draw (a fill of n values) give the values
 * [first, first + n) of a fill of `total` values, and the stream continue
 * after that whole fill: the same bits as drawing all total values and
 * keeping those n. For processes that each draw their rows of a matrix
 * all of them share (first + n <= total). */
VGAE_EXPORT void vgae_rng_set_window(vgae_rng *r, int64_t first, int64_t total);
/* The float fill computes in float, vectorized, from 24-bit uniforms: its
 * normals never exceed 5.77 in size (a standard normal does with
 * probability 8e-9). */
VGAE_EXPORT void vgae_rng_normal_fill_f(vgae_rng *r, float *x, int64_t n, int threads);
/* Uniform on [lo, hi); rounding (to float, or lo + (hi - lo) u in double
 * when hi - lo is tiny) may give hi itself. */
VGAE_EXPORT void vgae_rng_uniform_fill_f(vgae_rng *r, float *x, int64_t n, double lo, double hi, int threads);
VGAE_EXPORT void vgae_rng_uniform_fill_d(vgae_rng *r, double *x, int64_t n, double lo, double hi, int threads);

/* The standard normal's quantile function (the inverse of its CDF) at p in
 * (0, 1), to about 1e-16 relative (Wichura's algorithm AS 241); -inf at 0,
 * +inf at 1, NaN outside [0, 1]. For pictures of a latent space laid out
 * by equal probability (vgae_latent_grid). */
VGAE_EXPORT double vgae_normal_quantile(double p);

#ifdef __cplusplus
}
#endif
#endif
