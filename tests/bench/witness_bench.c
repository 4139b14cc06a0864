/*
 * witness_bench.c -- cold witness throughput: N generated witnesses run by
 * witness_run_all (no cache), then a sample of the same programs compiled
 * and run with the system's cc, in the same run.  Writes JSON to stdout.
 * Usage: witness-bench N INCLUDE_DIR FLOW_DIR LIBFOLIO [JOBS [CC_SAMPLE]]
 * (cc links the sample against LIBFOLIO, the flow library already built,
 * as libtcc links witnesses against folio's own copy.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_clock.h"
#include "witness/witness.h"

static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, bench_cmp_double);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
}

/* Witness i: a small numeric program in the style of a concept page. */
static char *program(int i)
{
	return xasprintf(
	    "#include <stdio.h>\n#include <math.h>\n#include <flow.h>\n"
	    "int main(void) {\n"
	    "  double s = 0;\n"
	    "  for (int k = 1; k <= %d; k++)\n"
	    "    s += sin(k * %d.0) / k;\n"
	    "  printf(\"witness %d: %%.6f\\n\", s);\n"
	    "  printf(\"sigmoid %%.6f\\n\", flow_sigmoid(%d / 100.0));\n"
	    "  return 0;\n}\n", 50 + i % 50, i, i, i % 300 - 150);
}

static char *expected_for(int i)
{
	double s = 0;
	for (int k = 1; k <= 50 + i % 50; k++)
		s += sin(k * (double)i) / k;
	double x = (i % 300 - 150) / 100.0;
	return xasprintf("witness %d: %.6f\nsigmoid %.6f\n", i, s,
	    1 / (1 + exp(-x)));
}

/* Compiles and runs program text with cc; returns ms, or -1. */
static double cc_run(const char *dir, const char *flow_dir, const char *lib,
    const char *code,
    const char *expected)
{
	char *src = xasprintf("%s/w.c", dir), *bin = xasprintf("%s/w", dir);
	struct diags d = {0};
	file_write(src, code, strlen(code), &d, "bench");
	double t0 = bench_now_ms();
	char *cmd = xasprintf("cc -w -O0 -I%s -o %s %s %s -lm && %s",
	    flow_dir, bin, src, lib, bin);
	FILE *p = popen(cmd, "r");
	struct buf out = {0};
	char tmp[4096];
	size_t r;
	while (p && (r = fread(tmp, 1, sizeof tmp, p)) > 0)
		buf_put(&out, tmp, r);
	int rc = p ? pclose(p) : -1;
	double ms = bench_now_ms() - t0;
	int ok = rc == 0 && witness_compare(expected, out.data ? out.data : "",
	    0, 0, NULL, NULL);
	buf_free(&out);
	free(cmd);
	free(src);
	free(bin);
	diags_free(&d);
	return ok ? ms : -1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: witness-bench N INCLUDE_DIR FLOW_DIR "
		    "LIBFOLIO [JOBS [CC_SAMPLE]]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	int jobs = argc > 5 ? atoi(argv[5]) : 2;
	int sample = argc > 6 ? atoi(argv[6]) : 40;
	struct witness_opts o = {.include_dir = argv[2], .flow_dir = argv[3],
	    .jobs = jobs};
	struct witness_item *it = xcalloc((size_t)n, sizeof *it);
	char **code = xcalloc((size_t)n, sizeof *code);
	char **exp = xcalloc((size_t)n, sizeof *exp);
	for (int i = 0; i < n; i++) {
		code[i] = program(i);
		exp[i] = expected_for(i);
		it[i] = (struct witness_item){.path = "bench.md", .name = "b",
		    .code = code[i], .code_line = 1, .expected = exp[i],
		    .expected_line = 1};
	}
	struct diags d = {0};
	double t0 = bench_now_ms();
	int rc = witness_run_all(&o, it, (size_t)n, &d);
	double wall = bench_now_ms() - t0;
	diags_print(stderr, &d);
	double *ms = xcalloc((size_t)n, sizeof *ms);
	int passed = 0;
	for (int i = 0; i < n; i++) {
		ms[i] = it[i].ms;
		passed += it[i].status == WITNESS_PASS;
	}
	double med = quantile(ms, (size_t)n, 0.5);
	double p90 = quantile(ms, (size_t)n, 0.9);

	/* the same programs with cc, one at a time, on a sample */
	char dir[] = "/tmp/folio-witness-bench-XXXXXX";
	double *cms = xcalloc((size_t)sample, sizeof *cms);
	int cok = 0;
	if (mkdtemp(dir)) {
		for (int i = 0; i < sample && i < n; i++) {
			double m = cc_run(dir, argv[3], argv[4],
			    code[i * (n / sample)],
			    exp[i * (n / sample)]);
			if (m >= 0)
				cms[cok++] = m;
		}
		char *rm = xasprintf("rm -rf %s", dir);
		if (system(rm) != 0)
			fprintf(stderr, "witness-bench: cannot remove %s\n", dir);
		free(rm);
	}
	double cmed = cok ? quantile(cms, (size_t)cok, 0.5) : 0;
	printf("{\n  \"witnesses\": %d,\n  \"passed\": %d,\n  \"jobs\": %d,\n"
	    "  \"cold_wall_ms\": %.1f,\n  \"cold_per_s\": %.1f,\n"
	    "  \"cold_median_ms\": %.3f,\n  \"cold_p90_ms\": %.3f,\n"
	    "  \"cc_sample\": %d,\n  \"cc_median_ms\": %.3f,\n"
	    "  \"cc_per_s\": %.1f,\n  \"cc_over_witness_median\": %.1f\n}\n",
	    n, passed, jobs, wall, n / (wall / 1e3), med, p90, cok, cmed,
	    cmed > 0 ? 1e3 / cmed : 0, med > 0 ? cmed / med : 0);
	for (int i = 0; i < n; i++) {
		witness_item_clear(&it[i]);
		free(code[i]);
		free(exp[i]);
	}
	free(it);
	free(code);
	free(exp);
	free(ms);
	free(cms);
	diags_free(&d);
	return rc == 0 && passed == n ? 0 : 1;
}
