/* Tests of the node embedding export: exact bytes of each format, round trips, errors leaving no file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpdir.h"

/* 3 nodes x 2 dims; "%.9g" gives 0.1f as 0.100000001 and 1e-8f as 9.99999994e-09 */
static const float small[] = {0.5f, -1.25f, 0.1f, 3.0f, 1e-8f, 123456.789f};
static char *const small_names[] = {"alpha", "beta", "gamma"};

/* ---- a fresh folder under /tmp per test, removed afterwards ---- */


/* The whole file (NUL-terminated too), its length in *len; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, used = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (used + 4097 > cap) {
            cap = cap * 2 + 8192;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t got = fread(buf + used, 1, 4096, f);
        used += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    buf[used] = '\0';
    *len = used;
    return buf;
}

static void assert_file_bytes(const char *path, const char *want, size_t want_len)
{
    size_t len = 0;
    char *got = slurp(path, &len);
    if (!got)
        fail_msg("cannot read %s", path);
    if (len != want_len || memcmp(got, want, len) != 0)
        fail_msg("%s: got %zu bytes:\n%.*s\nwant %zu bytes:\n%.*s", path, len, (int)len, got, want_len,
                 (int)want_len, want);
    free(got);
}

static void assert_file_text(const char *path, const char *want)
{
    assert_file_bytes(path, want, strlen(want));
}


/* ---- format names ---- */

static void format_names_and_guesses(void **state)
{
    fixture *fx = *state;
    vgae_embed_format f = VGAE_EMBED_MTX;
    static const char *names[] = {"w2v", "tsv", "npy", "mtx"};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(vgae_embed_format_from_name(fx->ctx, names[k], &f), VGAE_OK);
        assert_int_equal(f, k);
        assert_string_equal(vgae_embed_format_name(f), names[k]);
    }
    assert_string_equal(vgae_embed_format_name((vgae_embed_format)9), "unknown");
    f = VGAE_EMBED_TSV;
    assert_error_contains(fx->ctx, vgae_embed_format_from_name(fx->ctx, "csv", &f),
                          "unknown embedding format 'csv' (w2v, tsv, npy or mtx)");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_EINVAL);
    assert_int_equal(f, VGAE_EMBED_TSV); /* untouched on error */
    assert_error_contains(fx->ctx, vgae_embed_format_from_name(fx->ctx, "W2V", &f), "'W2V'");

    assert_int_equal(vgae_embed_format_guess("out/emb.w2v"), VGAE_EMBED_W2V);
    assert_int_equal(vgae_embed_format_guess("emb.txt"), VGAE_EMBED_W2V);
    assert_int_equal(vgae_embed_format_guess("emb.vec"), VGAE_EMBED_W2V);
    assert_int_equal(vgae_embed_format_guess("emb.TSV"), VGAE_EMBED_TSV);
    assert_int_equal(vgae_embed_format_guess("a.b/emb.npy"), VGAE_EMBED_NPY);
    assert_int_equal(vgae_embed_format_guess("emb.mtx"), VGAE_EMBED_MTX);
    assert_int_equal(vgae_embed_format_guess("emb.csv"), -1);
    assert_int_equal(vgae_embed_format_guess("emb.mtx.gz"), -1);
    assert_int_equal(vgae_embed_format_guess("a.npy/emb"), -1);
    assert_int_equal(vgae_embed_format_guess("out/.npy"), -1);
    assert_int_equal(vgae_embed_format_guess("emb."), -1);
    assert_int_equal(vgae_embed_format_guess("-"), -1);
    assert_int_equal(vgae_embed_format_guess(NULL), -1);
}

/* ---- exact bytes ---- */

static void w2v_exact(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.w2v");
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, small_names), VGAE_OK);
    assert_file_text(p, "3 2\n"
                        "alpha 0.5 -1.25\n"
                        "beta 0.100000001 3\n"
                        "gamma 9.99999994e-09 123456.789\n");
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, NULL), VGAE_OK);
    assert_file_text(p, "3 2\n"
                        "0 0.5 -1.25\n"
                        "1 0.100000001 3\n"
                        "2 9.99999994e-09 123456.789\n");
    assert_int_equal(count_entries(fx->dir), 1); /* no temporary file left beside it */
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    /* no nodes: just the header */
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, NULL, 0, 5, NULL), VGAE_OK);
    assert_file_text(p, "0 5\n");
}

static void tsv_exact(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.tsv");
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, 3, 2, small_names), VGAE_OK);
    assert_file_text(p, "node\td0\td1\n"
                        "alpha\t0.5\t-1.25\n"
                        "beta\t0.100000001\t3\n"
                        "gamma\t9.99999994e-09\t123456.789\n");
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, 3, 2, NULL), VGAE_OK);
    assert_file_text(p, "node\td0\td1\n"
                        "0\t0.5\t-1.25\n"
                        "1\t0.100000001\t3\n"
                        "2\t9.99999994e-09\t123456.789\n");
    /* spaces are fine in tsv names */
    static char *const spaced[] = {"new york", "b", "c"};
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, 3, 2, spaced), VGAE_OK);
    size_t len;
    char *got = slurp(p, &len);
    assert_non_null(got);
    assert_non_null(strstr(got, "\nnew york\t0.5\t-1.25\n"));
    free(got);
}

static void mtx_exact(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.mtx");
    static const char want[] = "%%MatrixMarket matrix array real general\n"
                               "% vgae node embeddings: row i is node i\n"
                               "3 2\n"
                               "0.5\n0.100000001\n9.99999994e-09\n" /* column 0 */
                               "-1.25\n3\n123456.789\n";            /* column 1 */
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_MTX, small, 3, 2, small_names), VGAE_OK);
    assert_file_text(p, want);
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_MTX, small, 3, 2, NULL), VGAE_OK);
    assert_file_text(p, want); /* names are not stored */
}

/* The .npy layout spelled out byte by byte. */
static void npy_exact(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.npy");
    static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    static const unsigned char values[] = {
        0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0xa0, 0xbf, /* 0.5, -1.25 */
        0xcd, 0xcc, 0xcc, 0x3d, 0x00, 0x00, 0x40, 0x40, /* 0.1, 3 */
        0x77, 0xcc, 0x2b, 0x32, 0x65, 0x20, 0xf1, 0x47, /* 1e-8, 123456.789 */
    };
    char want[128 + sizeof values];
    size_t dict_len = sizeof dict - 1;
    /* 10 + 59 + 58 spaces + '\n' = 128 */
    memcpy(want, "\x93NUMPY\x01\x00", 8);
    want[8] = 118; /* header length, little-endian uint16 */
    want[9] = 0;
    memcpy(want + 10, dict, dict_len);
    memset(want + 10 + dict_len, ' ', 127 - 10 - dict_len);
    want[127] = '\n';
    memcpy(want + 128, values, sizeof values);

    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_NPY, small, 3, 2, small_names), VGAE_OK);
    assert_file_bytes(p, want, sizeof want);
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_NPY, small, 3, 2, NULL), VGAE_OK);
    assert_file_bytes(p, want, sizeof want);
}

/* Parses the header as a reader would: magic, version, length, dict, alignment. */
static void check_npy_header(const char *path, const char *shape, size_t n_values)
{
    size_t len = 0;
    unsigned char *b = (unsigned char *)slurp(path, &len);
    assert_non_null(b);
    assert_true(len >= 10);
    assert_memory_equal(b, "\x93NUMPY", 6);
    assert_int_equal(b[6], 1);
    assert_int_equal(b[7], 0);
    size_t hlen = (size_t)b[8] | (size_t)b[9] << 8;
    assert_int_equal((10 + hlen) % 64, 0);
    assert_int_equal(len, 10 + hlen + 4 * n_values);
    assert_int_equal(b[10 + hlen - 1], '\n');
    char *header = (char *)b + 10;
    header[hlen - 1] = '\0';
    assert_int_equal(header[0], '{');
    char *end = strrchr(header, '}');
    assert_non_null(end);
    for (char *q = end + 1; *q; q++)
        assert_int_equal(*q, ' ');
    assert_non_null(strstr(header, "'descr': '<f4'"));
    assert_non_null(strstr(header, "'fortran_order': False"));
    assert_non_null(strstr(header, shape));
    free(b);
}

static void npy_header_alignment(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.npy");
    static const float zeros[40] = {0};
    char shape[64];
    /* shapes whose dict lengths cross the 64-byte boundaries */
    static const int64_t shapes[][2] = {{0, 1}, {1, 1}, {3, 2}, {4, 10}, {10, 4}, {40, 1}, {1, 40}, {8, 5}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int64_t n = shapes[k][0], d = shapes[k][1];
        assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_NPY, zeros, n, d, NULL), VGAE_OK);
        snprintf(shape, sizeof shape, "'shape': (%lld, %lld), }", (long long)n, (long long)d);
        check_npy_header(p, shape, (size_t)(n * d));
    }
}

/* "%.9g" reads back as the same float, including the extremes and a subnormal. */
static void w2v_round_trips_floats(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "round.w2v");
    const float v[] = {FLT_MIN, FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, 0.1f, 1.0f / 3.0f, -0.0f,
                       nextafterf(1.0f, 2.0f), 16777215.0f, 3.4e-39f, -7e-45f, 1e10f};
    enum { N = sizeof v / sizeof v[0] };
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, v, N / 2, 2, NULL), VGAE_OK);
    size_t len;
    char *text = slurp(p, &len);
    assert_non_null(text);
    char *q = strchr(text, '\n') + 1;
    for (int k = 0; k < N; k++) {
        if (k % 2 == 0) { /* skip the node name */
            assert_int_equal(strtol(q, &q, 10), k / 2);
        }
        char *end;
        float back = strtof(q, &end);
        assert_true(end > q);
        assert_memory_equal(&back, &v[k], sizeof back);
        q = end;
    }
    assert_string_equal(q, "\n");
    free(text);
}

/* "-" writes to standard output (redirected to a file here). */
static void dash_is_standard_output(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "stdout.tsv");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    close(fd);
    vgae_status st = vgae_embed_write(fx->ctx, "-", VGAE_EMBED_TSV, small, 1, 2, small_names);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(st, VGAE_OK);
    assert_file_text(p, "node\td0\td1\nalpha\t0.5\t-1.25\n");
}

/* ---- errors: the right message, and nothing left in the folder ---- */

static void bad_names(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.w2v");
    char *names[] = {"a", "b c", "d"};
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "emb.w2v: node 1 name 'b c' contains whitespace; word2vec text cannot hold it");
    names[1] = "b\tc";
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "node 1 name 'b c' contains whitespace"); /* the tab shows as a space */
    names[1] = "b";
    names[2] = "d\r";
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "node 2 name 'd ' contains whitespace");
    names[2] = "caf\xe9"; /* Latin-1, not UTF-8 */
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "node 2 name 'caf\xe9' is not valid UTF-8");
    names[2] = "\xed\xa0\x80"; /* a UTF-16 surrogate */
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "is not valid UTF-8");
    names[2] = "";
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_EINVAL,
                         "node 2 has an empty name; word2vec text cannot hold it");
    names[2] = NULL;
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_NPY, small, 3, 2, names), VGAE_EINVAL,
                         "the name of node 2 is NULL");

    const char *t = in_dir(fx, "emb.tsv");
    names[2] = "d";
    names[0] = "x\ty";
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, t, VGAE_EMBED_TSV, small, 3, 2, names), VGAE_EINVAL,
                         "emb.tsv: node 0 name 'x y' contains a tab or line break; tsv cannot hold it");
    names[0] = "x\ny";
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, t, VGAE_EMBED_TSV, small, 3, 2, names), VGAE_EINVAL,
                         "node 0 name 'x y' contains a tab or line break");

    /* UTF-8 names are fine, and npy and mtx ignore names altogether */
    names[0] = "caf\xc3\xa9";
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, small, 3, 2, names), VGAE_OK);
    names[0] = "x y";
    assert_int_equal(vgae_embed_write(fx->ctx, in_dir(fx, "e.mtx"), VGAE_EMBED_MTX, small, 3, 2, names), VGAE_OK);
}

static void bad_values_and_shapes(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.w2v");
    float v[6];
    memcpy(v, small, sizeof v);
    v[5] = NAN;
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_W2V, v, 3, 2, small_names), VGAE_EINVAL,
                         "emb.w2v: embedding of node 2 ('gamma'), column 1 is nan, not a finite number");
    v[5] = 1;
    v[2] = -INFINITY;
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, in_dir(fx, "e.npy"), VGAE_EMBED_NPY, v, 3, 2, NULL),
                         VGAE_EINVAL, "e.npy: embedding of node 1, column 0 is -inf, not a finite number");
    v[2] = INFINITY;
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_MTX, v, 3, 2, NULL), VGAE_EINVAL,
                         "node 1, column 0 is inf");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, -1, 2, NULL), VGAE_EINVAL,
                         "embedding shape -1 x 2 is invalid");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, 3, 0, NULL), VGAE_EINVAL,
                         "embedding shape 3 x 0 is invalid");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, small, INT64_MAX / 2, 4, NULL),
                         VGAE_EINVAL, "is too large");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, NULL, 3, 2, NULL), VGAE_EINVAL,
                         "embedding data is NULL for 3 x 2 values");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, p, (vgae_embed_format)7, small, 3, 2, NULL), VGAE_EINVAL,
                         "embedding format 7 is not one of");
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, NULL, VGAE_EMBED_TSV, small, 3, 2, NULL), VGAE_EINVAL,
                         "no output path given");
}

static void bad_paths(void **state)
{
    fixture *fx = *state;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope/emb.w2v", fx->dir);
    assert_fails_cleanly(fx, vgae_embed_write(fx->ctx, missing, VGAE_EMBED_W2V, small, 3, 2, NULL), VGAE_EIO,
                         "nope/emb.w2v: cannot write: No such file or directory");

    const char *sub = in_dir(fx, "folder.npy");
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_error_contains(fx->ctx, vgae_embed_write(fx->ctx, sub, VGAE_EMBED_NPY, small, 3, 2, NULL),
                          "folder.npy: is a directory");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_EIO);
    assert_int_equal(count_entries(fx->dir), 1); /* the folder itself */
    assert_int_equal(count_entries(sub), 0);
}

/* A failed write leaves an existing file as it was. */
static void failure_keeps_the_old_file(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "emb.tsv");
    float v[6];
    memcpy(v, small, sizeof v);
    assert_int_equal(vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, v, 1, 2, NULL), VGAE_OK);
    v[4] = NAN;
    assert_error_contains(fx->ctx, vgae_embed_write(fx->ctx, p, VGAE_EMBED_TSV, v, 3, 2, NULL), "is nan");
    assert_file_text(p, "node\td0\td1\n0\t0.5\t-1.25\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

/* With VGAE_EMBED_OUT set, writes emb.npy, emb.w2v, emb.tsv and emb.mtx there for
 * tests/cli/embed_numpy.py to compare with numpy; otherwise does nothing. */
static void export_for_numpy(void **state)
{
    fixture *fx = *state;
    const char *dir = getenv("VGAE_EMBED_OUT");
    static const char *const files[] = {"emb.w2v", "emb.tsv", "emb.npy", "emb.mtx"};
    static char *const names[] = {"alpha", "caf\xc3\xa9", "\xce\xa9", "x/y", "1e5"};
    const float v[] = {0.1f,   -2.5f,   1e-8f,  FLT_MAX, FLT_MIN, FLT_TRUE_MIN, 123456.789f, -0.0f,
                       1.0f / 3, 7.0f,  -1e30f, 0.0f,    65504.f, -3.25e-20f,   2.0f};
    char path[512];
    if (!dir || !*dir)
        return;
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        if (vgae_embed_write(fx->ctx, path, (vgae_embed_format)k, v, 5, 3, names) != VGAE_OK)
            fail_msg("%s", vgae_ctx_message(fx->ctx));
    }
}

/* The atomic writer every output goes through: nothing at the target until
 * commit, the whole file after it; abort leaves the old file and no
 * temporary; a folder or a missing folder is refused naming the path. */
static void outfile_whole_or_nothing(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "out.txt");
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    vgae_outfile *out = NULL;
    assert_int_equal(vgae_outfile_open(fx->ctx, path, &out), VGAE_OK);
    assert_string_equal(vgae_outfile_path(out), path);
    fputs("new\n", vgae_outfile_stream(out));
    assert_file_text(path, "old\n");
    assert_int_equal(count_entries(fx->dir), 2); /* the file and the temporary beside it */
    vgae_outfile_abort(out);
    assert_file_text(path, "old\n");
    assert_int_equal(count_entries(fx->dir), 1);
    assert_int_equal(vgae_outfile_open(fx->ctx, path, &out), VGAE_OK);
    fputs("new\n", vgae_outfile_stream(out));
    assert_int_equal(vgae_outfile_commit(fx->ctx, out), VGAE_OK);
    assert_file_text(path, "new\n");
    assert_int_equal(count_entries(fx->dir), 1);
    vgae_outfile_abort(NULL);
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope/x.txt", fx->dir);
    out = (vgae_outfile *)1;
    assert_error_contains(fx->ctx, vgae_outfile_open(fx->ctx, missing, &out), "nope/x.txt: cannot write");
    assert_null(out);
    assert_error_contains(fx->ctx, vgae_outfile_open(fx->ctx, fx->dir, &out), "is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(format_names_and_guesses, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(w2v_exact, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(tsv_exact, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(mtx_exact, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(npy_exact, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(npy_header_alignment, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(w2v_round_trips_floats, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(dash_is_standard_output, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(bad_names, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(bad_values_and_shapes, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(outfile_whole_or_nothing, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(bad_paths, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(failure_keeps_the_old_file, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(export_for_numpy, tmpdir_setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests_name("embed", tests, NULL, NULL);
}
