/* --checkpoint, --checkpoint-every and --resume: the options every training command shares, and the command's own state kept in the checkpoint. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const cli_opt cli_checkpoint_table[] = {
    {"--checkpoint", NULL, CLI_STRING, "FILE", .dest = offsetof(cli_checkpoint_opts, path),
     .help = "keep the whole training state in FILE (weights, optimizer,\n"
             "random streams, model selection): written every\n"
             "--checkpoint-every epochs and when stopped by SIGINT or\n"
             "SIGTERM, each time whole or not at all"},
    {"--checkpoint-every", NULL, CLI_INT, "N", 1, 1000000, offsetof(cli_checkpoint_opts, every),
     .help = "epochs between checkpoints"},
    {"--resume", NULL, CLI_STRING, "FILE", .dest = offsetof(cli_checkpoint_opts, resume),
     .help = "go on from a checkpoint of the same command with the same\n"
             "data and options (refused otherwise); the run ends as if it\n"
             "had never stopped, bit for bit. Checkpoints keep going to\n"
             "FILE unless --checkpoint names another"},
    {NULL},
};

int cli_checkpoint_start(vgae_ctx *ctx, cli_checkpoint_opts *c, const char *command,
                         vgae_model_file **resume)
{
    *resume = NULL;
    if (c->resume && !c->path)
        c->path = c->resume;
    if (c->path && strcmp(c->path, "-") == 0) {
        fprintf(stderr, "vgae: a checkpoint is binary: --checkpoint needs a file name, not '-'\n");
        return CLI_ERROR;
    }
    if (c->path && cli_check_outputs(ctx, c->path, NULL))
        return CLI_ERROR;
    cli_set_checkpoint_path(c->path);
    if (!c->resume)
        return CLI_OK;
    if (vgae_model_file_read(ctx, c->resume, resume))
        return cli_lib_error(ctx);
    const char *made_by = vgae_model_file_meta(*resume, "user_command");
    if (!made_by || strcmp(made_by, command) != 0) {
        if (!vgae_model_file_meta(*resume, "checkpoint_version"))
            fprintf(stderr, "vgae: %s: not a checkpoint: a model file without a training state "
                            "(checkpoints come from --checkpoint)\n", c->resume);
        else
            fprintf(stderr, "vgae: %s: a checkpoint of %s%s%s, not of 'vgae %s'\n", c->resume,
                    made_by ? "'vgae " : "a program using libvgae", made_by ? made_by : "",
                    made_by ? "'" : "", command);
        vgae_model_file_free(*resume);
        *resume = NULL;
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* ---- the command's lines ---- */

void cli_text_add(cli_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const int n = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->s && t->n + (size_t)n < t->cap) {
            t->n += (size_t)n;
            return;
        }
        const size_t cap = 2 * (t->cap + (size_t)n) + 256;
        char *grown = realloc(t->s, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
}

char *cli_text_take(cli_text *t)
{
    if (t->failed) {
        free(t->s);
        *t = (cli_text){0};
        return NULL;
    }
    char *s = t->s ? t->s : calloc(1, 1);
    *t = (cli_text){0};
    return s;
}

void cli_text_doubles(cli_text *t, const char *key, const double *x, int n)
{
    cli_text_add(t, "user_%s %d", key, n);
    for (int k = 0; k < n; k++)
        cli_text_add(t, " %a", x[k]); /* hexadecimal: the exact bits */
    cli_text_add(t, "\n");
}

int cli_meta_doubles(const vgae_model_file *f, const char *key, double *x, int max)
{
    char name[64];
    snprintf(name, sizeof name, "user_%s", key);
    const char *p = vgae_model_file_meta(f, name);
    if (!p)
        return -1;
    char *end;
    const long n = strtol(p, &end, 10);
    if (end == p || n < 0 || n > max)
        return -1;
    for (long k = 0; k < n; k++) {
        p = end;
        x[k] = strtod(p, &end);
        if (end == p)
            return -1;
    }
    return *end ? -1 : (int)n;
}

/* History rows: 6 numbers each. */
void cli_text_history(cli_text *t, const cli_history *h)
{
    cli_text_add(t, "user_history %d", h ? h->n : 0);
    for (int k = 0; h && k < h->n; k++) {
        const cli_history_row *r = &h->rows[k];
        cli_text_add(t, " %d %d %a %a %a %a", r->run, r->epoch, r->loss, r->kl, r->val_auc, r->val_ap);
    }
    cli_text_add(t, "\n");
}

int cli_meta_history(const vgae_model_file *f, cli_history *h)
{
    const char *p = vgae_model_file_meta(f, "user_history");
    if (!p)
        return -1;
    char *end;
    const long n = strtol(p, &end, 10);
    if (end == p || n < 0 || n > 100000000)
        return -1;
    for (long k = 0; k < n; k++) {
        double v[6];
        for (int i = 0; i < 6; i++) {
            p = end;
            v[i] = strtod(p, &end);
            if (end == p)
                return -1;
        }
        if (cli_history_add(h, (int)v[0], (int)v[1], v[2], v[3], v[4], v[5]))
            return -2;
    }
    return *end ? -1 : 0;
}

/* ---- the graph commands' state ---- */

#define RESULT_VALUES (2 * (3 + 2 * VGAE_MAX_HITS) + 4)

static int result_values(const vgae_linkpred_result *r, double *x)
{
    int n = 0;
    const vgae_set_figures *sets[2] = {&r->figures.val, &r->figures.test};
    for (int s = 0; s < 2; s++) {
        x[n++] = sets[s]->auc;
        x[n++] = sets[s]->ap;
        x[n++] = sets[s]->mrr;
        for (int k = 0; k < VGAE_MAX_HITS; k++) {
            x[n++] = sets[s]->hits[k];
            x[n++] = sets[s]->hard_hits[k];
        }
    }
    x[n++] = r->train_seconds;
    x[n++] = r->final_loss;
    x[n++] = r->epochs;
    x[n++] = r->best_epoch;
    return n;
}

char *cli_graph_state_meta(void *user)
{
    const cli_graph_state *g = user;
    if (g->history && g->history->lost)
        return NULL; /* a row of the curve could not be kept: out of memory */
    cli_text t = {0};
    cli_text_add(&t, "user_command %s\nuser_runs %d\nuser_run %d\n", g->command, g->runs, g->run);
    for (int k = 0; k < g->run; k++) {
        double x[RESULT_VALUES];
        char key[32];
        snprintf(key, sizeof key, "result_%d", k);
        cli_text_doubles(&t, key, x, result_values(&g->results[k], x));
    }
    cli_text_history(&t, g->history);
    return cli_text_take(&t);
}

int cli_graph_state_read(const vgae_model_file *f, int runs, int *run, vgae_linkpred_result *results,
                         cli_history *h)
{
    const char *path = vgae_model_file_path(f);
    const char *r = vgae_model_file_meta(f, "user_runs"), *k = vgae_model_file_meta(f, "user_run");
    if (!r || !k || atoi(r) != runs || atoi(k) < 0 || atoi(k) >= runs) {
        fprintf(stderr, "vgae: %s: a checkpoint of %s run%s, not of --runs %d\n", path, r ? r : "?",
                r && atoi(r) == 1 ? "" : "s", runs);
        return CLI_ERROR;
    }
    *run = atoi(k);
    for (int j = 0; j < *run; j++) {
        double x[RESULT_VALUES];
        char key[32];
        snprintf(key, sizeof key, "result_%d", j);
        if (cli_meta_doubles(f, key, x, RESULT_VALUES) != RESULT_VALUES) {
            fprintf(stderr, "vgae: %s: corrupted checkpoint: bad user_%s\n", path, key);
            return CLI_ERROR;
        }
        vgae_linkpred_result *res = &results[j]; /* its figures' K: the caller's */
        vgae_set_figures *sets[2] = {&res->figures.val, &res->figures.test};
        int n = 0;
        for (int s = 0; s < 2; s++) {
            vgae_set_figures *w = sets[s];
            w->auc = x[n++];
            w->ap = x[n++];
            w->mrr = x[n++];
            for (int i = 0; i < VGAE_MAX_HITS; i++) {
                w->hits[i] = x[n++];
                w->hard_hits[i] = x[n++];
            }
        }
        res->train_seconds = x[n++];
        res->final_loss = x[n++];
        res->epochs = (int)x[n++];
        res->best_epoch = (int)x[n++];
    }
    const int bad = h ? cli_meta_history(f, h) : 0;
    if (bad == -2)
        fprintf(stderr, "vgae: out of memory\n");
    else if (bad)
        fprintf(stderr, "vgae: %s: corrupted checkpoint: bad user_history\n", path);
    if (bad)
        return CLI_ERROR;
    return CLI_OK;
}
