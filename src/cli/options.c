/* Option parsing helpers, dataset options and error printing shared by the subcommands. */
/* realpath() is an XSI function in glibc's headers */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

const char cli_data_help[] =
    "Data (one of --dataset or --graph):\n"
    "  --dataset NAME     a dataset folder NAME/ found under the folders in $VGAE_DATA\n"
    "                     (colon-separated), then under ./datasets\n"
    "  --graph PATH       a graph file, or a dataset folder holding adjacency.mtx and\n"
    "                     optionally features.mtx and labels.txt\n"
    "  --features PATH    node features, MatrixMarket (coordinate or array), rows = nodes\n"
    "  --labels PATH      node labels, one integer per line, -1 = unknown\n"
    "  --format FMT       graph format: auto (from the extension; default), mtx, edgelist,\n"
    "                     ncol, lgl, graphml, gml, pajek. Any file may be gzip-compressed.\n";

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "vgae%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'vgae%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
    return CLI_USAGE;
}

int cli_lib_error(vgae_ctx *ctx)
{
    const char *msg = vgae_ctx_message(ctx);
    fprintf(stderr, "vgae: %s\n", *msg ? msg : vgae_status_name(vgae_ctx_status(ctx)));
    return CLI_ERROR;
}

int cli_take_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        *i += 1;
        if (!**value) {
            cli_usage_error(cmd, "option %s needs a value", name);
            return -1;
        }
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", name);
        return -1;
    }
    *value = argv[*i + 1];
    *i += 2;
    if (!**value) {
        cli_usage_error(cmd, "option %s needs a value", name);
        return -1;
    }
    return 1;
}

int cli_take_flag(char **argv, int *i, const char *name)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    *i += 1;
    return 1;
}

int cli_take_data_opt(const char *cmd, int argc, char **argv, int *i, cli_data_opts *o)
{
    static const char *const names[] = {"--dataset", "--graph", "--features", "--labels", "--format"};
    const char **slots[] = {&o->dataset, &o->graph, &o->features, &o->labels, &o->format};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        int r = cli_take_value(cmd, argc, argv, i, names[k], slots[k]);
        if (r)
            return r;
    }
    return 0;
}

int cli_parse_int(const char *cmd, const char *name, const char *value, long min, long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(value, &end, 10);
    if (end == value || *end || errno == ERANGE || v < min || v > max) {
        cli_usage_error(cmd, "%s expects an integer in %ld..%ld, not '%s'", name, min, max, value);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *cmd, const char *name, const char *value, double min, double max,
                     double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(value, &end);
    if (end == value || *end || errno == ERANGE || !(v >= min && v <= max)) {
        cli_usage_error(cmd, "%s expects a number in [%g, %g], not '%s'", name, min, max, value);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_load_dataset(const char *cmd, vgae_ctx *ctx, const cli_data_opts *o, vgae_dataset **out)
{
    vgae_dataset_source src = {0};
    char *dir = NULL;
    int rc = CLI_OK;
    *out = NULL;
    if (!o->dataset == !o->graph)
        return cli_usage_error(cmd, o->dataset ? "give --dataset or --graph, not both"
                                               : "no graph: give --dataset NAME or --graph PATH");
    if (o->dataset && strchr(o->dataset, '/'))
        return cli_usage_error(cmd, "--dataset takes a name, not a path ('%s'); use --graph for a path", o->dataset);
    if (o->format && vgae_graph_format_from_name(ctx, o->format, &src.format))
        return cli_usage_error(cmd, "%s", vgae_ctx_message(ctx));
    if (o->dataset && vgae_dataset_find(ctx, o->dataset, getenv("VGAE_DATA"), &dir))
        return cli_lib_error(ctx);
    src.graph_path = dir ? dir : o->graph;
    src.features_path = o->features;
    src.labels_path = o->labels;
    if (vgae_dataset_load(ctx, &src, out))
        rc = cli_lib_error(ctx);
    free(dir);
    return rc;
}

/* Notes and warnings wait here until the command has succeeded, so that a
 * failing command prints one line only (its error). Progress prints at once. */
static char *held;
static size_t held_len, held_cap;

static void log_to_stderr(void *user, vgae_log_level level, const char *message)
{
    char line[1200];
    int n;
    (void)user;
    n = snprintf(line, sizeof line, "vgae: %s%s\n",
                 level >= VGAE_LOG_WARN ? "warning: " : level == VGAE_LOG_NOTE ? "note: " : "", message);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (level < VGAE_LOG_NOTE) {
        fputs(line, stderr);
        return;
    }
    if (held_len + (size_t)n + 1 > held_cap) {
        size_t cap = (held_cap ? held_cap * 2 : 4096) + (size_t)n;
        char *p = realloc(held, cap);
        if (!p) {
            fputs(line, stderr); /* no memory to hold it: say it now */
            return;
        }
        held = p;
        held_cap = cap;
    }
    memcpy(held + held_len, line, (size_t)n + 1);
    held_len += (size_t)n;
}

void cli_note(const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    log_to_stderr(NULL, VGAE_LOG_NOTE, message);
}

void cli_notes_flush(int print)
{
    if (print && held_len)
        fputs(held, stderr);
    free(held);
    held = NULL;
    held_len = held_cap = 0;
}

vgae_ctx *cli_ctx_new(int quiet)
{
    vgae_ctx *ctx = vgae_ctx_new();
    if (!ctx) {
        fprintf(stderr, "vgae: out of memory\n");
        return NULL;
    }
    if (!quiet)
        vgae_ctx_set_log(ctx, log_to_stderr, NULL, cli_verbose ? VGAE_LOG_INFO : VGAE_LOG_NOTE);
    return ctx;
}

/* Tasks running or ready to run right now, from /proc/stat; -1 if unknown. */
static long runnable_now(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    long n = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "procs_running %ld", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

/* This process's threads that are running or ready to run (OpenBLAS's own
 * threads spin for a while after the library loads). */
static long own_runnable(void)
{
    DIR *d = opendir("/proc/self/task");
    long n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[64], buf[256];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%.20s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[len] = 0;
        const char *state = strrchr(buf, ')'); /* "pid (name) S ..." */
        if (state && state[1] == ' ' && state[2] == 'R')
            n++;
    }
    if (d)
        closedir(d);
    return n > 0 ? n : 1;
}

/* Processors busy with other processes' work right now (0 if unknown). */
static long busy_processors(void)
{
    /* the fewest of a few looks 1 ms apart, so that a short-lived task
     * (a shell, a compiler starting) is not taken for steady work */
    long busy = -1;
    for (int k = 0; k < 5; k++) {
        long all = runnable_now();
        if (all < 0)
            return 0;
        long others = all - own_runnable();
        if (busy < 0 || others < busy)
            busy = others;
        if (busy <= 0)
            break;
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    return busy > 0 ? busy : 0;
}

long cli_default_threads(void)
{
    /* One thread per processor not busy with other work: a thread that
     * shares its core waits at every join, which costs more than its work
     * gives (2 threads on 2 cores with one busy ran 5x slower than 1).
     * Results do not depend on the count. */
    static long threads = 0;
    if (threads > 0)
        return threads;
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    if (procs < 1)
        procs = 1;
    long free_procs = procs - busy_processors();
    threads = free_procs > 0 ? free_procs : 1;
    return threads;
}

cli_train_opts cli_train_defaults(void)
{
    cli_train_opts t = {vgae_model_defaults(), 0.05, 0.1, 42, 1, 10, 1};
    t.threads = cli_default_threads();
    return t;
}

int cli_take_train_opt(const char *cmd, int argc, char **argv, int *i, cli_train_opts *t)
{
    const char *value;
    long v = 0;
    int r;
    if ((r = cli_take_value(cmd, argc, argv, i, "--model", &value)) != 0) {
        if (r < 0)
            return -1;
        if (strcmp(value, "vgae") == 0)
            t->model.kind = VGAE_MODEL_VGAE;
        else if (strcmp(value, "gae") == 0)
            t->model.kind = VGAE_MODEL_GAE;
        else
            return cli_usage_error(cmd, "--model is vgae or gae, not '%s'", value), -1;
        return 1;
    }
    if ((r = cli_take_value(cmd, argc, argv, i, "--loss", &value)) != 0) {
        if (r < 0)
            return -1;
        if (strcmp(value, "full") == 0)
            t->model.loss = VGAE_LOSS_FULL;
        else if (strcmp(value, "sampled") == 0)
            t->model.loss = VGAE_LOSS_SAMPLED;
        else
            return cli_usage_error(cmd, "--loss is full or sampled, not '%s'", value), -1;
        return 1;
    }
    /* the numeric options: name, kind (0 int, 1 real), range */
    static const struct { const char *name; int real; double min, max; } num[] = {
        {"--hidden", 0, 1, 65536}, {"--latent", 0, 1, 65536}, {"--epochs", 0, 0, 1000000},
        {"--lr", 1, 1e-12, 1e6},   {"--beta", 1, 0, 1e12},    {"--val-frac", 1, 0, 0.999},
        {"--test-frac", 1, 0, 0.999}, {"--seed", 0, 0, 2147483647}, {"--runs", 0, 1, 1000},
        {"--threads", 0, 1, 1024}, {"--every", 0, 1, 1000000},
    };
    size_t k;
    for (k = 0; k < sizeof num / sizeof num[0]; k++)
        if ((r = cli_take_value(cmd, argc, argv, i, num[k].name, &value)) != 0)
            break;
    if (k == sizeof num / sizeof num[0])
        return 0;
    if (r < 0)
        return -1;
    double d = 0;
    if (num[k].real ? cli_parse_double(cmd, num[k].name, value, num[k].min, num[k].max, &d)
                    : cli_parse_int(cmd, num[k].name, value, (long)num[k].min, (long)num[k].max, &v))
        return -1;
    switch (k) {
    case 0: t->model.hidden = (int)v; break;
    case 1: t->model.latent = (int)v; break;
    case 2: t->model.epochs = (int)v; break;
    case 3: t->model.lr = d; break;
    case 4: t->model.beta = d; break;
    case 5: t->val_frac = d; break;
    case 6: t->test_frac = d; break;
    case 7: t->seed = v; break;
    case 8: t->runs = v; break;
    case 9: t->threads = v; break;
    default: t->every = v; break;
    }
    return 1;
}

void cli_on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                     double seconds)
{
    const cli_progress *p = user;
    if (p->quiet)
        return;
    char run[48] = "";
    if (p->runs > 1)
        snprintf(run, sizeof run, "run %d/%d  ", p->run, p->runs);
    if (isnan(val_auc))
        fprintf(stderr, "%sseed %ld  epoch %4d/%d  loss %.5f  %6.1f s\n", run, p->seed, epoch,
                p->epochs, t->loss, seconds);
    else
        fprintf(stderr, "%sseed %ld  epoch %4d/%d  loss %.5f  val AUC %.4f  AP %.4f  %6.1f s\n",
                run, p->seed, epoch, p->epochs, t->loss, val_auc, val_ap, seconds);
}


int cli_absolute_path(const char *path, char *out, size_t size)
{
    char *abs = realpath(path, NULL);
    if (!abs) {
        fprintf(stderr, "vgae: %s: cannot resolve the path: %s\n", path, strerror(errno));
        return -1;
    }
    int fits = strlen(abs) < size;
    if (fits)
        memcpy(out, abs, strlen(abs) + 1);
    else
        fprintf(stderr, "vgae: %s: the path is too long to record in a model (%zu bytes at most)\n",
                path, size - 1);
    free(abs);
    return fits ? 0 : -1;
}

void cli_json_number(const char *key, double x, const char *after)
{
    if (isfinite(x))
        printf("\"%s\":%.17g%s", key, x, after);
    else
        printf("\"%s\":null%s", key, after);
}

void cli_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int cli_embed_format(const char *cmd, const char *name, const char *output, vgae_embed_format *out)
{
    *out = VGAE_EMBED_W2V;
    if (name) {
        int k = VGAE_EMBED_W2V;
        while (k <= VGAE_EMBED_MTX && strcmp(name, vgae_embed_format_name((vgae_embed_format)k)) != 0)
            k++;
        if (k > VGAE_EMBED_MTX)
            return cli_usage_error(cmd, "--format is w2v, tsv, npy or mtx, not '%s'", name), -1;
        *out = (vgae_embed_format)k;
    } else if (vgae_embed_format_guess(output) >= 0) {
        *out = (vgae_embed_format)vgae_embed_format_guess(output);
    }
    if (*out == VGAE_EMBED_NPY && strcmp(output, "-") == 0)
        return cli_usage_error(cmd, "npy is binary: -o needs a file name, not '-'"), -1;
    return 0;
}
