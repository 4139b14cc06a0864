/*
 * math_bench.c -- formulas per second of the math pool (2 workers) against
 * KaTeX's renderToString in one Node process, on the same corpus in the
 * same run.
 *
 * Usage: math_bench CORPUS OUT.json   (run from the repository root)
 * Both sides render every formula of CORPUS (one per line; every fourth in
 * display mode).  The machine may be shared, so the two sides take turns
 * for ROUNDS rounds (a fresh baseline process doing PASSES passes, then
 * PASSES passes of the pool) and each side's rate uses its best pass;
 * "cold" is each side's very first pass.  Pool start-up is timed
 * separately.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "math/math.h"
#include "util/util.h"

#define PASSES 3
#define ROUNDS 3
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
 * running children (the pool's workers), from /proc. */
static double cpu_now(void)
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

int main(int argc, char **argv)
{
	struct diags d = {0};
	struct math_opts o = {NULL, "src/math/katex-worker.js",
	    "node_modules/katex", NULL, WORKERS};
	struct math_pool *p;
	struct math_item *it;
	char *text, *line, *cmd, out[512];
	size_t len, n = 0, errors = 0;
	double t, start_s, cold_s = 0, best_s = 1e30;
	FILE *f;

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

	t = now();
	p = math_pool_new(&o, &d);
	if (!p)
		goto fail;
	start_s = now() - t;
	double base_cold = -1, base_best = 1e30, base_errors = 0;
	double base_cpu = 1e30, pool_cpu = 1e30, c;
	for (int round = 0; round < ROUNDS; round++) {
		/* The peer: KaTeX in one fresh process. */
		cmd = xasprintf("node tests/bench/math-baseline.js "
		    "node_modules/katex %s %d", argv[1], PASSES);
		f = popen(cmd, "r");
		free(cmd);
		if (!f || !fgets(out, sizeof out, f)) {
			fprintf(stderr, "math_bench: the baseline did not run\n");
			return 1;
		}
		pclose(f);
		if (base_cold < 0)
			base_cold = json_number(out, "cold_s");
		if (json_number(out, "best_s") < base_best)
			base_best = json_number(out, "best_s");
		base_errors = json_number(out, "errors");
		if (json_number(out, "best_cpu_s") < base_cpu)
			base_cpu = json_number(out, "best_cpu_s");

		for (int k = 0; k < PASSES; k++) {
			c = cpu_now();
			t = now();
			if (math_pool_render(p, it, n, &d) != 0)
				goto fail;
			t = now() - t;
			c = cpu_now() - c;
			if (c < pool_cpu)
				pool_cpu = c;
			if (round == 0 && k == 0)
				cold_s = t;
			if (t < best_s)
				best_s = t;
			errors = 0;
			for (size_t i = 0; i < n; i++) {
				errors += it[i].error != NULL;
				free(it[i].html);
				free(it[i].error);
			}
		}
	}
	if ((double)errors != base_errors) {
		fprintf(stderr, "math_bench: pool had %zu errors, KaTeX %g\n",
		    errors, base_errors);
		return 1;
	}

	double pool_rate = (double)n / best_s, base_rate = (double)n / base_best;
	double ratio = pool_rate / base_rate;
	printf("math: %zu formulas, best of %d rounds x %d passes; pool (%d workers) %.0f/s (cold pass %.3f s, "
	    "start-up %.3f s); KaTeX in one process %.0f/s (cold pass %.3f s); "
	    "ratio %.2fx\n", n, ROUNDS, PASSES, WORKERS, pool_rate, cold_s, start_s, base_rate,
	    base_cold, ratio);
	printf("math: CPU per formula: pool %.0f us (workers + builder), KaTeX "
	    "in one process %.0f us; cores used by the pool's best pass %.2f\n",
	    pool_cpu / (double)n * 1e6, base_cpu / (double)n * 1e6,
	    pool_cpu / best_s);
	char *json = xasprintf("{\n  \"formulas\": %zu,\n  \"errors\": %zu,\n"
	    "  \"workers\": %d,\n  \"katex_version\": \"%s\",\n"
	    "  \"pool_formulas_per_s\": %.1f,\n  \"pool_cold_pass_s\": %.4f,\n"
	    "  \"pool_best_pass_s\": %.4f,\n  \"pool_startup_s\": %.4f,\n"
	    "  \"katex_inprocess_formulas_per_s\": %.1f,\n"
	    "  \"katex_inprocess_cold_pass_s\": %.4f,\n"
	    "  \"katex_inprocess_best_pass_s\": %.4f,\n"
	    "  \"pool_cpu_us_per_formula\": %.1f,\n"
	    "  \"katex_inprocess_cpu_us_per_formula\": %.1f,\n"
	    "  \"ratio_pool_vs_inprocess\": %.3f,\n  \"target_ratio\": 1.5\n}\n",
	    n, errors, WORKERS, math_pool_katex_version(p), pool_rate, cold_s,
	    best_s, start_s, base_rate, base_cold, base_best,
	    pool_cpu / (double)n * 1e6, base_cpu / (double)n * 1e6, ratio);
	if (file_write(argv[2], json, strlen(json), &d, "bench") != 0)
		goto fail;
	free(json);
	math_pool_free(p);
	free(it);
	free(text);
	return 0;
fail:
	diags_print(stderr, &d);
	return 1;
}
