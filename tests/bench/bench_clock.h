/*
 * bench_clock.h -- what the C benchmarks share: the monotonic clock in
 * milliseconds, and the comparison qsort needs to sort timings.
 */
#ifndef FOLIO_BENCH_CLOCK_H
#define FOLIO_BENCH_CLOCK_H

#include <time.h>

static inline double bench_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
