/* The BG/NBD and Gamma-Gamma log-likelihoods with analytic gradients, over
 * customers compressed into distinct rows (formulas in include/crm/clv.h).
 *
 * The terms that depend on a customer's x only (log-gamma and digamma
 * differences) are computed once per distinct x; the per-row loop needs one
 * or two logarithms and one exponential. Rows are summed in fixed blocks
 * merged in block order, so the sums do not depend on the thread count. */
#include "clv/clv_internal.h"
#include "core/par.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 8192

double crm__clv_digamma(double x)
{
    double r = 0;
    while (x < 10) {
        r -= 1 / x;
        x += 1;
    }
    double f = 1 / (x * x);
    double t = f * (-1.0 / 12 +
                    f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
    return r + log(x) - 0.5 / x + t;
}

/* ---- compression --------------------------------------------------------- */

typedef struct row3 {
    double v[3];
    double w;
} row3;

static uint64_t bits(double v)
{
    uint64_t k;
    if (v == 0) v = 0; /* -0 and +0 are one value */
    memcpy(&k, &v, sizeof k);
    return k;
}

/* Distinct rows of the k columns with their counts (hash on the bit
 * patterns), in order of first appearance. Gamma-Gamma's (x, m) are hardly
 * ever repeated (m is a mean of amounts): those rows are taken as they are. */
static crm_status distinct_rows(const double *const *cols, int k, size_t n, row3 **out,
                                size_t *nout)
{
    if (n >= UINT32_MAX)
        return crm__error(CRM_E_INVALID, "crm_clv_fit: more than %u customers", UINT32_MAX - 1);
    row3 *rows = crm__malloc_array(n ? n : 1, sizeof *rows);
    if (!rows) return crm__nomem();
    if (k == 2) {
        for (size_t i = 0; i < n; i++) {
            row3 r = {{cols[0][i], cols[1][i], 0}, 1};
            rows[i] = r;
        }
        *out = rows;
        *nout = n;
        return CRM_OK;
    }
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    uint32_t *slot = crm__calloc(nslots, sizeof *slot); /* distinct index + 1 */
    if (!slot) {
        crm__free(rows);
        return crm__nomem();
    }
    size_t nd = 0, mask = nslots - 1;
    for (size_t i = 0; i < n; i++) {
        row3 r = {{0, 0, 0}, 1};
        uint64_t h = 0;
        for (int j = 0; j < k; j++) {
            r.v[j] = cols[j][i] == 0 ? 0 : cols[j][i];
            h = crm__mix64(h ^ bits(r.v[j]));
        }
        size_t s = (size_t)h & mask;
        for (; slot[s]; s = (s + 1) & mask) {
            const row3 *q = &rows[slot[s] - 1];
            if (q->v[0] == r.v[0] && q->v[1] == r.v[1] && q->v[2] == r.v[2]) break;
        }
        if (slot[s]) {
            rows[slot[s] - 1].w += 1;
        } else {
            rows[nd] = r;
            slot[s] = (uint32_t)++nd;
        }
    }
    crm__free(slot);
    *out = rows;
    *nout = nd;
    return CRM_OK;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The distinct x of the rows, ascending, into d->xv / d->nx. x are whole
 * numbers >= 0: a counting pass when they are small, else a sort. */
static crm_status distinct_x(const row3 *rows, size_t nd, crm__clv_data *d)
{
    double mx = 0;
    for (size_t i = 0; i < nd; i++)
        mx = rows[i].v[0] > mx ? rows[i].v[0] : mx;
    double *xs = crm__malloc_array(nd ? nd : 1, sizeof *xs);
    if (!xs) return crm__nomem();
    size_t nx = 0;
    if (mx <= 1 << 20) {
        unsigned char *seen = crm__calloc((size_t)mx + 1, 1);
        if (!seen) {
            crm__free(xs);
            return crm__nomem();
        }
        for (size_t i = 0; i < nd; i++)
            seen[(size_t)rows[i].v[0]] = 1;
        for (size_t v = 0; v <= (size_t)mx; v++)
            if (seen[v]) xs[nx++] = (double)v;
        crm__free(seen);
    } else {
        for (size_t i = 0; i < nd; i++)
            xs[i] = rows[i].v[0];
        qsort(xs, nd, sizeof *xs, cmp_double);
        for (size_t i = 0; i < nd; i++)
            if (i == 0 || xs[i] != xs[nx - 1]) xs[nx++] = xs[i];
    }
    d->xv = xs;
    d->nx = nx;
    return CRM_OK;
}

/* Index of x in the ascending xv[0..nx). */
static size_t x_index(const double *xv, size_t nx, double x)
{
    size_t lo = 0, hi = nx;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (xv[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void crm__clv_data_free(crm__clv_data *d)
{
    for (int j = 0; j < 3; j++)
        crm__free(d->v[j]);
    crm__free(d->w);
    crm__free(d->gid);
    crm__free(d->xv);
    crm__free(d->xw);
    crm__free(d->gs);
    crm__free(d->xstart);
    crm__free(d->ltab);
    crm__free(d->part);
    memset(d, 0, sizeof *d);
}

/* Whole-number t_x and T up to 2^17: the table of ln(alpha + t). */
static crm_status log_table(crm__clv_data *d)
{
    double tmax = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (int j = 1; j < 3; j++) {
            double t = d->v[j][i];
            if (t != floor(t) || t > (1 << 17)) return CRM_OK;
            tmax = t > tmax ? t : tmax;
        }
    }
    /* ln(alpha + t), then 1 / (alpha + t) */
    if (!(d->ltab = crm__malloc_array(2 * ((size_t)tmax + 1), sizeof *d->ltab)))
        return crm__nomem();
    d->tmax = (size_t)tmax;
    return CRM_OK;
}

/* Rows bucketed by group (stable: first-appearance order within a group). */
static crm_status fill_groups(const row3 *rows, size_t nd, int k, crm__clv_data *d)
{
    size_t nx = d->nx, m = nd ? nd : 1, mx = nx ? nx : 1;
    for (int j = 0; j < 3; j++)
        d->v[j] = crm__malloc_array(m, sizeof(double));
    d->w = crm__malloc_array(m, sizeof *d->w);
    d->gid = crm__malloc_array(m, sizeof *d->gid);
    d->xw = crm__calloc(mx, sizeof *d->xw);
    d->gs = crm__malloc_array(2 * mx, sizeof *d->gs);
    d->xstart = crm__calloc(mx + 1, sizeof *d->xstart);
    uint32_t *g = crm__malloc_array(m, sizeof *g);
    if (!d->v[0] || !d->v[1] || !d->v[2] || !d->w || !d->gid || !d->xw || !d->gs ||
        !d->xstart || !g) {
        crm__free(g);
        return crm__nomem();
    }
    for (size_t i = 0; i < nd; i++) {
        g[i] = (uint32_t)x_index(d->xv, nx, rows[i].v[0]);
        d->xstart[g[i] + 1]++;
    }
    for (size_t q = 0; q < nx; q++)
        d->xstart[q + 1] += d->xstart[q];
    size_t *at = crm__malloc_array(mx, sizeof *at);
    if (!at) {
        crm__free(g);
        return crm__nomem();
    }
    memcpy(at, d->xstart, nx * sizeof *at);
    for (size_t i = 0; i < nd; i++) {
        size_t p = at[g[i]]++;
        for (int j = 0; j < 3; j++)
            d->v[j][p] = rows[i].v[j];
        if (k == 2) d->v[2][p] = log(rows[i].v[1]); /* Gamma-Gamma: ln m */
        d->w[p] = rows[i].w;
        d->gid[p] = g[i];
        d->xw[g[i]] += rows[i].w;
        d->total += rows[i].w;
    }
    crm__free(at);
    crm__free(g);
    return CRM_OK;
}

crm_status crm__clv_data_build(const double *const *cols, int k, size_t n, int nthreads,
                               crm__clv_data *d)
{
    memset(d, 0, sizeof *d);
    row3 *rows = NULL;
    size_t nd = 0;
    crm_status st = distinct_rows(cols, k, n, &rows, &nd);
    if (st) return st;
    st = distinct_x(rows, nd, d);
    if (st == CRM_OK) st = fill_groups(rows, nd, k, d);
    d->n = nd;
    if (st == CRM_OK && k == 3) st = log_table(d);
    size_t nb = (nd + BLOCK - 1) / BLOCK;
    if (st == CRM_OK && !(d->part = crm__malloc_array(nb ? nb : 1, 5 * sizeof(double))))
        st = crm__nomem();
    crm__free(rows);
    if (st) {
        crm__clv_data_free(d);
        return st;
    }
    d->nthreads = crm__par_threads(nthreads, nb);
    return CRM_OK;
}

/* ---- block sums ---------------------------------------------------------- */

typedef struct eval_ctx {
    const crm__clv_data *d;
    const double *theta;
    double *part; /* per block: ll, then the gradient (5 values) */
} eval_ctx;

/* One block of BG/NBD rows: the per-row part of the log-likelihood and its
 * gradient. ln(alpha + t) and 1 / (alpha + t) come from the table when the
 * ages are whole numbers; per group: gs[k] = ln a - ln(b + x - 1) and
 * gs[nx + k] = 1 / (b + x - 1). */
static void bg_block(void *vctx, size_t blk, int worker)
{
    (void)worker;
    const eval_ctx *c = vctx;
    const crm__clv_data *d = c->d;
    double r = c->theta[0], al = c->theta[1];
    const double *cx = d->gs, *ib = d->gs + d->nx;
    const double *lt_tab = d->ltab, *inv_tab = d->tmax ? d->ltab + d->tmax + 1 : NULL;
    size_t lo = blk * BLOCK, hi = lo + BLOCK < d->n ? lo + BLOCK : d->n;
    double s = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    for (size_t i = lo; i < hi; i++) {
        double x = d->v[0][i], w = d->w[i], rx = r + x, lT, iT;
        if (inv_tab) {
            size_t k = (size_t)d->v[2][i];
            lT = lt_tab[k];
            iT = inv_tab[k];
        } else {
            lT = log(al + d->v[2][i]);
            iT = 1 / (al + d->v[2][i]);
        }
        double A3 = -rx * lT;
        if (x == 0) {
            s += w * A3;
            gr -= w * lT;
            gal -= w * rx * iT;
            continue;
        }
        double lt, it;
        if (inv_tab) {
            size_t k = (size_t)d->v[1][i];
            lt = lt_tab[k];
            it = inv_tab[k];
        } else {
            lt = log(al + d->v[1][i]);
            it = 1 / (al + d->v[1][i]);
        }
        double A4 = cx[d->gid[i]] - rx * lt, dd = A4 - A3;
        double e = exp(-fabs(dd)), ll = (dd > 0 ? A4 : A3) + log1p(e);
        double w4 = dd > 0 ? 1 / (1 + e) : e / (1 + e), w3 = 1 - w4;
        s += w * ll;
        gr -= w * (w3 * lT + w4 * lt);
        gal -= w * rx * (w3 * iT + w4 * it);
        ga += w * w4;
        gb -= w * w4 * ib[d->gid[i]];
    }
    double *p = c->part + 5 * blk;
    p[0] = s;
    p[1] = gr;
    p[2] = gal;
    p[3] = ga / c->theta[2];
    p[4] = gb;
}

static void gg_block(void *vctx, size_t blk, int worker)
{
    (void)worker;
    const eval_ctx *c = vctx;
    const crm__clv_data *d = c->d;
    double p = c->theta[0], q = c->theta[1], v = c->theta[2];
    size_t lo = blk * BLOCK, hi = lo + BLOCK < d->n ? lo + BLOCK : d->n;
    double s = 0, gp = 0, gq = 0, gv = 0;
    for (size_t i = lo; i < hi; i++) {
        double x = d->v[0][i], m = d->v[1][i], lm = d->v[2][i], w = d->w[i];
        double px = p * x, xm = x * m + v, L = log(xm);
        s += w * ((px - 1) * lm - (px + q) * L);
        gp += w * x * (lm - L);
        gq -= w * L;
        gv -= w * (px + q) / xm;
    }
    double *o = c->part + 5 * blk;
    o[0] = s;
    o[1] = gp;
    o[2] = gq;
    o[3] = gv;
    o[4] = 0;
}

/* Run fn over the blocks and merge the block sums in order into out[5]. */
static void block_sums(const crm__clv_data *d, const double *theta,
                       void (*fn)(void *, size_t, int), double *out)
{
    size_t nb = (d->n + BLOCK - 1) / BLOCK;
    eval_ctx c = {d, theta, d->part};
    for (int j = 0; j < 5; j++)
        out[j] = 0;
    if (nb == 1)
        fn(&c, 0, 0);
    else if (nb > 1)
        crm__par_for(d->nthreads, nb, fn, &c);
    for (size_t k = 0; k < nb; k++)
        for (int j = 0; j < 5; j++)
            out[j] += c.part[5 * k + j];
}

double crm__clv_bg_loglik(const crm__clv_data *d, const double *theta, double *grad)
{
    double r = theta[0], al = theta[1], a = theta[2], b = theta[3];
    double s = 0, g[4] = {0, 0, 0, 0};
    double lab = crm__lgamma(a + b), lb = crm__lgamma(b), lr = crm__lgamma(r);
    double pab = crm__clv_digamma(a + b), pb = crm__clv_digamma(b), pr = crm__clv_digamma(r);
    for (size_t k = 0; k < d->nx; k++) {
        double x = d->xv[k], W = d->xw[k];
        double A = crm__lgamma(r + x) - lr + lab + crm__lgamma(b + x) - lb - crm__lgamma(a + b + x);
        double pabx = crm__clv_digamma(a + b + x);
        s += W * A;
        g[0] += W * (crm__clv_digamma(r + x) - pr);
        g[2] += W * (pab - pabx);
        g[3] += W * (pab + crm__clv_digamma(b + x) - pb - pabx);
        d->gs[k] = x > 0 ? log(a) - log(b + x - 1) : 0;
        d->gs[d->nx + k] = x > 0 ? 1 / (b + x - 1) : 0;
    }
    if (d->tmax)
        for (size_t t = 0; t <= d->tmax; t++) {
            d->ltab[t] = log(al + (double)t);
            d->ltab[d->tmax + 1 + t] = 1 / (al + (double)t);
        }
    double part[5];
    block_sums(d, theta, bg_block, part);
    s += part[0] + d->total * r * log(al);
    g[0] += part[1] + d->total * log(al);
    g[1] += part[2] + d->total * r / al;
    g[2] += part[3];
    g[3] += part[4];
    if (grad)
        for (int j = 0; j < 4; j++)
            grad[j] = g[j];
    return s;
}

double crm__clv_gg_loglik(const crm__clv_data *d, const double *theta, double *grad)
{
    double p = theta[0], q = theta[1], v = theta[2];
    double s = 0, g[3] = {0, 0, 0};
    double lq = crm__lgamma(q), pq = crm__clv_digamma(q);
    for (size_t k = 0; k < d->nx; k++) {
        double x = d->xv[k], W = d->xw[k], px = p * x, lx = log(x);
        double ppq = crm__clv_digamma(px + q);
        s += W * (crm__lgamma(px + q) - crm__lgamma(px) - lq + px * lx);
        g[0] += W * x * (ppq - crm__clv_digamma(px) + lx);
        g[1] += W * (ppq - pq);
    }
    double part[5];
    block_sums(d, theta, gg_block, part);
    s += part[0] + d->total * q * log(v);
    g[0] += part[1];
    g[1] += part[2] + d->total * log(v);
    g[2] += part[3] + d->total * q / v;
    if (grad)
        for (int j = 0; j < 3; j++)
            grad[j] = g[j];
    return s;
}
