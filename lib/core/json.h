/*
 * A small strict JSON reader and writer for model files. Never installed.
 *
 * Reader: RFC 8259 JSON (objects, arrays, strings with every escape including
 * \u surrogate pairs, numbers, true/false/null), nesting depth at most
 * CRM__JSON_MAX_DEPTH, no trailing content other than white space. Numbers
 * are parsed exactly (crm__parse_number); a number too large for a double is
 * refused. Strings must be valid UTF-8 and may not contain NUL (\u0000 is
 * refused). Every allocation goes through crm__malloc. Errors are CRM_E_PARSE
 * with the byte offset, or CRM_E_NOMEM.
 *
 * Writer: appends to a crm__buf. Doubles are written as the shortest text
 * that reads back to the same value; non-finite values as the strings "nan",
 * "inf" and "-inf" (which crm__json_number() reads back).
 */
#ifndef CRM_CORE_JSON_H
#define CRM_CORE_JSON_H

#include "core/internal.h"

#define CRM__JSON_MAX_DEPTH 64

typedef enum crm__json_type {
    CRM__JSON_NULL = 0,
    CRM__JSON_FALSE = 1,
    CRM__JSON_TRUE = 2,
    CRM__JSON_NUMBER = 3,
    CRM__JSON_STRING = 4,
    CRM__JSON_ARRAY = 5,
    CRM__JSON_OBJECT = 6
} crm__json_type;

typedef struct crm__json {
    int type;                /* crm__json_type */
    double num;              /* NUMBER */
    char *str;               /* STRING (NUL-terminated, no NUL inside) */
    size_t len;              /* STRING length; ARRAY/OBJECT number of items */
    struct crm__json *items; /* ARRAY/OBJECT values */
    char **keys;             /* OBJECT keys (len of them) */
} crm__json;

/* Parse a whole NUL-terminated document. *out is NULL on failure. */
crm_status crm__json_parse(const char *text, crm__json **out);
void crm__json_free(crm__json *v);

/* Member of an object by key (first match), or NULL (also when v is not an object). */
const crm__json *crm__json_get(const crm__json *v, const char *key);
/* Typed member lookups; each sets an error naming `what` and the key. */
crm_status crm__json_get_number(const crm__json *obj, const char *key, const char *what,
                                double *out);
crm_status crm__json_get_string(const crm__json *obj, const char *key, const char *what,
                                const char **out);
crm_status crm__json_get_array(const crm__json *obj, const char *key, const char *what,
                               size_t expect_len, const crm__json **out);
/* A number value, or one of the strings "nan", "inf", "-inf". */
int crm__json_number(const crm__json *v, double *out);

/* ---- checked members of model files --------------------------------------
 * Every numeric member a model reader converts or relies on goes through one
 * of these, so nothing is cast before it is known to fit. Each failure is
 * CRM_E_PARSE with a message "<what>: \"<key>\" must be ..." naming the member
 * (and the item, "key"[i], inside arrays) and the value found. */

/* Largest magnitude of a whole-number bound: every integer up to 2^53 is a
 * double, so the range test itself is exact. */
#define CRM__JSON_INT_MAX 9007199254740992LL

/* Whole number in [lo, hi] (|lo|, |hi| <= CRM__JSON_INT_MAX): finite,
 * integral, in range. `v` may be NULL (then "missing member"). */
crm_status crm__json_int(const crm__json *v, const char *what, const char *key, int64_t lo,
                         int64_t hi, int64_t *out);
crm_status crm__json_get_int(const crm__json *obj, const char *key, const char *what, int64_t lo,
                             int64_t hi, int64_t *out);
/* The same into an int32_t (lo and hi within int32_t). */
/* Item i of array arr (i < arr->len), named "key"[i] in messages. */
crm_status crm__json_int_at(const crm__json *arr, size_t i, const char *what, const char *key,
                            int64_t lo, int64_t hi, int64_t *out);
crm_status crm__json_get_i32(const crm__json *obj, const char *key, const char *what, int32_t lo,
                             int32_t hi, int32_t *out);
/* true or false. */
crm_status crm__json_get_bool(const crm__json *obj, const char *key, const char *what, int *out);

/* Flag of the real-number readers: NaN (the string "nan") is accepted too. */
#define CRM__JSON_NAN_OK 1
/* A number in [lo, hi]; an infinite bound admits that infinity, so
 * (-INFINITY, INFINITY) takes any non-NaN value and (-DBL_MAX, DBL_MAX) only
 * finite ones. NaN only with CRM__JSON_NAN_OK. */
crm_status crm__json_real(const crm__json *v, const char *what, const char *key, double lo,
                          double hi, int flags, double *out);
crm_status crm__json_get_real(const crm__json *obj, const char *key, const char *what, double lo,
                              double hi, int flags, double *out);
/* An array of exactly n such numbers. */
crm_status crm__json_real_at(const crm__json *arr, size_t i, const char *what, const char *key,
                             double lo, double hi, int flags, double *out);
crm_status crm__json_get_reals(const crm__json *obj, const char *key, const char *what, size_t n,
                               double lo, double hi, int flags, double *out);

/* ---- writer ------------------------------------------------------------- */
crm_status crm__json_write_string(crm__buf *b, const char *s);
/* An array of n strings: ["s0","s1",...]. */
crm_status crm__json_write_strings(crm__buf *b, char *const *s, size_t n);
crm_status crm__json_write_number(crm__buf *b, double v);
/* "[v0,v1,...]" */
crm_status crm__json_write_numbers(crm__buf *b, const double *v, size_t n);

#endif /* CRM_CORE_JSON_H */
