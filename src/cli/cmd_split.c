/* `vgae split`: make a seeded, leak-free link-prediction split and write it as text. */
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"

typedef struct {
    cli_data_opts data;
    cli_train_opts train;
    const char *output;
    int quiet;
} split_args;

static const cli_opt split_table[] = {
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(split_args, output),
     .help = "where to write (whole or not at all); - for standard output"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(split_args, quiet), .help = "no notes"},
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(split_args, train.threads),
     .help = "threads for the hard negatives; the file does not depend on it"},
    {NULL},
};

static const cli_command split_command = {
    .name = "split",
    .usage = "Usage: vgae split (--dataset NAME | --graph PATH) [options] -o FILE",
    .about = "Splits the graph's edges as linkpred and train do and writes the split as\n"
             "text (see the README, 'Split files'): a header with the format version, the\n"
             "graph's checksum, the fractions and the seed, then one 'set u v label' row\n"
             "per pair.\n",
    .groups = (const cli_group[]){{"Data (one of --dataset or --graph)", cli_data_table,
                                   offsetof(split_args, data)},
                                  {"Split", cli_split_table, offsetof(split_args, train)},
                                  {"Output", split_table, 0},
                                  {NULL}},
    .examples = "  vgae split --dataset cora --seed 42 -o cora.split\n"
                "  vgae split --graph net.edges --val-frac 0.1 --test-frac 0.2 -o net.split\n",
};

int cmd_split(int argc, char **argv)
{
    split_args a = {.train = cli_train_defaults()};
    int r = cli_parse(&split_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (!a.output)
        return cli_usage_error("split", "give the file to write with -o FILE (- for standard output)");
    if (cli_check_protocol("split", &a.train.protocol))
        return CLI_USAGE;
    vgae_ctx *ctx = cli_ctx_new(a.quiet, a.train.threads);
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    if (!ctx)
        return CLI_ERROR;
    int rc = cli_load_dataset("split", ctx, &a.data, &ds);
    if (!rc) {
        vgae_ctx_set_seed(ctx, (uint64_t)a.train.seed);
        if (vgae_linkpred_split(ctx, ds->graph, &a.train.protocol, &split) ||
            vgae_split_write(ctx, a.output, split, ds->graph, (uint64_t)a.train.seed))
            rc = cli_lib_error(ctx);
    }
    if (!rc)
        cli_notes_flush(!a.quiet);
    vgae_split_free(split);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
