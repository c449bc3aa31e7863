/* Tests of the feature and label readers and of dataset lookup and loading. */
#include <unistd.h>

#include "testutil.h"

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
    };
    return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
