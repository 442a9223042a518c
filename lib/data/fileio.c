/* Whole-file reading with transparent gzip decompression (zlib). */
#define _POSIX_C_SOURCE 200809L
#include "data/csv_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

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

static int is_gzip(const unsigned char *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Growable output of the inflater. */
typedef struct outbuf {
    char *data;
    size_t len, cap;
} outbuf;

/* Ensure min_free bytes after len: the first allocation is exact, later ones double. */
static crm_status out_grow(outbuf *o, size_t min_free)
{
    if (o->cap - o->len >= min_free)
        return CRM_OK;
    if (min_free > SIZE_MAX / 2 - o->len || o->cap > SIZE_MAX / 2)
        return crm__nomem();
    size_t need = o->len + min_free;
    size_t cap = o->cap ? o->cap * 2 : 4096;
    if (cap < need)
        cap = need;
    char *d = crm__realloc(o->data, cap);
    if (!d)
        return crm__nomem();
    o->data = d;
    o->cap = cap;
    return CRM_OK;
}

/* Streaming inflater over one or more concatenated gzip members. */
typedef struct gunz {
    z_stream zs;
    int live;      /* inflateInit2 succeeded */
    int in_member; /* inside a member (its end not yet seen) */
    int members;   /* members started so far */
    int done;      /* zero padding was seen: nothing but zeros may follow */
    const char *name;
} gunz;

static crm_status gz_fail(const gunz *g, int zret)
{
    if (zret == Z_MEM_ERROR)
        return crm__nomem();
    return crm__error(CRM_E_IO, "%s: corrupt gzip data (%s)", g->name,
                      g->zs.msg ? g->zs.msg : "invalid stream");
}

static crm_status gz_begin(gunz *g, const char *name)
{
    memset(g, 0, sizeof *g);
    g->name = name;
    g->zs.zalloc = crm__zalloc;
    g->zs.zfree = crm__zfree;
    g->zs.opaque = Z_NULL;
    int zr = inflateInit2(&g->zs, 15 + 32);
    if (zr != Z_OK)
        return zr == Z_MEM_ERROR ? crm__nomem() : gz_fail(g, zr);
    g->live = 1;
    return CRM_OK;
}

static void gz_end(gunz *g)
{
    if (g->live)
        inflateEnd(&g->zs);
    g->live = 0;
}

/* Feed [in, in + n) to the inflater, appending output to o. */
static crm_status gz_feed(gunz *g, const unsigned char *in, size_t n, outbuf *o)
{
    while (n > 0) {
        if (!g->in_member) {
            /* Between members: another member must start here; zero padding
             * after the last member is tolerated as gzip(1) does. */
            if (in[0] == 0) {
                size_t k = 0;
                while (k < n && in[k] == 0)
                    k++;
                in += k;
                n -= k;
                g->done = 1;
                continue;
            }
            if (g->done || in[0] != 0x1f)
                return crm__error(CRM_E_IO, "%s: corrupt gzip data (trailing garbage after the "
                                            "compressed stream)",
                                  g->name);
            if (g->members > 0) {
                int zr = inflateReset(&g->zs);
                if (zr != Z_OK)
                    return gz_fail(g, zr);
            }
            g->members++;
            g->in_member = 1;
        }
        uInt chunk = n > (size_t)UINT32_MAX / 2 ? (uInt)(UINT32_MAX / 2) : (uInt)n;
        g->zs.next_in = (Bytef *)(uintptr_t)in;
        g->zs.avail_in = chunk;
        int zr;
        for (;;) {
            /* two free bytes: one for output, one kept for the terminator */
            crm_status st = out_grow(o, 2);
            if (st)
                return st;
            size_t room = o->cap - o->len - 1;
            if (room > (size_t)UINT32_MAX / 2)
                room = (size_t)UINT32_MAX / 2;
            g->zs.next_out = (Bytef *)(o->data + o->len);
            g->zs.avail_out = (uInt)room;
            zr = inflate(&g->zs, Z_NO_FLUSH);
            o->len += room - g->zs.avail_out;
            if (zr == Z_STREAM_END)
                break;
            if (zr == Z_BUF_ERROR) {
                if (g->zs.avail_out == 0)
                    continue; /* needs more room */
                break;        /* needs more input */
            }
            if (zr != Z_OK)
                return gz_fail(g, zr);
            if (g->zs.avail_in == 0 && g->zs.avail_out > 0)
                break; /* all input consumed and all output delivered */
        }
        size_t used = chunk - g->zs.avail_in;
        if (used == 0 && zr != Z_STREAM_END)
            return crm__error(CRM_E_IO, "%s: corrupt gzip data (no progress)", g->name);
        in += used;
        n -= used;
        if (zr == Z_STREAM_END)
            g->in_member = 0;
    }
    return CRM_OK;
}

static crm_status gz_finish(const gunz *g)
{
    if (g->in_member)
        return crm__error(CRM_E_IO, "%s: truncated gzip data (the compressed stream ends early)",
                          g->name);
    return CRM_OK;
}

crm_status crm__gunzip(const unsigned char *src, size_t n, const char *name, char **out,
                       size_t *len)
{
    *out = NULL;
    *len = 0;
    outbuf o = {NULL, 0, 0};
    gunz g;
    crm_status st = gz_begin(&g, name);
    if (st)
        return st;
    /* The trailer of the last member holds its size modulo 2^32: a good first guess. */
    size_t guess = n * 4;
    if (n >= 18) {
        uint32_t isize = (uint32_t)src[n - 4] | (uint32_t)src[n - 3] << 8 |
                         (uint32_t)src[n - 2] << 16 | (uint32_t)src[n - 1] << 24;
        if (isize >= n / 2 && isize < (uint32_t)INT32_MAX)
            guess = (size_t)isize + 1;
    }
    if (guess < 4096)
        guess = 4096;
    if (!(st = out_grow(&o, guess)) && !(st = gz_feed(&g, src, n, &o)))
        st = gz_finish(&g);
    gz_end(&g);
    if (st) {
        crm__free(o.data);
        return st;
    }
    if ((st = out_grow(&o, 1))) {
        crm__free(o.data);
        return st;
    }
    o.data[o.len] = '\0';
    *out = o.data;
    *len = o.len;
    return CRM_OK;
}

static crm_status io_error(const char *path, const char *what, int err)
{
    char eb[CRM__STRERROR_SIZE];
    return crm__error(CRM_E_IO, "%s: cannot %s: %s", path, what,
                      crm__strerror(err, eb, sizeof eb));
}

/* Read the rest of a plain file into o (its first bytes are already there). */
static crm_status read_rest(FILE *fp, const char *path, outbuf *o)
{
    for (;;) {
        if (o->cap - o->len <= 1) {
            /* Full (the size given by fstat was reached): grow only if more follows. */
            int c = fgetc(fp);
            if (c == EOF)
                return ferror(fp) ? io_error(path, "read", errno ? errno : EIO) : CRM_OK;
            crm_status st = out_grow(o, 65536);
            if (st)
                return st;
            o->data[o->len++] = (char)c;
        }
        crm_status st = out_grow(o, 2);
        if (st)
            return st;
        size_t room = o->cap - o->len - 1;
        size_t got = fread(o->data + o->len, 1, room, fp);
        o->len += got;
        if (got < room) {
            if (ferror(fp))
                return io_error(path, "read", errno ? errno : EIO);
            return CRM_OK;
        }
    }
}

static crm_status read_gzip_stream(FILE *fp, const char *path, const unsigned char *head,
                                   size_t nhead, long long fsize, outbuf *o)
{
    gunz g;
    crm_status st = gz_begin(&g, path);
    if (st)
        return st;
    size_t guess = fsize > 0 ? (size_t)fsize * 4 : 65536;
    if (fsize >= 18) {
        /* Peek at the trailer's size field for a better first guess. */
        unsigned char t[4];
        long pos = ftell(fp);
        if (pos >= 0 && fseek(fp, -4L, SEEK_END) == 0 && fread(t, 1, 4, fp) == 4) {
            uint32_t isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                             (uint32_t)t[3] << 24;
            if (isize >= (uint64_t)fsize / 2 && isize < (uint32_t)INT32_MAX)
                guess = (size_t)isize + 1;
        }
        if (pos < 0 || fseek(fp, pos, SEEK_SET) != 0) {
            gz_end(&g);
            return io_error(path, "seek", errno ? errno : EIO);
        }
    }
    unsigned char *in = NULL;
    if ((st = out_grow(o, guess)))
        goto done;
    if ((st = gz_feed(&g, head, nhead, o)))
        goto done;
    in = crm__malloc(1 << 18);
    if (!in) {
        st = crm__nomem();
        goto done;
    }
    for (;;) {
        size_t got = fread(in, 1, 1 << 18, fp);
        if (got > 0 && (st = gz_feed(&g, in, got, o)))
            goto done;
        if (got < (1 << 18)) {
            if (ferror(fp)) {
                st = io_error(path, "read", errno ? errno : EIO);
                goto done;
            }
            break;
        }
    }
    st = gz_finish(&g);
done:
    crm__free(in);
    gz_end(&g);
    return st;
}

crm_status crm__read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return io_error(path, "open", errno);
    struct stat sb;
    long long fsize = -1;
    if (fstat(fileno(fp), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            fclose(fp);
            return crm__error(CRM_E_IO, "%s: cannot read: is a directory", path);
        }
        if (S_ISREG(sb.st_mode))
            fsize = (long long)sb.st_size;
    }
    unsigned char head[2];
    size_t nhead = fread(head, 1, 2, fp);
    if (nhead < 2 && ferror(fp)) {
        int e = errno ? errno : EIO;
        fclose(fp);
        return io_error(path, "read", e);
    }
    outbuf o = {NULL, 0, 0};
    crm_status st;
    if (is_gzip(head, nhead)) {
        st = read_gzip_stream(fp, path, head, nhead, fsize, &o);
    } else {
        /* Plain file: one allocation of the right size when the size is known. */
        size_t want = fsize >= 0 ? (size_t)fsize + 1 : 65536;
        st = out_grow(&o, want < 3 ? 3 : want);
        if (!st) {
            memcpy(o.data, head, nhead);
            o.len = nhead;
            if (fsize < 0 || (size_t)fsize > nhead)
                st = read_rest(fp, path, &o);
        }
    }
    fclose(fp);
    if (!st)
        st = out_grow(&o, 1);
    if (st) {
        crm__free(o.data);
        return st;
    }
    o.data[o.len] = '\0';
    *out = o.data;
    *len = o.len;
    return CRM_OK;
}
