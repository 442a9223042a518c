/* The charts: horizontal bars, a heatmap and a forecast line chart, drawn as
 * inline SVG in a fixed coordinate system (viewBox) that scales to the width
 * of the page. Colours are CSS classes of the page's style sheet, so they
 * follow its light/dark palette; every mark carries a <title> (the tooltip). */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

#define W 760.0 /* viewBox width of every chart */

static void value(rep_page *p, double v, int kind)
{
    if (kind == REP_MONEY) rep_money(p, v);
    else if (kind == REP_SHARE) rep_pct(p, v);
    else rep_int(p, v);
}

void rep_svg_bars(rep_page *p, const char *aria, const char *const *labels, const double *v,
                  size_t n, int kind)
{
    const double row = 24, label_w = 250, bar_w = W - label_w - 110;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > max) max = v[i];
    rep_printf(p, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W,
               row * (double)n + 8);
    rep_text(p, aria);
    rep_raw(p, "\">\n");
    for (size_t i = 0; i < n; i++) {
        double y = 4 + row * (double)i;
        double w = max > 0 && isfinite(v[i]) && v[i] > 0 ? bar_w * v[i] / max : 0;
        if (w > 0 && w < 1) w = 1;
        rep_printf(p, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 8,
                   y + row * 0.65);
        rep_text(p, labels[i]);
        rep_printf(p, "</text><rect class=\"bar\" x=\"%.0f\" y=\"%.1f\" width=\"%.2f\" "
                      "height=\"%.1f\"><title>",
                   label_w, y + 3, w, row - 7);
        rep_text(p, labels[i]);
        rep_raw(p, ": ");
        value(p, v[i], kind);
        rep_printf(p, "</title></rect><text x=\"%.2f\" y=\"%.1f\">", label_w + w + 6,
                   y + row * 0.65);
        value(p, v[i], kind);
        rep_raw(p, "</text>\n");
    }
    rep_raw(p, "</svg>\n");
}

void rep_svg_heatmap(rep_page *p, const char *aria, const double *grid, int rows, int cols,
                     const char *row_title, const char *col_title, const int *row_lab,
                     const int *col_lab)
{
    const double left = 90, top = 10, cell_h = 44;
    const double cell_w = (W - left - 20) / cols;
    double max = 0;
    for (int i = 0; i < rows * cols; i++)
        if (grid[i] > max) max = grid[i];
    rep_printf(p, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W,
               top + cell_h * rows + 50);
    rep_text(p, aria);
    rep_raw(p, "\">\n");
    for (int r = 0; r < rows; r++) {
        double y = top + cell_h * r;
        rep_printf(p, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", left - 10,
                   y + cell_h / 2 + 4, row_lab[r]);
        for (int c = 0; c < cols; c++) {
            double v = grid[r * cols + c];
            double x = left + cell_w * c;
            rep_printf(p, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" fill-opacity=\"%.3f\" stroke=\"var(--bg)\">"
                          "<title>%s %d, %s %d: ",
                       x, y, cell_w, cell_h, 0.06 + 0.94 * (max > 0 ? v / max : 0), row_title,
                       row_lab[r], col_title, col_lab[c]);
            rep_int(p, v);
            rep_printf(p, " customers</title></rect><text x=\"%.1f\" y=\"%.1f\" "
                          "text-anchor=\"middle\" style=\"paint-order:stroke;stroke:var(--bg);"
                          "stroke-width:3px\">",
                       x + cell_w / 2, y + cell_h / 2 + 4);
            rep_int(p, v);
            rep_raw(p, "</text>\n");
        }
    }
    for (int c = 0; c < cols; c++)
        rep_printf(p, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                   left + cell_w * (c + 0.5), top + cell_h * rows + 18, col_lab[c]);
    rep_printf(p, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
               left + (W - left - 20) / 2, top + cell_h * rows + 40, col_title);
    rep_printf(p, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                  "text-anchor=\"middle\">%s</text>\n</svg>\n",
               top + cell_h * rows / 2, top + cell_h * rows / 2, row_title);
}

typedef struct scale {
    double x0, dx, y0, y1, top, h;
} scale;

static double sx(const scale *s, size_t i)
{
    return s->x0 + s->dx * (double)i;
}

static double sy(const scale *s, double v)
{
    return s->top + s->h * (1 - (v - s->y0) / (s->y1 - s->y0));
}

static void polyline(rep_page *p, const char *cls, const scale *s, size_t i0, const double *v,
                     size_t n, double first)
{
    rep_printf(p, "<polyline class=\"%s\" points=\"", cls);
    if (!isnan(first)) rep_printf(p, "%.1f,%.1f ", sx(s, i0 - 1), sy(s, first));
    for (size_t i = 0; i < n; i++) rep_printf(p, "%.1f,%.1f ", sx(s, i0 + i), sy(s, v[i]));
    rep_raw(p, "\"/>\n");
}

static void band(rep_page *p, const char *cls, const scale *s, size_t i0, const double *lo,
                 const double *hi, size_t n)
{
    rep_printf(p, "<polygon class=\"%s\" points=\"", cls);
    for (size_t i = 0; i < n; i++) rep_printf(p, "%.1f,%.1f ", sx(s, i0 + i), sy(s, hi[i]));
    for (size_t i = n; i-- > 0;) rep_printf(p, "%.1f,%.1f ", sx(s, i0 + i), sy(s, lo[i]));
    rep_raw(p, "\"/>\n");
}

static void point(rep_page *p, const char *cls, double x, double y, const char *lab, double v)
{
    rep_printf(p, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", cls, x, y);
    rep_text(p, lab);
    rep_raw(p, ": ");
    rep_money(p, v);
    rep_raw(p, "</title></circle>\n");
}

static void forecast_axes(rep_page *p, const scale *s, const char *const *hist_lab, size_t nh,
                          const char *const *fc_lab, size_t nf)
{
    for (int t = 0; t <= 4; t++) {
        double v = s->y0 + (s->y1 - s->y0) * t / 4;
        rep_printf(p, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                   s->x0, W - 10, sy(s, v), sy(s, v), s->x0 - 6, sy(s, v) + 4);
        rep_money(p, v);
        rep_raw(p, "</text>\n");
    }
    size_t n = nh + nf, step = n > 10 ? (n + 9) / 10 : 1;
    for (size_t i = 0; i < n; i += step)
        rep_printf(p, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                   sx(s, i), s->top + s->h + 18, i < nh ? hist_lab[i] : fc_lab[i - nh]);
}

void rep_svg_forecast(rep_page *p, const char *const *hist_lab, const double *hist, size_t nh,
                      const char *const *fc_lab, const double *mean, const double *lo80,
                      const double *hi80, const double *lo95, const double *hi95, size_t nf)
{
    scale s = {90, 0, 0, 0, 10, 260};
    size_t n = nh + nf;
    s.dx = n > 1 ? (W - 20 - s.x0) / (double)(n - 1) : 0;
    for (size_t i = 0; i < nh; i++) s.y1 = fmax(s.y1, hist[i]), s.y0 = fmin(s.y0, hist[i]);
    for (size_t i = 0; i < nf; i++) s.y1 = fmax(s.y1, hi95[i]), s.y0 = fmin(s.y0, lo95[i]);
    if (!(s.y1 > s.y0)) s.y1 = s.y0 + 1;
    rep_raw(p, "<svg viewBox=\"0 0 760 300\" role=\"img\" aria-label=\"Monthly sales, history "
               "and forecast with 80% and 95% intervals\">\n");
    forecast_axes(p, &s, hist_lab, nh, fc_lab, nf);
    if (nf) {
        band(p, "b95", &s, nh, lo95, hi95, nf);
        band(p, "b80", &s, nh, lo80, hi80, nf);
    }
    polyline(p, "hist", &s, 0, hist, nh, NAN);
    if (nf) polyline(p, "fc", &s, nh, mean, nf, nh ? hist[nh - 1] : NAN);
    for (size_t i = 0; i < nh; i++) point(p, "bar", sx(&s, i), sy(&s, hist[i]), hist_lab[i],
                                          hist[i]);
    for (size_t i = 0; i < nf; i++) point(p, "bar2", sx(&s, nh + i), sy(&s, mean[i]), fc_lab[i],
                                          mean[i]);
    rep_printf(p, "<text x=\"%.0f\" y=\"296\">— history   - - forecast   shaded: 80%% and 95%% "
                  "intervals</text>\n</svg>\n",
               s.x0);
}
