/* Tests of the feature and label readers and of dataset lookup and loading. */
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "io/zin.h"

static void assert_row(const vgae_csr *x, int32_t r, int count, const int32_t *cols, const float *vals)
{
    assert_int_equal(x->rowptr[r + 1] - x->rowptr[r], count);
    for (int k = 0; k < count; k++) {
        assert_int_equal(x->col[x->rowptr[r] + k], cols[k]);
        assert_float_equal(x->val[x->rowptr[r] + k], vals[k], 0); /* exact: read from decimal into float once */
    }
}

static void dense_array_features(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_csr *x = NULL;
    assert_int_equal(vgae_features_read(ctx, data_path("features_array.mtx"), &x), VGAE_OK);
    assert_int_equal(x->rows, 3);
    assert_int_equal(x->cols, 2);
    assert_int_equal(x->nnz, 4); /* the two zeros are not stored */
    assert_row(x, 0, 1, (const int32_t[]){0}, (const float[]){1.5f});
    assert_row(x, 1, 1, (const int32_t[]){1}, (const float[]){4e-3f});
    assert_row(x, 2, 2, (const int32_t[]){0, 1}, (const float[]){-2.0f, 7.0f});
    vgae_csr_free(x);
}

static void coordinate_features_sum_repeats_and_drop_zeros(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_csr *x = NULL;
    assert_int_equal(vgae_features_read(ctx, data_path("features_coord.mtx"), &x), VGAE_OK);
    assert_int_equal(x->rows, 3);
    assert_int_equal(x->cols, 4);
    assert_int_equal(x->nnz, 3);
    assert_row(x, 0, 1, (const int32_t[]){1}, (const float[]){3.0f});
    assert_row(x, 1, 0, NULL, NULL);
    assert_row(x, 2, 2, (const int32_t[]){0, 3}, (const float[]){9.0f, -5.0f});
    vgae_csr_free(x);
}

static void repeated_features_are_summed_in_double(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_csr *x = NULL;
    /* 1e8 + 1 - 1e8: a float sum gives 0 (and the entry would vanish), double gives 1 */
    assert_int_equal(vgae_features_read(ctx, data_path("features_cancel.mtx"), &x), VGAE_OK);
    assert_int_equal(x->nnz, 1);
    assert_row(x, 0, 1, (const int32_t[]){0}, (const float[]){1.0f});
    vgae_csr_free(x);
    assert_error_contains(ctx, vgae_features_read(ctx, data_path("bad/features_overflow.mtx"), &x),
                          "does not fit in a float");
    assert_null(x);
}

static void labels_count_classes_and_unknowns(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_labels *l = NULL;
    assert_int_equal(vgae_labels_read(ctx, data_path("labels3.txt"), &l), VGAE_OK);
    assert_int_equal(l->n, 3);
    assert_int_equal(l->y[0], 0);
    assert_int_equal(l->y[1], -1);
    assert_int_equal(l->n_classes, 2);
    assert_int_equal(l->n_unlabelled, 1);
    vgae_labels_free(l);
}

static void bad_label_names_file_and_line(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_labels *l = NULL;
    assert_error_contains(ctx, vgae_labels_read(ctx, data_path("bad/labels_bad.txt"), &l), "labels_bad.txt:3:");
    assert_null(l);
}

static void dataset_found_on_the_search_path(void **state)
{
    vgae_ctx *ctx = *state;
    char *dir = NULL;
    char search[2048];
    /* the first folder lacks the dataset, the second has it */
    snprintf(search, sizeof search, "/nonexistent::%s", data_path("datasets"));
    assert_int_equal(vgae_dataset_find(ctx, "tiny", search, &dir), VGAE_OK);
    assert_string_equal(dir, data_path("datasets/tiny"));
    free(dir);
    assert_error_contains(ctx, vgae_dataset_find(ctx, "absent", search, &dir), "dataset 'absent' not found");
    assert_null(dir);
    assert_error_contains(ctx, vgae_dataset_find(ctx, "../x", search, &dir), "plain name");
}

static void dataset_folder_loads_all_three_parts(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_dataset_source src = {0};
    vgae_dataset *ds = NULL;
    src.graph_path = data_path("datasets/tiny");
    assert_int_equal(vgae_dataset_load(ctx, &src, NULL, &ds), VGAE_OK);
    assert_int_equal(ds->graph->n, 3);
    assert_non_null(ds->features);
    assert_int_equal(ds->features->rows, 3);
    assert_non_null(ds->labels);
    assert_int_equal(ds->labels->n_classes, 2);
    vgae_dataset_free(ds);
}

static void feature_rows_must_match_nodes(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_dataset_source src = {0};
    vgae_dataset *ds = NULL;
    src.graph_path = data_path("path4.mtx");
    src.features_path = data_path("features_array.mtx");
    assert_error_contains(ctx, vgae_dataset_load(ctx, &src, NULL, &ds), "3 rows but the graph");
    assert_null(ds);
    src.features_path = NULL;
    src.labels_path = data_path("labels3.txt");
    assert_error_contains(ctx, vgae_dataset_load(ctx, &src, NULL, &ds), "3 labels but the graph");
}

static void cora_figures(void **state)
{
    vgae_ctx *ctx = *state;
    char *dir = shared_dataset(ctx, "cora");
    vgae_dataset_source src = {0};
    vgae_dataset *ds = NULL;
    int64_t comps = 0, largest = 0;
    if (!dir)
        skip();
    src.graph_path = dir;
    assert_int_equal(vgae_dataset_load(ctx, &src, NULL, &ds), VGAE_OK);
    assert_int_equal(ds->graph->n, 2708);
    assert_int_equal(ds->graph->n_edges, 5278);
    assert_int_equal(ds->features->cols, 1433);
    assert_int_equal(ds->features->nnz, 49216);
    assert_int_equal(ds->labels->n_classes, 7);
    assert_int_equal(vgae_graph_components(ctx, ds->graph, &comps, &largest), VGAE_OK);
    assert_int_equal(comps, 78);
    assert_int_equal(largest, 2485);
    vgae_dataset_free(ds);
    free(dir);
}

/* A dataset by name: found on the search path, its name kept (a model
 * records it), the format read kept; a name and a path together, or
 * neither, are refused. */
static void dataset_by_name(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_dataset *ds = NULL;
    vgae_dataset_source src = {.name = "tiny"};
    assert_int_equal(vgae_dataset_load(ctx, &src, data_path("datasets"), &ds), VGAE_OK);
    assert_string_equal(ds->name, "tiny");
    assert_int_equal(ds->format, VGAE_FORMAT_MTX);
    assert_int_equal(ds->graph->n, 3);
    assert_non_null(strstr(ds->graph_path, "tiny/adjacency.mtx"));
    vgae_dataset_free(ds);
    ds = NULL;
    src.graph_path = data_path("path4.mtx");
    assert_error_contains(ctx, vgae_dataset_load(ctx, &src, NULL, &ds), "not both");
    src = (vgae_dataset_source){0};
    assert_error_contains(ctx, vgae_dataset_load(ctx, &src, NULL, &ds), "no graph given");
    src.name = "absent";
    assert_error_contains(ctx, vgae_dataset_load(ctx, &src, data_path("datasets"), &ds), "dataset 'absent' not found");
    assert_null(ds);
}

/* Sparse copies are equal, and the checksum model files record for their
 * features is the CRC-32 of the documented byte layout: rows, cols, nnz and
 * the row pointers as 64-bit little-endian, then per entry the column and
 * the value's bits as 32-bit little-endian. */
static void sparse_copy_and_checksum(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_csr *x = NULL, *y = NULL;
    assert_int_equal(vgae_features_read(ctx, data_path("features_coord.mtx"), &x), VGAE_OK);
    assert_int_equal(vgae_csr_copy(ctx, x, &y), VGAE_OK);
    assert_int_equal(y->rows, x->rows);
    assert_int_equal(y->nnz, x->nnz);
    assert_memory_equal(y->rowptr, x->rowptr, sizeof *x->rowptr * (size_t)(x->rows + 1));
    assert_memory_equal(y->col, x->col, sizeof *x->col * (size_t)x->nnz);
    assert_memory_equal(y->val, x->val, sizeof *x->val * (size_t)x->nnz);
    unsigned char bytes[4096], *p = bytes;
    const uint64_t head[3] = {(uint64_t)x->rows, (uint64_t)x->cols, (uint64_t)x->nnz};
    for (int h = 0; h < 3; h++)
        for (int i = 0; i < 8; i++)
            *p++ = (unsigned char)(head[h] >> (8 * i));
    for (int32_t r = 0; r <= x->rows; r++)
        for (int i = 0; i < 8; i++)
            *p++ = (unsigned char)((uint64_t)x->rowptr[r] >> (8 * i));
    for (int64_t k = 0; k < x->nnz; k++) {
        uint32_t v;
        memcpy(&v, &x->val[k], 4);
        for (int i = 0; i < 4; i++)
            *p++ = (unsigned char)((uint32_t)x->col[k] >> (8 * i));
        for (int i = 0; i < 4; i++)
            *p++ = (unsigned char)(v >> (8 * i));
    }
    const uint32_t want = (uint32_t)crc32(crc32(0L, Z_NULL, 0), bytes, (uInt)(p - bytes));
    assert_int_equal(vgae_csr_checksum(x), want);
    assert_int_equal(vgae_csr_checksum(y), want);
    y->val[0] += 1;
    assert_int_not_equal(vgae_csr_checksum(y), want);
    assert_int_equal(vgae_csr_checksum(NULL), 0);
    vgae_csr_free(x);
    vgae_csr_free(y);
}

/* Pair files: names or numbers, comments and blank lines, the file's
 * orientation kept; a bad line named by file and line. */
static void pair_files(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_graph *g = NULL;
    vgae_node_index index;
    assert_int_equal(vgae_graph_read(ctx, data_path("names.ncol"), VGAE_FORMAT_AUTO, &g), VGAE_OK);
    assert_int_equal(vgae_node_index_init(ctx, &index, g), VGAE_OK);
    char dir[] = "/tmp/vgae-pairs-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/p.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("# pairs\nbob alice\n\n  carol\tdave  # why not\n", f);
    fclose(f);
    vgae_pair *pairs = NULL;
    int64_t n = 0;
    assert_int_equal(vgae_pairs_read(ctx, path, &index, &pairs, &n), VGAE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(g->names[pairs[0].u], "bob");
    assert_string_equal(g->names[pairs[0].v], "alice");
    assert_string_equal(g->names[pairs[1].v], "dave");
    free(pairs);
    f = fopen(path, "w");
    fputs("bob alice\nbob\n", f);
    fclose(f);
    assert_error_contains(ctx, vgae_pairs_read(ctx, path, &index, &pairs, &n), "p.txt:2: expected two node ids");
    f = fopen(path, "w");
    fputs("bob alice\nbob alice eve\n", f);
    fclose(f);
    assert_error_contains(ctx, vgae_pairs_read(ctx, path, &index, &pairs, &n), "p.txt:2: expected two node ids");
    f = fopen(path, "w");
    fputs("bob eve\n", f);
    fclose(f);
    assert_error_contains(ctx, vgae_pairs_read(ctx, path, &index, &pairs, &n), "p.txt:1: node 'eve' is not in the graph");
    assert_null(pairs);
    assert_int_equal(n, 0);
    unlink(path);
    rmdir(dir);
    assert_error_contains(ctx, vgae_pairs_read(ctx, path, &index, &pairs, &n), "cannot open");
    vgae_node_index_destroy(&index);
    vgae_graph_free(g);
}

/* ---- sequence files ---- */

static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

/* A sequence as UTF-8 text, for comparing. */
static const char *seq_text(const vgae_seqs *s, int64_t i, char *buf)
{
    char *o = buf;
    for (int64_t k = s->start[i]; k < s->start[i + 1]; k++)
        o += vgae_utf8_put(s->sym[k], o);
    *o = '\0';
    return buf;
}

/* UTF-8 both ways, on the edges of each length and the invalid forms. */
static void utf8_round_trip(void **state)
{
    (void)state;
    const uint32_t codes[] = {0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0xE9, 0x212B};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char buf[4];
        uint32_t back = 0;
        const int n = vgae_utf8_put(codes[i], buf);
        assert_int_equal(vgae_utf8_get((const unsigned char *)buf, (size_t)n, &back), n);
        assert_int_equal(back, codes[i]);
        assert_int_equal(vgae_utf8_get((const unsigned char *)buf, (size_t)n - 1, &back), n == 1 ? 0 : 0);
    }
    uint32_t c;
    const char *bad[] = {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF", "\xC3("};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vgae_utf8_get((const unsigned char *)bad[i], strlen(bad[i]), &c), 0);
}

static void sequence_files(void **state)
{
    vgae_ctx *ctx = *state;
    char dir[] = "/tmp/vgae-seqs-XXXXXX", path[96], text[256];
    assert_non_null(mkdtemp(dir));
    vgae_seqs s = {0};
    /* lines: kept whole (inner blanks too), blank lines and long ones counted, CRLF endings taken off */
    snprintf(path, sizeof path, "%s/words.txt", dir);
    const char words[] = "caf\xC3\xA9\r\n\nthe cat\nabcdefghij\nzebra\n";
    write_bytes(path, words, sizeof words - 1);
    assert_int_equal(vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 8, NULL, &s), VGAE_OK);
    assert_int_equal(s.count, 3);
    assert_string_equal(seq_text(&s, 0, text), "caf\xC3\xA9");
    assert_int_equal(s.start[1] - s.start[0], 4); /* é is one character */
    assert_string_equal(seq_text(&s, 1, text), "the cat");
    assert_string_equal(seq_text(&s, 2, text), "zebra");
    assert_int_equal(s.line[2], 5);
    assert_int_equal(s.blank, 1);
    assert_int_equal(s.too_long, 1);
    assert_int_equal(s.first_too_long, 4);
    assert_int_equal(s.longest, 7);
    vgae_alphabet a;
    assert_int_equal(vgae_alphabet_learn(ctx, &s, &a), VGAE_OK);
    assert_int_equal(a.size, 11); /* ' ' a b c e f h r t z and é */
    assert_int_equal(a.sym[0], ' ');
    assert_int_equal(a.sym[a.size - 1], 0xE9);
    assert_true(vgae_alphabet_find(&a, 'z') >= 0);
    assert_int_equal(vgae_alphabet_find(&a, 'q'), -1);
    vgae_seqs_free(&s);
    /* against that alphabet: a line with a character it lacks is counted and named */
    const char more[] = "cafe\nquiz\nbat\n";
    write_bytes(path, more, sizeof more - 1);
    assert_int_equal(vgae_seqs_read(ctx, path, VGAE_SEQ_LINES, 8, &a, &s), VGAE_OK);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.unknown, 1);
    assert_int_equal(s.first_unknown, 2);
    assert_int_equal(s.first_unknown_sym, 'q');
    vgae_seqs_free(&s);
    /* SMILES files: the first field; CSV: the first field, quotes taken off ("" is a quote) */
    snprintf(path, sizeof path, "%s/mols.smi", dir);
    const char smi[] = "CC1=CC(=O)C=CC1=O\t1\n  [O-][N+](=O)C1=CNC(=N)S1 4\n";
    write_bytes(path, smi, sizeof smi - 1);
    assert_int_equal(vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s), VGAE_OK);
    assert_int_equal(s.count, 2);
    assert_string_equal(seq_text(&s, 1, text), "[O-][N+](=O)C1=CNC(=N)S1");
    vgae_seqs_free(&s);
    snprintf(path, sizeof path, "%s/mols.csv", dir);
    const char csv[] = "\"N(NC(=O)C1CCC1)c2ccc(cc2)C(C)(C)C\",\"WEHI-0039854\"\nCCO,x\n\"a\"\"b\",c\n";
    write_bytes(path, csv, sizeof csv - 1);
    assert_int_equal(vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s), VGAE_OK);
    assert_int_equal(s.count, 3);
    assert_string_equal(seq_text(&s, 0, text), "N(NC(=O)C1CCC1)c2ccc(cc2)C(C)(C)C");
    assert_string_equal(seq_text(&s, 1, text), "CCO");
    assert_string_equal(seq_text(&s, 2, text), "a\"b");
    vgae_seqs_free(&s);
    /* bad files: each error names the file and line, and nothing is returned */
    const char quote[] = "\"CCO,x\n";
    write_bytes(path, quote, sizeof quote - 1);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s),
                          "mols.csv:1: a quoted field without its closing quote");
    assert_null(s.start);
    snprintf(path, sizeof path, "%s/junk.bin", dir);
    const char junk[] = "ok\n\x01\x02\xFF\xFE binary\n";
    write_bytes(path, junk, sizeof junk - 1);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s),
                          "junk.bin:2: byte 1 (0x01) is not UTF-8 text");
    const char nul[] = "ok\nab\0cd\n";
    write_bytes(path, nul, sizeof nul - 1);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s), "junk.bin:2: line contains a NUL byte");
    const char latin1[] = "caf\xE9\n";
    write_bytes(path, latin1, sizeof latin1 - 1);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s),
                          "junk.bin:1: byte 4 (0xe9) is not UTF-8");
    snprintf(path, sizeof path, "%s/empty.txt", dir);
    write_bytes(path, "", 0);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 100, NULL, &s), "empty.txt: no sequences");
    write_bytes(path, "\n \n", 3); /* a line of one blank is a sequence of one character */
    assert_int_equal(vgae_seqs_read(ctx, path, VGAE_SEQ_LINES, 100, NULL, &s), VGAE_OK);
    assert_int_equal(s.count, 1);
    vgae_seqs_free(&s);
    write_bytes(path, "abcdef\nabcdefg\n", 15);
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 5, NULL, &s),
                          "no sequence kept: 2 longer than 5 characters (the first on line 1)");
    assert_error_contains(ctx, vgae_seqs_read(ctx, path, VGAE_SEQ_AUTO, 0, NULL, &s), "at least 1 character");
    unlink(path);
    snprintf(path, sizeof path, "%s/junk.bin", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/mols.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/mols.smi", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/words.txt", dir);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
    /* one sequence given as text */
    assert_int_equal(vgae_seqs_from_text(ctx, "--from", "bat", 8, &a, &s), VGAE_OK);
    assert_int_equal(s.count, 1);
    vgae_seqs_free(&s);
    assert_error_contains(ctx, vgae_seqs_from_text(ctx, "--from", "bqt", 8, &a, &s),
                          "--from: character 2, 'q', is not in the model's alphabet");
    assert_error_contains(ctx, vgae_seqs_from_text(ctx, "--from", "", 8, &a, &s), "--from is empty");
    assert_error_contains(ctx, vgae_seqs_from_text(ctx, "--from", "abcabcabc", 8, &a, &s),
                          "has 9 characters, more than the model's 8");
    assert_error_contains(ctx, vgae_seqs_from_text(ctx, "--to", "a\xFF", 8, &a, &s), "--to: byte 2 is not UTF-8");
    vgae_seq_format f;
    assert_int_equal(vgae_seq_format_from_name(ctx, "smi", &f), VGAE_OK);
    assert_int_equal(f, VGAE_SEQ_SMI);
    assert_error_contains(ctx, vgae_seq_format_from_name(ctx, "fasta", &f), "unknown sequence format 'fasta'");
}

/* The reader behind every file reader counts past 2 GiB: a sparse file of
 * 2^31 + 2^26 bytes (no disk used) reads whole, in 1 MiB pieces, with its
 * last bytes where they belong; and a gzip file of two members reads as
 * the two contents in a row. */
static void reads_past_2_gib(void **state)
{
    vgae_ctx *ctx = *state;
    char path[] = "/tmp/vgae-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const int64_t size = ((int64_t)1 << 31) + ((int64_t)1 << 26);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    assert_int_equal(pwrite(fd, "end\n", 4, (off_t)(size - 4)), 4);
    close(fd);
    vgae_zin r;
    assert_int_equal(vgae_zin_open(ctx, &r, path), VGAE_OK);
    enum { PIECE = 1 << 20 };
    char *buf = malloc(PIECE);
    int64_t total = 0;
    size_t got;
    char last[4] = {0};
    for (;;) {
        assert_int_equal(vgae_zin_read(ctx, &r, buf, PIECE, &got), VGAE_OK);
        if (!got)
            break;
        total += (int64_t)got;
        if (got >= 4)
            memcpy(last, buf + got - 4, 4);
    }
    vgae_zin_close(&r);
    unlink(path);
    assert_true(total == size);
    assert_memory_equal(last, "end\n", 4);
    /* two gzip members: their contents in a row */
    char gz[] = "/tmp/vgae-members-XXXXXX";
    fd = mkstemp(gz);
    assert_true(fd >= 0);
    close(fd);
    for (int k = 0; k < 2; k++) {
        gzFile g = gzopen(gz, k ? "ab" : "wb");
        assert_non_null(g);
        assert_true(gzputs(g, k ? "second\n" : "first\n") > 0);
        assert_int_equal(gzclose(g), Z_OK);
    }
    assert_int_equal(vgae_zin_open(ctx, &r, gz), VGAE_OK);
    size_t n = 0;
    while (vgae_zin_read(ctx, &r, buf + n, 3, &got) == VGAE_OK && got)
        n += got;
    vgae_zin_close(&r);
    unlink(gz);
    buf[n] = 0;
    assert_string_equal(buf, "first\nsecond\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dense_array_features, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(coordinate_features_sum_repeats_and_drop_zeros, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(repeated_features_are_summed_in_double, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(labels_count_classes_and_unknowns, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bad_label_names_file_and_line, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(dataset_found_on_the_search_path, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(dataset_folder_loads_all_three_parts, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(feature_rows_must_match_nodes, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(cora_figures, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(dataset_by_name, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(sparse_copy_and_checksum, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(pair_files, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(reads_past_2_gib, setup_ctx, teardown_ctx),
        cmocka_unit_test(utf8_round_trip),
        cmocka_unit_test_setup_teardown(sequence_files, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
