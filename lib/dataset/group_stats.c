/* Group-by as mergeable statistics (crm/stats.h): groups kept sorted by key, per group and
 * aggregation the count, exact sums of x and x*x, and the extremes; merge is a sorted merge of
 * two group lists; finalize rounds once, with crm_dataset_group's exact mean. */
#include "core/dataset_internal.h"
#include "core/stats_internal.h"
#include "dataset/group_internal.h"

#include <math.h>
#include <string.h>

enum { G_SUM, G_MEAN, G_MIN, G_MAX, G_COUNT, G_VAR, G_NFN };
static const char *const g_names[G_NFN] = {"sum", "mean", "min", "max", "count", "var"};

typedef struct g_agg {
    char *name;       /* output column */
    char *col;        /* input column, NULL for count() */
    int32_t fn;
    int64_t *cnt;     /* per group: non-missing values (rows for count()) */
    crm__xsums s1;    /* sum, mean, var: exact sum of x */
    crm__xsums s2;    /* var: exact sum of x*x */
    double *ext;      /* min, max: the extreme, NaN when none */
} g_agg;

typedef struct g_stats {
    size_t nkeys, naggs, ng, capg;
    char **keyname;
    crm__kcol *key; /* nkeys columns of ng values, groups in ascending key order */
    g_agg *agg;
} g_stats;

static void g_free(void *sp)
{
    g_stats *s = sp;
    if (!s) return;
    for (size_t i = 0; i < s->nkeys; i++) {
        crm__free(s->keyname ? s->keyname[i] : NULL);
        if (s->key) crm__kcol_free(&s->key[i]);
    }
    for (size_t a = 0; a < s->naggs && s->agg; a++) {
        g_agg *g = &s->agg[a];
        crm__free(g->name);
        crm__free(g->col);
        crm__free(g->cnt);
        crm__free(g->ext);
        crm__xsums_free(&g->s1);
        crm__xsums_free(&g->s2);
    }
    crm__free(s->keyname);
    crm__free(s->key);
    crm__free(s->agg);
    crm__free(s);
}

static g_stats *g_new(size_t nkeys, size_t naggs)
{
    g_stats *s = crm__calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nkeys = nkeys;
    s->naggs = naggs;
    s->keyname = crm__calloc(nkeys + 1, sizeof *s->keyname);
    s->key = crm__calloc(nkeys + 1, sizeof *s->key);
    s->agg = crm__calloc(naggs + 1, sizeof *s->agg);
    if (!s->keyname || !s->key || !s->agg) {
        g_free(s);
        return NULL;
    }
    return s;
}

/* Room for one more group in every per-group array. */
static crm_status g_reserve(g_stats *s)
{
    if (s->ng < s->capg) return CRM_OK;
    size_t cap = s->capg ? 2 * s->capg : 16;
    for (size_t a = 0; a < s->naggs; a++) {
        g_agg *g = &s->agg[a];
        int64_t *c = crm__realloc_array(g->cnt, cap, sizeof *c);
        if (!c) return crm__nomem();
        g->cnt = c;
        double *e = crm__realloc_array(g->ext, cap, sizeof *e);
        if (!e) return crm__nomem();
        g->ext = e;
    }
    s->capg = cap;
    return CRM_OK;
}

/* ---- the aggregation strings ------------------------------------------------------------- */

static void trim(const char **b, const char **e)
{
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* `[NAME=]FUNCTION(COLUMN)` into g (name, col, fn), checked against ds. */
static crm_status parse_agg(const crm_dataset *ds, const char *s, g_agg *g)
{
    const char *fn = "crm_group_stats_compute";
    if (!s) return crm__error(CRM_E_INVALID, "%s: aggregation string is NULL", fn);
    size_t len = strlen(s);
    const char *open = strchr(s, '(');
    if (!open || len == 0 || s[len - 1] != ')')
        return crm__error(CRM_E_PARSE, "%s: aggregation \"%s\": expected FUNCTION(COLUMN)", fn,
                          s);
    const char *eq = memchr(s, '=', (size_t)(open - s));
    const char *fb = eq ? eq + 1 : s, *fe = open, *nb = s, *ne = eq;
    trim(&fb, &fe);
    if (eq) trim(&nb, &ne);
    if (eq && nb == ne)
        return crm__error(CRM_E_PARSE, "%s: aggregation \"%s\": empty name before '='", fn, s);
    g->fn = -1;
    for (int f = 0; f < G_NFN; f++)
        if (strlen(g_names[f]) == (size_t)(fe - fb) && memcmp(g_names[f], fb, (size_t)(fe - fb)) == 0)
            g->fn = f;
    if (g->fn < 0)
        return crm__error(CRM_E_NOTFOUND,
                          "%s: aggregation \"%s\": unknown function \"%.*s\" (expected sum, mean, "
                          "min, max, count or var)",
                          fn, s, (int)(fe - fb), fb);
    size_t clen = (size_t)(s + len - 1 - (open + 1));
    if (clen == 0 && g->fn != G_COUNT)
        return crm__error(CRM_E_PARSE, "%s: aggregation \"%s\": %s needs a column", fn, s,
                          g_names[g->fn]);
    if (clen > 0 && !(g->col = crm__strndup(open + 1, clen))) return crm__nomem();
    if (g->col) {
        size_t ci;
        if (crm__dataset_find(ds, g->col, &ci))
            return crm__error(CRM_E_NOTFOUND, "%s: aggregation \"%s\": no column named \"%s\"",
                              fn, s, g->col);
        if (g->fn != G_COUNT && ds->cols[ci].type != CRM_TYPE_NUMBER)
            return crm__error(CRM_E_TYPE,
                              "%s: aggregation \"%s\": %s needs a number column, \"%s\" is %s", fn,
                              s, g_names[g->fn], g->col, crm__type_name(ds->cols[ci].type));
    }
    if (eq) {
        g->name = crm__strndup(nb, (size_t)(ne - nb));
    } else if (!g->col) {
        g->name = crm__strdup("count");
    } else {
        size_t fl = strlen(g_names[g->fn]);
        if ((g->name = crm__malloc(clen + fl + 2))) {
            memcpy(g->name, g->col, clen);
            g->name[clen] = '_';
            memcpy(g->name + clen + 1, g_names[g->fn], fl + 1);
        }
    }
    return g->name ? CRM_OK : crm__nomem();
}

static crm_status check_names(const g_stats *s)
{
    for (size_t i = 0; i < s->nkeys + s->naggs; i++) {
        const char *a = i < s->nkeys ? s->keyname[i] : s->agg[i - s->nkeys].name;
        for (size_t j = 0; j < i; j++) {
            const char *b = j < s->nkeys ? s->keyname[j] : s->agg[j - s->nkeys].name;
            if (strcmp(a, b) == 0)
                return crm__error(CRM_E_INVALID,
                                  "crm_group_stats_compute: output column \"%s\" appears twice",
                                  a);
        }
    }
    return CRM_OK;
}

/* ---- compute ------------------------------------------------------------------------------- */

/* A short exact sum: Shewchuk's non-overlapping partials, at most X4 of them (a sum of
 * ordinary values needs 1 to 4). bad = 1 when more were needed or a value or partial was not
 * finite; such a group is summed again with crm__fsum (rare). */
enum { X4 = 6 };
typedef struct x4sum {
    double p[X4];
    int32_t n, bad;
} x4sum;

static inline void x4_add(x4sum *s, double x)
{
    int32_t i = crm__partials_add(s->p, s->n, &x);
    if (i == X4 || !isfinite(x)) {
        s->bad = 1;
        s->n = 0;
        return;
    }
    s->p[i++] = x;
    s->n = i;
}

/* Push the ng sums of acc (in group order) to xs. The bad ones are summed again exactly with
 * crm__fsum, all in one pass over the rows (x: the values; sq: sums of x*x). */
static crm_status push_sums(crm__xsums *xs, const x4sum *acc, const double *x,
                            const uint32_t *gid, size_t n, size_t ng, int sq)
{
    size_t nbad = 0;
    uint32_t *slot = NULL;
    crm__fsum *fs = NULL, f;
    for (size_t g = 0; g < ng; g++)
        nbad += acc[g].bad != 0;
    if (nbad) {
        slot = crm__malloc_array(ng, sizeof *slot);
        fs = crm__malloc_array(nbad, sizeof *fs);
        if (!slot || !fs) {
            crm__free(slot);
            crm__free(fs);
            return crm__nomem();
        }
        for (size_t g = 0, k = 0; g < ng; g++)
            slot[g] = acc[g].bad ? (uint32_t)k++ : UINT32_MAX;
        for (size_t k = 0; k < nbad; k++)
            crm__fsum_init(&fs[k]);
        for (size_t r = 0; r < n; r++) {
            uint32_t k = slot[gid[r]];
            double v = x[r];
            if (k == UINT32_MAX || v != v) continue;
            if (!sq) {
                crm__fsum_add(&fs[k], v);
            } else {
                double h = v * v;
                crm__fsum_add(&fs[k], h);
                crm__fsum_add(&fs[k], fma(v, v, -h));
            }
        }
    }
    crm_status st = CRM_OK;
    for (size_t g = 0; g < ng && !st; g++) {
        if (acc[g].bad) {
            st = crm__xsums_push(xs, &fs[slot[g]]);
            continue;
        }
        crm__fsum_init(&f);
        f.n = acc[g].n;
        memcpy(f.p, acc[g].p, (size_t)acc[g].n * sizeof *f.p);
        st = crm__xsums_push(xs, &f);
    }
    crm__free(slot);
    crm__free(fs);
    return st;
}

/* One aggregation over the rows: gid[r] is row r's group in key order (ng groups, counts and
 * extremes already reserved). One pass over the column: the accumulators are indexed by
 * group, so the per-row work is a few adds (measured: the per-group sort of rows it replaces
 * cost 30x crm_dataset_group). */
static crm_status agg_fill(g_agg *ag, const crm__column *c, const uint32_t *gid, size_t n,
                           size_t ng)
{
    for (size_t g = 0; g < ng; g++) {
        ag->cnt[g] = 0;
        ag->ext[g] = NAN;
    }
    if (!c || c->type != CRM_TYPE_NUMBER) {
        for (size_t r = 0; r < n; r++)
            if (!c || !crm__cell_missing(c, r)) ag->cnt[gid[r]]++;
        return CRM_OK;
    }
    const double *x = c->v.num;
    int sums = ag->fn == G_SUM || ag->fn == G_MEAN || ag->fn == G_VAR, var = ag->fn == G_VAR;
    int ext = ag->fn == G_MIN || ag->fn == G_MAX, mn = ag->fn == G_MIN;
    x4sum *s1 = sums ? crm__calloc(ng + 1, sizeof *s1) : NULL;
    x4sum *s2 = var ? crm__calloc(ng + 1, sizeof *s2) : NULL;
    crm_status st = CRM_OK;
    if ((sums && !s1) || (var && !s2)) {
        st = crm__nomem();
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        double v = x[r];
        if (v != v) continue;
        uint32_t g = gid[r];
        ag->cnt[g]++;
        if (ext) {
            double e = ag->ext[g];
            if (e != e || (mn ? v < e : v > e)) ag->ext[g] = v;
        }
        if (sums) x4_add(&s1[g], v);
        if (var) {
            double h = v * v;
            x4_add(&s2[g], h);
            x4_add(&s2[g], fma(v, v, -h));
        }
    }
    if (sums) st = push_sums(&ag->s1, s1, x, gid, n, ng, 0);
    if (!st && var) st = push_sums(&ag->s2, s2, x, gid, n, ng, 1);
done:
    crm__free(s1);
    crm__free(s2);
    return st;
}

/* The chunk's groups: ids and key order as crm_dataset_group finds them (hash, then a radix
 * sort of the groups only), the keys in that order, then every aggregation in one pass. */
static crm_status g_fill(g_stats *s, const crm_dataset *ds, const size_t *kc, const size_t *aggcol)
{
    size_t n = ds->nrows, ng = 0;
    uint32_t *gid = crm__malloc_array(n + 1, sizeof *gid), *order = NULL, *rank = NULL;
    int64_t *rep = NULL;
    crm_status st = gid ? crm__group_rows(ds, kc, s->nkeys, gid, &rep, &order, &ng)
                        : crm__nomem();
    if (!st && !(rank = crm__malloc_array(ng + 1, sizeof *rank))) st = crm__nomem();
    if (st) goto done;
    for (size_t i = 0; i < ng; i++)
        rank[order[i]] = (uint32_t)i;
    for (size_t r = 0; r < n; r++)
        gid[r] = rank[gid[r]];
    for (size_t k = 0; k < s->nkeys && !st; k++)
        for (size_t i = 0; i < ng && !st; i++)
            st = crm__kcol_push_cell(&s->key[k], &ds->cols[kc[k]], (size_t)rep[order[i]]);
    while (!st && s->capg < ng) {
        s->ng = s->capg;
        st = g_reserve(s);
    }
    if (st) goto done;
    s->ng = ng;
    for (size_t a = 0; a < s->naggs && !st; a++)
        st = agg_fill(&s->agg[a], s->agg[a].col ? &ds->cols[aggcol[a]] : NULL, gid, n, ng);
done:
    crm__free(gid);
    crm__free(order);
    crm__free(rank);
    crm__free(rep);
    return st;
}

static uint64_t g_fingerprint(const g_stats *s)
{
    uint64_t h = crm__fp_u64(CRM__FP_INIT, s->nkeys);
    for (size_t k = 0; k < s->nkeys; k++)
        h = crm__fp_str(h, s->keyname[k]);
    for (size_t a = 0; a < s->naggs; a++) {
        h = crm__fp_str(crm__fp_str(h, s->agg[a].name), s->agg[a].col);
        h = crm__fp_u64(h, (uint64_t)s->agg[a].fn);
    }
    return h;
}

static crm_status g_setup(g_stats *s, const crm_dataset *ds, const char *const *keys,
                          const char *const *aggs, size_t *kc, size_t *aggcol)
{
    const char *fn = "crm_group_stats_compute";
    crm_status st;
    for (size_t k = 0; k < s->nkeys; k++) {
        if (!keys[k]) return crm__error(CRM_E_INVALID, "%s: key name %zu is NULL", fn, k);
        if ((st = crm__dataset_find(ds, keys[k], &kc[k])))
            return crm__error(st, "%s: no key column named \"%s\"", fn, keys[k]);
        if (!(s->keyname[k] = crm__strdup(keys[k]))) return crm__nomem();
        s->key[k].type = ds->cols[kc[k]].type;
    }
    for (size_t a = 0; a < s->naggs; a++) {
        if ((st = parse_agg(ds, aggs[a], &s->agg[a]))) return st;
        if (s->agg[a].col) crm__dataset_find(ds, s->agg[a].col, &aggcol[a]);
    }
    return check_names(s);
}

crm_status crm_group_stats_compute(const crm_dataset *ds, const char *const *keys,
                                   size_t nkeys, const char *const *aggs, size_t naggs,
                                   crm_stats **out)
{
    const char *fn = "crm_group_stats_compute";
    if (out) *out = NULL;
    if (!ds || !keys || !out || (naggs > 0 && !aggs))
        return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (nkeys == 0) return crm__error(CRM_E_INVALID, "%s: no key columns", fn);
    g_stats *s = g_new(nkeys, naggs);
    size_t *kc = crm__malloc_array(nkeys, sizeof *kc);
    size_t *aggcol = crm__calloc(naggs + 1, sizeof *aggcol);
    crm_status st = CRM_OK;
    if (!s || !kc || !aggcol) {
        st = crm__nomem();
    } else if (!(st = g_setup(s, ds, keys, aggs, kc, aggcol)) &&
               !(st = g_fill(s, ds, kc, aggcol))) {
        st = crm__stats_wrap(&crm__stats_group_ops, g_fingerprint(s), (int64_t)ds->nrows, s, out);
        s = NULL;
    }
    g_free(s);
    crm__free(kc);
    crm__free(aggcol);
    return st;
}

/* ---- merge --------------------------------------------------------------------------------- */

static int key_cmp(const g_stats *a, size_t i, const g_stats *b, size_t j)
{
    for (size_t k = 0; k < a->nkeys; k++) {
        int c = crm__kcol_cmp(&a->key[k], i, &b->key[k], j);
        if (c) return c;
    }
    return 0;
}

/* Append group i of src (or the sum of a's group i and b's group j) to t. */
static crm_status take_group(g_stats *t, const g_stats *a, size_t i, const g_stats *b, size_t j)
{
    crm_status st = g_reserve(t);
    for (size_t k = 0; k < t->nkeys && !st; k++)
        st = crm__kcol_push(&t->key[k], a ? &a->key[k] : &b->key[k], a ? i : j);
    for (size_t x = 0; x < t->naggs && !st; x++) {
        g_agg *ta = &t->agg[x];
        const g_agg *aa = a ? &a->agg[x] : NULL, *ba = b ? &b->agg[x] : NULL;
        if (aa && ba && ba->cnt[j] > CRM__MAX_COUNT - aa->cnt[i]) return crm__count_overflow();
        int64_t cnt = (aa ? aa->cnt[i] : 0) + (ba ? ba->cnt[j] : 0);
        double ea = aa ? aa->ext[i] : NAN, eb = ba ? ba->ext[j] : NAN, e = ea;
        if (isnan(ea) || (!isnan(eb) && (ta->fn == G_MIN ? eb < ea : eb > ea))) e = eb;
        ta->cnt[t->ng] = cnt;
        ta->ext[t->ng] = e;
        for (int m = 0; m < 2 && !st; m++) {
            if (m == 0 && !(ta->fn == G_SUM || ta->fn == G_MEAN || ta->fn == G_VAR)) continue;
            if (m == 1 && ta->fn != G_VAR) continue;
            crm__fsum f;
            crm__fsum_init(&f);
            if (aa) crm__xsums_add_to(m ? &aa->s2 : &aa->s1, i, &f);
            if (ba) crm__xsums_add_to(m ? &ba->s2 : &ba->s1, j, &f);
            st = crm__xsums_push(m ? &ta->s2 : &ta->s1, &f);
        }
    }
    if (!st) t->ng++;
    return st;
}

static crm_status g_merge(void *ip, const void *op)
{
    g_stats *a = ip;
    const g_stats *b = op;
    g_stats *t = g_new(a->nkeys, a->naggs);
    if (!t) return crm__nomem();
    crm_status st = CRM_OK;
    for (size_t k = 0; k < a->nkeys && !st; k++) {
        st = crm__kcol_unify(&a->key[k], &b->key[k], a->keyname[k]);
        t->key[k].type = a->key[k].type;
    }
    for (size_t x = 0; x < a->naggs; x++)
        t->agg[x].fn = a->agg[x].fn;
    size_t i = 0, j = 0;
    while (!st && (i < a->ng || j < b->ng)) {
        int c = i >= a->ng ? 1 : j >= b->ng ? -1 : key_cmp(a, i, b, j);
        if (c < 0)
            st = take_group(t, a, i++, NULL, 0);
        else if (c > 0)
            st = take_group(t, NULL, 0, b, j++);
        else
            st = take_group(t, a, i++, b, j++);
    }
    if (st) {
        g_free(t);
        return st;
    }
    /* move t's groups into a, keeping a's names */
    for (size_t k = 0; k < a->nkeys; k++) {
        crm__kcol_free(&a->key[k]);
        a->key[k] = t->key[k];
        memset(&t->key[k], 0, sizeof t->key[k]);
    }
    for (size_t x = 0; x < a->naggs; x++) {
        g_agg *ga = &a->agg[x], *gt = &t->agg[x];
        crm__free(ga->cnt);
        crm__free(ga->ext);
        crm__xsums_free(&ga->s1);
        crm__xsums_free(&ga->s2);
        ga->cnt = gt->cnt;
        ga->ext = gt->ext;
        ga->s1 = gt->s1;
        ga->s2 = gt->s2;
        memset(gt, 0, sizeof *gt);
    }
    a->ng = t->ng;
    a->capg = t->capg;
    g_free(t);
    return CRM_OK;
}

/* ---- bytes --------------------------------------------------------------------------------- */

static void g_write(crm__wbuf *w, const void *sp)
{
    const g_stats *s = sp;
    crm__w_u64(w, s->nkeys);
    crm__w_u64(w, s->naggs);
    crm__w_u64(w, s->ng);
    for (size_t k = 0; k < s->nkeys; k++) {
        crm__w_str(w, s->keyname[k]);
        crm__kcol_write(w, &s->key[k]);
    }
    for (size_t a = 0; a < s->naggs; a++) {
        const g_agg *g = &s->agg[a];
        crm__w_str(w, g->name);
        crm__w_str(w, g->col);
        crm__w_u32(w, (uint32_t)g->fn);
        for (size_t i = 0; i < s->ng; i++) {
            crm__w_i64(w, g->cnt[i]);
            crm__w_f64(w, g->ext[i]);
        }
        crm__xsums_write(w, &g->s1);
        crm__xsums_write(w, &g->s2);
    }
}

static crm_status g_read_agg(crm__rbuf *r, g_stats *s, g_agg *g)
{
    crm_status st = crm__r_str(r, &g->name);
    if (!st) st = crm__r_str(r, &g->col);
    if (st) return st;
    uint32_t fn = crm__r_u32(r);
    if (r->bad || !g->name || fn >= G_NFN || (!g->col && fn != G_COUNT)) {
        r->bad = 1;
        return CRM_OK;
    }
    g->fn = (int32_t)fn;
    for (size_t i = 0; i < s->ng && !r->bad; i++) {
        g->cnt[i] = crm__r_i64(r);
        g->ext[i] = crm__r_f64(r);
        if (g->cnt[i] < 0 || g->cnt[i] > CRM__MAX_COUNT) r->bad = 1;
    }
    if ((st = crm__xsums_read(r, &g->s1)) || (st = crm__xsums_read(r, &g->s2))) return st;
    size_t want1 = (fn == G_SUM || fn == G_MEAN || fn == G_VAR) ? s->ng : 0;
    if (g->s1.n != want1 || g->s2.n != (fn == G_VAR ? s->ng : 0)) r->bad = 1;
    return CRM_OK;
}

static crm_status g_read(crm__rbuf *r, void **out)
{
    size_t nkeys = crm__r_count(r, 16), naggs = crm__r_count(r, 16), ng = crm__r_count(r, 8);
    if (r->bad || nkeys == 0) {
        r->bad = 1;
        return CRM_OK;
    }
    g_stats *s = g_new(nkeys, naggs);
    if (!s) return crm__nomem();
    *out = s;
    crm_status st = CRM_OK;
    while (s->capg < ng && !st) {
        s->ng = s->capg;
        st = g_reserve(s);
    }
    s->ng = ng;
    for (size_t k = 0; k < nkeys && !st && !r->bad; k++) {
        if ((st = crm__r_str(r, &s->keyname[k]))) break;
        if (!s->keyname[k]) r->bad = 1;
        if (!st) st = crm__kcol_read(r, &s->key[k]);
        if (!st && s->key[k].n != ng) r->bad = 1;
    }
    for (size_t a = 0; a < naggs && !st && !r->bad; a++)
        st = g_read_agg(r, s, &s->agg[a]);
    return st;
}

static crm_status g_values(const void *sp, const char *name, double *out, size_t *n)
{
    (void)sp;
    (void)out;
    (void)n;
    return crm__error(CRM_E_NOTFOUND, "crm_stats_values: group-by statistics have no \"%s\" "
                                      "(use crm_group_stats_finalize)",
                      name);
}

const crm__stats_ops crm__stats_group_ops = {CRM_STATS_GROUP, "group-by", g_free, g_merge, 1,
                                             g_write, g_read, g_values};

/* ---- finalize ------------------------------------------------------------------------------ */

/* Sample variance from the exact sums: (n S2 - S1^2) / (n (n - 1)), the numerator summed
 * exactly (every product split with fma) and rounded once. */
static double exact_var(const crm__xsums *s1, const crm__xsums *s2, size_t g, int64_t cnt)
{
    if (cnt < 2) return NAN;
    crm__fsum a, b, t;
    crm__xsums_get(s1, g, &a);
    crm__xsums_get(s2, g, &b);
    if (a.nspecial || b.nspecial) return NAN;
    crm__fsum_init(&t);
    double n = (double)cnt;
    for (int i = 0; i < b.n; i++) {
        double h = n * b.p[i];
        crm__fsum_add(&t, h);
        crm__fsum_add(&t, fma(n, b.p[i], -h));
    }
    for (int i = 0; i < a.n; i++)
        for (int j = 0; j < a.n; j++) {
            double h = a.p[i] * a.p[j];
            crm__fsum_add(&t, -h);
            crm__fsum_add(&t, -fma(a.p[i], a.p[j], -h));
        }
    double num = crm__fsum_result(&t);
    if (num < 0) num = 0;
    return num / (n * (n - 1.0));
}

static crm_status agg_column(const g_stats *s, const g_agg *g, crm_dataset *res)
{
    double *v = crm__malloc_array(s->ng + 1, sizeof *v);
    if (!v) return crm__nomem();
    for (size_t i = 0; i < s->ng; i++) {
        int64_t c = g->cnt[i];
        switch (g->fn) {
        case G_SUM:
            v[i] = crm__xsums_result(&g->s1, i);
            break;
        case G_MEAN: {
            crm__fsum f;
            crm__xsums_get(&g->s1, i, &f);
            v[i] = c ? crm__group_exact_mean(&f, (size_t)c) : NAN;
            break;
        }
        case G_VAR:
            v[i] = exact_var(&g->s1, &g->s2, i, c);
            break;
        case G_COUNT:
            v[i] = (double)c;
            break;
        default:
            v[i] = g->ext[i];
        }
    }
    crm_status st = crm__dataset_add_owned(res, g->name, CRM_TYPE_NUMBER, v, NULL, s->ng);
    if (st) crm__free(v);
    return st;
}

crm_status crm_group_stats_finalize(const crm_stats *stats, crm_dataset **out)
{
    const char *fn = "crm_group_stats_finalize";
    if (out) *out = NULL;
    if (!out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    crm_status st;
    const g_stats *s = crm__stats_state(stats, CRM_STATS_GROUP, fn, &st);
    if (!s) return st;
    crm_dataset *res = NULL;
    if ((st = crm_dataset_new(&res))) return st;
    for (size_t k = 0; k < s->nkeys && !st; k++) {
        crm__kcol copy = {s->key[k].type, 0, 0, NULL, NULL, NULL};
        for (size_t i = 0; i < s->ng && !st; i++)
            st = crm__kcol_push(&copy, &s->key[k], i);
        if (!st) st = crm__kcol_to_dataset(&copy, res, s->keyname[k]);
        crm__kcol_free(&copy);
    }
    for (size_t a = 0; a < s->naggs && !st; a++)
        st = agg_column(s, &s->agg[a], res);
    if (st) {
        crm_dataset_free(res);
        return st;
    }
    *out = res;
    return CRM_OK;
}
