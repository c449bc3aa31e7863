/* The pictures the commands draw: training curves (--plot), ROC and
 * precision-recall curves (eval --roc/--pr) and a 2-D map of node
 * embeddings (embed --plot), through the library's vgae_plot_write. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

enum { PANEL_W = 520, PANEL_H = 380 };

int cli_history_add(cli_history *h, int run, int epoch, double loss, double kl, double val_auc, double val_ap)
{
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 256;
        cli_history_row *grown = realloc(h->rows, (size_t)cap * sizeof *grown);
        if (!grown) {
            h->lost = 1; /* the curve would miss this row: no picture of it */
            return -1;
        }
        h->rows = grown;
        h->cap = cap;
    }
    h->rows[h->n++] = (cli_history_row){run, epoch, loss, kl, val_auc, val_ap};
    return 0;
}

void cli_history_free(cli_history *h)
{
    free(h->rows);
    h->rows = NULL;
    h->n = h->cap = 0;
}

static int plot_error(vgae_ctx *ctx)
{
    return ctx ? cli_lib_error(ctx) : (fprintf(stderr, "vgae: out of memory\n"), CLI_ERROR);
}

/* One column of the history's rows of one run into xs/ys; returns the count. */
static int64_t column(const cli_history *h, int run, int which, double *xs, double *ys)
{
    int64_t n = 0;
    for (int i = 0; i < h->n; i++) {
        const cli_history_row *r = &h->rows[i];
        if (r->run != run)
            continue;
        xs[n] = r->epoch;
        ys[n++] = which == 0 ? r->loss : which == 1 ? r->kl : which == 2 ? r->val_auc : r->val_ap;
    }
    return n;
}

int cli_plot_training(const char *path, const cli_history *h, const char *title, int with_kl, int threads)
{
    int runs = 0, have_val = 0;
    for (int i = 0; i < h->n; i++) {
        if (h->rows[i].run > runs)
            runs = h->rows[i].run;
        have_val |= isfinite(h->rows[i].val_auc);
    }
    if (runs == 0) {
        fprintf(stderr, "vgae: %s: nothing to plot (no epochs were reported)\n", path);
        return CLI_ERROR;
    }
    if (h->lost) {
        fprintf(stderr, "vgae: %s: out of memory recording the training curve; nothing drawn\n", path);
        return CLI_ERROR;
    }
    /* per run: loss, kl, val AUC, val AP, x and y each, room for all rows */
    double *buf = malloc((size_t)runs * 8 * (size_t)h->n * sizeof *buf + 1);
    vgae_plot_series *s = calloc((size_t)runs * 5 + 1, sizeof *s);
    char (*names)[48] = calloc((size_t)runs * 3 + 1, sizeof *names);
    vgae_ctx *ctx = vgae_ctx_new();
    int rc = CLI_OK;
    if (!buf || !s || !names || !ctx) {
        rc = plot_error(NULL);
        goto done;
    }
    vgae_plot_series *loss = s, *kl = s + runs, *val = s + 2 * runs;
    int64_t off = 0;
    for (int r = 1; r <= runs; r++) {
        double *xs[4], *ys[4];
        int64_t n[4];
        for (int w = 0; w < 4; w++) {
            xs[w] = buf + off;
            ys[w] = buf + off + h->n;
            off += 2 * h->n;
            n[w] = column(h, r, w, xs[w], ys[w]);
        }
        const int color = runs > 1 ? r - 1 : 0;
        if (runs > 1)
            snprintf(names[r - 1], sizeof names[0], "run %d", r);
        loss[r - 1] = (vgae_plot_series){runs > 1 && runs <= 10 ? names[r - 1] : NULL, xs[0], ys[0], n[0],
                                         VGAE_PLOT_LINE, color};
        kl[r - 1] = (vgae_plot_series){NULL, xs[1], ys[1], n[1], VGAE_PLOT_LINE, color};
        snprintf(names[runs + r - 1], sizeof names[0], runs > 1 ? "AUC, run %d" : "validation AUC", r);
        snprintf(names[2 * runs + r - 1], sizeof names[0], runs > 1 ? "AP, run %d" : "validation AP", r);
        const int named = runs <= 5;
        val[2 * (r - 1)] = (vgae_plot_series){named ? names[runs + r - 1] : NULL, xs[2], ys[2], n[2],
                                              VGAE_PLOT_LINE, runs > 1 ? color : 0};
        val[2 * (r - 1) + 1] = (vgae_plot_series){named ? names[2 * runs + r - 1] : NULL, xs[3], ys[3], n[3],
                                                  VGAE_PLOT_DASHED, runs > 1 ? color : 1};
    }
    char t_loss[200], t_val[200];
    snprintf(t_loss, sizeof t_loss, "%s: training loss", title);
    snprintf(t_val, sizeof t_val, "validation AUC and AP (dashed)");
    vgae_plot_panel panels[3];
    int np = 0;
    panels[np++] = (vgae_plot_panel){t_loss, "epoch", "loss", 0, NAN, NAN, NAN, loss, runs,
                                     VGAE_LEGEND_AUTO, 0};
    if (with_kl)
        panels[np++] = (vgae_plot_panel){"KL(q || prior), summed over nodes", "epoch", "KL (nats)", 0, NAN, NAN,
                                         NAN, kl, runs, VGAE_LEGEND_NONE, 0};
    if (have_val)
        panels[np++] = (vgae_plot_panel){t_val, "epoch", "validation figure", 0, NAN, NAN, 1.0, val, 2 * runs,
                                         VGAE_LEGEND_AUTO, 0};
    vgae_ctx_set_threads(ctx, threads);
    if (vgae_plot_write(ctx, path, panels, np, PANEL_W, PANEL_H))
        rc = plot_error(ctx);
done:
    free(buf);
    free(s);
    free(names);
    vgae_ctx_free(ctx);
    return rc;
}

int cli_plot_vae(const char *path, const double *curve, int epochs, const char *data, int threads)
{
    const double *e = curve, *train = curve + epochs, *test = curve + 2 * epochs, *recon = curve + 3 * epochs,
                 *kl = curve + 4 * epochs;
    const vgae_plot_series loss[2] = {{"train (mean over the epoch)", e, train, epochs, VGAE_PLOT_LINE, 0},
                                      {"test", e, test, epochs, VGAE_PLOT_LINE, 1}};
    const vgae_plot_series parts[2] = {{"reconstruction", e, recon, epochs, VGAE_PLOT_LINE, 2},
                                       {"KL", e, kl, epochs, VGAE_PLOT_LINE, 4}};
    char title[300];
    const char *slash = strrchr(data, '/');
    const char *base = slash && slash[1] ? slash + 1 : data;
    snprintf(title, sizeof title, "image VAE on %s: negative ELBO", base);
    const vgae_plot_panel panels[2] = {
        {title, "epoch", "nats per image", 1, NAN, NAN, NAN, loss, 2, VGAE_LEGEND_AUTO, 0},
        {"the test loss's two parts", "epoch", "nats per image", 1, NAN, 0, NAN, parts, 2, VGAE_LEGEND_AUTO, 0}};
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx)
        return plot_error(NULL);
    vgae_ctx_set_threads(ctx, threads);
    int rc = vgae_plot_write(ctx, path, panels, 2, PANEL_W, PANEL_H) ? plot_error(ctx) : CLI_OK;
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- ROC and precision-recall ---- */

typedef struct {
    double score;
    int pos;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    const double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The ROC and PR points of one scorer, ties taken together, thinned to
 * about 1000 points a curve; auc and ap as the library defines them (ties
 * count half in AUC; AP = sum of recall steps times precision). */
static int curves(const double *pos, int64_t n_pos, const double *neg, int64_t n_neg, double *roc_x, double *roc_y,
                  int64_t *n_roc, double *pr_x, double *pr_y, int64_t *n_pr, double *auc, double *ap)
{
    const int64_t n = n_pos + n_neg;
    scored *all = malloc((size_t)n * sizeof *all + 1);
    if (!all)
        return -1;
    for (int64_t i = 0; i < n_pos; i++)
        all[i] = (scored){pos[i], 1};
    for (int64_t i = 0; i < n_neg; i++)
        all[n_pos + i] = (scored){neg[i], 0};
    qsort(all, (size_t)n, sizeof *all, by_score_desc);
    int64_t tp = 0, fp = 0, kr = 0, kp = 0;
    double area = 0, prec_sum = 0, last_x = -1, last_y = -1, last_r = -1;
    roc_x[kr] = 0;
    roc_y[kr++] = 0;
    pr_x[kp] = 0;
    pr_y[kp++] = 1;
    for (int64_t i = 0; i < n;) {
        int64_t j = i, dtp = 0, dfp = 0;
        while (j < n && all[j].score == all[i].score) {
            dtp += all[j].pos;
            dfp += !all[j].pos;
            j++;
        }
        area += (double)dfp * ((double)tp + 0.5 * (double)dtp);
        tp += dtp;
        fp += dfp;
        const double precision = (double)tp / (double)(tp + fp), recall = n_pos ? (double)tp / (double)n_pos : 0;
        prec_sum += (double)dtp * precision;
        const double x = n_neg ? (double)fp / (double)n_neg : 0, y = recall;
        if (j == n || fabs(x - last_x) + fabs(y - last_y) >= 1e-3) {
            roc_x[kr] = x;
            roc_y[kr++] = y;
            last_x = x;
            last_y = y;
        }
        if (j == n || fabs(recall - last_r) >= 1e-3 || dtp == 0) {
            if (kp == 1 || j == n || fabs(recall - last_r) >= 1e-3) {
                pr_x[kp] = recall;
                pr_y[kp++] = precision;
                last_r = recall;
            }
        }
        i = j;
    }
    *n_roc = kr;
    *n_pr = kp;
    *auc = n_pos && n_neg ? area / ((double)n_pos * (double)n_neg) : NAN;
    *ap = n_pos ? prec_sum / (double)n_pos : NAN;
    free(all);
    return 0;
}

int cli_plot_link_curves(const char *roc_path, const char *pr_path, const char *title, int k,
                         const char *const *names, const double *const *pos, int64_t n_pos,
                         const double *const *neg, int64_t n_neg, int threads)
{
    const int64_t cap = n_pos + n_neg + 2;
    double *buf = malloc((size_t)k * (size_t)cap * 4 * sizeof *buf + 1);
    vgae_plot_series *roc = calloc((size_t)k + 1, sizeof *roc), *pr = calloc((size_t)k + 1, sizeof *pr);
    char (*labels)[2][96] = calloc((size_t)k + 1, sizeof *labels);
    vgae_ctx *ctx = vgae_ctx_new();
    int rc = CLI_OK;
    if (!buf || !roc || !pr || !labels || !ctx) {
        rc = plot_error(NULL);
        goto done;
    }
    for (int s = 0; s < k; s++) {
        double *rx = buf + (int64_t)s * 4 * cap, *ry = rx + cap, *px = ry + cap, *py = px + cap, auc, ap;
        int64_t nr, npr;
        if (curves(pos[s], n_pos, neg[s], n_neg, rx, ry, &nr, px, py, &npr, &auc, &ap)) {
            rc = plot_error(NULL);
            goto done;
        }
        snprintf(labels[s][0], sizeof labels[s][0], "%s (AUC %.4f)", names[s], auc);
        snprintf(labels[s][1], sizeof labels[s][1], "%s (AP %.4f)", names[s], ap);
        roc[s] = (vgae_plot_series){labels[s][0], rx, ry, nr, VGAE_PLOT_LINE, s};
        pr[s] = (vgae_plot_series){labels[s][1], px, py, npr, VGAE_PLOT_LINE, s};
    }
    static const double diag[2] = {0, 1};
    roc[k] = (vgae_plot_series){"chance", diag, diag, 2, VGAE_PLOT_DASHED, -1};
    const double base = n_pos + n_neg ? (double)n_pos / (double)(n_pos + n_neg) : 0;
    const double base_y[2] = {base, base};
    pr[k] = (vgae_plot_series){"chance", diag, base_y, 2, VGAE_PLOT_DASHED, -1};
    char t_roc[300], t_pr[300];
    snprintf(t_roc, sizeof t_roc, "ROC: %s", title);
    snprintf(t_pr, sizeof t_pr, "precision-recall: %s", title);
    vgae_plot_panel p_roc = {t_roc, "false positive rate", "true positive rate", 0, 1, 0, 1, roc, k + 1,
                             VGAE_LEGEND_AUTO, 0};
    vgae_plot_panel p_pr = {t_pr, "recall", "precision", 0, 1, 0, 1, pr, k + 1, VGAE_LEGEND_AUTO, 0};
    vgae_ctx_set_threads(ctx, threads);
    /* both or neither: with both asked for, the ROC goes to a hidden file
     * beside its target first, renamed into place once the PR is written
     * (a regular file or a new one; a device or link is written directly) */
    char staged[4096] = "";
    struct stat sb;
    if (roc_path && pr_path && (lstat(roc_path, &sb) != 0 || S_ISREG(sb.st_mode))) {
        const char *slash = strrchr(roc_path, '/');
        const size_t dir_len = slash ? (size_t)(slash - roc_path) + 1 : 0;
        const size_t len = strlen(roc_path);
        const int svg = len > 4 && strcmp(roc_path + len - 4, ".svg") == 0;
        if ((size_t)snprintf(staged, sizeof staged, "%.*s.%s.staged%s", (int)dir_len, roc_path, roc_path + dir_len,
                             svg ? ".svg" : ".png") >= sizeof staged)
            staged[0] = '\0';
    }
    const char *roc_to = staged[0] ? staged : roc_path;
    if ((roc_to && vgae_plot_write(ctx, roc_to, &p_roc, 1, PANEL_W + 60, PANEL_H + 60)) ||
        (pr_path && vgae_plot_write(ctx, pr_path, &p_pr, 1, PANEL_W + 60, PANEL_H + 60))) {
        rc = plot_error(ctx);
        if (staged[0])
            unlink(staged);
    } else if (staged[0] && rename(staged, roc_path) != 0) {
        fprintf(stderr, "vgae: %s: cannot write: %s\n", roc_path, strerror(errno));
        unlink(staged);
        rc = CLI_ERROR;
    }
done:
    free(buf);
    free(roc);
    free(pr);
    free(labels);
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- embeddings: the first two principal components ---- */

/* The top two eigenvectors of the d x d symmetric c (power iteration with
 * deflation, from a fixed start: the same input gives the same picture),
 * each signed so that its largest entry is positive. */
static void top_two(double *c, int d, double *v1, double *v2)
{
    double *v[2] = {v1, v2};
    double *w = malloc((size_t)d * sizeof *w + 1);
    if (!w)
        return;
    for (int k = 0; k < 2; k++) {
        double *x = v[k];
        for (int i = 0; i < d; i++)
            x[i] = 1.0 + 0.01 * (i % 7) + (k ? (i % 2 ? 0.5 : -0.5) : 0);
        for (int it = 0; it < 500; it++) {
            double norm = 0;
            for (int i = 0; i < d; i++) {
                double sum = 0;
                for (int j = 0; j < d; j++)
                    sum += c[(size_t)i * d + j] * x[j];
                w[i] = sum;
                norm += sum * sum;
            }
            norm = sqrt(norm);
            if (norm == 0)
                break;
            double change = 0;
            for (int i = 0; i < d; i++) {
                change += fabs(w[i] / norm - x[i]);
                x[i] = w[i] / norm;
            }
            if (change < 1e-12 * d)
                break;
        }
        int big = 0;
        for (int i = 1; i < d; i++)
            if (fabs(x[i]) > fabs(x[big]))
                big = i;
        if (x[big] < 0)
            for (int i = 0; i < d; i++)
                x[i] = -x[i];
        /* deflate: c -= lambda x x^T */
        double lambda = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                lambda += x[i] * c[(size_t)i * d + j] * x[j];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                c[(size_t)i * d + j] -= lambda * x[i] * x[j];
    }
    free(w);
}

int cli_plot_embedding(const char *path, const float *z, int64_t n, int d, const vgae_labels *labels,
                       const char *title, int threads)
{
    double *mean = calloc((size_t)d + 1, sizeof *mean), *cov = calloc((size_t)d * d + 1, sizeof *cov);
    double *v1 = calloc((size_t)d + 1, sizeof *v1), *v2 = calloc((size_t)d + 1, sizeof *v2);
    double *xy = malloc((size_t)n * 2 * sizeof *xy + 1);
    int classes = 0;
    if (labels)
        for (int64_t i = 0; i < n; i++)
            if (labels->y[i] + 1 > classes)
                classes = labels->y[i] + 1;
    double *px = malloc((size_t)n * 2 * sizeof *px + 1);
    vgae_plot_series *s = calloc((size_t)classes + 2, sizeof *s);
    char (*names)[40] = calloc((size_t)classes + 2, sizeof *names);
    vgae_ctx *ctx = vgae_ctx_new();
    int rc = CLI_OK;
    if (!mean || !cov || !v1 || !v2 || !xy || !px || !s || !names || !ctx) {
        rc = plot_error(NULL);
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            mean[j] += z[i * d + j];
    for (int j = 0; j < d; j++)
        mean[j] /= (double)n;
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < d; a++) {
            const double da = z[i * d + a] - mean[a];
            for (int b = a; b < d; b++)
                cov[(size_t)a * d + b] += da * (z[i * d + b] - mean[b]);
        }
    for (int a = 0; a < d; a++)
        for (int b = 0; b < a; b++)
            cov[(size_t)a * d + b] = cov[(size_t)b * d + a];
    double total = 0;
    for (int a = 0; a < d; a++)
        total += cov[(size_t)a * d + a];
    top_two(cov, d, v1, v2);
    double var1 = 0, var2 = 0;
    for (int64_t i = 0; i < n; i++) {
        double p1 = 0, p2 = 0;
        for (int j = 0; j < d; j++) {
            const double c = z[i * d + j] - mean[j];
            p1 += c * v1[j];
            p2 += c * (d > 1 ? v2[j] : 0);
        }
        xy[2 * i] = p1;
        xy[2 * i + 1] = p2;
        var1 += p1 * p1;
        var2 += p2 * p2;
    }
    /* group the points by class: unlabelled (gray) first, under the rest */
    int64_t at = 0;
    int ns = 0;
    const int first = labels ? -1 : 0, last = labels ? classes - 1 : 0;
    for (int c = first; c <= last; c++) {
        const int64_t start = at;
        for (int64_t i = 0; i < n; i++) {
            if (labels && labels->y[i] != c)
                continue;
            px[at] = xy[2 * i];
            px[n + at] = xy[2 * i + 1];
            at++;
        }
        const int64_t m = at - start;
        if (m == 0)
            continue;
        if (!labels)
            snprintf(names[ns], sizeof names[0], "%lld nodes", (long long)m);
        else if (c < 0)
            snprintf(names[ns], sizeof names[0], "no label (%lld)", (long long)m);
        else
            snprintf(names[ns], sizeof names[0], "class %d (%lld)", c, (long long)m);
        s[ns] = (vgae_plot_series){names[ns], px + start, px + n + start, m, VGAE_PLOT_POINTS,
                                   !labels ? 0 : c < 0 ? -1 : c};
        ns++;
    }
    char t[300], xl[80], yl[80];
    snprintf(t, sizeof t, "%s: embeddings, first two principal components", title);
    snprintf(xl, sizeof xl, "PC 1 (%.0f%% of the variance)", total > 0 ? 100 * var1 / total : 0);
    snprintf(yl, sizeof yl, "PC 2 (%.0f%%)", total > 0 ? 100 * var2 / total : 0);
    vgae_plot_panel p = {t, xl, yl, NAN, NAN, NAN, NAN, s, ns, ns > 1 ? VGAE_LEGEND_AUTO : VGAE_LEGEND_NONE, 0};
    vgae_ctx_set_threads(ctx, threads);
    if (vgae_plot_write(ctx, path, &p, 1, 760, 600))
        rc = plot_error(ctx);
done:
    free(mean);
    free(cov);
    free(v1);
    free(v2);
    free(xy);
    free(px);
    free(s);
    free(names);
    vgae_ctx_free(ctx);
    return rc;
}
