/* Progress of the library's long steps without callbacks of their own
 * (generating a graph, writing it): a vgae_progress_fn that, on a terminal,
 * redraws one line with the elapsed time (and the time left when the step
 * knows how far it is), refreshed by a small thread while igraph works;
 * piped, one note per finished step (printed with the notes on success). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static struct {
    pthread_mutex_t mu;
    pthread_t thread;
    int thread_on, stop, active, tty, quiet_done;
    char what[64];
    int64_t done, total;
    double start, drawn;
} steps = {.mu = PTHREAD_MUTEX_INITIALIZER};

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* With the lock held. */
static void draw(int final)
{
    steps.drawn = cli_now();
    const double elapsed = steps.drawn - steps.start;
    char took[32], left[32];
    cli_duration(took, sizeof took, elapsed);
    if (steps.total > 0 && !final && steps.done > 0) {
        cli_duration(left, sizeof left, elapsed / (double)steps.done * (double)(steps.total - steps.done));
        fprintf(stderr, "\r%s: %.0f%% (%lld of %lld), %s, %s left\033[K", steps.what,
                100.0 * (double)steps.done / (double)steps.total, (long long)steps.done,
                (long long)steps.total, took, left);
    } else if (final && steps.tty && steps.quiet_done) {
        fputs("\r\033[K", stderr); /* the caller prints its own line for the step */
    } else if (final && steps.tty) {
        fprintf(stderr, "\r%s: done in %s\033[K\n", steps.what, took);
    } else if (final) {
        cli_note("%s: done in %s", steps.what, took); /* shown with the notes, on success */
    } else {
        fprintf(stderr, "\r%s ... %s\033[K", steps.what, took);
    }
    cli_progress_open(steps.tty && !final);
}

static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec pause = {0, 250000000};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&steps.mu);
        const int stop = steps.stop;
        if (!stop && steps.active)
            draw(0);
        pthread_mutex_unlock(&steps.mu);
        if (stop)
            return NULL;
    }
}

static void on_step(void *user, const char *what, int64_t done, int64_t total)
{
    (void)user;
    pthread_mutex_lock(&steps.mu);
    if (!steps.active || strcmp(steps.what, what) != 0 || done == 0) {
        snprintf(steps.what, sizeof steps.what, "%s", what);
        steps.start = cli_now();
        steps.active = 1;
    }
    steps.done = done;
    steps.total = total;
    if (done == total && total > 0) {
        draw(1);
        steps.active = 0;
    } else if (steps.tty && cli_now() - steps.drawn >= 0.1) {
        draw(0);
    }
    pthread_mutex_unlock(&steps.mu);
}

void cli_steps_begin(vgae_ctx *ctx, int quiet)
{
    if (quiet)
        return;
    steps.quiet_done = 0;
    steps.tty = cli_stderr_is_tty();
    steps.stop = 0;
    steps.active = 0;
    vgae_ctx_set_progress(ctx, on_step, NULL);
    if (steps.tty)
        steps.thread_on = pthread_create(&steps.thread, NULL, ticker, NULL) == 0;
}

void cli_steps_live(vgae_ctx *ctx, int quiet)
{
    if (quiet || !cli_stderr_is_tty())
        return;
    cli_steps_begin(ctx, 0);
    steps.quiet_done = 1;
}

void cli_steps_end(vgae_ctx *ctx)
{
    if (steps.thread_on) {
        pthread_mutex_lock(&steps.mu);
        steps.stop = 1;
        pthread_mutex_unlock(&steps.mu);
        pthread_join(steps.thread, NULL);
        steps.thread_on = 0;
    }
    vgae_ctx_set_progress(ctx, NULL, NULL);
    cli_progress_done();
}
