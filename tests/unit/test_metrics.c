/* Tests of ROC AUC and average precision against fixed values computed once with scikit-learn. */
#include <math.h>

#include "testutil.h"

/* ---- fixtures: the output of tests/unit/metrics_fixtures.py (scikit-learn 1.2.1, numpy 1.24.2) ---- */

/* 1. small, hand-checkable. AUC: of the 2 x 2 (positive, negative) pairs the positive 0.8 beats
 * both negatives and 0.35 beats 0.1 only: 3/4. AP: thresholds 0.8, 0.4, 0.35 give (TP, FP) =
 * (1, 0), (1, 1), (2, 1); recall steps of 1/2 at precision 1 and 2/3: 1/2 + 1/3 = 5/6. */
static const double small_s[] = {0.10000000000000001, 0.40000000000000002, 0.34999999999999998, 0.80000000000000004};
static const uint8_t small_y[] = {0, 0, 1, 1};
#define SMALL_AUC 0.75
#define SMALL_AP 0.83333333333333326
/* 2. heavy ties: every score is 0.2, 0.5 or 0.9 */
static const double ties_s[] = {0.5, 0.20000000000000001, 0.90000000000000002, 0.5, 0.5, 0.20000000000000001, 0.90000000000000002, 0.20000000000000001, 0.5, 0.90000000000000002, 0.20000000000000001, 0.5, 0.20000000000000001, 0.90000000000000002, 0.5, 0.20000000000000001, 0.5, 0.20000000000000001};
static const uint8_t ties_y[] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1};
#define TIES_AUC 0.68125000000000002
#define TIES_AP 0.59690656565656564
/* 3. all scores tied */
static const double flat_s[] = {0.69999999999999996, 0.69999999999999996, 0.69999999999999996, 0.69999999999999996, 0.69999999999999996};
static const uint8_t flat_y[] = {0, 1, 0, 1, 0};
#define FLAT_AUC 0.5
#define FLAT_AP 0.40000000000000002
/* 4. perfect and inverted separation */
static const double sep_s[] = {0.90000000000000002, 0.80000000000000004, 0.69999999999999996, 0.29999999999999999, 0.20000000000000001, 0.10000000000000001};
static const uint8_t perfect_y[] = {1, 1, 1, 0, 0, 0};
static const uint8_t inverted_y[] = {0, 0, 0, 1, 1, 1};
#define PERFECT_AUC 1
#define PERFECT_AP 1
#define INVERTED_AUC 0
#define INVERTED_AP 0.38333333333333336
/* 5. sigmoid of logits {50, 40, 37, 120, 12, 3.5, 38, 45, -1} (positives) and {60, 39, 100, 2,
 * -4, 36.8, 0.5, 41} (negatives): beyond ~36.7 the sigmoid is exactly 1.0 in double, so 6
 * positives and 5 negatives tie at 1.0 */
static const double sat_pos[] = {1, 1, 1, 1, 0.99999385582539779, 0.97068776924864364, 1, 1, 0.2689414213699951};
static const double sat_neg[] = {1, 1, 1, 0.88079707797788254, 0.017986209962091559, 1, 0.62245933120185459, 1};
#define SAT_AUC 0.55555555555555558
#define SAT_AP 0.55932724682724677
/* 6. large: rebuilt below by big_case, as by large_case() in the script */
#define BIG_N 2000
#define BIG_SEED 12345
#define BIG_N_POS 305
#define BIG_KSUM 106818
#define BIG_AUC 0.76375743507906579
#define BIG_AP 0.51217699590856958

#define COUNT(a) ((int64_t)(sizeof(a) / sizeof((a)[0])))

/* Relative tolerance 1e-12. Both sides compute the same rationals in double: here the AUC's
 * numerator is a sum of integers (exact) divided once, so it is correctly rounded; scikit-learn
 * divides first (FPR, TPR) and then sums trapezoids, and both sides add one rounded precision per
 * threshold for the AP. With at most 101 thresholds in these cases the two differ by about
 * 100 * 2^-53 ~ 1e-14 relative. A wrong rule for ties moves the result by at least one pair in
 * 2 P N (1.5e-6 in the large case), far above the tolerance. Exact zeros must come out exact. */
static void assert_close(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fabs(want)))
        fail_msg("got %.17g, want %.17g (difference %.3g)", got, want, got - want);
}

static void check_both(vgae_ctx *ctx, const double *s, const uint8_t *y, int64_t n, double want_auc,
                       double want_ap)
{
    double auc = -1, ap = -1;
    assert_int_equal(vgae_roc_auc(ctx, s, y, n, &auc), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, s, y, n, &ap), VGAE_OK);
    assert_close(auc, want_auc);
    assert_close(ap, want_ap);
}

/* Same bits from vgae_link_metrics on the positives and negatives split apart. */
static void check_link_matches(vgae_ctx *ctx, const double *s, const uint8_t *y, int64_t n)
{
    double *pos = malloc((size_t)n * sizeof *pos), *neg = malloc((size_t)n * sizeof *neg);
    int64_t n_pos = 0, n_neg = 0;
    double auc, ap, link_auc, link_ap;
    assert_non_null(pos);
    assert_non_null(neg);
    for (int64_t k = 0; k < n; k++) {
        if (y[k])
            pos[n_pos++] = s[k];
        else
            neg[n_neg++] = s[k];
    }
    assert_int_equal(vgae_roc_auc(ctx, s, y, n, &auc), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, s, y, n, &ap), VGAE_OK);
    assert_int_equal(vgae_link_metrics(ctx, pos, n_pos, neg, n_neg, &link_auc, &link_ap), VGAE_OK);
    assert_memory_equal(&link_auc, &auc, sizeof auc);
    assert_memory_equal(&link_ap, &ap, sizeof ap);
    /* the set's figures, and the same sorting the arrays in place: the same bits */
    const vgae_hits_ks ks = {4, {1, 3, 10, 1000000}};
    vgae_set_figures copy, in_place;
    assert_int_equal(vgae_set_metrics(ctx, pos, n_pos, neg, n_neg, NULL, 0, &ks, &copy), VGAE_OK);
    assert_int_equal(vgae_set_metrics_sorting(ctx, pos, n_pos, neg, n_neg, &ks, &in_place), VGAE_OK);
    assert_memory_equal(&copy.auc, &auc, sizeof auc);
    assert_memory_equal(&in_place.auc, &auc, sizeof auc);
    assert_memory_equal(&in_place.ap, &ap, sizeof ap);
    assert_memory_equal(in_place.hits, copy.hits, sizeof copy.hits[0] * (size_t)ks.n);
    for (int64_t k = 1; k < n_pos; k++) /* and it sorted them, highest first */
        assert_false(pos[k] > pos[k - 1]);
    free(pos);
    free(neg);
}

/* The 64-bit LCG of metrics_fixtures.py (Knuth's MMIX constants), top 31 bits. */
static uint64_t lcg_next(uint64_t *state)
{
    *state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *state >> 33;
}

/* About 15% positives; scores k / 100 with positives 0.30 higher, clamped at 1.00. Returns the
 * sum of the k, to check that this is the script's data. */
static int64_t big_case(double *s, uint8_t *y)
{
    uint64_t state = BIG_SEED;
    int64_t ksum = 0;
    for (int64_t i = 0; i < BIG_N; i++) {
        int positive = lcg_next(&state) % 100 < 15;
        uint64_t k = lcg_next(&state) % 100;
        if (positive)
            k = k + 30 > 100 ? 100 : k + 30;
        s[i] = (double)k / 100.0;
        y[i] = (uint8_t)positive;
        ksum += (int64_t)k;
    }
    return ksum;
}

static void small_hand_checkable(void **state)
{
    vgae_ctx *ctx = *state;
    check_both(ctx, small_s, small_y, COUNT(small_s), SMALL_AUC, SMALL_AP);
    check_both(ctx, small_s, small_y, COUNT(small_s), 3.0 / 4.0, 5.0 / 6.0);
    check_link_matches(ctx, small_s, small_y, COUNT(small_s));
}

static void heavy_ties(void **state)
{
    vgae_ctx *ctx = *state;
    enum { N = COUNT(ties_s) };
    double s[N], auc, ap, auc2, ap2;
    uint8_t y[N];
    check_both(ctx, ties_s, ties_y, N, TIES_AUC, TIES_AP);
    check_link_matches(ctx, ties_s, ties_y, N);
    /* the reversed input orders the tied items differently: the same bits */
    for (int k = 0; k < N; k++) {
        s[k] = ties_s[N - 1 - k];
        y[k] = ties_y[N - 1 - k];
    }
    assert_int_equal(vgae_roc_auc(ctx, ties_s, ties_y, N, &auc), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, ties_s, ties_y, N, &ap), VGAE_OK);
    assert_int_equal(vgae_roc_auc(ctx, s, y, N, &auc2), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, s, y, N, &ap2), VGAE_OK);
    assert_memory_equal(&auc, &auc2, sizeof auc);
    assert_memory_equal(&ap, &ap2, sizeof ap);
}

static void all_scores_tied(void **state)
{
    vgae_ctx *ctx = *state;
    check_both(ctx, flat_s, flat_y, COUNT(flat_s), FLAT_AUC, FLAT_AP);
    check_link_matches(ctx, flat_s, flat_y, COUNT(flat_s));
}

static void perfect_and_inverted(void **state)
{
    vgae_ctx *ctx = *state;
    check_both(ctx, sep_s, perfect_y, COUNT(sep_s), PERFECT_AUC, PERFECT_AP);
    check_both(ctx, sep_s, inverted_y, COUNT(sep_s), INVERTED_AUC, INVERTED_AP);
    check_link_matches(ctx, sep_s, perfect_y, COUNT(sep_s));
    check_link_matches(ctx, sep_s, inverted_y, COUNT(sep_s));
}

static void saturated_sigmoid(void **state)
{
    vgae_ctx *ctx = *state;
    enum { NP = COUNT(sat_pos), NN = COUNT(sat_neg) };
    double s[NP + NN], auc, ap;
    uint8_t y[NP + NN];
    assert_int_equal(vgae_link_metrics(ctx, sat_pos, NP, sat_neg, NN, &auc, &ap), VGAE_OK);
    assert_close(auc, SAT_AUC);
    assert_close(ap, SAT_AP);
    for (int k = 0; k < NP + NN; k++) {
        s[k] = k < NP ? sat_pos[k] : sat_neg[k - NP];
        y[k] = k < NP;
    }
    check_both(ctx, s, y, NP + NN, SAT_AUC, SAT_AP);
    check_link_matches(ctx, s, y, NP + NN);
}

static void large_random(void **state)
{
    vgae_ctx *ctx = *state;
    double *s = malloc(BIG_N * sizeof *s), *s2 = malloc(BIG_N * sizeof *s2), auc, ap, auc2, ap2;
    uint8_t *y = malloc(BIG_N), *y2 = malloc(BIG_N);
    int64_t n_pos = 0;
    uint64_t lcg = 7;
    assert_true(s && s2 && y && y2);
    assert_int_equal(big_case(s, y), BIG_KSUM); /* the same data as the script's */
    for (int64_t k = 0; k < BIG_N; k++)
        n_pos += y[k];
    assert_int_equal(n_pos, BIG_N_POS);
    check_both(ctx, s, y, BIG_N, BIG_AUC, BIG_AP);
    check_link_matches(ctx, s, y, BIG_N);

    /* a shuffled copy (Fisher-Yates): the same bits */
    memcpy(s2, s, BIG_N * sizeof *s);
    memcpy(y2, y, BIG_N);
    for (int64_t k = BIG_N - 1; k > 0; k--) {
        int64_t j = (int64_t)(lcg_next(&lcg) % (uint64_t)(k + 1));
        double ts = s2[k];
        uint8_t ty = y2[k];
        s2[k] = s2[j];
        y2[k] = y2[j];
        s2[j] = ts;
        y2[j] = ty;
    }
    assert_int_equal(vgae_roc_auc(ctx, s, y, BIG_N, &auc), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, s, y, BIG_N, &ap), VGAE_OK);
    assert_int_equal(vgae_roc_auc(ctx, s2, y2, BIG_N, &auc2), VGAE_OK);
    assert_int_equal(vgae_average_precision(ctx, s2, y2, BIG_N, &ap2), VGAE_OK);
    assert_memory_equal(&auc, &auc2, sizeof auc);
    assert_memory_equal(&ap, &ap2, sizeof ap);
    free(s);
    free(s2);
    free(y);
    free(y2);
}

static void only_one_class(void **state)
{
    vgae_ctx *ctx = *state;
    static const double s[] = {0.3, 0.1, 0.2};
    static const uint8_t zeros[] = {0, 0, 0}, ones[] = {1, 1, 1};
    double out = 0;
    assert_error_contains(ctx, vgae_roc_auc(ctx, s, zeros, 3, &out),
                          "roc auc: all 3 labels are 0; both classes are needed");
    assert_true(isnan(out));
    assert_int_equal(vgae_ctx_status(ctx), VGAE_EINVAL);
    assert_error_contains(ctx, vgae_roc_auc(ctx, s, ones, 3, &out),
                          "roc auc: all 3 labels are 1; both classes are needed");
    /* scikit-learn 1.2 warns and returns 0 here; vgae refuses */
    assert_error_contains(ctx, vgae_average_precision(ctx, s, zeros, 3, &out),
                          "average precision: all 3 labels are 0; at least one positive is needed");
    assert_true(isnan(out));
    /* all positive: precision 1 at every threshold, as in scikit-learn */
    vgae_ctx_clear(ctx);
    assert_int_equal(vgae_average_precision(ctx, s, ones, 3, &out), VGAE_OK);
    assert_true(out == 1.0);
    /* link metrics need both arrays */
    double auc = 0, ap = 0;
    assert_error_contains(ctx, vgae_link_metrics(ctx, s, 3, s, 0, &auc, &ap),
                          "link metrics: need at least one positive and one negative score, got 3 and 0");
    assert_true(isnan(auc) && isnan(ap));
}

static void bad_scores_and_labels(void **state)
{
    vgae_ctx *ctx = *state;
    double s[] = {0.3, 0.1, 0.2, 0.9};
    static const uint8_t y[] = {1, 0, 0, 1}, bad_y[] = {1, 0, 2, 1};
    double out = 0, auc, ap;
    s[2] = NAN;
    assert_error_contains(ctx, vgae_roc_auc(ctx, s, y, 4, &out),
                          "roc auc: score 2 is nan, not a finite number");
    assert_int_equal(vgae_ctx_status(ctx), VGAE_EINVAL);
    s[2] = -INFINITY;
    assert_error_contains(ctx, vgae_average_precision(ctx, s, y, 4, &out),
                          "average precision: score 2 is -inf, not a finite number");
    assert_error_contains(ctx, vgae_link_metrics(ctx, s, 4, s, 2, &auc, &ap),
                          "link metrics: positive score 2 is -inf");
    s[2] = 0.2;
    s[1] = INFINITY;
    assert_error_contains(ctx, vgae_link_metrics(ctx, s + 2, 2, s, 2, &auc, &ap),
                          "link metrics: negative score 1 is inf");
    s[1] = 0.1;
    assert_error_contains(ctx, vgae_roc_auc(ctx, s, bad_y, 4, &out),
                          "roc auc: label 2 is 2, not 0 or 1");
    assert_error_contains(ctx, vgae_average_precision(ctx, s, y, 0, &out),
                          "average precision: need at least one score, got n = 0");
    assert_error_contains(ctx, vgae_roc_auc(ctx, s, y, -1, &out), "got n = -1");
    assert_error_contains(ctx, vgae_roc_auc(ctx, NULL, y, 4, &out), "roc auc: scores or labels is NULL");
}

/* Hits@K against shared negatives, by hand: sorted negatives 0.8, 0.6, 0.5, 0.1; a positive
 * counts when strictly above the K-th (0.5 ties with the third and does not count). */
static void hits_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    const double pos[] = {0.9, 0.5, 0.3}, neg[] = {0.5, 0.1, 0.8, 0.6};
    const int ks[] = {1, 2, 3, 4, 5};
    double hits[5];
    assert_int_equal(vgae_hits_at(ctx, pos, 3, neg, 4, ks, 5, hits), VGAE_OK);
    const double want[] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0, 1.0};
    for (int i = 0; i < 5; i++)
        assert_true(hits[i] == want[i]);
    /* the definition directly, on random scores with ties (scores on a grid of 20 values) */
    vgae_rng r;
    vgae_rng_init(&r, 3, 0);
    double p[50], n[200];
    for (int i = 0; i < 50; i++)
        p[i] = (double)vgae_rng_below(&r, 20) / 20;
    for (int i = 0; i < 200; i++)
        n[i] = (double)vgae_rng_below(&r, 20) / 20;
    const int k2[] = {1, 7, 100, 200};
    double h2[4];
    assert_int_equal(vgae_hits_at(ctx, p, 50, n, 200, k2, 4, h2), VGAE_OK);
    for (int j = 0; j < 4; j++) {
        int64_t count = 0;
        for (int i = 0; i < 50; i++) {
            int64_t higher_or_equal = 0; /* p[i] beats the K-th negative iff fewer than K are >= p[i] */
            for (int m = 0; m < 200; m++)
                higher_or_equal += n[m] >= p[i];
            count += higher_or_equal < k2[j];
        }
        assert_true(h2[j] == (double)count / 50);
    }
    const int bad_k[] = {0};
    assert_error_contains(ctx, vgae_hits_at(ctx, pos, 3, neg, 4, bad_k, 1, hits), "K must be at least 1");
    assert_true(isnan(hits[0]));
    const double inf_neg[] = {0.1, INFINITY};
    assert_error_contains(ctx, vgae_hits_at(ctx, pos, 3, inf_neg, 2, ks, 1, hits), "negative 1 is inf");
}

/* MRR and Hits@K of per-positive negatives, by hand: positive 0.5 against 0.6, 0.5, 0.1 has
 * one negative above and one tied: rank 1 + 1 + 1/2 = 2.5; positive 0.2 against three 0.1s has
 * rank 1. MRR = (1/2.5 + 1) / 2 = 0.7. */
static void mrr_by_hand(void **state)
{
    vgae_ctx *ctx = *state;
    const double pos[] = {0.5, 0.2}, neg[] = {0.6, 0.5, 0.1, 0.1, 0.1, 0.1};
    const int ks[] = {1, 2, 3};
    double mrr, hits[3];
    assert_int_equal(vgae_rank_metrics(ctx, pos, 2, neg, 3, ks, 3, &mrr, hits), VGAE_OK);
    assert_true(fabs(mrr - 0.7) < 1e-15);
    assert_true(hits[0] == 0.5 && hits[1] == 0.5 && hits[2] == 1.0);
    assert_int_equal(vgae_rank_metrics(ctx, pos, 2, neg, 3, NULL, 0, &mrr, NULL), VGAE_OK);
    assert_true(fabs(mrr - 0.7) < 1e-15);
    assert_error_contains(ctx, vgae_rank_metrics(ctx, pos, 2, neg, 0, ks, 3, &mrr, hits), "need positives and negatives");
    assert_true(isnan(mrr) && isnan(hits[2]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hits_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(mrr_by_hand, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(small_hand_checkable, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(heavy_ties, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(all_scores_tied, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(perfect_and_inverted, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(saturated_sigmoid, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(large_random, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(only_one_class, setup_ctx, teardown_ctx),
        cmocka_unit_test_setup_teardown(bad_scores_and_labels, setup_ctx, teardown_ctx),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
