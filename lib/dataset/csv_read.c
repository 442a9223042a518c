/* CSV reader: RFC 4180 tokenizer, per-column type inference and materialisation.
 *
 * Design. The text streams through a window of CSV_WINDOW bytes filled from a
 * chunk source (fileio.c: plain or gzip, file or memory); the window grows only
 * to hold the longest record and shrinks back after it. Rows are tokenized in
 * runs into a row-major field table (per field: 64-bit window offset whose two
 * top bits flag a quoted field and a field that needs unescaping, and a 32-bit
 * length); right after a run is tokenized, while its bytes are still in cache,
 * every column converts the run's cells according to its current type guess
 * (number, then time, then text). No allocation is made per cell.
 *
 * A record that reaches the window's end is tokenized again once the window
 * has moved on: the bytes before it are dropped (their line count is kept for
 * messages) and the rest of the text is read in behind it. The table holds the
 * rows of the current window, within a budget of TABLE_FIELDS fields.
 *
 * Type changes. When a cell does not fit a column's guess, the column moves to
 * the next type and converts again from row 0 out of the table - when the
 * table still holds every row since row 0. When earlier rows are gone, the
 * column's values are dropped and its cells are only checked for the rest of
 * the pass (it may move on to text); at the end of the pass the read starts
 * over from the first byte (the source is rewound) with every column's type
 * fixed at what the pass found. Converting from row 0 with the final type is
 * what the in-memory design did, so results are the same; each restart
 * strictly generalises at least one column (number -> time -> text), so there
 * are at most two, and files whose columns settle in the first window need
 * none. Input that cannot be read twice (a pipe) is kept in the window as a
 * whole, and a restart parses it again from memory.
 *
 * Errors come in the order of a reader that tokenizes blocks of CSV_BLOCK_ROWS
 * rows (fewer for wide files) and then converts the block column by column: a
 * cell that does not fit a forced type is reported once its block is
 * tokenized without error, and the first column with such a cell wins. Text
 * cells are interned into the column's dictionary in row order, so codes
 * follow first appearance. */
#include "dataset/csv_internal.h"

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

/* Rows of a block (see "Errors" above). */
#define CSV_BLOCK_ROWS 4096
/* Default window size in bytes. */
#define CSV_WINDOW ((size_t)1 << 21)
/* Fields the table holds at most (unless one row has more). */
#define TABLE_FIELDS ((size_t)1 << 20)
/* parse_pass(): the pass must be repeated with the types it found. */
#define CSV_RESTART 1

enum { FAM_NONE = 0, FAM_ISO = 1, FAM_US = 2, FAM_FORMAT = 3 };
enum { TOK_DELIM = 0, TOK_EOL = 1, TOK_EOF = 2, TOK_UNBALANCED = -1, TOK_AFTER_QUOTE = -2,
       TOK_TOO_LONG = -3 };

/* Per-column memo of the last ISO date part (rows often share a date). */
typedef crm__date_memo date_memo;

typedef struct csv_col {
    int32_t type;  /* current guess, or the forced type */
    int forced;    /* 1 when opts->types fixed the type */
    int skip;      /* not in opts->usecols: split off each row, never converted */
    int checking;  /* earlier rows are gone: cells are only checked (data is NULL) */
    int family;    /* time columns: FAM_* of the cells seen so far */
    void *data;    /* cap elements of the type */
    crm__dict *dict;
    const char *last_s; /* previous interned cell (in the window), for runs */
    size_t last_len;
    int32_t last_code;
    uint64_t *tcache; /* text: direct-mapped cache of recent codes (code << 32 | length) */
    date_memo dm;     /* time: the last ISO date part seen */
} csv_col;

typedef struct csv_ctx {
    const char *file; /* name used in messages */
    const char *b;    /* the window: bytes [0, n) of the text */
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
    /* first NUL or invalid UTF-8 byte (strict mode; window offset), or SIZE_MAX */
    size_t bad_off;
    int bad_nul;
    /* window */
    crm__src *src;  /* NULL: the caller's buffer is the whole text */
    char *wbuf;     /* the window when it is ours (b == wbuf) */
    size_t wcap;    /* bytes allocated at wbuf */
    size_t winit;   /* the window's normal size */
    int eof;        /* no text follows b[n - 1] */
    int keep_all;   /* the source cannot be rewound: bytes are never dropped */
    size_t lines;   /* newline count of the dropped bytes (see line_of) */
    int prev_cr;    /* the last dropped byte is '\r' */
    uint64_t dropped; /* bytes dropped before b[0] */
    size_t checked; /* bytes [0, checked) were checked for NUL and invalid UTF-8 */
    /* columns */
    size_t ncols;
    char **names;
    crm__dict *name_dict; /* code of a name = its column */
    csv_col *cols;
    /* field table: rows krow0 .. nrows-1, row-major */
    uint64_t *tfo;
    uint32_t *tfl;
    size_t trows;     /* rows it has room for */
    size_t krow0;     /* row in its first slot: earlier rows are gone */
    size_t b0;        /* first row of the run being converted */
    size_t nrows;     /* rows tokenized so far */
    size_t cap;       /* rows the columns have room for */
    int64_t *chk;     /* values of checked cells (thrown away), trows of them */
    /* a cell that does not fit a forced type, reported at the end of its block */
    size_t pend_col;  /* its column, or SIZE_MAX */
    crm_status pend_st;
    int any_checking;
    int32_t *start_type; /* restart: type of each column from the first row */
    size_t start_ncols;
    crm__buf scratch;
} csv_ctx;

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/* Line ends in [b, b + n): each '\r' and each '\n' not right after a '\r'
 * (prev_cr: the byte before b is '\r'). */
static size_t count_lines(const char *b, size_t n, int prev_cr)
{
    if (n == 0)
        return 0;
    size_t cr = b[0] == '\r', lf = b[0] == '\n', pairs = prev_cr && b[0] == '\n';
    size_t i = 1;
#if defined(__SSE2__)
    const __m128i vcr = _mm_set1_epi8('\r');
    const __m128i vlf = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        /* byte counters, summed before they can wrap (255 rounds) */
        __m128i acr = zero, alf = zero, apr = zero;
        size_t lim = n - i > 255 * 16 ? i + 255 * 16 : n;
        for (; i + 16 <= lim; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
            __m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + i - 1));
            __m128i l = _mm_cmpeq_epi8(x, vlf);
            acr = _mm_sub_epi8(acr, _mm_cmpeq_epi8(x, vcr));
            alf = _mm_sub_epi8(alf, l);
            apr = _mm_sub_epi8(apr, _mm_and_si128(l, _mm_cmpeq_epi8(y, vcr)));
        }
        __m128i s;
        s = _mm_sad_epu8(acr, zero);
        cr += (size_t)_mm_cvtsi128_si32(s) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
        s = _mm_sad_epu8(alf, zero);
        lf += (size_t)_mm_cvtsi128_si32(s) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
        s = _mm_sad_epu8(apr, zero);
        pairs += (size_t)_mm_cvtsi128_si32(s) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
    }
#endif
    for (; i < n; i++) {
        cr += b[i] == '\r';
        lf += b[i] == '\n';
        pairs += b[i] == '\n' && b[i - 1] == '\r';
    }
    return cr + lf - pairs;
}

/* 1-based physical line holding window byte `off` (line ends: LF, CRLF, lone
 * CR): the line ends before it, where a '\r' right before off counts only
 * when off does not hold its '\n'. */
static size_t line_of(const csv_ctx *c, size_t off)
{
    size_t k = off < c->n ? off : c->n;
    size_t line = 1 + c->lines + count_lines(c->b, k, c->prev_cr);
    int cr_before = k > 0 ? c->b[k - 1] == '\r' : c->prev_cr;
    if (k < c->n && c->b[k] == '\n' && cr_before)
        line--;
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

/* Convert m cells f into v as numbers; *bad = index of the first cell that is
 * not a number, or SIZE_MAX. */
static crm_status conv_number(csv_ctx *c, fields f, double *v, size_t m, size_t *bad)
{
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

static crm_status conv_time(csv_ctx *c, csv_col *col, fields f, int64_t *v, size_t m, size_t *bad)
{
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

static crm_status conv_text(csv_ctx *c, csv_col *col, fields f, int32_t *v, size_t m)
{
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
        /* remember only cells that live in the window (not in the scratch buffer) */
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

/* Convert m cells f of column j into dst in the column's current type; *bad
 * as in conv_number. */
static crm_status convert_run(csv_ctx *c, size_t j, fields f, void *dst, size_t m, size_t *bad)
{
    csv_col *col = &c->cols[j];
    *bad = SIZE_MAX;
    switch (col->type) {
    case CRM_TYPE_NUMBER:
        return conv_number(c, f, dst, m, bad);
    case CRM_TYPE_TIME:
        return conv_time(c, col, f, dst, m, bad);
    default:
        return conv_text(c, col, f, dst, m);
    }
}

static void *col_at(const csv_col *col, size_t row)
{
    return (char *)col->data + row * crm__type_size(col->type);
}

static void next_type(csv_col *col)
{
    col->type = col->type == CRM_TYPE_NUMBER ? CRM_TYPE_TIME : CRM_TYPE_TEXT;
    col->family = FAM_NONE;
    col->dm.valid = 0;
}

/* Check m cells f of column j against its type, moving it on (to text at the
 * latest) while a cell does not fit; the values are thrown away. */
static crm_status check_rows(csv_ctx *c, size_t j, fields f, size_t m)
{
    csv_col *col = &c->cols[j];
    if (!c->chk && !(c->chk = crm__malloc_array(c->trows, sizeof *c->chk)))
        return crm__nomem();
    size_t done = 0;
    while (done < m && col->type != CRM_TYPE_TEXT) {
        fields g = {f.fo + done * f.stride, f.fl + done * f.stride, f.stride};
        size_t bad;
        crm_status st = convert_run(c, j, g, c->chk, m - done, &bad);
        if (st || bad == SIZE_MAX)
            return st;
        next_type(col);
        done += bad;
    }
    return CRM_OK;
}

/* Convert the run of rows b0 .. nrows-1 of column j (fields in the table).
 * When a cell does not fit, the column moves to a more general type and
 * every row so far is converted again out of the table, or, when the table no
 * longer holds row 0, the column goes over to checking (see the top). A cell
 * that does not fit a forced type becomes the pending error of the block. */
static crm_status convert_block(csv_ctx *c, size_t j)
{
    csv_col *col = &c->cols[j];
    if (col->skip)
        return CRM_OK;
    if (c->pend_col != SIZE_MAX && (j >= c->pend_col || !col->forced))
        return CRM_OK; /* only an earlier forced column can change the block's error */
    size_t nc = c->ncols, b0 = c->b0, m = c->nrows - c->b0;
    size_t t0 = b0 - c->krow0;
    fields blk = {c->tfo + t0 * nc + j, c->tfl + t0 * nc + j, nc};
    if (col->checking)
        return check_rows(c, j, blk, m);
    size_t bad;
    crm_status st = convert_run(c, j, blk, col_at(col, b0), m, &bad);
    while (!st && bad != SIZE_MAX) {
        if (col->forced) {
            st = mismatch_error(c, j, blk.fo[bad * nc], blk.fl[bad * nc]);
            if (st == CRM_E_NOMEM)
                return st;
            c->pend_col = j;
            c->pend_st = st;
            return CRM_OK;
        }
        next_type(col);
        fields kept = {c->tfo + j, c->tfl + j, nc}; /* rows krow0 .. */
        if (c->krow0 > 0) {
            crm__free(col->data);
            col->data = NULL;
            col->checking = 1;
            c->any_checking = 1;
            return check_rows(c, j, kept, c->nrows - c->krow0);
        }
        void *d = crm__malloc_array(c->cap, crm__type_size(col->type));
        if (!d)
            return crm__nomem();
        crm__free(col->data);
        col->data = d;
        st = convert_run(c, j, kept, d, b0, &bad);
        if (!st && bad == SIZE_MAX)
            st = convert_run(c, j, blk, col_at(col, b0), m, &bad);
    }
    return st;
}

/* Give every column room for `cap` rows. */
static crm_status grow_rows(csv_ctx *c, size_t cap)
{
    if (cap <= c->cap)
        return CRM_OK;
    for (size_t j = 0; j < c->ncols; j++) {
        csv_col *col = &c->cols[j];
        if (col->checking || col->skip)
            continue;
        void *d = crm__realloc_array(col->data, cap, crm__type_size(col->type));
        if (!d)
            return crm__nomem();
        col->data = d;
    }
    c->cap = cap;
    return CRM_OK;
}

/* ------------------------------------------------------------------------ */
/* Window                                                                    */
/* ------------------------------------------------------------------------ */

/* First NUL or invalid UTF-8 byte at or after i, or n. */
static size_t next_bad(const char *b, size_t i, size_t n, int *is_nul)
{
    const char *z = i < n ? memchr(b + i, 0, n - i) : NULL;
    size_t lim = z ? (size_t)(z - b) : n;
    size_t u = i + crm__utf8_first_invalid(b + i, lim - i);
    *is_nul = u == lim && z != NULL;
    return u;
}

/* End of the bytes that can be checked now: a character whose bytes are not
 * all in [from, n) yet waits for the next ones. */
static size_t check_end(const char *b, size_t from, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n - from; k++) {
        unsigned char ch = (unsigned char)b[n - k];
        if ((ch & 0xC0) == 0x80)
            continue;
        size_t need = ch >= 0xF0 && ch <= 0xF4 ? 4 : ch >= 0xE0 && ch <= 0xEF ? 3
                                                  : ch >= 0xC2 && ch <= 0xDF ? 2
                                                                             : 1;
        return need > k ? n - k : n;
    }
    return n;
}

/* The text cells remembered by text columns point into the window: forget
 * them when its bytes move. */
static void forget_cells(csv_ctx *c)
{
    for (size_t j = 0; j < c->ncols; j++)
        c->cols[j].last_s = NULL;
}

/* Make the window ours with room for `need` bytes. */
static crm_status win_reserve(csv_ctx *c, size_t need)
{
    if (c->wbuf && need <= c->wcap)
        return CRM_OK;
    char *w = crm__realloc(c->wbuf, need ? need : 1);
    if (!w)
        return crm__nomem();
    if (!c->wbuf && c->n)
        memcpy(w, c->b, c->n); /* the caller's buffer, to be modified */
    c->wbuf = w;
    c->wcap = need ? need : 1;
    c->b = w;
    forget_cells(c);
    return CRM_OK;
}

/* Lenient mode: replace each NUL or invalid byte of [first, end) (first is
 * one) by U+FFFD, moving the bytes after end along. *end moves too. */
static crm_status repair_range(csv_ctx *c, size_t first, size_t *end)
{
    int nul;
    size_t e = *end, nbad = 0;
    for (size_t i = first; i < e; i = next_bad(c->b, i + 1, e, &nul))
        nbad++;
    if (nbad > (SIZE_MAX - c->n - 1) / 2)
        return crm__nomem();
    size_t len = e - first;
    char *tmp = crm__malloc(len);
    if (!tmp)
        return crm__nomem();
    memcpy(tmp, c->b + first, len);
    crm_status st = win_reserve(c, c->n + 2 * nbad);
    if (st) {
        crm__free(tmp);
        return st;
    }
    memmove(c->wbuf + e + 2 * nbad, c->wbuf + e, c->n - e);
    size_t k = first, i = 0;
    while (i < len) {
        size_t bad = next_bad(tmp, i, len, &nul);
        memcpy(c->wbuf + k, tmp + i, bad - i);
        k += bad - i;
        if (bad >= len)
            break;
        memcpy(c->wbuf + k, "\xEF\xBF\xBD", 3);
        k += 3;
        i = bad + 1;
    }
    crm__free(tmp);
    c->n += 2 * nbad;
    *end = e + 2 * nbad;
    return CRM_OK;
}

/* Check the window's new bytes for NUL and invalid UTF-8: strict mode notes
 * the first one (reported with the row that holds it), lenient mode replaces
 * each by U+FFFD. */
static crm_status check_text(csv_ctx *c)
{
    size_t end = c->eof ? c->n : check_end(c->b, c->checked, c->n);
    if (c->checked >= end)
        return CRM_OK;
    if (c->strict) {
        if (c->bad_off == SIZE_MAX) {
            int nul;
            size_t bad = next_bad(c->b, c->checked, end, &nul);
            if (bad < end) {
                c->bad_off = bad;
                c->bad_nul = nul;
            }
        }
        c->checked = end;
        return CRM_OK;
    }
    int nul;
    size_t bad = next_bad(c->b, c->checked, end, &nul);
    if (bad < end) {
        crm_status st = repair_range(c, bad, &end);
        if (st)
            return st;
    }
    c->checked = end;
    return CRM_OK;
}

/* Read from the source until the window is full, the text ends, or a read
 * comes back short (at a limit: the next read, made only when the text is
 * needed, reports it). */
static crm_status win_fill(csv_ctx *c)
{
    while (c->n < c->wcap && !c->eof) {
        size_t got, want = c->wcap - c->n;
        crm_status st = crm__src_next(c->src, c->wbuf + c->n, want, &got);
        if (st)
            return st;
        if (got == 0)
            c->eof = 1;
        c->n += got;
        if (got < want)
            break;
    }
    return check_text(c);
}

/* The text at *pos needs bytes past the window's end: drop the bytes before
 * it (*pos becomes 0; rows in the table are given up), make room (doubling
 * when more than half the window is still in use, back to the normal size
 * once a long record is gone) and read on. Only called before the end of the
 * text. */
static crm_status win_advance(csv_ctx *c, size_t *pos)
{
    size_t keep = c->keep_all ? 0 : *pos;
    if (keep > 0) {
        c->lines += count_lines(c->b, keep, c->prev_cr);
        c->prev_cr = c->b[keep - 1] == '\r';
        memmove(c->wbuf, c->wbuf + keep, c->n - keep);
        c->n -= keep;
        c->checked = c->checked > keep ? c->checked - keep : 0;
        c->dropped += keep;
        if (c->bad_off != SIZE_MAX)
            c->bad_off = c->bad_off > keep ? c->bad_off - keep : 0;
        c->krow0 = c->nrows;
        *pos -= keep;
        forget_cells(c);
    }
    size_t want = c->wcap;
    if (c->n > c->wcap / 2) {
        if (c->wcap > SIZE_MAX / 2)
            return crm__nomem();
        want = c->wcap * 2;
    } else if (c->wcap > c->winit && c->n <= c->winit / 2) {
        want = c->winit;
    }
    if (want != c->wcap) {
        char *w = crm__realloc(c->wbuf, want);
        if (!w)
            return crm__nomem();
        c->wbuf = w;
        c->b = w;
        c->wcap = want;
        forget_cells(c);
    }
    return win_fill(c);
}

/* Room in the table for up to `want` more rows: when it is full, its rows are
 * given up (earlier rows are gone from then on). */
static size_t table_room(csv_ctx *c, size_t want)
{
    if (c->nrows - c->krow0 == c->trows)
        c->krow0 = c->nrows;
    size_t room = c->trows - (c->nrows - c->krow0);
    return want < room ? want : room;
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                      */
/* ------------------------------------------------------------------------ */

/* The row ending before p (k fields ro/rl) holds the first NUL or invalid
 * byte: the error, unless the byte is in a column that is not read
 * (usecols); then the next such byte checked so far is looked at. */
static crm_status bad_byte_in_row(csv_ctx *c, size_t p, const uint64_t *ro, const uint32_t *rl,
                                  size_t k)
{
    size_t nf = k < c->ncols ? k : c->ncols;
    while (p > c->bad_off) {
        size_t f = field_holding(ro, rl, nf, c->bad_off);
        if (!c->cols[f - 1].skip)
            return bad_byte_error(c, f);
        int nul;
        size_t next = next_bad(c->b, c->bad_off + 1, c->checked, &nul);
        c->bad_off = next < c->checked ? next : SIZE_MAX;
        c->bad_nul = nul;
    }
    return CRM_OK;
}

/* Tokenize up to `want` data rows (the table has room) at *pos; they become
 * rows b0 .. nrows-1. Stops early at the end of the text, or, setting *more,
 * at a row that reaches the window's end before the end of the text (*pos is
 * then its start, or the window's end after blank lines). */
static crm_status tokenize_rows(csv_ctx *c, size_t *pos, size_t want, int *more)
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
    *more = 0;
    uint64_t *tfo = c->tfo + (c->nrows - c->krow0) * nc;
    uint32_t *tfl = c->tfl + (c->nrows - c->krow0) * nc;
    for (size_t row = 0; row < want; row++) {
        while (p < n && (b[p] == '\n' || b[p] == '\r')) /* empty lines */
            p++;
        if (p >= n) {
            *more = !c->eof;
            break;
        }
        if (c->nrows == c->cap && (st = grow_rows(c, c->cap * 2)))
            return st;
        uint64_t *ro = tfo + row * nc;
        uint32_t *rl = tfl + row * nc;
        size_t rstart = p, k = 0;
        int cut = 0;
        for (;;) {
            size_t fstart = p, q;
            uint64_t fo;
            uint32_t fl;
            if (quoting && p < n && b[p] == quote) {
                int t = scan_quoted(c, &p, &fo, &fl);
                if (CRM__UNLIKELY(t < 0)) {
                    if (t == TOK_UNBALANCED && !c->eof) {
                        cut = 1;
                        break;
                    }
                    return tok_error(c, t, p, k + 1);
                }
                q = p;
            } else {
                q = next_special(c, &sc, p);
                if (CRM__UNLIKELY(q - p > UINT32_MAX))
                    return tok_error(c, TOK_TOO_LONG, p, k + 1);
                fo = (uint64_t)p;
                fl = (uint32_t)(q - p);
            }
            if (CRM__UNLIKELY(q >= n && !c->eof)) {
                /* the field may go on past the window (even a closing quote
                 * there may be the first of a doubled one) */
                cut = 1;
                break;
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
            /* a '\r' at the window's end ends the row too: a '\n' after it
             * would be skipped as an empty line */
            p = q + ((b[q] == '\r' && q + 1 < n && b[q + 1] == '\n') ? 2 : 1);
            break;
        }
        if (CRM__UNLIKELY(cut)) {
            /* the row goes on past the window: tokenize it again later */
            p = rstart;
            *more = 1;
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
        if (CRM__UNLIKELY(p > c->bad_off) && (st = bad_byte_in_row(c, p, ro, rl, k)))
            return st;
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
    if (o->max_bytes < 0)
        return crm__error(CRM_E_INVALID, "crm_csv_options: max_bytes is negative (%lld)",
                          (long long)o->max_bytes);
    if (o->n_usecols < 0 || (o->n_usecols > 0 && !o->usecols))
        return crm__error(CRM_E_INVALID, "crm_csv_options: usecols is NULL or n_usecols < 0");
    for (int64_t i = 0; i < o->n_usecols; i++)
        if (!o->usecols[i])
            return crm__error(CRM_E_INVALID, "crm_csv_options: usecols[%lld] is NULL",
                              (long long)i);
    return CRM_OK;
}

/* Delimiter among , ; TAB | that occurs most often (outside quotes) in the
 * line at pos; ties go to the earlier in that list, except that with a
 * decimal comma a ';' present beats ','. ',' when none occurs. *complete = 0
 * when the window ends before the line does (and more text follows). */
static char detect_delimiter(const csv_ctx *c, size_t pos, int decimal_comma, int *complete)
{
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t cnt[4] = {0, 0, 0, 0};
    int inq = 0;
    *complete = c->eof;
    for (size_t i = pos; i < c->n; i++) {
        char ch = c->b[i];
        if (c->quoting && ch == c->quote) {
            inq = !inq;
            continue;
        }
        if (inq)
            continue;
        if (ch == '\n' || ch == '\r') {
            *complete = 1;
            break;
        }
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
        int cut = 0;
        k = 0;
        p = *pos;
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
                if (t == TOK_UNBALANCED && !c->eof) {
                    cut = 1;
                    break;
                }
                st = tok_error(c, t, p, k + 1);
                goto done;
            }
            k++;
            if (t == TOK_EOF)
                cut = !c->eof;
            if (t != TOK_DELIM)
                break;
        }
        if (!cut)
            break;
        /* the row goes on past the window */
        if ((st = win_advance(c, pos)))
            goto done;
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
    /* Duplicate names, found through a dictionary of the names (kept to look
     * names up: the code of a name is its column). */
    if ((st = crm__dict_new(&c->name_dict)))
        goto done;
    for (size_t i = 0; i < k; i++) {
        int32_t code;
        size_t before = c->name_dict->n;
        if ((st = crm__dict_intern(c->name_dict, c->names[i], strlen(c->names[i]), &code)))
            goto done;
        if (c->name_dict->n == before) {
            char ex[80];
            st = perr(c, (size_t)(fo[i] & F_OFF), i + 1,
                      "duplicate column name \"%s\" (columns %d and %zu)",
                      excerpt(c->names[i], strlen(c->names[i]), ex, sizeof ex), code + 1, i + 1);
            goto done;
        }
    }
    if (c->header)
        *pos = p;
done:
    crm__free(fo);
    crm__free(fl);
    return st;
}

static crm_status apply_types(csv_ctx *c, const crm_csv_options *o)
{
    for (size_t j = 0; j < c->ncols; j++) {
        c->cols[j].type = CRM_TYPE_NUMBER;
        if (c->start_type && c->start_ncols == c->ncols)
            c->cols[j].type = c->start_type[j]; /* a restart: the types the last pass found */
    }
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
        size_t nlen = (size_t)(colon - e);
        int32_t j = crm__dict_find(c->name_dict, e, nlen);
        if (j < 0)
            return crm__error(CRM_E_INVALID, "type override \"%s\": no column named \"%.*s\"", e,
                              (int)nlen, e);
        c->cols[j].type = type;
        c->cols[j].forced = 1;
    }
    return CRM_OK;
}

/* Mark the columns that usecols leaves out (none without usecols). */
static crm_status apply_usecols(csv_ctx *c, const crm_csv_options *o)
{
    if (o->n_usecols == 0)
        return CRM_OK;
    for (size_t j = 0; j < c->ncols; j++)
        c->cols[j].skip = 1;
    for (int64_t i = 0; i < o->n_usecols; i++) {
        const char *name = o->usecols[i];
        int32_t j = crm__dict_find(c->name_dict, name, strlen(name));
        if (j < 0)
            return crm__error(CRM_E_NOTFOUND, "%s: usecols: no column named \"%s\"", c->file,
                              name);
        if (!c->cols[j].skip)
            return crm__error(CRM_E_INVALID, "crm_csv_options: usecols lists \"%s\" twice",
                              name);
        c->cols[j].skip = 0;
    }
    return CRM_OK;
}

/* Free what a pass built (names, columns); the window and the table stay. */
static void free_pass(csv_ctx *c)
{
    for (size_t j = 0; j < c->ncols; j++) {
        if (c->names)
            crm__free(c->names[j]);
        if (c->cols) {
            crm__free(c->cols[j].data);
            crm__free(c->cols[j].tcache);
            crm__dict_release(c->cols[j].dict);
        }
    }
    crm__free(c->names);
    crm__free(c->cols);
    crm__dict_release(c->name_dict);
    c->names = NULL;
    c->cols = NULL;
    c->name_dict = NULL;
    c->ncols = 0;
}

static void ctx_free(csv_ctx *c)
{
    free_pass(c);
    crm__free(c->tfo);
    crm__free(c->tfl);
    crm__free(c->chk);
    crm__free(c->start_type);
    crm__free(c->wbuf);
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
        if (col->skip)
            continue;
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

/* Size the field table for this pass: the rows of a window, at most
 * TABLE_FIELDS fields (but one row), no more rows than the text can hold when
 * all of it is in the window, nor than max_rows. */
static crm_status setup_table(csv_ctx *c, size_t pos)
{
    size_t nc = c->ncols;
    size_t rows = TABLE_FIELDS / nc;
    if (rows < 1)
        rows = 1;
    size_t fit = (c->eof ? c->n - pos : c->wcap) / 2 + 1;
    if (rows > fit)
        rows = fit;
    if (rows > c->max_rows)
        rows = c->max_rows;
    if (rows > c->trows || !c->tfo) {
        crm__free(c->tfo);
        crm__free(c->tfl);
        crm__free(c->chk);
        c->chk = NULL;
        c->tfl = NULL;
        c->trows = 0;
        if (!(c->tfo = crm__malloc_array(rows * nc, sizeof *c->tfo)) ||
            !(c->tfl = crm__malloc_array(rows * nc, sizeof *c->tfl)))
            return crm__nomem();
        c->trows = rows;
    }
    return CRM_OK;
}

/* One pass over the text: header, then the rows in blocks. Returns
 * CSV_RESTART when a column went over to checking (see the top). */
static crm_status parse_pass(csv_ctx *c, const crm_csv_options *o)
{
    crm_status st;
    size_t pos = 0;
    while (c->n < 3 && !c->eof)
        if ((st = win_advance(c, &pos)))
            return st;
    if (c->n >= 3 && memcmp(c->b, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    for (;;) {
        skip_blank_lines(c, &pos);
        if (pos < c->n || c->eof)
            break;
        if ((st = win_advance(c, &pos)))
            return st;
    }
    if (pos >= c->n)
        return perr(c, pos, 1, "empty file (no header line and no data)");
    c->quoting = o->quote != 0;
    c->quote = (char)o->quote;
    if (o->delimiter) {
        c->delim = (char)o->delimiter;
    } else {
        for (;;) {
            int complete;
            c->delim = detect_delimiter(c, pos, o->decimal_comma, &complete);
            if (complete)
                break;
            if ((st = win_advance(c, &pos)))
                return st;
        }
    }
    if ((st = read_header(c, &pos)) || (st = apply_types(c, o)) || (st = apply_usecols(c, o)) ||
        (st = setup_table(c, pos)))
        return st;
    /* Blocks of about 2^18 fields (see "Errors" at the top), never more rows
     * than max_rows; the runs tokenized at a time may be shorter. */
    size_t brows = ((size_t)1 << 18) / c->ncols;
    if (brows > CSV_BLOCK_ROWS)
        brows = CSV_BLOCK_ROWS;
    if (brows < 16)
        brows = 16;
    size_t cap0 = brows < c->trows ? brows : c->trows;
    if ((st = grow_rows(c, cap0)))
        return st;
    /* After the first run the columns are sized for the whole text, when its
     * size is known or can be estimated (gzip: from the compressed size). */
    int estimated = 0;
    uint64_t data_start = c->dropped + pos;
    int at_end = 0;
    while (!at_end && c->nrows < c->max_rows) {
        size_t left = c->max_rows - c->nrows;
        if (left > brows)
            left = brows;
        while (left > 0) {
            int more;
            if ((st = tokenize_rows(c, &pos, table_room(c, left), &more)))
                return st;
            size_t got = c->nrows - c->b0;
            left -= got;
            uint64_t done = c->dropped + pos;
            int64_t total = 0;
            if (!estimated && c->nrows > 0 &&
                (total = c->src ? crm__src_text_estimate(c->src) : (int64_t)c->n) >= 0 &&
                done < (uint64_t)total) {
                estimated = 1;
                double per_row = (double)(done - data_start) / (double)c->nrows;
                double est = (double)c->nrows + (double)((uint64_t)total - done) / per_row * 1.02 + 16;
                if (est > (double)c->max_rows)
                    est = (double)c->max_rows;
                if (est > (double)c->cap && est < (double)(SIZE_MAX / 64) &&
                    (st = grow_rows(c, (size_t)est)))
                    return st;
            }
            if (got > 0)
                for (size_t j = 0; j < c->ncols; j++)
                    if ((st = convert_block(c, j)))
                        return st;
            if (more) {
                if ((st = win_advance(c, &pos)))
                    return st;
            } else if (pos >= c->n && c->eof) {
                at_end = 1;
                break;
            }
        }
        if (c->pend_col != SIZE_MAX)
            return c->pend_st; /* its message is the last error set */
    }
    return c->any_checking ? CSV_RESTART : CRM_OK;
}

/* Back to the first byte of the text for another pass. */
static crm_status restart_text(csv_ctx *c)
{
    crm_status st;
    if (!c->src || c->keep_all)
        return CRM_OK; /* what the last pass read is all in the window */
    if ((st = crm__src_rewind(c->src)))
        return st;
    c->n = 0;
    c->eof = 0;
    c->lines = 0;
    c->prev_cr = 0;
    c->dropped = 0;
    c->checked = 0;
    c->bad_off = SIZE_MAX;
    c->bad_nul = 0;
    return win_fill(c);
}

static crm_status parse_text(csv_ctx *c, const crm_csv_options *o, crm_dataset **out)
{
    for (;;) {
        crm_status st = parse_pass(c, o);
        if (st != CSV_RESTART)
            return st ? st : build_dataset(c, out);
        /* Start over with the types this pass found. */
        if (!c->start_type &&
            !(c->start_type = crm__malloc_array(c->ncols, sizeof *c->start_type)))
            return crm__nomem();
        c->start_ncols = c->ncols;
        for (size_t j = 0; j < c->ncols; j++)
            c->start_type[j] = c->cols[j].type;
        free_pass(c);
        c->nrows = 0;
        c->cap = 0;
        c->krow0 = 0;
        c->b0 = 0;
        c->any_checking = 0;
        if ((st = restart_text(c)))
            return st;
    }
}

/* Read CSV text from src (streaming, with a window of `window` bytes), or,
 * when src is NULL, from the len bytes at buf. */
static crm_status read_csv(const char *file, crm__src *src, const char *buf, size_t len,
                           size_t window, const crm_csv_options *o, crm_dataset **out)
{
    csv_ctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    c.decimal = o->decimal_comma ? ',' : '.';
    c.strict = o->strict != 0;
    c.header = o->header != 0;
    c.date_format = o->date_format;
    c.max_rows = o->max_rows > 0 ? (size_t)o->max_rows : SIZE_MAX;
    c.bad_off = SIZE_MAX;
    c.pend_col = SIZE_MAX;
    crm_status st;
    if (src) {
        c.src = src;
        if (c.max_rows == SIZE_MAX)
            crm__src_allow_whole(src); /* the whole text is read anyway */
        c.keep_all = !crm__src_rewindable(src);
        c.winit = window ? window : CSV_WINDOW;
        if (!(st = win_reserve(&c, c.winit)))
            st = win_fill(&c);
    } else {
        c.b = buf;
        c.n = len;
        c.eof = 1;
        st = check_text(&c);
    }
    if (!st && !(st = setup_na(&c, o)))
        st = parse_text(&c, o, out);
    ctx_free(&c);
    return st;
}

/* An error found after the source was opened: first let the rest of the input
 * speak, as when the whole file was read before parsing (truncated or corrupt
 * gzip data, the byte limit), then the error itself. */
static crm_status input_first(crm__src *src, crm_status st)
{
    if (st == CRM_OK || st == CRM_E_NOMEM || !src)
        return st;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", crm_last_error());
    crm_status d = crm__src_drain(src);
    if (d)
        return d;
    return crm__error(st, "%s", msg);
}

/* Options into o: CRM_OK or the error (the caller reports it at its turn). */
static crm_status load_options(crm_csv_options *o, const crm_csv_options *user)
{
    crm_status st = crm__csv_options_load(o, user);
    return st ? st : check_options(o);
}

static crm_status read_src(const char *name, crm__src *src, crm_status opt_st, size_t window,
                           const crm_csv_options *o, crm_dataset **out)
{
    crm_status st = opt_st ? opt_st : read_csv(name, src, NULL, 0, window, o, out);
    return input_first(src, st);
}

static crm_status read_file(const char *path, const crm_csv_options *opts, size_t window,
                            crm_dataset **out)
{
    crm_csv_options o;
    crm_status ost = load_options(&o, opts);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", crm_last_error());
    crm__src *src;
    crm_status st = crm__src_open_file(path, ost ? 0 : o.max_bytes, 0, NULL, &src);
    if (st)
        return st; /* cannot open: as before, this comes before any option error */
    if (ost)
        crm__error(ost, "%s", msg);
    st = read_src(path, src, ost, window, &o, out);
    crm__src_close(src);
    return st;
}

/* `stream`: read a plain buffer through the streaming path too (tests). */
static crm_status read_mem(const char *buf, size_t len, const crm_csv_options *opts, int stream,
                           size_t window, crm_dataset **out)
{
    static const char name[] = "<memory>";
    crm_csv_options o;
    crm_status ost = load_options(&o, opts);
    int gz = crm__is_gzip(buf, len);
    /* Text longer than max_bytes goes through a source like a file's, so that
     * the limit is met where a file read meets it (not at all when max_rows
     * stops the read first). */
    int over = !ost && o.max_bytes > 0 && len > (uint64_t)o.max_bytes;
    if (!gz && !stream && !over) {
        if (ost)
            return ost;
        return read_csv(name, NULL, buf, len, 0, &o, out);
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", crm_last_error());
    crm__src *src;
    crm_status st = crm__src_open_mem(buf, len, name, ost ? 0 : o.max_bytes, &src);
    if (st)
        return st;
    if (ost)
        crm__error(ost, "%s", msg);
    st = read_src(name, src, ost, window, &o, out);
    crm__src_close(src);
    return st;
}

crm_status crm_dataset_read_csv(const char *path, const crm_csv_options *opts, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv: NULL argument");
    return read_file(path, opts, 0, out);
}

crm_status crm_dataset_read_csv_mem(const char *buf, size_t len, const crm_csv_options *opts,
                                    crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!out || (!buf && len > 0))
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv_mem: NULL argument");
    if (!buf)
        buf = "";
    return read_mem(buf, len, opts, 0, 0, out);
}

crm_status crm__csv_read_file_window(const char *path, const crm_csv_options *opts,
                                     size_t window, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv: NULL argument");
    return read_file(path, opts, window, out);
}

crm_status crm__csv_read_mem_window(const char *buf, size_t len, const crm_csv_options *opts,
                                    size_t window, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!out || (!buf && len > 0))
        return crm__error(CRM_E_INVALID, "crm_dataset_read_csv_mem: NULL argument");
    if (!buf)
        buf = "";
    return read_mem(buf, len, opts, 1, window, out);
}
