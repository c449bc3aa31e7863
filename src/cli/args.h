/* Command lines: one declarative table of options per command serves both its parsing and its help. */
#ifndef VGAE_CLI_ARGS_H
#define VGAE_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>

typedef enum cli_kind {
    CLI_FLAG,   /* no value; sets an int to 1 (--no-NAME sets it to 0 when negatable) */
    CLI_STRING, /* a const char * (the argv string itself) */
    CLI_INT,    /* an int in [min, max] */
    CLI_INT64,  /* an int64_t in [min, max] */
    CLI_REAL,   /* a double in [min, max] */
    CLI_CHOICE, /* an int: the index of the value among choices */
    CLI_CUSTOM  /* parse() turns the value into the destination */
} cli_kind;

/* One option. dest is an offset into the group's struct (see cli_group). */
typedef struct cli_opt {
    const char *name;            /* "--hidden" */
    const char *alias;           /* "-o", or NULL */
    cli_kind kind;
    const char *value;           /* the value's name in the help ("N", "PATH"); a choice's
                                    default is its names joined by '|' */
    double min, max;             /* CLI_INT, CLI_INT64, CLI_REAL */
    size_t dest;                 /* offsetof the destination in the group's struct */
    const char *const *choices;  /* CLI_CHOICE: the names, NULL-terminated */
    /* CLI_CUSTOM: stores value at dest; prints a usage error and returns -1 if it is bad */
    int (*parse)(const char *cmd, const char *opt, const char *value, void *dest);
    const char *help;            /* lines of help ('\n' between them) */
    int no_default;              /* do not add the current value as "(default)" to the help */
    int track;                   /* 1: set the int at offset `given` to 1 when the option appears */
    int negatable;               /* CLI_FLAG: --no-NAME also exists and sets the int to 0
                                    (to turn off what a recipe turned on) */
    size_t given;
} cli_opt;

/* A titled group of options over one struct: the options' offsets are
 * relative to that struct, which lies at `offset` in the command's
 * arguments (shared groups, such as the data options, are one table used by
 * every command that takes them). opts ends with an entry whose name is
 * NULL. */
typedef struct cli_group {
    const char *title;
    const cli_opt *opts;
    size_t offset;
} cli_group;

typedef struct cli_command {
    const char *name;         /* "linkpred", "vae train": in messages */
    const char *usage;        /* the usage line(s) */
    const char *about;        /* paragraphs before the options, or NULL */
    const cli_group *groups;  /* ends with a group whose opts is NULL */
    const char *footer;       /* after the options, or NULL */
    const char *examples;     /* example command lines ("  vgae ...\n"), last in the help */
    size_t positional;        /* offsetof a const char * for one positional argument, or */
    int has_positional;       /* 0 when the command takes none */
} cli_command;

enum { CLI_PARSED = 0, CLI_HELP_SHOWN = -1, CLI_BAD = -2 };

/* Parses argv[1 .. argc) into the struct at args, whose fields hold their
 * defaults. -h or --help anywhere prints the help (with those defaults) and
 * returns CLI_HELP_SHOWN; a bad command line prints one usage error line and
 * returns CLI_BAD; else CLI_PARSED. Options take "--name VALUE" or
 * "--name=VALUE"; an empty value is an error. */
int cli_parse(const cli_command *c, int argc, char **argv, void *args);
/* Prints the command's help, showing the defaults held in args. */
void cli_help(const cli_command *c, const void *args, FILE *out);

#endif
