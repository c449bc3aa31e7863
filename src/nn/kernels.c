/* The core's vectorized element-wise kernels: softplus/sigmoid, Bernoulli terms, Adam. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn/kernels.h"
#include "vgae/vae/likelihood.h"

/* This file is compiled alone at -O3 with contracted multiply-adds and
 * without errno from sqrt, so that GCC vectorizes its loops; it has its own
 * exp and log1p, as glibc's vectorized ones need -ffast-math, which would
 * also reorder the sums. The float build has one copy of each kernel per
 * instruction set (target_clones, picked when the library loads). The
 * double build, used by the gradient checks, takes libm's functions. */

#ifdef VGAE_REAL_DOUBLE
#define CLONES
typedef double real;
#define EXP_NEG(a) exp(-(a))
#define LOG1P_UNIT(e) log1p(e)
#define SQRT(x) sqrt(x)
#else
#ifdef __clang__ /* clang 14 knows neither these clones nor the x86-64-vN names: one copy (the fuzzing build) */
#define CLONES
#else
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
typedef float real;
#define EXP_NEG(a) exp_neg(a)
#define LOG1P_UNIT(e) log1p_unit(e)
#define SQRT(x) sqrtf(x)

/* exp(-a) for a >= 0: a = k ln 2 - r with |r| <= ln2 / 2, exp(-a) = 2^-k
 * exp(r). ln 2 is split in two (its first 9 bits exact, so k * LN2_HI is
 * exact for k < 2^15) and exp(r) is a polynomial of degree 6, fitted
 * here to exp on [-ln2/2, ln2/2] (weighted least squares on Chebyshev
 * nodes, near minimax): with its float coefficients it is within 1.8e-8
 * relative, under a third of a float ulp (Taylor needs degree 7 for that).
 * Past a = 87 (exp(-a) < 2^-125) it returns 0. */
static inline __attribute__((always_inline)) float exp_neg(float a)
{
    const float LOG2E = 1.44269504088896341f;
    const float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /* y = -min(a, 87), the minimum taken on the bits (a >= 0, so they
     * order as the values do): GCC vectorizes neither fminf here nor a
     * comparison of fabsf(v), which it turns into a range test. */
    union {
        float f;
        int32_t i;
    } u = {.f = a};
    const int32_t small = u.i < 0x42AE0000; /* a < 87.0f */
    u.i = small ? u.i : 0x42AE0000;
    const float y = -u.f;
    /* y log2(e) - 1/2 truncated toward zero: the nearest integer to y log2(e) */
    const int32_t k = (int32_t)(y * LOG2E - 0.5f);
    const float fk = (float)k;
    const float r = (y - fk * LN2_HI) - fk * LN2_LO;
    float p = 1.383681316e-3f;
    p = p * r + 8.374815807e-3f;
    p = p * r + 4.166822508e-2f;
    p = p * r + 1.666641980e-1f;
    p = p * r + 4.999999106e-1f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    u.i = small ? (k + 127) << 23 : 0; /* 2^k, k in [-126, 0]; or +0 */
    return p * u.f;
}

/* log1p(e) for e in [0, 1]: with t = e / (2 + e) in [0, 1/3],
 * log1p(e) = 2 atanh(t) = 2t (1 + t^2/3 + t^4/5 + ...). The series in
 * s = t^2 in [0, 1/9] is replaced by a polynomial of degree 4 fitted the
 * same way (the Taylor one needs degree 6): within 7.8e-9 relative with its
 * float coefficients. Full relative accuracy is kept for tiny e. */
static inline __attribute__((always_inline)) float log1p_unit(float e)
{
    const float t = e / (2.0f + e), s = t * t;
    float p = 1.408912987e-1f;
    p = p * s + 1.398030967e-1f;
    p = p * s + 2.001245469e-1f;
    p = p * s + 3.333315849e-1f;
    p = p * s + 1.0f;
    return 2.0f * t * p;
}
#endif

/* Sums are taken in blocks of BLOCK entries: a vectorized pass writes the
 * block's terms to a small buffer, and a second adds them to LANES double
 * accumulators, entry j to lane j mod LANES. The order of the sum is thus
 * fixed, the same on every machine and thread count (no reassociation is
 * allowed or needed). */
#define BLOCK 256
#define LANES 16

static inline void add_terms(double acc[LANES], real *terms, int len)
{
    for (int j = len; j < BLOCK; j++)
        terms[j] = 0;
    for (int b = 0; b < BLOCK; b += LANES)
        for (int l = 0; l < LANES; l++)
            acc[l] += (double)terms[b + l];
}

static inline double total(const double acc[LANES])
{
    double sum = 0.0;
    for (int l = 0; l < LANES; l++)
        sum += acc[l];
    return sum;
}

/* In each kernel, nan = v - v is 0 for a finite logit v, and carries a NaN
 * or an infinite one into the outputs (exp_neg's clamp would not). */

/* s sigmoid(v) and, with softplus_v, softplus(v) = -log sigmoid(-v), both
 * from one exp(-|v|) and without cancellation (the element-wise step of the
 * graph decoders' kernels). */
static inline __attribute__((always_inline)) real sigmoid_softplus(real v, real s, real *softplus_v)
{
    const real nan = v - v, e = EXP_NEG(fabs(v)), inv = 1 / (1 + e);
    if (softplus_v)
        *softplus_v = (v > 0 ? v : 0) + LOG1P_UNIT(e) + nan;
    return s * (v >= 0 ? inv : e * inv) + nan;
}

static CLONES void kernel_sigmoid(vgae_real *x, int64_t n, double scale)
{
    const real s = (real)scale;
    for (int64_t j = 0; j < n; j++)
        x[j] = sigmoid_softplus(x[j], s, NULL);
}

static CLONES double kernel_logistic(vgae_real *x, const uint8_t *counted, int64_t n, int target,
                                   double scale)
{
    /* with y = x for a non-edge and -x for an edge, the term is softplus(y)
     * and its derivative in x is sign * sigmoid(y) */
    const real sign = target ? -1 : 1, s = (real)scale * sign;
    real terms[BLOCK];
    double acc[LANES] = {0};
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK) {
        const int len = (int)(n - j0 < BLOCK ? n - j0 : BLOCK);
        real *xs = x + j0;
        for (int j = 0; j < len; j++)
            xs[j] = sigmoid_softplus(sign * xs[j], s, &terms[j]);
        if (counted)
            for (int j = 0; j < len; j++)
                terms[j] = counted[j0 + j] ? terms[j] : 0;
        add_terms(acc, terms, len);
    }
    return total(acc);
}

static CLONES double kernel_bernoulli(const vgae_real *logits, const vgae_real *targets, int64_t n,
                                    double pos_weight, double grad_scale, vgae_real *grad, int *bad)
{
    const real pw = (real)pos_weight, gs = (real)grad_scale;
    real terms[BLOCK];
    double acc[LANES] = {0};
    int invalid = 0;
    for (int64_t j0 = 0; j0 < n; j0 += BLOCK) {
        const int len = (int)(n - j0 < BLOCK ? n - j0 : BLOCK);
        const real *x = logits + j0, *t = targets + j0;
        real *gr = grad ? grad + j0 : terms; /* without grad, overwritten next */
        for (int j = 0; j < len; j++) {
            const real v = x[j], tj = t[j], nan = v - v;
            const real e = EXP_NEG(fabs(v)), inv = 1 / (1 + e);
            /* sigmoid(v) and sigmoid(-v), each without cancellation */
            const real sig_pos = v >= 0 ? inv : e * inv, sig_neg = v >= 0 ? e * inv : inv;
            gr[j] = gs * ((1 - tj) * sig_pos - pw * tj * sig_neg) + nan;
            /* softplus(v) and softplus(-v), each without cancellation */
            const real lp = LOG1P_UNIT(e), sp = (v > 0 ? v : 0) + lp, sn = (v < 0 ? -v : 0) + lp;
            terms[j] = pw * tj * sn + (1 - tj) * sp + nan;
            invalid |= !(tj >= 0 && tj <= 1);
        }
        add_terms(acc, terms, len);
    }
    *bad = invalid;
    return total(acc);
}

static CLONES void kernel_adam(vgae_real *restrict theta, const vgae_real *restrict g,
                             vgae_real *restrict m, vgae_real *restrict v, int64_t n, double beta1,
                             double beta2, double step, double sqrt_c2, double eps)
{
    const real b1 = (real)beta1, b2 = (real)beta2, a1 = (real)(1 - beta1), a2 = (real)(1 - beta2);
    const real st = (real)step, inv_c2 = (real)(1 / sqrt_c2), ep = (real)eps;
#ifdef VGAE_REAL_DOUBLE
    const real vmax = 1.7976931348623157e308;
#else
    const real vmax = 3.40282347e38f;
#endif
    for (int64_t i = 0; i < n; i++) {
        const real gi = g[i], mi = b1 * m[i] + a1 * gi;
        real vi = b2 * v[i] + a2 * gi * gi;
        /* saturate: a v stored as inf would freeze the parameter for good */
        vi = vi < vmax ? vi : vmax;
        m[i] = mi;
        v[i] = vi;
        theta[i] -= st * mi / (SQRT(vi) * inv_c2 + ep);
    }
}

/* sigmoid(v) and tanh(v), each from one exp(-|v|) (exp(-2|v|) for tanh):
 * sigmoid without cancellation; tanh(v) = sign(v) (1 - e) / (1 + e), to
 * within a few float ulps of 1 in absolute terms (relative accuracy is lost
 * only for |v| well under 1e-3, where the cell's sums do not feel it). */
static inline __attribute__((always_inline)) real gate_sigmoid(real v)
{
    const real e = EXP_NEG(fabs(v)), inv = 1 / (1 + e);
    return v >= 0 ? inv : e * inv;
}

static inline __attribute__((always_inline)) real gate_tanh(real v)
{
    const real e = EXP_NEG(2 * fabs(v)), t = (1 - e) / (1 + e);
    return v >= 0 ? t : -t;
}

static CLONES void kernel_lstm_step(vgae_real *restrict a, const vgae_real *restrict c_prev,
                                    vgae_real *restrict c, vgae_real *restrict h, vgae_real *restrict h2,
                                    int64_t h2_stride, const int32_t *list, int64_t rows, int64_t hd, int64_t j0,
                                    int64_t j1)
{
    for (int64_t k = 0; k < rows; k++) {
        const int64_t r = list ? list[k] : k;
        real *ai = a + r * 4 * hd, *af = ai + hd, *ag = af + hd, *ao = ag + hd;
        const real *cp = c_prev + r * hd;
        real *cr = c + r * hd, *hr = h + r * hd, *hr2 = h2 ? h2 + r * h2_stride : NULL;
        for (int64_t j = j0; j < j1; j++) {
            const real i = gate_sigmoid(ai[j]), f = gate_sigmoid(af[j]), g = gate_tanh(ag[j]),
                       o = gate_sigmoid(ao[j]);
            const real cj = f * cp[j] + i * g;
            ai[j] = i;
            af[j] = f;
            ag[j] = g;
            ao[j] = o;
            cr[j] = cj;
            hr[j] = o * gate_tanh(cj);
        }
        if (hr2)
            memcpy(hr2 + j0, hr + j0, (size_t)(j1 - j0) * sizeof *hr);
    }
}

static CLONES void kernel_lstm_step_back(vgae_real *restrict a, const vgae_real *restrict c_prev,
                                         const vgae_real *restrict c, const vgae_real *restrict dh,
                                         vgae_real *restrict dc, double *restrict sums, const int32_t *list,
                                         int64_t rows, int64_t hd, int64_t j0, int64_t j1)
{
    for (int64_t k = 0; k < rows; k++) {
        const int64_t r = list ? list[k] : k;
        real *ai = a + r * 4 * hd, *af = ai + hd, *ag = af + hd, *ao = ag + hd;
        const real *cp = c_prev + r * hd, *cr = c + r * hd, *dhr = dh + r * hd;
        real *dcr = dc + r * hd;
        for (int64_t j = j0; j < j1; j++) {
            const real i = ai[j], f = af[j], g = ag[j], o = ao[j], tc = gate_tanh(cr[j]), d = dhr[j];
            const real dcj = dcr[j] + d * o * (1 - tc * tc);
            ai[j] = dcj * g * i * (1 - i);
            af[j] = dcj * cp[j] * f * (1 - f);
            ag[j] = dcj * i * (1 - g * g);
            ao[j] = d * tc * o * (1 - o);
            dcr[j] = dcj * f;
        }
        if (sums) { /* the row's sums of the gradients over its steps */
            double *si = sums + r * 4 * hd, *sf = si + hd, *sg = sf + hd, *so = sg + hd;
            for (int64_t j = j0; j < j1; j++) {
                si[j] += (double)ai[j];
                sf[j] += (double)af[j];
                sg[j] += (double)ag[j];
                so[j] += (double)ao[j];
            }
        }
    }
}

/* A tile of VGAE_PANEL_ROWS rows by two panels (see vgae_panel_tile):
 * each entry's products summed in one accumulator, in order, then the bias
 * and the addend added, and the rows written where they go, as many
 * columns of each panel as it has.
 * For a product that is taken at every step against the same weights
 * (the LSTM's recurrent one): the weights are packed once, not per call. */
typedef real panel_v __attribute__((vector_size(VGAE_PANEL * sizeof(real))));

static CLONES void kernel_panel_tile(const vgae_panel_tile *t)
{
    enum { R = VGAE_PANEL_ROWS };
    panel_v acc[2][R];
    memset(acc, 0, sizeof acc);
    const vgae_real *const *a = t->a, *restrict p0 = t->p0, *restrict p1 = t->p1;
    for (int64_t i = 0; i < t->ka; i++) {
        panel_v w0, w1;
        memcpy(&w0, p0 + i * VGAE_PANEL, sizeof w0);
        memcpy(&w1, p1 + i * VGAE_PANEL, sizeof w1);
        for (int r = 0; r < R; r++) {
            const real x = a[r][i];
            acc[0][r] += x * w0;
            acc[1][r] += x * w1;
        }
    }
    for (int p = 0; p < 2; p++) {
        const int width = t->width[p];
        const vgae_real *bias = t->bias[p];
        if (width == VGAE_PANEL) {
            panel_v bv;
            if (bias)
                memcpy(&bv, bias, sizeof bv);
            for (int r = 0; r < t->rows; r++) {
                panel_v v = acc[p][r], add;
                if (bias)
                    v += bv;
                if (t->add) {
                    memcpy(&add, t->add[r] + p * t->add_gap, sizeof add);
                    v += add;
                }
                memcpy(t->out[r] + p * t->out_gap, &v, sizeof v);
            }
        } else {
            for (int r = 0; r < t->rows; r++)
                for (int l = 0; l < width; l++) {
                    real v = acc[p][r][l];
                    if (bias)
                        v += bias[l];
                    if (t->add)
                        v += t->add[r][p * t->add_gap + l];
                    t->out[r][p * t->out_gap + l] = v;
                }
        }
    }
}

/* The nearest of k codes to x (d values): the smallest norms[j] - 2 x . e_j,
 * e_j column j of et (d x k, row-major), the lowest index on ties. Distances
 * are formed and compared 16 codes at a time in one vector (GCC's vector
 * extensions: one AVX-512 register, two AVX2 ones, four SSE ones), with a
 * running minimum and its index per lane, without a buffer; each distance
 * adds its d products in order. */
#define NEAREST_W 16
typedef real nearest_v __attribute__((vector_size(NEAREST_W * sizeof(real))));
#ifdef VGAE_REAL_DOUBLE
typedef int64_t nearest_i __attribute__((vector_size(NEAREST_W * sizeof(int64_t))));
#else
typedef int32_t nearest_i __attribute__((vector_size(NEAREST_W * sizeof(int32_t))));
#endif

static CLONES int32_t kernel_nearest(const vgae_real *restrict x, int64_t d, const vgae_real *restrict et,
                                     const vgae_real *restrict norms, int64_t k)
{
    nearest_v bv, dist, row;
    nearest_i bi, lane;
    for (int l = 0; l < NEAREST_W; l++) {
        bv[l] = INFINITY;
        bi[l] = (int32_t)k;
        lane[l] = l;
    }
    int64_t j = 0;
    for (; j + NEAREST_W <= k; j += NEAREST_W) {
        memcpy(&dist, norms + j, sizeof dist);
        for (int64_t i = 0; i < d; i++) {
            memcpy(&row, et + i * k + j, sizeof row);
            dist += (-2 * x[i]) * row;
        }
        const nearest_i take = dist < bv; /* all ones where the lane's new distance is smaller */
        bv = (nearest_v)(((nearest_i)dist & take) | ((nearest_i)bv & ~take));
        bi = ((lane + (int32_t)j) & take) | (bi & ~take);
    }
    real best_v = INFINITY;
    int32_t best = (int32_t)k;
    for (int l = 0; l < NEAREST_W; l++)
        if (bv[l] < best_v || (bv[l] == best_v && bi[l] < best)) {
            best_v = bv[l];
            best = (int32_t)bi[l];
        }
    for (; j < k; j++) { /* the last k % 16 codes */
        real t = norms[j];
        for (int64_t i = 0; i < d; i++)
            t += (-2 * x[i]) * et[i * k + j];
        if (t < best_v) {
            best_v = t;
            best = (int32_t)j;
        }
    }
    return best < k ? best : 0; /* all NaN: the first */
}

/* ---- the full loss, fused ----
 * One tile of the full reconstruction loss (rows I against columns J of the
 * logits Z Z^T, latent width 16) in blocks of 16 x 16 pairs, each taken from
 * its logits to its gradient's products while it sits in registers and the
 * L1 cache, instead of a tile written by one GEMM and read by two more. A
 * block's logits are 16 sums over k of z_ik times a column vector of z_J^T
 * (16 pairs at a time); its gradient G then adds sum_j G_ij z_j to row i
 * and sum_i G_ij z_i to row j, vectors over k. Every sum runs in a fixed
 * order: the same bits on any thread count and vector width (one AVX-512
 * vector, two AVX2 or four SSE ones per FULL_W reals). */
#define FULL_W VGAE_FULL_TILE_D /* a block's side is the latent width: a row of z is one vector */
typedef real full_v __attribute__((vector_size(FULL_W * sizeof(real))));

/* unaligned vector loads and stores (a vector returned by value would
 * warn of the AVX-512 ABI in the default clone) */
#define FULL_LOAD(v, p) memcpy(&(v), (p), sizeof(full_v))
#define FULL_STORE(p, v) memcpy((p), &(v), sizeof(full_v))

/* Pair e of a block is a positive: its term pw softplus(-x) replaces
 * softplus(x), in double (pw (softplus(x) - x) - softplus(x) is returned, the
 * change; 0 without the loss), and its gradient becomes pw (sigmoid(x) - 1),
 * scaled: pw (g - scale). */
static inline double full_positive(const vgae_full_tile *t, const real *lg, real *g, int e)
{
    const real pw = (real)t->pos_weight;
    g[e] = pw * (g[e] - (real)t->scale);
    if (!t->want_loss)
        return 0.0;
    const double x = lg[e], softplus = -vgae_log_sigmoid(-x);
    return (t->pos_weight - 1) * softplus - t->pos_weight * x;
}

static CLONES double kernel_full_tile(const vgae_full_tile *t)
{
    enum { W = FULL_W, BB = FULL_W * FULL_W };
    const int32_t ni = t->ni, nj = t->nj, chunks = (nj + W - 1) / W;
    const real s = (real)t->scale;
    real *zjt = t->work;                           /* chunk c: z_J^T's 16 x 16 block, [k][j] */
    real *zjp = zjt + (int64_t)chunks * BB;        /* z_J's rows, zero past nj */
    real *dzj = zjp + (int64_t)chunks * BB;        /* sum_i G_ij z_i, per row j */
    real *zs = dzj + (int64_t)chunks * BB;         /* the strip's rows of z_I, zero past ni */
    real *dzi = zs + BB, *lg = dzi + BB, *g = lg + BB, *terms = g + BB;
    const int grad = t->gi != NULL;
    double acc[LANES] = {0}, fix = 0.0;
    memset(zjp, 0, sizeof(real) * (size_t)chunks * BB);
    memcpy(zjp, t->zj, sizeof(real) * (size_t)nj * W);
    for (int32_t c = 0; c < chunks; c++)
        for (int k = 0; k < W; k++)
            for (int j = 0; j < W; j++)
                zjt[c * BB + k * W + j] = zjp[c * BB + j * W + k];
    if (grad)
        memset(dzj, 0, sizeof(real) * (size_t)chunks * BB);
    for (int32_t r0 = 0; r0 < ni; r0 += W) {
        const int ri = ni - r0 < W ? ni - r0 : W;
        memset(zs, 0, sizeof(real) * BB);
        memcpy(zs, t->zi + (int64_t)r0 * W, sizeof(real) * (size_t)ri * W);
        memset(dzi, 0, sizeof(real) * BB);
        /* each row's next positive pair at or after the tile's first column */
        int64_t next[W], end[W];
        for (int r = 0; r < ri; r++) {
            const int32_t i = t->i0 + r0 + r;
            int64_t lo = t->rowptr[i], hi = t->rowptr[i + 1];
            end[r] = hi;
            while (lo < hi) {
                const int64_t mid = lo + (hi - lo) / 2;
                if (t->adj[mid] < t->j0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            next[r] = lo;
        }
        for (int32_t c = 0; c < chunks; c++) {
            const int32_t c0 = c * W, cj = nj - c0 < W ? nj - c0 : W, jfirst = t->j0 + c0;
            full_v l[W];
            for (int r = 0; r < W; r++)
                l[r] = (full_v){0};
            for (int k = 0; k < W; k++) {
                full_v col;
                FULL_LOAD(col, zjt + c * BB + k * W);
                for (int r = 0; r < W; r++)
                    l[r] += zs[r * W + k] * col;
            }
            for (int r = 0; r < W; r++)
                FULL_STORE(lg + r * W, l[r]);
            /* every pair as a non-edge: scale sigmoid(x), and softplus(x) */
            if (t->want_loss) {
                for (int e = 0; e < BB; e++)
                    g[e] = sigmoid_softplus(lg[e], s, &terms[e]);
                if (ri < W || cj < W) /* the padding's pairs are not pairs */
                    for (int e = 0; e < BB; e++)
                        terms[e] = (e / W < ri && e % W < cj) ? terms[e] : 0;
                add_terms(acc, terms, BB);
            } else {
                for (int e = 0; e < BB; e++)
                    g[e] = sigmoid_softplus(lg[e], s, NULL);
            }
            /* the positives (training edges and the diagonal): pw softplus(-x)
             * in place of softplus(x), and the gradient pw (sigmoid(x) - 1) */
            for (int r = 0; r < ri; r++) {
                const int32_t i = t->i0 + r0 + r;
                int64_t p = next[r];
                for (; p < end[r] && t->adj[p] < jfirst + cj; p++)
                    fix += full_positive(t, lg, g, r * W + (t->adj[p] - jfirst));
                if (i >= jfirst && i < jfirst + cj)
                    fix += full_positive(t, lg, g, r * W + (i - jfirst));
                next[r] = p;
            }
            if (!grad)
                continue;
            /* sum_j G_ij z_j into row i; sum_i G_ij z_i into row j (the
             * padding's rows of z are zero: they add nothing), 16 sums at
             * a time (16 independent chains of multiply-adds), G's entries
             * broadcast from memory; each sum in j (i) order */
            full_v a[W], x;
            for (int r = 0; r < W; r++)
                FULL_LOAD(a[r], dzi + r * W);
            for (int j = 0; j < W; j++) {
                FULL_LOAD(x, zjp + c * BB + j * W);
                for (int r = 0; r < W; r++)
                    a[r] += g[r * W + j] * x;
            }
            for (int r = 0; r < W; r++)
                FULL_STORE(dzi + r * W, a[r]);
            if (!t->diag) {
                real *dj = dzj + c * BB;
                for (int j = 0; j < W; j++)
                    FULL_LOAD(a[j], dj + j * W);
                for (int r = 0; r < W; r++) {
                    FULL_LOAD(x, zs + r * W);
                    for (int j = 0; j < W; j++)
                        a[j] += g[r * W + j] * x;
                }
                for (int j = 0; j < W; j++)
                    FULL_STORE(dj + j * W, a[j]);
            }
        }
        if (grad)
            for (int r = 0; r < ri; r++) {
                real *out = t->gi + (int64_t)(r0 + r) * W;
                full_v a, x;
                FULL_LOAD(a, out);
                FULL_LOAD(x, dzi + r * W);
                a += 2 * x;
                FULL_STORE(out, a);
            }
    }
    if (grad && !t->diag)
        for (int32_t j = 0; j < nj; j++) {
            real *out = t->gj + (int64_t)j * W;
            full_v a, x;
            FULL_LOAD(a, out);
            FULL_LOAD(x, dzj + (int64_t)j * W);
            a += 2 * x;
            FULL_STORE(out, a);
        }
    return total(acc) + fix;
}

/* The library's entry points: plain functions around the clones, whose
 * dispatchers GCC would otherwise export from the shared library. */
void vgae_kernel_sigmoid(vgae_real *x, int64_t n, double scale)
{
    kernel_sigmoid(x, n, scale);
}

double vgae_kernel_logistic(vgae_real *x, const uint8_t *counted, int64_t n, int target,
                            double scale)
{
    return kernel_logistic(x, counted, n, target, scale);
}

double vgae_kernel_bernoulli(const vgae_real *logits, const vgae_real *targets, int64_t n,
                             double pos_weight, double grad_scale, vgae_real *grad, int *bad)
{
    return kernel_bernoulli(logits, targets, n, pos_weight, grad_scale, grad, bad);
}

void vgae_kernel_adam(vgae_real *theta, const vgae_real *g, vgae_real *m, vgae_real *v, int64_t n,
                      double beta1, double beta2, double step, double sqrt_c2, double eps)
{
    kernel_adam(theta, g, m, v, n, beta1, beta2, step, sqrt_c2, eps);
}

double vgae_kernel_full_tile(const vgae_full_tile *t)
{
    return kernel_full_tile(t);
}

int32_t vgae_kernel_nearest(const vgae_real *x, int64_t d, const vgae_real *et, const vgae_real *norms,
                            int64_t k)
{
    return kernel_nearest(x, d, et, norms, k);
}

void vgae_kernel_lstm_step(vgae_real *a, const vgae_real *c_prev, vgae_real *c, vgae_real *h, vgae_real *h2,
                           int64_t h2_stride, const int32_t *list, int64_t rows, int64_t hidden, int64_t j0,
                           int64_t j1)
{
    kernel_lstm_step(a, c_prev, c, h, h2, h2_stride, list, rows, hidden, j0, j1);
}

void vgae_kernel_lstm_step_back(vgae_real *a, const vgae_real *c_prev, const vgae_real *c, const vgae_real *dh,
                                vgae_real *dc, double *sums, const int32_t *list, int64_t rows, int64_t hidden,
                                int64_t j0, int64_t j1)
{
    kernel_lstm_step_back(a, c_prev, c, dh, dc, sums, list, rows, hidden, j0, j1);
}

void vgae_kernel_panel_tile(const vgae_panel_tile *t)
{
    kernel_panel_tile(t);
}

const char *vgae_kernel_isa(void)
{
#if defined(VGAE_REAL_DOUBLE)
    return "libm (double)";
#elif defined(__clang__)
    return "x86-64, one copy (a clang build)";
#else
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3"))
        return "x86-64-v3 (AVX2, FMA)";
    return "x86-64 (SSE2)";
#endif
}
