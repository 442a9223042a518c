/* CSV reader: RFC 4180 tokenizer, per-column type inference and materialisation.
 *
 * Design. The whole input is held in memory. Rows are tokenized in blocks into a
 * row-major field table (per field: 64-bit offset whose two top bits flag a
 * quoted field and a field that needs unescaping, and a 32-bit length); right
 * after a block is tokenized, while its bytes are still in cache, every column
 * converts the block's cells according to its current type guess (number, then
 * time, then text). When a cell does not fit the guess, the column moves to the
 * next type and converts again from row 0, using the field table. Text cells are
 * interned into the column's dictionary in row order, so codes follow first
 * appearance. No allocation is made per cell. */
#include "data/csv_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define F_QUOTED ((uint64_t)1 << 63)
#define F_ESCAPED ((uint64_t)1 << 62)
#define F_OFF (F_ESCAPED - 1)

/* Rows tokenized before the columns convert them. */
#define CSV_BLOCK_ROWS 4096

enum { FAM_NONE = 0, FAM_ISO = 1, FAM_US = 2, FAM_FORMAT = 3 };
enum { TOK_DELIM = 0, TOK_EOL = 1, TOK_EOF = 2, TOK_UNBALANCED = -1, TOK_AFTER_QUOTE = -2,
       TOK_TOO_LONG = -3 };

/* Per-column memo of the last ISO date part (rows often share a date). */
typedef crm__date_memo date_memo;

typedef struct csv_col {
    int32_t type;  /* current guess, or the forced type */
    int forced;    /* 1 when opts->types fixed the type */
    int family;    /* time columns: FAM_* of the cells seen so far */
    void *data;    /* cap elements of the type */
    crm__dict *dict;
    const char *last_s; /* previous interned cell (in the input buffer), for runs */
    size_t last_len;
    int32_t last_code;
    uint64_t *tcache; /* text: direct-mapped cache of recent codes (code << 32 | length) */
    date_memo dm;     /* time: the last ISO date part seen */
    uint64_t *koff;   /* fields of the rows converted so far (see keeps_fields) */
    uint32_t *klen;
} csv_col;

typedef struct csv_ctx {
    const char *file; /* name used in messages */
    const char *b;    /* input bytes */
    size_t n;
    char delim, quote;
    int quoting; /* quote != 0 */
    char decimal;
    int strict;
    int header;
    const char *date_format;
    size_t max_rows;
    /* NA strings */
    const char **na;
    size_t *na_len;
    size_t n_na;
    uint64_t na_mask; /* bit k set when an NA string has length k (k < 64) */
    uint64_t na_first[4]; /* bit b set when an NA string starts with byte b */
    int na_long;      /* an NA string is 64 bytes or longer */
    /* first NUL or invalid UTF-8 byte (strict mode), or SIZE_MAX */
    size_t bad_off;
    int bad_nul;
    /* columns */
    size_t ncols;
    char **names;
    csv_col *cols;
    /* block table: fields of the rows being converted, row-major */
    uint64_t *bfoff;
    uint32_t *bflen;
    size_t b0;        /* row number of the block's first row */
    size_t nrows;     /* rows tokenized so far */
    size_t cap;       /* rows the columns have room for */
    crm__buf scratch;
} csv_ctx;

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/* 1-based physical line holding byte `off` (line ends: LF, CRLF, lone CR). */
static size_t line_of(const csv_ctx *c, size_t off)
{
    size_t line = 1;
    const char *b = c->b;
    for (size_t i = 0; i < off && i < c->n; i++) {
        if (b[i] == '\n')
            line++;
        else if (b[i] == '\r' && (i + 1 >= c->n || b[i + 1] != '\n'))
            line++;
    }
    return line;
}

static crm_status perr(const csv_ctx *c, size_t off, size_t col, const char *fmt, ...)
    CRM__PRINTF(4, 5);

/* CRM_E_PARSE with "FILE:LINE:COLUMN: message"; col is the 1-based field number. */
static crm_status perr(const csv_ctx *c, size_t off, size_t col, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    void *loc = crm__c_locale_enter();
    vsnprintf(msg, sizeof msg, fmt, ap);
    crm__c_locale_leave(loc);
    va_end(ap);
    return crm__error(CRM_E_PARSE, "%s:%zu:%zu: %s", c->file, line_of(c, off), col, msg);
}

/* Printable excerpt of a cell for messages (at most about 60 bytes, cut on a
 * character boundary, control characters shown as '?'). */
static const char *excerpt(const char *s, size_t len, char *buf, size_t bufsize)
{
    size_t k = len;
    size_t lim = bufsize - 4;
    if (k > lim) {
        k = lim;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
    }
    for (size_t i = 0; i < k; i++)
        buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (k < len) {
        memcpy(buf + k, "...", 4);
    } else {
        buf[k] = '\0';
    }
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Tokenizer                                                                 */
/* ------------------------------------------------------------------------ */

/* First delimiter or line-end byte at or after p, or n. */
static inline size_t find_special(const char *b, size_t p, size_t n, char delim)
{
#if defined(__SSE2__)
    const __m128i vd = _mm_set1_epi8(delim);
    const __m128i vn = _mm_set1_epi8('\n');
    const __m128i vr = _mm_set1_epi8('\r');
    while (p + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + p));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
                                   _mm_cmpeq_epi8(x, vr));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return p + (size_t)__builtin_ctz(m);
        p += 16;
    }
#endif
    while (p < n && b[p] != delim && b[p] != '\n' && b[p] != '\r')
        p++;
    return p;
}

/* Scan a quoted field whose opening quote is at *pos: sets its table entry,
 * leaves *pos just after it (closing quote, or the trailing text that lenient
 * mode keeps) and returns 0, or a negative TOK_* error (then *pos is the
 * offset at fault). */
static inline int scan_quoted(const csv_ctx *c, size_t *pos, uint64_t *foff, uint32_t *flen)
{
    const char *b = c->b;
    size_t n = c->n;
    size_t open = *pos;
    size_t q = open + 1;
    uint64_t flags = 0;
    for (;;) {
        const char *hit = q < n ? memchr(b + q, c->quote, n - q) : NULL;
        if (!hit) {
            *pos = open;
            return TOK_UNBALANCED;
        }
        q = (size_t)(hit - b);
        if (q + 1 < n && b[q + 1] == c->quote) {
            flags = F_ESCAPED;
            q += 2;
            continue;
        }
        break;
    }
    size_t p = q + 1;
    if (p < n && b[p] != c->delim && b[p] != '\n' && b[p] != '\r') {
        if (c->strict) {
            *pos = p;
            return TOK_AFTER_QUOTE;
        }
        /* Lenient: the text after the closing quote is part of the value. */
        p = find_special(b, p, n, c->delim);
        flags = F_ESCAPED;
    }
    size_t start = flags ? open : open + 1; /* escaped: raw, quotes included */
    size_t end = flags ? p : q;
    if (CRM__UNLIKELY(end - start > UINT32_MAX)) {
        *pos = open;
        return TOK_TOO_LONG;
    }
    *foff = (uint64_t)start | flags | F_QUOTED;
    *flen = (uint32_t)(end - start);
    *pos = p;
    return 0;
}

/* Scan one field starting at *pos. Sets the field's table entry, advances *pos
 * past the delimiter or line end, and returns TOK_DELIM, TOK_EOL, TOK_EOF or a
 * negative TOK_* error (then *pos is the offset at fault). */
static int scan_field(const csv_ctx *c, size_t *pos, uint64_t *foff, uint32_t *flen)
{
    const char *b = c->b;
    size_t n = c->n;
    size_t p = *pos;
    if (c->quoting && p < n && b[p] == c->quote) {
        int t = scan_quoted(c, &p, foff, flen);
        if (t < 0) {
            *pos = p;
            return t;
        }
    } else {
        size_t start = p;
        p = find_special(b, p, n, c->delim);
        if (CRM__UNLIKELY(p - start > UINT32_MAX)) {
            *pos = start;
            return TOK_TOO_LONG;
        }
        *foff = (uint64_t)start;
        *flen = (uint32_t)(p - start);
    }
    if (p >= n) {
        *pos = p;
        return TOK_EOF;
    }
    char ch = b[p];
    if (ch == c->delim) {
        *pos = p + 1;
        return TOK_DELIM;
    }
    p += (ch == '\r' && p + 1 < n && b[p + 1] == '\n') ? 2 : 1;
    *pos = p;
    return TOK_EOL;
}

/* Positions of delimiters and line-end bytes in the 64-byte window at base,
 * one bit per byte (bytes past the input give no bit). */
static inline uint64_t special_bits(const csv_ctx *c, size_t base)
{
    const char *b = c->b + base;
    uint64_t m = 0;
#if defined(__SSE2__)
    if (base + 64 <= c->n) {
        const __m128i vd = _mm_set1_epi8(c->delim);
        const __m128i vn = _mm_set1_epi8('\n');
        const __m128i vr = _mm_set1_epi8('\r');
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
                                       _mm_cmpeq_epi8(x, vr));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(hit) << (16 * k);
        }
        return m;
    }
#endif
    size_t lim = c->n - base < 64 ? c->n - base : 64;
    for (size_t i = 0; i < lim; i++)
        if (b[i] == c->delim || b[i] == '\n' || b[i] == '\r')
            m |= (uint64_t)1 << i;
    return m;
}

/* Cursor over special_bits windows. */
typedef struct csv_scan {
    size_t base;
    uint64_t bits;
} csv_scan;

/* First delimiter or line-end byte at or after p (or n), using the window
 * cursor: p never moves backwards between calls. */
static inline size_t next_special(const csv_ctx *c, csv_scan *sc, size_t p)
{
    if (p >= sc->base + 64) {
        sc->base = p & ~(size_t)63;
        sc->bits = special_bits(c, sc->base);
    }
    uint64_t m = p > sc->base ? sc->bits & (~(uint64_t)0 << (p - sc->base)) : sc->bits;
    while (!m) {
        sc->base += 64;
        if (sc->base >= c->n) {
            sc->bits = 0;
            return c->n;
        }
        m = special_bits(c, sc->base);
    }
    sc->bits = m;
    return sc->base + (size_t)__builtin_ctzll(m);
}

static crm_status tok_error(const csv_ctx *c, int t, size_t off, size_t col)
{
    switch (t) {
    case TOK_UNBALANCED:
        return perr(c, off, col, "unbalanced quote: the quoted field starting here never ends");
    case TOK_AFTER_QUOTE:
        return perr(c, off, col, "unexpected text after the closing quote of a field");
    default:
        return perr(c, off, col, "field longer than 4 GiB");
    }
}

/* Skip empty lines starting at *pos. */
static void skip_blank_lines(const csv_ctx *c, size_t *pos)
{
    size_t p = *pos;
    while (p < c->n) {
        if (c->b[p] == '\n')
            p++;
        else if (c->b[p] == '\r')
            p += (p + 1 < c->n && c->b[p + 1] == '\n') ? 2 : 1;
        else
            break;
    }
    *pos = p;
}

/* Field (1-based) of a row whose table entries are ro/rl that holds byte off. */
static size_t field_holding(const uint64_t *ro, const uint32_t *rl, size_t k, size_t off)
{
    for (size_t i = 0; i < k; i++) {
        size_t s = (size_t)(ro[i] & F_OFF);
        if (off >= s && off < s + rl[i] + (size_t)((ro[i] & F_QUOTED) != 0))
            return i + 1;
    }
    return k ? k : 1;
}

static crm_status bad_byte_error(const csv_ctx *c, size_t col)
{
    if (c->bad_nul)
        return perr(c, c->bad_off, col, "NUL byte in the input");
    return perr(c, c->bad_off, col, "invalid UTF-8 (byte 0x%02X)",
                (unsigned)(unsigned char)c->b[c->bad_off]);
}

/* ------------------------------------------------------------------------ */
/* Cells                                                                     */
/* ------------------------------------------------------------------------ */

/* Value of an escaped field (raw bytes from the opening quote on): doubled
 * quotes become one, the enclosing quotes go, text after the closing quote
 * (lenient mode) is kept. Written to c->scratch. */
static crm_status unescape(csv_ctx *c, const char *p, size_t fl, const char **s, size_t *len)
{
    crm_status st = crm__buf_reserve(&c->scratch, fl);
    if (st)
        return st;
    char *d = c->scratch.data;
    size_t k = 0, i = 1;
    char q = c->quote;
    for (; i < fl; i++) {
        char ch = p[i];
        if (ch == q) {
            if (i + 1 < fl && p[i + 1] == q) {
                d[k++] = q;
                i++;
                continue;
            }
            i++;
            break;
        }
        d[k++] = ch;
    }
    for (; i < fl; i++)
        d[k++] = p[i];
    d[k] = '\0';
    *s = d;
    *len = k;
    return CRM_OK;
}

static inline int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f';
}

static int missing_slow(const csv_ctx *c, const char *s, size_t len)
{
    if (is_blank(s[0]) && is_blank(s[len - 1])) {
        size_t i = 1;
        while (i < len && is_blank(s[i]))
            i++;
        if (i == len)
            return 1;
    }
    if (len < 64 ? (int)((c->na_mask >> len) & 1) : c->na_long) {
        for (size_t k = 0; k < c->n_na; k++)
            if (c->na_len[k] == len && memcmp(c->na[k], s, len) == 0)
                return 1;
    }
    return 0;
}

/* Missing: empty; unquoted and whitespace-only or an NA string. A quoted cell
 * with content is a value, so text such as "NA" survives when quoted. */
static inline int is_missing(const csv_ctx *c, const char *s, size_t len, int quoted)
{
    if (len == 0)
        return 1;
    if (quoted)
        return 0;
    unsigned char b0 = (unsigned char)s[0];
    if (!is_blank(s[0]) && (!((c->na_first[b0 >> 6] >> (b0 & 63)) & 1) ||
                            (len < 64 ? !((c->na_mask >> len) & 1) : !c->na_long)))
        return 0;
    return missing_slow(c, s, len);
}

/* Equality of two n-byte ranges, inlined for short ones. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n - 8, 8);
        memcpy(&y1, b + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    if (n <= 64) {
        uint64_t d = 0, x, y;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            d |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return (d | (x ^ y)) == 0;
    }
    return memcmp(a, b, n) == 0;
}

/* Slot of a cell in a column's text cache (from its length and outer bytes). */
#define TCACHE_BITS 14
static inline size_t tcache_slot(const char *s, size_t len)
{
    uint64_t h;
    if (len >= 8) {
        uint64_t w0, w1;
        memcpy(&w0, s, 8);
        memcpy(&w1, s + len - 8, 8);
        h = w0 ^ (w1 * 0x9E3779B97F4A7C15ULL) ^ len;
    } else {
        h = len;
        for (size_t i = 0; i < len; i++)
            h = (h << 8) | (unsigned char)s[i];
    }
    h *= 0xff51afd7ed558ccdULL;
    return (size_t)(h >> (64 - TCACHE_BITS));
}

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Common short decimals ("-12", "2.55", "17850.0") with both operands exact,
 * so one division gives the correctly rounded value, identical to
 * crm__parse_number. Returns 0 when unsure (the caller then asks
 * crm__parse_number). */
static inline int fast_number(const char *s, size_t n, char decimal, double *out)
{
    if (n == 0 || n > 21)
        return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t m = 0;
    size_t i0 = i;
    while (i < n && (unsigned)(s[i] - '0') < 10) {
        m = m * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    size_t nd = i - i0, fd = 0;
    if (i < n && s[i] == decimal) {
        i++;
        size_t f0 = i;
        while (i < n && (unsigned)(s[i] - '0') < 10) {
            m = m * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        fd = i - f0;
    }
    if (i != n || nd + fd == 0 || nd + fd > 19 || m > ((uint64_t)1 << 53))
        return 0;
    double v = (double)m;
    if (fd)
        v /= pow10_tab[fd];
    *out = neg ? -v : v;
    return 1;
}

/* ---- date-times (parsing lives in lib/core/timetext.c) ---------------------- */

static void trim_blank(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len && is_blank(p[0])) {
        p++;
        len--;
    }
    while (len && is_blank(p[len - 1]))
        len--;
    *s = p;
    *n = len;
}

/* Parse a date-time in the column's family (fixed on the first value). */
static inline int parse_time(const csv_ctx *c, int *family, date_memo *dm, const char *s,
                             size_t n, int64_t *t)
{
    trim_blank(&s, &n);
    if (c->date_format)
        return crm__time_parse_format(c->date_format, s, n, t);
    switch (*family) {
    case FAM_ISO:
        return crm__time_parse_iso(s, n, t, dm);
    case FAM_US:
        return crm__time_parse_us(s, n, t);
    default:
        if (crm__time_parse_iso(s, n, t, dm)) {
            *family = FAM_ISO;
            return 1;
        }
        if (crm__time_parse_us(s, n, t)) {
            *family = FAM_US;
            return 1;
        }
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Columns                                                                   */
/* ------------------------------------------------------------------------ */

/* Fields of one column for a run of rows: entry i is fo[i * stride], fl[i * stride]. */
typedef struct fields {
    const uint64_t *fo;
    const uint32_t *fl;
    size_t stride;
} fields;

static inline crm_status field_value(csv_ctx *c, uint64_t fo, uint32_t fl, const char **s,
                                     size_t *len)
{
    if (CRM__LIKELY(!(fo & F_ESCAPED))) {
        *s = c->b + (fo & F_OFF);
        *len = fl;
        return CRM_OK;
    }
    return unescape(c, c->b + (fo & F_OFF), fl, s, len);
}

/* Convert rows [r0, r0 + m) of column j, whose fields are f, as numbers;
 * *bad = index in the run of the first cell that is not a number, or SIZE_MAX. */
static crm_status conv_number(csv_ctx *c, size_t j, fields f, size_t r0, size_t m, size_t *bad)
{
    double *v = (double *)c->cols[j].data + r0;
    for (size_t i = 0; i < m; i++) {
        uint64_t fo = f.fo[i * f.stride];
        const char *s;
        size_t len;
        crm_status st = field_value(c, fo, f.fl[i * f.stride], &s, &len);
        if (st)
            return st;
        if (is_missing(c, s, len, (fo & F_QUOTED) != 0)) {
            v[i] = NAN;
            continue;
        }
        if (fast_number(s, len, c->decimal, &v[i]) || crm__parse_number(s, len, c->decimal, &v[i]))
            continue;
        *bad = i;
        return CRM_OK;
    }
    *bad = SIZE_MAX;
    return CRM_OK;
}

static crm_status conv_time(csv_ctx *c, size_t j, fields f, size_t r0, size_t m, size_t *bad)
{
    csv_col *col = &c->cols[j];
    int64_t *v = (int64_t *)col->data + r0;
    for (size_t i = 0; i < m; i++) {
        uint64_t fo = f.fo[i * f.stride];
        const char *s;
        size_t len;
        crm_status st = field_value(c, fo, f.fl[i * f.stride], &s, &len);
        if (st)
            return st;
        if (is_missing(c, s, len, (fo & F_QUOTED) != 0)) {
            v[i] = CRM_TIME_MISSING;
            continue;
        }
        if (parse_time(c, &col->family, &col->dm, s, len, &v[i]))
            continue;
        *bad = i;
        return CRM_OK;
    }
    *bad = SIZE_MAX;
    return CRM_OK;
}

static crm_status conv_text(csv_ctx *c, size_t j, fields f, size_t r0, size_t m)
{
    csv_col *col = &c->cols[j];
    int32_t *v = (int32_t *)col->data + r0;
    crm_status st;
    if (!col->dict && (st = crm__dict_new(&col->dict)))
        return st;
    if (!col->tcache && !(col->tcache = crm__calloc((size_t)1 << TCACHE_BITS, sizeof *col->tcache)))
        return crm__nomem();
    for (size_t i = 0; i < m; i++) {
        uint64_t fo = f.fo[i * f.stride];
        const char *s;
        size_t len;
        if ((st = field_value(c, fo, f.fl[i * f.stride], &s, &len)))
            return st;
        if (is_missing(c, s, len, (fo & F_QUOTED) != 0)) {
            v[i] = -1;
            continue;
        }
        if (len == col->last_len && col->last_s && same_bytes(s, col->last_s, len)) {
            v[i] = col->last_code;
            continue;
        }
        /* recent distinct values: direct-mapped cache in front of the dictionary */
        size_t slot = tcache_slot(s, len);
        uint64_t e = col->tcache[slot];
        int32_t code;
        if (e && (size_t)(uint32_t)e == len &&
            same_bytes(s, crm__dict_str(col->dict, (int32_t)(e >> 32) - 1), len)) {
            code = (int32_t)(e >> 32) - 1;
        } else {
            if ((st = crm__dict_intern(col->dict, s, len, &code)))
                return st;
            col->tcache[slot] = ((uint64_t)(uint32_t)(code + 1) << 32) | (uint32_t)len;
        }
        v[i] = code;
        /* remember only cells that live in the input (not in the scratch buffer) */
        col->last_s = (fo & F_ESCAPED) ? NULL : s;
        col->last_len = len;
        col->last_code = code;
    }
    return CRM_OK;
}

static crm_status mismatch_error(csv_ctx *c, size_t j, uint64_t fo, uint32_t fl)
{
    const char *s;
    size_t len;
    crm_status st = field_value(c, fo, fl, &s, &len);
    if (st)
        return st;
    char ex[80];
    excerpt(s, len, ex, sizeof ex);
    size_t off = (size_t)(fo & F_OFF);
    if (c->cols[j].type == CRM_TYPE_NUMBER)
        return perr(c, off, j + 1, "column \"%s\": \"%s\" is not a number", c->names[j], ex);
    if (c->date_format)
        return perr(c, off, j + 1, "column \"%s\": \"%s\" does not match the date format \"%s\"",
                    c->names[j], ex, c->date_format);
    return perr(c, off, j + 1, "column \"%s\": \"%s\" is not a date-time", c->names[j], ex);
}

/* Convert one run of rows in the column's current type; *bad as in conv_number. */
static crm_status convert_run(csv_ctx *c, size_t j, fields f, size_t r0, size_t m, size_t *bad)
{
    *bad = SIZE_MAX;
    switch (c->cols[j].type) {
    case CRM_TYPE_NUMBER:
        return conv_number(c, j, f, r0, m, bad);
    case CRM_TYPE_TIME:
        return conv_time(c, j, f, r0, m, bad);
    default:
        return conv_text(c, j, f, r0, m);
    }
}

/* A column keeps the fields of converted rows only while its type may still
 * change (inferred number or time); text and forced columns keep none. */
static int keeps_fields(const csv_col *col)
{
    return !col->forced && col->type != CRM_TYPE_TEXT;
}

/* Convert the rows of the current block (rows b0 .. nrows-1, fields in the
 * block table) of column j. When a cell does not fit, the column moves to a
 * more general type and every row so far is converted again (earlier rows
 * from the column's kept fields). */
static crm_status convert_block(csv_ctx *c, size_t j)
{
    csv_col *col = &c->cols[j];
    size_t nc = c->ncols, b0 = c->b0, m = c->nrows - c->b0;
    fields blk = {c->bfoff + j, c->bflen + j, nc};
    size_t bad;
    crm_status st = convert_run(c, j, blk, b0, m, &bad);
    while (!st && bad != SIZE_MAX) {
        if (col->forced)
            return mismatch_error(c, j, blk.fo[bad * nc], blk.fl[bad * nc]);
        int32_t nt = col->type == CRM_TYPE_NUMBER ? CRM_TYPE_TIME : CRM_TYPE_TEXT;
        void *d = crm__malloc_array(c->cap, crm__type_size(nt));
        if (!d)
            return crm__nomem();
        crm__free(col->data);
        col->data = d;
        col->type = nt;
        col->family = FAM_NONE;
        col->dm.valid = 0;
        fields kept = {col->koff, col->klen, 1};
        st = convert_run(c, j, kept, 0, b0, &bad);
        if (!st && bad == SIZE_MAX)
            st = convert_run(c, j, blk, b0, m, &bad);
    }
    if (st)
        return st;
    if (!keeps_fields(col)) {
        crm__free(col->koff);
        crm__free(col->klen);
        col->koff = NULL;
        col->klen = NULL;
        return CRM_OK;
    }
    for (size_t i = 0; i < m; i++) {
        col->koff[b0 + i] = blk.fo[i * nc];
        col->klen[b0 + i] = blk.fl[i * nc];
    }
    return CRM_OK;
}

/* Give every column (values and kept fields) room for `cap` rows. */
static crm_status grow_rows(csv_ctx *c, size_t cap)
{
    if (cap <= c->cap)
        return CRM_OK;
    for (size_t j = 0; j < c->ncols; j++) {
        csv_col *col = &c->cols[j];
        void *d = crm__realloc_array(col->data, cap, crm__type_size(col->type));
        if (!d)
            return crm__nomem();
        col->data = d;
        if (keeps_fields(col)) {
            uint64_t *ko = crm__realloc_array(col->koff, cap, sizeof *ko);
            if (!ko)
                return crm__nomem();
            col->koff = ko;
            uint32_t *kl = crm__realloc_array(col->klen, cap, sizeof *kl);
            if (!kl)
                return crm__nomem();
            col->klen = kl;
        }
    }
    c->cap = cap;
    return CRM_OK;
}

/* Tokenize up to `want` data rows (at most the block table's capacity) at
 * *pos into the block table; they become rows b0 .. nrows-1. */
static crm_status tokenize_rows(csv_ctx *c, size_t *pos, size_t want)
{
    const char *b = c->b;
    const size_t n = c->n;
    const size_t nc = c->ncols;
    const char delim = c->delim, quote = c->quote;
    const int quoting = c->quoting;
    size_t p = *pos;
    crm_status st;
    csv_scan sc;
    sc.base = p & ~(size_t)63;
    sc.bits = special_bits(c, sc.base);
    c->b0 = c->nrows;
    for (size_t row = 0; row < want; row++) {
        while (p < n && (b[p] == '\n' || b[p] == '\r')) /* empty lines */
            p++;
        if (p >= n)
            break;
        if (c->nrows == c->cap && (st = grow_rows(c, c->cap * 2)))
            return st;
        uint64_t *ro = c->bfoff + row * nc;
        uint32_t *rl = c->bflen + row * nc;
        size_t k = 0;
        for (;;) {
            size_t fstart = p, q;
            uint64_t fo;
            uint32_t fl;
            if (quoting && p < n && b[p] == quote) {
                int t = scan_quoted(c, &p, &fo, &fl);
                if (CRM__UNLIKELY(t < 0))
                    return tok_error(c, t, p, k + 1);
                q = p;
            } else {
                q = next_special(c, &sc, p);
                if (CRM__UNLIKELY(q - p > UINT32_MAX))
                    return tok_error(c, TOK_TOO_LONG, p, k + 1);
                fo = (uint64_t)p;
                fl = (uint32_t)(q - p);
            }
            if (CRM__LIKELY(k < nc)) {
                ro[k] = fo;
                rl[k] = fl;
            } else if (c->strict) {
                return perr(c, fstart, k + 1, "row has more than the %zu fields of the header", nc);
            }
            k++;
            if (q >= n) {
                p = n;
                break;
            }
            if (b[q] == delim) {
                p = q + 1;
                continue;
            }
            p = q + ((b[q] == '\r' && q + 1 < n && b[q + 1] == '\n') ? 2 : 1);
            break;
        }
        if (CRM__UNLIKELY(k < nc)) {
            if (c->strict)
                return perr(c, (size_t)(ro[k - 1] & F_OFF), k + 1,
                            "row has %zu field%s, expected %zu", k, k == 1 ? "" : "s", nc);
            for (size_t i = k; i < nc; i++) {
                ro[i] = 0;
                rl[i] = 0;
            }
        }
        if (CRM__UNLIKELY(p > c->bad_off))
            return bad_byte_error(c, field_holding(ro, rl, k < nc ? k : nc, c->bad_off));
        c->nrows++;
    }
    *pos = p;
    return CRM_OK;
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                     */
/* ------------------------------------------------------------------------ */

static const char *const default_na[] = {"NA", "N/A", "null", "NULL", "NaN"};

static crm_status setup_na(csv_ctx *c, const crm_csv_options *o)
{
    size_t nd = o->keep_default_na ? sizeof default_na / sizeof *default_na : 0;
    size_t nu = (size_t)o->n_na_values;
    c->na = crm__malloc_array(nd + nu, sizeof *c->na);
    c->na_len = crm__malloc_array(nd + nu, sizeof *c->na_len);
    if (!c->na || !c->na_len)
        return crm__nomem();
    for (size_t i = 0; i < nd + nu; i++) {
        const char *s = i < nd ? default_na[i] : o->na_values[i - nd];
        size_t len = strlen(s);
        c->na[i] = s;
        c->na_len[i] = len;
        unsigned char b0 = (unsigned char)s[0];
        c->na_first[b0 >> 6] |= (uint64_t)1 << (b0 & 63);
        if (len < 64)
            c->na_mask |= (uint64_t)1 << len;
        else
            c->na_long = 1;
    }
    c->n_na = nd + nu;
    return CRM_OK;
}

/* The reader's checks beyond crm__csv_options_check(). */
static crm_status check_options(const crm_csv_options *o)
{
    crm_status st = crm__csv_options_check(o, 0);
    if (st)
        return st;
    if (o->n_types < 0 || (o->n_types > 0 && !o->types))
        return crm__error(CRM_E_INVALID, "crm_csv_options: types is NULL or n_types < 0");
    for (int64_t i = 0; i < o->n_types; i++)
        if (!o->types[i])
            return crm__error(CRM_E_INVALID, "crm_csv_options: types[%lld] is NULL", (long long)i);
    if (o->max_rows < 0)
        return crm__error(CRM_E_INVALID, "crm_csv_options: max_rows is negative (%lld)",
                          (long long)o->max_rows);
    return CRM_OK;
}

/* Delimiter among , ; TAB | that occurs most often (outside quotes) in the
 * line at pos; ties go to the earlier in that list, except that with a
 * decimal comma a ';' present beats ','. ',' when none occurs. */
static char detect_delimiter(const csv_ctx *c, size_t pos, int decimal_comma)
{
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t cnt[4] = {0, 0, 0, 0};
    int inq = 0;
    for (size_t i = pos; i < c->n; i++) {
        char ch = c->b[i];
        if (c->quoting && ch == c->quote) {
            inq = !inq;
            continue;
        }
        if (inq)
            continue;
        if (ch == '\n' || ch == '\r')
            break;
        for (int k = 0; k < 4; k++)
            cnt[k] += ch == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (cnt[k] > cnt[best])
            best = k;
    if (decimal_comma && best == 0 && cnt[1] > 0)
        best = 1;
    return cnt[best] ? cand[best] : ',';
}

/* First NUL or invalid UTF-8 byte at or after i, or n. */
static size_t next_bad(const char *b, size_t i, size_t n, int *is_nul)
{
    const char *z = i < n ? memchr(b + i, 0, n - i) : NULL;
    size_t lim = z ? (size_t)(z - b) : n;
    size_t u = i + crm__utf8_first_invalid(b + i, lim - i);
    *is_nul = u == lim && z != NULL;
    return u;
}

/* Lenient mode: copy of the input with each NUL or invalid byte replaced by
 * U+FFFD. */
static crm_status repair_utf8(const char *b, size_t n, size_t first, char **out, size_t *outlen)
{
    int nul;
    size_t nbad = 0;
    for (size_t i = first; i < n; i = next_bad(b, i + 1, n, &nul))
        nbad++;
    if (nbad > (SIZE_MAX - n - 1) / 2)
        return crm__nomem();
    char *d = crm__malloc(n + 2 * nbad + 1);
    if (!d)
        return crm__nomem();
    size_t k = 0, i = 0;
    while (i < n) {
        size_t bad = next_bad(b, i, n, &nul);
        memcpy(d + k, b + i, bad - i);
        k += bad - i;
        if (bad >= n)
            break;
        memcpy(d + k, "\xEF\xBF\xBD", 3);
        k += 3;
        i = bad + 1;
    }
    d[k] = '\0';
    *out = d;
    *outlen = k;
    return CRM_OK;
}

/* Column names from the header row at *pos (advanced past it), or V1.. from
 * the width of the first row (pos unchanged). */
static crm_status read_header(csv_ctx *c, size_t *pos)
{
    size_t cap = 16, k = 0;
    uint64_t *fo = crm__malloc_array(cap, sizeof *fo);
    uint32_t *fl = crm__malloc_array(cap, sizeof *fl);
    crm_status st = CRM_OK;
    size_t p = *pos;
    if (!fo || !fl) {
        st = crm__nomem();
        goto done;
    }
    for (;;) {
        if (k == cap) {
            uint64_t *nfo = crm__realloc_array(fo, cap * 2, sizeof *fo);
            if (!nfo) {
                st = crm__nomem();
                goto done;
            }
            fo = nfo;
            uint32_t *nfl = crm__realloc_array(fl, cap * 2, sizeof *fl);
            if (!nfl) {
                st = crm__nomem();
                goto done;
            }
            fl = nfl;
            cap *= 2;
        }
        int t = scan_field(c, &p, &fo[k], &fl[k]);
        if (t < 0) {
            st = tok_error(c, t, p, k + 1);
            goto done;
        }
        k++;
        if (t != TOK_DELIM)
            break;
    }
    if (p > c->bad_off) {
        st = bad_byte_error(c, field_holding(fo, fl, k, c->bad_off));
        goto done;
    }
    c->ncols = k;
    c->names = crm__calloc(k, sizeof *c->names);
    c->cols = crm__calloc(k, sizeof *c->cols);
    if (!c->names || !c->cols) {
        st = crm__nomem();
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        char tmp[40];
        const char *s;
        size_t len;
        if (!c->header) {
            len = (size_t)snprintf(tmp, sizeof tmp, "V%zu", i + 1);
            s = tmp;
        } else if (fo[i] & F_ESCAPED) {
            if ((st = unescape(c, c->b + (fo[i] & F_OFF), fl[i], &s, &len)))
                goto done;
        } else {
            s = c->b + (fo[i] & F_OFF);
            len = fl[i];
        }
        if (len == 0) {
            len = (size_t)snprintf(tmp, sizeof tmp, "Unnamed: %zu", i);
            s = tmp;
        }
        if (!(c->names[i] = crm__strndup(s, len))) {
            st = crm__nomem();
            goto done;
        }
    }
    /* Duplicate names, found through a dictionary of the names. */
    crm__dict *seen = NULL;
    if ((st = crm__dict_new(&seen)))
        goto done;
    for (size_t i = 0; i < k; i++) {
        int32_t code;
        size_t before = seen->n;
        if ((st = crm__dict_intern(seen, c->names[i], strlen(c->names[i]), &code)))
            break;
        if (seen->n == before) {
            char ex[80];
            st = perr(c, (size_t)(fo[i] & F_OFF), i + 1,
                      "duplicate column name \"%s\" (columns %d and %zu)",
                      excerpt(c->names[i], strlen(c->names[i]), ex, sizeof ex), code + 1, i + 1);
            break;
        }
    }
    crm__dict_release(seen);
    if (st)
        goto done;
    if (c->header)
        *pos = p;
done:
    crm__free(fo);
    crm__free(fl);
    return st;
}

static crm_status apply_types(csv_ctx *c, const crm_csv_options *o)
{
    for (size_t j = 0; j < c->ncols; j++)
        c->cols[j].type = CRM_TYPE_NUMBER;
    for (int64_t i = 0; i < o->n_types; i++) {
        const char *e = o->types[i];
        const char *colon = strrchr(e, ':');
        if (!colon)
            return crm__error(CRM_E_INVALID,
                              "type override \"%s\" is not of the form NAME:number|text|time", e);
        int32_t type;
        if (strcmp(colon + 1, "number") == 0)
            type = CRM_TYPE_NUMBER;
        else if (strcmp(colon + 1, "text") == 0)
            type = CRM_TYPE_TEXT;
        else if (strcmp(colon + 1, "time") == 0)
            type = CRM_TYPE_TIME;
        else
            return crm__error(CRM_E_INVALID,
                              "type override \"%s\": unknown type \"%s\" (use number, text or "
                              "time)",
                              e, colon + 1);
        size_t nlen = (size_t)(colon - e), j = 0;
        while (j < c->ncols && !(strlen(c->names[j]) == nlen && memcmp(c->names[j], e, nlen) == 0))
            j++;
        if (j == c->ncols)
            return crm__error(CRM_E_INVALID, "type override \"%s\": no column named \"%.*s\"", e,
                              (int)nlen, e);
        c->cols[j].type = type;
        c->cols[j].forced = 1;
    }
    return CRM_OK;
}

static void ctx_free(csv_ctx *c)
{
    for (size_t j = 0; j < c->ncols; j++) {
        if (c->names)
            crm__free(c->names[j]);
        if (c->cols) {
            crm__free(c->cols[j].data);
            crm__free(c->cols[j].tcache);
            crm__free(c->cols[j].koff);
            crm__free(c->cols[j].klen);
            crm__dict_release(c->cols[j].dict);
        }
    }
    crm__free(c->names);
    crm__free(c->cols);
    crm__free(c->bfoff);
    crm__free(c->bflen);
    crm__free(c->na);
    crm__free(c->na_len);
    crm__buf_free(&c->scratch);
}

static crm_status build_dataset(csv_ctx *c, crm_dataset **out)
{
    crm_dataset *ds = NULL;
    crm_status st = crm_dataset_new(&ds);
    if (st)
        return st;
    for (size_t j = 0; j < c->ncols; j++) {
        csv_col *col = &c->cols[j];
        if (col->type == CRM_TYPE_TEXT && !col->dict && (st = crm__dict_new(&col->dict)))
            break;
        if (c->nrows < c->cap) {
            void *d = crm__realloc_array(col->data, c->nrows ? c->nrows : 1,
                                         crm__type_size(col->type));
            if (!d) {
                st = crm__nomem();
                break;
            }
            col->data = d;
        }
        if ((st = crm__dataset_add_owned(ds, c->names[j], col->type, col->data, col->dict,
                                         c->nrows)))
            break;
        col->data = NULL;
        col->dict = NULL;
    }
    if (st) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

static crm_status parse_csv(csv_ctx *c, const crm_csv_options *o, crm_dataset **out)
{
    crm_status st;
    size_t pos = 0;
    if (c->n >= 3 && memcmp(c->b, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    skip_blank_lines(c, &pos);
    if (pos >= c->n)
        return perr(c, pos, 1, "empty file (no header line and no data)");
    c->quoting = o->quote != 0;
    c->quote = (char)o->quote;
    c->delim = o->delimiter ? (char)o->delimiter : detect_delimiter(c, pos, o->decimal_comma);
    if ((st = read_header(c, &pos)) || (st = apply_types(c, o)))
        return st;
    /* Block table: about 2^18 fields, never more rows than the input can hold
     * (a row takes at least 2 bytes), nor than max_rows. */
    size_t brows = ((size_t)1 << 18) / c->ncols;
    if (brows > CSV_BLOCK_ROWS)
        brows = CSV_BLOCK_ROWS;
    if (brows < 16)
        brows = 16;
    if (brows > (c->n - pos) / 2 + 1)
        brows = (c->n - pos) / 2 + 1;
    if (brows > c->max_rows)
        brows = c->max_rows;
    if (!(c->bfoff = crm__malloc_array(brows * c->ncols, sizeof *c->bfoff)) ||
        !(c->bflen = crm__malloc_array(brows * c->ncols, sizeof *c->bflen)))
        return crm__nomem();
    if ((st = grow_rows(c, brows)))
        return st;
    size_t data_start = pos;
    int estimated = 0;
    while (pos < c->n && c->nrows < c->max_rows) {
        size_t want = c->max_rows - c->nrows;
        if (want > brows)
            want = brows;
        if ((st = tokenize_rows(c, &pos, want)))
            return st;
        if (!estimated && c->nrows > 0 && pos < c->n) {
            /* Size the columns for the whole input from the first block. */
            estimated = 1;
            double per_row = (double)(pos - data_start) / (double)c->nrows;
            double est = (double)c->nrows + (double)(c->n - pos) / per_row * 1.02 + 16;
            if (est > (double)c->max_rows)
                est = (double)c->max_rows;
            if (est > (double)c->cap && est < (double)(SIZE_MAX / 64) &&
                (st = grow_rows(c, (size_t)est)))
                return st;
        }
        for (size_t j = 0; j < c->ncols; j++)
            if ((st = convert_block(c, j)))
                return st;
    }
    return build_dataset(c, out);
}

static crm_status read_csv(const char *file, const char *buf, size_t len,
                           const crm_csv_options *user, crm_dataset **out)
{
    crm_csv_options o;
    crm_status st = crm__csv_options_load(&o, user);
    if (st || (st = check_options(&o)))
        return st;
    csv_ctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    c.b = buf;
    c.n = len;
    c.decimal = o.decimal_comma ? ',' : '.';
    c.strict = o.strict != 0;
    c.header = o.header != 0;
    c.date_format = o.date_format;
    c.max_rows = o.max_rows > 0 ? (size_t)o.max_rows : SIZE_MAX;
    c.bad_off = SIZE_MAX;
    char *repaired = NULL;
    int nul;
    size_t bad = next_bad(buf, 0, len, &nul);
    if (bad < len) {
        if (c.strict) {
            c.bad_off = bad;
            c.bad_nul = nul;
        } else {
            size_t rlen = 0;
            if ((st = repair_utf8(buf, len, bad, &repaired, &rlen)))
                return st;
            c.b = repaired;
            c.n = rlen;
        }
    }
    if (!(st = setup_na(&c, &o)))
        st = parse_csv(&c, &o, out);
    ctx_free(&c);
    crm__free(repaired);
    return st;
}

crm_status crm_dataset_read_csv(const char *path, const crm_csv_options *opts, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv: NULL argument");
    char *buf;
    size_t len;
    crm_status st = crm__read_file(path, &buf, &len);
    if (st)
        return st;
    st = read_csv(path, buf, len, opts, out);
    crm__free(buf);
    return st;
}

crm_status crm_dataset_read_csv_mem(const char *buf, size_t len, const crm_csv_options *opts,
                                    crm_dataset **out)
{
    static const char name[] = "<memory>";
    if (out)
        *out = NULL;
    if (!out || (!buf && len > 0))
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv_mem: NULL argument");
    if (!buf)
        buf = "";
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 2 && u[0] == 0x1f && u[1] == 0x8b) {
        char *plain;
        size_t plen;
        crm_status st = crm__gunzip(u, len, name, &plain, &plen);
        if (st)
            return st;
        st = read_csv(name, plain, plen, opts, out);
        crm__free(plain);
        return st;
    }
    return read_csv(name, buf, len, opts, out);
}
