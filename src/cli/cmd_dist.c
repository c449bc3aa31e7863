/* `vgae linkpred --partitions DIR`: link prediction trained across the processes mpirun starts, each on its part. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"

/* What each process reports at the end, gathered on process 0. */
typedef struct proc_report {
    vgae_dist_stats stats;
    double peak_mb;
} proc_report;

static double peak_mb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : NAN;
}

static const char *far_rows_name(vgae_far_rows f)
{
    return f == VGAE_FAR_GATHER ? "gather" : "fetch";
}

static void print_human(const char *dir, const vgae_part *part, const vgae_graph_ae_options *o, int procs,
                        vgae_far_rows far, const vgae_linkpred_result *res, const proc_report *reports)
{
    const char *mpi = NULL;
    vgae_comm_has_mpi(&mpi);
    printf("%s across %d process%s (%s), partition %s: %d nodes, %lld edges, %s, %d parts of %d blocks "
           "(edge cut %.1f%%); %s; %s loss%s%s, %d epochs; figures in %%\n\n",
           o->kind == VGAE_MODEL_GAE ? "GAE" : "VGAE", procs, procs == 1 ? "" : "es", mpi ? mpi : "without MPI", dir,
           part->n, (long long)part->n_edges, vgae_partition_method_name(part->method), part->parts, part->blocks,
           part->n_edges ? 100.0 * (double)part->edge_cut / (double)part->n_edges : 0.0,
           part->feature_cols ? "with features" : "featureless", vgae_loss_name(o->loss),
           o->loss == VGAE_LOSS_SAMPLED && procs > 1 ? ", far ends' codes by " : "",
           o->loss == VGAE_LOSS_SAMPLED && procs > 1 ? far_rows_name(far) : "", res->epochs);
    cli_metric m[CLI_MAX_METRICS];
    const int k = cli_link_metrics(&res->figures, 0, m);
    for (int i = 0; i < k; i++)
        printf("  %-16s %7.2f\n", m[i].name, 100 * m[i].value);
    printf("\ntraining %.2f s (%.1f ms an epoch)%s\n\n", res->train_seconds,
           res->epochs ? 1000 * res->train_seconds / res->epochs : 0.0,
           res->best_epoch ? "; the weights of the best validation epoch kept" : "");
    printf("%8s %10s %10s %14s %14s %14s %10s   %s\n", "process", "rows", "halo rows", "sent/epoch",
           "halo/epoch", "far non-edges", "peak MB", "last epoch, ms: all / draw / decoder / exchanges");
    for (int r = 0; r < procs; r++) {
        const vgae_dist_stats *s = &reports[r].stats;
        printf("%8d %10lld %10lld %11.3f MB %11.3f MB %14lld %10.1f   %.1f / %.1f / %.1f / %.1f\n", r,
               (long long)s->rows, (long long)s->halo_rows, (double)s->epoch_bytes / 1e6,
               (double)s->epoch_halo_bytes / 1e6, (long long)s->remote_pairs, reports[r].peak_mb,
               1000 * s->epoch_seconds, 1000 * s->draw_seconds, 1000 * s->decoder_seconds, 1000 * s->comm_seconds);
    }
}

int cli_linkpred_partitions(const char *cmd, const char *dir, const char *embed, vgae_far_rows far,
                            const vgae_graph_ae_options *o, const cli_train_opts *t, int quiet, int json)
{
    vgae_ctx *ctx = cli_ctx_new(1, t->threads); /* quiet until this process knows it is process 0 */
    vgae_comm *comm = NULL;
    vgae_part *part = NULL;
    vgae_dist_gae *model = NULL;
    unsigned char *all = NULL;
    vgae_embed_format format = VGAE_EMBED_W2V;
    if (!ctx)
        return CLI_ERROR;
    if (embed && cli_embed_format(cmd, NULL, embed, &format) < 0) {
        vgae_ctx_free(ctx);
        return CLI_USAGE;
    }
    if (vgae_comm_open(ctx, NULL, NULL, &comm)) {
        int rc = cli_lib_error(ctx);
        vgae_ctx_free(ctx);
        return rc;
    }
    const int rank = vgae_comm_rank(comm), procs = vgae_comm_size(comm);
    vgae_ctx *loud = rank == 0 && !quiet ? cli_ctx_new(0, t->threads) : NULL;
    if (loud) { /* process 0 talks to the person; the others only if they fail */
        vgae_ctx_free(ctx);
        ctx = loud;
    }
    vgae_linkpred_result res = {0};
    vgae_ctx_set_seed(ctx, (uint64_t)t->seed);
    /* the processes' reports, gathered at the end: room for their sizes
     * now (this program's own allocation: its failure is said here) */
    int64_t *counts = calloc((size_t)procs, sizeof *counts);
    const int no_room = !counts;
    vgae_status st = vgae_comm_agree(ctx, comm, no_room ? VGAE_ENOMEM : VGAE_OK, NULL);
    if (!st)
        st = vgae_part_read(ctx, dir, rank, &part);
    st = vgae_comm_agree(ctx, comm, st, NULL);
    if (!st && embed && rank == 0)
        st = vgae_outfile_check(ctx, embed); /* before training, not after */
    st = vgae_comm_agree(ctx, comm, st, NULL);
    if (!st) {
        st = vgae_dist_gae_new(ctx, comm, o, part, &model); /* the model takes the part */
        part = NULL;
    }
    if (!st && far != VGAE_FAR_AUTO)
        st = vgae_dist_gae_set_far_rows(ctx, model, far);
    const vgae_part *info = model ? vgae_dist_gae_part(model) : NULL;
    cli_progress p = {1, 1, quiet || rank != 0, t->seed, o->epochs, NULL};
    if (!st)
        st = vgae_dist_gae_fit(ctx, model, t->every, cli_on_epoch, &p, &res);
    /* each process's figures, gathered before the embeddings are written:
     * nothing may fail after a file is in place */
    proc_report mine = {model ? vgae_dist_gae_stats(model) : (vgae_dist_stats){0}, peak_mb()};
    if (!st)
        st = vgae_comm_gather(ctx, comm, &mine, (int64_t)sizeof mine, &all, counts);
    if (!st && embed)
        st = vgae_dist_gae_embed(ctx, model, embed, format);
    /* one message: from the first process that failed on its own */
    int first = -1;
    vgae_comm_agree(ctx, comm, st == VGAE_EPEER ? VGAE_OK : st, &first);
    int rc = st ? CLI_ERROR : CLI_OK;
    if (st && rank == first && no_room)
        fprintf(stderr, "vgae: out of memory\n");
    else if (st && rank == first)
        rc = cli_lib_error(ctx);
    if (!st && rank == 0) {
        cli_notes_flush(!quiet);
        if (json) {
            printf("{\"partitions\":");
            cli_json_string(dir);
            printf(",\"processes\":%d,\"far_rows\":\"%s\",\"epochs\":%d,\"train_seconds\":%.6f,\"per_process\":[",
                   procs, far_rows_name(vgae_dist_gae_far_rows(model)), res.epochs, res.train_seconds);
            const proc_report *rep = (const proc_report *)all;
            for (int r = 0; r < procs; r++)
                printf("%s{\"rows\":%lld,\"halo_rows\":%lld,\"epoch_bytes\":%lld,\"halo_bytes\":%lld,"
                       "\"remote_pairs\":%lld,\"peak_mb\":%.1f,\"epoch_seconds\":%.6f,\"draw_seconds\":%.6f,"
                       "\"decoder_seconds\":%.6f,\"comm_seconds\":%.6f}",
                       r ? "," : "", (long long)rep[r].stats.rows, (long long)rep[r].stats.halo_rows,
                       (long long)rep[r].stats.epoch_bytes, (long long)rep[r].stats.epoch_halo_bytes,
                       (long long)rep[r].stats.remote_pairs, rep[r].peak_mb, rep[r].stats.epoch_seconds,
                       rep[r].stats.draw_seconds, rep[r].stats.decoder_seconds, rep[r].stats.comm_seconds);
            printf("],");
            cli_json_metrics(&res.figures, "}\n");
        } else {
            print_human(dir, info, o, procs, vgae_dist_gae_far_rows(model), &res, (const proc_report *)all);
        }
    }
    free(all);
    free(counts);
    vgae_dist_gae_free(model);
    vgae_part_free(part);
    vgae_comm_close(comm);
    vgae_ctx_free(ctx);
    return rc;
}
