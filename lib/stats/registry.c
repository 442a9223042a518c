/* The registry of the kinds of mergeable statistics: reading a buffer back needs every
 * kind's reader, so crm_stats_deserialize (and clone and merge, which go through it) sit
 * above the modules that define the kinds. */
#include "core/stats_internal.h"

#include <stdio.h>
#include <string.h>

static const crm__stats_ops *const all_ops[] = {
    &crm__stats_group_ops,  &crm__stats_rfm_ops,      &crm__stats_kmeans_ops,
    &crm__stats_kmcand_ops, &crm__stats_levels_ops,   &crm__stats_linreg_ops,
    &crm__stats_logreg_ops, &crm__stats_itemsets_ops, &crm__stats_itemcounts_ops,
};

static const crm__stats_ops *ops_of(uint32_t kind)
{
    for (size_t i = 0; i < sizeof all_ops / sizeof all_ops[0]; i++)
        if ((uint32_t)all_ops[i]->kind == kind) return all_ops[i];
    return NULL;
}

crm_status crm_stats_deserialize(const uint8_t *buf, size_t n, crm_stats **out)
{
    if (out) *out = NULL;
    if (!buf || !out) return crm__error(CRM_E_INVALID, "crm_stats_deserialize: NULL argument");
    const crm__stats_ops *ops = NULL;
    uint64_t fp = 0;
    int64_t rows = 0;
    crm__rbuf r;
    crm_status st = crm__stats_read_header(buf, n, ops_of, &ops, &fp, &rows, &r);
    if (st) return st;
    void *state = NULL;
    if ((st = ops->read(&r, &state))) return st;
    if (r.pos != r.n && !r.bad) r.bad = 1;
    if ((st = crm__r_check(&r, ops->name))) {
        ops->free(state);
        return st;
    }
    return crm__stats_wrap(ops, fp, rows, state, out);
}

crm_status crm_stats_clone(const crm_stats *s, crm_stats **out)
{
    if (out) *out = NULL;
    if (!s || !out) return crm__error(CRM_E_INVALID, "crm_stats_clone: NULL argument");
    crm__wbuf w = {{0}, CRM_OK, NULL, 0, 0};
    crm_status st = crm__stats_write_all(s, &w);
    if (!st) st = crm_stats_deserialize((const uint8_t *)w.b.data, w.b.len, out);
    crm__buf_free(&w.b);
    return st;
}

crm_status crm_stats_merge(crm_stats *into, const crm_stats *other)
{
    if (!into || !other) return crm__error(CRM_E_INVALID, "crm_stats_merge: NULL argument");
    if (into == other)
        return crm__error(CRM_E_INVALID, "crm_stats_merge: cannot merge statistics into "
                                         "themselves (clone first)");
    if (into->ops != other->ops)
        return crm__error(CRM_E_TYPE, "crm_stats_merge: cannot merge %s statistics into %s",
                          other->ops->name, into->ops->name);
    if (into->fingerprint != other->fingerprint)
        return crm__error(CRM_E_STATE,
                          "crm_stats_merge: %s statistics computed at different parameters "
                          "(columns, centers, coefficients, candidates or options differ)",
                          into->ops->name);
    crm_status st;
    if (other->rows > CRM__MAX_COUNT - into->rows) return crm__count_overflow();
    if (into->ops->atomic_merge) {
        if ((st = into->ops->merge(into->state, other->state))) return st;
        into->rows += other->rows;
        return CRM_OK;
    }
    crm_stats *copy = NULL;
    st = crm_stats_clone(into, &copy);
    if (st) return st;
    if ((st = into->ops->merge(copy->state, other->state))) {
        crm_stats_free(copy);
        return st;
    }
    void *old = into->state;
    into->state = copy->state;
    copy->state = old;
    into->rows += other->rows;
    crm_stats_free(copy);
    return CRM_OK;
}

crm_status crm_stats_merge_buffers(const uint8_t *buf, const int64_t *lens, size_t n,
                                   crm_stats **out)
{
    const char *fn = "crm_stats_merge_buffers";
    if (out) *out = NULL;
    if (!buf || !lens || !out) return crm__error(CRM_E_INVALID, "%s: NULL argument", fn);
    if (n == 0) return crm__error(CRM_E_INVALID, "%s: no statistics to merge", fn);
    crm_stats **h = crm__calloc(n, sizeof *h);
    if (!h) return crm__nomem();
    crm_status st = CRM_OK;
    size_t off = 0;
    for (size_t i = 0; i < n && !st; i++) {
        if (lens[i] < 0) {
            st = crm__error(CRM_E_INVALID, "%s: buffer %zu has a negative length", fn, i);
            break;
        }
        st = crm_stats_deserialize(buf + off, (size_t)lens[i], &h[i]);
        if (st) {
            char pre[96];
            snprintf(pre, sizeof pre, "%s: buffer %zu", fn, i);
            crm__error_prefix(st, pre);
        }
        off += (size_t)lens[i];
    }
    /* a balanced tree in buffer order: (0,1), (2,3), ..., then the results the same way */
    for (size_t step = 1; step < n && !st; step *= 2)
        for (size_t i = 0; i + step < n && !st; i += 2 * step) {
            st = crm_stats_merge(h[i], h[i + step]);
            if (st) {
                char pre[96];
                snprintf(pre, sizeof pre, "%s: buffers %zu and %zu", fn, i, i + step);
                crm__error_prefix(st, pre);
            }
            crm_stats_free(h[i + step]);
            h[i + step] = NULL;
        }
    if (!st) {
        *out = h[0];
        h[0] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        crm_stats_free(h[i]);
    crm__free(h);
    return st;
}
