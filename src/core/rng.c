/* Philox4x32-10 counter-based streams: integers, uniforms, normals, permutations. */
#include <math.h>

#include <string.h>

#include "core/normals.h"
#include "vgae/core/rng.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c[1] ^ k[0];
    uint32_t n2 = hi0 ^ c[3] ^ k[1];
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
}

void vgae_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(c, k);
    }
    for (int i = 0; i < 4; i++)
        out[i] = c[i];
}

static inline void block_at(const vgae_rng *r, uint64_t block, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), r->stream, r->substream};
    vgae_philox4x32_10(ctr, r->key, out);
}

void vgae_rng_init(vgae_rng *r, uint64_t seed, uint32_t stream)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->stream = stream;
    r->substream = 0;
    r->block = 0;
    r->used = 4;
    r->has_spare = 0;
    r->spare = 0.0;
    r->window_first = r->window_total = 0;
}

void vgae_rng_substream(vgae_rng *r, uint32_t k)
{
    r->substream = k;
    r->block = 0;
    r->used = 4;
    r->has_spare = 0;
}

const char *vgae_stream_name(uint32_t stream)
{
    static const char *const names[VGAE_STREAM_COUNT] = {
        "init", "noise", "shuffle", "negatives", "split", "dropout", "data", "hard", "adversary", "mask"};
    return stream < VGAE_STREAM_COUNT ? names[stream] : "other";
}

uint32_t vgae_rng_u32(vgae_rng *r)
{
    if (r->used == 4) {
        block_at(r, r->block++, r->buf);
        r->used = 0;
    }
    return r->buf[r->used++];
}

uint64_t vgae_rng_u64(vgae_rng *r)
{
    uint64_t lo = vgae_rng_u32(r);
    return lo | (uint64_t)vgae_rng_u32(r) << 32;
}

/* [0, 1) from the top 53 bits. */
static inline double unit53(uint64_t x)
{
    return (double)(x >> 11) * 0x1p-53;
}

double vgae_rng_uniform(vgae_rng *r)
{
    return unit53(vgae_rng_u64(r));
}

__extension__ typedef unsigned __int128 u128;

uint64_t vgae_rng_below(vgae_rng *r, uint64_t n)
{
    /* Lemire, "Fast random integer generation in an interval" (2019). */
    u128 m = (u128)vgae_rng_u64(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = (u128)vgae_rng_u64(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Two standard normals from one block: u1 in (0, 1], u2 in [0, 1). */
static inline void box_muller(const uint32_t w[4], double *a, double *b)
{
    uint64_t x1 = (uint64_t)w[0] | (uint64_t)w[1] << 32;
    uint64_t x2 = (uint64_t)w[2] | (uint64_t)w[3] << 32;
    double u1 = ((double)(x1 >> 11) + 1.0) * 0x1p-53;
    double u2 = unit53(x2);
    double radius = sqrt(-2.0 * log(u1));
    double angle = 6.283185307179586476925286766559 * u2;
    *a = radius * cos(angle);
    *b = radius * sin(angle);
}

double vgae_rng_normal(vgae_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    uint32_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = vgae_rng_u32(r);
    double a, b;
    box_muller(w, &a, &b);
    r->spare = b;
    r->has_spare = 1;
    return a;
}

void vgae_rng_permutation(vgae_rng *r, int64_t *perm, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)vgae_rng_below(r, (uint64_t)i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

void vgae_rng_set_window(vgae_rng *r, int64_t first, int64_t total)
{
    r->window_first = first;
    r->window_total = total;
}

/* Reserves the blocks a bulk draw of n values (two per block) uses, or
 * under a window those of its whole fill, and returns the first; the
 * stream continues after them. *first receives the index in the fill of
 * the first value drawn, *total the fill's size; the window is used up. */
static uint64_t reserve_blocks(vgae_rng *r, int64_t n, int64_t *first, int64_t *total)
{
    uint64_t start = r->block;
    *first = r->window_total > 0 ? r->window_first : 0;
    *total = r->window_total > 0 ? r->window_total : n;
    r->window_first = r->window_total = 0;
    r->used = 4;
    r->has_spare = 0;
    r->block += (uint64_t)(*total + 1) / 2;
    return start;
}

/* One body per element type and kind; TYPE is float or double. Blocks are
 * independent, so threads split them statically; value e of the fill is
 * value e % 2 of block start + e / 2, and x gets values first.. of it. */
#define DEFINE_FILL(NAME, TYPE, PARAMS, VALUES)                                               \
    void NAME(vgae_rng *r, TYPE *x, int64_t n PARAMS, int threads)                            \
    {                                                                                         \
        if (n <= 0)                                                                           \
            return;                                                                           \
        int64_t first, total;                                                                 \
        const uint64_t start = reserve_blocks(r, n, &first, &total);                          \
        const int64_t b_first = first / 2, b_end = (first + n + 1) / 2;                       \
        const vgae_rng stream = *r;                                                           \
        _Pragma("omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n > 8192)") \
        for (int64_t b = b_first; b < b_end; b++) {                                           \
            uint32_t w[4];                                                                    \
            double v0, v1;                                                                    \
            block_at(&stream, start + (uint64_t)b, w);                                        \
            VALUES;                                                                           \
            if (2 * b >= first)                                                               \
                x[2 * b - first] = (TYPE)v0;                                                  \
            if (2 * b + 1 < first + n)                                                        \
                x[2 * b + 1 - first] = (TYPE)v1;                                              \
        }                                                                                     \
    }

#define NORMAL_VALUES box_muller(w, &v0, &v1)
#define UNIFORM_VALUES                                                                        \
    do {                                                                                      \
        v0 = lo + (hi - lo) * unit53((uint64_t)w[0] | (uint64_t)w[1] << 32);                  \
        v1 = lo + (hi - lo) * unit53((uint64_t)w[2] | (uint64_t)w[3] << 32);                  \
    } while (0)
#define NO_PARAMS
#define RANGE_PARAMS , double lo, double hi

DEFINE_FILL(vgae_rng_normal_fill_d, double, NO_PARAMS, NORMAL_VALUES)

/* Normals in float, the same blocks as the double fill (two values per
 * block), from words 0 and 2 of each: the blocks are taken in parts of
 * FILL_PART, whose words a vectorized Box-Muller turns into floats
 * (src/core/normals.c). The parts are those of the whole fill even under a
 * window, so that the vectorized kernel sees the same batches. */
#define FILL_PART 256
void vgae_rng_normal_fill_f(vgae_rng *r, float *x, int64_t n, int threads)
{
    if (n <= 0)
        return;
    int64_t first, total;
    const uint64_t start = reserve_blocks(r, n, &first, &total);
    const int64_t blocks = (total + 1) / 2;
    const int64_t q_first = first / 2 / FILL_PART, q_end = (first + n - 1) / 2 / FILL_PART + 1;
    const vgae_rng stream = *r;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && n > 8192)
    for (int64_t q = q_first; q < q_end; q++) {
        uint32_t words[2 * FILL_PART], w[4];
        float out[2 * FILL_PART];
        const int64_t b0 = q * FILL_PART;
        const int count = (int)(blocks - b0 < FILL_PART ? blocks - b0 : FILL_PART);
        for (int k = 0; k < count; k++) {
            block_at(&stream, start + (uint64_t)(b0 + k), w);
            words[2 * k] = w[0];
            words[2 * k + 1] = w[2];
        }
        vgae_normals_from_words(words, count, out);
        /* this part's values [2 b0, 2 b0 + 2 count) within [first, first + n) */
        const int64_t lo = 2 * b0 > first ? 2 * b0 : first;
        const int64_t hi = 2 * b0 + 2 * count < first + n ? 2 * b0 + 2 * count : first + n;
        memcpy(x + (lo - first), out + (lo - 2 * b0), (size_t)(hi - lo) * sizeof *out);
    }
}
DEFINE_FILL(vgae_rng_uniform_fill_f, float, RANGE_PARAMS, UNIFORM_VALUES)
DEFINE_FILL(vgae_rng_uniform_fill_d, double, RANGE_PARAMS, UNIFORM_VALUES)

/* Wichura's AS 241 (PPND16): rational approximations in three ranges of p,
 * about 1e-16 relative. */
static double poly(const double *c, int n, double x)
{
    double s = c[n - 1];
    for (int k = n - 2; k >= 0; k--)
        s = s * x + c[k];
    return s;
}

double vgae_normal_quantile(double p)
{
    static const double a[8] = {3.387132872796366608, 133.14166789178437745,
                                1971.5909503065514427, 13731.693765509461125,
                                45921.953931549871457, 67265.770927008700853,
                                33430.575583588128105, 2509.0809287301226727};
    static const double b[8] = {1.0, 42.313330701600911252, 687.1870074920579083,
                                5394.1960214247511077, 21213.794301586595867,
                                39307.89580009271061, 28729.085735721942674,
                                5226.495278852545925};
    static const double c[8] = {1.42343711074968357734, 4.6303378461565452959,
                                5.7694972214606914055, 3.64784832476320460504,
                                1.27045825245236838258, 0.24178072517745061177,
                                0.0227238449892691845833, 7.7454501427834140764e-4};
    static const double d[8] = {1.0, 2.05319162663775882187, 1.6763848301838038494,
                                0.68976733498510000455, 0.14810397642748007459,
                                0.0151986665636164571966, 5.475938084995344946e-4,
                                1.05075007164441684324e-9};
    static const double e[8] = {6.6579046435011037772, 5.4637849111641143699,
                                1.7848265399172913358, 0.29656057182850489123,
                                0.026532189526576123093, 0.0012426609473880784386,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0, 0.59983220655588793769, 0.13692988092273580531,
                                0.0148753612908506148525, 7.868691311456132591e-4,
                                1.8463183175100546818e-5, 1.4215117583164458887e-7,
                                2.04426310338993978564e-15};
    if (!(p >= 0 && p <= 1))
        return NAN;
    if (p == 0)
        return -INFINITY;
    if (p == 1)
        return INFINITY;
    const double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        const double r = 0.180625 - q * q;
        return q * poly(a, 8, r) / poly(b, 8, r);
    }
    double r = sqrt(-log(q < 0 ? p : 1 - p)), x;
    if (r <= 5) {
        r -= 1.6;
        x = poly(c, 8, r) / poly(d, 8, r);
    } else {
        r -= 5;
        x = poly(e, 8, r) / poly(f, 8, r);
    }
    return q < 0 ? -x : x;
}
