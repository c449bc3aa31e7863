/* Sequence files for the sequence VAE: one sequence a line, UTF-8 text or SMILES; the alphabet of their characters. */
#ifndef VGAE_IO_SEQUENCES_H
#define VGAE_IO_SEQUENCES_H

#include <stddef.h>
#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a line's sequence is. */
typedef enum vgae_seq_format {
    VGAE_SEQ_AUTO = 0,  /* by the file's name: .smi or .smiles -> SMI, .csv -> CSV, else LINES */
    VGAE_SEQ_LINES = 1, /* the whole line, its ending removed (a word list, sentences) */
    VGAE_SEQ_SMI = 2,   /* the first of its blank-separated fields (SMILES files: "SMILES name") */
    VGAE_SEQ_CSV = 3    /* its first comma-separated field, without its double quotes */
} vgae_seq_format;

/* "auto", "lines", "smi", "csv"; and back (VGAE_EINVAL listing them; ctx may be NULL). */
VGAE_EXPORT const char *vgae_seq_format_name(vgae_seq_format f);
VGAE_EXPORT vgae_status vgae_seq_format_from_name(vgae_ctx *ctx, const char *name, vgae_seq_format *out);

/* The characters of a model's sequences: Unicode code points, ascending.
 * At most VGAE_ALPHABET_MAX of them. */
#define VGAE_ALPHABET_MAX 1024
typedef struct vgae_alphabet {
    int32_t size;
    uint32_t sym[VGAE_ALPHABET_MAX];
} vgae_alphabet;

/* A file's sequences, each a run of code points. */
typedef struct vgae_seqs {
    int64_t count;
    int64_t *start;     /* count + 1: sequence i is sym[start[i] .. start[i + 1]) */
    uint32_t *sym;
    int64_t *line;      /* count: the line of the file each came from */
    int32_t longest;    /* characters in the longest */
    /* lines left out: blank; longer than the maximum; with a character
     * outside the alphabet read against (each with its first line, 0: none) */
    int64_t blank, too_long, unknown;
    int64_t first_too_long, first_unknown;
    uint32_t first_unknown_sym; /* the first unknown character */
} vgae_seqs;

/* Reads the sequences of a text file (plain or gzip), one a line in
 * `format`, keeping those of 1 to max_len characters and, with `known`,
 * those whose characters are all in it; the others are counted in the
 * fields above, not errors. Errors (VGAE_EFORMAT, naming the file and
 * line): bytes that are not UTF-8, or control characters other than tab
 * (a binary file, say); a SMI or CSV line without a first field (a quote
 * not closed); a file with no sequence kept (an empty one, or all too
 * long: the message says how many were left out and why). */
VGAE_EXPORT vgae_status vgae_seqs_read(vgae_ctx *ctx, const char *path, vgae_seq_format format, int32_t max_len,
                                       const vgae_alphabet *known, vgae_seqs *out);
/* One sequence from a string (a command-line argument, say), checked as a
 * line of a file is: VGAE_EINVAL naming `what` for text that is not UTF-8,
 * is empty, is longer than max_len or (with known) has a character outside
 * the alphabet (named, with its position). */
VGAE_EXPORT vgae_status vgae_seqs_from_text(vgae_ctx *ctx, const char *what, const char *text, int32_t max_len,
                                            const vgae_alphabet *known, vgae_seqs *out);
VGAE_EXPORT void vgae_seqs_free(vgae_seqs *s);

/* The characters of the sequences, ascending. VGAE_EINVAL if there are
 * more than VGAE_ALPHABET_MAX. */
VGAE_EXPORT vgae_status vgae_alphabet_learn(vgae_ctx *ctx, const vgae_seqs *s, vgae_alphabet *out);
/* The index of c in the alphabet, or -1. */
VGAE_EXPORT int32_t vgae_alphabet_find(const vgae_alphabet *a, uint32_t c);

/* Writes c in UTF-8 to out (room for 4 bytes); returns the bytes written. */
VGAE_EXPORT int vgae_utf8_put(uint32_t c, char *out);
/* Decodes one UTF-8 character from s (n bytes left) into *c; returns its
 * length, or 0 for an invalid or overlong sequence, a surrogate or a code
 * point past U+10FFFF. */
VGAE_EXPORT int vgae_utf8_get(const unsigned char *s, size_t n, uint32_t *c);

#ifdef __cplusplus
}
#endif
#endif
