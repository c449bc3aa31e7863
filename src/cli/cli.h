/* What the subcommands of the command-line tool share: exit codes, errors and notes, data options, the system report. */
#ifndef VGAE_CLI_H
#define VGAE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "cli/args.h"
#include "vgae/vgae.h"

enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

#if defined(__GNUC__)
#define VGAE_CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VGAE_CLI_PRINTF(a, b)
#endif

/* ---- errors, notes and output (output.c) ---- */

/* Prints "vgae CMD: message (see 'vgae CMD --help')" and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) VGAE_CLI_PRINTF(2, 3);
/* Looks value up with a library name function (lookup writes *dest) on a
 * fresh context; a name it does not know is a usage error with the
 * library's message (which lists the names). Returns 0 or -1 (a CLI_CUSTOM
 * parser's result). */
int cli_lookup_name(const char *cmd, const char *value,
                    vgae_status (*lookup)(vgae_ctx *ctx, const char *name, void *dest), void *dest);
/* Prints "vgae: <context message>" and returns CLI_ERROR. */
int cli_lib_error(vgae_ctx *ctx);
/* Whether stderr is a terminal (progress redraws in place there). */
int cli_stderr_is_tty(void);
/* Marks a progress line as open (1: the cursor is at its end) or ended;
 * cli_progress_done ends an open one with a newline (errors and notes call it). */
void cli_progress_open(int open);
void cli_progress_done(void);
/* The library's long steps (generating, writing a graph) shown as they go
 * (steps.c): from begin to end, ctx reports them on stderr, unless quiet. */
void cli_steps_begin(vgae_ctx *ctx, int quiet);
/* The same on a terminal only, and a finished step's line is cleared, not
 * kept: for a loop that prints its own line per step (vae train's epochs). */
void cli_steps_live(vgae_ctx *ctx, int quiet);
void cli_steps_end(vgae_ctx *ctx);
/* Seconds on a monotonic clock. */
double cli_now(void);
/* Holds a note for stderr ("vgae: note: ..."), printed by cli_notes_flush. */
void cli_note(const char *fmt, ...) VGAE_CLI_PRINTF(1, 2);
/* Prints (print != 0) or drops the notes and warnings held back so far. */
void cli_notes_flush(int print);
/* A context with the given thread count whose log goes to stderr: info
 * lines at once with --verbose; notes and warnings are held until
 * cli_notes_flush. quiet: no log at all. */
vgae_ctx *cli_ctx_new(int quiet, int threads);
/* SIGINT and SIGTERM: the first stops the work at the end of its step
 * (the commands then fail with "interrupted ..."; nothing is written), a
 * second ends the process at once; SIGPIPE is ignored (a write error). */
void cli_signals_install(void);
/* The exit status of a command that returned rc: 1 if standard output
 * could not be written (a message says so), 128 + the signal after one. */
int cli_finish(int rc);
/* Before long work: whether the output paths (either may be NULL) can be
 * written; CLI_OK, or a printed error and CLI_ERROR. */
int cli_check_outputs(vgae_ctx *ctx, const char *first, const char *second);
/* s as a JSON string, quotes and escapes included. */
void cli_json_string(const char *s);
/* "key":x followed by `after`, or "key":null when x is not finite. */
void cli_json_number(const char *key, double x, const char *after);
/* The embedding format: --format's name (w2v, tsv, npy, mtx), else the
 * output's extension, else w2v; npy cannot go to "-". Prints a usage error
 * and returns -1 when it is not a format. */
int cli_embed_format(const char *cmd, const char *name, const char *output, vgae_embed_format *out);
/* Writes codes (rows named by names) to codes_path in format and a scores
 * table (write_scores puts it on the stream) to scores_path: both files or
 * neither. CLI_OK, or a printed error and CLI_ERROR. */
int cli_write_codes_scores(vgae_ctx *ctx, const char *codes_path, vgae_embed_format format, const vgae_mat *codes,
                           char **names, const char *scores_path, void (*write_scores)(FILE *out, void *user),
                           void *user);

/* ---- where the data comes from (data.c) ---- */

typedef struct cli_data_opts {
    const char *dataset, *graph, *features, *labels;
    int format; /* a vgae_graph_format */
    int64_t max_nodes; /* --max-nodes: vgae_ctx_set_max_nodes's base (0: the default) */
    int64_t max_inflated; /* --max-inflated: vgae_ctx_set_max_inflated (0: the default) */
} cli_data_opts;
/* The data options' table (over cli_data_opts). */
extern const cli_opt cli_data_table[];
/* Loads what the data options name (datasets by name from $VGAE_DATA, then
 * ./datasets); prints the error itself and returns the exit code. */
int cli_load_dataset(const char *cmd, vgae_ctx *ctx, const cli_data_opts *o, vgae_dataset **out);
/* The same for a source already resolved (a model's recorded one). */
int cli_load_source(vgae_ctx *ctx, const vgae_dataset_source *src, vgae_dataset **out);

/* ---- the machine (system.c) ---- */

/* Re-executes the program once with OPENBLAS_CORETYPE set when OpenBLAS has
 * picked kernels slower than the CPU can run (AVX2 or AVX-512 ones). */
void cli_ensure_blas_kernels(char **argv);
/* The kernels and threads a run uses, as lines for a person or one JSON
 * object: OpenBLAS's kernels (and who chose them), its build, the
 * instruction set of vgae's own kernels, the thread count. */
void cli_system_report(FILE *out, int json, long threads);
/* Set by -v/--verbose (any command, taken out of argv by main): the kernels
 * and threads are reported, and the library's info lines are shown. */
extern int cli_verbose;
/* The default thread count: processors online less those busy with other
 * work when first asked (at least 1); the same answer afterwards. */
int cli_default_threads(void);

/* ---- pictures (plots.c) ---- */

/* What the progress callback saw: one row per reported epoch of each run (from 1). */
typedef struct cli_history_row {
    int run, epoch;
    double loss, kl, val_auc, val_ap;
} cli_history_row;
typedef struct cli_history {
    cli_history_row *rows;
    int n, cap;
    int lost; /* a row could not be kept (out of memory): cli_plot_training refuses to draw */
} cli_history;
int cli_history_add(cli_history *h, int run, int epoch, double loss, double kl, double val_auc, double val_ap);
void cli_history_free(cli_history *h);
/* Training loss (and the KL with with_kl) and validation AUC/AP against the
 * epoch, a line per run; PNG or SVG by the extension. Returns an exit code. */
int cli_plot_training(const char *path, const cli_history *h, const char *title, int with_kl, int threads);
/* The image VAE's curves: curve holds 5 columns of `epochs` values (epoch,
 * train loss, test loss, test reconstruction, test KL). */
int cli_plot_vae(const char *path, const double *curve, int epochs, const char *data, int threads);
/* ROC and precision-recall curves of k scorers (names[s]; pos[s] and neg[s]
 * their scores of the same positive and negative pairs); a path may be NULL. */
int cli_plot_link_curves(const char *roc_path, const char *pr_path, const char *title, int k,
                         const char *const *names, const double *const *pos, int64_t n_pos,
                         const double *const *neg, int64_t n_neg, int threads);
/* The n x d embeddings projected on their first two principal components,
 * coloured by labels (may be NULL). */
int cli_plot_embedding(const char *path, const float *z, int64_t n, int d, const vgae_labels *labels,
                       const char *title, int threads);

/* ---- checkpoints (checkpoint.c) ---- */

/* --checkpoint FILE, --checkpoint-every N, --resume FILE. */
typedef struct cli_checkpoint_opts {
    const char *path, *resume;
    int every; /* 10 */
} cli_checkpoint_opts;
extern const cli_opt cli_checkpoint_table[];
/* Before the work: --resume without --checkpoint keeps writing to the
 * resumed file; the checkpoint's path must be writable; the --resume file
 * is read into *resume (NULL without it) and must be a checkpoint of this
 * command ("linkpred", "train", "vae train"). CLI_OK, or a printed error. */
int cli_checkpoint_start(vgae_ctx *ctx, cli_checkpoint_opts *c, const char *command,
                         vgae_model_file **resume);
/* The checkpoint an interruption's message (cli_lib_error) points to, to
 * go on from: set by cli_checkpoint_start. */
void cli_set_checkpoint_path(const char *path);
/* After a signal stopped training where msg says and a checkpoint was
 * written: one line saying both and how to go on; returns CLI_ERROR. */
int cli_interrupted(const char *msg, const char *checkpoint);

/* A growing text: the command's own lines in a checkpoint ("user_KEY VALUE"). */
typedef struct cli_text {
    char *s;
    size_t n, cap;
    int failed;
} cli_text;
void cli_text_add(cli_text *t, const char *fmt, ...) VGAE_CLI_PRINTF(2, 3);
/* The text (malloc'ed; "" if empty), or NULL if memory ran out; t is emptied. */
char *cli_text_take(cli_text *t);
/* "user_KEY n x1 ... xn": doubles written to read back exactly. */
void cli_text_doubles(cli_text *t, const char *key, const double *x, int n);
/* Reads them back: how many (at most max), or -1 if the key is missing or bad. */
int cli_meta_doubles(const vgae_model_file *f, const char *key, double *x, int max);
/* The training history's rows as "user_history", and back (0; -1 for
 * lines that do not parse, -2 out of memory). */
void cli_text_history(cli_text *t, const cli_history *h);
int cli_meta_history(const vgae_model_file *f, cli_history *h);

/* A graph command's own state in its checkpoints: the run under way (from
 * 0) of runs, the results of the runs before it, the history for --plot. */
typedef struct cli_graph_state {
    const char *command;
    int run, runs;
    const vgae_linkpred_result *results;
    const cli_history *history;
} cli_graph_state;
/* Its lines (a vgae_checkpoint_options user_meta callback; user: a cli_graph_state). */
char *cli_graph_state_meta(void *user);
/* Back from a checkpoint of a command of `runs` runs: the run it stopped
 * in, the results before it, the history (h may be NULL). Prints an error
 * and returns CLI_ERROR if the lines are missing or do not fit. */
int cli_graph_state_read(const vgae_model_file *f, int runs, int *run, vgae_linkpred_result *results,
                         cli_history *h);

/* ---- training the graph models (cmd_linkpred.c) ---- */

/* Model, training, split and run options, shared by linkpred and train. */
typedef struct cli_train_opts {
    vgae_graph_ae_options model;
    /* the model's choices as parsed (ints: the table writes ints) */
    int kind, loss, propagation, norm, decoder, select, recipe, condition;
    int hops_given; /* values --hops gave (0: none) */
    vgae_linkpred_protocol protocol;
    int64_t seed;
    int runs, every, threads, no_features;
    const char *plot; /* --plot FILE: the training curves, or NULL */
    cli_checkpoint_opts checkpoint;
} cli_train_opts;
/* The reference's model defaults; the protocol's defaults (val 0.05, test
 * 0.1, 500 hard negatives), seed 42, 1 run, progress every 10 epochs, the
 * processors not busy with other work. */
cli_train_opts cli_train_defaults(void);
/* Applies the recipe argv names with --recipe (if any) to t, for a model
 * with features (features 1) or without (0): call it on the defaults
 * before cli_parse, so that the options given override it. Returns 1 if a
 * recipe was applied; an unknown name is left to cli_parse to refuse. */
int cli_apply_recipe(int argc, char **argv, cli_train_opts *t, int features);
/* The tables of the model and training options, and of the split and run
 * options (over cli_train_opts). */
extern const cli_opt cli_model_table[];
/* KL annealing and capacity (over a vgae_kl_schedule): the image and graph models'. */
extern const cli_opt cli_kl_table[];
extern const cli_opt cli_split_table[];
/* --hits K,K,...: a CLI_CUSTOM parser into a vgae_hits_ks. */
int cli_parse_hits(const char *cmd, const char *opt, const char *value, void *dest);
/* Prints a usage error and returns -1 for fractions adding up to 1 or
 * more, or one hard negative; else 0. */
int cli_check_protocol(const char *cmd, const vgae_linkpred_protocol *p);
/* The model options the command line gave into *out: t->model with its
 * choices and features set from the parsed values. Prints a usage error
 * and returns -1 for options that do not go together. */
int cli_train_model(const char *cmd, const cli_train_opts *t, vgae_graph_ae_options *out);
/* Progress on stderr during training (a vgae_epoch_fn; user is a
 * cli_progress): on a terminal one line redrawn in place with the time
 * left, else a plain line per report. Every reported epoch also goes into
 * history when it is not NULL (for --plot). */
typedef struct cli_progress {
    int run, runs, quiet;
    int64_t seed;
    int epochs;
    cli_history *history;
} cli_progress;
/* "1 h 02 min", "3 min 07 s", "12 s": a duration for a person. */
void cli_duration(char *buf, size_t cap, double seconds);
void cli_on_epoch(void *user, int epoch, const vgae_elbo_terms *t, double val_auc, double val_ap,
                  double seconds);

/* ---- link-prediction figures (report.c) ---- */

/* One figure by name: "test_auc", "val_hits@20", "test_mrr", "test_hard_hits@10". */
#define CLI_MAX_METRICS (2 * (3 + 2 * VGAE_MAX_HITS))
typedef struct cli_metric {
    char name[32];
    double value;
} cli_metric;
/* The figures of f by name, test first, then (unless test_only)
 * validation: AUC, AP, Hits@K, and MRR and the hard Hits@K when measured.
 * Returns how many (at most CLI_MAX_METRICS). */
int cli_link_metrics(const vgae_link_figures *f, int test_only, cli_metric *out);
/* f's figures as JSON members "name":value, then `after`. */
void cli_json_metrics(const vgae_link_figures *f, const char *after);
/* "mean":{...},"std":{...} of every figure over n runs (population std), then `after`. */
void cli_json_summary(const vgae_link_figures *runs, int n, const char *after);
/* A row per run: test AUC, AP, Hits@K, MRR; validation AUC (all in %);
 * epochs and training seconds (fits: NULL for none). */
void cli_table_runs(const vgae_link_figures *runs, const vgae_linkpred_result *fits, int n,
                    int64_t seed);
/* A row per method (first: the heading of their column): its test
 * figures' mean +- std over n runs (runs[k][0..n)), in %. */
void cli_table_summary(const char *first, const char *const *names,
                       const vgae_link_figures *const *runs, int methods, int n);

int cmd_info(int argc, char **argv);
int cmd_datasets(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_vae(int argc, char **argv);
int cmd_seq(int argc, char **argv);
int cmd_linkpred(int argc, char **argv);
/* linkpred --partitions DIR (cmd_dist.c): trains across the processes mpirun
 * started (or this one alone) on the partition in dir; embed (or NULL):
 * every node's mean into that file; far: how the sampled loss finds its
 * non-edges' far ends. Returns the exit code; one process prints an error. */
int cli_linkpred_partitions(const char *cmd, const char *dir, const char *embed, vgae_far_rows far,
                            const vgae_graph_ae_options *o, const cli_train_opts *t, int quiet, int json);
int cmd_generate(int argc, char **argv);
int cmd_partition(int argc, char **argv);
int cmd_baseline(int argc, char **argv);

#endif
