/* Internal interface of the report module: the page buffer, escaping, number
 * formatting, the chart writers (inline SVG with a numbers table and a CSV link)
 * and the section writers. */
#ifndef CRM_REPORT_INTERNAL_H
#define CRM_REPORT_INTERNAL_H

#include "core/internal.h"

#include "crm/dataset.h"
#include "crm/report.h"

#include <stddef.h>
#include <stdint.h>

/* One page being written. The first error sticks: later writes do nothing and
 * the caller checks st once at the end of a section. */
typedef struct rep_page {
    crm__buf b;
    crm_status st;
    int next_chart;               /* ids of the charts' CSV links */
    const crm_report_options *o;  /* options after defaults */
    const char *cur;              /* currency prefix, "" when none */
} rep_page;

/* ---- report_html.c ------------------------------------------------------- */
void rep_raw(rep_page *p, const char *s);
void rep_printf(rep_page *p, const char *fmt, ...) CRM__PRINTF(2, 3);
void rep_text(rep_page *p, const char *s); /* HTML-escaped text (also for attributes) */
/* human numbers: grouped integers "12,345", money with the currency and 2 decimals
 * (0 above 10,000), a share as "12.3 %" */
void rep_int(rep_page *p, double v);
void rep_money(rep_page *p, double v);
void rep_pct(rep_page *p, double share);
/* data-check="key" data-value="shortest round-trip number", inside a tag */
void rep_check(rep_page *p, const char *key, double v);
void rep_head(rep_page *p, const char *title);
void rep_tail(rep_page *p);

/* A table of the numbers behind a chart; cells are text (escaped) or numbers. */
typedef struct rep_table {
    size_t nrows, ncols;
    const char *const *header;  /* ncols names */
    const char **text;          /* nrows * ncols, row-major; NULL cell: use num */
    const double *num;          /* nrows * ncols, or NULL */
    const char **check;         /* nrows * ncols data-check keys or NULL, or NULL */
    const char *name;           /* CSV file name */
    unsigned share_cols;        /* bit j set: column j holds shares, shown as percent */
} rep_table;
void rep_table_html(rep_page *p, const rep_table *t);

/* Horizontal bars: label i, value v[i] (>= 0) written as a count, money or share. */
enum { REP_COUNT = 0, REP_MONEY = 1, REP_SHARE = 2 };
void rep_svg_bars(rep_page *p, const char *aria, const char *const *labels, const double *v,
                  size_t n, int kind);
/* Heatmap of a rows x cols grid (row 0 drawn at the top) with row/col labels. */
void rep_svg_heatmap(rep_page *p, const char *aria, const double *grid, int rows, int cols,
                     const char *row_title, const char *col_title, const int *row_lab,
                     const int *col_lab);
/* Line chart of history (nh points) and forecast (nf points) with two bands
 * (lo95 <= lo80 <= mean <= hi80 <= hi95); labels are "YYYY-MM". */
void rep_svg_forecast(rep_page *p, const char *const *hist_lab, const double *hist, size_t nh,
                      const char *const *fc_lab, const double *mean, const double *lo80,
                      const double *hi80, const double *lo95, const double *hi95, size_t nf);
/* <figure> open/close around a chart and its table */
void rep_figure_open(rep_page *p, const char *caption);
void rep_figure_close(rep_page *p);

/* ---- report_sections.c / report_models.c --------------------------------- */
/* Shared results of the RFM step, used by several sections. */
typedef struct rep_rfm {
    crm_dataset *table;   /* crm_rfm() output (owned) */
    int64_t as_of;
    double revenue, orders;
    int64_t first, last;  /* first and last purchase */
} rep_rfm;

crm_status rep_section_overview(rep_page *p, const crm_dataset *tx, rep_rfm *r);
crm_status rep_section_rfm(rep_page *p, const rep_rfm *r);
crm_status rep_section_clusters(rep_page *p, const rep_rfm *r);
crm_status rep_section_churn(rep_page *p, const crm_dataset *tx, const rep_rfm *r);
crm_status rep_section_clv(rep_page *p, const crm_dataset *tx, const char *amount_col);
crm_status rep_section_crosssell(rep_page *p, const crm_dataset *tx);
crm_status rep_section_forecast(rep_page *p, const crm_dataset *tx, const char *amount_col);

/* A section that cannot be computed: a sentence with the library's reason. */
void rep_unavailable(rep_page *p, const char *what);
/* Whether a status means "the data do not allow this analysis" (shown as a
 * sentence) rather than a failure of the call (NOMEM, IO, CANCELLED). */
int rep_soft_error(crm_status st);
/* Cell (col, row) of ds as text: numbers as their shortest form, times as dates. */
crm_status rep_cell_text(const crm_dataset *ds, size_t col, size_t row, char *buf, size_t cap);
/* "YYYY-MM-DD" of t into buf (>= 32 bytes) */
void rep_date(int64_t t, char *buf);

#endif /* CRM_REPORT_INTERNAL_H */
