/* Helpers shared by the C benchmarks: wall and process CPU clocks, and the splitmix64
 * stream the generated data of the benchmarks come from (the Python and R sides of each
 * benchmark generate the same rows with the same function). */
#ifndef CRM_BENCH_UTIL_H
#define CRM_BENCH_UTIL_H

#include <stdint.h>
#include <time.h>

/* Monotonic wall-clock seconds. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads). */
static inline double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* A uniform double in [0, 1) from the i-th value of the stream (53 bits). */
static inline double unit01(uint64_t i)
{
    return (double)(splitmix64(i) >> 11) * 0x1p-53;
}

#endif
