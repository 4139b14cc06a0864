/*
 * test_flow_conformance.c -- runs every case of
 * ../shared/conformance/flow/vectors.json (or $FOLIO_CONFORMANCE/flow/...)
 * through the flow library: x and logdet from z, z from x, and log_prob_x
 * where given, each to 1e-10.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <jansson.h>

#include "flow/flow.h"

#define TOL 1e-10

static double mem[1 << 16];

static int vec(json_t *a, double *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		out[i] = json_number_value(v);
	return (int)json_array_size(a);
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* Adds one layer described by the JSON object; returns 0 or -1. */
static int add_layer(struct flow *f, json_t *c, int d)
{
	const char *kind = json_string_value(json_object_get(c, "bijector"));
	double a[FLOW_MAX_DIM * FLOW_MAX_DIM], b[FLOW_MAX_DIM];
	if (!strcmp(kind, "affine")) {
		json_t *A = json_object_get(c, "A");
		for (int i = 0; i < d; i++)
			vec(json_array_get(A, i), a + i * d);
		vec(json_object_get(c, "b"), b);
		return flow_add_affine(f, a, b);
	}
	if (!strcmp(kind, "planar")) {
		double uh[FLOW_MAX_DIM], ww = 0, wu = 0, wuh = 0;
		vec(json_object_get(c, "w"), a);
		vec(json_object_get(c, "u"), b);
		vec(json_object_get(c, "u_hat"), uh);
		/* the library derives u_hat itself: check it agrees */
		for (int i = 0; i < d; i++) {
			ww += a[i] * a[i];
			wu += a[i] * b[i];
		}
		double k = (log1p(exp(wu)) - 1 - wu) / ww;
		for (int i = 0; i < d; i++) {
			if (fabs(b[i] + k * a[i] - uh[i]) > TOL)
				return -1;
			wuh += a[i] * uh[i];
		}
		if (wuh < -1 - TOL)
			return -1;
		return flow_add_planar(f, a, b, num(c, "b"));
	}
	if (!strcmp(kind, "radial")) {
		vec(json_object_get(c, "z0"), a);
		return flow_add_radial(f, a, num(c, "alpha"), num(c, "beta"));
	}
	if (!strcmp(kind, "sigmoid"))
		return flow_add_sigmoid(f);
	if (!strcmp(kind, "rq_spline")) {
		double xk[FLOW_MAX_BINS + 1], yk[FLOW_MAX_BINS + 1], dk[FLOW_MAX_BINS + 1];
		int K = vec(json_object_get(c, "x_knots"), xk) - 1;
		vec(json_object_get(c, "y_knots"), yk);
		vec(json_object_get(c, "derivatives"), dk);
		if (flow_add_spline(f, K, num(c, "tail_bound")))
			return -1;
		return flow_spline_set_knots(f, 0, xk, yk, dk);
	}
	return -1;
}

static int near(double got, double want)
{
	return fabs(got - want) <= TOL * (1 + fabs(want));
}

/* Runs one case; returns 0 when every value matches. */
static int run_case(json_t *c, int idx)
{
	const char *kind = json_string_value(json_object_get(c, "bijector"));
	double z[FLOW_MAX_DIM], x[FLOW_MAX_DIM], out[FLOW_MAX_DIM], ld, ldi;
	int d = vec(json_object_get(c, "z"), z);
	vec(json_object_get(c, "x"), x);
	double want_ld = num(c, "logdet");
	struct flow f;
	if (flow_init(&f, d, mem, sizeof mem / sizeof *mem))
		return -1;
	if (!strcmp(kind, "composition")) {
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(c, "layers"), i, l)
			if (add_layer(&f, l, d)) {
				printf("case %d: layer %zu rejected\n", idx, i);
				return -1;
			}
	} else if (add_layer(&f, c, d)) {
		printf("case %d (%s): rejected\n", idx, kind);
		return -1;
	}
	int bad = 0;
	if (flow_forward(&f, z, out, &ld, 1))
		return -1;
	for (int i = 0; i < d; i++)
		bad |= !near(out[i], x[i]);
	bad |= !near(ld, want_ld);
	if (flow_inverse(&f, x, out, &ldi, 1))
		return -1;
	for (int i = 0; i < d; i++)
		bad |= !near(out[i], z[i]);
	bad |= !near(ldi, -want_ld);
	json_t *lp = json_object_get(c, "log_prob_x");
	if (lp) {
		double got;
		if (flow_log_prob(&f, x, &got, 1))
			return -1;
		bad |= !near(got, json_number_value(lp));
	}
	if (!strcmp(kind, "rq_spline")) {
		/* and the explicit-knot evaluator */
		double xk[FLOW_MAX_BINS + 1], yk[FLOW_MAX_BINS + 1], dk[FLOW_MAX_BINS + 1];
		int K = vec(json_object_get(c, "x_knots"), xk) - 1;
		vec(json_object_get(c, "y_knots"), yk);
		vec(json_object_get(c, "derivatives"), dk);
		double o, l;
		bad |= flow_rqs_eval(K, xk, yk, dk, z[0], 0, &o, &l) != 0;
		bad |= !near(o, x[0]) || !near(l, want_ld);
		bad |= flow_rqs_eval(K, xk, yk, dk, x[0], 1, &o, &l) != 0;
		bad |= !near(o, z[0]) || !near(l, -want_ld);
	}
	if (bad)
		printf("case %d (%s): mismatch (logdet %.17g want %.17g)\n", idx,
		    kind, ld, want_ld);
	return bad ? -1 : 0;
}

static void test_vectors(void **state)
{
	char path[4096];
	const char *dir = getenv("FOLIO_CONFORMANCE");
	snprintf(path, sizeof path, "%s/flow/vectors.json",
	    dir ? dir : "../shared/conformance");
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	if (!root)
		fail_msg("%s: %s", path, err.text);
	json_t *cases = json_object_get(root, "cases");
	size_t i, pass = 0, n = json_array_size(cases);
	json_t *c;
	json_array_foreach(cases, i, c)
		pass += run_case(c, (int)i) == 0;
	printf("flow conformance: %zu/%zu cases pass\n", pass, n);
	assert_true(n > 0);
	assert_int_equal(pass, n);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
