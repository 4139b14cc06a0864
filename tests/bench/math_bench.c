/*
 * math_bench.c -- formulas per second of the math pool (2 workers) against
 * KaTeX's renderToString in one Node process, on the same corpus in the
 * same run.
 *
 * Usage: math_bench CORPUS OUT.json   (run from the repository root)
 * Both sides render every formula of CORPUS (one per line; every fourth in
 * display mode).  Both stay up for the whole run (the peer is
 * math-baseline.js, which runs one pass each time it is asked), and they
 * take turns pass by pass, so that the two passes of a round see the same
 * machine: this one is shared, and its speed swings by half from one
 * minute to the next.  After WARM passes each (the first is "cold"), ROUNDS
 * rounds each time a pass of either side, in alternating order.  The
 * warm-up is long because each of the pool's workers sees only its share
 * of a pass, so its JIT takes that many more passes to settle (the peer's
 * settles in two or three); both sides are measured settled.  Each round
 * gives a paired ratio (peer's pass time over the pool's).  The headline
 * ratio is the median of the paired ratios; the best pass of each side is
 * reported too.  Pool start-up is timed separately.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "math/math.h"
#include "util/util.h"

extern char **environ;

#define WARM 10
#define ROUNDS 12
#ifndef WORKERS
#define WORKERS 2
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) used so far by this process and by its
 * running children except the peer (so: the pool's workers), from /proc. */
static double cpu_now(pid_t peer)
{
	struct rusage ru;
	double s;
	char path[64], line[4096];
	FILE *f;
	getrusage(RUSAGE_SELF, &ru);
	s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	if (!(f = fopen(path, "r")))
		return s;
	if (fgets(line, sizeof line, f)) {
		char *save = NULL, *tok;
		for (tok = strtok_r(line, " \n", &save); tok;
		    tok = strtok_r(NULL, " \n", &save)) {
			char stat[1024], *rp;
			FILE *g;
			unsigned long ut = 0, st = 0;
			if (atoi(tok) == (int)peer)
				continue;
			snprintf(path, sizeof path, "/proc/%s/stat", tok);
			if (!(g = fopen(path, "r")))
				continue;
			if (fgets(stat, sizeof stat, g) &&
			    (rp = strrchr(stat, ')')) &&
			    sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
			    "%*u %*u %lu %lu", &ut, &st) == 2)
				s += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
			fclose(g);
		}
	}
	fclose(f);
	return s;
}

static double json_number(const char *json, const char *key)
{
	char *pat = xasprintf("\"%s\":", key);
	const char *p = strstr(json, pat);
	free(pat);
	return p ? strtod(strchr(p, ':') + 1, NULL) : -1;
}

/* ---- the peer: math-baseline.js, one pass per request */

struct peer {
	pid_t pid;
	FILE *to, *from;
};

static int peer_start(struct peer *pr, const char *corpus)
{
	int in[2], out[2];
	posix_spawn_file_actions_t fa;
	char *argv[] = {"node", "tests/bench/math-baseline.js",
	    "node_modules/katex", (char *)corpus, NULL};
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	int rc = posix_spawnp(&pr->pid, "node", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0)
		return -1;
	pr->to = fdopen(in[1], "w");
	pr->from = fdopen(out[0], "r");
	return pr->to && pr->from ? 0 : -1;
}

/* One pass of the peer; fills *wall, *cpu and *errors. */
static int peer_pass(struct peer *pr, double *wall, double *cpu,
    double *errors)
{
	char line[512];
	if (fputs("pass\n", pr->to) == EOF || fflush(pr->to) == EOF ||
	    !fgets(line, sizeof line, pr->from))
		return -1;
	*wall = json_number(line, "wall_s");
	*cpu = json_number(line, "cpu_s");
	*errors = json_number(line, "errors");
	return *wall > 0 ? 0 : -1;
}

static void peer_stop(struct peer *pr)
{
	int st;
	fclose(pr->to);
	fclose(pr->from);
	waitpid(pr->pid, &st, 0);
}

/* ---- the pool's side */

/* One pass of the pool; fills *wall, *cpu (workers and this process) and
 * *errors. */
static int pool_pass(struct math_pool *p, struct math_item *it, size_t n,
    pid_t peer, double *wall, double *cpu, size_t *errors, struct diags *d)
{
	double c = cpu_now(peer), t = now();
	if (math_pool_render(p, it, n, d) != 0)
		return -1;
	*wall = now() - t;
	*cpu = cpu_now(peer) - c;
	*errors = 0;
	for (size_t i = 0; i < n; i++) {
		*errors += it[i].error != NULL;
		free(it[i].html);
		free(it[i].error);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of v[0..n) (sorts v). */
static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, cmp_double);
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;
	return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[i];
}

int main(int argc, char **argv)
{
	struct diags d = {0};
	struct math_opts o = {NULL, "src/math/katex-worker.js",
	    "node_modules/katex", NULL, WORKERS};
	struct math_pool *p;
	struct math_item *it;
	struct peer pr;
	char *text, *line;
	size_t len, n = 0, errors = 0;
	double base_errors = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: math_bench CORPUS OUT.json\n");
		return 2;
	}
	if (file_read(argv[1], &text, &len, &d, "bench") != 0)
		goto fail;
	it = xcalloc(len + 1, sizeof *it);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		it[n].tex = line;
		it[n].display = n % 4 == 0;
		n++;
	}
	if (peer_start(&pr, argv[1]) != 0) {
		fprintf(stderr, "math_bench: the baseline did not start\n");
		return 1;
	}
	double t = now();
	p = math_pool_new(&o, &d);
	if (!p)
		goto fail;
	double start_s = now() - t;

	/* Warm-up passes, taking turns; the first of each side is "cold". */
	double pool_cold = 0, base_cold = 0, w, c;
	for (int k = 0; k < WARM; k++) {
		if (peer_pass(&pr, &w, &c, &base_errors) != 0)
			goto peer_failed;
		if (k == 0)
			base_cold = w;
		if (pool_pass(p, it, n, pr.pid, &w, &c, &errors, &d) != 0)
			goto fail;
		if (k == 0)
			pool_cold = w;
	}

	/* Measured rounds: a pass of each side, in alternating order. */
	double pool_s[ROUNDS], base_s[ROUNDS], ratio[ROUNDS];
	double pool_cpu[ROUNDS], base_cpu[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		for (int side = 0; side < 2; side++) {
			if ((side == 0) == (r % 2 == 0)) {
				if (peer_pass(&pr, &base_s[r], &base_cpu[r],
				    &base_errors) != 0)
					goto peer_failed;
			} else if (pool_pass(p, it, n, pr.pid, &pool_s[r],
			    &pool_cpu[r], &errors, &d) != 0) {
				goto fail;
			}
		}
		ratio[r] = base_s[r] / pool_s[r];
	}
	peer_stop(&pr);
	if ((double)errors != base_errors) {
		fprintf(stderr, "math_bench: pool had %zu errors, KaTeX %g\n",
		    errors, base_errors);
		return 1;
	}

	double r_med = quantile(ratio, ROUNDS, 0.5);
	double r_lo = quantile(ratio, ROUNDS, 0.25);
	double r_hi = quantile(ratio, ROUNDS, 0.75);
	double r_min = ratio[0], r_max = ratio[ROUNDS - 1];
	double pool_best = quantile(pool_s, ROUNDS, 0);
	double base_best = quantile(base_s, ROUNDS, 0);
	double pool_med = quantile(pool_s, ROUNDS, 0.5);
	double base_med = quantile(base_s, ROUNDS, 0.5);
	double pool_cpu_us = quantile(pool_cpu, ROUNDS, 0.5) / (double)n * 1e6;
	double base_cpu_us = quantile(base_cpu, ROUNDS, 0.5) / (double)n * 1e6;
	double pool_rate = (double)n / pool_med, base_rate = (double)n / base_med;
	printf("math: %zu formulas, %d rounds, each a pass of the pool (%d "
	    "workers) and a pass of KaTeX in one process, taking turns\n",
	    n, ROUNDS, WORKERS);
	printf("math: pool %.0f/s (median pass; best %.0f/s; cold pass %.3f s; "
	    "start-up %.3f s); KaTeX in one process %.0f/s (best %.0f/s; cold "
	    "pass %.3f s)\n", pool_rate, (double)n / pool_best, pool_cold,
	    start_s, base_rate, (double)n / base_best, base_cold);
	printf("math: ratio %.2fx (median of the rounds' paired ratios; "
	    "quartiles %.2f-%.2f, all %.2f-%.2f); best pass over best pass "
	    "%.2fx\n", r_med, r_lo, r_hi, r_min, r_max, base_best / pool_best);
	printf("math: CPU per formula (median pass): pool %.0f us (workers + "
	    "builder), KaTeX in one process %.0f us (all its threads)\n",
	    pool_cpu_us, base_cpu_us);
	char *json = xasprintf("{\n  \"formulas\": %zu,\n  \"errors\": %zu,\n"
	    "  \"workers\": %d,\n  \"rounds\": %d,\n"
	    "  \"katex_version\": \"%s\",\n"
	    "  \"pool_formulas_per_s\": %.1f,\n"
	    "  \"pool_best_formulas_per_s\": %.1f,\n"
	    "  \"pool_cold_pass_s\": %.4f,\n  \"pool_startup_s\": %.4f,\n"
	    "  \"katex_inprocess_formulas_per_s\": %.1f,\n"
	    "  \"katex_inprocess_best_formulas_per_s\": %.1f,\n"
	    "  \"katex_inprocess_cold_pass_s\": %.4f,\n"
	    "  \"pool_cpu_us_per_formula\": %.1f,\n"
	    "  \"katex_inprocess_cpu_us_per_formula\": %.1f,\n"
	    "  \"ratio_pool_vs_inprocess\": %.3f,\n"
	    "  \"ratio_quartiles\": [%.3f, %.3f],\n"
	    "  \"ratio_range\": [%.3f, %.3f],\n"
	    "  \"ratio_best_pass\": %.3f,\n  \"target_ratio\": 1.5\n}\n",
	    n, errors, WORKERS, ROUNDS, math_pool_katex_version(p), pool_rate,
	    (double)n / pool_best, pool_cold, start_s, base_rate,
	    (double)n / base_best, base_cold, pool_cpu_us, base_cpu_us, r_med,
	    r_lo, r_hi, r_min, r_max, base_best / pool_best);
	if (file_write(argv[2], json, strlen(json), &d, "bench") != 0)
		goto fail;
	free(json);
	math_pool_free(p);
	free(it);
	free(text);
	return 0;
peer_failed:
	fprintf(stderr, "math_bench: the baseline (tests/bench/math-baseline.js) "
	    "did not answer\n");
	return 1;
fail:
	diags_print(stderr, &d);
	return 1;
}
