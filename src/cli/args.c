/* The option parser and help printer that every command's table goes through. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"

static void *dest_of(const cli_group *g, const cli_opt *o, void *args)
{
    return (char *)args + g->offset + o->dest;
}

static const void *cdest_of(const cli_group *g, const cli_opt *o, const void *args)
{
    return (const char *)args + g->offset + o->dest;
}

/* "a or b", "a, b or c" into buf, separated by sep when sep is not NULL. */
static const char *join_choices(const char *const *choices, const char *sep, char *buf, size_t size)
{
    size_t n = 0, used = 0;
    while (choices[n])
        n++;
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        const char *glue = k == 0 ? "" : sep ? sep : k + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", glue, choices[k]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

/* Converts and stores one option's value; prints a usage error and returns -1 if it is bad. */
static int store(const char *cmd, const cli_opt *o, const char *v, void *dest)
{
    char *end;
    char names[256];
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)dest = 1;
        return 0;
    case CLI_STRING:
        *(const char **)dest = v;
        return 0;
    case CLI_INT:
    case CLI_INT64: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (end == v || *end || errno == ERANGE || (double)x < o->min || (double)x > o->max) {
            cli_usage_error(cmd, "%s expects an integer in %.0f..%.0f, not '%s'", o->name, o->min,
                            o->max, v);
            return -1;
        }
        if (o->kind == CLI_INT)
            *(int *)dest = (int)x;
        else
            *(int64_t *)dest = (int64_t)x;
        return 0;
    }
    case CLI_REAL: {
        errno = 0;
        double x = strtod(v, &end);
        if (end == v || *end || errno == ERANGE || !(x >= o->min && x <= o->max)) {
            cli_usage_error(cmd, "%s expects a number in [%g, %g], not '%s'", o->name, o->min,
                            o->max, v);
            return -1;
        }
        *(double *)dest = x;
        return 0;
    }
    case CLI_CHOICE:
        for (int k = 0; o->choices[k]; k++)
            if (strcmp(v, o->choices[k]) == 0) {
                *(int *)dest = k;
                return 0;
            }
        cli_usage_error(cmd, "%s is %s, not '%s'", o->name,
                        join_choices(o->choices, NULL, names, sizeof names), v);
        return -1;
    case CLI_CUSTOM:
        return o->parse(cmd, o->name, v, dest);
    }
    return -1;
}

/* The option whose name or alias argument a is (its first len characters);
 * failing that, the negatable flag that a names as --no-NAME (*negated 1). */
static const cli_opt *find(const cli_command *c, const char *a, size_t len, const cli_group **group,
                           int *negated)
{
    *negated = 0;
    for (const cli_group *g = c->groups; g->opts; g++)
        for (const cli_opt *o = g->opts; o->name; o++)
            if ((strlen(o->name) == len && strncmp(a, o->name, len) == 0) ||
                (o->alias && strlen(o->alias) == len && strncmp(a, o->alias, len) == 0)) {
                *group = g;
                return o;
            }
    if (len > 5 && strncmp(a, "--no-", 5) == 0)
        for (const cli_group *g = c->groups; g->opts; g++)
            for (const cli_opt *o = g->opts; o->name; o++)
                if (o->negatable && strlen(o->name) == len - 3 && strncmp(a + 5, o->name + 2, len - 5) == 0) {
                    *group = g;
                    *negated = 1;
                    return o;
                }
    return NULL;
}

/* The one option of a command that takes only one (for "(only --json)"). */
static const cli_opt *only_option(const cli_command *c)
{
    const cli_opt *only = NULL;
    for (const cli_group *g = c->groups; g->opts; g++)
        for (const cli_opt *o = g->opts; o->name; o++) {
            if (only)
                return NULL;
            only = o;
        }
    return only;
}

int cli_parse(const cli_command *c, int argc, char **argv, void *args)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_help(c, args, stdout);
            return CLI_HELP_SHOWN;
        }
    int have_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = a[0] == '-' ? strchr(a, '=') : NULL;
        const cli_group *g = NULL;
        int negated = 0;
        const cli_opt *o =
            a[0] == '-' && a[1] ? find(c, a, eq ? (size_t)(eq - a) : strlen(a), &g, &negated) : NULL;
        if (!o) {
            if (a[0] != '-' && c->has_positional && !have_positional) {
                *(const char **)((char *)args + c->positional) = a;
                have_positional = 1;
                continue;
            }
            const cli_opt *only = only_option(c);
            if (only)
                cli_usage_error(c->name, "unknown argument '%s' (only %s)", a, only->name);
            else
                cli_usage_error(c->name, "unknown argument '%s'", a);
            return CLI_BAD;
        }
        const char *value = NULL;
        if (o->kind == CLI_FLAG) {
            if (eq) {
                cli_usage_error(c->name, "option %.*s takes no value", (int)(eq - a), a);
                return CLI_BAD;
            }
        } else {
            value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!value || !*value) {
                cli_usage_error(c->name, "option %s needs a value", o->name);
                return CLI_BAD;
            }
        }
        if (negated)
            *(int *)dest_of(g, o, args) = 0;
        else if (store(c->name, o, value, dest_of(g, o, args)))
            return CLI_BAD;
        if (o->track)
            *(int *)((char *)args + g->offset + o->given) = 1;
    }
    return CLI_PARSED;
}

/* The current value of an option, as the help shows it ("" for none). */
static const char *shown_default(const cli_opt *o, const void *dest, char *buf, size_t size)
{
    buf[0] = '\0';
    if (o->no_default)
        return buf;
    switch (o->kind) {
    case CLI_INT: snprintf(buf, size, "%d", *(const int *)dest); break;
    case CLI_INT64: snprintf(buf, size, "%" PRId64, *(const int64_t *)dest); break;
    case CLI_REAL: snprintf(buf, size, "%g", *(const double *)dest); break;
    case CLI_CHOICE: snprintf(buf, size, "%s", o->choices[*(const int *)dest]); break;
    case CLI_STRING:
        if (*(const char *const *)dest)
            snprintf(buf, size, "%s", *(const char *const *)dest);
        break;
    default: break;
    }
    return buf;
}

/* Help lines start at this column. */
#define HELP_COLUMN 21

/* Whether an option of an earlier group has o's name (the earlier one is the one parsed). */
static int shadowed(const cli_command *c, const cli_group *group, const cli_opt *o)
{
    for (const cli_group *g = c->groups; g != group; g++)
        for (const cli_opt *p = g->opts; p->name; p++)
            if (strcmp(p->name, o->name) == 0)
                return 1;
    return 0;
}

void cli_help(const cli_command *c, const void *args, FILE *out)
{
    fprintf(out, "%s\n", c->usage);
    if (c->about)
        fprintf(out, "\n%s", c->about);
    for (const cli_group *g = c->groups; g->opts; g++) {
        fprintf(out, "\n%s:\n", g->title);
        for (const cli_opt *o = g->opts; o->name; o++) {
            if (shadowed(c, g, o))
                continue;
            char head[128], names[256], def[160];
            const char *value = o->value;
            if (o->kind == CLI_CHOICE && !value)
                value = join_choices(o->choices, "|", names, sizeof names);
            int w = snprintf(head, sizeof head, "  %s%s%s%s%s%s", o->alias ? o->alias : "",
                             o->alias ? ", " : "", o->negatable ? "--[no-]" : "",
                             o->negatable ? o->name + 2 : o->name, value ? " " : "", value ? value : "");
            fputs(head, out);
            /* the first help line beside the name, or below it when the name is long */
            if (w >= HELP_COLUMN - 1)
                fprintf(out, "\n%*s", HELP_COLUMN, "");
            else
                fprintf(out, "%*s", HELP_COLUMN - w, "");
            shown_default(o, cdest_of(g, o, args), def, sizeof def);
            for (const char *line = o->help; *line;) {
                const char *nl = strchr(line, '\n');
                int len = nl ? (int)(nl - line) : (int)strlen(line);
                fprintf(out, "%.*s", len, line);
                if (!nl)
                    break;
                fprintf(out, "\n%*s", HELP_COLUMN, "");
                line = nl + 1;
            }
            fprintf(out, "%s%s%s\n", def[0] ? " (" : "", def, def[0] ? ")" : "");
        }
    }
    if (c->footer)
        fprintf(out, "\n%s", c->footer);
    if (c->examples)
        fprintf(out, "\nExamples:\n%s", c->examples);
}
