/* CART fitting: data preparation, the exact (pre-sorted) and histogram split
 * searches, depth-first and best-first growth, minimal cost-complexity
 * pruning. The algorithm and its rules are documented in crm/tree.h. */
#include "tree/tree_internal.h"
#include "core/par.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define TR_OPTIONS_V1_SIZE (offsetof(crm_tree_options, user) + sizeof(void *))
/* Two float32 values closer than this (in float32 arithmetic) are one value. */
#define TR_FEATURE_THRESHOLD 1e-7f
#define TR_MISSING_BIN 255
/* Nodes with at least this many rows search (and partition) their features on the
 * worker threads. */
#define TR_PAR_ROWS 16384

static const crm_tree_options tr_defaults = {
    sizeof(crm_tree_options), /* size */
    CRM_TREE_AUTO,            /* task */
    CRM_TREE_CRITERION_AUTO,  /* criterion */
    -1,                       /* max_depth */
    CRM_TREE_WEIGHT_NONE,     /* class_weight */
    2,                        /* min_samples_split */
    1,                        /* min_samples_leaf */
    0.0,                      /* min_impurity_decrease */
    0,                        /* max_leaf_nodes */
    0.0,                      /* ccp_alpha */
    NULL,                     /* positive */
    0,                        /* seed */
    0,                        /* max_bins */
    0,                        /* n_threads */
    NULL,                     /* sample_weight */
    NULL,                     /* progress */
    NULL,                     /* user */
    NULL,                     /* mutate */
    0,                        /* n_mutate */
};

crm_status crm_tree_options_init(crm_tree_options *opts, size_t size)
{
    return crm__options_init(opts, size, &tr_defaults, sizeof tr_defaults, TR_OPTIONS_V1_SIZE,
                             "crm_tree_options");
}

/* ---- fitting context ------------------------------------------------------------------ */

typedef struct tr_entry {
    float x;      /* float32 value, or the level of a text feature; NaN = missing */
    uint32_t row; /* compact row index */
} tr_entry;

typedef struct tr_split {
    int found;
    int32_t feature;
    int32_t missing_left;
    double threshold;
    double proxy;
    int32_t bin; /* histogram mode: last bin sent left */
} tr_split;

/* Scratch of one worker thread. */
typedef struct tr_work {
    double *L, *R, *M, *L2, *R2;
    double *gstat; /* group stats: (max levels + 1) * S */
    double *gcnt;
    int32_t *gcode;
    double *gkey;
    size_t *gord, *gtmp;
    tr_entry *tmp; /* partition buffer (exact mode) */
} tr_work;

typedef struct tr_ctx {
    size_t n, d, K, S; /* rows in the bag (the root's segment), features, classes, stat width */
    size_t nidx;       /* rows of the data (the index space of yc, y, w, goleft) */
    size_t mtry;       /* features a node draws (scikit-learn's max_features); d for a tree */
    int mtry_exact;    /* draw exactly mtry features (ranger), not until one varies */
    int regression, crit;
    const int32_t *yc;
    const double *y;
    const double *w; /* NULL: every row weighs 1 */
    const int32_t *is_text;
    const size_t *nlev;
    tr_entry **ord; /* exact mode: per feature, rows sorted by value, in node segments */
    unsigned char *goleft;
    /* histogram mode */
    int hist;
    int lazy;        /* each node builds the histograms of the features it draws (in c->Hl) */
    int borrowed;    /* bins, edges and nbins belong to a tr_base */
    double *Hl;      /* lazy mode: the histogram of the node being searched */
    unsigned char **bins; /* per feature, bin of each row */
    double **edges;       /* per number feature, nbins - 1 upper edges */
    size_t *nbins;        /* per feature (text: levels) */
    uint32_t *rows;       /* node rows in segments */
    uint32_t *rtmp;
    size_t SH;    /* histogram stat width: S + count */
    size_t hsize; /* doubles per histogram */
    size_t *hoff; /* offset of each feature's bins in a histogram */
    /* options */
    int32_t max_depth;
    int64_t min_split, min_leaf, max_leaves;
    double min_dec;
    /* feature visiting order (scikit-learn's BestSplitter scheme) */
    uint32_t rstate;
    size_t *features, *constf;
    /* scratch */
    double *L, *R, *T; /* node totals and child stats (calling thread) */
    int nthreads;
    tr_work *work;                 /* nthreads workers */
    tr_split *fres;                /* per feature: its best cut in the node */
    unsigned char **fdir;          /* per text feature: category directions of its best cut */
    size_t *seq;                   /* features to search in the node, in visiting order */
    const unsigned char *best_dir; /* directions of the chosen text split */
    size_t maxlev;
    /* the node being searched (for the workers) */
    size_t ps, pe;
    const double *pH;
    /* output */
    tr_node *nodes;
    size_t nn, ncap;
    double *values;
    size_t nv, vcap;
    unsigned char *dirs;
    size_t ndirs, dcap;
    double wN;    /* total weight */
    size_t nmiss; /* missing values of the split feature in the node just marked */
    size_t settled;
    crm_progress_fn progress;
    void *user;
} tr_ctx;

static uint32_t tr_rand(uint32_t *s)
{
    if (*s == 0) *s = 1;
    *s ^= (uint32_t)(*s << 13);
    *s ^= (uint32_t)(*s >> 17);
    *s ^= (uint32_t)(*s << 5);
    return *s % (uint32_t)0x80000000u;
}

static double log2s(double x)
{
    return log(x) / log(2.0);
}

/* Impurity of a node from its stats (S doubles). */
static double impurity_of(const tr_ctx *c, const double *st)
{
    size_t K = c->K;
    if (c->regression) {
        double wn = st[1];
        double imp = st[2] / wn;
        double mu = st[0] / wn;
        return imp - mu * mu;
    }
    double wn = st[K];
    if (c->crit == CRM_TREE_ENTROPY) {
        double e = 0.0;
        for (size_t k = 0; k < K; k++) {
            double p = st[k];
            if (p > 0.0) {
                p /= wn;
                e -= p * log2s(p);
            }
        }
        return e;
    }
    double sq = 0.0;
    for (size_t k = 0; k < K; k++)
        sq += st[k] * st[k];
    return 1.0 - sq / (wn * wn);
}

/* scikit-learn's proxy improvement of a cut with left stats L and right stats R. */
static double proxy_of(const tr_ctx *c, const double *L, const double *R)
{
    size_t K = c->K;
    if (c->regression) return L[0] * L[0] / L[1] + R[0] * R[0] / R[1];
    double wl = L[K], wr = R[K];
    if (c->crit == CRM_TREE_ENTROPY) {
        double el = 0.0, er = 0.0;
        for (size_t k = 0; k < K; k++) {
            double p = L[k];
            if (p > 0.0) {
                p /= wl;
                el -= p * log2s(p);
            }
            p = R[k];
            if (p > 0.0) {
                p /= wr;
                er -= p * log2s(p);
            }
        }
        return -wr * er - wl * el;
    }
    double sl = 0.0, sr = 0.0;
    for (size_t k = 0; k < K; k++) {
        sl += L[k] * L[k];
        sr += R[k] * R[k];
    }
    double gl = 1.0 - sl / (wl * wl);
    double gr = 1.0 - sr / (wr * wr);
    return -wr * gr - wl * gl;
}

static inline void stat_add(const tr_ctx *c, double *st, uint32_t r)
{
    double wt = c->w ? c->w[r] : 1.0;
    if (c->regression) {
        double y = c->y[r];
        st[0] += wt * y;
        st[1] += wt;
        st[2] += wt * y * y;
    } else {
        st[c->yc[r]] += wt;
        st[c->K] += wt;
    }
}

static void stat_zero(const tr_ctx *c, double *st)
{
    memset(st, 0, c->S * sizeof *st);
}

static void stat_sub(const tr_ctx *c, double *out, const double *a, const double *b)
{
    for (size_t k = 0; k < c->S; k++)
        out[k] = a[k] - b[k];
}

static void stat_sum(const tr_ctx *c, double *out, const double *a, const double *b)
{
    for (size_t k = 0; k < c->S; k++)
        out[k] = a[k] + b[k];
}

/* Consider a cut (strictly better replaces). */
static int consider(const tr_ctx *c, tr_split *best, const double *L, const double *R, double nl,
                    double nr)
{
    if (nl < (double)c->min_leaf || nr < (double)c->min_leaf) return 0;
    double p = proxy_of(c, L, R);
    if (p > best->proxy) {
        best->proxy = p;
        return 1;
    }
    return 0;
}

/* ---- exact mode: one sorted sweep of a number feature ------------------------------------- */

/* Returns 1 when the feature is constant in the node (nothing evaluated). */
static int sweep_number(const tr_ctx *c, tr_work *w, size_t j, size_t s, size_t e, tr_split *best)
{
    const tr_entry *a = c->ord[j] + s;
    size_t len = e - s, m = 0;
    while (m < len && isnan(a[len - 1 - m].x))
        m++;
    size_t np = len - m;
    if (np == 0) return 1;
    int same = a[np - 1].x <= a[0].x + TR_FEATURE_THRESHOLD;
    if (same && m == 0) return 1;
    double *L = w->L, *R = w->R, *M = w->M, *L2 = w->L2, *R2 = w->R2;
    const double *T = c->T;
    stat_zero(c, M);
    for (size_t i = np; i < len; i++)
        stat_add(c, M, a[i].row);
    stat_zero(c, L);
    size_t upto = 0, p = 0;
    while (p < np) {
        while (p + 1 < np && a[p + 1].x <= a[p].x + TR_FEATURE_THRESHOLD)
            p++;
        p++;
        if (p >= np) break;
        if (m == 0 && (p < (size_t)c->min_leaf || len - p < (size_t)c->min_leaf)) continue;
        if (c->regression) {
            for (; upto < p; upto++) {
                uint32_t r = a[upto].row;
                double wt = c->w ? c->w[r] : 1.0;
                L[0] += wt * c->y[r];
                L[1] += wt;
            }
        } else {
            size_t K = c->K;
            for (; upto < p; upto++) {
                uint32_t r = a[upto].row;
                double wt = c->w ? c->w[r] : 1.0;
                L[c->yc[r]] += wt;
                L[K] += wt;
            }
        }
        int better = 0;
        if (m > 0) {
            stat_sum(c, L2, L, M);
            stat_sub(c, R2, T, L2);
            if (consider(c, best, L2, R2, (double)(p + m), (double)(np - p))) {
                better = 1;
                best->missing_left = 1;
            }
        }
        stat_sub(c, R, T, L);
        if (consider(c, best, L, R, (double)p, (double)(len - p))) {
            better = 1;
            best->missing_left = 0;
        }
        if (better) {
            double lo = a[p - 1].x, hi = a[p].x;
            double t = lo / 2.0 + hi / 2.0;
            if (t == hi || isinf(t)) t = lo;
            best->found = 1;
            best->feature = (int32_t)j;
            best->threshold = t;
        }
    }
    if (m > 0) {
        /* every present value left, missing right */
        stat_sub(c, L2, T, M);
        if (consider(c, best, L2, M, (double)np, (double)m)) {
            best->found = 1;
            best->feature = (int32_t)j;
            best->threshold = INFINITY;
            best->missing_left = 0;
        }
    }
    return 0;
}

/* ---- text features (both modes): sort the categories and sweep -------------------------- */

static int group_before(size_t u, size_t v, const double *key, const int32_t *code)
{
    return key[u] < key[v] || (key[u] == key[v] && code[u] < code[v]);
}

/* Sort the groups ord[0..n) by (key, code) (a total order: codes are distinct): insertion
 * sort for a few categories, bottom-up merge sort (tmp: n entries) for many. */
static void gsort(size_t *ord, size_t n, const double *key, const int32_t *code, size_t *tmp)
{
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            size_t v = ord[i], k = i;
            while (k > 0 && group_before(v, ord[k - 1], key, code)) {
                ord[k] = ord[k - 1];
                k--;
            }
            ord[k] = v;
        }
        return;
    }
    size_t *a = ord, *b = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = group_before(a[j], a[i], key, code) ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        size_t *t = a;
        a = b;
        b = t;
    }
    if (a != ord) memcpy(ord, a, n * sizeof *ord);
}

/* Groups are in c->gstat (S each), c->gcnt, c->gcode (nlev = missing), G of them.
 * Returns 1 when constant. */
static int sweep_groups(const tr_ctx *c, tr_work *w, size_t j, size_t G, tr_split *best,
                        unsigned char *dir)
{
    if (G < 2) return 1;
    size_t S = c->S, K = c->K;
    size_t rounds = (!c->regression && K > 2) ? K : 1;
    size_t nlev = c->nlev[j];
    double *L = w->L, *R = w->R;
    for (size_t q = 0; q < rounds; q++) {
        for (size_t g = 0; g < G; g++) {
            const double *st = w->gstat + g * S;
            if (c->regression)
                w->gkey[g] = st[0] / st[1];
            else if (K > 2)
                w->gkey[g] = st[q] / st[K];
            else
                w->gkey[g] = K == 2 ? st[1] / st[K] : 0.0;
            w->gord[g] = g;
        }
        gsort(w->gord, G, w->gkey, w->gcode, w->gtmp);
        stat_zero(c, L);
        double nl = 0.0;
        double ntot = 0.0;
        for (size_t g = 0; g < G; g++)
            ntot += w->gcnt[g];
        for (size_t t = 1; t < G; t++) {
            size_t g = w->gord[t - 1];
            stat_sum(c, L, L, w->gstat + g * S);
            nl += w->gcnt[g];
            stat_sub(c, R, c->T, L);
            if (consider(c, best, L, R, nl, ntot - nl)) {
                best->found = 1;
                best->feature = (int32_t)j;
                best->threshold = NAN;
                memset(dir, TR_DIR_UNSEEN, nlev + 1);
                for (size_t u = 0; u < G; u++)
                    dir[w->gcode[w->gord[u]]] = u < t ? TR_DIR_LEFT : TR_DIR_RIGHT;
                best->missing_left = dir[nlev] == TR_DIR_LEFT;
            }
        }
    }
    return 0;
}

static int sweep_text_exact(const tr_ctx *c, tr_work *w, size_t j, size_t s, size_t e,
                            tr_split *best, unsigned char *dir)
{
    const tr_entry *a = c->ord[j] + s;
    size_t len = e - s, G = 0, S = c->S;
    size_t nlev = c->nlev[j];
    for (size_t i = 0; i < len;) {
        float x = a[i].x;
        int miss = isnan(x);
        double *st = w->gstat + G * S;
        stat_zero(c, st);
        size_t i0 = i;
        if (miss) {
            for (; i < len; i++)
                stat_add(c, st, a[i].row);
        } else {
            for (; i < len && a[i].x == x; i++)
                stat_add(c, st, a[i].row);
        }
        w->gcnt[G] = (double)(i - i0);
        w->gcode[G] = miss ? (int32_t)nlev : (int32_t)x;
        G++;
    }
    return sweep_groups(c, w, j, G, best, dir);
}

/* ---- histogram mode: per-bin statistics -------------------------------------------------- */

static void hist_build_feature(const tr_ctx *c, double *H, size_t s, size_t e, size_t j)
{
    size_t SH = c->SH, K = c->K;
    const uint32_t *rows = c->rows;
    {
        const unsigned char *b = c->bins[j];
        double *h = H + c->hoff[j];
        if (c->lazy) {
            /* only the bins the sweeps read (the subtraction of full histograms is not used) */
            size_t nb = c->is_text[j] ? c->nlev[j] : c->nbins[j];
            memset(h, 0, nb * SH * sizeof *H);
            memset(h + (size_t)TR_MISSING_BIN * SH, 0, SH * sizeof *H);
        } else {
            memset(h, 0, (TR_MISSING_BIN + 1) * SH * sizeof *H);
        }
        if (c->regression) {
            for (size_t i = s; i < e; i++) {
                uint32_t r = rows[i];
                double wt = c->w ? c->w[r] : 1.0, y = c->y[r];
                double *q = h + (size_t)b[r] * SH;
                q[0] += wt * y;
                q[1] += wt;
                q[2] += wt * y * y;
                q[3] += 1.0;
            }
        } else if (!c->w) {
            for (size_t i = s; i < e; i++) {
                uint32_t r = rows[i];
                double *q = h + (size_t)b[r] * SH;
                q[c->yc[r]] += 1.0;
                q[K] += 1.0;
                q[K + 1] += 1.0;
            }
        } else {
            for (size_t i = s; i < e; i++) {
                uint32_t r = rows[i];
                double wt = c->w[r];
                double *q = h + (size_t)b[r] * SH;
                q[c->yc[r]] += wt;
                q[K] += wt;
                q[K + 1] += 1.0;
            }
        }
    }
}

typedef struct tr_hjob {
    const tr_ctx *c;
    double *H;
    size_t s, e;
} tr_hjob;

static void hist_task(void *p, size_t j, int worker)
{
    (void)worker;
    const tr_hjob *h = p;
    hist_build_feature(h->c, h->H, h->s, h->e, j);
}

static void hist_build(const tr_ctx *c, double *H, size_t s, size_t e)
{
    if (c->nthreads > 1 && e - s >= TR_PAR_ROWS) {
        tr_hjob h = {c, H, s, e};
        crm__par_for(c->nthreads, c->d, hist_task, &h);
        return;
    }
    for (size_t j = 0; j < c->d; j++)
        hist_build_feature(c, H, s, e, j);
}

static int sweep_hist(const tr_ctx *c, tr_work *w, size_t j, const double *H, tr_split *best,
                      unsigned char *dir)
{
    size_t SH = c->SH, S = c->S;
    const double *h = H + c->hoff[j];
    if (c->is_text[j]) {
        size_t G = 0, nlev = c->nlev[j];
        for (size_t b = 0; b <= nlev; b++) {
            const double *q = h + (b == nlev ? TR_MISSING_BIN : b) * SH;
            if (q[S] == 0.0) continue;
            memcpy(w->gstat + G * S, q, S * sizeof *q);
            w->gcnt[G] = q[S];
            w->gcode[G] = (int32_t)b;
            G++;
        }
        return sweep_groups(c, w, j, G, best, dir);
    }
    size_t nb = c->nbins[j];
    const double *mq = h + (size_t)TR_MISSING_BIN * SH;
    double m = mq[S];
    size_t first = nb, last = 0;
    double np = 0.0;
    for (size_t b = 0; b < nb; b++) {
        if (h[b * SH + S] > 0.0) {
            if (first == nb) first = b;
            last = b;
            np += h[b * SH + S];
        }
    }
    if (first == nb) return 1;
    if (first == last && m == 0.0) return 1;
    double *L = w->L, *R = w->R, *L2 = w->L2, *R2 = w->R2;
    const double *T = c->T;
    stat_zero(c, L);
    double nl = 0.0;
    for (size_t b = first; b < last; b++) {
        const double *q = h + b * SH;
        if (q[S] == 0.0) continue;
        stat_sum(c, L, L, q);
        nl += q[S];
        int better = 0;
        if (m > 0.0) {
            stat_sum(c, L2, L, mq);
            stat_sub(c, R2, T, L2);
            if (consider(c, best, L2, R2, nl + m, np - nl)) {
                better = 1;
                best->missing_left = 1;
            }
        }
        stat_sub(c, R, T, L);
        if (consider(c, best, L, R, nl, np - nl + m)) {
            better = 1;
            best->missing_left = 0;
        }
        if (better) {
            best->found = 1;
            best->feature = (int32_t)j;
            best->threshold = c->edges[j][b];
            best->bin = (int32_t)b;
        }
    }
    if (m > 0.0) {
        stat_sub(c, L2, T, mq);
        if (consider(c, best, L2, mq, np, m)) {
            best->found = 1;
            best->feature = (int32_t)j;
            best->threshold = INFINITY;
            best->bin = (int32_t)nb;
            best->missing_left = 0;
        }
    }
    return 0;
}

/* ---- the split of one node ------------------------------------------------------------------ */

/* 1 when feature j cannot split the node (the sweeps evaluate nothing then). */
static int is_constant(const tr_ctx *c, size_t j, size_t s, size_t e, const double *H)
{
    if (H) {
        size_t SH = c->SH, S = c->S;
        const double *h = H + c->hoff[j];
        size_t groups = h[(size_t)TR_MISSING_BIN * SH + S] > 0.0;
        size_t nb = c->is_text[j] ? c->nlev[j] : c->nbins[j];
        for (size_t b = 0; b < nb && groups < 2; b++)
            groups += h[b * SH + S] > 0.0;
        return groups < 2;
    }
    const tr_entry *a = c->ord[j] + s;
    size_t len = e - s;
    if (c->is_text[j]) {
        if (isnan(a[0].x)) return 1; /* all missing (missing sorts last) */
        if (isnan(a[len - 1].x)) return 0;
        return a[0].x == a[len - 1].x;
    }
    size_t m = 0;
    while (m < len && isnan(a[len - 1 - m].x))
        m++;
    size_t np = len - m;
    if (np == 0) return 1;
    return m == 0 && a[np - 1].x <= a[0].x + TR_FEATURE_THRESHOLD;
}

/* Best cut of feature j in the node c->ps..c->pe into c->fres[j] (and c->fdir[j]). */
static void search_feature(const tr_ctx *c, tr_work *w, size_t j)
{
    tr_split *r = &c->fres[j];
    r->found = 0;
    r->proxy = -INFINITY;
    r->feature = -1;
    r->missing_left = 0;
    r->threshold = 0.0;
    r->bin = -1;
    if (c->pH)
        sweep_hist(c, w, j, c->pH, r, c->fdir[j]);
    else if (c->is_text[j])
        sweep_text_exact(c, w, j, c->ps, c->pe, r, c->fdir[j]);
    else
        sweep_number(c, w, j, c->ps, c->pe, r);
}

static void search_task(void *p, size_t k, int worker)
{
    const tr_ctx *c = p;
    search_feature(c, &c->work[worker], c->seq[k]);
}

/* Visit the features in scikit-learn's BestSplitter order and keep the best cut. The order
 * and the constant features are settled first; the non-constant features are then searched
 * independently (on the worker threads for large nodes) and their best cuts compared in
 * visiting order, a later feature winning only when strictly better: the same result as
 * one sequential sweep. H is the node's histogram in histogram mode (NULL in exact mode). */
static size_t node_split(tr_ctx *c, size_t s, size_t e, size_t n_known, const double *H,
                         tr_split *best)
{
    size_t d = c->d, f_i = d, n_visited = 0, n_found = 0, n_drawn = 0, n_total = n_known;
    size_t *features = c->features;
    size_t nseq = 0;
    best->found = 0;
    best->proxy = -INFINITY;
    best->feature = -1;
    best->missing_left = 0;
    best->threshold = 0.0;
    best->bin = -1;
    while (f_i > n_total &&
           (n_visited < c->mtry || (!c->mtry_exact && n_visited <= n_found + n_drawn))) {
        n_visited++;
        size_t lo = n_drawn, hi = f_i - n_found;
        size_t f_j = lo + tr_rand(&c->rstate) % (hi - lo);
        if (f_j < n_known) {
            size_t t = features[n_drawn];
            features[n_drawn] = features[f_j];
            features[f_j] = t;
            n_drawn++;
            continue;
        }
        f_j += n_found;
        size_t feat = features[f_j];
        if (c->lazy) hist_build_feature(c, c->Hl, s, e, feat);
        if (is_constant(c, feat, s, e, H)) {
            size_t t = features[f_j];
            features[f_j] = features[n_total];
            features[n_total] = t;
            n_found++;
            n_total++;
            continue;
        }
        c->seq[nseq++] = feat;
        f_i--;
        size_t t = features[f_i];
        features[f_i] = features[f_j];
        features[f_j] = t;
    }
    memcpy(features, c->constf, n_known * sizeof *features);
    memcpy(c->constf + n_known, features + n_known, n_found * sizeof *features);
    c->ps = s;
    c->pe = e;
    c->pH = H;
    if (c->nthreads > 1 && nseq > 1 && e - s >= TR_PAR_ROWS)
        crm__par_for(c->nthreads < (int)nseq ? c->nthreads : (int)nseq, nseq, search_task, c);
    else
        for (size_t k = 0; k < nseq; k++)
            search_feature(c, &c->work[0], c->seq[k]);
    for (size_t k = 0; k < nseq; k++) {
        const tr_split *r = &c->fres[c->seq[k]];
        if (r->found && r->proxy > best->proxy) {
            *best = *r;
            c->best_dir = c->fdir[c->seq[k]];
        }
    }
    return n_total;
}

/* Does compact row r go left under split sp? */
static int row_left(const tr_ctx *c, const tr_split *sp, float x)
{
    if (isnan(x)) return sp->missing_left;
    if (c->is_text[sp->feature]) return c->best_dir[(size_t)x] == TR_DIR_LEFT;
    return (double)x <= sp->threshold;
}

/* Mark the rows of the node going left (exact mode) and count them. */
static size_t mark_exact(tr_ctx *c, const tr_split *sp, size_t s, size_t e)
{
    const tr_entry *a = c->ord[sp->feature] + s;
    size_t nl = 0;
    c->nmiss = 0;
    for (size_t i = 0; i < e - s; i++) {
        c->nmiss += isnan(a[i].x);
        int l = row_left(c, sp, a[i].x);
        c->goleft[a[i].row] = (unsigned char)l;
        nl += (size_t)l;
    }
    return nl;
}

static void partition_feature(const tr_ctx *c, tr_work *w, size_t j, size_t s, size_t e)
{
    tr_entry *a = c->ord[j] + s;
    size_t l = 0, r = 0, len = e - s;
    for (size_t i = 0; i < len; i++) {
        tr_entry v = a[i];
        if (c->goleft[v.row])
            a[l++] = v;
        else
            w->tmp[r++] = v;
    }
    memcpy(a + l, w->tmp, r * sizeof *a);
}

static void partition_task(void *p, size_t j, int worker)
{
    const tr_ctx *c = p;
    partition_feature(c, &c->work[worker], j, c->ps, c->pe);
}

/* Partition the sorted lists of the features 0..nfeat-1 of the node s..e (nfeat < d when
 * the children will not be searched: their statistics need only feature 0's list). */
static void partition_exact(tr_ctx *c, size_t s, size_t e, size_t nfeat)
{
    if (nfeat < c->d) {
        for (size_t j = 0; j < nfeat; j++)
            partition_feature(c, &c->work[0], j, s, e);
        return;
    }
    if (c->nthreads > 1 && e - s >= TR_PAR_ROWS) {
        c->ps = s;
        c->pe = e;
        crm__par_for(c->nthreads, c->d, partition_task, c);
        return;
    }
    for (size_t j = 0; j < c->d; j++)
        partition_feature(c, &c->work[0], j, s, e);
}

static size_t mark_hist(tr_ctx *c, const tr_split *sp, size_t s, size_t e)
{
    const unsigned char *b = c->bins[sp->feature];
    int text = c->is_text[sp->feature];
    size_t nl = 0;
    c->nmiss = 0;
    for (size_t i = s; i < e; i++) {
        uint32_t r = c->rows[i];
        unsigned v = b[r];
        int l;
        c->nmiss += v == TR_MISSING_BIN;
        if (v == TR_MISSING_BIN)
            l = sp->missing_left;
        else if (text)
            l = c->best_dir[v] == TR_DIR_LEFT;
        else
            l = (int32_t)v <= sp->bin;
        c->goleft[r] = (unsigned char)l;
        nl += (size_t)l;
    }
    return nl;
}

static void partition_hist(tr_ctx *c, size_t s, size_t e)
{
    uint32_t *a = c->rows + s;
    size_t l = 0, r = 0;
    for (size_t i = 0; i < e - s; i++) {
        uint32_t v = a[i];
        if (c->goleft[v])
            a[l++] = v;
        else
            c->rtmp[r++] = v;
    }
    memcpy(a + l, c->rtmp, r * sizeof *a);
}

/* Stats of the node's rows: T (all), and with goleft marks L and R. */
static void node_stats(tr_ctx *c, size_t s, size_t e, double *T)
{
    stat_zero(c, T);
    if (c->hist) {
        for (size_t i = s; i < e; i++)
            stat_add(c, T, c->rows[i]);
    } else {
        const tr_entry *a = c->ord[0] + s;
        for (size_t i = 0; i < e - s; i++)
            stat_add(c, T, a[i].row);
    }
}

static void child_stats(tr_ctx *c, size_t s, size_t e, double *L, double *R)
{
    stat_zero(c, L);
    stat_zero(c, R);
    for (size_t i = s; i < e; i++) {
        uint32_t r = c->hist ? c->rows[i] : c->ord[0][i].row;
        stat_add(c, c->goleft[r] ? L : R, r);
    }
}

/* ---- node storage ------------------------------------------------------------------------ */

static crm_status add_node(tr_ctx *c, int32_t parent, int is_left, int32_t depth, size_t n,
                           const double *T, double impurity, size_t *id)
{
    if (c->nn == c->ncap) {
        size_t cap = c->ncap ? 2 * c->ncap : 64;
        tr_node *p = crm__realloc_array(c->nodes, cap, sizeof *p);
        if (!p) return crm__nomem();
        c->nodes = p;
        c->ncap = cap;
    }
    size_t vw = c->regression ? 1 : c->K;
    if (c->nv + vw > c->vcap) {
        size_t cap = c->vcap ? 2 * c->vcap : 256;
        while (cap < c->nv + vw)
            cap *= 2;
        double *p = crm__realloc_array(c->values, cap, sizeof *p);
        if (!p) return crm__nomem();
        c->values = p;
        c->vcap = cap;
    }
    tr_node *nd = &c->nodes[c->nn];
    memset(nd, 0, sizeof *nd);
    nd->left = nd->right = -1;
    nd->parent = parent;
    nd->feature = -1;
    nd->depth = depth;
    nd->threshold = NAN;
    nd->n = (double)n;
    nd->impurity = impurity;
    nd->value_off = c->nv;
    if (c->regression) {
        nd->wn = T[1];
        c->values[c->nv] = T[0] / T[1];
    } else {
        nd->wn = T[c->K];
        memcpy(c->values + c->nv, T, c->K * sizeof *T);
    }
    c->nv += vw;
    if (parent >= 0) {
        if (is_left)
            c->nodes[parent].left = (int32_t)c->nn;
        else
            c->nodes[parent].right = (int32_t)c->nn;
    }
    *id = c->nn++;
    return CRM_OK;
}

/* Record the split on node id (feature, threshold or category directions). */
static crm_status set_split(tr_ctx *c, size_t id, const tr_split *sp, double wl, double wr)
{
    tr_node *nd = &c->nodes[id];
    nd->feature = sp->feature;
    nd->missing_left = sp->missing_left;
    nd->threshold = sp->threshold;
    nd->unseen_left = wl >= wr;
    nd->missing_seen = c->nmiss > 0;
    if (!nd->missing_seen) nd->missing_left = nd->unseen_left;
    if (c->is_text[sp->feature]) {
        size_t nlev = c->nlev[sp->feature];
        if (c->ndirs + nlev > c->dcap) {
            size_t cap = c->dcap ? 2 * c->dcap : 256;
            while (cap < c->ndirs + nlev)
                cap *= 2;
            unsigned char *p = crm__realloc(c->dirs, cap);
            if (!p) return crm__nomem();
            c->dirs = p;
            c->dcap = cap;
        }
        nd = &c->nodes[id];
        nd->dir_off = c->ndirs;
        memcpy(c->dirs + c->ndirs, c->best_dir, nlev);
        c->ndirs += nlev;
        nd->threshold = NAN;
    }
    return CRM_OK;
}

static crm_status leaf_done(tr_ctx *c, size_t n)
{
    c->settled += n;
    if (c->progress && c->progress((double)c->settled / (double)c->n, c->user))
        return crm__error(CRM_E_CANCELLED, "crm_tree_fit: cancelled by the progress callback");
    return CRM_OK;
}

/* Split decision of a node: evaluates, and when split, fills the children's
 * impurities and marks/partitions the rows. Returns split = 0 for a leaf. */
typedef struct tr_eval {
    int split;
    size_t nl;
    double imp_l, imp_r, wl, wr;
    size_t n_total;
    tr_split sp;
} tr_eval;

static crm_status eval_node(tr_ctx *c, size_t s, size_t e, int32_t depth, double impurity,
                            const double *T, size_t n_known, const double *H, tr_eval *ev)
{
    size_t n = e - s;
    ev->split = 0;
    ev->n_total = n_known;
    int is_leaf = depth >= c->max_depth || (int64_t)n < c->min_split ||
                  (int64_t)n < 2 * c->min_leaf || impurity <= DBL_EPSILON;
    if (is_leaf) return CRM_OK;
    memcpy(c->T, T, c->S * sizeof *T);
    ev->n_total = node_split(c, s, e, n_known, H, &ev->sp);
    if (!ev->sp.found) return CRM_OK;
    ev->nl = c->hist ? mark_hist(c, &ev->sp, s, e) : mark_exact(c, &ev->sp, s, e);
    double *L = c->L, *R = c->R;
    child_stats(c, s, e, L, R);
    ev->imp_l = impurity_of(c, L);
    ev->imp_r = impurity_of(c, R);
    size_t wi = c->regression ? 1 : c->K;
    double wn = T[wi];
    ev->wl = L[wi];
    ev->wr = R[wi];
    double improvement =
        (wn / c->wN) * (impurity - ev->wr / wn * ev->imp_r - ev->wl / wn * ev->imp_l);
    if (improvement + DBL_EPSILON < c->min_dec) return CRM_OK;
    ev->split = 1;
    return CRM_OK;
}

/* ---- depth-first growth ---------------------------------------------------------------- */

typedef struct tr_rec {
    size_t s, e;
    int32_t depth, parent;
    int is_left;
    double impurity;
    size_t n_known;
    double *H; /* histogram mode: this node's histogram (owned) */
} tr_rec;

static void hist_sub(const tr_ctx *c, double *big, const double *small)
{
    for (size_t i = 0; i < c->hsize; i++)
        big[i] -= small[i];
}

static crm_status grow_depth_first(tr_ctx *c)
{
    size_t cap = 64, top = 0;
    tr_rec *stack = crm__malloc_array(cap, sizeof *stack);
    if (!stack) return crm__nomem();
    crm_status st = CRM_OK;
    double *H0 = NULL;
    if (c->hist && !c->lazy) {
        H0 = crm__malloc_array(c->hsize, sizeof *H0);
        if (!H0) {
            crm__free(stack);
            return crm__nomem();
        }
        hist_build(c, H0, 0, c->n);
    }
    stack[top++] = (tr_rec){0, c->n, 0, -1, 0, INFINITY, 0, H0};
    int first = 1;
    double *T = crm__malloc_array(c->S, sizeof *T);
    if (!T) st = crm__nomem();
    while (st == CRM_OK && top > 0) {
        tr_rec rec = stack[--top];
        node_stats(c, rec.s, rec.e, T);
        double impurity = first ? impurity_of(c, T) : rec.impurity;
        first = 0;
        tr_eval ev;
        st = eval_node(c, rec.s, rec.e, rec.depth, impurity, T, rec.n_known,
                       c->lazy ? c->Hl : rec.H, &ev);
        size_t id = 0;
        if (st == CRM_OK)
            st = add_node(c, rec.parent, rec.is_left, rec.depth, rec.e - rec.s, T, impurity, &id);
        if (st == CRM_OK && ev.split) st = set_split(c, id, &ev.sp, ev.wl, ev.wr);
        if (st != CRM_OK) {
            crm__free(rec.H);
            break;
        }
        if (!ev.split) {
            crm__free(rec.H);
            st = leaf_done(c, rec.e - rec.s);
            continue;
        }
        size_t mid = rec.s + ev.nl;
        double *HL = NULL, *HR = NULL;
        if (c->lazy) {
            partition_hist(c, rec.s, rec.e);
        } else if (c->hist) {
            partition_hist(c, rec.s, rec.e);
            double *Hs = crm__malloc_array(c->hsize, sizeof *Hs);
            if (!Hs) {
                crm__free(rec.H);
                st = crm__nomem();
                break;
            }
            if (ev.nl <= rec.e - mid) {
                hist_build(c, Hs, rec.s, mid);
                hist_sub(c, rec.H, Hs);
                HL = Hs;
                HR = rec.H;
            } else {
                hist_build(c, Hs, mid, rec.e);
                hist_sub(c, rec.H, Hs);
                HR = Hs;
                HL = rec.H;
            }
        } else {
            /* children that cannot be split (depth, size) need only feature 0 sorted */
            int64_t nl = (int64_t)ev.nl, nr = (int64_t)(rec.e - mid);
            int searched =
                rec.depth + 1 < c->max_depth && ((nl >= c->min_split && nl >= 2 * c->min_leaf) ||
                                                 (nr >= c->min_split && nr >= 2 * c->min_leaf));
            partition_exact(c, rec.s, rec.e, searched ? c->d : 1);
        }
        if (top + 2 > cap) {
            size_t nc = 2 * cap;
            tr_rec *p = crm__realloc_array(stack, nc, sizeof *p);
            if (!p) {
                crm__free(HL);
                crm__free(HR);
                st = crm__nomem();
                break;
            }
            stack = p;
            cap = nc;
        }
        stack[top++] =
            (tr_rec){mid, rec.e, rec.depth + 1, (int32_t)id, 0, ev.imp_r, ev.n_total, HR};
        stack[top++] =
            (tr_rec){rec.s, mid, rec.depth + 1, (int32_t)id, 1, ev.imp_l, ev.n_total, HL};
    }
    while (top > 0)
        crm__free(stack[--top].H);
    crm__free(T);
    crm__free(stack);
    return st;
}

/* ---- best-first growth (max_leaf_nodes) ----------------------------------------------- */

typedef struct tr_front {
    size_t id, s, e, mid;
    int32_t depth;
    int split;
    double improvement, imp_l, imp_r;
    double *H; /* histogram mode: the node's histogram (owned) */
} tr_front;

static int front_before(const tr_front *a, const tr_front *b)
{
    if (a->improvement != b->improvement) return a->improvement > b->improvement;
    return a->id < b->id;
}

static void heap_push(tr_front *h, size_t *n, tr_front v)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!front_before(&v, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

static tr_front heap_pop(tr_front *h, size_t *n)
{
    tr_front top = h[0];
    tr_front v = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, b = i;
        const tr_front *bv = &v;
        if (l < *n && front_before(&h[l], bv)) {
            b = l;
            bv = &h[l];
        }
        if (r < *n && front_before(&h[r], bv)) b = r;
        if (b == i) break;
        h[i] = h[b];
        i = b;
    }
    if (*n > 0) h[i] = v;
    return top;
}

/* Create a node and evaluate (and partition) its split. */
static crm_status bf_add(tr_ctx *c, size_t s, size_t e, int32_t depth, int32_t parent, int is_left,
                         double impurity, int first, double *H, double *T, tr_front *out)
{
    memset(out, 0, sizeof *out);
    node_stats(c, s, e, T);
    if (first) impurity = impurity_of(c, T);
    tr_eval ev;
    crm_status st = eval_node(c, s, e, depth, impurity, T, 0, H, &ev);
    size_t id = 0;
    if (st == CRM_OK) st = add_node(c, parent, is_left, depth, e - s, T, impurity, &id);
    if (st == CRM_OK && ev.split) st = set_split(c, id, &ev.sp, ev.wl, ev.wr);
    if (st != CRM_OK) {
        crm__free(H);
        return st;
    }
    out->id = id;
    out->s = s;
    out->e = e;
    out->depth = depth;
    out->split = ev.split;
    if (!ev.split) {
        crm__free(H);
        c->nodes[id].feature = -1;
        return CRM_OK;
    }
    size_t wi = c->regression ? 1 : c->K;
    double wn = T[wi];
    out->improvement = (wn / c->wN) * (impurity - ev.wr / wn * ev.imp_r - ev.wl / wn * ev.imp_l);
    out->imp_l = ev.imp_l;
    out->imp_r = ev.imp_r;
    out->mid = s + ev.nl;
    if (c->hist) {
        /* the children's histograms are made when the node is expanded: a waiting node
         * holds one histogram */
        partition_hist(c, s, e);
        out->H = H;
    } else {
        partition_exact(c, s, e, c->d);
    }
    return CRM_OK;
}

static crm_status grow_best_first(tr_ctx *c)
{
    size_t cap = 64, nh = 0;
    tr_front *heap = crm__malloc_array(cap, sizeof *heap);
    double *T = crm__malloc_array(c->S, sizeof *T);
    double *H0 = NULL;
    crm_status st = CRM_OK;
    if (!heap || !T) st = crm__nomem();
    if (st == CRM_OK && c->hist) {
        H0 = crm__malloc_array(c->hsize, sizeof *H0);
        if (!H0)
            st = crm__nomem();
        else
            hist_build(c, H0, 0, c->n);
    }
    tr_front f;
    if (st == CRM_OK) {
        st = bf_add(c, 0, c->n, 0, -1, 0, 0.0, 1, H0, T, &f);
        if (st == CRM_OK) heap_push(heap, &nh, f);
    } else {
        crm__free(H0);
    }
    int64_t max_split = c->max_leaves - 1;
    while (st == CRM_OK && nh > 0) {
        tr_front r = heap_pop(heap, &nh);
        if (!r.split || max_split <= 0) {
            if (r.split) {
                /* not expanded: undo the split */
                tr_node *nd = &c->nodes[r.id];
                nd->feature = -1;
                nd->threshold = NAN;
                crm__free(r.H);
            }
            st = leaf_done(c, r.e - r.s);
            continue;
        }
        max_split--;
        if (nh + 2 > cap) {
            size_t nc = 2 * cap;
            tr_front *p = crm__realloc_array(heap, nc, sizeof *p);
            if (!p) {
                crm__free(r.H);
                st = crm__nomem();
                break;
            }
            heap = p;
            cap = nc;
        }
        double *HL = NULL, *HR = NULL;
        if (c->hist) {
            /* the smaller child's histogram from its rows, the larger one's by subtraction */
            double *Hs = crm__malloc_array(c->hsize, sizeof *Hs);
            if (!Hs) {
                crm__free(r.H);
                st = crm__nomem();
                break;
            }
            if (r.mid - r.s <= r.e - r.mid) {
                hist_build(c, Hs, r.s, r.mid);
                hist_sub(c, r.H, Hs);
                HL = Hs;
                HR = r.H;
            } else {
                hist_build(c, Hs, r.mid, r.e);
                hist_sub(c, r.H, Hs);
                HR = Hs;
                HL = r.H;
            }
        }
        tr_front fl, fr;
        st = bf_add(c, r.s, r.mid, r.depth + 1, (int32_t)r.id, 1, r.imp_l, 0, HL, T, &fl);
        if (st != CRM_OK) {
            crm__free(HR);
            break;
        }
        heap_push(heap, &nh, fl);
        st = bf_add(c, r.mid, r.e, r.depth + 1, (int32_t)r.id, 0, r.imp_r, 0, HR, T, &fr);
        if (st != CRM_OK) break;
        heap_push(heap, &nh, fr);
    }
    for (size_t i = 0; i < nh; i++)
        crm__free(heap[i].H);
    crm__free(heap);
    crm__free(T);
    return st;
}

/* ---- preorder renumbering and pruning --------------------------------------------------- */

/* Keep the nodes with keep[i] (a kept node whose children are not kept
 * becomes a leaf), renumbered in preorder (left first). */
static crm_status renumber(tr_node **nodes, size_t *nn, const unsigned char *keep)
{
    size_t n = *nn;
    tr_node *src = *nodes;
    tr_node *dst = crm__malloc_array(n, sizeof *dst);
    size_t *stack = crm__malloc_array(n + 1, sizeof *stack);
    int32_t *newpar = crm__malloc_array(n + 1, sizeof *newpar);
    unsigned char *isl = crm__malloc(n + 1);
    if (!dst || !stack || !newpar || !isl) {
        crm__free(dst);
        crm__free(stack);
        crm__free(newpar);
        crm__free(isl);
        return crm__nomem();
    }
    size_t top = 0, m = 0;
    stack[top] = 0;
    newpar[top] = -1;
    isl[top] = 0;
    top++;
    while (top > 0) {
        top--;
        size_t i = stack[top];
        int32_t par = newpar[top];
        int left = isl[top];
        tr_node nd = src[i];
        int leaf = nd.left < 0 || (keep && !keep[nd.left]);
        size_t id = m++;
        int32_t l = nd.left, r = nd.right;
        nd.parent = par;
        if (par >= 0) {
            if (left)
                dst[par].left = (int32_t)id;
            else
                dst[par].right = (int32_t)id;
        }
        nd.left = nd.right = -1;
        if (leaf) {
            nd.feature = -1;
            nd.threshold = NAN;
        }
        dst[id] = nd;
        if (!leaf) {
            stack[top] = (size_t)r;
            newpar[top] = (int32_t)id;
            isl[top] = 0;
            top++;
            stack[top] = (size_t)l;
            newpar[top] = (int32_t)id;
            isl[top] = 1;
            top++;
        }
    }
    crm__free(stack);
    crm__free(newpar);
    crm__free(isl);
    crm__free(src);
    *nodes = dst;
    *nn = m;
    return CRM_OK;
}

/* Minimal cost-complexity pruning over nodes in preorder. With path arrays,
 * records every (alpha, impurity); with keep, marks the nodes that survive
 * ccp_alpha. */
static crm_status ccp(const tr_node *nd, size_t n, double ccp_alpha, double **alphas, double **imps,
                      size_t *npath, unsigned char *keep)
{
    double *r_node = crm__malloc_array(n, sizeof *r_node);
    double *r_branch = crm__calloc(n, sizeof *r_branch);
    size_t *n_leaves = crm__calloc(n, sizeof *n_leaves);
    unsigned char *cand = crm__malloc(n);
    unsigned char *insub = crm__malloc(n);
    size_t *stack = crm__malloc_array(n + 1, sizeof *stack);
    double *pa = NULL, *pi = NULL;
    size_t np = 0;
    crm_status st = CRM_OK;
    if (alphas) {
        pa = crm__malloc_array(n + 1, sizeof *pa);
        pi = crm__malloc_array(n + 1, sizeof *pi);
    }
    if (!r_node || !r_branch || !n_leaves || !cand || !insub || !stack ||
        (alphas && (!pa || !pi))) {
        st = crm__nomem();
        goto done;
    }
    double total = nd[0].wn;
    for (size_t i = 0; i < n; i++) {
        r_node[i] = nd[i].wn * nd[i].impurity / total;
        cand[i] = nd[i].left >= 0;
        insub[i] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (nd[i].left >= 0) continue;
        r_branch[i] = r_node[i];
        double cur = r_node[i];
        size_t li = i;
        while (li != 0) {
            size_t p = (size_t)nd[li].parent;
            r_branch[p] += cur;
            n_leaves[p] += 1;
            li = p;
        }
    }
    if (pa) {
        pa[np] = 0.0;
        pi[np] = r_branch[0];
        np++;
    }
    while (cand[0]) {
        double eff = DBL_MAX;
        size_t pb = 0;
        for (size_t i = 0; i < n; i++) {
            if (!cand[i]) continue;
            double a = (r_node[i] - r_branch[i]) / (double)(n_leaves[i] - 1);
            if (a < eff) {
                eff = a;
                pb = i;
            }
        }
        if (!pa && ccp_alpha < eff) break;
        size_t top = 0;
        stack[top++] = pb;
        while (top > 0) {
            size_t i = stack[--top];
            if (!insub[i]) continue;
            cand[i] = 0;
            insub[i] = 0;
            if (nd[i].left >= 0) {
                stack[top++] = (size_t)nd[i].left;
                stack[top++] = (size_t)nd[i].right;
            }
        }
        insub[pb] = 1;
        size_t pruned = n_leaves[pb] - 1;
        n_leaves[pb] = 0;
        double diff = r_node[pb] - r_branch[pb];
        r_branch[pb] = r_node[pb];
        int32_t p = nd[pb].parent;
        while (p >= 0) {
            n_leaves[p] -= pruned;
            r_branch[p] += diff;
            p = nd[p].parent;
        }
        if (pa) {
            pa[np] = eff;
            pi[np] = r_branch[0];
            np++;
        }
    }
    if (keep) memcpy(keep, insub, n);
    if (pa) {
        *alphas = pa;
        *imps = pi;
        *npath = np;
        pa = pi = NULL;
    }
done:
    crm__free(pa);
    crm__free(pi);
    crm__free(r_node);
    crm__free(r_branch);
    crm__free(n_leaves);
    crm__free(cand);
    crm__free(insub);
    crm__free(stack);
    return st;
}

/* ---- data preparation ------------------------------------------------------------------- */

static uint32_t float_key(float x)
{
    if (isnan(x)) return 0xFFFFFFFFu;
    if (x == 0.0f) x = 0.0f;
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static float key_float(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? (k & 0x7FFFFFFFu) : ~k;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Stable LSD radix sort of (key, row) pairs by key, 4 passes of 8 bits. */
static crm_status radix_sort(uint32_t *key, uint32_t *row, size_t n)
{
    uint32_t *k2 = crm__malloc_array(n, sizeof *k2);
    uint32_t *r2 = crm__malloc_array(n, sizeof *r2);
    if (!k2 || !r2) {
        crm__free(k2);
        crm__free(r2);
        return crm__nomem();
    }
    for (unsigned pass = 0; pass < 4; pass++) {
        unsigned sh = pass * 8;
        size_t cnt[257];
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((key[i] >> sh) & 0xFF) + 1]++;
        if (cnt[((key[0] >> sh) & 0xFF) + 1] == n) continue;
        for (size_t b = 0; b < 256; b++)
            cnt[b + 1] += cnt[b];
        for (size_t i = 0; i < n; i++) {
            size_t b = (key[i] >> sh) & 0xFF;
            size_t o = cnt[b]++;
            k2[o] = key[i];
            r2[o] = row[i];
        }
        memcpy(key, k2, n * sizeof *key);
        memcpy(row, r2, n * sizeof *row);
    }
    crm__free(k2);
    crm__free(r2);
    return CRM_OK;
}

static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}


void crm__tree_data_free(tr_data *D, size_t d)
{
    crm__free(D->rowmap);
    crm__free(D->yc);
    crm__free(D->y);
    crm__free(D->w);
    crm__free(D->is_text);
    crm__free(D->nlev);
    if (D->lvl)
        for (size_t j = 0; j < d; j++)
            crm__free(D->lvl[j]);
    crm__free(D->lvl);
    crm__free(D->cols);
    memset(D, 0, sizeof *D);
}

static crm_status check_options(const crm_tree_options *o)
{
    const char *w = "crm_tree_fit";
    if (o->task < 0 || o->task > 2)
        return crm__error(CRM_E_INVALID, "%s: unknown task %d", w, (int)o->task);
    if (o->criterion < 0 || o->criterion > 3)
        return crm__error(CRM_E_INVALID, "%s: unknown criterion %d", w, (int)o->criterion);
    if (o->max_depth < -1)
        return crm__error(CRM_E_INVALID, "%s: max_depth must be >= 0 or -1 (got %d)", w,
                          (int)o->max_depth);
    if (o->class_weight < 0 || o->class_weight > 1)
        return crm__error(CRM_E_INVALID, "%s: unknown class_weight %d", w, (int)o->class_weight);
    if (o->min_samples_split < 2)
        return crm__error(CRM_E_INVALID, "%s: min_samples_split must be >= 2 (got %lld)", w,
                          (long long)o->min_samples_split);
    if (o->min_samples_leaf < 1)
        return crm__error(CRM_E_INVALID, "%s: min_samples_leaf must be >= 1 (got %lld)", w,
                          (long long)o->min_samples_leaf);
    if (!(o->min_impurity_decrease >= 0.0) || !isfinite(o->min_impurity_decrease))
        return crm__error(CRM_E_INVALID, "%s: min_impurity_decrease must be finite and >= 0", w);
    if (!(o->ccp_alpha >= 0.0) || !isfinite(o->ccp_alpha))
        return crm__error(CRM_E_INVALID, "%s: ccp_alpha must be finite and >= 0", w);
    if (o->max_leaf_nodes < 0 || o->max_leaf_nodes == 1)
        return crm__error(CRM_E_INVALID,
                          "%s: max_leaf_nodes must be 0 (unlimited) or >= 2 "
                          "(got %lld)",
                          w, (long long)o->max_leaf_nodes);
    if (o->max_bins < 0 || o->max_bins == 1 || o->max_bins > TR_MAX_BINS)
        return crm__error(CRM_E_INVALID, "%s: max_bins must be 0 (exact) or 2..%d (got %d)", w,
                          TR_MAX_BINS, (int)o->max_bins);
    if (o->n_threads < 0)
        return crm__error(CRM_E_INVALID, "%s: n_threads must be >= 0 (got %d)", w,
                          (int)o->n_threads);
    return CRM_OK;
}

/* The names of the target and the features: given, distinct, the target not among them. */
static crm_status check_names(const char *target, const char *const *features, size_t nf)
{
    const char *w = "crm_tree_fit";
    if (!target) return crm__error(CRM_E_INVALID, "%s: target is NULL", w);
    if (!features) return crm__error(CRM_E_INVALID, "%s: features is NULL", w);
    if (nf == 0) return crm__error(CRM_E_INVALID, "%s: no feature columns (nf is 0)", w);
    for (size_t j = 0; j < nf; j++) {
        if (!features[j]) return crm__error(CRM_E_INVALID, "%s: feature name %zu is NULL", w, j);
        if (strcmp(features[j], target) == 0)
            return crm__error(CRM_E_INVALID, "%s: the target \"%s\" is also a feature", w, target);
        for (size_t i = 0; i < j; i++)
            if (strcmp(features[i], features[j]) == 0)
                return crm__error(CRM_E_INVALID, "%s: feature \"%s\" is listed twice", w,
                                  features[j]);
    }
    return CRM_OK;
}

/* The target column: a number or text column with a finite value in every row. */
static crm_status find_target(const crm_dataset *ds, const char *target, const crm__column **out)
{
    const char *w = "crm_tree_fit";
    size_t nall = ds->nrows;
    size_t ti;
    crm_status st = crm__dataset_find(ds, target, &ti);
    if (st != CRM_OK) return crm__error(st, "%s: no target column named \"%s\"", w, target);
    const crm__column *tc = &ds->cols[ti];
    if (tc->type != CRM_TYPE_NUMBER && tc->type != CRM_TYPE_TEXT)
        return crm__error(CRM_E_TYPE,
                          "%s: target \"%s\" is a %s column, not a number or text "
                          "column",
                          w, target, crm__type_name(tc->type));
    if (nall == 0) return crm__error(CRM_E_INVALID, "%s: the dataset has no rows", w);
    int text_target = tc->type == CRM_TYPE_TEXT;
    for (size_t r = 0; r < nall; r++) {
        int miss = text_target ? tc->v.code[r] < 0 : isnan(tc->v.num[r]);
        if (miss)
            return crm__error(CRM_E_INVALID, "%s: target \"%s\" row %zu: missing value", w, target,
                              r);
        if (!text_target && !isfinite(tc->v.num[r]))
            return crm__error(CRM_E_INVALID, "%s: target \"%s\" row %zu: value is not finite", w,
                              target, r);
    }
    *out = tc;
    return CRM_OK;
}

/* Classification or regression: the task option, else the criterion, else the target (text,
 * or numbers other than 0/1, make it a regression); checked against the criterion and, for a
 * number target of a classifier, its values (0/1). */
static crm_status choose_task(const crm__column *tc, size_t nall, const char *target,
                              const crm_tree_options *o, int *out)
{
    const char *w = "crm_tree_fit";
    int text_target = tc->type == CRM_TYPE_TEXT;
    int regression;
    if (o->task == CRM_TREE_CLASSIFICATION)
        regression = 0;
    else if (o->task == CRM_TREE_REGRESSION)
        regression = 1;
    else if (text_target)
        regression = 0;
    else if (o->criterion == CRM_TREE_GINI || o->criterion == CRM_TREE_ENTROPY)
        regression = 0;
    else if (o->criterion == CRM_TREE_MSE)
        regression = 1;
    else {
        regression = 0;
        for (size_t r = 0; r < nall && !regression; r++)
            if (tc->v.num[r] != 0.0 && tc->v.num[r] != 1.0) regression = 1;
    }
    if (regression && text_target)
        return crm__error(CRM_E_INVALID, "%s: regression needs a number target; \"%s\" is text", w,
                          target);
    if (regression && (o->criterion == CRM_TREE_GINI || o->criterion == CRM_TREE_ENTROPY))
        return crm__error(CRM_E_INVALID, "%s: criterion gini/entropy is for classification", w);
    if (!regression && o->criterion == CRM_TREE_MSE)
        return crm__error(CRM_E_INVALID, "%s: criterion mse is for regression", w);
    if (!regression && !text_target) {
        for (size_t r = 0; r < nall; r++)
            if (tc->v.num[r] != 0.0 && tc->v.num[r] != 1.0)
                return crm__error(CRM_E_INVALID,
                                  "%s: target \"%s\" row %zu: %g is not 0 or 1 (number targets "
                                  "of a classifier must be 0/1)",
                                  w, target, r, tc->v.num[r]);
    }
    *out = regression;
    return CRM_OK;
}

/* The sample_weight column (D->sw), if the options name one: finite weights >= 0. */
static crm_status find_weights(const crm_dataset *ds, const crm_tree_options *o, tr_data *D)
{
    const char *w = "crm_tree_fit";
    if (!o->sample_weight) return CRM_OK;
    size_t nall = ds->nrows;
    size_t wi;
    crm_status st = crm__dataset_find(ds, o->sample_weight, &wi);
    if (st != CRM_OK)
        return crm__error(st, "%s: no sample_weight column named \"%s\"", w, o->sample_weight);
    if (ds->cols[wi].type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "%s: sample_weight column \"%s\" is not a number column", w,
                          o->sample_weight);
    const double *sw = ds->cols[wi].v.num;
    D->sw = sw;
    for (size_t r = 0; r < nall; r++)
        if (!(sw[r] >= 0.0) || !isfinite(sw[r]))
            return crm__error(CRM_E_INVALID,
                              "%s: sample_weight column \"%s\" row %zu: weight %g is not "
                              "finite and >= 0",
                              w, o->sample_weight, r, sw[r]);
    return CRM_OK;
}

/* The feature columns (D->cols, D->is_text): number columns without infinities, or text. */
static crm_status find_features(const crm_dataset *ds, const char *const *features, size_t nf,
                                tr_data *D)
{
    const char *w = "crm_tree_fit";
    size_t nall = ds->nrows;
    D->cols = crm__calloc(nf, sizeof *D->cols);
    D->is_text = crm__calloc(nf, sizeof *D->is_text);
    D->nlev = crm__calloc(nf, sizeof *D->nlev);
    D->lvl = crm__calloc(nf, sizeof *D->lvl);
    if (!D->cols || !D->is_text || !D->nlev || !D->lvl) return crm__nomem();
    for (size_t j = 0; j < nf; j++) {
        size_t ci;
        crm_status st = crm__dataset_find(ds, features[j], &ci);
        if (st != CRM_OK)
            return crm__error(st, "%s: no feature column named \"%s\"", w, features[j]);
        const crm__column *c = &ds->cols[ci];
        D->cols[j] = c;
        if (c->type == CRM_TYPE_TEXT) {
            D->is_text[j] = 1;
        } else if (c->type != CRM_TYPE_NUMBER) {
            return crm__error(CRM_E_TYPE,
                              "%s: feature \"%s\" is a %s column, not a number or text "
                              "column",
                              w, features[j], crm__type_name(c->type));
        } else {
            for (size_t r = 0; r < nall; r++)
                if (isinf(c->v.num[r]))
                    return crm__error(CRM_E_INVALID, "%s: feature \"%s\" row %zu: value %s", w,
                                      features[j], r, c->v.num[r] < 0 ? "-inf" : "inf");
        }
    }
    return CRM_OK;
}

/* The rows used (D->rowmap, D->n): those of positive weight, every row without weights. */
static crm_status select_rows(tr_data *D, size_t nall)
{
    const char *w = "crm_tree_fit";
    D->nall = nall;
    D->rowmap = crm__malloc_array(nall, sizeof *D->rowmap);
    if (!D->rowmap) return crm__nomem();
    size_t n = 0;
    for (size_t r = 0; r < nall; r++)
        if (!D->sw || D->sw[r] > 0.0) D->rowmap[n++] = (uint32_t)r;
    if (n == 0) return crm__error(CRM_E_INVALID, "%s: every sample weight is 0", w);
    if (nall > 0xFFFFFFF0u) return crm__error(CRM_E_INVALID, "%s: too many rows (%zu)", w, nall);
    D->n = n;
    return CRM_OK;
}

/* Classes of a text target: its values in the rows used, in byte order. Allocates the model
 * (*mout) with them, fills D->yc, and gives in *cmap the class of each dictionary code (-1
 * unused; the caller frees it). */
static crm_status text_classes(const crm__column *tc, size_t nf, tr_data *D, tr_model **mout,
                               int32_t **cmap_out, size_t *K_out)
{
    size_t n = D->n, K = 0;
    size_t nd = tc->dict->n;
    unsigned char *used = crm__calloc(nd + 1, 1);
    const char **names = crm__malloc_array(nd + 1, sizeof *names);
    int32_t *cmap = crm__malloc_array(nd + 1, sizeof *cmap);
    if (!used || !names || !cmap) {
        crm__free(used);
        crm__free(names);
        crm__free(cmap);
        return crm__nomem();
    }
    /* a value found only in rows of weight 0 is no class: row_weights skips its rows */
    for (size_t k = 0; k <= nd; k++)
        cmap[k] = -1;
    for (size_t i = 0; i < n; i++)
        used[tc->v.code[D->rowmap[i]]] = 1;
    for (size_t k = 0; k < nd; k++)
        if (used[k]) names[K++] = crm__dict_str(tc->dict, (int32_t)k);
    qsort(names, K, sizeof *names, cmp_str);
    for (size_t k = 0; k < K; k++) {
        int32_t code = crm__dict_find(tc->dict, names[k], strlen(names[k]));
        cmap[code] = (int32_t)k;
    }
    crm_status st = crm__tree_alloc(nf, K, mout);
    for (size_t k = 0; st == CRM_OK && k < K; k++) {
        (*mout)->classes[k] = crm__strdup(names[k]);
        if (!(*mout)->classes[k]) st = crm__nomem();
    }
    crm__free(used);
    crm__free(names);
    if (st != CRM_OK) {
        crm__free(cmap);
        return st;
    }
    for (size_t i = 0; i < n; i++)
        D->yc[i] = cmap[tc->v.code[D->rowmap[i]]];
    *cmap_out = cmap;
    *K_out = K;
    return CRM_OK;
}

/* Classes of a 0/1 number target: "0" and "1", those that occur in the rows used. Allocates
 * the model (*mout) with them and fills D->yc. */
static crm_status binary_classes(const crm__column *tc, size_t nf, tr_data *D, tr_model **mout,
                                 size_t *K_out)
{
    size_t n = D->n, K = 0;
    int has[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        has[tc->v.num[D->rowmap[i]] != 0.0] = 1;
    int32_t map[2] = {0, 0};
    for (int v = 0; v < 2; v++)
        if (has[v]) map[v] = (int32_t)K++;
    crm_status st = crm__tree_alloc(nf, K, mout);
    K = 0;
    for (int v = 0; st == CRM_OK && v < 2; v++) {
        if (!has[v]) continue;
        (*mout)->classes[K] = crm__strdup(v ? "1" : "0");
        if (!(*mout)->classes[K]) st = crm__nomem();
        K++;
    }
    if (st != CRM_OK) return st;
    for (size_t i = 0; i < n; i++)
        D->yc[i] = map[tc->v.num[D->rowmap[i]] != 0.0];
    *K_out = K;
    return CRM_OK;
}

/* The target of the rows used: D->yc and the model's classes (classification; *cmap as
 * text_classes gives it, NULL for a number target), or D->y (regression). Allocates the model
 * (*mout). */
static crm_status load_target(const crm__column *tc, int regression, size_t nf, tr_data *D,
                              tr_model **mout, int32_t **cmap, size_t *K)
{
    size_t n = D->n;
    *K = 0;
    if (regression) {
        crm_status st = crm__tree_alloc(nf, 0, mout);
        if (st != CRM_OK) return st;
        D->y = crm__malloc_array(n, sizeof *D->y);
        if (!D->y) return crm__nomem();
        for (size_t i = 0; i < n; i++)
            D->y[i] = tc->v.num[D->rowmap[i]];
        return CRM_OK;
    }
    D->yc = crm__malloc_array(n, sizeof *D->yc);
    if (!D->yc) return crm__nomem();
    if (tc->type == CRM_TYPE_TEXT) return text_classes(tc, nf, D, mout, cmap, K);
    return binary_classes(tc, nf, D, mout, K);
}

/* The model's target name and positive class (options.positive: a class index, -1 when not
 * given). */
static crm_status set_target(tr_model *m, const char *target, const crm_tree_options *o, size_t K)
{
    const char *w = "crm_tree_fit";
    m->positive = -1;
    if (o->positive) {
        if (m->regression)
            return crm__error(CRM_E_INVALID, "%s: positive is for classification", w);
        for (size_t k = 0; k < K; k++)
            if (strcmp(m->classes[k], o->positive) == 0) m->positive = (int32_t)k;
        if (m->positive < 0)
            return crm__error(CRM_E_INVALID, "%s: positive class \"%s\" is not a value of \"%s\"",
                              w, o->positive, target);
    }
    m->target = crm__strdup(target);
    if (!m->target) return crm__nomem();
    return CRM_OK;
}

/* Row weights D->w: sample weights times the balanced class weights (these from the class
 * counts over all rows, as scikit-learn); D->w stays NULL when every row weighs 1. cmap is
 * text_classes' map (text target), K the classes. */
static crm_status row_weights(const crm__column *tc, const int32_t *cmap, size_t K,
                              const crm_tree_options *o, int regression, tr_data *D)
{
    const double *sw = D->sw;
    size_t n = D->n, nall = D->nall;
    int balanced = o->class_weight == CRM_TREE_WEIGHT_BALANCED && !regression;
    if (!sw && !balanced) return CRM_OK;
    D->w = crm__malloc_array(n, sizeof *D->w);
    if (!D->w) return crm__nomem();
    for (size_t i = 0; i < n; i++)
        D->w[i] = sw ? sw[D->rowmap[i]] : 1.0;
    if (!balanced) return CRM_OK;
    D->balanced = 1;
    double *cnt = crm__calloc(K ? K : 1, sizeof *cnt);
    if (!cnt) return crm__nomem();
    int text_target = tc->type == CRM_TYPE_TEXT;
    /* counts over all rows, as scikit-learn (before sample weights) */
    for (size_t r = 0; r < nall; r++) {
        int32_t k = text_target ? cmap[tc->v.code[r]] : (int32_t)(tc->v.num[r] != 0.0);
        if (!text_target && K == 1) k = 0;
        if (k >= 0 && (size_t)k < K) cnt[k] += 1.0;
    }
    for (size_t i = 0; i < n; i++)
        D->w[i] *= (double)nall / ((double)K * cnt[D->yc[i]]);
    crm__free(cnt);
    return CRM_OK;
}

/* Levels of text feature j: the categories of the rows used, numbered in order of first
 * appearance (D->lvl[j] maps dictionary codes to them, -1 unused); their names in the model. */
static crm_status text_levels(tr_model *m, tr_data *D, size_t j)
{
    const crm__column *c = D->cols[j];
    size_t nd = c->dict->n;
    D->lvl[j] = crm__malloc_array(nd + 1, sizeof *D->lvl[j]);
    if (!D->lvl[j]) return crm__nomem();
    for (size_t k = 0; k < nd; k++)
        D->lvl[j][k] = -1;
    size_t L = 0;
    for (size_t i = 0; i < D->n; i++) {
        int32_t code = c->v.code[D->rowmap[i]];
        if (code >= 0 && D->lvl[j][code] < 0) D->lvl[j][code] = (int32_t)L++;
    }
    m->levels[j] = crm__calloc(L ? L : 1, sizeof *m->levels[j]);
    if (!m->levels[j]) return crm__nomem();
    m->nlev[j] = L;
    D->nlev[j] = L;
    for (size_t k = 0; k < nd; k++) {
        int32_t l = D->lvl[j][k];
        if (l < 0) continue;
        m->levels[j][l] = crm__strdup(crm__dict_str(c->dict, (int32_t)k));
        if (!m->levels[j][l]) return crm__nomem();
    }
    return CRM_OK;
}

/* The model's feature names and kinds, and the levels of its text features. */
static crm_status feature_levels(tr_model *m, tr_data *D, const char *const *features, size_t nf)
{
    for (size_t j = 0; j < nf; j++) {
        m->names[j] = crm__strdup(features[j]);
        if (!m->names[j]) return crm__nomem();
        m->is_text[j] = D->is_text[j];
        if (!D->is_text[j]) continue;
        crm_status st = text_levels(m, D, j);
        if (st != CRM_OK) return st;
    }
    return CRM_OK;
}

/* Resolve columns, target, weights and levels; fills the model's names, classes, levels. */
static crm_status prepare(const crm_dataset *ds, const char *target, const char *const *features,
                          size_t nf, const crm_tree_options *o, tr_model **mout, tr_data *D)
{
    size_t nall = ds->nrows;
    memset(D, 0, sizeof *D);
    *mout = NULL;
    const crm__column *tc = NULL;
    int regression = 0;
    crm_status st = check_names(target, features, nf);
    if (st == CRM_OK) st = find_target(ds, target, &tc);
    if (st == CRM_OK) st = choose_task(tc, nall, target, o, &regression);
    if (st == CRM_OK) st = find_weights(ds, o, D);
    if (st != CRM_OK) return st;
    int32_t *cmap = NULL; /* dataset code -> class (text target) */
    size_t K = 0;
    st = find_features(ds, features, nf, D);
    if (st == CRM_OK) st = select_rows(D, nall);
    if (st == CRM_OK) st = load_target(tc, regression, nf, D, mout, &cmap, &K);
    if (st == CRM_OK) {
        tr_model *m = *mout;
        m->regression = regression;
        m->target_text = tc->type == CRM_TYPE_TEXT;
        st = set_target(m, target, o, K);
    }
    if (st == CRM_OK) st = row_weights(tc, cmap, K, o, regression, D);
    crm__free(cmap);
    if (st == CRM_OK) st = feature_levels(*mout, D, features, nf);
    if (st != CRM_OK) {
        crm__tree_free_state(*mout);
        *mout = NULL;
        crm__tree_data_free(D, nf);
    }
    return st;
}

/* Value of feature j at dataset row r as the fit sees it. */
float crm__tree_feat_value(const tr_data *D, size_t j, size_t r)
{
    const crm__column *c = D->cols[j];
    if (D->is_text[j]) {
        int32_t code = c->v.code[r];
        return code < 0 ? NAN : (float)D->lvl[j][code];
    }
    return (float)c->v.num[r];
}

static crm_status build_exact(tr_ctx *c, const tr_data *D)
{
    size_t n = c->n;
    uint32_t *key = crm__malloc_array(n, sizeof *key);
    uint32_t *row = crm__malloc_array(n, sizeof *row);
    crm_status st = CRM_OK;
    if (!key || !row) st = crm__nomem();
    for (size_t j = 0; st == CRM_OK && j < c->d; j++) {
        for (size_t i = 0; i < n; i++) {
            float x = crm__tree_feat_value(D, j, D->rowmap[i]);
            key[i] = D->is_text[j] ? (isnan(x) ? 0xFFFFFFFFu : (uint32_t)x) : float_key(x);
            row[i] = (uint32_t)i;
        }
        st = radix_sort(key, row, n);
        if (st != CRM_OK) break;
        tr_entry *a = c->ord[j];
        for (size_t i = 0; i < n; i++) {
            a[i].row = row[i];
            a[i].x = crm__tree_feat_value(D, j, D->rowmap[row[i]]);
        }
    }
    crm__free(key);
    crm__free(row);
    return st;
}

static crm_status build_bins(tr_ctx *c, const tr_data *D, size_t max_bins)
{
    size_t n = c->n;
    float *v = crm__malloc_array(n, sizeof *v);
    uint32_t *key = crm__malloc_array(n, sizeof *key);
    uint32_t *row = crm__malloc_array(n, sizeof *row);
    crm_status st = CRM_OK;
    if (!v || !key || !row) st = crm__nomem();
    for (size_t j = 0; st == CRM_OK && j < c->d; j++) {
        unsigned char *b = c->bins[j];
        if (D->is_text[j]) {
            if (D->nlev[j] > TR_MISSING_BIN - 1) {
                st = crm__error(CRM_E_INVALID,
                                "crm_tree_fit: histogram mode takes text features of at most %d "
                                "categories (\"%s\" has %zu)",
                                TR_MISSING_BIN - 1, D->cols[j]->name, D->nlev[j]);
                break;
            }
            for (size_t i = 0; i < n; i++) {
                float x = crm__tree_feat_value(D, j, D->rowmap[i]);
                if (isnan(x))
                    b[i] = TR_MISSING_BIN;
                else
                    b[i] = (unsigned char)x;
            }
            c->nbins[j] = D->nlev[j];
            continue;
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            float x = crm__tree_feat_value(D, j, D->rowmap[i]);
            if (isnan(x)) {
                b[i] = TR_MISSING_BIN;
                continue;
            }
            key[m] = float_key(x);
            row[m] = (uint32_t)i;
            m++;
        }
        if (m) st = radix_sort(key, row, m);
        if (st != CRM_OK) break;
        /* distinct values, from the sorted keys */
        size_t nd = 0;
        for (size_t i = 0; i < m; i++) {
            float x = key_float(key[i]);
            if (nd == 0 || x > v[nd - 1] + TR_FEATURE_THRESHOLD) v[nd++] = x;
        }
        double *edges = c->edges[j];
        size_t ne = 0;
        if (nd <= max_bins) {
            for (size_t i = 0; i + 1 < nd; i++) {
                double t = (double)v[i] / 2.0 + (double)v[i + 1] / 2.0;
                if (t == (double)v[i + 1]) t = v[i];
                edges[ne++] = t;
            }
        } else {
            /* quantiles of the rows: the value at rank q * m / max_bins, edge after it */
            size_t di = 0;
            for (size_t q = 1; q < max_bins; q++) {
                size_t rank = (size_t)((double)q * (double)m / (double)max_bins);
                float x = key_float(key[rank]);
                while (di + 1 < nd && v[di] < x)
                    di++;
                if (di + 1 >= nd) break;
                double t = (double)v[di] / 2.0 + (double)v[di + 1] / 2.0;
                if (t == (double)v[di + 1]) t = v[di];
                if (ne == 0 || t > edges[ne - 1]) edges[ne++] = t;
            }
        }
        c->nbins[j] = ne + 1;
        /* bins in sorted order: the first edge with x <= edge */
        size_t e = 0;
        for (size_t i = 0; i < m; i++) {
            double x = (double)key_float(key[i]);
            while (e < ne && x > edges[e])
                e++;
            b[row[i]] = (unsigned char)e;
        }
    }
    crm__free(v);
    crm__free(key);
    crm__free(row);
    return st;
}

static void ctx_free(tr_ctx *c)
{
    if (c->ord)
        for (size_t j = 0; j < c->d; j++)
            crm__free(c->ord[j]);
    crm__free(c->ord);
    if (!c->borrowed) {
        if (c->bins)
            for (size_t j = 0; j < c->d; j++)
                crm__free(c->bins[j]);
        crm__free(c->bins);
        if (c->edges)
            for (size_t j = 0; j < c->d; j++)
                crm__free(c->edges[j]);
        crm__free(c->edges);
        crm__free(c->nbins);
    }
    crm__free(c->Hl);
    crm__free(c->hoff);
    crm__free(c->rows);
    crm__free(c->rtmp);
    if (c->work)
        for (int t = 0; t < c->nthreads; t++) {
            tr_work *w = &c->work[t];
            crm__free(w->L);
            crm__free(w->gstat);
            crm__free(w->gcnt);
            crm__free(w->gcode);
            crm__free(w->gkey);
            crm__free(w->gord);
            crm__free(w->gtmp);
            crm__free(w->tmp);
        }
    crm__free(c->work);
    if (c->fdir)
        for (size_t j = 0; j < c->d; j++)
            crm__free(c->fdir[j]);
    crm__free(c->fdir);
    crm__free(c->fres);
    crm__free(c->seq);
    crm__free(c->goleft);
    crm__free(c->features);
    crm__free(c->constf);
    crm__free(c->L);
    crm__free(c->nodes);
    crm__free(c->values);
    crm__free(c->dirs);
}

/* The fitting context: the data, the bag and the options of the fit (no allocations). The
 * bag's rows are counted into c->n; its weights replace the data's. */
static void ctx_init(tr_ctx *c, const tr_data *D, const tr_bag *bag, const crm_tree_options *o,
                     size_t mtry, int mtry_exact, const tr_model *m)
{
    memset(c, 0, sizeof *c);
    size_t d = m->d;
    c->nidx = D->n;
    c->n = D->n;
    if (bag->in) {
        c->n = 0;
        for (size_t i = 0; i < D->n; i++)
            c->n += bag->in[i] != 0;
    }
    c->d = d;
    c->mtry = mtry >= 1 && mtry <= d ? mtry : d;
    c->mtry_exact = mtry_exact;
    c->K = m->K;
    c->regression = m->regression;
    c->crit = m->criterion;
    c->S = m->regression ? 3 : m->K + 1;
    c->yc = D->yc;
    c->y = D->y;
    c->w = bag->w ? bag->w : D->w;
    c->is_text = D->is_text;
    c->nlev = D->nlev;
    c->max_depth = o->max_depth < 0 ? INT32_MAX : o->max_depth;
    c->min_split = o->min_samples_split;
    c->min_leaf = o->min_samples_leaf;
    c->max_leaves = o->max_leaf_nodes;
    c->min_dec = o->min_impurity_decrease;
    c->rstate = (uint32_t)(o->seed & 0x7FFFFFFFu);
    c->progress = o->progress;
    c->user = o->user;
    c->hist = o->max_bins > 0;
    /* with a feature subset per node, building every feature's histogram costs more than
     * it saves: a node builds those of the features it draws */
    c->lazy = c->hist && c->mtry < d && c->max_leaves == 0;
    size_t maxlev = 0;
    for (size_t j = 0; j < d; j++)
        if (D->nlev[j] > maxlev) maxlev = D->nlev[j];
    c->maxlev = maxlev;
}

/* Scratch of one worker thread: child stats, text-feature groups of up to G levels, and
 * (exact mode) the partition buffer. */
static crm_status work_alloc(const tr_ctx *c, tr_work *w, size_t G)
{
    w->L = crm__malloc_array(5 * c->S, sizeof *w->L);
    w->gstat = crm__malloc_array(G * c->S, sizeof *w->gstat);
    w->gcnt = crm__malloc_array(G, sizeof *w->gcnt);
    w->gcode = crm__malloc_array(G, sizeof *w->gcode);
    w->gkey = crm__malloc_array(G, sizeof *w->gkey);
    w->gord = crm__malloc_array(G, sizeof *w->gord);
    w->gtmp = crm__malloc_array(G, sizeof *w->gtmp);
    if (!c->hist) w->tmp = crm__malloc_array(c->n, sizeof *w->tmp);
    if (!w->L || !w->gstat || !w->gcnt || !w->gcode || !w->gkey || !w->gord || !w->gtmp ||
        (!c->hist && !w->tmp))
        return crm__nomem();
    w->R = w->L + c->S;
    w->M = w->R + c->S;
    w->L2 = w->M + c->S;
    w->R2 = w->L2 + c->S;
    return CRM_OK;
}

/* Scratch of the growth: node stats, per-feature results and text directions, the feature
 * visiting order (0..d-1 to start) and the workers' scratch; the total weight c->wN of the
 * bag. */
static crm_status scratch_alloc(tr_ctx *c, const tr_data *D, const tr_bag *bag, int32_t n_threads)
{
    size_t d = c->d;
    c->goleft = crm__malloc(c->nidx);
    c->features = crm__malloc_array(d, sizeof *c->features);
    c->constf = crm__calloc(d, sizeof *c->constf);
    c->L = crm__malloc_array(3 * c->S, sizeof *c->L);
    c->fres = crm__calloc(d, sizeof *c->fres);
    c->fdir = crm__calloc(d, sizeof *c->fdir);
    c->seq = crm__malloc_array(d, sizeof *c->seq);
    c->nthreads = crm__par_threads(n_threads, d);
    c->work = crm__calloc((size_t)c->nthreads, sizeof *c->work);
    if (!c->goleft || !c->features || !c->constf || !c->L || !c->fres || !c->fdir || !c->seq ||
        !c->work) {
        crm__free(c->work);
        c->work = NULL;
        return crm__nomem();
    }
    c->R = c->L + c->S;
    c->T = c->R + c->S;
    size_t G = (c->maxlev > 256 ? c->maxlev : 256) + 1;
    for (int t = 0; t < c->nthreads; t++) {
        crm_status st = work_alloc(c, &c->work[t], G);
        if (st != CRM_OK) return st;
    }
    for (size_t j = 0; j < d; j++) {
        if (!D->is_text[j]) continue;
        c->fdir[j] = crm__malloc(D->nlev[j] + 1);
        if (!c->fdir[j]) return crm__nomem();
    }
    for (size_t j = 0; j < d; j++)
        c->features[j] = j;
    c->wN = 0.0;
    for (size_t i = 0; i < c->nidx; i++)
        if (!bag->in || bag->in[i]) c->wN += c->w ? c->w[i] : 1.0;
    return CRM_OK;
}

/* ---- the prepared data of a fit (shared by the trees of a forest) ------------------------ */

struct tr_base {
    size_t d;
    int hist;
    tr_entry **ord;       /* exact mode: per feature, every row sorted by value */
    unsigned char **bins; /* histogram mode: per feature, the bin of each row */
    double **edges;
    size_t *nbins;
};

void crm__tree_base_free(tr_base *B)
{
    if (!B) return;
    for (size_t j = 0; j < B->d; j++) {
        if (B->ord) crm__free(B->ord[j]);
        if (B->bins) crm__free(B->bins[j]);
        if (B->edges) crm__free(B->edges[j]);
    }
    crm__free(B->ord);
    crm__free(B->bins);
    crm__free(B->edges);
    crm__free(B->nbins);
    crm__free(B);
}

/* Exact mode: per feature, every row sorted by value. Histogram mode: per feature, the bin of
 * each row (at most max_bins bins, at quantiles of all the rows). */
crm_status crm__tree_base_new(const tr_data *D, size_t d, int32_t max_bins, tr_base **out)
{
    *out = NULL;
    tr_base *B = crm__calloc(1, sizeof *B);
    if (!B) return crm__nomem();
    B->d = d;
    B->hist = max_bins > 0;
    tr_ctx c;
    memset(&c, 0, sizeof c);
    c.n = D->n;
    c.d = d;
    crm_status st = CRM_OK;
    if (B->hist) {
        B->bins = c.bins = crm__calloc(d, sizeof *c.bins);
        B->edges = c.edges = crm__calloc(d, sizeof *c.edges);
        B->nbins = c.nbins = crm__calloc(d, sizeof *c.nbins);
        if (!c.bins || !c.edges || !c.nbins) st = crm__nomem();
        for (size_t j = 0; st == CRM_OK && j < d; j++) {
            c.bins[j] = crm__malloc(D->n);
            c.edges[j] = crm__malloc_array((size_t)max_bins, sizeof *c.edges[j]);
            if (!c.bins[j] || !c.edges[j]) st = crm__nomem();
        }
        if (st == CRM_OK) st = build_bins(&c, D, (size_t)max_bins);
    } else {
        B->ord = c.ord = crm__calloc(d, sizeof *c.ord);
        if (!c.ord) st = crm__nomem();
        for (size_t j = 0; st == CRM_OK && j < d; j++) {
            c.ord[j] = crm__malloc_array(D->n, sizeof *c.ord[j]);
            if (!c.ord[j]) st = crm__nomem();
        }
        if (st == CRM_OK) st = build_exact(&c, D);
    }
    if (st != CRM_OK) {
        crm__tree_base_free(B);
        return st;
    }
    *out = B;
    return CRM_OK;
}

/* Exact mode: per feature, the rows of the bag sorted by value (the base's lists filtered; with
 * `take`, and a bag of every row, the base's lists themselves). */
static crm_status setup_exact(tr_ctx *c, tr_base *B, const tr_bag *bag, int take)
{
    c->ord = crm__calloc(c->d, sizeof *c->ord);
    if (!c->ord) return crm__nomem();
    for (size_t j = 0; j < c->d; j++) {
        if (take && !bag->in) {
            c->ord[j] = B->ord[j];
            B->ord[j] = NULL;
            continue;
        }
        c->ord[j] = crm__malloc_array(c->n, sizeof *c->ord[j]);
        if (!c->ord[j]) return crm__nomem();
        const tr_entry *src = B->ord[j];
        tr_entry *dst = c->ord[j];
        if (!bag->in) {
            memcpy(dst, src, c->n * sizeof *dst);
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < c->nidx; i++)
            if (bag->in[src[i].row]) dst[k++] = src[i];
    }
    return CRM_OK;
}

/* Histogram mode: the base's bins (borrowed), the rows of the bag, and the layout of the
 * per-node histograms. */
static crm_status setup_hist(tr_ctx *c, const tr_base *B, const tr_bag *bag)
{
    size_t d = c->d, n = c->n;
    c->SH = c->S + 1;
    c->bins = B->bins;
    c->edges = B->edges;
    c->nbins = B->nbins;
    c->borrowed = 1;
    c->hoff = crm__calloc(d, sizeof *c->hoff);
    c->rows = crm__malloc_array(n, sizeof *c->rows);
    c->rtmp = crm__malloc_array(n, sizeof *c->rtmp);
    if (!c->hoff || !c->rows || !c->rtmp) return crm__nomem();
    for (size_t j = 0; j < d; j++)
        c->hoff[j] = j * (TR_MISSING_BIN + 1) * c->SH;
    c->hsize = d * (TR_MISSING_BIN + 1) * c->SH;
    if (c->lazy) {
        c->Hl = crm__malloc_array(c->hsize, sizeof *c->Hl);
        if (!c->Hl) return crm__nomem();
    }
    size_t k = 0;
    for (size_t i = 0; i < c->nidx; i++)
        if (!bag->in || bag->in[i]) c->rows[k++] = (uint32_t)i;
    return CRM_OK;
}

/* Minimal cost-complexity pruning of the grown tree (in preorder) at ccp_alpha. */
static crm_status prune_tree(tr_ctx *c, double ccp_alpha)
{
    unsigned char *keep = crm__malloc(c->nn);
    if (!keep) return crm__nomem();
    crm_status st = ccp(c->nodes, c->nn, ccp_alpha, NULL, NULL, NULL, keep);
    if (st == CRM_OK) st = renumber(&c->nodes, &c->nn, keep);
    crm__free(keep);
    return st;
}

/* Grow one tree on the rows of the bag into m (names/classes already set): nodes, values,
 * dirs, weighted_n. take: the exact-mode lists of B may be used up (a single tree). */
static crm_status grow_tree(const tr_data *D, tr_base *B, const tr_bag *bag,
                            const crm_tree_options *o, size_t mtry, int mtry_exact, tr_model *m,
                            int prune, int take)
{
    tr_ctx c;
    ctx_init(&c, D, bag, o, mtry, mtry_exact, m);
    if (c.n == 0) return crm__error(CRM_E_INVALID, "crm_tree_fit: the bag has no rows");
    crm_status st = scratch_alloc(&c, D, bag, o->n_threads);
    if (st == CRM_OK) st = c.hist ? setup_hist(&c, B, bag) : setup_exact(&c, B, bag, take);
    if (st == CRM_OK) st = c.max_leaves > 0 ? grow_best_first(&c) : grow_depth_first(&c);
    /* preorder */
    if (st == CRM_OK) st = renumber(&c.nodes, &c.nn, NULL);
    if (st == CRM_OK && prune && o->ccp_alpha > 0.0 && c.nn > 1) st = prune_tree(&c, o->ccp_alpha);
    if (st == CRM_OK) {
        m->nodes = c.nodes;
        m->nnodes = c.nn;
        m->values = c.values;
        m->nvalues = c.nv;
        m->dirs = c.dirs;
        m->ndirs = c.ndirs;
        c.nodes = NULL;
        c.values = NULL;
        c.dirs = NULL;
        m->weighted_n = c.wN;
    }
    ctx_free(&c);
    return st;
}

crm_status crm__tree_grow(const tr_data *D, const tr_base *B, const tr_bag *bag,
                          const crm_tree_options *o, size_t mtry, int mtry_exact, tr_model *m)
{
    /* (take = 0: B is only read) */
    return grow_tree(D, (tr_base *)(uintptr_t)B, bag, o, mtry, mtry_exact, m, 0, 0);
}

/* Fit into m (names/classes already set); fills nodes, values, dirs. */
static crm_status fit_tree(const tr_data *D, const crm_tree_options *o, tr_model *m, int prune)
{
    tr_base *B = NULL;
    crm_status st = crm__tree_base_new(D, m->d, o->max_bins, &B);
    const tr_bag all = {NULL, NULL};
    if (st == CRM_OK) st = grow_tree(D, B, &all, o, m->d, 0, m, prune, 1);
    crm__tree_base_free(B);
    return st;
}

static crm_status train_score(const tr_data *D, tr_model *m)
{
    size_t d = m->d;
    if (!m->regression && !D->balanced) {
        /* the leaves' class weights are the sample weights of their rows: the rows
         * predicted right weigh the largest class weight of their leaf */
        double good = 0.0, tot = 0.0;
        for (size_t i = 0; i < m->nnodes; i++) {
            const tr_node *nd = &m->nodes[i];
            if (nd->left >= 0) continue;
            good += m->values[nd->value_off + crm__tree_argmax(m, nd)];
            tot += nd->wn;
        }
        m->train_score = good / tot;
        return CRM_OK;
    }
    float *num = crm__malloc_array(d, sizeof *num);
    int32_t *code = crm__malloc_array(d, sizeof *code);
    if (!num || !code) {
        crm__free(num);
        crm__free(code);
        return crm__nomem();
    }
    /* rows weigh their sample weight (class weights do not count here) */
    double good = 0.0, tot = 0.0, sse = 0.0, sst = 0.0, mean = 0.0, wsum = 0.0;
    if (m->regression) {
        for (size_t i = 0; i < D->n; i++) {
            double wt = D->sw ? D->sw[D->rowmap[i]] : 1.0;
            mean += wt * D->y[i];
            wsum += wt;
        }
        mean /= wsum;
    }
    for (size_t i = 0; i < D->n; i++) {
        size_t r = D->rowmap[i];
        for (size_t j = 0; j < d; j++) {
            float x = crm__tree_feat_value(D, j, r);
            num[j] = x;
            code[j] = isnan(x) ? -1 : (int32_t)x;
        }
        const tr_node *nd = &m->nodes[crm__tree_leaf(m, num, code)];
        double wt = D->sw ? D->sw[r] : 1.0;
        if (m->regression) {
            double e = D->y[i] - m->values[nd->value_off], t = D->y[i] - mean;
            sse += wt * e * e;
            sst += wt * t * t;
        } else {
            good += (int32_t)crm__tree_argmax(m, nd) == D->yc[i] ? wt : 0.0;
            tot += wt;
        }
    }
    m->train_score = m->regression ? (sst > 0.0 ? 1.0 - sse / sst : 0.0) : good / tot;
    crm__free(num);
    crm__free(code);
    return CRM_OK;
}

static crm_status fit_common(const crm_dataset *ds, const char *target, const char *const *features,
                             size_t nf, const crm_tree_options *opts, tr_model **out, tr_data *D,
                             crm_tree_options *o)
{
    const char *w = "crm_tree_fit";
    *out = NULL;
    if (!ds) return crm__error(CRM_E_INVALID, "%s: dataset is NULL", w);
    crm_status st = crm__options_load(o, opts, &tr_defaults, sizeof tr_defaults, TR_OPTIONS_V1_SIZE,
                                      "crm_tree_options");
    if (st != CRM_OK) return st;
    st = check_options(o);
    if (st != CRM_OK) return st;
    tr_model *m = NULL;
    st = prepare(ds, target, features, nf, o, &m, D);
    if (st != CRM_OK) return st;
    m->criterion = o->criterion != CRM_TREE_CRITERION_AUTO ? o->criterion
                   : m->regression                         ? CRM_TREE_MSE
                                                           : CRM_TREE_GINI;
    m->n_rows = (double)D->n;
    m->ccp_alpha = o->ccp_alpha;
    m->max_bins = o->max_bins;
    *out = m;
    return CRM_OK;
}

crm_status crm__tree_setup(const crm_dataset *ds, const char *target, const char *const *features,
                           size_t nf, const crm_tree_options *o, tr_model **out, tr_data *D)
{
    *out = NULL;
    crm_status st = check_options(o);
    if (st != CRM_OK) return st;
    tr_model *m = NULL;
    st = prepare(ds, target, features, nf, o, &m, D);
    if (st != CRM_OK) return st;
    m->criterion = o->criterion != CRM_TREE_CRITERION_AUTO ? o->criterion
                   : m->regression                         ? CRM_TREE_MSE
                                                           : CRM_TREE_GINI;
    m->n_rows = (double)D->n;
    m->max_bins = o->max_bins;
    *out = m;
    return CRM_OK;
}

/* crm_tree_fit() on the working copy of its transform steps (crm__steps_fit). */
static crm_status fit_plain(const crm_dataset *work, const crm__fit_args *a, crm_model **out)
{
    crm_tree_options o = *(const crm_tree_options *)a->opts;
    o.n_mutate = 0;
    return crm_tree_fit(work, a->target, a->features, a->nf, &o, out);
}

static crm_status tree_fit_pinned(const crm_dataset *ds, const char *target,
                                  const char *const *features, size_t nf,
                                  const crm_tree_options *opts, crm_model **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_tree_fit: out is NULL");
    *out = NULL;
    crm_tree_options o;
    crm_status st = crm__options_load(&o, opts, &tr_defaults, sizeof tr_defaults,
                                      TR_OPTIONS_V1_SIZE, "crm_tree_options");
    if (st == CRM_OK && o.n_mutate) {
        const crm__fit_args a = {target, features, nf, &o};
        return crm__steps_fit(ds, o.mutate, o.n_mutate, "crm_tree_fit", fit_plain, &a, out);
    }
    tr_data D;
    tr_model *m = NULL;
    if (st == CRM_OK) st = fit_common(ds, target, features, nf, opts, &m, &D, &o);
    if (st != CRM_OK) return st;
    st = fit_tree(&D, &o, m, 1);
    if (st == CRM_OK) {
        crm__tree_importances(m);
        st = train_score(&D, m);
    }
    crm__tree_data_free(&D, nf);
    if (st != CRM_OK) {
        crm__tree_free_state(m);
        return st;
    }
    return crm__model_new(&crm__tree_vtable, m, out);
}

/* crm_tree_fit pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_tree_fit(const crm_dataset *ds, const char *target, const char *const *features,
                        size_t nf, const crm_tree_options *opts, crm_model **out)
{
    crm__dataset_pin(ds);
    crm_status st = tree_fit_pinned(ds, target, features, nf, opts, out);
    crm__dataset_unpin(ds);
    return st;
}

static crm_status tree_pruning_path_pinned(const crm_dataset *ds, const char *target,
                                           const char *const *features, size_t nf,
                                           const crm_tree_options *opts, crm_dataset **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_tree_pruning_path: out is NULL");
    *out = NULL;
    crm_tree_options o;
    crm_status st = crm__options_load(&o, opts, &tr_defaults, sizeof tr_defaults,
                                      TR_OPTIONS_V1_SIZE, "crm_tree_options");
    if (st == CRM_OK && o.n_mutate) { /* the path of the tree crm_tree_fit() would grow */
        const crm_dataset *work = NULL;
        st = crm__steps_apply(ds, o.mutate, o.n_mutate, "crm_tree_pruning_path", &work);
        if (st != CRM_OK) return st;
        o.mutate = NULL;
        o.n_mutate = 0;
        st = crm_tree_pruning_path(work, target, features, nf, &o, out);
        crm__steps_release(ds, work);
        return st;
    }
    tr_data D;
    tr_model *m = NULL;
    if (st == CRM_OK) st = fit_common(ds, target, features, nf, opts, &m, &D, &o);
    if (st != CRM_OK) return st;
    st = fit_tree(&D, &o, m, 0);
    crm__tree_data_free(&D, nf);
    double *alphas = NULL, *imps = NULL;
    size_t np = 0;
    if (st == CRM_OK) st = ccp(m->nodes, m->nnodes, 0.0, &alphas, &imps, &np, NULL);
    crm__tree_free_state(m);
    crm_dataset *t = NULL;
    if (st == CRM_OK) st = crm_dataset_new(&t);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "ccp_alpha", alphas, np);
    if (st == CRM_OK) st = crm_dataset_add_number(t, "impurity", imps, np);
    crm__free(alphas);
    crm__free(imps);
    if (st != CRM_OK) {
        crm_dataset_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

/* crm_tree_pruning_path pins ds for the whole call: the progress callback may free it (the
 * storage then goes when the call returns) but not change it. */
crm_status crm_tree_pruning_path(const crm_dataset *ds, const char *target,
                                 const char *const *features, size_t nf,
                                 const crm_tree_options *opts, crm_dataset **out)
{
    crm__dataset_pin(ds);
    crm_status st = tree_pruning_path_pinned(ds, target, features, nf, opts, out);
    crm__dataset_unpin(ds);
    return st;
}
