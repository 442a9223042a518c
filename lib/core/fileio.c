/* Chunk sources: the text of a file or of a memory buffer, gzip-decompressed
 * (zlib) when it starts with gzip's magic bytes, handed out one chunk at a
 * time. Memory is O(chunk): nothing here ever holds the whole input, and no
 * length that the input claims (gzip's ISIZE trailer, header fields) sizes an
 * allocation. See fileio.h for the contract. */
#define _POSIX_C_SOURCE 200809L
#include "core/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#if defined(CRM_HAVE_LIBDEFLATE)
#include <libdeflate.h>
#endif

/* zlib's own allocations go through the library allocator too, so that
 * allocation-failure injection reaches them. */
voidpf crm__zalloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return crm__malloc_array(items, size);
}

void crm__zfree(voidpf opaque, voidpf p)
{
    (void)opaque;
    crm__free(p);
}

/* Compressed bytes read from a file at a time. */
#define SRC_IN_SIZE ((size_t)1 << 18)

/* Default limit for gzip input: CRM__GZ_RATIO times the compressed size, and
 * never less than CRM__GZ_FLOOR bytes. */
#define CRM__GZ_RATIO 100
#define CRM__GZ_FLOOR ((uint64_t)64 << 20)

struct crm__src {
    const char *name; /* used in messages (not owned) */
    FILE *fp;         /* file sources */
    int regular;      /* fp is a regular file (seekable, size known) */
    long long fsize;  /* size of a regular file, else -1 */
    const unsigned char *mem; /* memory sources: the caller's bytes */
    size_t mem_len, mem_pos;
    unsigned char head[2]; /* the first bytes of a plain file, read to look for gzip's magic */
    size_t nhead, head_pos;
    int gz;           /* the input is gzip data */
    /* gzip state */
    z_stream zs;
    int zlive;        /* inflateInit2 succeeded */
    int in_member;    /* inside a member (its end not yet seen) */
    int members;      /* members started so far */
    int zeros;        /* zero padding after the last member was seen */
    unsigned char *in; /* compressed bytes read from the file */
    int in_eof;       /* the compressed input is exhausted */
    uint64_t comp_read; /* compressed bytes read so far */
    /* limits */
    int64_t max_bytes; /* caller's max_bytes (0: default rule) */
    int64_t hard_cap;  /* absolute cap (0: none) */
    /* whole-text inflation (crm__src_allow_whole): the text inflated in one
     * piece, handed out from memory */
    int whole_ok;      /* the caller allows it */
    int whole_tried;   /* it was tried (it is tried once) */
    unsigned char *whole; /* the text, or NULL (streaming) */
    size_t whole_len, whole_pos;
    const char *cap_what;
    uint64_t produced; /* text bytes handed out */
    int eof;           /* the end of the text was reached */
    crm_status failed; /* sticky error of the source */
};

static crm_status io_error(const char *path, const char *what, int err)
{
    char eb[CRM__STRERROR_SIZE];
    return crm__error(CRM_E_IO, "%s: cannot %s: %s", path, what,
                      crm__strerror(err, eb, sizeof eb));
}

static crm_status src_fail(crm__src *s, crm_status st)
{
    s->failed = st;
    return st;
}

static crm_status gz_fail(crm__src *s, int zret)
{
    if (zret == Z_MEM_ERROR)
        return src_fail(s, crm__nomem());
    return src_fail(s, crm__error(CRM_E_IO, "%s: corrupt gzip data (%s)", s->name,
                                  s->zs.msg ? s->zs.msg : "invalid stream"));
}

/* The limit on text bytes now, and which rule gives it (1 = max_bytes, 2 = the
 * gzip default, 3 = the hard cap); UINT64_MAX when there is none. */
static uint64_t src_limit(const crm__src *s, int *rule)
{
    uint64_t lim = UINT64_MAX;
    *rule = 0;
    if (s->max_bytes > 0) {
        lim = (uint64_t)s->max_bytes;
        *rule = 1;
    } else if (s->gz) {
        /* The compressed size: that of the file or buffer when known, else
         * what was read so far (a pipe). */
        uint64_t comp = s->mem ? (uint64_t)s->mem_len
                        : s->fsize >= 0 ? (uint64_t)s->fsize
                                        : s->comp_read;
        lim = comp > UINT64_MAX / CRM__GZ_RATIO ? UINT64_MAX : comp * CRM__GZ_RATIO;
        if (lim < CRM__GZ_FLOOR)
            lim = CRM__GZ_FLOOR;
        *rule = 2;
    }
    if (s->hard_cap > 0 && (uint64_t)s->hard_cap < lim) {
        lim = (uint64_t)s->hard_cap;
        *rule = 3;
    }
    return lim;
}

static crm_status limit_error(crm__src *s, uint64_t lim, int rule)
{
    crm_status st;
    if (rule == 1)
        st = crm__error(CRM_E_IO, "%s: the text is longer than max_bytes (%llu bytes)", s->name,
                        (unsigned long long)lim);
    else if (rule == 2)
        st = crm__error(CRM_E_IO,
                        "%s: the gzip data expands to more than %llu bytes, the default limit for "
                        "gzip input (%d times the compressed size, at least %llu MiB); set "
                        "max_bytes to read it",
                        s->name, (unsigned long long)lim, CRM__GZ_RATIO,
                        (unsigned long long)(CRM__GZ_FLOOR >> 20));
    else
        st = crm__error(CRM_E_IO, "%s: more than %llu bytes, the size limit of %s", s->name,
                        (unsigned long long)lim, s->cap_what ? s->cap_what : "this input");
    return src_fail(s, st);
}

static crm_status gz_init(crm__src *s)
{
    s->zs.zalloc = crm__zalloc;
    s->zs.zfree = crm__zfree;
    s->zs.opaque = Z_NULL;
    int zr = inflateInit2(&s->zs, 15 + 32);
    if (zr != Z_OK)
        return zr == Z_MEM_ERROR ? crm__nomem() : gz_fail(s, zr);
    s->zlive = 1;
    if (!s->mem && !(s->in = crm__malloc(SRC_IN_SIZE)))
        return crm__nomem();
    return CRM_OK;
}

/* Start (again) at the first compressed byte. */
static void gz_start(crm__src *s)
{
    s->in_member = 0;
    s->members = 0;
    s->zeros = 0;
    s->in_eof = 0;
    s->comp_read = 0;
    if (s->mem) {
        s->zs.next_in = (Bytef *)(uintptr_t)s->mem;
        s->zs.avail_in = 0;
        s->mem_pos = 0;
    } else {
        /* the two magic bytes were read to recognise the format: feed them first */
        memcpy(s->in, s->head, s->nhead);
        s->zs.next_in = s->in;
        s->zs.avail_in = (uInt)s->nhead;
        s->comp_read = s->nhead;
    }
}

/* More compressed input when the inflater has consumed all it had. */
static crm_status gz_refill(crm__src *s)
{
    if (s->zs.avail_in > 0 || s->in_eof)
        return CRM_OK;
    if (s->mem) {
        size_t left = s->mem_len - s->mem_pos;
        size_t k = left > (size_t)UINT32_MAX / 2 ? (size_t)UINT32_MAX / 2 : left;
        s->zs.next_in = (Bytef *)(uintptr_t)(s->mem + s->mem_pos);
        s->zs.avail_in = (uInt)k;
        s->mem_pos += k;
        s->comp_read += k;
        if (k == 0)
            s->in_eof = 1;
        return CRM_OK;
    }
    size_t got = fread(s->in, 1, SRC_IN_SIZE, s->fp);
    if (got < SRC_IN_SIZE && ferror(s->fp))
        return src_fail(s, io_error(s->name, "read", errno ? errno : EIO));
    s->zs.next_in = s->in;
    s->zs.avail_in = (uInt)got;
    s->comp_read += got;
    if (got == 0)
        s->in_eof = 1;
    return CRM_OK;
}

/* Inflate into [dst, dst + cap) across member boundaries. */
static crm_status gz_next(crm__src *s, char *dst, size_t cap, size_t *got)
{
    size_t k = 0;
    crm_status st;
    while (k < cap) {
        if ((st = gz_refill(s)))
            return st;
        if (s->zs.avail_in == 0) {
            /* end of the compressed input */
            if (s->in_member)
                return src_fail(s, crm__error(CRM_E_IO,
                                              "%s: truncated gzip data (the compressed stream "
                                              "ends early)",
                                              s->name));
            s->eof = 1;
            break;
        }
        if (!s->in_member) {
            /* Between members: another member must start here; zero padding
             * after the last member is tolerated as gzip(1) does. */
            if (s->zs.next_in[0] == 0) {
                while (s->zs.avail_in > 0 && s->zs.next_in[0] == 0) {
                    s->zs.next_in++;
                    s->zs.avail_in--;
                }
                s->zeros = 1;
                continue;
            }
            if (s->zeros || s->zs.next_in[0] != 0x1f)
                return src_fail(s, crm__error(CRM_E_IO,
                                              "%s: corrupt gzip data (trailing garbage after the "
                                              "compressed stream)",
                                              s->name));
            if (s->members > 0) {
                int zr = inflateReset(&s->zs);
                if (zr != Z_OK)
                    return gz_fail(s, zr);
            }
            s->members++;
            s->in_member = 1;
        }
        size_t room = cap - k;
        if (room > (size_t)UINT32_MAX / 2)
            room = (size_t)UINT32_MAX / 2;
        uInt in_before = s->zs.avail_in;
        s->zs.next_out = (Bytef *)(dst + k);
        s->zs.avail_out = (uInt)room;
        int zr = inflate(&s->zs, Z_NO_FLUSH);
        size_t out = room - s->zs.avail_out;
        k += out;
        if (zr == Z_STREAM_END) {
            s->in_member = 0;
            continue;
        }
        if (zr == Z_BUF_ERROR || zr == Z_OK) {
            if (out == 0 && s->zs.avail_in == in_before && s->zs.avail_in > 0 &&
                s->zs.avail_out > 0)
                return src_fail(s, crm__error(CRM_E_IO, "%s: corrupt gzip data (no progress)",
                                              s->name));
            continue; /* output full (the loop ends) or more input needed */
        }
        return gz_fail(s, zr);
    }
    *got = k;
    return CRM_OK;
}

static crm_status plain_next(crm__src *s, char *dst, size_t cap, size_t *got)
{
    size_t k = 0;
    while (k < cap && s->head_pos < s->nhead)
        dst[k++] = (char)s->head[s->head_pos++];
    if (k < cap) {
        if (s->mem) {
            size_t left = s->mem_len - s->mem_pos;
            size_t m = left < cap - k ? left : cap - k;
            memcpy(dst + k, s->mem + s->mem_pos, m);
            s->mem_pos += m;
            k += m;
        } else {
            /* fread until cap bytes or the end (a pipe may deliver less at a time) */
            while (k < cap) {
                size_t r = fread(dst + k, 1, cap - k, s->fp);
                k += r;
                if (r == 0) {
                    if (ferror(s->fp))
                        return src_fail(s, io_error(s->name, "read", errno ? errno : EIO));
                    break;
                }
            }
        }
    }
    if (k == 0)
        s->eof = 1;
    *got = k;
    return CRM_OK;
}

#if defined(CRM_HAVE_LIBDEFLATE)
/* Inflate the gzip members of [in, in + n) into [out, out + cap) with
 * libdeflate; *len = the text's length. 0 when any of it fails, is not plain
 * members with zero padding after the last, or does not fit: streaming then
 * reads the data and reports what is wrong in its own words; -1 when the
 * decompressor cannot be allocated. */
static int whole_members(const unsigned char *in, size_t n, unsigned char *out, size_t cap,
                         size_t *len)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d)
        return -1;
    size_t used = 0, k = 0;
    int ok = 1;
    while (ok && used < n && in[used] != 0) {
        size_t in_n = 0, out_n = 0;
        ok = libdeflate_gzip_decompress_ex(d, in + used, n - used, out + k, cap - k, &in_n,
                                           &out_n) == LIBDEFLATE_SUCCESS;
        used += in_n;
        k += out_n;
    }
    while (ok && used < n)
        ok = in[used++] == 0; /* zero padding after the last member, as gzip(1) */
    libdeflate_free_decompressor(d);
    *len = k;
    return ok && k > 0;
}
#endif

/* Whole-text inflation of gzip data (see crm__src_allow_whole): a file or
 * buffer of at most CRM__WHOLE_MAX compressed bytes whose text fits
 * CRM__WHOLE_RATIO times that size, the limit and CRM__WHOLE_MAX. When it
 * does not apply or fails, the source streams from the first byte. */
#define CRM__WHOLE_MAX ((uint64_t)64 << 20)
#define CRM__WHOLE_RATIO 40
static crm_status whole_try(crm__src *s)
{
    s->whole_tried = 1;
#if defined(CRM_HAVE_LIBDEFLATE)
    uint64_t comp = s->mem ? (uint64_t)s->mem_len : s->regular ? (uint64_t)s->fsize : 0;
    if (!comp || comp > CRM__WHOLE_MAX || s->produced || s->comp_read > s->nhead)
        return CRM_OK;
    int rule;
    uint64_t cap = comp * CRM__WHOLE_RATIO, lim = src_limit(s, &rule);
    if (cap > lim)
        cap = lim;
    if (cap > CRM__WHOLE_MAX)
        cap = CRM__WHOLE_MAX;
    unsigned char *in = (unsigned char *)(uintptr_t)s->mem;
    if (!in) {
        /* the compressed file, then back to where streaming goes on */
        if (!(in = crm__malloc((size_t)comp)))
            return crm__nomem();
        memcpy(in, s->head, s->nhead);
        size_t got = s->nhead + fread(in + s->nhead, 1, (size_t)comp - s->nhead, s->fp);
        clearerr(s->fp);
        if (fseek(s->fp, (long)s->nhead, SEEK_SET) != 0) {
            crm__free(in);
            return src_fail(s, io_error(s->name, "seek", errno ? errno : EIO));
        }
        if (got != comp) {
            crm__free(in);
            return CRM_OK;
        }
    }
    /* The last member's ISIZE (its text size mod 2^32) only decides whether to
     * try: text that claims more than fits streams without a wasted attempt.
     * It never sizes anything. */
    const unsigned char *t = in + comp - (comp >= 4 ? 4 : comp);
    uint32_t isize = comp >= 4 ? (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                                     (uint32_t)t[3] << 24
                               : 0;
    if (isize > cap) {
        if (in != s->mem)
            crm__free(in);
        return CRM_OK;
    }
    unsigned char *out = crm__malloc((size_t)cap + 1);
    size_t len = 0;
    int ok = out ? whole_members(in, (size_t)comp, out, (size_t)cap, &len) : -1;
    if (ok > 0) {
        s->whole = out;
        s->whole_len = len;
        s->whole_pos = 0;
        out = NULL;
    }
    crm__free(out);
    if (in != s->mem)
        crm__free(in);
    return ok < 0 ? crm__nomem() : CRM_OK;
#else
    return CRM_OK;
#endif
}

static crm_status whole_next(crm__src *s, char *dst, size_t cap, size_t *got)
{
    size_t k = s->whole_len - s->whole_pos;
    if (k > cap)
        k = cap;
    memcpy(dst, s->whole + s->whole_pos, k);
    s->whole_pos += k;
    if (k == 0)
        s->eof = 1;
    *got = k;
    return CRM_OK;
}

static crm_status src_read(crm__src *s, char *dst, size_t cap, size_t *got)
{
    if (s->gz && s->whole_ok && !s->whole_tried) {
        crm_status st = whole_try(s);
        if (st)
            return st;
    }
    if (s->whole)
        return whole_next(s, dst, cap, got);
    return s->gz ? gz_next(s, dst, cap, got) : plain_next(s, dst, cap, got);
}

void crm__src_allow_whole(crm__src *s)
{
    s->whole_ok = 1;
}

/* Up to the limit, text is handed out as it comes (a read may stop short at
 * the limit); a call made with the limit reached fails when any text is left,
 * so that a reader that stops early (max_rows) never sees the limit. */
crm_status crm__src_next(crm__src *s, char *dst, size_t cap, size_t *got)
{
    *got = 0;
    if (s->failed)
        return s->failed;
    if (s->eof || cap == 0)
        return CRM_OK;
    int rule;
    uint64_t lim = src_limit(s, &rule);
    crm_status st;
    if (lim != UINT64_MAX && s->produced >= lim) {
        if ((st = src_read(s, dst, 1, got)))
            return st;
        s->produced += *got;
        lim = src_limit(s, &rule); /* a pipe's gzip limit grows with the compressed bytes read */
        if (s->produced > lim)
            return limit_error(s, lim, rule);
        return CRM_OK;
    }
    if (lim != UINT64_MAX && cap > lim - s->produced)
        cap = (size_t)(lim - s->produced);
    if ((st = src_read(s, dst, cap, got)))
        return st;
    s->produced += *got;
    return CRM_OK;
}

int crm__src_rewindable(const crm__src *s)
{
    return s->mem != NULL || s->regular;
}

crm_status crm__src_rewind(crm__src *s)
{
    if (s->failed)
        return s->failed;
    if (s->whole) {
        s->whole_pos = 0;
        s->produced = 0;
        s->eof = 0;
        return CRM_OK;
    }
    if (!s->mem) {
        if (!s->regular)
            return crm__error(CRM_E_STATE, "%s: cannot read the input twice", s->name);
        clearerr(s->fp);
        if (fseek(s->fp, (long)s->nhead, SEEK_SET) != 0)
            return src_fail(s, io_error(s->name, "seek", errno ? errno : EIO));
    }
    s->produced = 0;
    s->eof = 0;
    s->mem_pos = 0;
    s->head_pos = 0;
    if (s->gz) {
        if (s->members > 0 || s->in_member) {
            int zr = inflateReset(&s->zs);
            if (zr != Z_OK)
                return gz_fail(s, zr);
        }
        gz_start(s);
    }
    return CRM_OK;
}

crm_status crm__src_drain(crm__src *s)
{
    if (s->failed || s->eof || s->whole)
        return CRM_OK; /* whole text: checked when inflated, and within the limit */
    if (!s->gz) {
        /* Plain text needs no reading to check: only its size against the limit. */
        int rule;
        uint64_t lim = src_limit(s, &rule);
        uint64_t total = s->mem ? (uint64_t)s->mem_len : s->fsize >= 0 ? (uint64_t)s->fsize : 0;
        if (lim != UINT64_MAX && total > lim)
            return limit_error(s, lim, rule);
        return CRM_OK;
    }
    char buf[16384];
    for (;;) {
        size_t got;
        crm_status st = crm__src_next(s, buf, sizeof buf, &got);
        if (st)
            return st;
        if (got == 0)
            return CRM_OK;
    }
}

int crm__src_is_gzip(const crm__src *s)
{
    return s->gz;
}

int64_t crm__src_text_estimate(const crm__src *s)
{
    if (s->whole)
        return (int64_t)s->whole_len;
    if (!s->gz)
        return s->mem ? (int64_t)s->mem_len : (int64_t)s->fsize;
    /* gzip: the ratio seen so far times the compressed size (a real size, not
     * the ISIZE the data claims), at most 20 times it and within the limit */
    uint64_t total = s->mem ? (uint64_t)s->mem_len : s->fsize >= 0 ? (uint64_t)s->fsize : 0;
    uint64_t used = s->comp_read - s->zs.avail_in;
    if (!total || !used || !s->produced)
        return -1;
    double est = (double)s->produced * ((double)total / (double)used);
    if (est > 20.0 * (double)total)
        est = 20.0 * (double)total;
    int rule;
    uint64_t lim = src_limit(s, &rule);
    if (lim != UINT64_MAX && est > (double)lim)
        est = (double)lim;
    return est < 9e18 ? (int64_t)est : -1;
}

void crm__src_close(crm__src *s)
{
    if (!s)
        return;
    if (s->zlive)
        inflateEnd(&s->zs);
    crm__free(s->whole);
    if (s->fp)
        fclose(s->fp);
    crm__free(s->in);
    crm__free(s);
}

static crm_status src_new(const char *name, int64_t max_bytes, int64_t hard_cap,
                          const char *cap_what, crm__src **out)
{
    *out = NULL;
    crm__src *s = crm__calloc(1, sizeof *s);
    if (!s)
        return crm__nomem();
    s->name = name;
    s->fsize = -1;
    s->max_bytes = max_bytes;
    s->hard_cap = hard_cap;
    s->cap_what = cap_what;
    *out = s;
    return CRM_OK;
}

int crm__is_gzip(const void *p, size_t n)
{
    const unsigned char *u = p;
    return n >= 2 && u[0] == 0x1f && u[1] == 0x8b;
}

/* A source whose first bytes (p, n) are gzip's magic inflates from here on;
 * on failure the source is closed. */
static crm_status start_gzip_if_magic(crm__src *s, const unsigned char *p, size_t n)
{
    if (!crm__is_gzip(p, n))
        return CRM_OK;
    s->gz = 1;
    crm_status st = gz_init(s);
    if (st) {
        crm__src_close(s);
        return st;
    }
    gz_start(s);
    return CRM_OK;
}

crm_status crm__src_open_file(const char *path, int64_t max_bytes, int64_t hard_cap,
                              const char *cap_what, crm__src **out)
{
    crm__src *s;
    crm_status st = src_new(path, max_bytes, hard_cap, cap_what, &s);
    if (st)
        return st;
    s->fp = fopen(path, "rb");
    if (!s->fp) {
        st = io_error(path, "open", errno);
        crm__src_close(s);
        return st;
    }
    struct stat sb;
    if (fstat(fileno(s->fp), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            crm__src_close(s);
            return crm__error(CRM_E_IO, "%s: cannot read: is a directory", path);
        }
        if (S_ISREG(sb.st_mode)) {
            s->regular = 1;
            s->fsize = (long long)sb.st_size;
        }
    }
    s->nhead = fread(s->head, 1, 2, s->fp);
    if (s->nhead < 2 && ferror(s->fp)) {
        st = io_error(path, "read", errno ? errno : EIO);
        crm__src_close(s);
        return st;
    }
    if ((st = start_gzip_if_magic(s, s->head, s->nhead)))
        return st;
    *out = s;
    return CRM_OK;
}

crm_status crm__src_open_mem(const void *buf, size_t len, const char *name, int64_t max_bytes,
                             crm__src **out)
{
    crm__src *s;
    crm_status st = src_new(name, max_bytes, 0, NULL, &s);
    if (st)
        return st;
    static const unsigned char empty[1] = {0};
    s->mem = len ? (const unsigned char *)buf : empty;
    s->mem_len = len;
    if ((st = start_gzip_if_magic(s, s->mem, len)))
        return st;
    *out = s;
    return CRM_OK;
}

crm_status crm__read_file(const char *path, int64_t hard_cap, const char *cap_what, char **out,
                          size_t *len)
{
    *out = NULL;
    *len = 0;
    crm__src *s;
    crm_status st = crm__src_open_file(path, 0, hard_cap, cap_what, &s);
    if (st)
        return st;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 2) {
            /* grow geometrically as the text arrives, never from a claimed size */
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap < cap) {
                st = crm__nomem();
                break;
            }
            char *nb = crm__realloc(buf, ncap);
            if (!nb) {
                st = crm__nomem();
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got;
        if ((st = crm__src_next(s, buf + n, cap - n - 1, &got)))
            break;
        if (got == 0)
            break;
        n += got;
    }
    crm__src_close(s);
    if (st) {
        crm__free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return CRM_OK;
}
