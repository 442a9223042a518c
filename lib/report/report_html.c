/* The page around the sections: HTML escaping, number formatting, the style
 * sheet, the numbers tables with their CSV download links, and the charts as
 * inline SVG.
 *
 * Why inline SVG drawn here rather than a bundled charting library: the page
 * then runs no script at all (nothing to fail in a browser's console, nothing
 * to block under a strict content policy), prints as vectors, and every drawn
 * number is in the file as text that a reader, a screen reader (<title>) and a
 * test can find. */
#include "report/report_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rep_raw(rep_page *p, const char *s)
{
    if (p->st == CRM_OK) p->st = crm__buf_append(&p->b, s, strlen(s));
}

void rep_printf(rep_page *p, const char *fmt, ...)
{
    if (p->st != CRM_OK) return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    void *old = crm__c_locale_enter();
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        crm__c_locale_leave(old);
        p->st = crm__error(CRM_E_INVALID, "report: cannot format text");
        return;
    }
    if ((size_t)n < sizeof small) {
        crm__c_locale_leave(old);
        p->st = crm__buf_append(&p->b, small, (size_t)n);
        return;
    }
    p->st = crm__buf_reserve(&p->b, (size_t)n + 1);
    if (p->st == CRM_OK) {
        va_start(ap, fmt);
        vsnprintf(p->b.data + p->b.len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        p->b.len += (size_t)n;
    }
    crm__c_locale_leave(old);
}

void rep_text(rep_page *p, const char *s)
{
    if (!s) return;
    const char *run = s;
    for (; *s; s++) {
        const char *esc = NULL;
        switch (*s) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        default: break;
        }
        if (!esc) continue;
        if (s > run && p->st == CRM_OK) p->st = crm__buf_append(&p->b, run, (size_t)(s - run));
        rep_raw(p, esc);
        run = s + 1;
    }
    if (s > run && p->st == CRM_OK) p->st = crm__buf_append(&p->b, run, (size_t)(s - run));
}

/* "1,234,567" from a whole non-negative or negative number (rounded). */
static void grouped(char *out, size_t cap, double v)
{
    char digits[64];
    void *old = crm__c_locale_enter();
    snprintf(digits, sizeof digits, "%.0f", fabs(v) < 1e18 ? fabs(v) : 1e18);
    crm__c_locale_leave(old);
    size_t n = strlen(digits), o = 0;
    if (v < 0 && strcmp(digits, "0") != 0 && o + 1 < cap) out[o++] = '-';
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void rep_int(rep_page *p, double v)
{
    char buf[96];
    if (!isfinite(v)) {
        rep_raw(p, "–");
        return;
    }
    grouped(buf, sizeof buf, v);
    rep_raw(p, buf);
}

void rep_money(rep_page *p, double v)
{
    if (!isfinite(v)) {
        rep_raw(p, "–");
        return;
    }
    rep_text(p, p->cur);
    if (fabs(v) >= 10000) {
        rep_int(p, v);
        return;
    }
    char buf[96];
    double whole = trunc(v);
    double cents = round(fabs(v - whole) * 100);
    if (cents >= 100) {
        whole += v < 0 ? -1 : 1;
        cents = 0;
    }
    grouped(buf, sizeof buf, whole);
    if (v < 0 && whole == 0) rep_raw(p, "-");
    rep_raw(p, buf);
    rep_printf(p, ".%02d", (int)cents);
}

void rep_pct(rep_page *p, double share)
{
    if (!isfinite(share)) {
        rep_raw(p, "–");
        return;
    }
    rep_printf(p, "%.1f&nbsp;%%", 100 * share);
}

void rep_check(rep_page *p, const char *key, double v)
{
    char num[40];
    crm__format_number(v, '.', num);
    rep_raw(p, " data-check=\"");
    rep_text(p, key);
    rep_raw(p, "\" data-value=\"");
    rep_raw(p, num[0] ? num : "NaN");
    rep_raw(p, "\"");
}

static const char style_sheet[] =
    ":root{--fg:#1b1f24;--bg:#ffffff;--muted:#59636e;--line:#d0d7de;--card:#f6f8fa;"
    "--accent:#0969da;--accent2:#bc4c00;--band1:rgba(9,105,218,.30);"
    "--band2:rgba(9,105,218,.14);color-scheme:light dark}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;"
    "--line:#3d444d;--card:#151b23;--accent:#4493f8;--accent2:#f0883e;"
    "--band1:rgba(68,147,248,.38);--band2:rgba(68,147,248,.18)}}\n"
    "*{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:1rem 1.25rem;"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
    "background:var(--bg)}\n"
    "h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;"
    "border-bottom:1px solid var(--line);padding-bottom:.2rem}\n"
    "p.lead,.muted{color:var(--muted)}nav a{margin-right:.8rem;color:var(--accent)}\n"
    ".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem}\n"
    ".kpi{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem"
    " .7rem}.kpi b{display:block;font-size:1.35rem}\n"
    "figure{margin:1rem 0;padding:.6rem;border:1px solid var(--line);border-radius:6px;"
    "background:var(--card);break-inside:avoid}figcaption{font-weight:600;margin-bottom:.3rem}\n"
    "svg{width:100%;height:auto;display:block}svg text{fill:var(--fg);font-size:12px}\n"
    ".bar{fill:var(--accent)}.bar2{fill:var(--accent2)}.axis{stroke:var(--line)}"
    ".hist{stroke:var(--accent);fill:none;stroke-width:2}.fc{stroke:var(--accent2);"
    "fill:none;stroke-width:2;stroke-dasharray:5 3}.b80{fill:var(--band1)}"
    ".b95{fill:var(--band2)}.cell{fill:var(--accent)}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin:.4rem 0}"
    "th,td{border-bottom:1px solid var(--line);padding:.2rem .4rem;text-align:left;"
    "vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".tablewrap{overflow-x:auto}details summary{cursor:pointer;color:var(--accent)}\n"
    "a.csv{font-size:13px;color:var(--accent)}ul.rules li{margin:.25rem 0}\n"
    "@media print{body{max-width:none;font-size:11pt;color:#000;background:#fff}"
    "nav,a.csv{display:none}figure{border-color:#999;background:#fff}"
    "h2{break-before:auto;break-after:avoid}details>summary{display:none}"
    "svg text{fill:#000}}\n"
    "@media (max-width:600px){body{padding:.5rem}.kpi b{font-size:1.1rem}}\n";

void rep_head(rep_page *p, const char *title)
{
    rep_raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; img-src data:\">\n<title>");
    rep_text(p, title);
    rep_raw(p, "</title>\n<style>\n");
    rep_raw(p, style_sheet);
    rep_raw(p, "</style>\n</head>\n<body>\n<header><h1>");
    rep_text(p, title);
    rep_raw(p, "</h1>\n<nav><a href=\"#overview\">Overview</a><a href=\"#rfm\">Segments</a>"
               "<a href=\"#clusters\">Clusters</a><a href=\"#churn\">Churn risk</a>"
               "<a href=\"#clv\">Customer value</a><a href=\"#crosssell\">Cross-sell</a>"
               "<a href=\"#forecast\">Forecast</a>"
               "</nav></header>\n<main>\n");
}

void rep_tail(rep_page *p)
{
    rep_printf(p, "</main>\n<footer class=\"muted\"><p>Made with libcrm %s. Every chart is "
                  "drawn from the table below it; the CSV links download those tables."
                  "</p></footer>\n</body>\n</html>\n",
               crm_version());
}

void rep_figure_open(rep_page *p, const char *caption)
{
    rep_raw(p, "<figure><figcaption>");
    rep_text(p, caption);
    rep_raw(p, "</figcaption>\n");
}

void rep_figure_close(rep_page *p)
{
    rep_raw(p, "</figure>\n");
}

/* Percent-encode s for a data: URI (everything but unreserved characters). */
static void uri_text(crm__buf *b, const char *s, crm_status *st)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s && *st == CRM_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            *st = crm__buf_append(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            *st = crm__buf_append(b, e, 3);
        }
    }
}

/* One CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(crm__buf *csv, const char *s, crm_status *st)
{
    if (*st) return;
    if (!strpbrk(s, ",\"\r\n")) {
        *st = crm__buf_append(csv, s, strlen(s));
        return;
    }
    *st = crm__buf_append(csv, "\"", 1);
    for (; *s && *st == CRM_OK; s++) {
        *st = crm__buf_append(csv, s, 1);
        if (*s == '"' && *st == CRM_OK) *st = crm__buf_append(csv, "\"", 1); /* doubled */
    }
    if (*st == CRM_OK) *st = crm__buf_append(csv, "\"", 1);
}

static void table_csv(rep_page *p, const rep_table *t)
{
    crm__buf csv = {0};
    crm_status st = CRM_OK;
    for (size_t j = 0; j < t->ncols; j++) {
        if (j) st = st ? st : crm__buf_append(&csv, ",", 1);
        csv_field(&csv, t->header[j], &st);
    }
    st = st ? st : crm__buf_append(&csv, "\r\n", 2);
    for (size_t i = 0; i < t->nrows && st == CRM_OK; i++) {
        for (size_t j = 0; j < t->ncols && st == CRM_OK; j++) {
            size_t k = i * t->ncols + j;
            if (j) st = crm__buf_append(&csv, ",", 1);
            if (t->text && t->text[k]) {
                csv_field(&csv, t->text[k], &st);
            } else if (t->num) {
                char num[40];
                crm__format_number(t->num[k], '.', num);
                st = st ? st : crm__buf_append(&csv, num, strlen(num));
            }
        }
        st = st ? st : crm__buf_append(&csv, "\r\n", 2);
    }
    if (st == CRM_OK) {
        crm__buf uri = {0};
        uri_text(&uri, csv.data ? csv.data : "", &st);
        rep_raw(p, "<a class=\"csv\" download=\"");
        rep_text(p, t->name);
        rep_raw(p, "\" href=\"data:text/csv;charset=utf-8,");
        rep_raw(p, uri.data ? uri.data : "");
        rep_raw(p, "\">Download these numbers (CSV)</a>\n");
        crm__buf_free(&uri);
    }
    crm__buf_free(&csv);
    if (st && p->st == CRM_OK) p->st = st;
}

void rep_table_html(rep_page *p, const rep_table *t)
{
    rep_raw(p, "<details open><summary>The numbers</summary><div class=\"tablewrap\">"
               "<table>\n<thead><tr>");
    for (size_t j = 0; j < t->ncols; j++) {
        int numeric = !(t->text && t->text[j]) && t->num;
        rep_raw(p, numeric ? "<th class=\"n\">" : "<th>");
        rep_text(p, t->header[j]);
        rep_raw(p, "</th>");
    }
    rep_raw(p, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < t->nrows; i++) {
        rep_raw(p, "<tr>");
        for (size_t j = 0; j < t->ncols; j++) {
            size_t k = i * t->ncols + j;
            int is_text = t->text && t->text[k];
            rep_raw(p, is_text ? "<td" : "<td class=\"n\"");
            if (t->check && t->check[k] && t->num) rep_check(p, t->check[k], t->num[k]);
            rep_raw(p, ">");
            if (is_text) {
                rep_text(p, t->text[k]);
            } else if (t->num) {
                double v = t->num[k];
                if (isnan(v)) {
                    /* empty cell */
                } else if (j < 32 && (t->share_cols >> j & 1u)) {
                    rep_pct(p, v);
                } else if (v == round(v) && fabs(v) < 1e15) {
                    rep_int(p, v);
                } else {
                    char num[40];
                    void *old = crm__c_locale_enter();
                    snprintf(num, sizeof num, fabs(v) >= 10 ? "%.1f" : "%.3g", v);
                    crm__c_locale_leave(old);
                    if (fabs(v) >= 1000) rep_int(p, v); /* grouped, whole */
                    else rep_raw(p, num);
                }
            }
            rep_raw(p, "</td>");
        }
        rep_raw(p, "</tr>\n");
    }
    rep_raw(p, "</tbody></table></div></details>\n");
    table_csv(p, t);
}

/* ---- helpers shared by the sections ------------------------------------- */

int rep_soft_error(crm_status st)
{
    return st == CRM_E_INVALID || st == CRM_E_NUMERIC || st == CRM_E_TYPE ||
           st == CRM_E_NOTFOUND || st == CRM_E_STATE;
}

void rep_unavailable(rep_page *p, const char *what)
{
    rep_raw(p, "<p class=\"muted\">");
    rep_text(p, what);
    const char *why = crm_last_error();
    if (why && *why) {
        rep_raw(p, ": ");
        rep_text(p, why);
    }
    rep_raw(p, "</p>\n");
}

void rep_date(int64_t t, char *buf)
{
    if (t == CRM_TIME_MISSING || t == INT64_MAX || t == INT64_MIN) {
        strcpy(buf, "–");
        return;
    }
    crm__format_time(t, 1, buf);
}
