/* Deterministic, realistic synthetic shop transactions (crm/synth.h).
 *
 * Model (all randomness from the library PRNG, split into independent
 * streams so that the clean part of the data does not depend on `dirt`):
 * - Calendar: every day of the period has a weight = weekday factor (Saturday
 *   almost closed, Sunday half) x month factor (strong Nov/Dec peak, quiet
 *   January) x mild linear growth; 25/26 December and 1 January are closed.
 *   Weighted "shop time" W(d) is the running sum of the weights, normalised so
 *   that an average day has weight 1.
 * - Catalogue: products come in families (colour variants of one item, with
 *   consecutive stock codes or a letter suffix such as "84029G"); popularity is
 *   Zipf-like over a random ranking; the price depends on the kind of item
 *   (a heavy-tailed spread, rounded to 5p), with a bulk price for >= 24 units.
 * - Customers follow a BG/NBD-like process: acquisition day drawn from the
 *   calendar (30% are already customers at the start), a log-normal purchase
 *   rate per average day, and after every purchase a per-customer chance of
 *   dropping out (churn); a quarter buy only once. Each customer has a
 *   country (mostly United Kingdom), a buying level (retail, small business,
 *   wholesale: quantities), a basket size and a few favourite families.
 * - Invoice lines: the first item comes from a favourite family or by
 *   popularity; later items often come from the family of an earlier line,
 *   which is what makes association rules with lift > 1 exist.
 * - Dirt (scaled by opts->dirt, separate stream): guest invoices without
 *   CustomerID (20% of invoices), cancellations "C..." of earlier lines of
 *   the same customer (about 1.5% of lines), exact duplicate lines (1%), price
 *   outliers (x10..x100, 0.1%) and zero prices (0.08%).
 *
 * Determinism: only crm__rng_*, integer arithmetic and IEEE basic operations
 * (+ - * / sqrt, floor, frexp, ldexp, which are exact or correctly rounded);
 * log and exp are computed by the series below rather than by libm, so the
 * output is bit-identical on every platform. Quantities are integers and
 * prices are integer pence, so the text written out never depends on the last
 * bits of an intermediate.
 */
#include "core/dataset_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- options -------------------------------------------------------------- */

#define SYNTH_V1_SIZE (offsetof(crm_synth_options, dirt) + sizeof(double))

/* Upper limits (to refuse absurd memory use, not realism). */
#define SYNTH_MAX_CUSTOMERS 1000000LL
#define SYNTH_MAX_PRODUCTS 100000LL
#define SYNTH_MAX_DAYS 36600LL
#define SYNTH_MAX_CUSTOMER_DAYS 250000000LL
#define SYNTH_MAX_DIRT 10.0

static const crm_synth_options synth_defaults = {
    sizeof(crm_synth_options), /* size */
    1000,                      /* customers */
    300,                       /* products */
    730,                       /* days */
    1640995200,                /* start: 2022-01-01 */
    0,                         /* seed */
    1.0,                       /* dirt */
};

crm_status crm_synth_options_init(crm_synth_options *opts, size_t size)
{
    return crm__options_init(opts, size, &synth_defaults, sizeof synth_defaults, SYNTH_V1_SIZE,
                             "crm_synth_options");
}

static crm_status check_options(const crm_synth_options *o)
{
    if (o->customers < 1 || o->customers > SYNTH_MAX_CUSTOMERS)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: customers must be in [1, %lld] (got %lld)",
                          SYNTH_MAX_CUSTOMERS, (long long)o->customers);
    if (o->products < 1 || o->products > SYNTH_MAX_PRODUCTS)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: products must be in [1, %lld] (got %lld)",
                          SYNTH_MAX_PRODUCTS, (long long)o->products);
    if (o->days < 1 || o->days > SYNTH_MAX_DAYS)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: days must be in [1, %lld] (got %lld)",
                          SYNTH_MAX_DAYS, (long long)o->days);
    if (o->customers * o->days > SYNTH_MAX_CUSTOMER_DAYS)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: customers x days must not exceed %lld (got "
                          "%lld x %lld); use fewer customers or days",
                          SYNTH_MAX_CUSTOMER_DAYS, (long long)o->customers, (long long)o->days);
    if (!(o->dirt >= 0.0 && o->dirt <= SYNTH_MAX_DIRT))
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: dirt must be a finite number in [0, %g] (got "
                          "%g)",
                          SYNTH_MAX_DIRT, o->dirt);
    if (o->start % 86400 != 0)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: start must be a UTC midnight (a multiple of "
                          "86400 seconds; got %lld)",
                          (long long)o->start);
    int64_t lo = crm__days_from_civil(1900, 1, 1) * 86400;
    int64_t hi = crm__days_from_civil(10000, 1, 1) * 86400;
    if (o->start < lo || o->start > hi - o->days * 86400)
        return crm__error(CRM_E_INVALID,
                          "crm_synth_transactions: start must lie between 1900-01-01 and the "
                          "period must end by 9999-12-31 (got start %lld, days %lld)",
                          (long long)o->start, (long long)o->days);
    return CRM_OK;
}

/* ---- deterministic elementary functions ------------------------------------ */

static const double LN2 = 0.69314718055994530942;
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;

/* Natural log of x > 0 from the atanh series: basic operations only. */
static double det_log(double x)
{
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e--;
    }
    double t = (m - 1.0) / (m + 1.0); /* |t| < 0.172 */
    double t2 = t * t;
    double s = 1.0 / 25.0;
    for (int k = 23; k >= 1; k -= 2)
        s = s * t2 + 1.0 / (double)k;
    return (double)e * LN2 + 2.0 * t * s;
}

/* e^x from a range reduction by ln 2 and a Taylor polynomial. */
static double det_exp(double x)
{
    if (x > 700.0) x = 700.0;
    if (x < -700.0) return 0.0;
    double k = floor(x / LN2 + 0.5);
    double r = (x - k * LN2_HI) - k * LN2_LO; /* |r| <= 0.35 */
    double s = 1.0;
    for (int i = 16; i >= 1; i--)
        s = 1.0 + s * r / (double)i;
    return ldexp(s, (int)k);
}

static double uni(crm__rng *r)
{
    return crm__rng_uniform(r);
}

static int64_t below(crm__rng *r, int64_t n)
{
    return (int64_t)crm__rng_below(r, (uint64_t)n);
}

/* Standard exponential variate. */
static double rexp(crm__rng *r)
{
    return -det_log(1.0 - uni(r));
}

/* Standard normal variate (Marsaglia's polar method with det_log). */
static double rnorm(crm__rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * uni(r) - 1.0;
        v = 2.0 * uni(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * det_log(s) / s);
}

/* Log-normal variate with the given median and log-scale sigma. */
static double rlognorm(crm__rng *r, double median, double sigma)
{
    return median * det_exp(sigma * rnorm(r));
}

/* Index drawn from integer weights. */
static size_t pick_weighted(crm__rng *r, const int32_t *w, size_t n)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    int64_t x = below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

/* First index i in [0, n) with cdf[i + 1] > x, for a non-decreasing cdf of
 * n + 1 entries starting at 0 and x < cdf[n]. */
static size_t cdf_find(const double *cdf, size_t n, double x)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid + 1] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---- static tables ----------------------------------------------------------- */

static const char *const countries[] = {"United Kingdom",
                                        "Germany",
                                        "France",
                                        "EIRE",
                                        "Spain",
                                        "Belgium",
                                        "Switzerland",
                                        "Portugal",
                                        "Italy",
                                        "Finland",
                                        "Austria",
                                        "Norway",
                                        "Netherlands",
                                        "Australia",
                                        "Denmark",
                                        "Channel Islands",
                                        "Cyprus",
                                        "Sweden",
                                        "Japan",
                                        "Poland",
                                        "USA",
                                        "Canada",
                                        "Unspecified",
                                        "Israel",
                                        "Greece",
                                        "Malta",
                                        "United Arab Emirates",
                                        "Iceland",
                                        "Lithuania",
                                        "Singapore"};
/* Customers per country (roughly the UCI Online Retail mix; ~89% UK). */
static const int32_t country_w[] = {3950, 95, 87, 30, 31, 25, 21, 19, 15, 12, 11, 10, 9, 9, 9,
                                    9,    8,  8,  8,  6,  4,  4,  4,  4,  4,  2,  2,  1, 1, 1};
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

static const char *const themes[] = {"RETROSPOT",     "REGENCY",        "VINTAGE UNION JACK",
                                     "PAISLEY PARK",  "WOODLAND",       "SPACEBOY",
                                     "DOLLY GIRL",    "HANGING HEART",  "SKULL",
                                     "CHRISTMAS",     "POLKADOT",       "GLASS STAR",
                                     "PARTY BUNTING", "LOVE BIRD",      "ENGLISH ROSE",
                                     "FELTCRAFT",     "ANTIQUE",        "ZINC",
                                     "ENAMEL",        "CERAMIC",        "WOODEN",
                                     "FRENCH",        "SWALLOWS",       "ALPHABET",
                                     "BIRDCAGE",      "CHERRY BLOSSOM", "PANTRY",
                                     "GINGHAM",       "SCANDINAVIAN",   "BAROQUE",
                                     "VINTAGE DOILY", "JUMBO",          "HOME SWEET HOME",
                                     "GARDEN",        "WILD FLOWER",    "CIRCUS PARADE",
                                     "LOVE HEART",    "STAR",           "BAKELIKE",
                                     "NORDIC"};
#define NTHEMES (sizeof themes / sizeof themes[0])

static const char *const nouns[] = {"LUNCH BAG",
                                    "CAKE STAND",
                                    "T-LIGHT HOLDER",
                                    "TEACUP AND SAUCER",
                                    "NAPKINS",
                                    "PAPER CUPS",
                                    "HOT WATER BOTTLE",
                                    "DOORMAT",
                                    "STORAGE JAR",
                                    "WALL CLOCK",
                                    "ALARM CLOCK",
                                    "GIFT BAG",
                                    "WRAP",
                                    "NOTEBOOK",
                                    "MUG",
                                    "BUNTING",
                                    "SHOPPER BAG",
                                    "COAT HANGER",
                                    "PHOTO FRAME",
                                    "CANDLE",
                                    "LANTERN",
                                    "PURSE",
                                    "CHILDRENS APRON",
                                    "BAKING SET",
                                    "CAKE CASES",
                                    "TISSUES",
                                    "FRIDGE MAGNET",
                                    "KEYRING",
                                    "METAL SIGN",
                                    "DRAWER KNOB",
                                    "CUSHION COVER",
                                    "WATER BOTTLE",
                                    "PLATE",
                                    "BOWL",
                                    "SERVING TRAY",
                                    "BISCUIT TIN",
                                    "WICKER BASKET",
                                    "TRINKET BOX",
                                    "COASTER",
                                    "HAND WARMER",
                                    "PICNIC HAMPER",
                                    "STORAGE CABINET",
                                    "CHEST OF DRAWERS",
                                    "GARDEN BENCH"};
#define NNOUNS (sizeof nouns / sizeof nouns[0])
/* Typical price of each noun in pence (heavy right tail). */
static const int32_t noun_price[] = {165, 1075, 295, 295, 85,  65,  375, 795,  425,  850,  375,
                                     42,  42,   165, 125, 195, 165, 275, 295,  125,  495,  165,
                                     195, 495,  55,  39,  85,  125, 210, 125,  375,  295,  165,
                                     250, 495,  395, 595, 195, 125, 210, 1695, 3995, 7495, 12500};

static const char *const colours[] = {"RED",   "BLUE",  "PINK",      "GREEN",    "WHITE",  "BLACK",
                                      "IVORY", "CREAM", "PURPLE",    "YELLOW",   "ORANGE", "SILVER",
                                      "GOLD",  "LILAC", "TURQUOISE", "CHOCOLATE"};
#define NCOLOURS (sizeof colours / sizeof colours[0])

_Static_assert(sizeof country_w / sizeof country_w[0] == NCOUNTRIES, "one weight per country");
_Static_assert(sizeof noun_price / sizeof noun_price[0] == NNOUNS, "one price per noun");

/* Business hours 7:00-19:59, weighted like the UCI invoices. */
static const int32_t hour_w[] = {1, 20, 60, 95, 100, 125, 105, 100, 95, 60, 38, 11, 7};

/* Quantity tables per buying level: {quantity, weight}. */
static const int32_t qty_retail[][2] = {{1, 50}, {2, 22}, {3, 8}, {4, 8}, {6, 6}, {12, 4}, {24, 2}};
static const int32_t qty_small[][2] = {{1, 12}, {2, 12}, {3, 8},   {4, 12}, {6, 18},
                                       {8, 6},  {10, 6}, {12, 20}, {24, 6}};
static const int32_t qty_whole[][2] = {{6, 8},   {10, 6}, {12, 28}, {24, 22}, {36, 5},
                                       {48, 14}, {72, 6}, {96, 5},  {100, 4}, {144, 2}};

/* Weekday factors, Monday first. */
static const double weekday_f[7] = {1.00, 1.12, 1.14, 1.30, 0.90, 0.015, 0.55};
/* Month factors, January first (December applies to the 1st-20th). */
static const double month_f[12] = {0.70, 0.72, 0.92, 0.85, 1.00, 0.95,
                                   0.92, 0.86, 1.12, 1.28, 1.70, 1.55};

/* ---- rates ------------------------------------------------------------------- */

#define EXISTING_SHARE 0.30  /* customers already active on the first day */
#define ONE_OFF_SHARE 0.25   /* customers who never come back */
#define RATE_MEDIAN 0.022    /* purchases per average day (median customer) */
#define RATE_SIGMA 1.0       /* log-normal spread of the purchase rate */
#define RATE_MAX 0.5         /* at most one purchase every two days on average */
#define GROWTH_PER_YEAR 0.12 /* linear trend of the day weights */
#define MAX_LINES 60         /* lines per invoice */

#define GUEST_RATE 0.20 /* share of invoices without CustomerID at dirt 1 */
#define GUEST_MAX 0.50
#define CANCEL_RATE 0.07   /* cancellations per customer invoice at dirt 1 */
#define DUP_RATE 0.010     /* duplicated lines */
#define OUTLIER_RATE 0.001 /* lines with 10-100x price */
#define ZERO_RATE 0.0008   /* lines with zero price */

/* ---- generator state ------------------------------------------------------------ */

typedef struct syn_product {
    char code[16];
    char desc[64];
    int32_t family;
    int32_t price; /* pence */
    int32_t bulk;  /* pence for >= 24 units */
} syn_product;

typedef struct syn_family {
    int32_t first;
    int32_t n;
} syn_family;

typedef struct syn_invoice {
    int64_t time;
    int64_t first_line;
    int32_t nlines;
    int32_t cust;   /* customer index, -1 for a guest */
    int32_t cancel; /* 1 for a cancellation */
    int32_t country;
    uint32_t seq; /* creation order: tie-break for the sort */
    int32_t pad;
} syn_invoice;

enum { LINE_DUP = 1 };

typedef struct syn_line {
    int32_t product;
    int32_t qty;
    int64_t pence;
    int32_t flags;
    int32_t pad;
} syn_line;

typedef struct syn_state {
    crm_synth_options o;
    size_t D;            /* days */
    double *w;           /* D day weights (normalised) */
    double *cum;         /* D + 1 running sums */
    unsigned char *open; /* D flags: normal business day */
    size_t P;
    syn_product *prod;
    syn_family *fam;
    size_t nfam;
    double *pop;    /* P + 1 popularity cdf */
    int32_t *stamp; /* P: invoice serial that last used the product */
    int32_t serial;
    int32_t *cust_id; /* customers' CustomerID */
    syn_invoice *inv;
    size_t ninv, capinv;
    syn_line *line;
    size_t nline, capline;
} syn_state;

static void state_free(syn_state *s)
{
    crm__free(s->w);
    crm__free(s->cum);
    crm__free(s->open);
    crm__free(s->prod);
    crm__free(s->fam);
    crm__free(s->pop);
    crm__free(s->stamp);
    crm__free(s->cust_id);
    crm__free(s->inv);
    crm__free(s->line);
}

static crm_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return CRM_OK;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = crm__realloc_array(*p, c, elem);
    if (!q) return crm__nomem();
    *p = q;
    *cap = c;
    return CRM_OK;
}

/* ---- calendar ----------------------------------------------------------------- */

static crm_status build_calendar(syn_state *s)
{
    size_t D = s->D;
    s->w = crm__malloc_array(D, sizeof *s->w);
    s->cum = crm__malloc_array(D + 1, sizeof *s->cum);
    s->open = crm__malloc(D);
    if (!s->w || !s->cum || !s->open) return crm__nomem();
    int64_t day0 = s->o.start / 86400;
    double total = 0.0;
    for (size_t d = 0; d < D; d++) {
        int64_t z = day0 + (int64_t)d;
        int64_t y, m, dd;
        crm__civil_from_days(z, &y, &m, &dd);
        int64_t dow = ((z % 7) + 7 + 3) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */
        double f = weekday_f[dow] * month_f[m - 1];
        if (m == 12 && dd == 24)
            f = 0.30 * weekday_f[dow];
        else if (m == 12 && dd > 20)
            f = 0.35 * weekday_f[dow];
        int closed = (m == 12 && (dd == 25 || dd == 26)) || (m == 1 && dd == 1);
        if (closed) f = 0.0;
        f *= 1.0 + GROWTH_PER_YEAR * (double)d / 365.25;
        s->w[d] = f;
        s->open[d] = (unsigned char)(!closed && dow != 5);
        total += f;
    }
    double scale = total > 0.0 ? (double)D / total : 0.0;
    s->cum[0] = 0.0;
    for (size_t d = 0; d < D; d++) {
        s->w[d] *= scale;
        s->cum[d + 1] = s->cum[d] + s->w[d];
    }
    return CRM_OK;
}

/* Day containing weighted position x, or D when x is past the end. */
static size_t day_at(const syn_state *s, double x)
{
    if (!(x < s->cum[s->D])) return s->D;
    return cdf_find(s->cum, s->D, x);
}

/* Seconds since midnight of a business-hours minute. */
static int64_t pick_clock(crm__rng *r)
{
    size_t h = pick_weighted(r, hour_w, sizeof hour_w / sizeof hour_w[0]);
    return (int64_t)(7 + h) * 3600 + below(r, 60) * 60;
}

/* ---- catalogue ------------------------------------------------------------------- */

static int32_t nice_price(double pence)
{
    double p = pence < 10.0 ? 10.0 : pence;
    if (p >= 1000.0) {
        double v = floor(p / 50.0 + 0.5) * 50.0 - 5.0;
        return (int32_t)v;
    }
    double v = floor(p / 5.0 + 0.5) * 5.0;
    return (int32_t)(v < 10.0 ? 10.0 : v);
}

static crm_status build_catalogue(syn_state *s, crm__rng *r)
{
    size_t P = s->P;
    s->prod = crm__calloc(P, sizeof *s->prod);
    s->fam = crm__calloc(P, sizeof *s->fam);
    s->pop = crm__malloc_array(P + 1, sizeof *s->pop);
    s->stamp = crm__malloc_array(P, sizeof *s->stamp);
    if (!s->prod || !s->fam || !s->pop || !s->stamp) return crm__nomem();
    for (size_t i = 0; i < P; i++)
        s->stamp[i] = -1;

    const size_t ncombo = NTHEMES * NNOUNS;
    size_t combo0 = (size_t)below(r, (int64_t)ncombo);
    size_t stride = 0;
    do { /* a stride coprime with ncombo visits every theme/noun pair once */
        stride = 1 + (size_t)below(r, (int64_t)ncombo - 1);
        size_t a = stride, b = ncombo;
        while (b) {
            size_t t = a % b;
            a = b;
            b = t;
        }
        if (a == 1) break;
    } while (1);

    int64_t code_a = 20600 + below(r, 200), code_b = 84000 + below(r, 50);
    int merged = 0;
    size_t p = 0, f = 0;
    while (p < P) {
        size_t n = uni(r) < 0.35 ? 1 : (size_t)(2 + below(r, 7));
        if (n > P - p) n = P - p;
        size_t combo = (combo0 + f * stride) % ncombo;
        size_t theme = combo % NTHEMES, noun = combo / NTHEMES;
        char base[48];
        if (f < ncombo)
            snprintf(base, sizeof base, "%s %s", themes[theme], nouns[noun]);
        else
            snprintf(base, sizeof base, "%s %s %zu", themes[theme], nouns[noun], f / ncombo + 1);
        double price = rlognorm(r, (double)noun_price[noun], 0.35);
        int32_t pence = nice_price(price);
        int32_t bulk = nice_price((double)pence * 0.85);
        if (bulk >= pence) bulk = pence - 5 > 5 ? pence - 5 : pence;
        /* Stock codes: consecutive numbers, or one number with letter suffixes. */
        int letters = n >= 2 && uni(r) < 0.4;
        int use_b = !merged && uni(r) < 0.25;
        int64_t *ctr = use_b ? &code_b : &code_a;
        if (merged) ctr = &code_a;
        size_t colour0 = (size_t)below(r, NCOLOURS);
        s->fam[f].first = (int32_t)p;
        s->fam[f].n = (int32_t)n;
        for (size_t k = 0; k < n; k++) {
            syn_product *pr = &s->prod[p + k];
            if (letters)
                snprintf(pr->code, sizeof pr->code, "%lld%c", (long long)*ctr, (char)('A' + k));
            else
                snprintf(pr->code, sizeof pr->code, "%lld", (long long)(*ctr + (int64_t)k));
            if (n == 1)
                snprintf(pr->desc, sizeof pr->desc, "%s", base);
            else
                snprintf(pr->desc, sizeof pr->desc, "%s %s", colours[(colour0 + k * 5) % NCOLOURS],
                         base);
            pr->family = (int32_t)f;
            pr->price = pence;
            pr->bulk = bulk;
        }
        *ctr += (letters ? 1 : (int64_t)n) + below(r, 4);
        if (!merged && code_a >= 84000 - 16) {
            merged = 1;
            code_a = code_a > code_b ? code_a : code_b;
        }
        p += n;
        f++;
    }
    s->nfam = f;

    /* Zipf-like popularity over a random ranking of the products. */
    int32_t *rank = crm__malloc_array(P, sizeof *rank);
    if (!rank) return crm__nomem();
    for (size_t i = 0; i < P; i++)
        rank[i] = (int32_t)i;
    for (size_t i = P; i > 1; i--) {
        size_t j = (size_t)below(r, (int64_t)i);
        int32_t t = rank[i - 1];
        rank[i - 1] = rank[j];
        rank[j] = t;
    }
    s->pop[0] = 0.0;
    for (size_t i = 0; i < P; i++)
        s->pop[i + 1] = s->pop[i] + 1.0 / ((double)rank[i] + 8.0);
    crm__free(rank);
    return CRM_OK;
}

static int32_t pick_popular(const syn_state *s, crm__rng *r)
{
    return (int32_t)cdf_find(s->pop, s->P, uni(r) * s->pop[s->P]);
}

/* An unused member of family f (starting at a random one), or -1. */
static int32_t pick_in_family(const syn_state *s, crm__rng *r, int32_t f)
{
    const syn_family *fa = &s->fam[f];
    int32_t k0 = (int32_t)below(r, fa->n);
    for (int32_t k = 0; k < fa->n; k++) {
        int32_t p = fa->first + (k0 + k) % fa->n;
        if (s->stamp[p] != s->serial) return p;
    }
    return -1;
}

/* ---- invoices ------------------------------------------------------------------- */

typedef struct syn_buyer {
    int32_t cust; /* -1 = guest */
    int32_t country;
    int32_t level; /* 0 retail, 1 small business, 2 wholesale */
    double basket; /* median number of lines */
    int32_t fav[4];
    int32_t nfav;
} syn_buyer;

static int32_t pick_qty(crm__rng *r, int32_t level, int32_t pence)
{
    const int32_t(*t)[2] = level == 0 ? qty_retail : level == 1 ? qty_small : qty_whole;
    size_t n = level == 0   ? sizeof qty_retail / sizeof qty_retail[0]
               : level == 1 ? sizeof qty_small / sizeof qty_small[0]
                            : sizeof qty_whole / sizeof qty_whole[0];
    int32_t w[16];
    for (size_t i = 0; i < n; i++)
        w[i] = t[i][1];
    int32_t q = t[pick_weighted(r, w, n)][0];
    if (pence >= 1500)
        q = (q + 5) / 6;
    else if (pence >= 600)
        q = (q + 2) / 3;
    else if (pence <= 60 && level > 0)
        q *= 2;
    return q;
}

static crm_status add_invoice(syn_state *s, crm__rng *r, const syn_buyer *b, size_t day)
{
    crm_status st;
    if ((st = grow((void **)&s->inv, &s->capinv, s->ninv + 1, sizeof *s->inv))) return st;
    size_t maxl = s->P < MAX_LINES ? s->P : MAX_LINES;
    size_t n = 1 + (size_t)floor(b->basket * rexp(r));
    if (n > maxl) n = maxl;
    if ((st = grow((void **)&s->line, &s->capline, s->nline + n, sizeof *s->line))) return st;
    s->serial++;
    syn_invoice *iv = &s->inv[s->ninv];
    memset(iv, 0, sizeof *iv);
    iv->time = s->o.start + (int64_t)day * 86400 + pick_clock(r);
    iv->first_line = (int64_t)s->nline;
    iv->cust = b->cust;
    iv->country = b->country;
    iv->seq = (uint32_t)s->ninv;
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t p = -1;
        double u = uni(r);
        if (got > 0 && u < 0.55) {
            /* co-purchase: another member of an earlier line's family */
            const syn_line *prev = &s->line[s->nline + (size_t)below(r, (int64_t)got)];
            p = pick_in_family(s, r, s->prod[prev->product].family);
        } else if (b->nfav > 0 && u < (got > 0 ? 0.70 : 0.45)) {
            p = pick_in_family(s, r, b->fav[below(r, b->nfav)]);
        }
        for (int tries = 0; p < 0 && tries < 8; tries++) {
            int32_t c = pick_popular(s, r);
            if (s->stamp[c] != s->serial) p = c;
        }
        if (p < 0) break;
        s->stamp[p] = s->serial;
        syn_line *ln = &s->line[s->nline + got];
        memset(ln, 0, sizeof *ln);
        ln->product = p;
        ln->qty = pick_qty(r, b->level, s->prod[p].price);
        ln->pence = ln->qty >= 24 ? s->prod[p].bulk : s->prod[p].price;
        got++;
    }
    iv->nlines = (int32_t)got;
    s->nline += got;
    s->ninv++;
    return CRM_OK;
}

static crm_status gen_customers(syn_state *s, crm__rng *r)
{
    size_t C = (size_t)s->o.customers;
    s->cust_id = crm__malloc_array(C, sizeof *s->cust_id);
    if (!s->cust_id) return crm__nomem();
    int32_t id = 12346;
    double span = s->cum[s->D];
    for (size_t c = 0; c < C; c++) {
        s->cust_id[c] = id;
        id += 1 + (below(r, 3) == 0);
        syn_buyer b;
        memset(&b, 0, sizeof b);
        b.cust = (int32_t)c;
        b.country = (int32_t)pick_weighted(r, country_w, NCOUNTRIES);
        double lu = uni(r);
        double wholesale = b.country == 0 ? 0.08 : 0.30;
        b.level = lu < wholesale ? 2 : lu < wholesale + 0.32 ? 1 : 0;
        b.basket = rlognorm(r, b.level == 0 ? 3.0 : 5.5, 0.55);
        b.nfav = 2 + (int32_t)below(r, 3);
        for (int32_t k = 0; k < b.nfav; k++)
            b.fav[k] = s->prod[pick_popular(s, r)].family;
        double rate = rlognorm(r, RATE_MEDIAN, RATE_SIGMA);
        if (rate > RATE_MAX) rate = RATE_MAX;
        int one_off = uni(r) < ONE_OFF_SHARE;
        double du = uni(r);
        double dropout = one_off ? 1.0 : 0.02 + 0.25 * du * du;
        int existing = uni(r) < EXISTING_SHARE;
        double pos;
        if (span <= 0.0) continue;
        if (existing) {
            pos = rexp(r) / rate;
        } else {
            size_t a = day_at(s, uni(r) * span);
            pos = s->cum[a] + uni(r) * s->w[a];
        }
        for (;;) {
            size_t day = day_at(s, pos);
            if (day >= s->D) break;
            crm_status st = add_invoice(s, r, &b, day);
            if (st) return st;
            if (uni(r) < dropout) break;
            pos += rexp(r) / rate;
        }
    }
    return CRM_OK;
}

static crm_status gen_guests(syn_state *s, crm__rng *r, size_t nguests)
{
    double span = s->cum[s->D];
    if (span <= 0.0) return CRM_OK;
    for (size_t g = 0; g < nguests; g++) {
        syn_buyer b;
        memset(&b, 0, sizeof b);
        b.cust = -1;
        b.country = uni(r) < 0.93 ? 0 : (int32_t)pick_weighted(r, country_w, NCOUNTRIES);
        b.level = uni(r) < 0.8 ? 0 : 1;
        b.basket = rlognorm(r, 2.5, 0.5);
        size_t day = day_at(s, uni(r) * span);
        crm_status st = add_invoice(s, r, &b, day);
        if (st) return st;
    }
    return CRM_OK;
}

/* Cancellations: for some customer invoices, a later "C" invoice of the same
 * customer returning one or more of its lines (fully or partly). */
static crm_status gen_cancellations(syn_state *s, crm__rng *r, double rate)
{
    size_t norig = s->ninv;
    for (size_t i = 0; i < norig; i++) {
        if (s->inv[i].cust < 0 || s->inv[i].nlines == 0 || !(uni(r) < rate)) continue;
        syn_invoice orig = s->inv[i];
        int64_t day = (orig.time - s->o.start) / 86400;
        int64_t clock = (orig.time - s->o.start) % 86400;
        if (uni(r) < 0.35) {
            clock += (10 + below(r, 230)) * 60;
            if (clock >= 20 * 3600) {
                day++;
                clock = pick_clock(r);
            }
        } else {
            day += 1 + below(r, 28);
            clock = pick_clock(r);
        }
        while (day < (int64_t)s->D && !s->open[day])
            day++;
        if (day >= (int64_t)s->D) continue;
        int32_t k = 1;
        if (uni(r) < 0.3) k++;
        if (uni(r) < 0.1) k++;
        if (k > orig.nlines) k = orig.nlines;
        int32_t l0 = (int32_t)below(r, orig.nlines);
        crm_status st;
        if ((st = grow((void **)&s->inv, &s->capinv, s->ninv + 1, sizeof *s->inv))) return st;
        if ((st = grow((void **)&s->line, &s->capline, s->nline + (size_t)k, sizeof *s->line)))
            return st;
        syn_invoice *cv = &s->inv[s->ninv];
        *cv = orig;
        cv->time = s->o.start + day * 86400 + clock;
        cv->first_line = (int64_t)s->nline;
        cv->nlines = k;
        cv->cancel = 1;
        cv->seq = (uint32_t)s->ninv;
        for (int32_t j = 0; j < k; j++) {
            const syn_line *ol = &s->line[orig.first_line + (l0 + j) % orig.nlines];
            syn_line *cl = &s->line[s->nline + (size_t)j];
            *cl = *ol;
            cl->flags = 0;
            int32_t q = ol->qty;
            if (q > 1 && uni(r) < 0.4) q = 1 + (int32_t)below(r, q - 1);
            cl->qty = -q;
        }
        s->nline += (size_t)k;
        s->ninv++;
    }
    return CRM_OK;
}

static int cmp_invoice(const void *a, const void *b)
{
    const syn_invoice *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    if (x->cancel != y->cancel) return x->cancel < y->cancel ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- output ---------------------------------------------------------------------- */

typedef struct syn_out {
    crm__dict *dict[4]; /* InvoiceNo, StockCode, Description, Country */
    int32_t *code[4];
    double *qty, *price, *cust;
    int64_t *time;
    int32_t *pcode, *dcode, *ccode; /* product/country -> dictionary code */
} syn_out;

static void out_free(syn_out *o)
{
    for (int i = 0; i < 4; i++) {
        if (o->dict[i]) crm__dict_release(o->dict[i]);
        crm__free(o->code[i]);
    }
    crm__free(o->qty);
    crm__free(o->price);
    crm__free(o->cust);
    crm__free(o->time);
    crm__free(o->pcode);
    crm__free(o->dcode);
    crm__free(o->ccode);
}

static crm_status intern_cached(crm__dict *d, int32_t *cache, const char *s, int32_t *code)
{
    if (*cache < 0) {
        crm_status st = crm__dict_intern(d, s, strlen(s), cache);
        if (st) return st;
    }
    *code = *cache;
    return CRM_OK;
}

static crm_status build_output(syn_state *s, crm__rng *dr, double dirt, crm_dataset *ds)
{
    crm_status st = CRM_OK;
    syn_out o;
    memset(&o, 0, sizeof o);
    double p_dup = DUP_RATE * dirt, p_out = OUTLIER_RATE * dirt, p_zero = ZERO_RATE * dirt;
    if (p_dup > 0.25) p_dup = 0.25;
    if (p_out > 0.05) p_out = 0.05;
    if (p_zero > 0.05) p_zero = 0.05;

    /* Line-level dirt, decided in output order, and the row count. */
    size_t rows = 0;
    for (size_t i = 0; i < s->ninv; i++) {
        const syn_invoice *iv = &s->inv[i];
        for (int32_t j = 0; j < iv->nlines; j++) {
            syn_line *ln = &s->line[iv->first_line + j];
            if (!iv->cancel) {
                double u = uni(dr);
                if (u < p_out)
                    ln->pence *= 10 + below(dr, 91);
                else if (u < p_out + p_zero)
                    ln->pence = 0;
            }
            if (uni(dr) < p_dup) {
                ln->flags |= LINE_DUP;
                rows++;
            }
            rows++;
        }
    }

    for (int i = 0; i < 4; i++) {
        if ((st = crm__dict_new(&o.dict[i]))) goto done;
        o.code[i] = crm__malloc_array(rows, sizeof(int32_t));
        if (!o.code[i]) {
            st = crm__nomem();
            goto done;
        }
    }
    o.qty = crm__malloc_array(rows, sizeof(double));
    o.price = crm__malloc_array(rows, sizeof(double));
    o.cust = crm__malloc_array(rows, sizeof(double));
    o.time = crm__malloc_array(rows, sizeof(int64_t));
    o.pcode = crm__malloc_array(s->P, sizeof(int32_t));
    o.dcode = crm__malloc_array(s->P, sizeof(int32_t));
    o.ccode = crm__malloc_array(NCOUNTRIES, sizeof(int32_t));
    if (!o.qty || !o.price || !o.cust || !o.time || !o.pcode || !o.dcode || !o.ccode) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < s->P; i++)
        o.pcode[i] = o.dcode[i] = -1;
    for (size_t i = 0; i < NCOUNTRIES; i++)
        o.ccode[i] = -1;
    if ((st = crm__dict_reserve(o.dict[0], s->ninv, s->ninv * 8))) goto done;

    /* Invoice numbers: one sequence in time order, all with the same number of
     * digits (6 while there are at most 463,634 invoices, as in the UCI data). */
    int64_t base = 536365;
    if ((int64_t)s->ninv > 999999 - base + 1) {
        base = 100000;
        while ((int64_t)s->ninv > 9 * base)
            base *= 10;
    }
    size_t row = 0;
    for (size_t i = 0; i < s->ninv; i++) {
        const syn_invoice *iv = &s->inv[i];
        char num[32];
        int len = snprintf(num, sizeof num, "%s%lld", iv->cancel ? "C" : "",
                           (long long)(base + (int64_t)i));
        int32_t icode;
        if ((st = crm__dict_intern(o.dict[0], num, (size_t)len, &icode))) goto done;
        int32_t ccode;
        if ((st = intern_cached(o.dict[3], &o.ccode[iv->country], countries[iv->country], &ccode)))
            goto done;
        double cid = iv->cust >= 0 ? (double)s->cust_id[iv->cust] : NAN;
        for (int32_t j = 0; j < iv->nlines; j++) {
            const syn_line *ln = &s->line[iv->first_line + j];
            const syn_product *pr = &s->prod[ln->product];
            int32_t sc, dc;
            if ((st = intern_cached(o.dict[1], &o.pcode[ln->product], pr->code, &sc))) goto done;
            if ((st = intern_cached(o.dict[2], &o.dcode[ln->product], pr->desc, &dc))) goto done;
            int copies = (ln->flags & LINE_DUP) ? 2 : 1;
            for (int k = 0; k < copies; k++) {
                o.code[0][row] = icode;
                o.code[1][row] = sc;
                o.code[2][row] = dc;
                o.code[3][row] = ccode;
                o.qty[row] = (double)ln->qty;
                o.time[row] = iv->time;
                o.price[row] = (double)ln->pence / 100.0;
                o.cust[row] = cid;
                row++;
            }
        }
    }

    /* Hand the columns over; add_owned takes ownership on success only. */
    if ((st = crm__dataset_add_owned(ds, "InvoiceNo", CRM_TYPE_TEXT, o.code[0], o.dict[0], rows)))
        goto done;
    o.code[0] = NULL;
    o.dict[0] = NULL;
    if ((st = crm__dataset_add_owned(ds, "StockCode", CRM_TYPE_TEXT, o.code[1], o.dict[1], rows)))
        goto done;
    o.code[1] = NULL;
    o.dict[1] = NULL;
    if ((st = crm__dataset_add_owned(ds, "Description", CRM_TYPE_TEXT, o.code[2], o.dict[2], rows)))
        goto done;
    o.code[2] = NULL;
    o.dict[2] = NULL;
    if ((st = crm__dataset_add_owned(ds, "Quantity", CRM_TYPE_NUMBER, o.qty, NULL, rows)))
        goto done;
    o.qty = NULL;
    if ((st = crm__dataset_add_owned(ds, "InvoiceDate", CRM_TYPE_TIME, o.time, NULL, rows)))
        goto done;
    o.time = NULL;
    if ((st = crm__dataset_add_owned(ds, "UnitPrice", CRM_TYPE_NUMBER, o.price, NULL, rows)))
        goto done;
    o.price = NULL;
    if ((st = crm__dataset_add_owned(ds, "CustomerID", CRM_TYPE_NUMBER, o.cust, NULL, rows)))
        goto done;
    o.cust = NULL;
    if ((st = crm__dataset_add_owned(ds, "Country", CRM_TYPE_TEXT, o.code[3], o.dict[3], rows)))
        goto done;
    o.code[3] = NULL;
    o.dict[3] = NULL;
done:
    out_free(&o);
    return st;
}

/* ---- entry point ----------------------------------------------------------------- */

crm_status crm_synth_transactions(const crm_synth_options *opts, crm_dataset **out)
{
    if (!out) return crm__error(CRM_E_INVALID, "crm_synth_transactions: out is NULL");
    *out = NULL;
    syn_state s;
    memset(&s, 0, sizeof s);
    crm_status st = crm__options_load(&s.o, opts, &synth_defaults, sizeof synth_defaults,
                                      SYNTH_V1_SIZE, "crm_synth_options");
    if (st) return st;
    if ((st = check_options(&s.o))) return st;
    s.D = (size_t)s.o.days;
    s.P = (size_t)s.o.products;

    crm_dataset *ds = NULL;
    crm__rng r_cat, r_cust, r_guest, r_dirt;
    crm__rng_seed_stream(&r_cat, s.o.seed, 1);
    crm__rng_seed_stream(&r_cust, s.o.seed, 2);
    crm__rng_seed_stream(&r_guest, s.o.seed, 3);
    crm__rng_seed_stream(&r_dirt, s.o.seed, 4);

    if ((st = build_calendar(&s))) goto fail;
    if ((st = build_catalogue(&s, &r_cat))) goto fail;
    if ((st = gen_customers(&s, &r_cust))) goto fail;

    double g = GUEST_RATE * s.o.dirt;
    if (g > GUEST_MAX) g = GUEST_MAX;
    size_t nguests = (size_t)floor((double)s.ninv * g / (1.0 - g) + 0.5);
    if ((st = gen_guests(&s, &r_guest, nguests))) goto fail;
    double c = CANCEL_RATE * s.o.dirt;
    if (c > 0.0 && (st = gen_cancellations(&s, &r_dirt, c > 1.0 ? 1.0 : c))) goto fail;

    if (s.ninv > 1) qsort(s.inv, s.ninv, sizeof *s.inv, cmp_invoice);

    if ((st = crm_dataset_new(&ds))) goto fail;
    if ((st = build_output(&s, &r_dirt, s.o.dirt, ds))) goto fail;
    state_free(&s);
    *out = ds;
    return CRM_OK;
fail:
    crm_dataset_free(ds);
    state_free(&s);
    return st;
}
