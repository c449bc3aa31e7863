/* `vgae split`: make a seeded, leak-free link-prediction split and write it as text. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char split_help[] =
    "Usage: vgae split (--dataset NAME | --graph PATH) [options] -o FILE\n"
    "\n"
    "Splits the graph's edges as linkpred and train do and writes the split as\n"
    "text (see the README, 'Split files'): a header with the format version, the\n"
    "graph's checksum, the fractions and the seed, then one 'set u v label' row\n"
    "per pair. -o - writes to standard output.\n"
    "\n"
    "%s"
    "  --val-frac F       fraction of edges for validation (0.05)\n"
    "  --test-frac F      fraction of edges for test (0.1)\n"
    "  --seed S           seed (42)\n"
    "  -o, --output FILE  where to write (whole or not at all)\n"
    "  --quiet            no notes\n";

int cmd_split(int argc, char **argv)
{
    const char *cmd = "split", *output = NULL;
    cli_data_opts data = {0};
    cli_train_opts t = cli_train_defaults();
    int quiet = 0, rc = CLI_OK;
    for (int i = 1; i < argc;) {
        int r;
        if (cli_take_flag(argv, &i, "--help") || cli_take_flag(argv, &i, "-h")) {
            printf(split_help, cli_data_help);
            return CLI_OK;
        }
        if (cli_take_flag(argv, &i, "--quiet"))
            quiet = 1;
        else if ((r = cli_take_value(cmd, argc, argv, &i, "--output", &output)) != 0 ||
                 (r = cli_take_value(cmd, argc, argv, &i, "-o", &output)) != 0 ||
                 (r = cli_take_data_opt(cmd, argc, argv, &i, &data)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if (strncmp(argv[i], "--val-frac", 10) == 0 || strncmp(argv[i], "--test-frac", 11) == 0 ||
                   strncmp(argv[i], "--seed", 6) == 0) {
            if ((r = cli_take_train_opt(cmd, argc, argv, &i, &t)) < 0)
                return CLI_USAGE;
            if (r == 0)
                return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        } else {
            return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        }
    }
    if (!output)
        return cli_usage_error(cmd, "give the file to write with -o FILE (- for standard output)");
    if (t.val_frac + t.test_frac >= 1)
        return cli_usage_error(cmd, "--val-frac and --test-frac must add up to less than 1");
    vgae_ctx *ctx = cli_ctx_new(quiet);
    vgae_dataset *ds = NULL;
    vgae_split *split = NULL;
    if (!ctx)
        return CLI_ERROR;
    rc = cli_load_dataset(cmd, ctx, &data, &ds);
    if (!rc) {
        vgae_ctx_set_seed(ctx, (uint64_t)t.seed);
        if (vgae_split_make(ctx, ds->graph, t.val_frac, t.test_frac, &split) ||
            vgae_split_write(ctx, output, split, ds->graph, (uint64_t)t.seed))
            rc = cli_lib_error(ctx);
    }
    if (!rc)
        cli_notes_flush(!quiet);
    vgae_split_free(split);
    vgae_dataset_free(ds);
    vgae_ctx_free(ctx);
    return rc;
}
