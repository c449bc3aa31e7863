/* Graph files: reading MatrixMarket, edge lists and the formats igraph reads; format names. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/libguard.h"
#include "graph/from_igraph.h"
#include "io/lines.h"
#include "io/mtx.h"
#include "io/slurp.h"
#include "vgae/io/graph_file.h"

static const struct {
    vgae_graph_format format;
    const char *name;
} format_names[] = {
    {VGAE_FORMAT_AUTO, "auto"},       {VGAE_FORMAT_MTX, "mtx"},   {VGAE_FORMAT_EDGELIST, "edgelist"},
    {VGAE_FORMAT_NCOL, "ncol"},       {VGAE_FORMAT_LGL, "lgl"},   {VGAE_FORMAT_GRAPHML, "graphml"},
    {VGAE_FORMAT_GML, "gml"},         {VGAE_FORMAT_PAJEK, "pajek"},
};

static const struct {
    const char *ext;
    vgae_graph_format format;
} extensions[] = {
    {".mtx", VGAE_FORMAT_MTX},       {".mm", VGAE_FORMAT_MTX},         {".edges", VGAE_FORMAT_EDGELIST},
    {".edgelist", VGAE_FORMAT_EDGELIST}, {".el", VGAE_FORMAT_EDGELIST}, {".txt", VGAE_FORMAT_EDGELIST},
    {".tsv", VGAE_FORMAT_EDGELIST},  {".ncol", VGAE_FORMAT_NCOL},      {".lgl", VGAE_FORMAT_LGL},
    {".graphml", VGAE_FORMAT_GRAPHML}, {".xml", VGAE_FORMAT_GRAPHML},  {".gml", VGAE_FORMAT_GML},
    {".net", VGAE_FORMAT_PAJEK},     {".pajek", VGAE_FORMAT_PAJEK},    {".paj", VGAE_FORMAT_PAJEK},
};

const char *vgae_graph_format_name(vgae_graph_format format)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].format == format)
            return format_names[i].name;
    return "unknown";
}

vgae_status vgae_graph_format_from_name(vgae_ctx *ctx, const char *name, vgae_graph_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcasecmp(format_names[i].name, name) == 0) {
            *out = format_names[i].format;
            return VGAE_OK;
        }
    return vgae_fail(ctx, VGAE_EINVAL,
                     "unknown graph format '%s' (expected auto, mtx, edgelist, ncol, lgl, graphml, gml or pajek)",
                     name);
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

vgae_graph_format vgae_graph_format_guess(const char *path)
{
    size_t n = strlen(path);
    if (ends_with(path, n, ".gz"))
        n -= 3;
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
        if (ends_with(path, n, extensions[i].ext))
            return extensions[i].format;
    return VGAE_FORMAT_AUTO;
}

/* ---- MatrixMarket ---- */

static vgae_status read_mtx(vgae_ctx *ctx, const char *path, vgae_graph **out)
{
    vgae_mtx *m = NULL;
    int32_t *pairs = NULL;
    int64_t k = 0, zeros = 0;
    int weighted = 0;
    vgae_status st = vgae_mtx_read(ctx, path, &m);
    if (st)
        return st;
    if (m->rows != m->cols) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "adjacency matrix must be square, not %d x %d",
                          m->rows, m->cols);
        goto done;
    }
    pairs = vgae_alloc(ctx, (size_t)m->nnz * 2, sizeof *pairs);
    if (!pairs) {
        st = VGAE_ENOMEM;
        goto done;
    }
    for (int64_t e = 0; e < m->nnz; e++) {
        if (m->val && m->val[e] == 0.0) {
            zeros++;
            continue;
        }
        if (m->val && m->val[e] != 1.0)
            weighted = 1;
        pairs[2 * k] = m->row[e];
        pairs[2 * k + 1] = m->col[e];
        k++;
    }
    /* A symmetric file stores each undirected edge once; a general one may be directed. */
    st = vgae_graph_from_pairs(ctx, m->rows, k, pairs, !m->symmetric, out);
    if (st == VGAE_OK) {
        (*out)->report.zero_weights_dropped = zeros;
        (*out)->report.weighted = weighted;
        (*out)->report.input_entries = m->nnz;
    }
done:
    free(pairs);
    vgae_mtx_free(m);
    return st;
}

/* ---- plain edge list: "u v [weight]", 0-based ids, '#' or '%' comments ---- */

static vgae_status read_edgelist(vgae_ctx *ctx, const char *path, vgae_graph **out)
{
    vgae_lines lines;
    int32_t *pairs = NULL;
    size_t cap = 0, len;
    int64_t m = 0, max_id = -1, max_line = 0, zeros = 0;
    int weighted = 0, got;
    char *line;
    vgae_status st = vgae_lines_open(ctx, &lines, path);
    if (st)
        return st;
    while ((got = vgae_lines_next(ctx, &lines, &line, &len)) == 1) {
        char *p = line, *end;
        long long id[2];
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#' || *p == '%')
            continue;
        for (int t = 0; t < 2; t++) {
            while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
            errno = 0;
            id[t] = strtoll(p, &end, 10);
            if (end == p || !isdigit((unsigned char)*p) || (*end && !isspace((unsigned char)*end) && *end != ',')) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "expected two non-negative integer node ids, found '%s'", line);
                goto done;
            }
            if (errno == ERANGE || id[t] >= INT32_MAX) {
                st = vgae_fail_at(ctx, VGAE_ERANGE, path, lines.lineno, "node id too large (at most %d)",
                                  INT32_MAX - 1);
                goto done;
            }
            p = end;
        }
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p) {
            double w = strtod(p, &end);
            while (isspace((unsigned char)*end))
                end++;
            if (end == p || *end) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "expected 'u v' or 'u v weight', found '%s'", line);
                goto done;
            }
            if (w != 1.0)
                weighted = 1;
            if (w == 0.0) {
                zeros++; /* as in MatrixMarket: an explicit zero means no edge */
                continue;
            }
        }
        st = vgae_grow(ctx, (void **)&pairs, &cap, (size_t)(2 * m + 2), sizeof *pairs);
        if (st)
            goto done;
        pairs[2 * m] = (int32_t)id[0];
        pairs[2 * m + 1] = (int32_t)id[1];
        m++;
        if (id[0] > max_id || id[1] > max_id) {
            max_id = id[0] > id[1] ? id[0] : id[1];
            max_line = lines.lineno;
        }
    }
    if (got < 0) {
        st = vgae_ctx_status(ctx);
        goto done;
    }
    if (m == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "%s", lines.lineno ? "no edges in the file" : "empty file");
        goto done;
    }
    if (max_id + 1 > vgae_max_nodes(ctx, m)) {
        char rule[160];
        st = vgae_fail_at(ctx, VGAE_ERANGE, path, max_line,
                          "node id %lld implies %lld nodes for only %lld edges (%s); ids must be 0-based "
                          "and dense (use the ncol format for arbitrary ids)",
                          (long long)max_id, (long long)max_id + 1, (long long)m,
                          vgae_max_nodes_rule(ctx, m, rule));
        goto done;
    }
    st = vgae_graph_from_pairs(ctx, (int32_t)(max_id + 1), m, pairs, 0, out);
    if (st == VGAE_OK) {
        (*out)->report.weighted = weighted;
        (*out)->report.zero_weights_dropped = zeros;
    }
done:
    vgae_lines_close(&lines);
    free(pairs);
    return st;
}

/* ---- formats read by igraph ---- */

/* Copies node names from the first string vertex attribute among name, id,
 * label (or a numeric id, as GML has), if there is one. */
static vgae_status copy_names(vgae_ctx *ctx, const igraph_t *ig, vgae_graph *g)
{
    static const char *const string_attrs[] = {"name", "id", "label"};
    const char *attr = NULL;
    int numeric = 0;
    for (size_t i = 0; i < 3 && !attr; i++)
        if (igraph_cattribute_has_attr(ig, IGRAPH_ATTRIBUTE_VERTEX, string_attrs[i])) {
            igraph_attribute_type_t type;
            if (igraph_cattribute_table.gettype(ig, &type, IGRAPH_ATTRIBUTE_VERTEX, string_attrs[i]) == IGRAPH_SUCCESS &&
                (type == IGRAPH_ATTRIBUTE_STRING || (type == IGRAPH_ATTRIBUTE_NUMERIC && i == 1))) {
                attr = string_attrs[i];
                numeric = type == IGRAPH_ATTRIBUTE_NUMERIC;
            }
        }
    if (!attr)
        return VGAE_OK;
    g->names = vgae_calloc(ctx, (size_t)g->n, sizeof *g->names);
    if (!g->names)
        return VGAE_ENOMEM;
    for (int32_t v = 0; v < g->n; v++) {
        char buf[64];
        const char *s;
        if (numeric) {
            snprintf(buf, sizeof buf, "%.17g", VAN(ig, attr, v));
            s = buf;
        } else {
            s = VAS(ig, attr, v);
        }
        g->names[v] = vgae_strdup(ctx, s ? s : "");
        if (!g->names[v])
            return VGAE_ENOMEM;
    }
    return VGAE_OK;
}

static int has_weights(const igraph_t *ig)
{
    igraph_integer_t m = igraph_ecount(ig);
    igraph_attribute_type_t type;
    if (!igraph_cattribute_has_attr(ig, IGRAPH_ATTRIBUTE_EDGE, "weight"))
        return 0;
    /* EAN does not check the type: a string "weight" would be read as garbage */
    if (igraph_cattribute_table.gettype(ig, &type, IGRAPH_ATTRIBUTE_EDGE, "weight") != IGRAPH_SUCCESS ||
        type != IGRAPH_ATTRIBUTE_NUMERIC)
        return 1;
    for (igraph_integer_t e = 0; e < m; e++)
        if (EAN(ig, "weight", e) != 1.0)
            return 1;
    return 0;
}

/* igraph's Pajek reader allocates every vertex "*Vertices N" announces
 * before reading on: refuse an absurd N first. */
static vgae_status check_pajek_size(vgae_ctx *ctx, const char *path, const char *data, size_t size)
{
    const char *p = data;
    int64_t line = 1;
    while (p < data + size) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncasecmp(q, "*vertices", 9) == 0) {
            long long n = strtoll(q + 9, NULL, 10);
            char rule[160];
            if (n > vgae_max_nodes(ctx, (int64_t)size))
                return vgae_fail_at(ctx, VGAE_ERANGE, path, line,
                                    "*Vertices %lld is absurd for a file of %zu bytes (%s)", n, size,
                                    vgae_max_nodes_rule(ctx, (int64_t)size, rule));
            return VGAE_OK;
        }
        q = memchr(p, '\n', (size_t)(data + size - p));
        if (!q)
            break;
        p = q + 1;
        line++;
    }
    return VGAE_OK;
}

static vgae_status read_with_igraph(vgae_ctx *ctx, const char *path, vgae_graph_format format,
                                    vgae_graph **out)
{
    char *data = NULL;
    size_t size = 0;
    FILE *f = NULL;
    igraph_t ig;
    int have_graph = 0;
    igraph_error_t err = IGRAPH_SUCCESS;
    vgae_igraph_guard guard;
    vgae_status st = vgae_slurp(ctx, path, &data, &size);
    if (st)
        return st;
    if (format == VGAE_FORMAT_PAJEK && (st = check_pajek_size(ctx, path, data, size))) {
        free(data);
        return st;
    }
    f = fmemopen(data, size, "r");
    if (!f) {
        free(data);
        return vgae_fail_at(ctx, VGAE_ENOMEM, path, 0, "cannot open in memory: %s", strerror(errno));
    }
    vgae_igraph_enter(ctx, &guard, path);
    switch (format) {
    case VGAE_FORMAT_NCOL:
        err = igraph_read_graph_ncol(&ig, f, NULL, 1, IGRAPH_ADD_WEIGHTS_IF_PRESENT, IGRAPH_UNDIRECTED);
        break;
    case VGAE_FORMAT_LGL:
        err = igraph_read_graph_lgl(&ig, f, 1, IGRAPH_ADD_WEIGHTS_IF_PRESENT, IGRAPH_UNDIRECTED);
        break;
    case VGAE_FORMAT_GRAPHML:
        err = igraph_read_graph_graphml(&ig, f, 0);
        break;
    case VGAE_FORMAT_GML:
        err = igraph_read_graph_gml(&ig, f);
        break;
    case VGAE_FORMAT_PAJEK:
        err = igraph_read_graph_pajek(&ig, f);
        break;
    default:
        err = IGRAPH_EINVAL;
        break;
    }
    if (err != IGRAPH_SUCCESS) {
        st = vgae_igraph_fail(ctx, err, "reading the graph");
        vgae_fail_prefix(ctx, "%s: %s: ", path, vgae_graph_format_name(format));
        if (st == VGAE_EINTERNAL)
            st = VGAE_EFORMAT; /* a parse error, as far as the user is concerned */
        goto done;
    }
    have_graph = 1;
    if (igraph_vcount(&ig) > INT32_MAX) {
        st = vgae_fail_at(ctx, VGAE_ERANGE, path, 0, "too many nodes (%" IGRAPH_PRId ")", igraph_vcount(&ig));
        goto done;
    }
    if (igraph_vcount(&ig) == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "the graph has no nodes");
        goto done;
    }
    st = vgae_graph_from_igraph(ctx, &ig, out);
    if (st)
        goto done;
    (*out)->report.weighted = has_weights(&ig);
    st = copy_names(ctx, &ig, *out);
    if (st) {
        vgae_graph_free(*out);
        *out = NULL;
    }
done:
    if (have_graph)
        igraph_destroy(&ig);
    vgae_igraph_leave(&guard);
    fclose(f);
    free(data);
    return st;
}

vgae_status vgae_graph_read(vgae_ctx *ctx, const char *path, vgae_graph_format format,
                            vgae_graph **out)
{
    return vgae_graph_read_as(ctx, path, format, out, NULL);
}

vgae_status vgae_graph_read_as(vgae_ctx *ctx, const char *path, vgae_graph_format format,
                               vgae_graph **out, vgae_graph_format *used)
{
    vgae_status st;
    const vgae_graph_report *r;
    *out = NULL;
    if (format == VGAE_FORMAT_AUTO) {
        format = vgae_graph_format_guess(path);
        if (format == VGAE_FORMAT_AUTO) {
            st = vgae_check_readable(ctx, path);
            if (st)
                return st;
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                "cannot tell the graph format from the file name; name it with --format");
        }
    }
    switch (format) {
    case VGAE_FORMAT_MTX: st = read_mtx(ctx, path, out); break;
    case VGAE_FORMAT_EDGELIST: st = read_edgelist(ctx, path, out); break;
    default: st = read_with_igraph(ctx, path, format, out); break;
    }
    if (st == VGAE_ENOMEM)
        vgae_fail_prefix(ctx, "%s: ", path);
    if (st)
        return st;
    if (used)
        *used = format;
    r = &(*out)->report;
    if (r->weighted)
        vgae_log(ctx, VGAE_LOG_NOTE, "%s: edge weights are ignored; an edge is present or not", path);
    if (r->self_loops_dropped || r->duplicates_dropped)
        vgae_log(ctx, VGAE_LOG_NOTE, "%s: dropped %lld self-loop(s) and %lld duplicate(s)", path,
                 (long long)r->self_loops_dropped, (long long)r->duplicates_dropped);
    if (r->zero_weights_dropped)
        vgae_log(ctx, VGAE_LOG_NOTE, "%s: %lld explicit zero entries read as 'no edge'", path,
                 (long long)r->zero_weights_dropped);
    if (r->directed)
        vgae_log(ctx, VGAE_LOG_INFO, "%s: directed input made undirected (%lld reciprocal pair(s) merged)",
                 path, (long long)r->reciprocal_merged);
    return VGAE_OK;
}
