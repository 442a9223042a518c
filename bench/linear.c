/* Benchmark: logistic regression (crm_logreg_fit, unpenalised, with standard errors,
 * p-values and odds ratios) on the Telco churn data and on a generated design.
 *
 * Usage: bench_linear telco PATH            the Telco CSV (rows with blank TotalCharges
 *                                           dropped; the model of tests/reference/linear.py)
 *        bench_linear synth [ROWS [COLS]]   generated ROWS (default 1000000) x COLS
 *                                           (default 50) design
 *        bench_linear bank [ROWS]           generated bank-marketing-shaped data, ROWS
 *                                           (default 45211) rows, text features one-hot
 *                                           encoded inside the timed fit (below)
 * Generated data (identical in bench/linear_python.py): h(k) = splitmix64(k);
 * x[i][j] = 2 * (h(i * COLS + j) >> 11) * 2^-53 - 1; eta = -0.5 + sum_j b_j x[i][j] with
 * b_j = 0.1 * (j % 7 - 3); y = 1 when (h(2^40 + i) >> 11) * 2^-53 < 1 / (1 + exp(-eta)).
 * Prints one machine-readable line:
 *   bench=linear impl=libcrm data=D rows=R terms=P fit_s=S n_iter=N loglik=L
 *   coef0=.. coef1=.. coef_last=.. peak_rss_kb=KB data_kb=KB cpu_s=S
 * fit_s is the fastest of REPS fits (environment, default 5, as bench/linear_python.py;
 * fit + standard errors + summary table with
 * p-values and odds ratios); cpu_s is the smallest process CPU time of one fit (the statistic
 * that a loaded machine disturbs least); peak_rss_kb is getrusage ru_maxrss. A line "coef=..."
 * follows with every coefficient (for the comparison with the references).
 * The environment variable CRM_BENCH_THREADS sets n_threads (default 0 = all cores). */
#define _POSIX_C_SOURCE 200809L
#include <crm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench_util.h"

/* The bank-marketing-shaped design (mode "bank ROWS"): 6 number features and 8 text
 * features, 31 terms with the intercept after one-hot encoding (the shape of the UCI bank
 * marketing model: 45,211 rows). Every value comes from u(k) = unit01(2^41 + 16 i + k), the
 * same arithmetic in bench/linear_python.py (integers and products only, exact in both):
 *   age = 18 + floor(70 u0); balance = floor(20000 u1 u1) - 2000;
 *   duration = floor(3000 u2 u3); campaign = 1 + floor(10 u4 u4);
 *   pdays = u5 < 0.8 ? -1 : floor(400 u6); previous = pdays < 0 ? 0 : 1 + floor(5 u7);
 *   job = JOB[floor(12 u8)], marital = MAR[floor(3 u9)], education = EDU[floor(4 u10)],
 *   default = u11 < 0.02 ? "yes" : "no", housing = u12 < 0.55 ? "yes" : "no",
 *   loan = u13 < 0.16 ? "yes" : "no", contact = CON[floor(3 u14)] and
 *   poutcome = pdays < 0 ? "unknown" : POUT[floor(3 u15)];
 *   eta = -3 + 0.01 (age - 40) + 2e-5 balance + 0.004 duration - 0.1 campaign
 *         + 0.1 (job index % 5 - 2) + 0.2 [marital = married] - 0.2 [education = primary]
 *         - 0.3 [default] - 0.5 [housing] - 0.4 [loan] - 1.0 [contact = unknown]
 *         + 2.0 [poutcome = success] - 0.3 [poutcome = failure];
 *   y = "yes" when unit01(2^42 + i) < 1 / (1 + exp(-eta)). */

static const char *const bank_job[12] = {"admin.",     "blue-collar", "entrepreneur", "housemaid",
                                         "management", "retired",     "self-employed", "services",
                                         "student",    "technician",  "unemployed",   "unknown"};
static const char *const bank_mar[3] = {"divorced", "married", "single"};
static const char *const bank_edu[4] = {"primary", "secondary", "tertiary", "unknown"};
static const char *const bank_con[3] = {"cellular", "telephone", "unknown"};
static const char *const bank_pout[3] = {"failure", "other", "success"};
static const char *const bank_yn[2] = {"no", "yes"};

/* Fills ds with the bank-shaped columns (above); returns 0 or -1. */
static int bank_data(crm_dataset *ds, size_t rows)
{
    static const char *const nn[6] = {"age", "balance", "duration", "campaign", "pdays",
                                      "previous"};
    static const char *const tn[9] = {"job",  "marital", "education", "default", "housing",
                                      "loan", "contact", "poutcome",  "y"};
    double *num = malloc(6 * rows * sizeof *num);
    const char **txt = malloc(9 * rows * sizeof *txt);
    if (!num || !txt) return -1;
    for (size_t i = 0; i < rows; i++) {
        double u[16];
        for (int k = 0; k < 16; k++)
            u[k] = unit01(((uint64_t)1 << 41) + 16 * (uint64_t)i + (uint64_t)k);
        double age = 18 + floor(70 * u[0]), bal = floor(20000 * u[1] * u[1]) - 2000;
        double dur = floor(3000 * u[2] * u[3]), camp = 1 + floor(10 * u[4] * u[4]);
        double pd = u[5] < 0.8 ? -1 : floor(400 * u[6]), prev = pd < 0 ? 0 : 1 + floor(5 * u[7]);
        int job = (int)floor(12 * u[8]), mar = (int)floor(3 * u[9]), edu = (int)floor(4 * u[10]);
        int def = u[11] < 0.02, hou = u[12] < 0.55, loan = u[13] < 0.16;
        int con = (int)floor(3 * u[14]), pout = pd < 0 ? -1 : (int)floor(3 * u[15]);
        double v[6] = {age, bal, dur, camp, pd, prev};
        for (int k = 0; k < 6; k++)
            num[(size_t)k * rows + i] = v[k];
        double eta = -3 + 0.01 * (age - 40) + 2e-5 * bal + 0.004 * dur - 0.1 * camp +
                     0.1 * (job % 5 - 2) + 0.2 * (mar == 1) - 0.2 * (edu == 0) - 0.3 * def -
                     0.5 * hou - 0.4 * loan - 1.0 * (con == 2) + 2.0 * (pout == 2) -
                     0.3 * (pout == 0);
        int y = unit01(((uint64_t)1 << 42) + i) < 1.0 / (1.0 + exp(-eta));
        const char *t[9] = {bank_job[job],  bank_mar[mar], bank_edu[edu],
                            bank_yn[def],   bank_yn[hou],  bank_yn[loan],
                            bank_con[con],  pout < 0 ? "unknown" : bank_pout[pout],
                            bank_yn[y]};
        for (int k = 0; k < 9; k++)
            txt[(size_t)k * rows + i] = t[k];
    }
    int rc = 0;
    for (int k = 0; k < 6 && !rc; k++)
        rc = crm_dataset_add_number(ds, nn[k], num + (size_t)k * rows, rows) != CRM_OK;
    for (int k = 0; k < 9 && !rc; k++)
        rc = crm_dataset_add_text(ds, tn[k], txt + (size_t)k * rows, rows) != CRM_OK;
    free(num);
    free(txt);
    return rc ? -1 : 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "synth";
    crm_dataset *ds = NULL;
    const char **feats = NULL;
    size_t nf = 0;
    const char *target = NULL, *positive = NULL;
    char(*names)[24] = NULL;
    double data_kb = 0;
    if (strcmp(mode, "telco") == 0) {
        if (argc < 3) {
            fprintf(stderr, "usage: bench_linear telco PATH\n");
            return 2;
        }
        crm_dataset *raw = NULL;
        if (crm_dataset_read_csv(argv[2], NULL, &raw) != CRM_OK ||
            crm_dataset_filter(raw, "TotalCharges is not missing", &ds) != CRM_OK) {
            fprintf(stderr, "bench_linear: %s\n", crm_last_error());
            return 1;
        }
        crm_dataset_free(raw);
        static const char *const tf[] = {"tenure",        "MonthlyCharges",  "TotalCharges",
                                         "SeniorCitizen", "Contract",        "InternetService",
                                         "PaymentMethod", "PaperlessBilling"};
        feats = (const char **)tf;
        nf = 8;
        target = "Churn";
        positive = "Yes";
        data_kb = (double)crm_dataset_nrows(ds) * 13 * 8 / 1024.0;
    } else if (strcmp(mode, "bank") == 0) {
        size_t rows = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 45211;
        static const char *const bf[] = {"age",      "balance", "duration",  "campaign",
                                         "pdays",    "previous", "job",      "marital",
                                         "education", "default", "housing",  "loan",
                                         "contact",  "poutcome"};
        if (crm_dataset_new(&ds) != CRM_OK || bank_data(ds, rows) != 0) {
            fprintf(stderr, "bench_linear: %s\n", crm_last_error());
            return 1;
        }
        feats = (const char **)bf;
        nf = 14;
        target = "y";
        positive = "yes";
        data_kb = (double)rows * 31 * 8 / 1024.0;
    } else {
        size_t rows = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000;
        size_t cols = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 50;
        double *v = malloc(rows * sizeof *v), *eta = malloc(rows * sizeof *eta);
        names = malloc(cols * sizeof *names);
        feats = malloc(cols * sizeof *feats);
        if (!v || !eta || !names || !feats || crm_dataset_new(&ds) != CRM_OK) return 1;
        for (size_t i = 0; i < rows; i++)
            eta[i] = -0.5;
        for (size_t j = 0; j < cols; j++) {
            double b = 0.1 * (double)((int)(j % 7) - 3);
            for (size_t i = 0; i < rows; i++) {
                v[i] = 2.0 * unit01((uint64_t)(i * cols + j)) - 1.0;
                eta[i] += b * v[i];
            }
            snprintf(names[j], sizeof names[j], "x%zu", j);
            feats[j] = names[j];
            if (crm_dataset_add_number(ds, names[j], v, rows) != CRM_OK) return 1;
        }
        for (size_t i = 0; i < rows; i++)
            v[i] = unit01(((uint64_t)1 << 40) + i) < 1.0 / (1.0 + exp(-eta[i])) ? 1.0 : 0.0;
        if (crm_dataset_add_number(ds, "y", v, rows) != CRM_OK) return 1;
        free(v);
        free(eta);
        nf = cols;
        target = "y";
        data_kb = (double)rows * (double)(cols + 1) * 8 / 1024.0;
    }
    crm_logreg_options o;
    crm_logreg_options_init(&o, sizeof o);
    o.positive = positive;
    const char *th = getenv("CRM_BENCH_THREADS");
    if (th) o.n_threads = atoi(th);
    double best = 1e300, best_cpu = 1e300;
    crm_model *keep = NULL;
    const char *reps_env = getenv("REPS");
    int reps = reps_env && atoi(reps_env) > 0 ? atoi(reps_env) : 5;
    for (int rep = 0; rep < reps; rep++) {
        crm_model *m = NULL;
        crm_dataset *sum = NULL;
        double t0 = now(), c0 = cpu_now();
        if (crm_logreg_fit(ds, target, feats, nf, &o, &m) != CRM_OK ||
            crm_model_summary(m, &sum) != CRM_OK) {
            fprintf(stderr, "bench_linear: %s\n", crm_last_error());
            return 1;
        }
        double t = now() - t0, tc = cpu_now() - c0;
        if (t < best) best = t;
        if (tc < best_cpu) best_cpu = tc;
        crm_dataset_free(sum);
        if (keep) crm_model_free(keep);
        keep = m;
    }
    crm_dataset *sum = NULL;
    crm_model_summary(keep, &sum);
    size_t p = crm_dataset_nrows(sum), ci = 0;
    double *coef = malloc(p * sizeof *coef);
    crm_dataset_column_index(sum, "estimate", &ci);
    crm_dataset_get_number(sum, ci, 0, p, coef);
    double n_iter = 0, ll = 0;
    crm_model_stat(keep, "n_iter", &n_iter);
    crm_model_stat(keep, "loglik", &ll);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=linear impl=libcrm-%dt data=%s rows=%zu terms=%zu fit_s=%.4f n_iter=%d "
           "loglik=%.10f coef0=%.10g coef1=%.10g coef_last=%.10g peak_rss_kb=%ld data_kb=%.0f "
           "cpu_s=%.4f\n",
           (int)o.n_threads, mode, crm_dataset_nrows(ds), p, best, (int)n_iter, ll, coef[0],
           coef[1], coef[p - 1], ru.ru_maxrss, data_kb, best_cpu);
    printf("coef=");
    for (size_t j = 0; j < p; j++)
        printf("%s%.17g", j ? "," : "", coef[j]);
    printf("\n");
    free(coef);
    crm_dataset_free(sum);
    crm_model_free(keep);
    crm_dataset_free(ds);
    if (names) {
        free(names);
        free(feats);
    }
    return 0;
}
