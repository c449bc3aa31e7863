/* The vgae command: dispatches to the subcommands. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char main_help[] =
    "vgae: variational graph autoencoders\n"
    "\n"
    "Usage: vgae COMMAND [options]     (vgae COMMAND --help for its options)\n"
    "\n"
    "Commands:\n"
    "  datasets   list the datasets that --dataset NAME finds, with their sizes\n"
    "  info       print the size and structure of a graph and its features and labels\n"
    "  linkpred   train VGAE or GAE on a split of a graph's edges; report test ROC AUC, AP,\n"
    "             Hits@K and MRR (--baselines: the classical heuristics beside it)\n"
    "  baseline   the classical heuristics (common neighbours, Adamic-Adar, resource\n"
    "             allocation, Katz, personalized PageRank, ...) on a split\n"
    "  split      write a seeded link-prediction split of a graph's edges\n"
    "  train      train a model on a split and write it to a model file\n"
    "  eval       test and validation figures of a model file\n"
    "  embed      write the node embeddings of a model (w2v, tsv, npy, mtx)\n"
    "  predict    edge probabilities for given pairs, or a node's likeliest new neighbours\n"
    "  generate   a random graph from igraph's generators (G(n,m), Barabasi-Albert, SBM, ...)\n"
    "  partition  split a graph's nodes into P parts for training across processes\n"
    "  vae        the dense image VAE on MNIST-style images (vgae vae --help)\n"
    "  seq        the sequence VAE on text of one sequence a line: SMILES, words (vgae seq --help)\n"
    "  version    print the versions of vgae and its libraries, the kernels and threads in\n"
    "             use (--json: one JSON object)\n"
    "\n"
    "Options:\n"
    "  -h, --help     this help\n"
    "  --version      same as the version command\n"
    "  -v, --verbose  with any command: the kernels and threads in use first, and the\n"
    "                 library's info lines, on stderr\n"
    "\n"
    "Datasets are looked up by name in the folders of $VGAE_DATA (colon-separated),\n"
    "then in ./datasets, then in the bundled ones (vgae datasets lists them).\nExit status: 0 success, 1 error, 2 bad command line.\n"
    "\n"
    "Examples:\n"
    "  vgae linkpred --dataset cora --runs 10\n"
    "  vgae train --dataset cora -o cora.vgae && vgae embed --model cora.vgae -o cora.npy\n";

int cli_verbose = 0;

typedef struct {
    int json;
} version_args;

static const cli_opt version_table[] = {
    {"--json", NULL, CLI_FLAG, .dest = offsetof(version_args, json), .help = "one JSON object"},
    {NULL},
};

static const cli_command version_command = {
    .name = "version",
    .usage = "Usage: vgae version [--json]",
    .about = "The versions of vgae and its libraries, the kernels and the threads in use.\n",
    .groups = (const cli_group[]){{"Options", version_table, 0}, {NULL}},
    .examples = "  vgae version\n"
                "  vgae version --json\n",
};

static int cmd_version(int argc, char **argv)
{
    version_args a = {0};
    int r = cli_parse(&version_command, argc, argv, &a);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? CLI_OK : CLI_USAGE;
    if (a.json) {
        cli_system_report(stdout, 1, cli_default_threads());
        return CLI_OK;
    }
    printf("vgae %s\n", vgae_version());
    const char *metis = NULL;
    vgae_partition_has_metis(&metis);
    const char *mpi = NULL;
    vgae_comm_has_mpi(&mpi);
    printf("%s, METIS %s, MPI: %s\n", vgae_dependency_versions(), metis ? metis : "not built in",
           mpi ? mpi : "not built in");
    cli_system_report(stdout, 0, cli_default_threads());
    return CLI_OK;
}

/* Takes -v/--verbose out of argv (any command accepts it); returns the new argc. */
static int take_verbose(int argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            cli_verbose = 1;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    const char *cmd;
    cli_ensure_blas_kernels(argv);
    cli_signals_install();
    argc = take_verbose(argc, argv);
    if (cli_verbose)
        cli_system_report(stderr, 0, cli_default_threads());
    if (argc < 2)
        return cli_usage_error(NULL, "no command given; try 'vgae info --dataset cora'");
    cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(main_help, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
        return cli_finish(cmd_version(argc - 1, argv + 1));
    if (strcmp(cmd, "info") == 0)
        return cli_finish(cmd_info(argc - 1, argv + 1));
    static const struct { const char *name; int (*run)(int, char **); } commands[] = {
        {"linkpred", cmd_linkpred}, {"split", cmd_split}, {"train", cmd_train},
        {"eval", cmd_eval}, {"embed", cmd_embed}, {"predict", cmd_predict}, {"vae", cmd_vae}, {"seq", cmd_seq},
        {"generate", cmd_generate}, {"baseline", cmd_baseline}, {"datasets", cmd_datasets},
        {"partition", cmd_partition}};
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(cmd, commands[k].name) == 0)
            return cli_finish(commands[k].run(argc - 1, argv + 1));
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
