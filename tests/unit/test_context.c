/* Tests of the context: error messages, logging, and the routing of igraph's and CHOLMOD's errors. */
#include "testutil.h"

#include "core/internal.h"
#include "core/libguard.h"

static void fail_at_names_file_and_line(void **state)
{
    vgae_ctx *ctx = *state;
    assert_int_equal(vgae_fail_at(ctx, VGAE_EFORMAT, "g.mtx", 7, "bad %s", "thing"), VGAE_EFORMAT);
    assert_string_equal(vgae_ctx_message(ctx), "g.mtx:7: bad thing");
    assert_int_equal(vgae_ctx_status(ctx), VGAE_EFORMAT);
    vgae_fail_at(ctx, VGAE_EIO, "g.mtx", 0, "gone\n");
    assert_string_equal(vgae_ctx_message(ctx), "g.mtx: gone"); /* one line, no trailing newline */
    vgae_fail_prefix(ctx, "while %s: ", "loading");
    assert_string_equal(vgae_ctx_message(ctx), "while loading: g.mtx: gone");
    vgae_ctx_clear(ctx);
    assert_string_equal(vgae_ctx_message(ctx), "");
    assert_int_equal(vgae_ctx_status(ctx), VGAE_OK);
}

typedef struct seen {
    int count;
    vgae_log_level level;
    char line[256];
} seen;

static void remember(void *user, vgae_log_level level, const char *message)
{
    seen *s = user;
    s->count++;
    s->level = level;
    snprintf(s->line, sizeof s->line, "%s", message);
}

static void log_respects_the_minimum_level(void **state)
{
    vgae_ctx *ctx = *state;
    seen s = {0};
    vgae_ctx_set_log(ctx, remember, &s, VGAE_LOG_NOTE);
    vgae_log(ctx, VGAE_LOG_INFO, "quiet %d", 1);
    assert_int_equal(s.count, 0);
    vgae_log(ctx, VGAE_LOG_WARN, "loud %d", 2);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.level, VGAE_LOG_WARN);
    assert_string_equal(s.line, "loud 2");
}

static void cholmod_errors_land_in_the_context(void **state)
{
    vgae_ctx *ctx = *state;
    cholmod_common *cm = vgae_cholmod(ctx);
    double one[2] = {1, 0};
    cholmod_sparse *a = cholmod_speye(2, 2, CHOLMOD_REAL, cm);
    cholmod_sparse *b = cholmod_speye(3, 3, CHOLMOD_REAL, cm);
    /* adding matrices of different sizes is an error CHOLMOD reports, not prints */
    assert_null(cholmod_add(a, b, one, one, 1, 1, vgae_cholmod(ctx)));
    assert_int_equal(vgae_ctx_status(ctx), VGAE_EINTERNAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "CHOLMOD: "));
    cholmod_free_sparse(&a, cm);
    cholmod_free_sparse(&b, cm);
}

static void igraph_errors_do_not_abort(void **state)
{
    vgae_ctx *ctx = *state;
    vgae_igraph_guard guard;
    igraph_vector_int_t edges;
    igraph_t g;
    igraph_error_t err;
    igraph_error_handler_t *outside;
    igraph_vector_int_init(&edges, 2);
    VECTOR(edges)[0] = 0;
    VECTOR(edges)[1] = -1; /* a negative vertex id: igraph's default handler would abort */
    vgae_igraph_enter(ctx, &guard, NULL);
    err = igraph_create(&g, &edges, 2, IGRAPH_UNDIRECTED);
    assert_int_not_equal(err, IGRAPH_SUCCESS);
    assert_int_equal(vgae_igraph_fail(ctx, err, "creating"), VGAE_EINTERNAL);
    assert_non_null(strstr(vgae_ctx_message(ctx), "vertex ID")); /* igraph's own reason */
    vgae_igraph_leave(&guard);
    igraph_vector_int_destroy(&edges);
    /* leave put back whatever handler was there before enter */
    outside = igraph_set_error_handler(igraph_error_handler_printignore);
    assert_ptr_equal(outside, guard.old_error);
    igraph_set_error_handler(outside);
}

static void version_is_set(void **state)
{
    (void)state;
    assert_true(strlen(vgae_version()) >= 5);
    assert_string_equal(vgae_status_name(VGAE_OK), "ok");
    assert_string_equal(vgae_status_name(VGAE_ENOMEM), "out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fail_at_names_file_and_line, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(log_respects_the_minimum_level, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(cholmod_errors_land_in_the_context, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(igraph_errors_do_not_abort, setup_ctx, teardown_ctx),
        cmocka_unit_test(version_is_set),
    };
    return cmocka_run_group_tests_name("context", tests, NULL, NULL);
}
