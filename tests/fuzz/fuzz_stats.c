/* libFuzzer harness for crm_stats_deserialize() (see README.md in this folder).
 * Each input is read twice: as it is (the header checks: magic, versions, kind, lengths,
 * checksum), and as a payload wrapped in a valid header and checksum of this library version
 * (first byte: the kind), so the fuzzer reaches the per-kind parsers behind the checksum.
 * A failure must set *out to NULL and leave a message. Statistics that load must
 *   - serialize, read back and serialize again to the same bytes;
 *   - merge with a copy of themselves (or fail with a message);
 *   - answer their named arrays, and finalize (group-by, RFM, Apriori counts, k-means
 *     update) or fail with a message.
 * Anything else aborts, and so does any sanitizer finding. */
#include "fuzz_util.h"

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The statistics checksum (format 2, crm/stats.h). */
static uint64_t stats_checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)n;
    for (size_t i = 0;; i += 8) {
        uint64_t w = 0;
        size_t k = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < k; j++)
            w |= (uint64_t)p[i + j] << (8 * j);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        if (k < 8) break;
    }
    return h;
}

static void check_status(crm_status st, const void *out, const char *what)
{
    if (st != CRM_OK)
        FUZZ_CHECK(out == NULL && crm_last_error()[0] != '\0', "%s: failure %s without message "
                                                               "or with an output",
                   what, crm_status_str(st));
}

static void exercise(const crm_stats *s)
{
    size_t n = 0, n2 = 0;
    FUZZ_CHECK(crm_stats_serialized_size(s, &n) == CRM_OK, "size");
    uint8_t *b = malloc(n), *b2 = NULL;
    FUZZ_CHECK(b && crm_stats_serialize(s, b, n) == CRM_OK, "serialize");
    crm_stats *back = NULL;
    FUZZ_CHECK(crm_stats_deserialize(b, n, &back) == CRM_OK, "read back: %s", crm_last_error());
    FUZZ_CHECK(crm_stats_serialized_size(back, &n2) == CRM_OK && n2 == n, "size again");
    b2 = malloc(n2);
    FUZZ_CHECK(b2 && crm_stats_serialize(back, b2, n2) == CRM_OK && memcmp(b, b2, n) == 0,
               "bytes differ after a round trip");
    crm_status st = crm_stats_merge(back, s);
    FUZZ_CHECK(st == CRM_OK || crm_last_error()[0] != '\0', "merge without message");
    static const char *const names[] = {"centers", "sums",   "counts",   "wcss",   "inertia",
                                        "candidates", "weights", "cost", "d",      "xtx",
                                        "xty",     "yty",    "hessian",  "gradient", "coef",
                                        "loglik",  "weight", "sizes",    "transactions"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t m = 0;
        if (crm_stats_value_count(s, names[i], &m) != CRM_OK) continue;
        double *v = malloc((m ? m : 1) * sizeof *v);
        FUZZ_CHECK(v && crm_stats_values(s, names[i], v, m) == CRM_OK, "values %s", names[i]);
        free(v);
    }
    crm_dataset *d1 = NULL, *d2 = NULL;
    switch (crm_stats_get_kind(s)) {
    case CRM_STATS_GROUP:
        check_status(crm_group_stats_finalize(s, &d1), d1, "group finalize");
        break;
    case CRM_STATS_RFM:
        check_status(crm_rfm_stats_finalize(s, NULL, &d1), d1, "rfm finalize");
        break;
    case CRM_STATS_ITEM_COUNTS:
        st = crm_apriori_stats_finalize(s, NULL, &d1, &d2);
        check_status(st, d1, "apriori finalize");
        break;
    case CRM_STATS_KMEANS: {
        size_t m = 0;
        FUZZ_CHECK(crm_stats_value_count(s, "centers", &m) == CRM_OK, "centers");
        double *c = malloc((m ? m : 1) * sizeof *c);
        FUZZ_CHECK(c && crm_kmeans_stats_update(s, c, m) == CRM_OK, "update");
        free(c);
        break;
    }
    default:
        break;
    }
    crm_dataset_free(d1);
    crm_dataset_free(d2);
    crm_stats_free(back);
    free(b);
    free(b2);
}

static void one(const uint8_t *data, size_t size)
{
    crm_stats *s = (crm_stats *)(uintptr_t)1;
    crm_status st = crm_stats_deserialize(data, size, &s);
    check_status(st, s, "deserialize");
    if (st == CRM_OK) exercise(s);
    crm_stats_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    if (size < 1) return 0;
    /* header: magic, format, library, kind, fingerprint, rows, payload length */
    size_t plen = size - 1, n = 44 + plen + 8;
    uint8_t *b = malloc(n);
    if (!b) return 0;
    memcpy(b, "CRMSTATS", 8);
    put_u32(b + 8, CRM_STATS_FORMAT_VERSION);
    put_u32(b + 12, (uint32_t)crm_version_number());
    put_u32(b + 16, (uint32_t)(data[0] % 10));
    put_u64(b + 20, 0);
    put_u64(b + 28, 1);
    put_u64(b + 36, plen);
    memcpy(b + 44, data + 1, plen);
    put_u64(b + 44 + plen, stats_checksum(b, 44 + plen));
    one(b, n);
    free(b);
    return 0;
}
