/*
 * fork_floor.c -- the floor under bench-witness: what this machine takes to
 * make a process and take it down again, with nothing else done.  Every
 * witness runs in a process of its own, forked from a small static program
 * (src/witness/host), so no witness can come back sooner than this.
 *
 * Usage: fork-floor N   (writes JSON to stdout)
 * This program is static, like the witness host.  It forks N children
 * that exit at once, first keeping one alive at a time, then two (as
 * bench-witness runs two witnesses at a time), and times each child from
 * fork to reaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_clock.h"

#define MAX_AT_ONCE 2

struct floor {
	double per_s, median_ms, p90_ms;
};

/* Forks n children, at_once of them alive at a time; -1 if fork fails. */
static int measure(int n, int at_once, struct floor *f)
{
	double *ms = calloc((size_t)n, sizeof *ms);
	pid_t pid[MAX_AT_ONCE];
	double born[MAX_AT_ONCE];
	int alive = 0, started = 0, done = 0;
	if (!ms)
		return -1;
	double t0 = bench_now_ms();
	while (done < n) {
		while (alive < at_once && started < n) {
			born[alive] = bench_now_ms();
			pid[alive] = fork();
			if (pid[alive] == 0)
				_exit(0);
			if (pid[alive] < 0) {
				free(ms);
				return -1;
			}
			alive++;
			started++;
		}
		int st;
		pid_t p = wait(&st);
		for (int k = 0; k < alive; k++) {
			if (pid[k] != p)
				continue;
			ms[done++] = bench_now_ms() - born[k];
			pid[k] = pid[alive - 1];
			born[k] = born[alive - 1];
			alive--;
			break;
		}
	}
	double wall = bench_now_ms() - t0;
	qsort(ms, (size_t)n, sizeof *ms, bench_cmp_double);
	f->per_s = n / (wall / 1e3);
	f->median_ms = ms[n / 2];
	f->p90_ms = ms[(size_t)(0.9 * (n - 1))];
	free(ms);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	struct floor f[MAX_AT_ONCE];
	if (n < 1) {
		fprintf(stderr, "usage: fork-floor N\n");
		return 2;
	}
	for (int k = 0; k < MAX_AT_ONCE; k++)
		if (measure(n, k + 1, &f[k]) < 0) {
			perror("fork-floor: fork");
			return 1;
		}
	printf("{\n  \"forks\": %d,\n", n);
	for (int k = 0; k < MAX_AT_ONCE; k++)
		printf("  \"at_once_%d\": {\"per_s\": %.1f, \"median_ms\": %.3f, "
		    "\"p90_ms\": %.3f}%s\n", k + 1, f[k].per_s, f[k].median_ms,
		    f[k].p90_ms, k + 1 < MAX_AT_ONCE ? "," : "");
	printf("}\n");
	return 0;
}
