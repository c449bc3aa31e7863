/* Link-prediction figures for a person and for a program: every metric of a run by name, means and stds over runs, the aligned tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cli_link_metrics(const vgae_link_figures *f, int test_only, cli_metric *out)
{
    int n = 0;
    for (int s = 0; s < (test_only ? 1 : 2); s++) {
        const vgae_set_figures *set = s ? &f->val : &f->test;
        const char *p = s ? "val" : "test";
        snprintf(out[n].name, sizeof out[n].name, "%s_auc", p);
        out[n++].value = set->auc;
        snprintf(out[n].name, sizeof out[n].name, "%s_ap", p);
        out[n++].value = set->ap;
        for (int i = 0; i < f->ks.n; i++) {
            snprintf(out[n].name, sizeof out[n].name, "%s_hits@%d", p, f->ks.k[i]);
            out[n++].value = set->hits[i];
        }
        if (isnan(set->mrr))
            continue;
        snprintf(out[n].name, sizeof out[n].name, "%s_mrr", p);
        out[n++].value = set->mrr;
        for (int i = 0; i < f->ks.n; i++) {
            snprintf(out[n].name, sizeof out[n].name, "%s_hard_hits@%d", p, f->ks.k[i]);
            out[n++].value = set->hard_hits[i];
        }
    }
    return n;
}

void cli_json_metrics(const vgae_link_figures *f, const char *after)
{
    cli_metric m[CLI_MAX_METRICS];
    const int n = cli_link_metrics(f, 0, m);
    for (int i = 0; i < n; i++)
        cli_json_number(m[i].name, m[i].value, i + 1 < n ? "," : after);
}

/* The mean (what = 0) or population std (what = 1) of each metric over runs. */
static void over_runs(const vgae_link_figures *runs, int n, int what, vgae_link_figures *out)
{
    cli_metric m[CLI_MAX_METRICS];
    const int count = cli_link_metrics(&runs[0], 0, m);
    double sum[CLI_MAX_METRICS] = {0}, mean[CLI_MAX_METRICS], ss[CLI_MAX_METRICS] = {0};
    for (int r = 0; r < n; r++) {
        cli_link_metrics(&runs[r], 0, m);
        for (int i = 0; i < count; i++)
            sum[i] += m[i].value;
    }
    for (int i = 0; i < count; i++)
        mean[i] = sum[i] / n;
    for (int r = 0; r < n; r++) {
        cli_link_metrics(&runs[r], 0, m);
        for (int i = 0; i < count; i++)
            ss[i] += (m[i].value - mean[i]) * (m[i].value - mean[i]);
    }
    /* back into the figures' shape, metric by metric in the order above */
    *out = runs[0];
    double *slots[CLI_MAX_METRICS];
    int k = 0;
    for (int s = 0; s < 2; s++) {
        vgae_set_figures *set = s ? &out->val : &out->test;
        slots[k++] = &set->auc;
        slots[k++] = &set->ap;
        for (int i = 0; i < out->ks.n; i++)
            slots[k++] = &set->hits[i];
        if (isnan(set->mrr))
            continue;
        slots[k++] = &set->mrr;
        for (int i = 0; i < out->ks.n; i++)
            slots[k++] = &set->hard_hits[i];
    }
    for (int i = 0; i < count; i++)
        *slots[i] = what ? sqrt(ss[i] / n) : mean[i];
}

void cli_json_summary(const vgae_link_figures *runs, int n, const char *after)
{
    vgae_link_figures mean, std;
    over_runs(runs, n, 0, &mean);
    over_runs(runs, n, 1, &std);
    printf("\"mean\":{");
    cli_json_metrics(&mean, "},\"std\":{");
    cli_json_metrics(&std, "}");
    printf("%s", after);
}

/* The columns of the tables: the test figures a person compares. */
static int columns(const vgae_link_figures *f, cli_metric *m, char heads[][16])
{
    const int n = cli_link_metrics(f, 1, m);
    int c = 0;
    for (int i = 0; i < n; i++) {
        const char *name = m[i].name + strlen("test_");
        if (strncmp(name, "hard_", 5) == 0)
            continue; /* in the JSON: the table keeps MRR for the hard negatives */
        if (strcmp(name, "auc") == 0)
            snprintf(heads[c], 16, "AUC");
        else if (strcmp(name, "ap") == 0)
            snprintf(heads[c], 16, "AP");
        else if (strcmp(name, "mrr") == 0)
            snprintf(heads[c], 16, "MRR");
        else
            snprintf(heads[c], 16, "H@%s", name + strlen("hits@"));
        m[c++] = m[i];
    }
    return c;
}

void cli_table_runs(const vgae_link_figures *runs, const vgae_linkpred_result *fits, int n,
                    int64_t seed)
{
    cli_metric m[CLI_MAX_METRICS];
    char heads[CLI_MAX_METRICS][16];
    const int c = columns(&runs[0], m, heads);
    printf("%4s %8s", "run", "seed");
    for (int i = 0; i < c; i++)
        printf(" %6s", heads[i]);
    int selected = 0;
    for (int r = 0; fits && r < n; r++)
        selected |= fits[r].best_epoch > 0;
    printf(" %8s %7s", "val AUC", "epochs");
    if (selected)
        printf(" %5s", "best");
    printf(" %8s\n", "seconds");
    for (int r = 0; r < n; r++) {
        columns(&runs[r], m, heads);
        printf("%4d %8lld", r + 1, (long long)(seed + r));
        for (int i = 0; i < c; i++)
            printf(" %6.2f", 100 * m[i].value);
        printf(" %8.2f %7d", 100 * runs[r].val.auc, fits ? fits[r].epochs : 0);
        if (selected)
            printf(" %5d", fits[r].best_epoch);
        printf(" %8.2f\n", fits ? fits[r].train_seconds : 0.0);
    }
}

void cli_table_summary(const char *first, const char *const *names,
                       const vgae_link_figures *const *runs, int methods, int n)
{
    cli_metric m[CLI_MAX_METRICS];
    char heads[CLI_MAX_METRICS][16];
    const int c = columns(&runs[0][0], m, heads);
    int wide = (int)strlen(first);
    for (int k = 0; k < methods; k++)
        if ((int)strlen(names[k]) > wide)
            wide = (int)strlen(names[k]);
    const int cell = n > 1 ? 15 : 6;
    printf("%-*s", wide, first);
    for (int i = 0; i < c; i++)
        printf("  %*s", cell, heads[i]);
    printf("\n");
    for (int k = 0; k < methods; k++) {
        vgae_link_figures mean, std;
        cli_metric sd[CLI_MAX_METRICS];
        char unused[CLI_MAX_METRICS][16];
        over_runs(runs[k], n, 0, &mean);
        over_runs(runs[k], n, 1, &std);
        columns(&mean, m, unused);
        columns(&std, sd, unused);
        printf("%-*s", wide, names[k]);
        for (int i = 0; i < c; i++) {
            if (n > 1)
                printf("  %6.2f +- %5.2f", 100 * m[i].value, 100 * sd[i].value);
            else
                printf("  %6.2f", 100 * m[i].value);
        }
        printf("\n");
    }
}
