/*
 * The expression language of crm_dataset_filter() and crm_dataset_mutate().
 *
 * Pipeline: a tokenizer and a recursive-descent parser build a typed tree
 * (types are checked against the dataset's columns while the tree is built);
 * the tree is compiled into a linear program of vector instructions over
 * registers of CRM__EXPR_BLOCK values (constant sub-expressions are folded,
 * text comparisons and text functions become per-dictionary-entry lookup
 * tables); the program then runs block by block over the rows.
 *
 * Values: numbers and booleans are doubles (booleans 1/0, NaN = missing),
 * times int64 seconds (CRM_TIME_MISSING), texts dictionary codes (-1).
 * Text values are only ever column references or literals.
 */
#include "dataset/expr_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- tree --------------------------------------------------------------- */

enum node_kind {
    N_NUM = 1, /* number literal (also true/false) */
    N_TEXT,    /* text literal */
    N_TIME,    /* date('...') literal */
    N_COL,     /* column reference */
    N_OR,      /* chain: kids[0] or kids[1] or ... */
    N_AND,     /* chain */
    N_ARITH,   /* chain of + - (ops[k]) */
    N_MULDIV,  /* chain of * / (ops[k]) */
    N_NOT,
    N_NEG,
    N_CMP,     /* op = comparison token */
    N_ISMISS,  /* op = 1 for `is not missing` */
    N_CALL     /* op = function id */
};

enum func_id {
    F_STARTSWITH = 1,
    F_CONTAINS,
    F_ABS,
    F_LOG,
    F_LOG1P,
    F_EXP,
    F_ROUND,
    F_YEAR,
    F_MONTH,
    F_DAY,
    F_DAYS_BETWEEN,
    F_DATE
};

typedef struct node {
    int kind;
    int32_t type;    /* crm_type of the value */
    size_t pos, end; /* byte span in the source */
    int op;
    double num;
    int64_t time;
    const char *str; /* text literal (decoded) or column name */
    size_t slen;
    size_t col;
    struct node **kids;
    int *ops;     /* operator token of kids[k] (k >= 1) in chains */
    size_t *opos; /* its byte position */
    size_t nkids, capkids;
} node;

/* ---- program ------------------------------------------------------------ */

enum opnd_kind { O_SCALAR = 1, O_COL, O_REG };

typedef struct opnd {
    int kind;
    int32_t type;
    size_t idx; /* column or register */
    double num;
    int64_t time;
    const char *str; /* O_SCALAR text */
    size_t slen;
} opnd;

enum opcode {
    OP_ADD = 1,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_NEG,
    OP_ABS,
    OP_LOG,
    OP_LOG1P,
    OP_EXP,
    OP_ROUND,   /* iparam = digits */
    OP_CMP,     /* iparam = comparison */
    OP_AND,
    OP_OR,
    OP_NOT,
    OP_ISMISS,  /* number; iparam 1 = is not missing */
    OP_T_ISMISS,
    OP_C_ISMISS,
    OP_T_CMP,
    OP_T_ADDN,  /* time + number -> time */
    OP_T_SUBN,  /* time - number -> time */
    OP_T_DIFF,  /* time - time -> seconds */
    OP_YEAR,
    OP_MONTH,
    OP_DAY,
    OP_DAYS_BETWEEN,
    OP_C_LUT,   /* codes -> lut[code], missing -> dparam */
    OP_C_CMP2   /* codes vs codes, iparam = comparison */
};

enum cmp_id { C_EQ = 1, C_NE, C_LT, C_LE, C_GT, C_GE };

typedef struct instr {
    int op;
    size_t dst;
    opnd a, b;
    int iparam;
    double dparam;
    uint8_t *lut; /* owned */
} instr;

struct crm__expr {
    const char *src;
    size_t srclen;
    node **nodes;
    size_t nnodes, capnodes;
    char **strs;
    size_t nstrs, capstrs;
    instr *code;
    size_t ncode, capcode;
    size_t nregs;
    size_t *freeregs;
    size_t nfree, capfree;
    opnd result;
    size_t ncols, nrows; /* shape of the dataset compiled against */
};

/* ---- errors ------------------------------------------------------------- */

/* 1-based character (code point) position of byte offset `off`. */
static size_t char_pos(const crm__expr *e, size_t off)
{
    size_t n = 1;
    for (size_t i = 0; i < off && i < e->srclen; i++)
        if (((unsigned char)e->src[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static const char *type_word(int32_t t)
{
    return t == CRM_TYPE_TEXT ? "text" : t == CRM_TYPE_TIME ? "time" : "number";
}

/* Description of an operand for messages: `column "X" (text)` or
 * `'abc' (text)` / `Quantity * 2 (number)` from the source text. */
static const char *describe(const crm__expr *e, const node *n, char *buf, size_t cap)
{
    if (n->kind == N_COL) {
        snprintf(buf, cap, "column \"%s\" (%s)", n->str, type_word(n->type));
        return buf;
    }
    size_t len = n->end > n->pos ? n->end - n->pos : 0;
    const char *dots = "";
    if (len > 40) {
        len = 40;
        while (len > 0 && ((unsigned char)e->src[n->pos + len] & 0xC0) == 0x80)
            len--;
        dots = "...";
    }
    snprintf(buf, cap, "%.*s%s (%s)", (int)len, e->src + n->pos, dots, type_word(n->type));
    return buf;
}

static crm_status perr(const crm__expr *e, size_t off, const char *msg)
{
    return crm__error(CRM_E_PARSE, "expr:%zu: %s", char_pos(e, off), msg);
}

/* ---- allocation helpers -------------------------------------------------- */

static crm_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CRM_OK;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need)
        nc *= 2;
    void *q = crm__realloc_array(*p, nc, elem);
    if (!q)
        return crm__nomem();
    *p = q;
    *cap = nc;
    return CRM_OK;
}

static crm_status new_node(crm__expr *e, int kind, int32_t type, size_t pos, size_t end, node **out)
{
    if (grow((void **)&e->nodes, &e->capnodes, e->nnodes + 1, sizeof *e->nodes))
        return CRM_E_NOMEM;
    node *n = crm__calloc(1, sizeof *n);
    if (!n)
        return crm__nomem();
    n->kind = kind;
    n->type = type;
    n->pos = pos;
    n->end = end;
    e->nodes[e->nnodes++] = n;
    *out = n;
    return CRM_OK;
}

static crm_status push_kid(node *n, node *kid, int op, size_t opos)
{
    if (n->nkids == n->capkids) {
        size_t nc = n->capkids ? n->capkids * 2 : 2;
        node **k = crm__realloc_array(n->kids, nc, sizeof *k);
        if (!k)
            return crm__nomem();
        n->kids = k;
        int *o = crm__realloc_array(n->ops, nc, sizeof *o);
        if (!o)
            return crm__nomem();
        n->ops = o;
        size_t *p = crm__realloc_array(n->opos, nc, sizeof *p);
        if (!p)
            return crm__nomem();
        n->opos = p;
        n->capkids = nc;
    }
    n->kids[n->nkids] = kid;
    n->ops[n->nkids] = op;
    n->opos[n->nkids] = opos;
    n->nkids++;
    if (kid->end > n->end)
        n->end = kid->end;
    return CRM_OK;
}

/* Keep a string alive for the program's lifetime. */
static crm_status keep_str(crm__expr *e, char *s)
{
    if (grow((void **)&e->strs, &e->capstrs, e->nstrs + 1, sizeof *e->strs)) {
        crm__free(s);
        return CRM_E_NOMEM;
    }
    e->strs[e->nstrs++] = s;
    return CRM_OK;
}

/* ---- tokenizer ------------------------------------------------------------ */

enum tok_kind {
    T_END = 1,
    T_NUM,
    T_STR,
    T_IDENT,
    T_QIDENT,
    T_LP,
    T_RP,
    T_COMMA,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_AND,
    T_OR,
    T_NOT,
    T_IS,
    T_TRUE,
    T_FALSE
};

typedef struct token {
    int kind;
    size_t pos, end;
    double num;
    const char *str; /* T_STR, T_IDENT, T_QIDENT: decoded, NUL-terminated */
    size_t slen;
} token;

typedef struct parser {
    crm__expr *e;
    const crm_dataset *ds;
    const char *s;
    size_t len, p;
    token tok;
    int depth;
} parser;

static int is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* ASCII case-insensitive equality of [s, s+n) with the lowercase word w. */
static int word_eq(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)w[i])
            return 0;
    }
    return i == n && w[i] == '\0';
}

/* Decode a quoted token starting at P->p (quote character q, doubled inside). */
static crm_status lex_quoted(parser *P, char q, const char *what)
{
    size_t start = P->p;
    size_t i = start + 1, n = 0;
    for (;;) {
        if (i >= P->len) {
            char msg[64];
            snprintf(msg, sizeof msg, "unterminated %s (missing closing %c)", what, q);
            return perr(P->e, start, msg);
        }
        if (P->s[i] == q) {
            if (i + 1 < P->len && P->s[i + 1] == q) {
                i += 2;
                n++;
                continue;
            }
            break;
        }
        i++;
        n++;
    }
    char *d = crm__malloc(n + 1);
    if (!d)
        return crm__nomem();
    size_t k = 0;
    for (size_t j = start + 1; j < i; j++) {
        d[k++] = P->s[j];
        if (P->s[j] == q)
            j++;
    }
    d[k] = '\0';
    if (keep_str(P->e, d))
        return CRM_E_NOMEM;
    P->tok.str = d;
    P->tok.slen = k;
    P->p = i + 1;
    return CRM_OK;
}

static crm_status next(parser *P)
{
    while (P->p < P->len && (P->s[P->p] == ' ' || P->s[P->p] == '\t' || P->s[P->p] == '\n' ||
                             P->s[P->p] == '\r'))
        P->p++;
    token *t = &P->tok;
    memset(t, 0, sizeof *t);
    t->pos = P->p;
    if (P->p >= P->len) {
        t->kind = T_END;
        t->end = P->p;
        return CRM_OK;
    }
    const char *s = P->s;
    unsigned char c = (unsigned char)s[P->p];
    unsigned char c1 = P->p + 1 < P->len ? (unsigned char)s[P->p + 1] : 0;
    if (is_digit(c) || (c == '.' && is_digit(c1))) {
        size_t i = P->p;
        while (i < P->len && is_digit((unsigned char)s[i]))
            i++;
        if (i < P->len && s[i] == '.') {
            i++;
            while (i < P->len && is_digit((unsigned char)s[i]))
                i++;
        }
        if (i < P->len && (s[i] == 'e' || s[i] == 'E')) {
            size_t j = i + 1;
            if (j < P->len && (s[j] == '+' || s[j] == '-'))
                j++;
            if (j < P->len && is_digit((unsigned char)s[j])) {
                while (j < P->len && is_digit((unsigned char)s[j]))
                    j++;
                i = j;
            }
        }
        if (i < P->len && is_ident_char((unsigned char)s[i])) {
            char msg[96];
            size_t j = i;
            while (j < P->len && is_ident_char((unsigned char)s[j]) && j - P->p < 40)
                j++;
            snprintf(msg, sizeof msg, "malformed number '%.*s'", (int)(j - P->p), s + P->p);
            return perr(P->e, P->p, msg);
        }
        if (!crm__parse_number(s + P->p, i - P->p, '.', &t->num))
            return perr(P->e, P->p, "malformed number");
        t->kind = T_NUM;
        P->p = i;
        t->end = i;
        return CRM_OK;
    }
    if (is_ident_start(c)) {
        size_t i = P->p;
        while (i < P->len && is_ident_char((unsigned char)s[i]))
            i++;
        size_t n = i - P->p;
        const char *w = s + P->p;
        t->end = i;
        if (word_eq(w, n, "and"))
            t->kind = T_AND;
        else if (word_eq(w, n, "or"))
            t->kind = T_OR;
        else if (word_eq(w, n, "not"))
            t->kind = T_NOT;
        else if (word_eq(w, n, "is"))
            t->kind = T_IS;
        else if (word_eq(w, n, "true"))
            t->kind = T_TRUE;
        else if (word_eq(w, n, "false"))
            t->kind = T_FALSE;
        else {
            char *d = crm__strndup(w, n);
            if (!d)
                return crm__nomem();
            if (keep_str(P->e, d))
                return CRM_E_NOMEM;
            t->kind = T_IDENT;
            t->str = d;
            t->slen = n;
        }
        P->p = i;
        return CRM_OK;
    }
    if (c == '\'' || c == '"') {
        crm_status st = lex_quoted(P, (char)c, c == '\'' ? "text literal" : "quoted column name");
        if (st)
            return st;
        t->kind = c == '\'' ? T_STR : T_QIDENT;
        t->end = P->p;
        if (t->kind == T_QIDENT && t->slen == 0)
            return perr(P->e, t->pos, "empty column name \"\"");
        return CRM_OK;
    }
    int k = 0;
    size_t w = 1;
    switch (c) {
    case '(': k = T_LP; break;
    case ')': k = T_RP; break;
    case ',': k = T_COMMA; break;
    case '+': k = T_PLUS; break;
    case '-': k = T_MINUS; break;
    case '*': k = T_STAR; break;
    case '/': k = T_SLASH; break;
    case '=':
        k = T_EQ;
        if (c1 == '=')
            w = 2;
        break;
    case '!':
        if (c1 == '=') {
            k = T_NE;
            w = 2;
        }
        break;
    case '<':
        k = T_LT;
        if (c1 == '=') {
            k = T_LE;
            w = 2;
        } else if (c1 == '>') {
            k = T_NE;
            w = 2;
        }
        break;
    case '>':
        k = T_GT;
        if (c1 == '=') {
            k = T_GE;
            w = 2;
        }
        break;
    default: break;
    }
    if (!k) {
        char msg[64];
        if (c >= 0x20 && c < 0x7f)
            snprintf(msg, sizeof msg, "unexpected character '%c'", c);
        else
            snprintf(msg, sizeof msg, "unexpected character (byte 0x%02x)", c);
        return perr(P->e, P->p, msg);
    }
    t->kind = k;
    P->p += w;
    t->end = P->p;
    return CRM_OK;
}

/* Text of the current token for messages. */
static void tok_text(const parser *P, char *buf, size_t cap)
{
    if (P->tok.kind == T_END) {
        snprintf(buf, cap, "end of expression");
        return;
    }
    size_t n = P->tok.end - P->tok.pos;
    if (n > 40)
        n = 40;
    snprintf(buf, cap, "'%.*s'", (int)n, P->s + P->tok.pos);
}

static crm_status unexpected(parser *P, const char *expected)
{
    char tt[64], msg[160];
    tok_text(P, tt, sizeof tt);
    if (expected)
        snprintf(msg, sizeof msg, "expected %s, found %s", expected, tt);
    else
        snprintf(msg, sizeof msg, "unexpected %s", tt);
    return perr(P->e, P->tok.pos, msg);
}

/* ---- parser ----------------------------------------------------------- */

static crm_status parse_or(parser *P, node **out);

static crm_status enter(parser *P)
{
    if (++P->depth > CRM__EXPR_MAX_DEPTH) {
        char msg[96];
        snprintf(msg, sizeof msg, "expression nested too deeply (more than %d levels)",
                 CRM__EXPR_MAX_DEPTH);
        return perr(P->e, P->tok.pos, msg);
    }
    return CRM_OK;
}

static crm_status need_number(parser *P, const node *n, size_t pos, const char *what)
{
    if (n->type == CRM_TYPE_NUMBER)
        return CRM_OK;
    char d[128];
    describe(P->e, n, d, sizeof d);
    return crm__error(CRM_E_TYPE, "expr:%zu: %s needs a number or boolean, got %s",
                      char_pos(P->e, pos), what, d);
}

static crm_status find_column(parser *P, const char *name, size_t pos, size_t *col)
{
    const crm_dataset *ds = P->ds;
    size_t exact = crm__dataset_lookup(ds, name);
    if (exact != SIZE_MAX) {
        *col = exact;
        return CRM_OK;
    }
    size_t n = strlen(name);
    for (size_t i = 0; i < ds->ncols; i++) {
        const char *c = ds->cols[i].name;
        if (strlen(c) != n)
            continue;
        size_t j = 0;
        for (; j < n; j++) {
            unsigned char x = (unsigned char)c[j], y = (unsigned char)name[j];
            if (x >= 'A' && x <= 'Z')
                x = (unsigned char)(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z')
                y = (unsigned char)(y - 'A' + 'a');
            if (x != y)
                break;
        }
        if (j == n)
            return crm__error(CRM_E_NOTFOUND,
                              "expr:%zu: no column named \"%s\" (did you mean \"%s\"?)",
                              char_pos(P->e, pos), name, c);
    }
    return crm__error(CRM_E_NOTFOUND, "expr:%zu: no column named \"%s\"", char_pos(P->e, pos),
                      name);
}

static const struct {
    const char *name;
    int id, min, max;
} funcs[] = {
    {"startswith", F_STARTSWITH, 2, 2}, {"contains", F_CONTAINS, 2, 2}, {"abs", F_ABS, 1, 1},
    {"log", F_LOG, 1, 1},               {"log1p", F_LOG1P, 1, 1},       {"exp", F_EXP, 1, 1},           {"round", F_ROUND, 1, 2},
    {"year", F_YEAR, 1, 1},             {"month", F_MONTH, 1, 1},       {"day", F_DAY, 1, 1},
    {"days_between", F_DAYS_BETWEEN, 2, 2}, {"date", F_DATE, 1, 1},
};

static int days_in_month(int64_t y, int64_t m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Parse `YYYY-MM-DD[( |T)HH:MM[:SS]]`; 1 on success. */
static int parse_date(const char *s, size_t n, int64_t *out)
{
    int64_t f[6] = {0, 0, 0, 0, 0, 0};
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {0, '-', '-', ' ', ':', ':'};
    size_t i = 0;
    int k = 0;
    for (; k < 6; k++) {
        if (k > 0) {
            if (i == n && k >= 3)
                break;
            if (i >= n)
                return 0;
            if (s[i] != sep[k] && !(k == 3 && s[i] == 'T'))
                return 0;
            i++;
        }
        for (int w = 0; w < width[k]; w++, i++) {
            if (i >= n || !is_digit((unsigned char)s[i]))
                return 0;
            f[k] = f[k] * 10 + (s[i] - '0');
        }
    }
    if (i != n || k == 4)
        return 0;
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > days_in_month(f[0], f[1]) || f[3] > 23 ||
        f[4] > 59 || f[5] > 59)
        return 0;
    *out = crm__days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
    return 1;
}

static crm_status check_call(parser *P, node *n, const char *name)
{
    node **a = n->kids;
    char d[128];
    switch (n->op) {
    case F_STARTSWITH:
    case F_CONTAINS:
        if (a[0]->type != CRM_TYPE_TEXT)
            return crm__error(CRM_E_TYPE, "expr:%zu: %s() needs text as its first argument, got %s",
                              char_pos(P->e, n->pos), name, describe(P->e, a[0], d, sizeof d));
        if (a[1]->kind != N_TEXT)
            return crm__error(CRM_E_TYPE,
                              "expr:%zu: %s() needs a text literal such as 'C' as its second "
                              "argument, got %s",
                              char_pos(P->e, a[1]->pos), name, describe(P->e, a[1], d, sizeof d));
        n->type = CRM_TYPE_NUMBER;
        return CRM_OK;
    case F_ABS:
    case F_LOG:
    case F_LOG1P:
    case F_EXP:
    case F_ROUND:
        if (a[0]->type != CRM_TYPE_NUMBER)
            return crm__error(CRM_E_TYPE, "expr:%zu: %s() needs a number, got %s",
                              char_pos(P->e, n->pos), name, describe(P->e, a[0], d, sizeof d));
        if (n->op == F_ROUND && n->nkids == 2) {
            double v = a[1]->num;
            if (a[1]->kind != N_NUM || v != floor(v) || v < -22 || v > 22)
                return crm__error(CRM_E_TYPE,
                                  "expr:%zu: round() needs a whole-number literal between -22 and "
                                  "22 as its number of digits, got %s",
                                  char_pos(P->e, a[1]->pos), describe(P->e, a[1], d, sizeof d));
        }
        n->type = CRM_TYPE_NUMBER;
        return CRM_OK;
    case F_YEAR:
    case F_MONTH:
    case F_DAY:
    case F_DAYS_BETWEEN:
        for (size_t i = 0; i < n->nkids; i++)
            if (a[i]->type != CRM_TYPE_TIME)
                return crm__error(CRM_E_TYPE, "expr:%zu: %s() needs a time, got %s",
                                  char_pos(P->e, a[i]->pos), name,
                                  describe(P->e, a[i], d, sizeof d));
        n->type = CRM_TYPE_NUMBER;
        return CRM_OK;
    default: /* F_DATE */
        if (a[0]->kind != N_TEXT)
            return crm__error(CRM_E_TYPE,
                              "expr:%zu: date() needs a text literal such as '2011-12-09', got %s",
                              char_pos(P->e, a[0]->pos), describe(P->e, a[0], d, sizeof d));
        if (!parse_date(a[0]->str, a[0]->slen, &n->time)) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "date(): '%.40s' is not a date; expected 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM' "
                     "or 'YYYY-MM-DD HH:MM:SS'",
                     a[0]->str);
            return perr(P->e, a[0]->pos, msg);
        }
        n->kind = N_TIME;
        n->type = CRM_TYPE_TIME;
        n->nkids = 0;
        return CRM_OK;
    }
}

static crm_status parse_call(parser *P, const char *name, size_t pos, node **out)
{
    int f = -1;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (word_eq(name, strlen(name), funcs[i].name))
            f = (int)i;
    if (f < 0) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "unknown function '%.60s' (known: startswith, contains, abs, log, exp, round, "
                 "year, month, day, days_between, date)",
                 name);
        return perr(P->e, pos, msg);
    }
    crm_status st;
    if ((st = enter(P)) || (st = next(P))) /* past '(' */
        return st;
    node *n;
    if ((st = new_node(P->e, N_CALL, CRM_TYPE_NUMBER, pos, P->tok.pos, &n)))
        return st;
    n->op = funcs[f].id;
    if (P->tok.kind != T_RP) {
        for (;;) {
            node *arg;
            if ((st = parse_or(P, &arg)) || (st = push_kid(n, arg, 0, 0)))
                return st;
            if (P->tok.kind == T_COMMA) {
                if ((st = next(P)))
                    return st;
                continue;
            }
            if (P->tok.kind == T_RP)
                break;
            char what[96];
            snprintf(what, sizeof what, "',' or ')' in the arguments of %s()", funcs[f].name);
            return unexpected(P, what);
        }
    }
    n->end = P->tok.end;
    if ((st = next(P))) /* past ')' */
        return st;
    P->depth--;
    int na = (int)n->nkids;
    if (na < funcs[f].min || na > funcs[f].max) {
        char msg[128];
        if (funcs[f].min == funcs[f].max)
            snprintf(msg, sizeof msg, "%s() takes %d argument%s, got %d", funcs[f].name,
                     funcs[f].min, funcs[f].min == 1 ? "" : "s", na);
        else
            snprintf(msg, sizeof msg, "%s() takes %d or %d arguments, got %d", funcs[f].name,
                     funcs[f].min, funcs[f].max, na);
        return perr(P->e, pos, msg);
    }
    if ((st = check_call(P, n, funcs[f].name)))
        return st;
    *out = n;
    return CRM_OK;
}

static crm_status parse_primary(parser *P, node **out)
{
    crm_status st;
    token t = P->tok;
    switch (t.kind) {
    case T_NUM:
    case T_TRUE:
    case T_FALSE:
        if ((st = new_node(P->e, N_NUM, CRM_TYPE_NUMBER, t.pos, t.end, out)))
            return st;
        (*out)->num = t.kind == T_NUM ? t.num : t.kind == T_TRUE ? 1.0 : 0.0;
        return next(P);
    case T_STR:
        if ((st = new_node(P->e, N_TEXT, CRM_TYPE_TEXT, t.pos, t.end, out)))
            return st;
        (*out)->str = t.str;
        (*out)->slen = t.slen;
        return next(P);
    case T_IDENT:
    case T_QIDENT: {
        if ((st = next(P)))
            return st;
        if (t.kind == T_IDENT && P->tok.kind == T_LP)
            return parse_call(P, t.str, t.pos, out);
        size_t col = 0;
        if ((st = find_column(P, t.str, t.pos, &col)))
            return st;
        if ((st = new_node(P->e, N_COL, P->ds->cols[col].type, t.pos, t.end, out)))
            return st;
        (*out)->str = P->ds->cols[col].name;
        (*out)->col = col;
        return CRM_OK;
    }
    case T_LP:
        if ((st = enter(P)) || (st = next(P)) || (st = parse_or(P, out)))
            return st;
        if (P->tok.kind != T_RP) {
            char tt[64], msg[128];
            tok_text(P, tt, sizeof tt);
            snprintf(msg, sizeof msg, "expected ')', found %s", tt);
            return perr(P->e, P->tok.pos, msg);
        }
        P->depth--;
        return next(P);
    case T_END:
        return perr(P->e, t.pos, "unexpected end of expression (expected a value)");
    default:
        return unexpected(P, "a value (number, 'text', column or function)");
    }
}

static crm_status parse_unary(parser *P, node **out)
{
    if (P->tok.kind != T_MINUS)
        return parse_primary(P, out);
    size_t pos = P->tok.pos;
    crm_status st;
    node *k;
    if ((st = enter(P)) || (st = next(P)) || (st = parse_unary(P, &k)))
        return st;
    P->depth--;
    if ((st = need_number(P, k, pos, "unary '-'")))
        return st;
    if (k->kind == N_NUM) { /* fold a negative literal */
        k->num = -k->num;
        k->pos = pos;
        *out = k;
        return CRM_OK;
    }
    if ((st = new_node(P->e, N_NEG, CRM_TYPE_NUMBER, pos, k->end, out)))
        return st;
    return push_kid(*out, k, 0, 0);
}

static int32_t arith_type(int op, int32_t a, int32_t b)
{
    if (a == CRM_TYPE_NUMBER && b == CRM_TYPE_NUMBER)
        return CRM_TYPE_NUMBER;
    if (op == T_PLUS && a == CRM_TYPE_TIME && b == CRM_TYPE_NUMBER)
        return CRM_TYPE_TIME;
    if (op == T_PLUS && a == CRM_TYPE_NUMBER && b == CRM_TYPE_TIME)
        return CRM_TYPE_TIME;
    if (op == T_MINUS && a == CRM_TYPE_TIME && b == CRM_TYPE_NUMBER)
        return CRM_TYPE_TIME;
    if (op == T_MINUS && a == CRM_TYPE_TIME && b == CRM_TYPE_TIME)
        return CRM_TYPE_NUMBER;
    return 0;
}

static const char *op_name(int op)
{
    switch (op) {
    case T_PLUS: return "+";
    case T_MINUS: return "-";
    case T_STAR: return "*";
    case T_SLASH: return "/";
    case T_EQ: return "=";
    case T_NE: return "!=";
    case T_LT: return "<";
    case T_LE: return "<=";
    case T_GT: return ">";
    case T_GE: return ">=";
    case T_AND: return "and";
    default: return "or";
    }
}

/* Chains of binary operators of one precedence level: `sub (op sub)*`. */
static crm_status parse_chain(parser *P, int kind, int op1, int op2,
                              crm_status (*sub)(parser *, node **), node **out)
{
    crm_status st;
    node *left;
    if ((st = sub(P, &left)))
        return st;
    if (P->tok.kind != op1 && P->tok.kind != op2) {
        *out = left;
        return CRM_OK;
    }
    node *ch;
    if ((st = new_node(P->e, kind, left->type, left->pos, left->end, &ch)) ||
        (st = push_kid(ch, left, 0, 0)))
        return st;
    while (P->tok.kind == op1 || P->tok.kind == op2) {
        int op = P->tok.kind;
        size_t opos = P->tok.pos;
        node *right;
        if ((st = next(P)) || (st = sub(P, &right)))
            return st;
        int32_t t;
        if (kind == N_AND || kind == N_OR || kind == N_MULDIV) {
            t = ch->type == CRM_TYPE_NUMBER && right->type == CRM_TYPE_NUMBER ? CRM_TYPE_NUMBER : 0;
        } else {
            t = arith_type(op, ch->type, right->type);
        }
        if (!t) {
            const node *bad = ch->nkids == 1 ? ch->kids[0] : ch;
            char da[128], db[128];
            describe(P->e, bad, da, sizeof da);
            describe(P->e, right, db, sizeof db);
            if (kind == N_AND || kind == N_OR)
                return crm__error(CRM_E_TYPE,
                                  "expr:%zu: '%s' needs numbers or booleans, got %s and %s",
                                  char_pos(P->e, opos), op_name(op), da, db);
            return crm__error(CRM_E_TYPE, "expr:%zu: cannot apply '%s' to %s and %s",
                              char_pos(P->e, opos), op_name(op), da, db);
        }
        ch->type = t;
        if ((st = push_kid(ch, right, op, opos)))
            return st;
    }
    *out = ch;
    return CRM_OK;
}

static crm_status parse_mul(parser *P, node **out)
{
    return parse_chain(P, N_MULDIV, T_STAR, T_SLASH, parse_unary, out);
}

static crm_status parse_add(parser *P, node **out)
{
    return parse_chain(P, N_ARITH, T_PLUS, T_MINUS, parse_mul, out);
}

static int is_cmp(int k)
{
    return k == T_EQ || k == T_NE || k == T_LT || k == T_LE || k == T_GT || k == T_GE;
}

static crm_status parse_cmp(parser *P, node **out)
{
    crm_status st;
    node *left;
    if ((st = parse_add(P, &left)))
        return st;
    size_t opos = P->tok.pos;
    if (is_cmp(P->tok.kind)) {
        int op = P->tok.kind;
        node *right;
        if ((st = next(P)) || (st = parse_add(P, &right)))
            return st;
        if (left->type != right->type) {
            char da[128], db[128];
            describe(P->e, left, da, sizeof da);
            describe(P->e, right, db, sizeof db);
            const char *hint = "";
            if ((left->type == CRM_TYPE_TIME && right->kind == N_TEXT) ||
                (right->type == CRM_TYPE_TIME && left->kind == N_TEXT))
                hint = " (write a time as date('YYYY-MM-DD'))";
            return crm__error(CRM_E_TYPE, "expr:%zu: cannot compare %s with %s%s",
                              char_pos(P->e, opos), da, db, hint);
        }
        node *n;
        if ((st = new_node(P->e, N_CMP, CRM_TYPE_NUMBER, left->pos, right->end, &n)) ||
            (st = push_kid(n, left, 0, 0)) || (st = push_kid(n, right, op, opos)))
            return st;
        n->op = op;
        left = n;
    } else if (P->tok.kind == T_IS) {
        int neg = 0;
        if ((st = next(P)))
            return st;
        if (P->tok.kind == T_NOT) {
            neg = 1;
            if ((st = next(P)))
                return st;
        }
        if (P->tok.kind != T_IDENT || !word_eq(P->tok.str, P->tok.slen, "missing"))
            return unexpected(P, neg ? "'missing' after 'is not'" : "'missing' after 'is'");
        node *n;
        if ((st = new_node(P->e, N_ISMISS, CRM_TYPE_NUMBER, left->pos, P->tok.end, &n)) ||
            (st = push_kid(n, left, 0, 0)) || (st = next(P)))
            return st;
        n->op = neg;
        left = n;
    } else {
        *out = left;
        return CRM_OK;
    }
    if (is_cmp(P->tok.kind) || P->tok.kind == T_IS)
        return perr(P->e, P->tok.pos,
                    "comparisons cannot be chained; combine them with 'and' or parentheses");
    *out = left;
    return CRM_OK;
}

static crm_status parse_not(parser *P, node **out)
{
    if (P->tok.kind != T_NOT)
        return parse_cmp(P, out);
    size_t pos = P->tok.pos;
    crm_status st;
    node *k;
    if ((st = enter(P)) || (st = next(P)) || (st = parse_not(P, &k)))
        return st;
    P->depth--;
    if ((st = need_number(P, k, pos, "'not'")))
        return st;
    if ((st = new_node(P->e, N_NOT, CRM_TYPE_NUMBER, pos, k->end, out)))
        return st;
    return push_kid(*out, k, 0, 0);
}

static crm_status parse_and(parser *P, node **out)
{
    return parse_chain(P, N_AND, T_AND, T_AND, parse_not, out);
}

static crm_status parse_or(parser *P, node **out)
{
    return parse_chain(P, N_OR, T_OR, T_OR, parse_and, out);
}

/* ---- kernels ------------------------------------------------------------ */

typedef struct vec {
    const void *p;
    size_t s; /* 1 = vector, 0 = broadcast scalar */
} vec;

#define MAP1(TA, TO, EXPR)                                                                         \
    do {                                                                                           \
        const TA *restrict A_ = a.p;                                                               \
        TO *restrict O_ = out;                                                                     \
        if (a.s) {                                                                                 \
            for (size_t i_ = 0; i_ < m; i_++) {                                                    \
                TA x = A_[i_];                                                                     \
                O_[i_] = (EXPR);                                                                   \
            }                                                                                      \
        } else {                                                                                   \
            TA x = A_[0];                                                                          \
            TO v_ = (EXPR);                                                                        \
            for (size_t i_ = 0; i_ < m; i_++)                                                      \
                O_[i_] = v_;                                                                       \
        }                                                                                          \
    } while (0)

#define MAP2(TA, TB, TO, EXPR)                                                                     \
    do {                                                                                           \
        const TA *restrict A_ = a.p;                                                               \
        const TB *restrict B_ = b.p;                                                               \
        TO *restrict O_ = out;                                                                     \
        if (a.s && b.s) {                                                                          \
            for (size_t i_ = 0; i_ < m; i_++) {                                                    \
                TA x = A_[i_];                                                                     \
                TB y = B_[i_];                                                                     \
                O_[i_] = (EXPR);                                                                   \
            }                                                                                      \
        } else if (a.s) {                                                                          \
            TB y = B_[0];                                                                          \
            for (size_t i_ = 0; i_ < m; i_++) {                                                    \
                TA x = A_[i_];                                                                     \
                O_[i_] = (EXPR);                                                                   \
            }                                                                                      \
        } else if (b.s) {                                                                          \
            TA x = A_[0];                                                                          \
            for (size_t i_ = 0; i_ < m; i_++) {                                                    \
                TB y = B_[i_];                                                                     \
                O_[i_] = (EXPR);                                                                   \
            }                                                                                      \
        } else {                                                                                   \
            TA x = A_[0];                                                                          \
            TB y = B_[0];                                                                          \
            TO v_ = (EXPR);                                                                        \
            for (size_t i_ = 0; i_ < m; i_++)                                                      \
                O_[i_] = v_;                                                                       \
        }                                                                                          \
    } while (0)

/* Comparison of two operands with a missing test MISS(x, y). */
#define CMP_ALL(TA, MISS)                                                                          \
    do {                                                                                           \
        switch (in->iparam) {                                                                      \
        case C_EQ: MAP2(TA, TA, double, MISS ? NAN : (double)(x == y)); break;                     \
        case C_NE: MAP2(TA, TA, double, MISS ? NAN : (double)(x != y)); break;                     \
        case C_LT: MAP2(TA, TA, double, MISS ? NAN : (double)(x < y)); break;                      \
        case C_LE: MAP2(TA, TA, double, MISS ? NAN : (double)(x <= y)); break;                     \
        case C_GT: MAP2(TA, TA, double, MISS ? NAN : (double)(x > y)); break;                      \
        default: MAP2(TA, TA, double, MISS ? NAN : (double)(x >= y)); break;                       \
        }                                                                                          \
    } while (0)

#define TM CRM_TIME_MISSING

/* Three-valued logic on numbers (non-zero = true, NaN = missing), written
 * with bitwise operators so that the loops vectorize. */
static inline double and3(double x, double y)
{
    int f = (x == 0) | (y == 0); /* a false operand decides */
    int n = (x != x) | (y != y);
    return f ? 0.0 : n ? NAN : 1.0;
}

static inline double or3(double x, double y)
{
    int t = ((x == x) & (x != 0)) | ((y == y) & (y != 0)); /* a true operand decides */
    int n = (x != x) | (y != y);
    return t ? 1.0 : n ? NAN : 0.0;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline double round_digits(double x, int d)
{
    if (x != x || isinf(x))
        return x;
    if (d >= 0) {
        double p = pow10_exact[d];
        double y = x * p;
        if (fabs(y) >= 4503599627370496.0) /* 2^52: no fraction left at this scale */
            return x;
        return round(y) / p;
    }
    double p = pow10_exact[-d];
    return round(x / p) * p;
}

static inline int64_t time_add(int64_t t, double x)
{
    if (t == TM || x != x || !(fabs(x) < 9.2e18))
        return TM;
    int64_t k = (int64_t)x; /* truncates toward zero */
    if ((k > 0 && t > INT64_MAX - k) || (k < 0 && t < INT64_MIN - k))
        return TM;
    return t + k; /* may be INT64_MIN, which reads as missing */
}

static inline double time_diff(int64_t a, int64_t b)
{
    if (a == TM || b == TM)
        return NAN;
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
        return (double)a - (double)b;
    return (double)(a - b);
}

static inline double days_between(int64_t a, int64_t b)
{
    if (a == TM || b == TM)
        return NAN;
    if ((a < 0 && b > INT64_MAX + a) || (a > 0 && b < INT64_MIN + a))
        return trunc(((double)b - (double)a) / 86400.0);
    return (double)((b - a) / 86400);
}

static inline double civil_part(int64_t t, int part)
{
    if (t == TM)
        return NAN;
    int64_t days = t / 86400;
    if (t % 86400 < 0)
        days--;
    int64_t y, mo, d;
    crm__civil_from_days(days, &y, &mo, &d);
    return (double)(part == 0 ? y : part == 1 ? mo : d);
}

static int cmp_result(int op, int c)
{
    switch (op) {
    case C_EQ: return c == 0;
    case C_NE: return c != 0;
    case C_LT: return c < 0;
    case C_LE: return c <= 0;
    case C_GT: return c > 0;
    default: return c >= 0;
    }
}

#if defined(__GNUC__)
#define EXPR_INLINE static inline __attribute__((always_inline))
#else
#define EXPR_INLINE static inline
#endif

/* Run one instruction on m rows. The destination never overlaps a source
 * (registers are allocated before the sources are released). */
EXPR_INLINE void exec_body(const instr *in, const crm_dataset *ds, vec a, vec b, void *out,
                           size_t m)
{
    switch (in->op) {
    case OP_ADD: MAP2(double, double, double, x + y); break;
    case OP_SUB: MAP2(double, double, double, x - y); break;
    case OP_MUL: MAP2(double, double, double, x * y); break;
    case OP_DIV: MAP2(double, double, double, y == 0 ? NAN : x / y); break;
    case OP_NEG: MAP1(double, double, -x); break;
    case OP_ABS: MAP1(double, double, fabs(x)); break;
    case OP_LOG: MAP1(double, double, x > 0 ? log(x) : NAN); break;
    case OP_LOG1P: MAP1(double, double, x > -1 ? log1p(x) : NAN); break;
    case OP_EXP: MAP1(double, double, exp(x)); break;
    case OP_ROUND: {
        int d = in->iparam;
        if (d == 0)
            MAP1(double, double, round(x));
        else
            MAP1(double, double, round_digits(x, d));
        break;
    }
    case OP_CMP: CMP_ALL(double, ((x != x) | (y != y))); break;
    case OP_AND: MAP2(double, double, double, and3(x, y)); break;
    case OP_OR: MAP2(double, double, double, or3(x, y)); break;
    case OP_NOT: MAP1(double, double, x != x ? NAN : (double)(x == 0)); break;
    case OP_ISMISS:
        if (in->iparam)
            MAP1(double, double, (double)(x == x));
        else
            MAP1(double, double, (double)(x != x));
        break;
    case OP_T_ISMISS:
        if (in->iparam)
            MAP1(int64_t, double, (double)(x != TM));
        else
            MAP1(int64_t, double, (double)(x == TM));
        break;
    case OP_C_ISMISS:
        if (in->iparam)
            MAP1(int32_t, double, (double)(x >= 0));
        else
            MAP1(int32_t, double, (double)(x < 0));
        break;
    case OP_T_CMP: CMP_ALL(int64_t, ((x == TM) | (y == TM))); break;
    case OP_T_ADDN: MAP2(int64_t, double, int64_t, time_add(x, y)); break;
    case OP_T_SUBN: MAP2(int64_t, double, int64_t, time_add(x, -y)); break;
    case OP_T_DIFF: MAP2(int64_t, int64_t, double, time_diff(x, y)); break;
    case OP_YEAR: MAP1(int64_t, double, civil_part(x, 0)); break;
    case OP_MONTH: MAP1(int64_t, double, civil_part(x, 1)); break;
    case OP_DAY: MAP1(int64_t, double, civil_part(x, 2)); break;
    case OP_DAYS_BETWEEN: MAP2(int64_t, int64_t, double, days_between(x, y)); break;
    case OP_C_LUT: {
        const uint8_t *lut = in->lut;
        double miss = in->dparam;
        MAP1(int32_t, double, x < 0 ? miss : (double)lut[x]);
        break;
    }
    default: { /* OP_C_CMP2: both operands are text columns */
        const int32_t *x = a.p, *y = b.p;
        double *o = out;
        const crm__dict *da = ds->cols[in->a.idx].dict, *db = ds->cols[in->b.idx].dict;
        int op = in->iparam;
        for (size_t i = 0; i < m; i++) {
            if (x[i] < 0 || y[i] < 0)
                o[i] = NAN;
            else if (da == db && (op == C_EQ || op == C_NE))
                o[i] = (double)((x[i] == y[i]) == (op == C_EQ));
            else
                o[i] = (double)cmp_result(
                    op, strcmp(crm__dict_str(da, x[i]), crm__dict_str(db, y[i])));
        }
        break;
    }
    }
}

/* Any number of rows (the last block, constant folding). */
static void exec(const instr *in, const crm_dataset *ds, vec a, vec b, void *out, size_t m)
{
    exec_body(in, ds, a, b, out, m);
}

/* A full block: a constant trip count lets the compiler vectorize the loops
 * (GCC's -O2 cost model vectorizes almost none of them; ask for its normal
 * one here). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("vect-cost-model=dynamic")))
#endif
static void exec_block(const instr *in, const crm_dataset *ds, vec a, vec b, void *out)
{
    exec_body(in, ds, a, b, out, CRM__EXPR_BLOCK);
}

/* ---- compiler ------------------------------------------------------------ */

static crm_status alloc_reg(crm__expr *e, size_t *r)
{
    if (e->nfree) {
        *r = e->freeregs[--e->nfree];
        return CRM_OK;
    }
    /* reserve the free-list slot now so releasing never allocates */
    if (grow((void **)&e->freeregs, &e->capfree, e->nregs + 1, sizeof *e->freeregs))
        return CRM_E_NOMEM;
    *r = e->nregs++;
    return CRM_OK;
}

static void release(crm__expr *e, const opnd *o)
{
    if (o->kind == O_REG)
        e->freeregs[e->nfree++] = o->idx;
}

static vec scalar_vec(const opnd *o)
{
    vec v;
    v.s = 0;
    if (o->type == CRM_TYPE_TIME)
        v.p = &o->time;
    else
        v.p = &o->num;
    return v;
}

/* Emit `op` on a (and b when nargs == 2) giving a value of type `t`;
 * operands that are all scalars are folded into a scalar. */
static crm_status emit(crm__expr *e, const crm_dataset *ds, instr in, int nargs, int32_t t,
                       opnd *out)
{
    int all_scalar = in.a.kind == O_SCALAR && (nargs == 1 || in.b.kind == O_SCALAR);
    opnd r;
    memset(&r, 0, sizeof r);
    r.type = t;
    if (all_scalar && in.op != OP_C_LUT && in.op != OP_C_ISMISS && in.op != OP_C_CMP2) {
        union {
            double d;
            int64_t i;
        } v;
        exec(&in, ds, scalar_vec(&in.a), scalar_vec(&in.b), &v, 1);
        r.kind = O_SCALAR;
        if (t == CRM_TYPE_TIME)
            r.time = v.i;
        else
            r.num = v.d;
        *out = r;
        return CRM_OK;
    }
    if (grow((void **)&e->code, &e->capcode, e->ncode + 1, sizeof *e->code)) {
        crm__free(in.lut);
        return CRM_E_NOMEM;
    }
    if (alloc_reg(e, &in.dst)) {
        crm__free(in.lut);
        return CRM_E_NOMEM;
    }
    release(e, &in.a);
    if (nargs == 2)
        release(e, &in.b);
    e->code[e->ncode++] = in;
    r.kind = O_REG;
    r.idx = in.dst;
    *out = r;
    return CRM_OK;
}

static instr mk(int op, const opnd *a, const opnd *b)
{
    instr in;
    memset(&in, 0, sizeof in);
    in.op = op;
    in.a = *a;
    if (b)
        in.b = *b;
    return in;
}

static int cmp_id(int tok)
{
    switch (tok) {
    case T_EQ: return C_EQ;
    case T_NE: return C_NE;
    case T_LT: return C_LT;
    case T_LE: return C_LE;
    case T_GT: return C_GT;
    default: return C_GE;
    }
}

/* a OP b == b MIRROR(OP) a */
static int cmp_mirror(int c)
{
    switch (c) {
    case C_LT: return C_GT;
    case C_LE: return C_GE;
    case C_GT: return C_LT;
    case C_GE: return C_LE;
    default: return c;
    }
}

static crm_status gen(crm__expr *e, const crm_dataset *ds, const node *n, opnd *out);

static crm_status scalar_num(double v, opnd *out)
{
    memset(out, 0, sizeof *out);
    out->kind = O_SCALAR;
    out->type = CRM_TYPE_NUMBER;
    out->num = v;
    return CRM_OK;
}

/* Text column compared with / tested against a literal: lookup table per dictionary entry. */
static crm_status gen_text_lut(crm__expr *e, const crm_dataset *ds, const opnd *colop, int kind,
                               const char *lit, size_t litlen, opnd *out)
{
    const crm__dict *d = ds->cols[colop->idx].dict;
    size_t nd = d ? d->n : 0;
    instr in = mk(OP_C_LUT, colop, NULL);
    in.lut = crm__calloc(nd ? nd : 1, 1);
    if (!in.lut)
        return crm__nomem();
    in.dparam = NAN;
    if (kind == C_EQ || kind == C_NE) {
        int32_t c = d ? crm__dict_find(d, lit, litlen) : -1;
        if (kind == C_NE)
            memset(in.lut, 1, nd);
        if (c >= 0)
            in.lut[c] = kind == C_EQ;
    } else if (kind > 0) {
        for (size_t k = 0; k < nd; k++)
            in.lut[k] = (uint8_t)cmp_result(kind, strcmp(crm__dict_str(d, (int32_t)k), lit));
    } else if (kind == -F_STARTSWITH) {
        for (size_t k = 0; k < nd; k++)
            in.lut[k] = strncmp(crm__dict_str(d, (int32_t)k), lit, litlen) == 0;
    } else { /* contains */
        for (size_t k = 0; k < nd; k++)
            in.lut[k] = strstr(crm__dict_str(d, (int32_t)k), lit) != NULL;
    }
    return emit(e, ds, in, 1, CRM_TYPE_NUMBER, out);
}

static crm_status gen_cmp(crm__expr *e, const crm_dataset *ds, const node *n, opnd *out)
{
    opnd a, b;
    crm_status st;
    if ((st = gen(e, ds, n->kids[0], &a)) || (st = gen(e, ds, n->kids[1], &b)))
        return st;
    int c = cmp_id(n->op);
    int32_t t = n->kids[0]->type;
    if (t == CRM_TYPE_NUMBER) {
        instr in = mk(OP_CMP, &a, &b);
        in.iparam = c;
        return emit(e, ds, in, 2, CRM_TYPE_NUMBER, out);
    }
    if (t == CRM_TYPE_TIME) {
        instr in = mk(OP_T_CMP, &a, &b);
        in.iparam = c;
        return emit(e, ds, in, 2, CRM_TYPE_NUMBER, out);
    }
    if (a.kind == O_SCALAR && b.kind == O_SCALAR)
        return scalar_num((double)cmp_result(c, strcmp(a.str, b.str)), out);
    if (a.kind == O_SCALAR)
        return gen_text_lut(e, ds, &b, cmp_mirror(c), a.str, a.slen, out);
    if (b.kind == O_SCALAR)
        return gen_text_lut(e, ds, &a, c, b.str, b.slen, out);
    instr in = mk(OP_C_CMP2, &a, &b);
    in.iparam = c;
    return emit(e, ds, in, 2, CRM_TYPE_NUMBER, out);
}

static crm_status gen_call(crm__expr *e, const crm_dataset *ds, const node *n, opnd *out)
{
    opnd a, b;
    crm_status st;
    if ((st = gen(e, ds, n->kids[0], &a)))
        return st;
    switch (n->op) {
    case F_STARTSWITH:
    case F_CONTAINS: {
        const node *p = n->kids[1];
        if (a.kind == O_SCALAR) {
            int r = n->op == F_STARTSWITH ? strncmp(a.str, p->str, p->slen) == 0
                                          : strstr(a.str, p->str) != NULL;
            return scalar_num((double)r, out);
        }
        return gen_text_lut(e, ds, &a, -n->op, p->str, p->slen, out);
    }
    case F_ABS: return emit(e, ds, mk(OP_ABS, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_LOG: return emit(e, ds, mk(OP_LOG, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_LOG1P: return emit(e, ds, mk(OP_LOG1P, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_EXP: return emit(e, ds, mk(OP_EXP, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_ROUND: {
        instr in = mk(OP_ROUND, &a, NULL);
        in.iparam = n->nkids == 2 ? (int)n->kids[1]->num : 0;
        return emit(e, ds, in, 1, CRM_TYPE_NUMBER, out);
    }
    case F_YEAR: return emit(e, ds, mk(OP_YEAR, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_MONTH: return emit(e, ds, mk(OP_MONTH, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case F_DAY: return emit(e, ds, mk(OP_DAY, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    default: /* F_DAYS_BETWEEN */
        if ((st = gen(e, ds, n->kids[1], &b)))
            return st;
        return emit(e, ds, mk(OP_DAYS_BETWEEN, &a, &b), 2, CRM_TYPE_NUMBER, out);
    }
}

static crm_status gen(crm__expr *e, const crm_dataset *ds, const node *n, opnd *out)
{
    crm_status st;
    opnd a, b;
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case N_NUM: return scalar_num(n->num, out);
    case N_TEXT:
        out->kind = O_SCALAR;
        out->type = CRM_TYPE_TEXT;
        out->str = n->str;
        out->slen = n->slen;
        return CRM_OK;
    case N_TIME:
        out->kind = O_SCALAR;
        out->type = CRM_TYPE_TIME;
        out->time = n->time;
        return CRM_OK;
    case N_COL:
        out->kind = O_COL;
        out->type = n->type;
        out->idx = n->col;
        return CRM_OK;
    case N_NEG:
        if ((st = gen(e, ds, n->kids[0], &a)))
            return st;
        return emit(e, ds, mk(OP_NEG, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case N_NOT:
        if ((st = gen(e, ds, n->kids[0], &a)))
            return st;
        return emit(e, ds, mk(OP_NOT, &a, NULL), 1, CRM_TYPE_NUMBER, out);
    case N_ISMISS: {
        if ((st = gen(e, ds, n->kids[0], &a)))
            return st;
        if (a.type == CRM_TYPE_TEXT && a.kind == O_SCALAR)
            return scalar_num(n->op ? 1.0 : 0.0, out);
        int op = a.type == CRM_TYPE_NUMBER ? OP_ISMISS
                 : a.type == CRM_TYPE_TIME ? OP_T_ISMISS
                                           : OP_C_ISMISS;
        instr in = mk(op, &a, NULL);
        in.iparam = n->op;
        return emit(e, ds, in, 1, CRM_TYPE_NUMBER, out);
    }
    case N_CMP: return gen_cmp(e, ds, n, out);
    case N_CALL: return gen_call(e, ds, n, out);
    default: /* chains */
        break;
    }
    if ((st = gen(e, ds, n->kids[0], &a)))
        return st;
    for (size_t k = 1; k < n->nkids; k++) {
        if ((st = gen(e, ds, n->kids[k], &b)))
            return st;
        int tok = n->ops[k];
        int op;
        int32_t t = CRM_TYPE_NUMBER;
        instr in;
        if (n->kind == N_AND || n->kind == N_OR) {
            in = mk(n->kind == N_AND ? OP_AND : OP_OR, &a, &b);
        } else if (a.type == CRM_TYPE_NUMBER && b.type == CRM_TYPE_NUMBER) {
            op = tok == T_PLUS ? OP_ADD : tok == T_MINUS ? OP_SUB : tok == T_STAR ? OP_MUL : OP_DIV;
            in = mk(op, &a, &b);
        } else if (a.type == CRM_TYPE_TIME && b.type == CRM_TYPE_TIME) {
            in = mk(OP_T_DIFF, &a, &b);
        } else if (a.type == CRM_TYPE_TIME) {
            in = mk(tok == T_PLUS ? OP_T_ADDN : OP_T_SUBN, &a, &b);
            t = CRM_TYPE_TIME;
        } else { /* number + time */
            in = mk(OP_T_ADDN, &b, &a);
            t = CRM_TYPE_TIME;
        }
        if ((st = emit(e, ds, in, 2, t, &a)))
            return st;
    }
    *out = a;
    return CRM_OK;
}

/* ---- public internal API ------------------------------------------------ */

void crm__expr_free(crm__expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nnodes; i++) {
        crm__free(e->nodes[i]->kids);
        crm__free(e->nodes[i]->ops);
        crm__free(e->nodes[i]->opos);
        crm__free(e->nodes[i]);
    }
    crm__free(e->nodes);
    for (size_t i = 0; i < e->nstrs; i++)
        crm__free(e->strs[i]);
    crm__free(e->strs);
    for (size_t i = 0; i < e->ncode; i++)
        crm__free(e->code[i].lut);
    crm__free(e->code);
    crm__free(e->freeregs);
    crm__free(e);
}

crm_status crm__expr_compile(const crm_dataset *ds, const char *text, crm__expr **out)
{
    *out = NULL;
    crm__expr *e = crm__calloc(1, sizeof *e);
    if (!e)
        return crm__nomem();
    e->src = text;
    e->srclen = strlen(text);
    e->ncols = ds->ncols;
    e->nrows = ds->nrows;
    crm_status st;
    size_t bad = crm__utf8_first_invalid(text, e->srclen);
    if (bad < e->srclen) {
        st = perr(e, bad, "invalid UTF-8");
        goto fail;
    }
    parser P;
    memset(&P, 0, sizeof P);
    P.e = e;
    P.ds = ds;
    P.s = text;
    P.len = e->srclen;
    node *root;
    if ((st = next(&P)))
        goto fail;
    if (P.tok.kind == T_END) {
        st = perr(e, P.tok.pos, "empty expression");
        goto fail;
    }
    if ((st = parse_or(&P, &root)))
        goto fail;
    if (P.tok.kind != T_END) {
        if (P.tok.kind == T_RP)
            st = perr(e, P.tok.pos, "unbalanced ')' (no matching '(')");
        else
            st = unexpected(&P, "an operator or the end of the expression");
        goto fail;
    }
    if ((st = gen(e, ds, root, &e->result)))
        goto fail;
    e->src = NULL; /* the text is not needed after compilation */
    *out = e;
    return CRM_OK;
fail:
    crm__expr_free(e);
    return st;
}

int32_t crm__expr_type(const crm__expr *e)
{
    return e->result.type;
}

static vec resolve(const opnd *o, const crm_dataset *ds, char *regs, size_t r0)
{
    vec v;
    v.s = 1;
    switch (o->kind) {
    case O_SCALAR: return scalar_vec(o);
    case O_COL: {
        const crm__column *c = &ds->cols[o->idx];
        if (c->type == CRM_TYPE_TEXT)
            v.p = c->v.code + r0;
        else if (c->type == CRM_TYPE_TIME)
            v.p = c->v.time + r0;
        else
            v.p = c->v.num + r0;
        return v;
    }
    default: v.p = regs + o->idx * CRM__EXPR_BLOCK * 8; return v;
    }
}

/* Run the program on rows [r0, r0 + m) and return the result as a vec. */
static vec run_block(const crm__expr *e, const crm_dataset *ds, char *regs, size_t r0, size_t m)
{
    for (size_t i = 0; i < e->ncode; i++) {
        const instr *in = &e->code[i];
        vec va = resolve(&in->a, ds, regs, r0), vb = resolve(&in->b, ds, regs, r0);
        void *out = regs + in->dst * CRM__EXPR_BLOCK * 8;
        if (m == CRM__EXPR_BLOCK)
            exec_block(in, ds, va, vb, out);
        else
            exec(in, ds, va, vb, out, m);
    }
    return resolve(&e->result, ds, regs, r0);
}

static crm_status check_shape(const crm__expr *e, const crm_dataset *ds)
{
    if (ds->ncols != e->ncols || ds->nrows != e->nrows)
        return crm__error(CRM_E_INVALID, "expression compiled for another dataset shape");
    return CRM_OK;
}

crm_status crm__expr_select(const crm__expr *e, const crm_dataset *ds, size_t **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    crm_status st = check_shape(e, ds);
    if (st)
        return st;
    if (e->result.type != CRM_TYPE_NUMBER)
        return crm__error(CRM_E_TYPE, "filter condition is %s; expected a boolean or number",
                          type_word(e->result.type));
    size_t nr = ds->nrows;
    size_t *idx = crm__malloc_array(nr ? nr : 1, sizeof *idx);
    if (!idx)
        return crm__nomem();
    char *regs = NULL;
    if (e->nregs) {
        regs = crm__malloc_array(e->nregs, CRM__EXPR_BLOCK * 8);
        if (!regs) {
            crm__free(idx);
            return crm__nomem();
        }
    }
    size_t k = 0;
    for (size_t r0 = 0; r0 < nr; r0 += CRM__EXPR_BLOCK) {
        size_t m = nr - r0 < CRM__EXPR_BLOCK ? nr - r0 : CRM__EXPR_BLOCK;
        vec v = run_block(e, ds, regs, r0, m);
        const double *x = v.p;
        if (!v.s) {
            if (x[0] != 0 && x[0] == x[0])
                for (size_t i = 0; i < m; i++)
                    idx[k++] = r0 + i;
            continue;
        }
        for (size_t i = 0; i < m; i++) {
            idx[k] = r0 + i;
            k += (x[i] != 0) & (x[i] == x[i]);
        }
    }
    crm__free(regs);
    *rows = idx;
    *n = k;
    return CRM_OK;
}

crm_status crm__expr_eval(const crm__expr *e, const crm_dataset *ds, void **data, crm__dict **dict)
{
    *data = NULL;
    *dict = NULL;
    crm_status st = check_shape(e, ds);
    if (st)
        return st;
    size_t nr = ds->nrows;
    int32_t t = e->result.type;
    if (t == CRM_TYPE_TEXT) {
        int32_t *codes = crm__malloc_array(nr ? nr : 1, sizeof *codes);
        if (!codes)
            return crm__nomem();
        if (e->result.kind == O_COL) {
            const crm__column *c = &ds->cols[e->result.idx];
            if (nr)
                memcpy(codes, c->v.code, nr * sizeof *codes);
            *dict = crm__dict_retain(c->dict);
        } else {
            crm__dict *d;
            int32_t code;
            if ((st = crm__dict_new(&d))) {
                crm__free(codes);
                return st;
            }
            if ((st = crm__dict_intern(d, e->result.str, e->result.slen, &code))) {
                crm__dict_release(d);
                crm__free(codes);
                return st;
            }
            for (size_t i = 0; i < nr; i++)
                codes[i] = code;
            *dict = d;
        }
        *data = codes;
        return CRM_OK;
    }
    char *res = crm__malloc_array(nr ? nr : 1, 8);
    if (!res)
        return crm__nomem();
    char *regs = NULL;
    if (e->nregs) {
        regs = crm__malloc_array(e->nregs, CRM__EXPR_BLOCK * 8);
        if (!regs) {
            crm__free(res);
            return crm__nomem();
        }
    }
    for (size_t r0 = 0; r0 < nr; r0 += CRM__EXPR_BLOCK) {
        size_t m = nr - r0 < CRM__EXPR_BLOCK ? nr - r0 : CRM__EXPR_BLOCK;
        vec v = run_block(e, ds, regs, r0, m);
        if (v.s) {
            memcpy(res + r0 * 8, v.p, m * 8);
        } else {
            for (size_t i = 0; i < m; i++)
                memcpy(res + (r0 + i) * 8, v.p, 8);
        }
    }
    crm__free(regs);
    *data = res;
    return CRM_OK;
}

/* ---- public API --------------------------------------------------------- */

crm_status crm_dataset_filter(const crm_dataset *ds, const char *expr, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!ds || !expr || !out)
        return crm__error(CRM_E_INVALID, "crm_dataset_filter: NULL argument");
    crm__expr *e;
    crm_status st = crm__expr_compile(ds, expr, &e);
    if (st)
        return st;
    size_t *rows, n;
    st = crm__expr_select(e, ds, &rows, &n);
    crm__expr_free(e);
    if (st)
        return st;
    st = crm__dataset_take(ds, n == ds->nrows ? NULL : rows, n, out);
    crm__free(rows);
    return st;
}

/* Column references of expr, by its tokens: a quoted name, or a bare name
 * that neither calls a function nor is the `missing` of `is [not] missing`.
 * Distinct names in order of first appearance into names (their strings
 * are kept by e). */
static crm_status expr_names(crm__expr *e, const char *expr, const char ***names, size_t *n)
{
    parser P;
    memset(&P, 0, sizeof P);
    P.e = e;
    P.s = expr;
    P.len = e->srclen;
    size_t cap = 0;
    int prev = 0, prev2 = 0;
    crm_status st = next(&P);
    while (!st && P.tok.kind != T_END) {
        token t = P.tok;
        if ((st = next(&P)))
            break;
        int is_col = t.kind == T_QIDENT ||
                     (t.kind == T_IDENT && P.tok.kind != T_LP &&
                      !((prev == T_IS || (prev == T_NOT && prev2 == T_IS)) &&
                        word_eq(t.str, t.slen, "missing")));
        size_t k = 0;
        while (is_col && k < *n && strcmp((*names)[k], t.str) != 0)
            k++;
        if (is_col && k == *n) {
            if (grow((void **)names, &cap, *n + 1, sizeof **names))
                return crm__nomem();
            (*names)[(*n)++] = t.str;
        }
        prev2 = prev;
        prev = t.kind;
    }
    return st;
}

crm_status crm_expr_columns(const char *expr, crm_dataset **out)
{
    if (out)
        *out = NULL;
    if (!expr || !out)
        return crm__error(CRM_E_INVALID, "crm_expr_columns: NULL argument");
    crm__expr *e = crm__calloc(1, sizeof *e);
    if (!e)
        return crm__nomem();
    e->src = expr;
    e->srclen = strlen(expr);
    const char **names = NULL;
    size_t n = 0;
    crm_status st;
    size_t bad = crm__utf8_first_invalid(expr, e->srclen);
    if (bad < e->srclen)
        st = perr(e, bad, "invalid UTF-8");
    else
        st = expr_names(e, expr, &names, &n);
    crm_dataset *ds = NULL;
    if (!st)
        st = crm_dataset_new(&ds);
    if (!st)
        st = crm_dataset_add_text(ds, "column", names, n);
    crm__free(names);
    crm__expr_free(e);
    if (st) {
        crm_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CRM_OK;
}

crm_status crm_dataset_mutate(crm_dataset *ds, const char *name, const char *expr)
{
    if (!ds || !name || !expr)
        return crm__error(CRM_E_INVALID, "crm_dataset_mutate: NULL argument");
    crm_status st = crm__dataset_check_writable(ds, "crm_dataset_mutate");
    if (st)
        return st;
    size_t col = crm__dataset_lookup(ds, name);
    int replace = col != SIZE_MAX;
    if (!replace && (st = crm__dataset_check_new_name(ds, name)))
        return st;
    crm__expr *e;
    if ((st = crm__expr_compile(ds, expr, &e)))
        return st;
    int32_t t = crm__expr_type(e);
    void *data;
    crm__dict *dict;
    st = crm__expr_eval(e, ds, &data, &dict);
    crm__expr_free(e);
    if (st)
        return st;
    if (replace) {
        crm__column *c = &ds->cols[col];
        crm__free(c->v.ptr);
        crm__dict_release(c->dict);
        c->type = t;
        c->v.ptr = data;
        c->dict = dict;
        return CRM_OK;
    }
    st = crm__dataset_add_owned(ds, name, t, data, dict, ds->nrows);
    if (st) {
        crm__free(data);
        crm__dict_release(dict);
    }
    return st;
}
