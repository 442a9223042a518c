/*
 * Internal helpers shared by all libcrm modules. Never installed.
 * Cross-module internal functions are named crm__<module>_<name> and are not
 * exported from the shared library (hidden visibility + version script).
 */
#ifndef CRM_CORE_INTERNAL_H
#define CRM_CORE_INTERNAL_H

#include "crm.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define CRM__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CRM__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CRM__LIKELY(x) __builtin_expect(!!(x), 1)
#define CRM__PREFETCH(p) __builtin_prefetch(p)
#else
#define CRM__PRINTF(a, b)
#define CRM__UNLIKELY(x) (x)
#define CRM__LIKELY(x) (x)
#define CRM__PREFETCH(p) ((void)0)
#endif

/* 64-bit finaliser of MurmurHash3 (fmix64): spreads every input bit over the
 * whole word; the hash tables of dedup, group, RFM and Apriori use it. */
static inline uint64_t crm__mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---- errors (lib/core/error.c) ------------------------------------------ */

/* Store a formatted message for the calling thread and return `status`.
 * Usage: return crm__error(CRM_E_INVALID, "k must be >= 1 (got %d)", k); */
crm_status crm__error(crm_status status, const char *fmt, ...) CRM__PRINTF(2, 3);
crm_status crm__verror(crm_status status, const char *fmt, va_list ap);
/* Out of memory: sets a fixed message (allocates nothing) and returns CRM_E_NOMEM. */
crm_status crm__nomem(void);
/* Prefix the current message with "prefix: " (e.g. a file name). Returns status. */
crm_status crm__error_prefix(crm_status status, const char *prefix);
void crm__error_clear(void);

/* ---- memory (lib/core/alloc.c) ------------------------------------------ */
/* Every allocation of the library goes through these. n == 0 allocates 1 byte.
 * The *_array forms check n * size for overflow (NULL on overflow). */
void *crm__malloc(size_t n);
void *crm__calloc(size_t count, size_t size);
void *crm__realloc(void *p, size_t n);
void *crm__malloc_array(size_t count, size_t size);
void *crm__realloc_array(void *p, size_t count, size_t size);
void crm__free(void *p);
char *crm__strdup(const char *s);
char *crm__strndup(const char *s, size_t n);
/* Number of blocks currently allocated through the library allocator. */
size_t crm__alloc_live(void);

/* Growable byte buffer. */
typedef struct crm__buf {
    char *data;
    size_t len;
    size_t cap;
} crm__buf;
crm_status crm__buf_reserve(crm__buf *b, size_t extra); /* ensures len + extra + 1 <= cap */
crm_status crm__buf_append(crm__buf *b, const char *s, size_t n);
crm_status crm__buf_printf(crm__buf *b, const char *fmt, ...) CRM__PRINTF(2, 3);
void crm__buf_free(crm__buf *b);

/* ---- options structs (lib/core/options.c) -------------------------------- */
/* Implements the options size rule of crm/common.h.
 * init: `defaults` is the library's default struct of `lib_size` bytes whose
 *   first member is size_t size; writes min(size, lib_size) bytes into `opts`
 *   and sets opts->size = size. size < min_size -> CRM_E_INVALID.
 * load: copies the caller's struct (or the defaults when user == NULL) into
 *   `dst` (lib_size bytes). CRM_E_INVALID when user->size < min_size,
 *   CRM_E_FORMAT when a longer struct has a non-zero byte past lib_size. */
crm_status crm__options_init(void *opts, size_t size, const void *defaults, size_t lib_size,
                             size_t min_size, const char *what);
crm_status crm__options_load(void *dst, const void *user, const void *defaults, size_t lib_size,
                             size_t min_size, const char *what);

/* ---- PRNG (lib/core/prng.c) --------------------------------------------- */
/* xoshiro256** seeded by splitmix64: the same stream on every platform. */
typedef struct crm__rng {
    uint64_t s[4];
} crm__rng;
void crm__rng_seed(crm__rng *r, uint64_t seed);
uint64_t crm__rng_next(crm__rng *r);
/* uniform double in [0, 1) with 53 random bits */
double crm__rng_uniform(crm__rng *r);
/* uniform integer in [0, n), unbiased; n > 0 */
uint64_t crm__rng_below(crm__rng *r, uint64_t n);
/* standard normal (polar method; uses log and sqrt) */
double crm__rng_normal(crm__rng *r);
/* independent stream number `k` derived from a seed (for restarts, threads) */
void crm__rng_seed_stream(crm__rng *r, uint64_t seed, uint64_t k);

/* ---- numbers and text (lib/core/numfmt.c, lib/core/utf8.c) --------------- */
/* Locale-independent, correctly rounded parse of [s, s+n): returns 1 and sets
 * *out when the whole range is a number per the CSV rules (see crm_csv_options),
 * 0 otherwise. `decimal` is '.' or ','. */
int crm__parse_number(const char *s, size_t n, char decimal, double *out);
/* Shortest text that reads back to the same double; writes at most 32 bytes
 * plus NUL into buf and returns the length. NaN gives "" (missing). */
size_t crm__format_number(double v, char decimal, char *buf);
/* 1 when [s, s+n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int crm__utf8_valid(const char *s, size_t n);
/* Offset of the first invalid byte, or n when valid. */
size_t crm__utf8_first_invalid(const char *s, size_t n);

/* printf's %g, %f and %e follow the process locale (LC_NUMERIC: "0,5" under a
 * German locale). Every formatting of the library (crm__buf_printf,
 * crm__error) runs in the "C" locale, on the calling thread only:
 *   void *old = crm__c_locale_enter(); ... crm__c_locale_leave(old);
 * (lib/core/numfmt.c). */
void *crm__c_locale_enter(void);
void crm__c_locale_leave(void *old);

/* ---- reentrant libc stand-ins (lib/core/reentrant.c) --------------------- */
/* log|Gamma(x)| without touching the global signgam (lgamma_r). */
double crm__lgamma(double x);
/* Text of errno value err in buf (cap bytes, 64 are plenty); returns buf. */
#define CRM__STRERROR_SIZE 128
const char *crm__strerror(int err, char *buf, size_t cap);

/* ---- time (lib/core/timeconv.c) ----------------------------------------- */
/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t crm__days_from_civil(int64_t y, int64_t m, int64_t d);
void crm__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d);
/* Format seconds as "YYYY-MM-DD HH:MM:SS" (date_only: "YYYY-MM-DD"); returns length. */
size_t crm__format_time(int64_t t, int date_only, char *buf /* >= 32 bytes */);

/* ---- date-time text (lib/core/timetext.c) ------------------------------ */
/* Cache of the last ISO date part parsed (speeds up columns of timestamps). */
typedef struct crm__date_memo {
    char key[10];
    int valid;
    int64_t days;
} crm__date_memo;
/* Each parser returns 1 and sets *t (seconds, UTC) when the whole of [s, s+n)
 * is a valid date-time of its form, 0 otherwise. */
/* ISO 8601: YYYY-MM-DD[( |T)HH:MM[:SS[.frac]][Z|(+|-)HH:MM]]; memo may be NULL. */
int crm__time_parse_iso(const char *s, size_t n, int64_t *t, crm__date_memo *memo);
/* US: M/D/YYYY[ H:MM[:SS]] */
int crm__time_parse_us(const char *s, size_t n, int64_t *t);
/* strptime-style subset: %Y %m %d %H %M %S %y %b %p %% and literal bytes
 * (check the format with crm__time_check_format first). */
int crm__time_parse_format(const char *fmt, const char *s, size_t n, int64_t *t);
/* CRM_E_INVALID naming `what` (e.g. "date_format") for an unsupported directive. */
crm_status crm__time_check_format(const char *fmt, const char *what);
/* Append t formatted with fmt (NULL: "YYYY-MM-DD HH:MM:SS", or "YYYY-MM-DD"
 * when date_only) to b. */
crm_status crm__time_format(const char *fmt, int64_t t, int date_only, crm__buf *b);

/* ---- exact summation (lib/core/fsum.c) ----------------------------------- */
/* Exactly rounded sum of doubles (Shewchuk's algorithm, as Python's math.fsum).
 * NaN and Inf propagate as in ordinary summation. */
typedef struct crm__fsum {
    double p[64];
    int n;
    double special; /* sum of non-finite values, 0 when none */
    int nspecial;
} crm__fsum;
void crm__fsum_init(crm__fsum *s);
/* One step of Shewchuk's summation, shared by crm__fsum and the short fixed-size sums of the
 * statistics kernels: adds *x to the n non-overlapping partials p, keeps the nonzero low
 * parts in p[0..return) and leaves the new high part in *x, for the caller to store at
 * p[return] when it fits and is finite. */
static inline int crm__partials_add(double *p, int n, double *x)
{
    int i = 0;
    double v = *x;
    for (int j = 0; j < n; j++) {
        double y = p[j];
        if (fabs(v) < fabs(y)) {
            double t = v;
            v = y;
            y = t;
        }
        double hi = v + y;
        double lo = y - (hi - v);
        if (lo != 0.0) p[i++] = lo;
        v = hi;
    }
    *x = v;
    return i;
}
void crm__fsum_add(crm__fsum *s, double x);
double crm__fsum_result(const crm__fsum *s);

#endif /* CRM_CORE_INTERNAL_H */
