/* xoshiro256** (Blackman & Vigna) seeded through splitmix64: integer-only,
 * so the stream is identical on every platform. */
#include "core/internal.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void crm__rng_seed(crm__rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

void crm__rng_seed_stream(crm__rng *r, uint64_t seed, uint64_t k)
{
    uint64_t x = seed;
    uint64_t mixed = splitmix64(&x) ^ (k * 0xD1B54A32D192ED03ULL);
    crm__rng_seed(r, mixed);
}

uint64_t crm__rng_next(crm__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double crm__rng_uniform(crm__rng *r)
{
    return (double)(crm__rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t crm__rng_below(crm__rng *r, uint64_t n)
{
    /* Rejection on the top bits: unbiased and platform independent. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do {
        x = crm__rng_next(r);
    } while (x >= limit);
    return x % n;
}

double crm__rng_normal(crm__rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * crm__rng_uniform(r) - 1.0;
        v = 2.0 * crm__rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
