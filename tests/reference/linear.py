#!/usr/bin/env python3
"""Golden logistic / linear regression and metric results (statsmodels,
scikit-learn, scipy).

Run with Debian's python3 (python3-statsmodels 0.13, python3-sklearn 1.2,
python3-scipy, python3-pandas) from the repository root, with ../shared/data
present:

    /usr/bin/python3 tests/reference/linear.py

It writes tests/reference/golden/linear_telco.tsv and
tests/reference/golden/linear_dist.tsv.

Data: the Telco churn table with the 11 rows whose TotalCharges is blank
dropped (7,032 rows). Design matrices are built as libcrm builds them: an
intercept first, then the features in the order given; number columns as
they are; text columns one-hot encoded with the first level in byte order as
the reference and terms named "col=level".

linear_telco.tsv holds lines "key<TAB>value<TAB>...":

- logit_*: statsmodels Logit (Newton, tol 1e-12) of Churn = Yes on tenure,
  MonthlyCharges, TotalCharges, SeniorCitizen, Contract, InternetService,
  PaymentMethod, PaperlessBilling: terms, params, bse, z, pvalues, ci_low,
  ci_high (95 %), llf, llnull, prsquared, aic, bic, and the fitted
  probabilities of every row (logit_proba);
- metric_*: sklearn.metrics roc_auc_score and log_loss of those
  probabilities, and accuracy/precision/recall/f1 at 0.5;
- ols_*: statsmodels OLS of TotalCharges on tenure, MonthlyCharges,
  SeniorCitizen, Contract, InternetService, PaymentMethod, PaperlessBilling:
  params, bse, t, pvalues, ci_low, ci_high, rsquared, rsquared_adj, fvalue,
  f_pvalue, llf, aic, bic, scale (sigma^2), ssr; reg_*: sklearn.metrics
  RMSE, MAE, MAPE and R^2 of its fitted values;
- l2_*: scikit-learn LogisticRegression(C=1, solver="newton-cholesky",
  tol=1e-10, max_iter=1000) on the logit design (lambda = 1/C = 1): params
  (intercept first) and the objective sum(log loss) + ||w||^2 / 2; and
  lbfgs_* the same with the default solver="lbfgs" (tol 1e-4, max_iter 100),
  which stops short of the optimum on this unscaled design;
- trend_*: OLS of y = 100, 120, 130, 140, 150 on x = 1..5.

linear_dist.tsv holds lines "t<TAB>df<TAB>two-sided p<TAB>t quantile 0.975
<TAB>exact two-sided p<TAB>exact quantile" (scipy.stats.t.sf * 2 and t.ppf, then
the same to 40 digits with mpmath: betainc and findroot; scipy's ppf is only
good to ~1e-10 relative) and "z<TAB>value<TAB>two-sided p<TAB>exact" (norm.sf
* 2, and mpmath's erfc(z / sqrt(2)) to 40 digits) for checking the
distribution functions.
"""
import os

import mpmath
import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error,
                             mean_absolute_percentage_error, mean_squared_error,
                             precision_score, r2_score, recall_score, roc_auc_score)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data", "telco_churn",
                    "WA_Fn-UseC_-Telco-Customer-Churn.csv")
# output folder: $CRM_GOLDEN_DIR (scripts/regen_goldens.sh), else the committed goldens
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(ROOT, "tests", "reference", "golden")


def design(df, features):
    cols = {"intercept": np.ones(len(df))}
    for f in features:
        if df[f].dtype == object:
            levels = sorted(df[f].unique(), key=lambda s: s.encode("utf-8"))
            for lev in levels[1:]:
                cols["%s=%s" % (f, lev)] = (df[f] == lev).astype(float).to_numpy()
        else:
            cols[f] = df[f].astype(float).to_numpy()
    return pd.DataFrame(cols)


def line(out, key, values):
    if not isinstance(values, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        values = [values]
    out.write(key + "\t" + "\t".join(v if isinstance(v, str) else repr(float(v))
                                     for v in values) + "\n")


def main():
    df = pd.read_csv(DATA)
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip().replace("", np.nan))
    df = df[df["TotalCharges"].notna()].reset_index(drop=True)
    assert len(df) == 7032
    y = (df["Churn"] == "Yes").astype(float).to_numpy()
    feats = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen", "Contract",
             "InternetService", "PaymentMethod", "PaperlessBilling"]
    X = design(df, feats)
    with open(os.path.join(GOLDEN, "linear_telco.tsv"), "w") as out:
        res = sm.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
        ci = res.conf_int(0.05)
        line(out, "logit_features", feats)
        line(out, "logit_terms", list(X.columns))
        line(out, "logit_params", res.params)
        line(out, "logit_bse", res.bse)
        line(out, "logit_z", res.tvalues)
        line(out, "logit_pvalues", res.pvalues)
        line(out, "logit_ci_low", ci[0])
        line(out, "logit_ci_high", ci[1])
        for k in ("llf", "llnull", "prsquared", "aic", "bic"):
            line(out, "logit_" + k, getattr(res, k))
        p = res.predict(X).to_numpy()
        line(out, "logit_proba", p)
        line(out, "metric_auc", roc_auc_score(y, p))
        line(out, "metric_log_loss", log_loss(y, p))
        lab = (p > 0.5).astype(float)
        line(out, "metric_accuracy", accuracy_score(y, lab))
        line(out, "metric_precision", precision_score(y, lab))
        line(out, "metric_recall", recall_score(y, lab))
        line(out, "metric_f1", f1_score(y, lab))

        ofeats = ["tenure", "MonthlyCharges", "SeniorCitizen", "Contract", "InternetService",
                  "PaymentMethod", "PaperlessBilling"]
        Xo = design(df, ofeats)
        yo = df["TotalCharges"].to_numpy()
        ols = sm.OLS(yo, Xo).fit()
        ci = ols.conf_int(0.05)
        line(out, "ols_features", ofeats)
        line(out, "ols_terms", list(Xo.columns))
        line(out, "ols_params", ols.params)
        line(out, "ols_bse", ols.bse)
        line(out, "ols_t", ols.tvalues)
        line(out, "ols_pvalues", ols.pvalues)
        line(out, "ols_ci_low", ci[0])
        line(out, "ols_ci_high", ci[1])
        for k in ("rsquared", "rsquared_adj", "fvalue", "f_pvalue", "llf", "aic", "bic",
                  "scale", "ssr"):
            line(out, "ols_" + k, getattr(ols, k))
        fit = ols.fittedvalues.to_numpy()
        line(out, "reg_rmse", mean_squared_error(yo, fit, squared=False))
        line(out, "reg_mae", mean_absolute_error(yo, fit))
        line(out, "reg_mape", mean_absolute_percentage_error(yo, fit))
        line(out, "reg_r2", r2_score(yo, fit))

        Xn = X.drop(columns=["intercept"]).to_numpy()

        def objective(m):
            z = m.intercept_[0] + Xn @ m.coef_[0]
            return float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.dot(m.coef_[0], m.coef_[0]))

        nc = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10, max_iter=1000).fit(Xn, y)
        line(out, "l2_params", [nc.intercept_[0]] + list(nc.coef_[0]))
        line(out, "l2_objective", objective(nc))
        lb = LogisticRegression(C=1.0).fit(Xn, y)
        line(out, "lbfgs_params", [lb.intercept_[0]] + list(lb.coef_[0]))
        line(out, "lbfgs_objective", objective(lb))
        line(out, "lbfgs_n_iter", lb.n_iter_[0])

        xt = np.arange(1.0, 6.0)
        yt = np.array([100.0, 120.0, 130.0, 140.0, 150.0])
        tr = sm.OLS(yt, sm.add_constant(xt)).fit()
        line(out, "trend_params", tr.params)
        line(out, "trend_bse", tr.bse)
        line(out, "trend_rsquared", tr.rsquared)

    with open(os.path.join(GOLDEN, "linear_dist.tsv"), "w") as out:
        mpmath.mp.dps = 40

        def exact_p2(t, df_):
            x = mpmath.mpf(df_) / (df_ + mpmath.mpf(t) ** 2)
            return mpmath.betainc(mpmath.mpf(df_) / 2, mpmath.mpf(1) / 2, 0, x, regularized=True)

        for df_ in (1, 2, 3, 5, 10, 30, 100, 1000, 7019, 1e6):
            q = mpmath.findroot(lambda t: exact_p2(t, df_) - mpmath.mpf("0.05"),
                                scipy.stats.t.ppf(0.975, df_))
            for t in (0.0, 0.1, 0.5, 1.0, 1.96, 2.5, 4.0, 8.0, 20.0, 50.0):
                line(out, "t", [t, df_, 2 * scipy.stats.t.sf(t, df_), scipy.stats.t.ppf(0.975, df_),
                                float(exact_p2(t, df_)), float(q)])
        for z in (0.0, 0.3, 1.0, 1.959963984540054, 3.0, 6.0, 10.0, 30.0):
            line(out, "z", [z, 2 * scipy.stats.norm.sf(z),
                            float(mpmath.erfc(mpmath.mpf(z) / mpmath.sqrt(2)))])


if __name__ == "__main__":
    main()
