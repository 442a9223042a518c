#!/usr/bin/python3
"""Reference goldens of the CLV module, from an independent implementation.

Written from the papers, not from libcrm:
  Fader, Hardie and Lee (2005), "Counting your customers the easy way: an
  alternative to the Pareto/NBD model", Marketing Science 24(2), eq. (6)
  (likelihood), (10) (conditional expectation), P(alive) (their note
  "Computing P(alive) using the BG/NBD model");
  Fader and Hardie (2013), "The Gamma-Gamma model of monetary value",
  eq. (1)-(5).
The summary table follows lifetimes' summary_data_from_transaction_data
(calendar periods; frequency = repeat periods; monetary = mean of the repeat
periods' totals), computed here with plain Python dictionaries.

Numbers: scipy (minimize, gammaln, betaln), mpmath at 40 digits for the
Gauss hypergeometric function of the conditional expectation (the paper's
formula as printed, no transformation).

It writes, under tests/reference/golden/ (or $CRM_GOLDEN_DIR):
  clv_sim.csv          2,000 customers simulated from BG/NBD + Gamma-Gamma
                       (frequency, recency, T, monetary), numpy seed 18
  clv_fit.tsv          fitted parameters and log-likelihoods (scipy, gradient
                       norm < 1e-10), the log-likelihood and its analytic
                       gradient at three fixed parameter points, and
                       P(alive), expected purchases, expected spend and CLV
                       of the first 300 customers at the fitted parameters
  clv_tx.csv           transactions of 200 customers (customer, date, amount)
  clv_tx_summary.csv   their summary table, days, calibration end 2021-06-30,
                       observation end 2021-12-31, with the holdout columns
"""

import csv
import datetime as dt
import math
import os
import sys

import mpmath
import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, psi

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.environ.get("CRM_GOLDEN_DIR") or os.path.join(HERE, "golden")
mpmath.mp.dps = 40


# ---- simulation -------------------------------------------------------------

def simulate(n, r, alpha, a, b, p, q, v, rng, tmax=52.0):
    """BG/NBD customers: Poisson rate lambda ~ Gamma(r, alpha), dropout after
    each repeat purchase with probability pd ~ Beta(a, b); ages T uniform on
    whole weeks 1..tmax. Spend per purchase Gamma(p, nu), nu ~ Gamma(q, v)."""
    rows = []
    lam = rng.gamma(r, 1.0 / alpha, n)
    pd = rng.beta(a, b, n)
    nu = rng.gamma(q, 1.0 / v, n)
    T = rng.integers(1, int(tmax) + 1, n).astype(float)
    for i in range(n):
        t, x, tx = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > T[i]:
                break
            x += 1
            tx = t
            if rng.random() < pd[i]:
                break
        m = float(np.mean(rng.gamma(p, 1.0 / nu[i], x))) if x > 0 else 0.0
        rows.append((x, tx, T[i], m))
    return rows


# ---- likelihoods ---------------------------------------------------------------

def bg_ll(theta, x, tx, T):
    """Per-customer BG/NBD log-likelihood, FHL 2005 eq. (6)."""
    r, alpha, a, b = theta
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = betaln(a, b + x) - betaln(a, b)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


def bg_grad(theta, x, tx, T, w=1.0):
    """Analytic gradient of the summed BG/NBD log-likelihood (customers weighted by w)."""
    r, alpha, a, b = theta
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + tx), -np.inf)
    w4 = np.exp(A4 - np.logaddexp(A3, A4))
    w3 = 1 - w4
    gr = psi(r + x) - psi(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + tx)
    ga = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + tx))
    gA = psi(a + b) - psi(a + b + x) + np.where(x > 0, w4 / a, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gB = psi(a + b) + psi(b + x) - psi(b) - psi(a + b + x) - np.where(
            x > 0, w4 / np.maximum(b + x - 1, 1e-300), 0.0)
    return np.array([(w * gr).sum(), (w * ga).sum(), (w * gA).sum(), (w * gB).sum()])


def gg_ll(theta, x, m):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend, FH 2013 eq. (4)."""
    p, q, v = theta
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def gg_grad(theta, x, m, w=1.0):
    """Analytic gradient of the summed Gamma-Gamma log-likelihood (weights w)."""
    p, q, v = theta
    L = np.log(x * m + v)
    gp = x * (psi(p * x + q) - psi(p * x) + np.log(m) + np.log(x) - L)
    gq = psi(p * x + q) - psi(q) + np.log(v) - L
    gv = q / v - (p * x + q) / (x * m + v)
    return np.array([(w * gp).sum(), (w * gq).sum(), (w * gv).sum()])


def fit(ll, grad, start, args):
    """Maximum likelihood on log-parameters (BFGS, then Newton polish)."""
    n = len(args[0])

    def f(phi):
        return -ll(np.exp(phi), *args).sum() / n

    def g(phi):
        th = np.exp(phi)
        return -grad(th, *args) * th / n

    res = minimize(f, np.log(start), jac=g, method="BFGS", options={"gtol": 1e-12, "maxiter": 5000})
    phi = res.x
    for _ in range(20):  # Newton steps on a central-difference Hessian of the gradient
        gg = g(phi)
        if np.max(np.abs(gg)) < 1e-13:
            break
        h = 1e-6
        H = np.array([(g(phi + h * e) - g(phi - h * e)) / (2 * h) for e in np.eye(len(phi))])
        phi = phi - np.linalg.solve(0.5 * (H + H.T), gg)
    th = np.exp(phi)
    return th, ll(th, *args).sum(), np.max(np.abs(g(phi)))


# ---- predictions --------------------------------------------------------------

def p_alive(theta, x, tx, T):
    r, alpha, a, b = [mpmath.mpf(float(u)) for u in theta]
    if x == 0:
        return mpmath.mpf(1)
    x, tx, T = mpmath.mpf(x), mpmath.mpf(tx), mpmath.mpf(T)
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def expected(theta, x, tx, T, t):
    """FHL 2005 eq. (10), as printed."""
    r, alpha, a, b = [mpmath.mpf(float(u)) for u in theta]
    x, tx, T, t = mpmath.mpf(x), mpmath.mpf(tx), mpmath.mpf(T), mpmath.mpf(t)
    z = t / (alpha + T + t)
    F = mpmath.hyp2f1(r + x, b + x, a + b + x - 1, z)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * F)
    return num * p_alive(theta, x, tx, T)


def spend(theta, x, m):
    """FH 2013 eq. (5): E(M | p, q, v, x, mean)."""
    p, q, v = [mpmath.mpf(float(u)) for u in theta]
    if x == 0:
        return p * v / (q - 1)
    return p * (v + x * mpmath.mpf(m)) / (p * x + q - 1)


def clv(bg, gg, x, tx, T, m, months, discount, per_month):
    """Discounted monthly sum (lifetimes' customer_lifetime_value)."""
    s, prev = mpmath.mpf(0), mpmath.mpf(0)
    e_spend = spend(gg, x, m)
    for i in range(1, months + 1):
        e = expected(bg, x, tx, T, i * per_month)
        s += e_spend * (e - prev) / mpmath.mpf(1 + discount) ** i
        prev = e
    return s


# ---- transactions and summary ---------------------------------------------------

def transactions(rng):
    start = dt.date(2021, 1, 1)
    rows = []
    for c in range(200):
        first = rng.integers(0, 240)
        n = 1 + rng.poisson(3)
        days = sorted(set(int(first + d) for d in rng.integers(0, 365 - first, n)) | {int(first)})
        for d in days:
            for _ in range(1 + (rng.random() < 0.2)):  # sometimes two lines on a day
                amount = round(float(rng.gamma(2.0, 20.0)), 2)
                rows.append((f"C{c:03d}", (start + dt.timedelta(days=d)).isoformat(), amount))
    rng.shuffle(rows)
    return rows


def summarize(rows, cal_end, obs_end):
    per = {}
    for cust, day, amount in rows:
        d = dt.date.fromisoformat(day)
        if d > obs_end:
            continue
        per.setdefault(cust, {}).setdefault(d, 0.0)
        per[cust][d] += amount
    out = []
    for cust in sorted(per):
        days = sorted(per[cust])
        cal = [d for d in days if d <= cal_end]
        if not cal:
            continue
        hold = [d for d in days if d > cal_end]
        x = len(cal) - 1
        mon = math.fsum(per[cust][d] for d in cal[1:]) / x if x else 0.0
        hmon = math.fsum(per[cust][d] for d in hold) / len(hold) if hold else 0.0
        out.append((cust, x, (cal[-1] - cal[0]).days, (cal_end - cal[0]).days, mon, len(hold),
                    hmon, (obs_end - cal_end).days))
    return out


def main():
    rng = np.random.default_rng(18)
    truth = (0.6, 4.0, 0.8, 2.5, 6.0, 4.0, 15.0)
    sim = simulate(2000, *truth, rng)
    with open(os.path.join(GOLDEN, "clv_sim.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["frequency", "recency", "T", "monetary"])
        for row in sim:
            w.writerow([repr(float(u)) for u in row])
    x = np.array([s[0] for s in sim], float)
    tx = np.array([s[1] for s in sim], float)
    T = np.array([s[2] for s in sim], float)
    m = np.array([s[3] for s in sim], float)
    bg, bg_loglik, bg_g = fit(bg_ll, bg_grad, np.array([1.0, 1.0, 1.0, 1.0]), (x, tx, T))
    rep = x > 0
    gg, gg_loglik, gg_g = fit(gg_ll, gg_grad, np.array([1.0, 2.0, 10.0]), (x[rep], m[rep]))
    lines = [f"# scipy {scipy.__version__}, numpy {np.__version__}, mpmath {mpmath.__version__}",
             "# bgnbd r alpha a b loglik; gg p q v loglik; fitted to |gradient| < 1e-10"]
    assert bg_g < 1e-10 and gg_g < 1e-10, (bg_g, gg_g)
    lines.append("bgnbd\t" + "\t".join(repr(float(u)) for u in list(bg) + [bg_loglik]))
    lines.append("gg\t" + "\t".join(repr(float(u)) for u in list(gg) + [gg_loglik]))
    for th in ([0.5, 3.0, 0.7, 2.0], [2.0, 10.0, 1.5, 0.6], [0.05, 0.5, 0.02, 20.0]):
        th = np.array(th)
        vals = [bg_ll(th, x, tx, T).sum()] + list(bg_grad(th, x, tx, T))
        lines.append("bg_point\t" + "\t".join(repr(float(u)) for u in list(th) + vals))
    for th in ([5.0, 3.0, 12.0], [0.5, 1.5, 2.0]):
        th = np.array(th)
        vals = [gg_ll(th, x[rep], m[rep]).sum()] + list(gg_grad(th, x[rep], m[rep]))
        lines.append("gg_point\t" + "\t".join(repr(float(u)) for u in list(th) + vals))
    # predictions at the fitted parameters: 12 months of 4.345 weeks, 1 % a month
    months, disc, pm = 12, 0.01, 4.345
    for i in range(300):
        vals = [p_alive(bg, x[i], tx[i], T[i]), expected(bg, x[i], tx[i], T[i], months * pm),
                spend(gg, x[i], m[i]), clv(bg, gg, x[i], tx[i], T[i], m[i], months, disc, pm)]
        lines.append(f"pred\t{i}\t" + "\t".join(repr(float(u)) for u in vals))
    # the same at parameters with a < 1 and a + b < 1 (the expectation's hard cases)
    hard = np.array([0.3, 2.0, 0.4, 0.5])
    for i in range(0, 2000, 40):
        vals = [p_alive(hard, x[i], tx[i], T[i]), expected(hard, x[i], tx[i], T[i], 52.0)]
        lines.append(f"pred_hard\t{i}\t" + "\t".join(repr(float(u)) for u in vals))
    with open(os.path.join(GOLDEN, "clv_fit.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    rows = transactions(np.random.default_rng(180))
    with open(os.path.join(GOLDEN, "clv_tx.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer", "date", "amount"])
        w.writerows(rows)
    summ = summarize(rows, dt.date(2021, 6, 30), dt.date(2021, 12, 31))
    with open(os.path.join(GOLDEN, "clv_tx_summary.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer", "frequency", "recency", "T", "monetary", "frequency_holdout",
                    "monetary_holdout", "duration_holdout"])
        for r in summ:
            w.writerow([r[0]] + [repr(float(u)) for u in r[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
