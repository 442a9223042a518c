/* CLV: the summary table, BG/NBD and Gamma-Gamma (crm/clv.h).
 * - parity with tests/reference/clv_reference.py (scipy + mpmath, written from
 *   the papers): log-likelihoods and gradients at fixed points and the
 *   predictions at given parameters to 1e-9, fitted parameters to the
 *   optimizers' tolerance, the summary table of a transaction file;
 * - the analytic gradients against central finite differences;
 * - recovery: 100,000+ customers simulated from each model's generative
 *   process, for several parameter sets (some near the boundary): every
 *   fitted parameter within 3 standard errors of the truth;
 * - bad input and limits. */
#include "test_util.h"

#include "clv/clv_internal.h"
#include "core/internal.h"

/* ---- helpers ---------------------------------------------------------------- */

static double *column(const crm_dataset *ds, const char *name)
{
    size_t c, n = crm_dataset_nrows(ds);
    ck_assert_ok(crm_dataset_column_index(ds, name, &c));
    double *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    ck_assert_ok(crm_dataset_get_number(ds, c, 0, n, v));
    return v;
}

static crm_dataset *summary_table(const double *x, const double *tx, const double *T,
                                  const double *m, size_t n)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_new(&ds));
    ck_assert_ok(crm_dataset_add_number(ds, "frequency", x, n));
    ck_assert_ok(crm_dataset_add_number(ds, "recency", tx, n));
    ck_assert_ok(crm_dataset_add_number(ds, "T", T, n));
    ck_assert_ok(crm_dataset_add_number(ds, "monetary", m, n));
    return ds;
}

/* A model of given parameters through its JSON form. */
static crm_model *model_at(const double *bg, const double *gg, int horizon, double per_month,
                           double t)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"format\":\"libcrm-model\",\"version\":1,\"kind\":\"clv\",\"libcrm\":\"x\","
             "\"columns\":[\"frequency\",\"recency\",\"T\",\"monetary\"],"
             "\"bgnbd\":[%.17g,%.17g,%.17g,%.17g],\"gamma_gamma\":[%.17g,%.17g,%.17g],"
             "\"se\":[\"nan\",\"nan\",\"nan\",\"nan\",\"nan\",\"nan\",\"nan\"],"
             "\"loglik\":[0,0],\"counts\":[1,1,1],\"corr\":\"nan\",\"converged\":[1,1],"
             "\"iterations\":[0,0],\"l2\":0,\"horizon\":%d,\"discount\":0.01,"
             "\"periods_per_month\":%.17g,\"t\":%.17g}",
             bg[0], bg[1], bg[2], bg[3], gg[0], gg[1], gg[2], horizon, per_month, t);
    crm_model *m = NULL;
    ck_assert_ok(crm_model_from_json(json, &m));
    return m;
}

/* Fields of a tab-separated golden line after its tag. */
static int fields(const char *line, double *v, int max)
{
    int k = 0;
    const char *p = strchr(line, '\t');
    while (p && k < max) {
        v[k++] = atof(p + 1);
        p = strchr(p + 1, '\t');
    }
    return k;
}

static crm__clv_data sim_data(const double *x, const double *tx, const double *T, size_t n)
{
    crm__clv_data d;
    const double *cols[3] = {x, tx, T};
    ck_assert_ok(crm__clv_data_build(cols, 3, n, 1, &d));
    return d;
}

static crm__clv_data gg_data(const double *x, const double *m, size_t n)
{
    double *xr = malloc(n * sizeof *xr), *mr = malloc(n * sizeof *mr);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0) {
            xr[k] = x[i];
            mr[k++] = m[i];
        }
    crm__clv_data d;
    const double *cols[2] = {xr, mr};
    ck_assert_ok(crm__clv_data_build(cols, 2, k, 1, &d));
    free(xr);
    free(mr);
    return d;
}

/* ---- parity with the reference ---------------------------------------------- */

START_TEST(test_reference_loglik)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_file("reference/golden/clv_sim.csv"), NULL, &ds));
    size_t n = crm_dataset_nrows(ds);
    double *x = column(ds, "frequency"), *tx = column(ds, "recency"), *T = column(ds, "T"),
           *m = column(ds, "monetary");
    crm__clv_data bd = sim_data(x, tx, T, n), gd = gg_data(x, m, n);
    FILE *f = fopen(crm_test_file("reference/golden/clv_fit.tsv"), "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    crm_parity ll = CRM_PARITY_REL("log-likelihood vs scipy", 1e-9);
    crm_parity gr = CRM_PARITY_SCALED("gradient vs scipy (scale max(|g|, 1e-3 n))", 1e-9, 2.0);
    int points = 0;
    while (fgets(line, sizeof line, f)) {
        double v[16], g[4];
        int bg = strncmp(line, "bg_point\t", 9) == 0, gg = strncmp(line, "gg_point\t", 9) == 0;
        if (!bg && !gg) continue;
        int dim = bg ? 4 : 3;
        ck_assert_int_eq(fields(line, v, 16), 2 * dim + 1);
        double got = bg ? crm__clv_bg_loglik(&bd, v, g) : crm__clv_gg_loglik(&gd, v, g);
        crm_parity_check(&ll, got, v[dim], "%s point %d", bg ? "BG/NBD" : "Gamma-Gamma", points);
        for (int j = 0; j < dim; j++)
            crm_parity_check(&gr, g[j], v[dim + 1 + j], "point %d, d/dtheta%d", points, j);
        points++;
    }
    fclose(f);
    ck_assert_int_eq(points, 5);
    crm_parity_report(&ll);
    crm_parity_report(&gr);
    crm__clv_data_free(&bd);
    crm__clv_data_free(&gd);
    free(x);
    free(tx);
    free(T);
    free(m);
    crm_dataset_free(ds);
}
END_TEST

START_TEST(test_reference_fit_and_predict)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_file("reference/golden/clv_sim.csv"), NULL, &ds));
    crm_clv_options o;
    ck_assert_ok(crm_clv_options_init(&o, sizeof o));
    o.period = CRM_CLV_WEEK;
    crm_model *fit = NULL;
    ck_assert_ok(crm_clv_fit(ds, &o, &fit));
    FILE *f = fopen(crm_test_file("reference/golden/clv_fit.tsv"), "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    double bg[5] = {0}, gg[4] = {0};
    /* scipy stops at |gradient| < 1e-10 and libcrm at < 1e-9 (mean log-likelihood, in
     * log-parameters); with standard errors of 5-30 % the parameters agree to ~1e-6 */
    crm_parity par = CRM_PARITY_REL("fitted parameters vs scipy", 1e-6);
    crm_parity lik = CRM_PARITY_REL("maximum log-likelihood vs scipy", 1e-11);
    crm_parity pred = CRM_PARITY_SCALED("predictions vs mpmath at equal parameters", 1e-9, 1e-12);
    crm_dataset *pd = NULL;
    crm_model *at = NULL, *hard = NULL;
    const double hard_bg[4] = {0.3, 2.0, 0.4, 0.5};
    double *cols[4] = {NULL, NULL, NULL, NULL}, *hcols[2] = {NULL, NULL};
    static const char *const names[4] = {"prediction", "expected_purchases", "expected_spend",
                                         "p_alive"};
    int npred = 0, nhard = 0;
    while (fgets(line, sizeof line, f)) {
        double v[8];
        if (strncmp(line, "bgnbd\t", 6) == 0) {
            fields(line, bg, 5);
            static const char *const st[4] = {"r", "alpha", "a", "b"};
            for (int j = 0; j < 4; j++) {
                double got;
                ck_assert_ok(crm_model_stat(fit, st[j], &got));
                crm_parity_check(&par, got, bg[j], "%s", st[j]);
            }
            double got;
            ck_assert_ok(crm_model_stat(fit, "loglik_bgnbd", &got));
            crm_parity_check(&lik, got, bg[4], "BG/NBD loglik");
        } else if (strncmp(line, "gg\t", 3) == 0) {
            fields(line, gg, 4);
            static const char *const st[3] = {"p", "q", "v"};
            for (int j = 0; j < 3; j++) {
                double got;
                ck_assert_ok(crm_model_stat(fit, st[j], &got));
                crm_parity_check(&par, got, gg[j], "%s", st[j]);
            }
            double got;
            ck_assert_ok(crm_model_stat(fit, "loglik_gamma_gamma", &got));
            crm_parity_check(&lik, got, gg[3], "Gamma-Gamma loglik");
        } else if (strncmp(line, "pred\t", 5) == 0) {
            if (!at) { /* predictions at the reference's parameters */
                at = model_at(bg, gg, 12, 4.345, 12 * 4.345);
                ck_assert_ok(crm_dataset_clone(ds, &pd));
                ck_assert_ok(crm_model_predict(at, pd, "prediction"));
                for (int j = 0; j < 4; j++)
                    cols[j] = column(pd, names[j]);
            }
            fields(line, v, 5);
            size_t i = (size_t)v[0];
            crm_parity_check(&pred, cols[3][i], v[1], "p_alive %zu", i);
            crm_parity_check(&pred, cols[1][i], v[2], "expected_purchases %zu", i);
            crm_parity_check(&pred, cols[2][i], v[3], "expected_spend %zu", i);
            crm_parity_check(&pred, cols[0][i], v[4], "clv %zu", i);
            npred++;
        } else if (strncmp(line, "pred_hard\t", 10) == 0) {
            if (!hard) {
                hard = model_at(hard_bg, gg, 12, 4.345, 52.0);
                crm_dataset *hd = NULL;
                ck_assert_ok(crm_dataset_clone(ds, &hd));
                ck_assert_ok(crm_model_predict(hard, hd, "prediction"));
                hcols[0] = column(hd, "p_alive");
                hcols[1] = column(hd, "expected_purchases");
                crm_dataset_free(hd);
            }
            fields(line, v, 3);
            size_t i = (size_t)v[0];
            crm_parity_check(&pred, hcols[0][i], v[1], "p_alive (a < 1) %zu", i);
            crm_parity_check(&pred, hcols[1][i], v[2], "expected_purchases (a < 1) %zu", i);
            nhard++;
        }
    }
    fclose(f);
    ck_assert_int_eq(npred, 300);
    ck_assert_int_eq(nhard, 50);
    crm_parity_report(&par);
    crm_parity_report(&lik);
    crm_parity_report(&pred);
    for (int j = 0; j < 4; j++)
        free(cols[j]);
    free(hcols[0]);
    free(hcols[1]);
    crm_model_free(at);
    crm_model_free(hard);
    crm_model_free(fit);
    crm_dataset_free(pd);
    crm_dataset_free(ds);
}
END_TEST

static int64_t day_of(const char *iso)
{
    int y, mo, d;
    ck_assert_int_eq(sscanf(iso, "%d-%d-%d", &y, &mo, &d), 3);
    return crm__days_from_civil(y, mo, d) * 86400;
}

START_TEST(test_reference_summary)
{
    crm_dataset *tx = NULL, *want = NULL, *got = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_file("reference/golden/clv_tx.csv"), NULL, &tx));
    ck_assert_ok(
        crm_dataset_read_csv(crm_test_file("reference/golden/clv_tx_summary.csv"), NULL, &want));
    crm_clv_summary_options o;
    ck_assert_ok(crm_clv_summary_options_init(&o, sizeof o));
    o.customer = "customer";
    o.date = "date";
    o.amount = "amount";
    o.calibration_end = day_of("2021-06-30") + 86399;
    o.observation_end = day_of("2021-12-31");
    ck_assert_ok(crm_clv_summary(tx, &o, &got));
    size_t n = crm_dataset_nrows(want);
    ck_assert_uint_eq(crm_dataset_nrows(got), n);
    ck_assert_uint_eq(crm_dataset_ncols(got), 8);
    for (size_t r = 0; r < n; r++) {
        const char *a = NULL, *b = NULL;
        ck_assert_ok(crm_dataset_get_text(got, 0, r, &a));
        ck_assert_ok(crm_dataset_get_text(want, 0, r, &b));
        ck_assert_str_eq(a, b);
    }
    static const char *const cols[7] = {"frequency",        "recency",          "T",
                                        "monetary",         "frequency_holdout", "monetary_holdout",
                                        "duration_holdout"};
    /* amounts are summed in row order here and with math.fsum in the reference */
    crm_parity p = CRM_PARITY_REL("summary table vs the Python reference", 1e-13);
    for (int j = 0; j < 7; j++) {
        double *g = column(got, cols[j]), *w = column(want, cols[j]);
        for (size_t r = 0; r < n; r++)
            crm_parity_check(&p, g[r], w[r], "%s row %zu", cols[j], r);
        free(g);
        free(w);
    }
    crm_parity_report(&p);
    crm_dataset_free(tx);
    crm_dataset_free(want);
    crm_dataset_free(got);
}
END_TEST

/* ---- gradients against finite differences --------------------------------------- */

START_TEST(test_gradient_fd)
{
    crm_dataset *ds = NULL;
    ck_assert_ok(crm_dataset_read_csv(crm_test_file("reference/golden/clv_sim.csv"), NULL, &ds));
    size_t n = crm_dataset_nrows(ds);
    double *x = column(ds, "frequency"), *tx = column(ds, "recency"), *T = column(ds, "T"),
           *m = column(ds, "monetary");
    crm__clv_data bd = sim_data(x, tx, T, n), gd = gg_data(x, m, n);
    const double pts[3][4] = {{0.5, 3, 0.7, 2}, {2, 10, 1.5, 0.6}, {0.05, 0.5, 0.02, 20}};
    const double gpts[3][3] = {{5, 3, 12}, {0.5, 1.5, 2}, {50, 1.1, 300}};
    crm_parity p = CRM_PARITY_SCALED("analytic gradient vs central differences", 1e-6, 1.0);
    for (int k = 0; k < 3; k++) {
        for (int model = 0; model < 2; model++) {
            int dim = model ? 3 : 4;
            const double *th = model ? gpts[k] : pts[k];
            double g[4];
            model ? crm__clv_gg_loglik(&gd, th, g) : crm__clv_bg_loglik(&bd, th, g);
            for (int j = 0; j < dim; j++) {
                double a[4] = {0}, b[4] = {0}, h = 1e-6 * th[j];
                memcpy(a, th, (size_t)dim * sizeof *a);
                memcpy(b, th, (size_t)dim * sizeof *b);
                a[j] += h;
                b[j] -= h;
                double fd = model ? (crm__clv_gg_loglik(&gd, a, NULL) -
                                     crm__clv_gg_loglik(&gd, b, NULL)) / (2 * h)
                                  : (crm__clv_bg_loglik(&bd, a, NULL) -
                                     crm__clv_bg_loglik(&bd, b, NULL)) / (2 * h);
                crm_parity_check(&p, g[j], fd, "%s point %d, parameter %d",
                                 model ? "Gamma-Gamma" : "BG/NBD", k, j);
            }
        }
    }
    crm_parity_report(&p);
    crm__clv_data_free(&bd);
    crm__clv_data_free(&gd);
    free(x);
    free(tx);
    free(T);
    free(m);
    crm_dataset_free(ds);
}
END_TEST

/* ---- recovery from simulated data ------------------------------------------------ */

/* Gamma(shape, 1) (Marsaglia and Tsang; shape < 1 by the boost U^(1/shape)). */
static double rgamma(crm__rng *g, double shape)
{
    if (shape < 1) return rgamma(g, shape + 1) * pow(crm__rng_uniform(g), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z = crm__rng_normal(g), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        double u = crm__rng_uniform(g);
        if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
    }
}

static double rexp(crm__rng *g)
{
    return -log1p(-crm__rng_uniform(g));
}

/* n customers from BG/NBD (ages uniform on whole weeks 1..52) and Gamma-Gamma spends. */
static void simulate(size_t n, const double *bg, const double *gg, uint64_t seed, double *x,
                     double *tx, double *T, double *m)
{
    crm__rng g;
    crm__rng_seed(&g, seed);
    for (size_t i = 0; i < n; i++) {
        double lam = rgamma(&g, bg[0]) / bg[1];
        double ga = rgamma(&g, bg[2]), gb = rgamma(&g, bg[3]), pd = ga / (ga + gb);
        double nu = rgamma(&g, gg[1]) / gg[2];
        T[i] = (double)(1 + crm__rng_below(&g, 52));
        double t = 0;
        x[i] = 0;
        tx[i] = 0;
        for (;;) {
            t += rexp(&g) / lam;
            if (t > T[i]) break;
            x[i] += 1;
            tx[i] = t;
            if (crm__rng_uniform(&g) < pd) break;
        }
        /* the mean of x Gamma(p, nu) values: Gamma(p x, nu) / x */
        m[i] = x[i] > 0 ? rgamma(&g, gg[0] * x[i]) / nu / x[i] : 0;
    }
}

static void check_recovery(const double *bg, const double *gg, uint64_t seed, size_t n)
{
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T),
           *m = malloc(n * sizeof *m);
    simulate(n, bg, gg, seed, x, tx, T, m);
    crm_dataset *ds = summary_table(x, tx, T, m, n);
    crm_model *fit = NULL;
    ck_assert_ok(crm_clv_fit(ds, NULL, &fit));
    static const char *const nm[7] = {"r", "alpha", "a", "b", "p", "q", "v"};
    double truth[7] = {bg[0], bg[1], bg[2], bg[3], gg[0], gg[1], gg[2]};
    for (int j = 0; j < 7; j++) {
        char sen[16];
        double est, se, conv;
        snprintf(sen, sizeof sen, "se_%s", nm[j]);
        ck_assert_ok(crm_model_stat(fit, nm[j], &est));
        ck_assert_ok(crm_model_stat(fit, sen, &se));
        ck_assert_ok(crm_model_stat(fit, j < 4 ? "converged_bgnbd" : "converged_gamma_gamma",
                                    &conv));
        ck_assert_msg(conv == 1, "%s did not converge", nm[j]);
        ck_assert_msg(isfinite(se) && se > 0, "se of %s is %g", nm[j], se);
        double z = (est - truth[j]) / se;
        fprintf(stderr, "recovery: %s true %g fitted %.6g se %.3g z %+.2f\n", nm[j], truth[j], est,
                se, z);
        ck_assert_msg(fabs(z) <= 3, "%s: fitted %g, true %g, se %g: %.2f standard errors", nm[j],
                      est, truth[j], se, z);
    }
    crm_model_free(fit);
    crm_dataset_free(ds);
    free(x);
    free(tx);
    free(T);
    free(m);
}

START_TEST(test_recovery)
{
    /* CDNOW-like; frequent buyers who rarely drop out; near the boundary: a tiny
     * dropout probability (a = 0.05), r small and heterogeneous; q close to 1 */
    static const double bgs[4][4] = {
        {0.243, 4.414, 0.793, 2.426}, {2.0, 8.0, 0.5, 6.0}, {0.5, 2.0, 0.05, 3.0},
        {0.08, 0.5, 1.5, 1.0}};
    static const double ggs[4][3] = {
        {6.25, 3.74, 15.44}, {2.0, 5.0, 40.0}, {0.8, 1.3, 2.0}, {20.0, 10.0, 3.0}};
    check_recovery(bgs[_i], ggs[_i], 1000 + (uint64_t)_i, 120000);
}
END_TEST

/* ---- bad input and limits ---------------------------------------------------------- */

START_TEST(test_bad_input)
{
    const double x[4] = {0, 2, 1, 3}, tx[4] = {0, 5, 3, 8}, T[4] = {10, 10, 9, 12},
                 m[4] = {0, 20, 15, 30};
    crm_model *out = (crm_model *)1;
    crm_dataset *ds = summary_table(x, tx, T, m, 4);
    ck_assert_error(crm_clv_fit(NULL, NULL, &out), CRM_E_INVALID);
    ck_assert_ptr_null(out);
    ck_assert_error(crm_clv_fit(ds, NULL, NULL), CRM_E_INVALID);
    crm_clv_options o;
    ck_assert_ok(crm_clv_options_init(&o, sizeof o));
    ck_assert_ptr_null(o.t_col);
    ck_assert(o.t == -1 && o.horizon == 12 && o.discount == 0.01);
    o.l2 = -1;
    ck_assert_error(crm_clv_fit(ds, &o, &out), CRM_E_INVALID);
    o.l2 = 0;
    o.t_col = "age";
    ck_assert_error(crm_clv_fit(ds, &o, &out), CRM_E_NOTFOUND);
    crm_dataset_free(ds);

    /* no repeat customers */
    const double z4[4] = {0, 0, 0, 0};
    ds = summary_table(z4, z4, T, z4, 4);
    ck_assert_error(crm_clv_fit(ds, NULL, &out), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "no customer with repeat purchases") != NULL);
    crm_dataset_free(ds);
    /* zero and negative spend of a repeat customer */
    const double m0[4] = {0, 20, 0, 30}, mneg[4] = {0, 20, -5, 30};
    ds = summary_table(x, tx, T, m0, 4);
    ck_assert_error(crm_clv_fit(ds, NULL, &out), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "row 2") != NULL);
    crm_dataset_free(ds);
    ds = summary_table(x, tx, T, mneg, 4);
    ck_assert_error(crm_clv_fit(ds, NULL, &out), CRM_E_INVALID);
    crm_dataset_free(ds);
    /* T < recency; recency without repeat purchases; fractional frequency; NaN */
    const double Tbad[4] = {10, 4, 9, 12}, txbad[4] = {1, 5, 3, 8}, xfrac[4] = {0, 2.5, 1, 3},
                 tnan[4] = {0, NAN, 3, 8};
    const double *bad[4][4] = {{x, tx, Tbad, m}, {x, txbad, T, m}, {xfrac, tx, T, m},
                               {x, tnan, T, m}};
    for (int k = 0; k < 4; k++) {
        ds = summary_table(bad[k][0], bad[k][1], bad[k][2], bad[k][3], 4);
        ck_assert_error(crm_clv_fit(ds, NULL, &out), CRM_E_INVALID);
        ck_assert(strstr(crm_last_error(), "row ") != NULL);
        ck_assert_ptr_null(out);
        crm_dataset_free(ds);
    }
    /* a text column */
    ck_assert_ok(crm_dataset_new(&ds));
    const char *txt[1] = {"a"};
    ck_assert_ok(crm_dataset_add_text(ds, "frequency", txt, 1));
    ck_assert_error(crm_clv_fit(ds, NULL, &out), CRM_E_TYPE);
    crm_dataset_free(ds);
}
END_TEST

/* Every customer repeat, one customer, huge counts: finite parameters or a clear
 * CRM_E_NUMERIC, never NaN with CRM_OK. */
static void fit_finite_or_numeric(const double *x, const double *tx, const double *T,
                                  const double *m, size_t n, int must_fit)
{
    crm_dataset *ds = summary_table(x, tx, T, m, n);
    crm_model *fit = NULL;
    crm_status st = crm_clv_fit(ds, NULL, &fit);
    ck_assert_msg(st == CRM_OK || (!must_fit && st == CRM_E_NUMERIC), "%s: %s",
                  crm_status_str(st), crm_last_error());
    if (st == CRM_OK) {
        static const char *const nm[7] = {"r", "alpha", "a", "b", "p", "q", "v"};
        for (int j = 0; j < 7; j++) {
            double v;
            ck_assert_ok(crm_model_stat(fit, nm[j], &v));
            ck_assert_msg(isfinite(v) && v > 0, "%s = %g", nm[j], v);
        }
        ck_assert_ok(crm_model_predict(fit, ds, "clv"));
    } else {
        ck_assert_ptr_null(fit);
    }
    crm_model_free(fit);
    crm_dataset_free(ds);
}

START_TEST(test_limits)
{
    size_t n = 20000;
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T),
           *m = malloc(n * sizeof *m);
    const double bg[4] = {0.5, 4, 0.8, 2.5}, gg[3] = {6, 4, 15};
    simulate(n, bg, gg, 7, x, tx, T, m);
    size_t k = 0; /* all customers repeat */
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0) {
            x[k] = x[i];
            tx[k] = tx[i];
            T[k] = T[i];
            m[k++] = m[i];
        }
    fit_finite_or_numeric(x, tx, T, m, k, 1);
    /* one customer, repeat or not */
    const double x1[1] = {3}, tx1[1] = {20}, T1[1] = {30}, m1[1] = {12};
    fit_finite_or_numeric(x1, tx1, T1, m1, 1, 0);
    /* huge counts: a customer with a million repeat purchases among ordinary ones */
    x[0] = 1e6;
    tx[0] = 51.9;
    T[0] = 52;
    m[0] = 1e7;
    fit_finite_or_numeric(x, tx, T, m, k, 1);
    free(x);
    free(tx);
    free(T);
    free(m);
}
END_TEST

START_TEST(test_json_threads_predict)
{
    size_t n = 60000;
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T),
           *m = malloc(n * sizeof *m);
    const double bg[4] = {0.5, 4, 0.8, 2.5}, gg[3] = {6, 4, 15};
    simulate(n, bg, gg, 11, x, tx, T, m);
    crm_dataset *ds = summary_table(x, tx, T, m, n);
    crm_clv_options o;
    ck_assert_ok(crm_clv_options_init(&o, sizeof o));
    o.n_threads = 1;
    crm_model *a = NULL, *b = NULL, *c = NULL;
    ck_assert_ok(crm_clv_fit(ds, &o, &a));
    o.n_threads = 3;
    ck_assert_ok(crm_clv_fit(ds, &o, &b));
    size_t ns = 0;
    ck_assert_ok(crm_model_stat_count(a, &ns));
    for (size_t i = 0; i < ns; i++) {
        const char *name = NULL;
        double va, vb;
        ck_assert_ok(crm_model_stat_name(a, i, &name));
        ck_assert_ok(crm_model_stat(a, name, &va));
        ck_assert_ok(crm_model_stat(b, name, &vb));
        ck_assert_msg(memcmp(&va, &vb, sizeof va) == 0, "%s: %.17g vs %.17g", name, va, vb);
    }
    ck_assert_int_eq(crm_model_kind(a), CRM_MODEL_CLV);
    ck_assert_str_eq(crm_model_kind_name(CRM_MODEL_CLV), "clv");
    char *json = NULL;
    ck_assert_ok(crm_model_to_json(a, &json));
    ck_assert_ok(crm_model_from_json(json, &c));
    crm_free(json);
    crm_dataset *p1 = NULL, *p2 = NULL;
    ck_assert_ok(crm_dataset_clone(ds, &p1));
    ck_assert_ok(crm_dataset_clone(ds, &p2));
    ck_assert_ok(crm_model_predict(a, p1, "clv"));
    ck_assert_ok(crm_model_predict(c, p2, "clv"));
    static const char *const cols[4] = {"clv", "p_alive", "expected_purchases", "expected_spend"};
    for (int j = 0; j < 4; j++) {
        double *u = column(p1, cols[j]), *v = column(p2, cols[j]);
        ck_assert(memcmp(u, v, n * sizeof *u) == 0);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(isfinite(u[i]) && u[i] >= 0, "%s row %zu: %g", cols[j], i, u[i]);
        free(u);
        free(v);
    }
    /* a second predict: the fixed column names exist already; ds unchanged */
    ck_assert_error(crm_model_predict(a, p1, "clv2"), CRM_E_INVALID);
    ck_assert_uint_eq(crm_dataset_ncols(p1), 8);
    crm_dataset *sum = NULL;
    ck_assert_ok(crm_model_summary(a, &sum));
    ck_assert_uint_eq(crm_dataset_nrows(sum), 7);
    crm_dataset_free(sum);
    crm_dataset_free(p1);
    crm_dataset_free(p2);
    crm_model_free(a);
    crm_model_free(b);
    crm_model_free(c);
    crm_dataset_free(ds);
    free(x);
    free(tx);
    free(T);
    free(m);
}
END_TEST

START_TEST(test_summary_small)
{
    /* customer 1: days 0 (two lines), 3, 10; customer 2: day 5 only; customer 3 first buys
     * after the calibration end (left out); weeks: day 0 = Thursday 1970-01-01 */
    const double cust[7] = {1, 1, 1, 1, 2, 3, 1};
    const int64_t d[7] = {0, 3600, 3 * 86400, 10 * 86400, 5 * 86400, 12 * 86400, 13 * 86400};
    const double amt[7] = {5, 5, 20, 40, 7, 9, 11};
    crm_dataset *tx = NULL, *s = NULL;
    ck_assert_ok(crm_dataset_new(&tx));
    ck_assert_ok(crm_dataset_add_number(tx, "c", cust, 7));
    ck_assert_ok(crm_dataset_add_time(tx, "d", d, 7));
    ck_assert_ok(crm_dataset_add_number(tx, "a", amt, 7));
    crm_clv_summary_options o;
    ck_assert_ok(crm_clv_summary_options_init(&o, sizeof o));
    o.customer = "c";
    o.date = "d";
    o.amount = "a";
    o.calibration_end = 11 * 86400;
    ck_assert_ok(crm_clv_summary(tx, &o, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 2);
    const double want[2][7] = {{2, 10, 11, 30, 1, 11, 2}, {0, 0, 6, 0, 0, 0, 2}};
    static const char *const cols[7] = {"frequency",        "recency",          "T",
                                        "monetary",         "frequency_holdout", "monetary_holdout",
                                        "duration_holdout"};
    for (int j = 0; j < 7; j++) {
        double *v = column(s, cols[j]);
        ck_assert_msg(v[0] == want[0][j] && v[1] == want[1][j], "%s: %g %g", cols[j], v[0],
                      v[1]);
        free(v);
    }
    crm_dataset_free(s);
    /* weeks (Monday to Sunday; day 0 is Thursday 1970-01-01, day 4 the first Monday):
     * customer 1 buys in weeks 0 (days 0 and 3: 30), 1 (day 10: 40) and 2 (day 13: 11) */
    o.period = CRM_CLV_WEEK;
    o.calibration_end = CRM_TIME_MISSING;
    ck_assert_ok(crm_clv_summary(tx, &o, &s));
    ck_assert_uint_eq(crm_dataset_nrows(s), 3);
    ck_assert_uint_eq(crm_dataset_ncols(s), 5);
    double *f = column(s, "frequency"), *T = column(s, "T"), *mo = column(s, "monetary");
    ck_assert_msg(f[0] == 2 && T[0] == 2 && mo[0] == 25.5, "%g %g %g", f[0], T[0], mo[0]);
    free(f);
    free(T);
    free(mo);
    crm_dataset_free(s);
    /* errors */
    crm_dataset *out = (crm_dataset *)1;
    o.date = "a";
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_TYPE);
    ck_assert_ptr_null(out);
    o.date = "nope";
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_NOTFOUND);
    o.date = NULL;
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_INVALID);
    o.date = "d";
    o.calibration_end = -86400 * 10;
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_INVALID);
    o.calibration_end = CRM_TIME_MISSING;
    o.period = 9;
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_INVALID);
    o.period = CRM_CLV_DAY;
    const double nanamt[7] = {5, 5, NAN, 40, 7, 9, 11};
    ck_assert_ok(crm_dataset_add_number(tx, "bad", nanamt, 7));
    o.amount = "bad";
    ck_assert_error(crm_clv_summary(tx, &o, &out), CRM_E_INVALID);
    ck_assert(strstr(crm_last_error(), "row 2") != NULL);
    ck_assert_error(crm_clv_summary(NULL, &o, &out), CRM_E_INVALID);
    crm_dataset_free(tx);
}
END_TEST

/* ---- the fixed-dropout limit (a, b -> infinity) ------------------------------------------ */

/* The reported defect: crm_synth --customers 200 --days 400, cleaned as the demo does
 * (real sales of known customers, no duplicates, Amount = Quantity * UnitPrice), day
 * summary. The BG/NBD fit runs off to a ~ 7e5, b ~ 9e6, where every expected_purchases
 * was NaN. Now: the summary is the table the reference read (clv_synth200_summary.csv),
 * the fit reports dropout_rate_fixed, every prediction is finite, and at the parameters
 * of that fit the predictions equal the reference to 1e-9 ("synth200"). */
static crm_dataset *synth200_summary(void)
{
    crm_synth_options so;
    ck_assert_ok(crm_synth_options_init(&so, sizeof so));
    so.customers = 200;
    so.days = 400;
    crm_dataset *raw = NULL, *tx = NULL, *sum = NULL;
    ck_assert_ok(crm_synth_transactions(&so, &raw));
    ck_assert_ok(crm_dataset_filter(raw,
                                    "CustomerID is not missing and Quantity > 0 and UnitPrice > 0"
                                    " and not startswith(InvoiceNo, 'C')",
                                    &tx));
    ck_assert_ok(crm_dataset_mutate(tx, "Amount", "Quantity * UnitPrice"));
    size_t removed = 0;
    ck_assert_ok(crm_clean_dedup(tx, NULL, 0, CRM_KEEP_FIRST, &removed));
    crm_clv_summary_options o;
    ck_assert_ok(crm_clv_summary_options_init(&o, sizeof o));
    o.customer = "CustomerID";
    o.date = "InvoiceDate";
    o.amount = "Amount";
    ck_assert_ok(crm_clv_summary(tx, &o, &sum));
    crm_dataset_free(raw);
    crm_dataset_free(tx);
    return sum;
}

START_TEST(test_limit_synth200)
{
    crm_dataset *sum = synth200_summary(), *pd = NULL;
    size_t n = crm_dataset_nrows(sum);
    ck_assert_uint_eq(n, 200);
    crm_model *fit = NULL;
    ck_assert_ok(crm_clv_fit(sum, NULL, &fit));
    double a, b, fixed, rate;
    ck_assert_ok(crm_model_stat(fit, "a", &a));
    ck_assert_ok(crm_model_stat(fit, "b", &b));
    ck_assert_ok(crm_model_stat(fit, "dropout_rate_fixed", &fixed));
    ck_assert_ok(crm_model_stat(fit, "dropout_rate", &rate));
    ck_assert(isfinite(a) && isfinite(b) && a + b > 1e6);
    ck_assert_double_eq(fixed, 1);
    ck_assert_double_eq_tol(rate, a / (a + b), 1e-15);
    static const char *const pc[4] = {"clv", "p_alive", "expected_purchases", "expected_spend"};
    ck_assert_ok(crm_dataset_clone(sum, &pd));
    ck_assert_ok(crm_model_predict(fit, pd, "clv"));
    for (int j = 0; j < 4; j++) {
        double *v = column(pd, pc[j]);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(isfinite(v[i]) && v[i] >= 0, "%s row %zu: %g", pc[j], i, v[i]);
        free(v);
    }
    crm_dataset_free(pd);
    crm_model_free(fit);

    /* at the reference's parameters (those of this fit, as the reference records them) */
    const double bg[4] = {0.2918545589339872, 15.35286492573851, 677983.5687154635,
                          8741910.47967612};
    const double gg[3] = {0.5573115039103529, 1.5887757149071575, 172.98472182910754};
    crm_model *m = model_at(bg, gg, 12, 30, 360);
    ck_assert_ok(crm_model_stat(m, "dropout_rate_fixed", &fixed));
    ck_assert_double_eq(fixed, 1);
    /* rows 0 (x 2, t_x 87, T 109) and 3 (x 0, T 150): mpmath hyp2f1 at 40 digits */
    const double tx3[2][3] = {{2, 87, 109}, {0, 0, 150}};
    const double want[2] = {4.361363467542131, 0.577924338494688};
    for (int k = 0; k < 2; k++) {
        double e = crm__clv_expected(bg, tx3[k][0], tx3[k][1], tx3[k][2], 360);
        ck_assert_msg(fabs(e - want[k]) <= 1e-9 * want[k], "%d: %.17g vs %.17g", k, e, want[k]);
    }
    crm_model_free(m);
    crm_dataset_free(sum);
}
END_TEST

Suite *crm_clv_suite(void)
{
    Suite *s = suite_create("clv");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_reference_loglik);
    tcase_add_test(tc, test_reference_fit_and_predict);
    tcase_add_test(tc, test_reference_summary);
    tcase_add_test(tc, test_gradient_fd);
    tcase_add_loop_test(tc, test_recovery, 0, 4);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_json_threads_predict);
    tcase_add_test(tc, test_summary_small);
    tcase_add_test(tc, test_limit_synth200);
    suite_add_tcase(s, tc);
    return s;
}
