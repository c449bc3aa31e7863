/* `vgae seq ...`: train, evaluate and use the sequence VAE on text files of one sequence a line (SMILES, words). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char seq_help[] =
    "Usage: vgae seq COMMAND [options]     (vgae seq COMMAND --help for its options)\n"
    "\n"
    "The sequence VAE (Bowman et al. 2016) on text files of one sequence a line:\n"
    "molecules as SMILES (.smi: the first field; .csv: the first column), words,\n"
    "short sentences. An LSTM encoder (both ways) gives q(z|x); an LSTM decoder reads\n"
    "z at every step and writes the sequence a character at a time.\n"
    "  train        train on FILE, holding out --valid-frac of its lines for validation\n"
    "  eval         negative ELBO per sequence and per character, KL, active units,\n"
    "               greedy reconstruction accuracy, an importance-weighted estimate\n"
    "  sample       sequences decoded from draws of the prior (greedy or at a temperature)\n"
    "  reconstruct  sequences beside their greedy reconstructions\n"
    "  interpolate  sequences decoded on the line between two sequences' codes\n"
    "  encode       the sequences' codes (w2v, tsv, npy) and an anomaly score each\n"
    "\n"
    "The model's commands read the validation lines of the file it was trained on\n"
    "unless --data says otherwise.\n"
    "\n"
    "Examples:\n"
    "  vgae seq train --data /usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv -o mols.seq\n"
    "  vgae seq sample --model mols.seq --count 1000 -o samples.smi\n";

typedef struct {
    const char *data, *model, *output, *scores, *embed_format, *text, *from_text, *to_text;
    vgae_seq_vae_options so;
    int seed, threads, quiet, json, format, count, steps, iw_samples, all, unidirectional;
    double valid_frac, temperature, free_bits;
    int64_t from, to, limit;
} seq_args;

static const char *const format_names[] = {"auto", "lines", "smi", "csv", NULL};

static const cli_opt data_table[] = {
    {"--format", NULL, CLI_CHOICE, .dest = offsetof(seq_args, format), .choices = format_names,
     .help = "where a line's sequence is: auto (by the file's name: .smi and\n"
             ".smiles the first blank-separated field, .csv the first column),\n"
             "lines (the whole line), smi, csv"},
    {NULL},
};

static const cli_opt train_table[] = {
    {"--data", NULL, CLI_STRING, "FILE", .dest = offsetof(seq_args, data),
     .help = "the sequences, one a line (plain or gzip; required)"},
    {"--output", "-o", CLI_STRING, "MODEL", .dest = offsetof(seq_args, output),
     .help = "the model file to write (required)"},
    {"--valid-frac", NULL, CLI_REAL, "F", 0, 0.9, offsetof(seq_args, valid_frac),
     .help = "the lines held out for validation (drawn from the seed)"},
    {"--max-len", NULL, CLI_INT, "N", 1, 100000, offsetof(seq_args, so.max_len),
     .help = "the longest sequence, in characters (longer lines are left out,\n"
             "counted)"},
    {"--limit", NULL, CLI_INT64, "N", 1, 1e12, offsetof(seq_args, limit),
     .help = "the first N sequences of the file only", .no_default = 1},
    {"--embed", NULL, CLI_INT, "N", 1, 4096, offsetof(seq_args, so.embed), .help = "character embedding width"},
    {"--enc-hidden", NULL, CLI_INT, "N", 1, 8192, offsetof(seq_args, so.enc_hidden),
     .help = "encoder LSTM units, each direction"},
    {"--unidirectional", NULL, CLI_FLAG, .dest = offsetof(seq_args, unidirectional),
     .help = "the encoder reads forward only (default: both ways)"},
    {"--dec-hidden", NULL, CLI_INT, "N", 1, 8192, offsetof(seq_args, so.dec_hidden), .help = "decoder LSTM units"},
    {"--latent", NULL, CLI_INT, "N", 1, 4096, offsetof(seq_args, so.latent), .help = "latent dimensions"},
    {"--batch", NULL, CLI_INT, "N", 1, 65536, offsetof(seq_args, so.batch), .help = "sequences per Adam step"},
    {"--epochs", NULL, CLI_INT, "N", 0, 1000000, offsetof(seq_args, so.epochs), .help = "passes over the data"},
    {"--lr", NULL, CLI_REAL, "X", 1e-9, 10, offsetof(seq_args, so.lr), .help = "Adam learning rate"},
    {"--beta", NULL, CLI_REAL, "X", 0, 1e6, offsetof(seq_args, so.beta), .help = "weight of the KL"},
    {"--word-dropout", NULL, CLI_REAL, "P", 0, 1, offsetof(seq_args, so.word_dropout),
     .help = "the decoder's input characters replaced by a blank with\n"
             "probability P (Bowman et al.), so that it must lean on z"},
    {"--free-bits", NULL, CLI_REAL, "L", 0, 1000, offsetof(seq_args, free_bits),
     .help = "nats per latent dimension that the KL term does not charge\n"
             "(Kingma et al. 2016; 0.05 unless --capacity is on)", .no_default = 1},
    {"--clip", NULL, CLI_REAL, "N", 0, 1e9, offsetof(seq_args, so.clip),
     .help = "the gradient's largest norm (0: no clipping)"},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(seq_args, json), .help = "the last epoch's figures as JSON"},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(seq_args, seed),
     .help = "seed of the split, the weights, the order, the noise and the dropout"},
    {NULL},
};

/* the options of every command that reads a model */
static const cli_opt model_table[] = {
    {"--model", NULL, CLI_STRING, "FILE", .dest = offsetof(seq_args, model), .help = "the model (required)"},
    {"--data", NULL, CLI_STRING, "FILE", .dest = offsetof(seq_args, data),
     .help = "the sequences (default: the validation lines of the model's\n"
             "training file)"},
    {"--all", NULL, CLI_FLAG, .dest = offsetof(seq_args, all),
     .help = "every sequence of the file, not its validation lines"},
    {"--seed", NULL, CLI_INT, "S", 0, 2147483647, offsetof(seq_args, seed),
     .help = "the draws (default: the model's seed)", .no_default = 1},
    {NULL},
};

static const cli_opt common_table[] = {
    {"--threads", NULL, CLI_INT, "T", 1, 1024, offsetof(seq_args, threads),
     .help = "threads; results do not depend on it"},
    {"--quiet", NULL, CLI_FLAG, .dest = offsetof(seq_args, quiet), .help = "no progress"},
    {NULL},
};

static const cli_opt eval_table[] = {
    {"--iw-samples", NULL, CLI_INT, "K", 1, 1000000, offsetof(seq_args, iw_samples),
     .help = "also the importance-weighted -log p(x) with K draws each", .no_default = 1},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(seq_args, json), .help = "the figures as JSON"},
    {NULL},
};

static const cli_opt sample_table[] = {
    {"--count", NULL, CLI_INT, "N", 1, 10000000, offsetof(seq_args, count), .help = "sequences to draw"},
    {"--temperature", NULL, CLI_REAL, "T", 0, 1000, offsetof(seq_args, temperature),
     .help = "each character drawn from softmax(logits / T); 0: the\n"
             "likeliest (greedy)"},
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(seq_args, output),
     .help = "write the sequences there, one a line (default: standard output)"},
    {"--json", NULL, CLI_FLAG, .dest = offsetof(seq_args, json), .help = "the summary as JSON on standard error"},
    {NULL},
};

static const cli_opt reconstruct_table[] = {
    {"--count", NULL, CLI_INT, "N", 1, 10000000, offsetof(seq_args, count),
     .help = "the first N sequences (their codes' greedy decoding)"},
    {"--text", NULL, CLI_STRING, "SEQ", .dest = offsetof(seq_args, text),
     .help = "this sequence instead"},
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(seq_args, output),
     .help = "write the table there (default: standard output)"},
    {NULL},
};

static const cli_opt interpolate_table[] = {
    {"--from", NULL, CLI_INT64, "I", 1, 1e12, offsetof(seq_args, from), .help = "the first end: sequence I"},
    {"--to", NULL, CLI_INT64, "J", 1, 1e12, offsetof(seq_args, to), .help = "the other end: sequence J"},
    {"--from-text", NULL, CLI_STRING, "SEQ", .dest = offsetof(seq_args, from_text),
     .help = "the first end given as a sequence"},
    {"--to-text", NULL, CLI_STRING, "SEQ", .dest = offsetof(seq_args, to_text),
     .help = "the other end given as a sequence"},
    {"--steps", NULL, CLI_INT, "N", 2, 1000, offsetof(seq_args, steps), .help = "points on the line, ends included"},
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(seq_args, output),
     .help = "write them there (default: standard output)"},
    {NULL},
};

static const cli_opt encode_table[] = {
    {"--output", "-o", CLI_STRING, "FILE", .dest = offsetof(seq_args, output),
     .help = "the codes (required; - for standard output)"},
    {"--embed-format", NULL, CLI_STRING, "F", .dest = offsetof(seq_args, embed_format),
     .help = "w2v, tsv or npy (default: by the file's name, else w2v)"},
    {"--scores", NULL, CLI_STRING, "FILE", .dest = offsetof(seq_args, scores),
     .help = "line, sequence, negative ELBO (default OUTPUT.scores.tsv)"},
    {NULL},
};

#define COMMAND(cmd_name, usage_line, about_text, example_lines, ...)                              \
    {.name = "seq " cmd_name, .usage = usage_line, .about = about_text, .examples = example_lines, \
     .groups = (const cli_group[]){__VA_ARGS__, {"Running", common_table, 0}, {NULL}}}

static const cli_command train_command = COMMAND(
    "train", "Usage: vgae seq train --data FILE [options] -o MODEL",
    "Trains the sequence VAE on FILE's lines, holding out --valid-frac of them, and\n"
    "reports the validation loss after each epoch. The alphabet is the characters\n"
    "of the training lines; lines longer than --max-len are left out and counted.\n"
    "Against posterior collapse (a decoder that ignores z): a KL weight (beta) of 0.1,\n"
    "KL annealing (linear over 5 epochs by default), word dropout and free bits; at\n"
    "beta 1 the KL of SMILES sinks to the free bits' floor.\n",
    "  vgae seq train --data /usr/share/RDKit/Data/NCI/first_5K.smi -o nci.seq\n"
    "  vgae seq train --data words.txt --format lines --max-len 24 --epochs 10 -o words.seq\n",
    {"Training", train_table, 0}, {"Data", data_table, 0}, {"KL schedule", cli_kl_table, offsetof(seq_args, so.kl)});
static const cli_command eval_command = COMMAND(
    "eval", "Usage: vgae seq eval --model MODEL [--data FILE [--all]] [--iw-samples K] [--json]",
    "The negative ELBO per sequence and per character (one draw of z each), its two\n"
    "parts, the next-character accuracy with teacher forcing, the whole sequences\n"
    "that greedy decoding of their codes gives back exactly, the active units\n"
    "(Burda et al.: latent dimensions whose posterior mean varies across the\n"
    "sequences by more than 0.01), and with --iw-samples the importance-weighted\n"
    "estimate of -log p(x).\n",
    "  vgae seq eval --model nci.seq\n"
    "  vgae seq eval --model nci.seq --iw-samples 100 --json\n",
    {"Model", model_table, 0}, {"Data", data_table, 0}, {"Evaluation", eval_table, 0});
static const cli_command sample_command = COMMAND(
    "sample", "Usage: vgae seq sample --model MODEL [--count N] [--temperature T] [-o FILE]",
    "Sequences decoded from draws of the prior N(0, I), one a line; on standard error\n"
    "how many are distinct, how many are not among the training sequences (when the\n"
    "model's training file is there) and how many ended within --max-len.\n",
    "  vgae seq sample --model nci.seq --count 1000 -o samples.smi\n"
    "  vgae seq sample --model words.seq --count 20 --temperature 0.5\n",
    {"Model", model_table, 0}, {"Sampling", sample_table, 0});
static const cli_command reconstruct_command = COMMAND(
    "reconstruct", "Usage: vgae seq reconstruct --model MODEL [--count N | --text SEQ] [-o FILE]",
    "Sequences beside the greedy decoding of their codes (the means of q(z|x)), and\n"
    "whether it gives them back exactly; a summary line on standard error.\n",
    "  vgae seq reconstruct --model nci.seq --count 20\n"
    "  vgae seq reconstruct --model nci.seq --text 'CC(=O)Oc1ccccc1C(=O)O'\n",
    {"Model", model_table, 0}, {"Data", data_table, 0}, {"Reconstruction", reconstruct_table, 0});
static const cli_command interpolate_command = COMMAND(
    "interpolate", "Usage: vgae seq interpolate --model MODEL [--from I --to J | --from-text A --to-text B]",
    "Greedy decodings of --steps codes on the straight line between the codes of two\n"
    "sequences (I and J count the sequences read from 1), the ends included.\n",
    "  vgae seq interpolate --model nci.seq --from 1 --to 2\n"
    "  vgae seq interpolate --model words.seq --from-text cat --to-text dog --steps 8\n",
    {"Model", model_table, 0}, {"Data", data_table, 0}, {"Interpolation", interpolate_table, 0});
static const cli_command encode_command = COMMAND(
    "encode", "Usage: vgae seq encode --model MODEL -o FILE [--format F] [--scores FILE]",
    "The sequences' codes (the means of q(z|x)) in the embedding formats, named by\n"
    "their line, and a scores file: each sequence's line, text and negative ELBO, an\n"
    "anomaly score (higher is stranger).\n",
    "  vgae seq encode --model nci.seq -o codes.npy\n"
    "  vgae seq encode --model nci.seq --data new.smi --all -o codes.tsv --scores odd.tsv\n",
    {"Model", model_table, 0}, {"Data", data_table, 0}, {"Output", encode_table, 0});

static seq_args defaults(void)
{
    return (seq_args){.so = vgae_seq_vae_defaults(), .seed = -1, .threads = cli_default_threads(), .count = 10,
                      .steps = 7, .valid_frac = 0.1, .temperature = 1.0, .free_bits = -1, .from = 1, .to = 2};
}

static int parse(const cli_command *c, int argc, char **argv, seq_args *a)
{
    int r = cli_parse(c, argc, argv, a);
    return r == CLI_PARSED ? CLI_OK : r == CLI_HELP_SHOWN ? -1 : CLI_USAGE;
}

/* ---- data ---- */

/* Sequence i as UTF-8 text into buf (room for 4 bytes a character and a NUL). */
static const char *text_of(const vgae_seqs *s, int64_t i, char *buf)
{
    char *o = buf;
    for (int64_t k = s->start[i]; k < s->start[i + 1]; k++)
        o += vgae_utf8_put(s->sym[k], o);
    *o = '\0';
    return buf;
}

/* The sequences idx[0..n) of s as a collection of their own. */
static int subset(const vgae_seqs *s, const int64_t *idx, int64_t n, vgae_seqs *out)
{
    int64_t total = 0;
    for (int64_t k = 0; k < n; k++)
        total += s->start[idx[k] + 1] - s->start[idx[k]];
    *out = (vgae_seqs){0};
    out->start = malloc((size_t)(n + 1) * sizeof *out->start);
    out->line = malloc((size_t)(n ? n : 1) * sizeof *out->line);
    out->sym = malloc((size_t)(total ? total : 1) * sizeof *out->sym);
    if (!out->start || !out->line || !out->sym) {
        vgae_seqs_free(out);
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    out->start[0] = 0;
    for (int64_t k = 0; k < n; k++) {
        const int64_t i = idx[k], len = s->start[i + 1] - s->start[i];
        memcpy(out->sym + out->start[k], s->sym + s->start[i], (size_t)len * sizeof *s->sym);
        out->start[k + 1] = out->start[k] + len;
        out->line[k] = s->line[i];
        out->longest = len > out->longest ? (int32_t)len : out->longest;
    }
    out->count = n;
    return CLI_OK;
}

/* The held-out lines: a permutation of the sequences drawn from the seed's
 * split stream, its last round(frac n) (at least 1 when frac > 0, and one
 * sequence left to train on) kept in file order; the rest train. */
static int split(vgae_ctx *ctx, const vgae_seqs *s, double frac, uint64_t seed, vgae_seqs *train, vgae_seqs *valid)
{
    const int64_t n = s->count;
    int64_t k = (int64_t)llround(frac * (double)n);
    if (frac > 0 && k < 1)
        k = 1;
    if (k > n - 1)
        k = n - 1;
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    uint8_t *held = calloc((size_t)n, 1);
    if (!perm || !held) {
        free(perm);
        free(held);
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    vgae_rng r;
    vgae_rng_init(&r, seed, VGAE_STREAM_SPLIT);
    vgae_rng_permutation(&r, perm, n);
    for (int64_t j = n - k; j < n; j++)
        held[perm[j]] = 1;
    int64_t a = 0, b = n - k;
    for (int64_t i = 0; i < n; i++) /* train in file order, then held out in file order */
        perm[held[i] ? b++ : a++] = i;
    int rc = subset(s, perm, n - k, train);
    if (!rc && (rc = subset(s, perm + n - k, k, valid)))
        vgae_seqs_free(train);
    free(perm);
    free(held);
    (void)ctx;
    return rc;
}

/* The sequences of s that are all of the alphabet; a note with how many were not. */
static int known_only(const vgae_seqs *s, const vgae_alphabet *a, const char *what, vgae_seqs *out)
{
    int64_t *idx = malloc((size_t)(s->count ? s->count : 1) * sizeof *idx), n = 0, first = 0;
    if (!idx) {
        fprintf(stderr, "vgae: out of memory\n");
        return CLI_ERROR;
    }
    for (int64_t i = 0; i < s->count; i++) {
        int ok = 1;
        for (int64_t k = s->start[i]; ok && k < s->start[i + 1]; k++)
            ok = vgae_alphabet_find(a, s->sym[k]) >= 0;
        if (ok)
            idx[n++] = i;
        else if (!first)
            first = s->line[i];
    }
    if (n < s->count)
        cli_note("%lld %s sequences have a character the training lines lack and are left out (the first on "
                 "line %lld)", (long long)(s->count - n), what, (long long)first);
    int rc = subset(s, idx, n, out);
    free(idx);
    return rc;
}

/* Reads path's sequences of at most max_len characters (with known: those
 * of the alphabet), notes on what was left out. */
static int read_seqs(vgae_ctx *ctx, const char *path, vgae_seq_format format, int max_len, const vgae_alphabet *known,
                     vgae_seqs *out)
{
    if (vgae_seqs_read(ctx, path, format, max_len, known, out))
        return cli_lib_error(ctx);
    char c[16];
    if (out->too_long)
        cli_note("%s: %lld lines longer than %d characters left out (the first: line %lld)", path,
                 (long long)out->too_long, max_len, (long long)out->first_too_long);
    if (out->unknown) {
        const uint32_t u = out->first_unknown_sym;
        if (u >= 0x21 && u < 0x7F)
            snprintf(c, sizeof c, "'%c'", (char)u);
        else
            snprintf(c, sizeof c, "U+%04X", (unsigned)u);
        cli_note("%s: %lld lines with a character the model does not know left out (the first: %s on line %lld)",
                 path, (long long)out->unknown, c, (long long)out->first_unknown);
    }
    if (out->blank)
        cli_note("%s: %lld blank lines skipped", path, (long long)out->blank);
    return CLI_OK;
}

/* ---- train ---- */

typedef struct {
    int epoch, epochs, quiet, tty;
} progress_state;

static void on_batch(void *user, int64_t done, int64_t total, double seconds)
{
    progress_state *p = user;
    if (p->quiet || !p->tty)
        return;
    char left[32] = "";
    if (done < total)
        cli_duration(left, sizeof left, seconds / (double)done * (double)(total - done));
    fprintf(stderr, "\repoch %3d/%d  batch %lld/%lld  %s left in the epoch   ", p->epoch, p->epochs, (long long)done,
            (long long)total, left);
    if (done == total)
        fprintf(stderr, "\r%*s\r", 64, "");
}

static int seq_train(int argc, char **argv)
{
    const char *cmd = "seq train";
    seq_args a = defaults();
    a.seed = 42;
    int rc = parse(&train_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.data)
        return cli_usage_error(cmd, "no sequences: give --data FILE, one sequence a line (SMILES: apt install "
                                    "rdkit-data, --data /usr/share/RDKit/Data/NCI/first_5K.smi)");
    if (!a.output)
        return cli_usage_error(cmd, "give the model file to write with -o FILE");
    a.so.free_bits = a.free_bits >= 0 ? a.free_bits : a.so.kl.capacity > 0 ? 0 : a.so.free_bits;
    a.so.bidirectional = !a.unidirectional;
    vgae_ctx *ctx = cli_ctx_new(a.quiet, a.threads);
    if (!ctx)
        return CLI_ERROR;
    vgae_ctx_set_seed(ctx, (uint64_t)a.seed);
    vgae_seqs all = {0}, train = {0}, valid = {0}, valid_known = {0};
    vgae_seq_vae *m = NULL;
    vgae_alphabet alphabet;
    vgae_seq_figures f = {0}, g = {.loss = NAN, .neg_elbo = NAN, .recon = NAN, .kl = NAN, .per_char = NAN,
                                      .char_accuracy = NAN}; /* NaN without validation lines */
    if (cli_check_outputs(ctx, a.output, NULL)) {
        rc = CLI_ERROR;
        goto done;
    }
    if ((rc = read_seqs(ctx, a.data, (vgae_seq_format)a.format, a.so.max_len, NULL, &all)))
        goto done;
    if (a.limit && a.limit < all.count)
        all.count = a.limit;
    if (all.count < 2) {
        fprintf(stderr, "vgae: %s: %lld sequence: at least 2 are needed (one to train on, one to hold out)\n",
                a.data, (long long)all.count);
        rc = CLI_ERROR;
        goto done;
    }
    if ((rc = split(ctx, &all, a.valid_frac, (uint64_t)a.seed, &train, &valid)))
        goto done;
    if (vgae_alphabet_learn(ctx, &train, &alphabet) || vgae_seq_vae_new(ctx, &a.so, &alphabet, &m)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    if ((rc = known_only(&valid, &alphabet, "validation", &valid_known)))
        goto done;
    if (!a.quiet)
        fprintf(stderr, "%lld training and %lld validation sequences of %s (longest %d), %d characters; "
                        "%lld weights; %d epochs\n",
                (long long)train.count, (long long)valid_known.count, a.data, all.longest, alphabet.size,
                (long long)vgae_seq_vae_parameters(m), a.so.epochs);
    cli_notes_flush(!a.quiet);
    progress_state ps = {.epochs = a.so.epochs, .quiet = a.quiet, .tty = cli_stderr_is_tty()};
    const double started = cli_now();
    for (int e = 1; e <= a.so.epochs; e++) {
        ps.epoch = e;
        const double t0 = cli_now();
        if (vgae_seq_vae_train_epoch(ctx, m, &train, on_batch, &ps, &f) ||
            (valid_known.count && vgae_seq_vae_evaluate(ctx, m, &valid_known, &g))) {
            rc = cli_lib_error(ctx);
            goto done;
        }
        if (!a.quiet) {
            char left[48] = "";
            if (e < a.so.epochs) {
                char d[32];
                cli_duration(d, sizeof d, (cli_now() - started) / e * (a.so.epochs - e));
                snprintf(left, sizeof left, ", %s left", d);
            }
            char vtext[96] = "";
            if (valid_known.count)
                snprintf(vtext, sizeof vtext, "  valid -ELBO %7.3f (recon %7.3f + KL %6.3f) chars %5.1f%%",
                         g.neg_elbo, g.recon, g.kl, 100 * g.char_accuracy);
            fprintf(stderr, "epoch %3d/%d  train loss %7.3f (recon %7.3f + KL %6.3f) chars %5.1f%%%s  %6.1f s%s\n",
                    e, a.so.epochs, f.loss, f.recon, f.kl, 100 * f.char_accuracy, vtext, cli_now() - t0, left);
        }
    }
    vgae_seq_vae_set_source(m, a.data, (vgae_seq_format)a.format, a.valid_frac, train.count, f.loss);
    vgae_seq_vae_set_reported(m, &g);
    if (vgae_seq_vae_save(ctx, m, a.output)) {
        rc = cli_lib_error(ctx);
        goto done;
    }
    const double per_epoch = a.so.epochs ? (cli_now() - started) / a.so.epochs : 0;
    if (a.json) {
        printf("{\"epochs\":%d,", a.so.epochs);
        cli_json_number("train_loss", f.loss, ",");
        cli_json_number("valid_neg_elbo", g.neg_elbo, ",");
        cli_json_number("valid_recon", g.recon, ",");
        cli_json_number("valid_kl", g.kl, ",");
        cli_json_number("valid_per_char", g.per_char, ",");
        cli_json_number("valid_char_accuracy", g.char_accuracy, ",");
        printf("\"train_sequences\":%lld,\"valid_sequences\":%lld,\"alphabet\":%d,\"seconds_per_epoch\":%.3f}\n",
               (long long)train.count, (long long)valid_known.count, alphabet.size, per_epoch);
    } else if (valid_known.count) {
        printf("trained %d epochs, %.2f s per epoch; validation -ELBO %.3f nats per sequence (recon %.3f + KL "
               "%.3f), %.4f per character; model written to %s\n",
               a.so.epochs, per_epoch, g.neg_elbo, g.recon, g.kl, g.per_char, a.output);
    } else {
        printf("trained %d epochs, %.2f s per epoch, no validation lines (--valid-frac 0); model written to %s\n",
               a.so.epochs, per_epoch, a.output);
    }
done:
    cli_notes_flush(!a.quiet && rc == CLI_OK);
    vgae_seq_vae_free(m);
    vgae_seqs_free(&all);
    vgae_seqs_free(&train);
    vgae_seqs_free(&valid);
    vgae_seqs_free(&valid_known);
    vgae_ctx_free(ctx);
    return rc;
}

/* ---- the commands that read a model ---- */

typedef struct {
    vgae_ctx *ctx;
    vgae_seq_vae *m;
    vgae_seqs seqs;  /* what the command reads: --data (all of it, or its validation lines) */
    vgae_seqs train; /* the model's training sequences, when read (sample) */
} seq_loaded;

static void loaded_free(seq_loaded *l)
{
    vgae_seq_vae_free(l->m);
    vgae_seqs_free(&l->seqs);
    vgae_seqs_free(&l->train);
    vgae_ctx_free(l->ctx);
}

/* What a model command reads besides the model. */
enum { NEED_SEQS = 1, WANT_TRAIN = 2 };

/* The model, and with NEED_SEQS the sequences the command reads: --data
 * FILE's (with --all or another file than the model's, every one of the
 * model's alphabet; else its validation lines, as the model's training
 * drew them), or the model's training file's validation lines; with
 * WANT_TRAIN the model's training lines, when its file can be read. */
static int load(const char *cmd, seq_args *a, int flags, seq_loaded *l)
{
    *l = (seq_loaded){0};
    if (!a->model)
        return cli_usage_error(cmd, "give the model with --model FILE");
    if (!(l->ctx = cli_ctx_new(a->quiet, a->threads)))
        return CLI_ERROR;
    if (vgae_seq_vae_load(l->ctx, a->model, &l->m)) {
        int rc = cli_lib_error(l->ctx);
        loaded_free(l);
        return rc;
    }
    const uint64_t seed = vgae_seq_vae_seed(l->m);
    vgae_ctx_set_seed(l->ctx, a->seed >= 0 ? (uint64_t)a->seed : seed);
    if (!flags)
        return CLI_OK;
    vgae_seq_format format;
    double frac;
    const char *source = vgae_seq_vae_source(l->m, &format, &frac);
    const char *path = source;
    const int need = flags & NEED_SEQS;
    if (need && a->data) {
        path = a->data;
        format = (vgae_seq_format)a->format;
    } else if (need && !source[0]) {
        loaded_free(l);
        return cli_usage_error(cmd, "the model does not say which file it was trained on: give --data FILE");
    } else if (access(path, R_OK) != 0) {
        if (!need)
            return CLI_OK; /* the training lines were only wanted */
        fprintf(stderr, "vgae: %s: the model's training file cannot be read; give --data FILE\n", path);
        loaded_free(l);
        return CLI_ERROR;
    }
    const int whole = need && (a->all || strcmp(path, source) != 0);
    const vgae_seq_vae_options *o = vgae_seq_vae_settings(l->m);
    vgae_seqs raw = {0}, train = {0}, valid = {0};
    /* the validation lines are drawn from the file as training read it: all its lines of at most max_len */
    int rc = read_seqs(l->ctx, path, format, o->max_len, whole ? vgae_seq_vae_alphabet(l->m) : NULL, &raw);
    if (!rc && whole) {
        l->seqs = raw;
        raw = (vgae_seqs){0};
    } else if (!rc) {
        rc = split(l->ctx, &raw, frac, seed, &train, &valid);
        if (!rc && need)
            rc = known_only(&valid, vgae_seq_vae_alphabet(l->m), "validation", &l->seqs);
        if (!rc && (flags & WANT_TRAIN)) {
            l->train = train;
            train = (vgae_seqs){0};
        }
    }
    vgae_seqs_free(&raw);
    vgae_seqs_free(&train);
    vgae_seqs_free(&valid);
    if (!rc && need && l->seqs.count == 0) {
        fprintf(stderr, "vgae: %s: no sequences to read\n", path);
        rc = CLI_ERROR;
    }
    if (rc)
        loaded_free(l);
    return rc;
}

/* How many of s come back exactly from greedy decoding of their codes (out: the decodings). */
static int greedy(seq_loaded *l, const vgae_seqs *s, vgae_seqs *out, int64_t *exact, vgae_mat *codes)
{
    vgae_mat z = {0};
    if (vgae_seq_vae_encode(l->ctx, l->m, s, &z) || vgae_seq_vae_decode(l->ctx, l->m, &z, 0, NULL, out, NULL)) {
        vgae_mat_destroy(&z);
        return cli_lib_error(l->ctx);
    }
    *exact = 0;
    for (int64_t i = 0; i < s->count; i++) {
        const int64_t la = s->start[i + 1] - s->start[i], lb = out->start[i + 1] - out->start[i];
        *exact += la == lb && !memcmp(s->sym + s->start[i], out->sym + out->start[i], (size_t)la * sizeof *s->sym);
    }
    if (codes)
        *codes = z;
    else
        vgae_mat_destroy(&z);
    return CLI_OK;
}

static int seq_eval(int argc, char **argv)
{
    const char *cmd = "seq eval";
    seq_args a = defaults();
    int rc = parse(&eval_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    seq_loaded l;
    if ((rc = load(cmd, &a, NEED_SEQS, &l)))
        return rc;
    vgae_seq_figures g;
    vgae_seqs out = {0};
    vgae_mat z = {0};
    int64_t exact = 0;
    double iw = NAN;
    const int d = vgae_seq_vae_settings(l.m)->latent;
    if (vgae_seq_vae_evaluate(l.ctx, l.m, &l.seqs, &g) ||
        (a.iw_samples && vgae_seq_vae_iwae(l.ctx, l.m, &l.seqs, a.iw_samples, NULL, NULL, &iw))) {
        rc = cli_lib_error(l.ctx);
        goto done;
    }
    if ((rc = greedy(&l, &l.seqs, &out, &exact, &z)))
        goto done;
    int active = 0;
    for (int j = 0; j < d; j++) { /* the variance of each dimension's posterior mean over the sequences */
        double s1 = 0, s2 = 0;
        for (int64_t i = 0; i < z.rows; i++) {
            const double v = z.data[i * d + j];
            s1 += v;
            s2 += v * v;
        }
        const double mean = s1 / (double)z.rows;
        active += s2 / (double)z.rows - mean * mean > 0.01;
    }
    const double recon_rate = (double)exact / (double)l.seqs.count;
    if (a.json) {
        printf("{\"sequences\":%lld,", (long long)l.seqs.count);
        cli_json_number("neg_elbo", g.neg_elbo, ",");
        cli_json_number("recon", g.recon, ",");
        cli_json_number("kl", g.kl, ",");
        cli_json_number("per_char", g.per_char, ",");
        cli_json_number("char_accuracy", g.char_accuracy, ",");
        cli_json_number("greedy_exact", recon_rate, ",");
        cli_json_number("iw_nll", iw, ",");
        printf("\"iw_samples\":%d,\"active_units\":%d,\"latent\":%d}\n", a.iw_samples, active, d);
    } else {
        printf("%lld sequences\n", (long long)l.seqs.count);
        printf("  negative ELBO        %9.3f nats per sequence, %.4f per character\n", g.neg_elbo, g.per_char);
        printf("    reconstruction     %9.3f\n", g.recon);
        printf("    KL                 %9.3f\n", g.kl);
        if (a.iw_samples)
            printf("  -log p(x), %d draws %*s%9.3f (importance-weighted)\n", a.iw_samples,
                   a.iw_samples < 10 ? 3 : a.iw_samples < 100 ? 2 : a.iw_samples < 1000 ? 1 : 0, "", iw);
        printf("  next character       %8.2f%% right (teacher forcing)\n", 100 * g.char_accuracy);
        printf("  greedy reconstruction %7.2f%% exact (%lld of %lld)\n", 100 * recon_rate, (long long)exact,
               (long long)l.seqs.count);
        printf("  active units         %6d of %d\n", active, d);
    }
    cli_notes_flush(!a.quiet);
done:
    vgae_seqs_free(&out);
    vgae_mat_destroy(&z);
    loaded_free(&l);
    return rc;
}

/* Opens the output of a listing command: the file (written whole or not at all) or standard output. */
static int open_output(vgae_ctx *ctx, const char *path, vgae_outfile **of, FILE **out)
{
    *of = NULL;
    *out = stdout;
    if (!path || !strcmp(path, "-"))
        return CLI_OK;
    if (vgae_outfile_open(ctx, path, of))
        return cli_lib_error(ctx);
    *out = vgae_outfile_stream(*of);
    return CLI_OK;
}

static int close_output(vgae_ctx *ctx, vgae_outfile *of, int rc)
{
    if (!of)
        return rc;
    if (rc) {
        vgae_outfile_abort(of);
        return rc;
    }
    return vgae_outfile_commit(ctx, of) ? cli_lib_error(ctx) : CLI_OK;
}

/* Sequences compared by their characters (the collection in sorting_seqs: qsort has no argument for it). */
static const vgae_seqs *sorting_seqs;

static int seq_cmp(const vgae_seqs *q, const void *x, const void *y)
{
    const int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    const int64_t li = q->start[i + 1] - q->start[i], lj = q->start[j + 1] - q->start[j];
    const int64_t n = li < lj ? li : lj;
    for (int64_t k = 0; k < n; k++)
        if (q->sym[q->start[i] + k] != q->sym[q->start[j] + k])
            return q->sym[q->start[i] + k] < q->sym[q->start[j] + k] ? -1 : 1;
    return (li > lj) - (li < lj);
}

static int by_seq(const void *x, const void *y)
{
    return seq_cmp(sorting_seqs, x, y);
}

static int seq_sample(int argc, char **argv)
{
    const char *cmd = "seq sample";
    seq_args a = defaults();
    int rc = parse(&sample_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    seq_loaded l;
    /* the training sequences, to count the novel samples (when the file is there) */
    if ((rc = load(cmd, &a, WANT_TRAIN, &l)))
        return rc;
    const int have_train = l.train.count > 0;
    const int d = vgae_seq_vae_settings(l.m)->latent;
    vgae_mat z = {0};
    vgae_seqs out = {0};
    uint8_t *ended = malloc((size_t)a.count);
    int64_t *idx = malloc(((size_t)a.count + (size_t)l.train.count) * sizeof *idx);
    vgae_outfile *of = NULL;
    FILE *fp = stdout;
    if (!ended || !idx || vgae_mat_init(l.ctx, &z, a.count, d)) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    /* z from the noise stream, characters from the data stream: both of the seed */
    vgae_rng_normal_fill_f(vgae_ctx_rng(l.ctx, VGAE_STREAM_NOISE), z.data, vgae_mat_size(&z), 1);
    if (vgae_seq_vae_decode(l.ctx, l.m, &z, a.temperature, vgae_ctx_rng(l.ctx, VGAE_STREAM_DATA), &out, ended)) {
        rc = cli_lib_error(l.ctx);
        goto done;
    }
    /* distinct: sorted, runs counted; novel: not among the training sequences (before the
     * samples are written: nothing is written if these fail) */
    for (int64_t i = 0; i < out.count; i++)
        idx[i] = i;
    sorting_seqs = &out;
    qsort(idx, (size_t)out.count, sizeof *idx, by_seq);
    int64_t distinct = 0, finished = 0, novel = 0, empty = 0;
    for (int64_t k = 0; k < out.count; k++)
        distinct += k == 0 || seq_cmp(&out, &idx[k - 1], &idx[k]) != 0;
    for (int64_t i = 0; i < out.count; i++) {
        finished += ended[i];
        empty += out.start[i + 1] == out.start[i];
    }
    if (have_train) { /* both sets in one sorted run: a sample is novel if no training sequence equals it */
        vgae_seqs both = {0};
        const int64_t nt = l.train.count, ns = out.count, total = nt + ns;
        int64_t syms = l.train.start[nt] + out.start[ns];
        both.start = malloc((size_t)(total + 1) * sizeof *both.start);
        both.sym = malloc((size_t)(syms ? syms : 1) * sizeof *both.sym);
        int64_t *all = malloc((size_t)total * sizeof *all);
        if (!both.start || !both.sym || !all) {
            free(both.start);
            free(both.sym);
            free(all);
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
            goto done;
        }
        memcpy(both.sym, l.train.sym, (size_t)l.train.start[nt] * sizeof *both.sym);
        memcpy(both.sym + l.train.start[nt], out.sym, (size_t)out.start[ns] * sizeof *both.sym);
        for (int64_t i = 0; i <= nt; i++)
            both.start[i] = l.train.start[i];
        for (int64_t i = 1; i <= ns; i++)
            both.start[nt + i] = l.train.start[nt] + out.start[i];
        both.count = total;
        for (int64_t i = 0; i < total; i++)
            all[i] = i;
        sorting_seqs = &both;
        qsort(all, (size_t)total, sizeof *all, by_seq);
        /* within each run of equal sequences: novel samples if the run has no training sequence */
        for (int64_t k = 0; k < total;) {
            int64_t e = k + 1, train_in = all[k] < nt;
            while (e < total && seq_cmp(&both, &all[k], &all[e]) == 0)
                train_in |= all[e++] < nt;
            for (int64_t j = k; j < e; j++)
                novel += !train_in && all[j] >= nt;
            k = e;
        }
        free(both.start);
        free(both.sym);
        free(all);
    }
    if ((rc = open_output(l.ctx, a.output, &of, &fp)))
        goto done;
    char *buf = malloc((size_t)out.longest * 4 + 1);
    if (!buf) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    for (int64_t i = 0; !rc && i < out.count; i++)
        fprintf(fp, "%s\n", text_of(&out, i, buf));
    free(buf);
    if ((rc = close_output(l.ctx, of, rc)))
        goto done;
    if (a.json) {
        fprintf(stderr, "{\"samples\":%lld,\"distinct\":%lld,\"ended\":%lld,\"empty\":%lld,", (long long)out.count,
                (long long)distinct, (long long)finished, (long long)empty);
        if (have_train)
            fprintf(stderr, "\"novel\":%lld,\"train_sequences\":%lld,", (long long)novel, (long long)l.train.count);
        fprintf(stderr, "\"temperature\":%g}\n", a.temperature);
    } else if (!a.quiet) {
        fprintf(stderr, "%lld samples (temperature %g): %lld distinct (%.1f%%), %lld ended within %d characters",
                (long long)out.count, a.temperature, (long long)distinct, 100.0 * distinct / out.count,
                (long long)finished, vgae_seq_vae_settings(l.m)->max_len);
        if (have_train)
            fprintf(stderr, ", %lld not among the %lld training sequences (%.1f%%)", (long long)novel,
                    (long long)l.train.count, 100.0 * novel / out.count);
        fprintf(stderr, "\n");
    }
    cli_notes_flush(!a.quiet);
done:
    free(ended);
    free(idx);
    vgae_mat_destroy(&z);
    vgae_seqs_free(&out);
    loaded_free(&l);
    return rc;
}

static int seq_reconstruct(int argc, char **argv)
{
    const char *cmd = "seq reconstruct";
    seq_args a = defaults();
    int rc = parse(&reconstruct_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    seq_loaded l;
    if ((rc = load(cmd, &a, a.text ? 0 : NEED_SEQS, &l)))
        return rc;
    if (a.text && vgae_seqs_from_text(l.ctx, "--text", a.text, vgae_seq_vae_settings(l.m)->max_len,
                                      vgae_seq_vae_alphabet(l.m), &l.seqs)) {
        rc = cli_lib_error(l.ctx);
        loaded_free(&l);
        return rc;
    }
    if (l.seqs.count > a.count)
        l.seqs.count = a.count;
    vgae_seqs out = {0};
    int64_t exact = 0;
    vgae_outfile *of = NULL;
    FILE *fp = stdout;
    if (!(rc = greedy(&l, &l.seqs, &out, &exact, NULL)) && !(rc = open_output(l.ctx, a.output, &of, &fp))) {
        const int32_t longest = l.seqs.longest > out.longest ? l.seqs.longest : out.longest;
        char *x = malloc((size_t)longest * 4 + 1), *y = malloc((size_t)longest * 4 + 1);
        if (!x || !y) {
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
        }
        if (!rc)
            fprintf(fp, "line\tsequence\treconstruction\texact\n");
        for (int64_t i = 0; !rc && i < l.seqs.count; i++) {
            text_of(&l.seqs, i, x);
            text_of(&out, i, y);
            fprintf(fp, "%lld\t%s\t%s\t%s\n", (long long)l.seqs.line[i], x, y, strcmp(x, y) ? "no" : "yes");
        }
        free(x);
        free(y);
        rc = close_output(l.ctx, of, rc);
    }
    if (!rc && !a.quiet)
        fprintf(stderr, "%lld of %lld reconstructed exactly (%.1f%%)\n", (long long)exact, (long long)l.seqs.count,
                100.0 * exact / l.seqs.count);
    if (!rc)
        cli_notes_flush(!a.quiet);
    vgae_seqs_free(&out);
    loaded_free(&l);
    return rc;
}

static int seq_interpolate(int argc, char **argv)
{
    const char *cmd = "seq interpolate";
    seq_args a = defaults();
    int rc = parse(&interpolate_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.from_text != !a.to_text)
        return cli_usage_error(cmd, "give both --from-text and --to-text, or neither");
    seq_loaded l;
    if ((rc = load(cmd, &a, a.from_text ? 0 : NEED_SEQS, &l)))
        return rc;
    const int max_len = vgae_seq_vae_settings(l.m)->max_len, d = vgae_seq_vae_settings(l.m)->latent;
    vgae_seqs ends = {0}, out = {0};
    vgae_mat z = {0}, line = {0};
    vgae_outfile *of = NULL;
    FILE *fp = stdout;
    if (a.from_text) {
        vgae_seqs two[2] = {{0}, {0}};
        if (vgae_seqs_from_text(l.ctx, "--from-text", a.from_text, max_len, vgae_seq_vae_alphabet(l.m), &two[0]) ||
            vgae_seqs_from_text(l.ctx, "--to-text", a.to_text, max_len, vgae_seq_vae_alphabet(l.m), &two[1])) {
            vgae_seqs_free(&two[0]);
            rc = cli_lib_error(l.ctx);
            goto done;
        }
        const int64_t la = two[0].start[1], lb = two[1].start[1];
        ends.start = malloc(3 * sizeof *ends.start);
        ends.line = malloc(2 * sizeof *ends.line);
        ends.sym = malloc((size_t)(la + lb) * sizeof *ends.sym);
        if (ends.start && ends.line && ends.sym) {
            memcpy(ends.sym, two[0].sym, (size_t)la * sizeof *ends.sym);
            memcpy(ends.sym + la, two[1].sym, (size_t)lb * sizeof *ends.sym);
            ends.start[0] = 0;
            ends.start[1] = la;
            ends.start[2] = la + lb;
            ends.line[0] = 1;
            ends.line[1] = 2;
            ends.count = 2;
            ends.longest = (int32_t)(la > lb ? la : lb);
        }
        vgae_seqs_free(&two[0]);
        vgae_seqs_free(&two[1]);
        if (!ends.start || !ends.line || !ends.sym) {
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
            goto done;
        }
    } else {
        if (a.from > l.seqs.count || a.to > l.seqs.count) {
            fprintf(stderr, "vgae: %s: --from %lld and --to %lld must be among the %lld sequences read\n", cmd,
                    (long long)a.from, (long long)a.to, (long long)l.seqs.count);
            rc = CLI_ERROR;
            goto done;
        }
        const int64_t pick[2] = {a.from - 1, a.to - 1};
        if ((rc = subset(&l.seqs, pick, 2, &ends)))
            goto done;
    }
    if (vgae_seq_vae_encode(l.ctx, l.m, &ends, &z) ||
        vgae_latent_interpolate(l.ctx, z.data, z.data + d, d, a.steps, &line) ||
        vgae_seq_vae_decode(l.ctx, l.m, &line, 0, NULL, &out, NULL)) {
        rc = cli_lib_error(l.ctx);
        goto done;
    }
    if ((rc = open_output(l.ctx, a.output, &of, &fp)))
        goto done;
    const int32_t longest = out.longest > ends.longest ? out.longest : ends.longest;
    char *buf = malloc((size_t)longest * 4 + 1);
    if (!buf) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    if (!rc) {
        fprintf(fp, "# from: %s\n", text_of(&ends, 0, buf));
        fprintf(fp, "# to:   %s\n", text_of(&ends, 1, buf));
        for (int64_t s = 0; s < out.count; s++)
            fprintf(fp, "%.3f\t%s\n", (double)s / (double)(a.steps - 1), text_of(&out, s, buf));
    }
    free(buf);
    rc = close_output(l.ctx, of, rc);
    if (!rc)
        cli_notes_flush(!a.quiet);
done:
    vgae_seqs_free(&ends);
    vgae_seqs_free(&out);
    vgae_mat_destroy(&z);
    vgae_mat_destroy(&line);
    loaded_free(&l);
    return rc;
}

/* Each sequence's negative ELBO (one draw of z), as an anomaly score. */
static int scores_of(seq_loaded *l, double *score)
{
    vgae_seqs one = {0};
    int64_t idx = 0;
    for (int64_t i = 0; i < l->seqs.count; i++) {
        idx = i;
        vgae_seq_figures f;
        if (subset(&l->seqs, &idx, 1, &one))
            return CLI_ERROR;
        if (vgae_seq_vae_evaluate(l->ctx, l->m, &one, &f)) {
            vgae_seqs_free(&one);
            return cli_lib_error(l->ctx);
        }
        score[i] = f.neg_elbo;
        vgae_seqs_free(&one);
    }
    return CLI_OK;
}

typedef struct {
    const vgae_seqs *s;
    const double *score;
    char *buf;
} seq_scores;

static void write_seq_scores(FILE *out, void *user)
{
    const seq_scores *c = user;
    fprintf(out, "line\tsequence\tneg_elbo\n");
    for (int64_t i = 0; i < c->s->count; i++)
        fprintf(out, "%lld\t%s\t%.6f\n", (long long)c->s->line[i], text_of(c->s, i, c->buf), c->score[i]);
}

static int seq_encode(int argc, char **argv)
{
    const char *cmd = "seq encode";
    seq_args a = defaults();
    int rc = parse(&encode_command, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.output)
        return cli_usage_error(cmd, "give the output file with -o FILE");
    vgae_embed_format format;
    if (cli_embed_format(cmd, a.embed_format, a.output, &format))
        return CLI_USAGE;
    char scores_path[1200];
    if (a.scores)
        snprintf(scores_path, sizeof scores_path, "%s", a.scores);
    else if (!strcmp(a.output, "-"))
        return cli_usage_error(cmd, "with -o - give --scores FILE for the anomaly scores");
    else
        snprintf(scores_path, sizeof scores_path, "%s.scores.tsv", a.output);
    seq_loaded l;
    if ((rc = load(cmd, &a, NEED_SEQS, &l)))
        return rc;
    const int64_t n = l.seqs.count;
    vgae_mat codes = {0};
    double *score = malloc((size_t)n * sizeof *score);
    char **names = calloc((size_t)n, sizeof *names);
    char *buf = malloc((size_t)l.seqs.longest * 4 + 1);
    if (!score || !names || !buf) {
        fprintf(stderr, "vgae: out of memory\n");
        rc = CLI_ERROR;
    }
    if (!rc && vgae_seq_vae_encode(l.ctx, l.m, &l.seqs, &codes))
        rc = cli_lib_error(l.ctx);
    if (!rc)
        rc = scores_of(&l, score);
    for (int64_t i = 0; !rc && i < n; i++) {
        if (!(names[i] = malloc(24))) {
            fprintf(stderr, "vgae: out of memory\n");
            rc = CLI_ERROR;
        } else {
            snprintf(names[i], 24, "line%lld", (long long)l.seqs.line[i]);
        }
    }
    /* the scores beside the codes: both files or neither */
    seq_scores sc = {&l.seqs, score, buf};
    if (!rc)
        rc = cli_write_codes_scores(l.ctx, a.output, format, &codes, names, scores_path, write_seq_scores, &sc);
    if (!rc)
        cli_notes_flush(!a.quiet);
    for (int64_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    free(score);
    free(buf);
    vgae_mat_destroy(&codes);
    loaded_free(&l);
    return rc;
}

int cmd_seq(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(seq_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"train", seq_train},     {"eval", seq_eval},
                    {"sample", seq_sample},   {"reconstruct", seq_reconstruct},
                    {"interpolate", seq_interpolate}, {"encode", seq_encode}};
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].run(argc - 1, argv + 1);
    return cli_usage_error("seq", "unknown command '%s'; try 'vgae seq --help'", argv[1]);
}
