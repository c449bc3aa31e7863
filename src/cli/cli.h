/* Shared pieces of the command-line tool: option parsing, dataset options, logging, exit codes. */
#ifndef VGAE_CLI_H
#define VGAE_CLI_H

#include <stdio.h>
#include "vgae/vgae.h"

enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

#if defined(__GNUC__)
#define VGAE_CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VGAE_CLI_PRINTF(a, b)
#endif

/* Where the graph comes from: the options every data-reading command takes. */
typedef struct cli_data_opts {
    const char *dataset;
    const char *graph;
    const char *features;
    const char *labels;
    const char *format;
} cli_data_opts;

/* Help lines for the data options, for the commands' --help. */
extern const char cli_data_help[];

/* If argv[*i] is option `name`, stores its value (from "--name VALUE" or
 * "--name=VALUE"), advances *i past it and returns 1; returns 0 if argv[*i]
 * is another option; returns -1 (after printing a usage error) if the value
 * is missing. */
int cli_take_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **value);
/* 1 if argv[*i] is the flag `name` (and advances), else 0. */
int cli_take_flag(char **argv, int *i, const char *name);
/* Consumes one data option at argv[*i]: 1 taken, 0 not a data option, -1 error. */
int cli_take_data_opt(const char *cmd, int argc, char **argv, int *i, cli_data_opts *o);
/* Parses a positive integer option value; prints a usage error and returns -1 if bad. */
int cli_parse_int(const char *cmd, const char *name, const char *value, long min, long max, long *out);
/* The same for a real number in [min, max]. */
int cli_parse_double(const char *cmd, const char *name, const char *value, double min, double max,
                     double *out);

/* Prints "vgae CMD: message" for bad usage and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Prints "vgae: <context message>" and returns CLI_ERROR. */
int cli_lib_error(vgae_ctx *ctx);

/* Loads what the data options name; prints the error itself and returns the exit code. */
int cli_load_dataset(const char *cmd, vgae_ctx *ctx, const cli_data_opts *o, vgae_dataset **out);

/* Holds a note for stderr ("vgae: note: ..."), printed by cli_notes_flush. */
void cli_note(const char *fmt, ...) VGAE_CLI_PRINTF(1, 2);
/* Prints (print != 0) or drops the notes and warnings held back so far. */
void cli_notes_flush(int print);

/* A context whose log goes to stderr: info lines at once with --verbose;
 * notes and warnings are held until cli_notes_flush. */
vgae_ctx *cli_ctx_new(int quiet);

/* Re-executes the program once with OPENBLAS_CORETYPE set when OpenBLAS has
 * picked kernels slower than the CPU can run (AVX2 or AVX-512 ones). */
void cli_ensure_blas_kernels(char **argv);
/* The OpenBLAS kernel family in use ("SkylakeX", "Haswell", ...). */
const char *cli_blas_corename(void);
/* The kernels and threads a run uses, as lines for a person or one JSON
 * object: OpenBLAS's kernels (and who chose them), its build, the
 * instruction set of vgae's own kernels, the thread count. */
void cli_system_report(FILE *out, int json, long threads);
/* Set by -v/--verbose (any command, taken out of argv by main): the kernels
 * and threads are reported, and the library's info lines are shown. */
extern int cli_verbose;
/* The default thread count: processors online less those busy with other
 * work when first asked (at least 1); the same answer afterwards. */
long cli_default_threads(void);

/* Model, training, split and run options, shared by linkpred and train. */
typedef struct cli_train_opts {
    vgae_model_options model;
    double val_frac, test_frac;
    long seed, runs, every, threads;
} cli_train_opts;
/* The reference's model defaults; val 0.05, test 0.1, seed 42, 1 run,
 * progress every 10 epochs, the processors not busy with other work. */
cli_train_opts cli_train_defaults(void);
/* Consumes one of --model --loss --hidden --latent --epochs --lr --beta
 * --val-frac --test-frac --seed --runs --threads --every: 1 taken, 0 not
 * one of them, -1 usage error (printed). */
int cli_take_train_opt(const char *cmd, int argc, char **argv, int *i, cli_train_opts *t);

/* Progress lines on stderr during training (a vgae_epoch_fn). */
typedef struct cli_progress {
    int run, runs, quiet;
    long seed;
    int epochs;
} cli_progress;
void cli_on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                  double seconds);

/* The absolute form of an existing path into out; prints an error and
 * returns -1 if it cannot be resolved or does not fit. */
int cli_absolute_path(const char *path, char *out, size_t size);
/* s as a JSON string, quotes and escapes included. */
void cli_json_string(const char *s);
/* The embedding format: --format's name (w2v, tsv, npy, mtx), else the
 * output's extension, else w2v; npy cannot go to "-". Prints a usage error
 * and returns -1 when it is not a format. */
int cli_embed_format(const char *cmd, const char *name, const char *output, vgae_embed_format *out);
/* "key":x followed by `after`, or "key":null when x is not finite. */
void cli_json_number(const char *key, double x, const char *after);

int cmd_info(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_vae(int argc, char **argv);
int cmd_linkpred(int argc, char **argv);
int cmd_generate(int argc, char **argv);

#endif
