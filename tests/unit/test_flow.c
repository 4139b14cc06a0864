/*
 * test_flow.c -- properties of the flow library: its math against libm,
 * the witness example, every bijector's inverse and logdet (against a
 * central-difference Jacobian), exact gradients against finite
 * differences, normalisation of a 2-D density, reproducibility, toy data,
 * and the error returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "flow/flow.h"

static double mem[1 << 21];

static void test_math(void **state)
{
	double worst[7] = {0};
	for (int i = 0; i < 20000; i++) {
		double x = -40 + 80.0 * i / 20000 + 1e-7 * i;
		double s = x / 8;
		double e[7] = {
			fabs(flow_exp(x) - exp(x)) / exp(x),
			fabs(flow_log(fabs(x) + 1e-3) - log(fabs(x) + 1e-3)) / fmax(1e-300, fabs(log(fabs(x) + 1e-3))),
			fabs(flow_log1p(s * s * 1e-6 - 0.5) - log1p(s * s * 1e-6 - 0.5)) / fabs(log1p(s * s * 1e-6 - 0.5)),
			fabs(flow_expm1(s) - expm1(s)) / fmax(1e-300, fabs(expm1(s))),
			fabs(flow_tanh(s) - tanh(s)) / fmax(1e-300, fabs(tanh(s))),
			fabs(flow_sin(x) - sin(x)),
			fabs(flow_cos(x) - cos(x)),
		};
		for (int k = 0; k < 7; k++)
			worst[k] = fmax(worst[k], e[k]);
	}
	for (int k = 0; k < 7; k++)
		if (worst[k] > 2e-15)
			fail_msg("function %d: error %g", k, worst[k]);
	assert_true(fabs(flow_tanh(1e-9) - tanh(1e-9)) < 4e-16 * 1e-9);
	assert_true(fabs(flow_log1p(1e-12) - log1p(1e-12)) < 1e-28);
	assert_true(isinf(flow_exp(1000)) && flow_exp(-1000) == 0);
	assert_true(isnan(flow_log(-1)) && isinf(flow_log(0)));
	assert_true(fabs(flow_exp(-740) - exp(-740)) <= 1e-15 * exp(-740) + 5e-324);
	assert_true(fabs(flow_softplus(800) - 800) < 1e-12);
	assert_true(fabs(flow_softplus(-50) - exp(-50)) < 1e-30);
}

/* The witness of the issue: x = A z + b. */
static void test_witness_example(void **state)
{
	struct flow f;
	double A[4] = {1.2, 0.3, 0.1, 0.9}, b[2] = {0.5, -0.2};
	double x[2] = {1, 0}, z[2], ld, lp;
	assert_int_equal(flow_init(&f, 2, mem, 4096), 0);
	assert_int_equal(flow_add_affine(&f, A, b), 0);
	assert_int_equal(flow_inverse(&f, x, z, &ld, 1), 0);
	assert_int_equal(flow_log_prob(&f, x, &lp, 1), 0);
	assert_true(fabs(flow_exp(-ld) - 1.05) < 1e-14);
	assert_true(fabs(z[0] - 0.39 / 1.05) < 1e-14);
	assert_true(fabs(z[1] - 0.19 / 1.05) < 1e-14);
	double want = -log(2 * M_PI) - 0.5 * (z[0] * z[0] + z[1] * z[1])
	    - log(1.05);
	assert_true(fabs(lp - want) < 1e-14);
	assert_true(fabs(lp - -1.972) < 5e-4);
}

/* ---- per-bijector checks */
enum { D = 3 };

/* Builds flow number k (one layer kind) in f; returns its name. */
static const char *build(struct flow *f, int k, int d)
{
	int mask[FLOW_MAX_DIM] = {0}, perm[3] = {2, 0, 1};
	double A[9] = {1.3, 0.4, -0.2, 0.1, 0.8, 0.5, -0.3, 0.2, 1.1};
	double b[3] = {0.1, -0.3, 0.2}, w[3] = {0.9, -1.2, 0.5}, u[3] = {-1.5, 0.3, 0.7};
	mask[0] = 1;
	flow_init(f, d, mem, sizeof mem / sizeof *mem);
	flow_seed(f, 42 + k);
	switch (k) {
	case 0: flow_add_affine(f, A, b); return "affine";
	case 1: flow_add_elementwise(f, b, w); return "elementwise";
	case 2: flow_add_permute(f, perm); return "permute";
	case 3: flow_add_planar(f, w, u, 0.3); return "planar";
	case 4: flow_add_radial(f, b, 0.7, -0.5); return "radial";
	case 5: flow_add_coupling(f, mask, 8); flow_perturb(f, 5, 0.3); return "coupling";
	case 6: flow_add_spline_coupling(f, mask, 8, 6, 3.0); flow_perturb(f, 6, 0.5); return "spline_coupling";
	case 7: flow_add_spline(f, 5, 2.5); flow_perturb(f, 7, 0.5); return "spline";
	case 8: flow_add_maf(f, 8); flow_perturb(f, 8, 0.3); return "maf";
	case 9: flow_add_sigmoid(f); return "sigmoid";
	case 10: flow_add_logit(f); return "logit";
	case 11: flow_add_reverse(f); flow_add_planar(f, w, u, -0.2);
		flow_add_radial(f, w, 1.1, 0.4); flow_add_coupling(f, mask, 6);
		flow_add_spline(f, 4, 3.0); flow_add_maf(f, 6);
		flow_perturb(f, 11, 0.2); return "composition";
	}
	return 0;
}

static double det(double *a, int d)
{
	double r = 1;
	for (int k = 0; k < d; k++) {
		int p = k;
		for (int i = k + 1; i < d; i++)
			if (fabs(a[i * d + k]) > fabs(a[p * d + k]))
				p = i;
		if (p != k) {
			for (int j = 0; j < d; j++) {
				double t = a[k * d + j];
				a[k * d + j] = a[p * d + j];
				a[p * d + j] = t;
			}
			r = -r;
		}
		r *= a[k * d + k];
		for (int i = k + 1; i < d; i++) {
			double m = a[i * d + k] / a[k * d + k];
			for (int j = k; j < d; j++)
				a[i * d + j] -= m * a[k * d + j];
		}
	}
	return r;
}

static void test_bijectors(void **state)
{
	struct flow f;
	struct flow_rng r;
	flow_rng_seed(&r, 7);
	for (int k = 0; k <= 11; k++) {
		const char *name = build(&f, k, D);
		int unit = k == 10;
		double tol = (k == 3 || k == 6 || k == 7 || k == 11) ? 1e-9 : 1e-10;
		for (int t = 0; t < 50; t++) {
			double z[D], x[D], zz[D], ld, ldi, J[D * D];
			for (int i = 0; i < D; i++)
				z[i] = unit ? 0.05 + 0.9 * flow_rng_uniform(&r)
				    : 1.5 * flow_rng_normal(&r);
			assert_int_equal(flow_forward(&f, z, x, &ld, 1), 0);
			assert_int_equal(flow_inverse(&f, x, zz, &ldi, 1), 0);
			for (int i = 0; i < D; i++)
				if (fabs(zz[i] - z[i]) > tol * (1 + fabs(z[i])))
					fail_msg("%s: inverse off by %g", name, zz[i] - z[i]);
			if (fabs(ld + ldi) > 1e-12 * (1 + fabs(ld)))
				fail_msg("%s: logdets sum to %g", name, ld + ldi);
			double h = 1e-5;
			for (int j = 0; j < D; j++) {
				double zp[D], zm[D], xp[D], xm[D];
				memcpy(zp, z, sizeof z);
				memcpy(zm, z, sizeof z);
				zp[j] += h;
				zm[j] -= h;
				flow_forward(&f, zp, xp, 0, 1);
				flow_forward(&f, zm, xm, 0, 1);
				for (int i = 0; i < D; i++)
					J[i * D + j] = (xp[i] - xm[i]) / (2 * h);
			}
			double nd = log(fabs(det(J, D)));
			if (fabs(nd - ld) > 1e-6 * (1 + fabs(ld)))
				fail_msg("%s: logdet %.12g, numeric %.12g", name, ld, nd);
		}
	}
}

/* Exact gradient of the mean NLL against central differences, for a flow
 * holding every trainable layer kind and a trainable base. */
static void test_gradients(void **state)
{
	struct flow f;
	struct flow_rng r;
	double x[40 * D];
	int kinds[] = {0, 1, 3, 4, 5, 6, 7, 8, 11};
	for (size_t q = 0; q < sizeof kinds / sizeof *kinds; q++) {
		const char *name = build(&f, kinds[q], D);
		double mu[D] = {0.1, -0.2, 0.05}, ls[D] = {0.1, -0.1, 0.2};
		flow_set_base(&f, mu, ls, 1);
		flow_rng_seed(&r, 3);
		for (int i = 0; i < 40 * D; i++)
			x[i] = 1.2 * flow_rng_normal(&r);
		double nll;
		assert_int_equal(flow_nll_grad(&f, x, 40, &nll), 0);
		long np = f.nparam, checked = 0;
		double *g = malloc(np * sizeof *g);
		memcpy(g, f.grad, np * sizeof *g);
		for (long i = 0; i < np; i += np > 300 ? 7 : 1) {
			double p0 = f.param[i], h = 1e-5 * (1 + fabs(p0)), lp, lm;
			f.param[i] = p0 + h;
			flow_nll_grad(&f, x, 40, &lp);
			f.param[i] = p0 - h;
			flow_nll_grad(&f, x, 40, &lm);
			f.param[i] = p0;
			double fd = (lp - lm) / (2 * h);
			/* weights a MADE mask removes stay 0 and get no gradient */
			if ((kinds[q] == 8 || kinds[q] == 11) && p0 == 0 && g[i] == 0)
				continue;
			if (fabs(g[i] - fd) > 1e-5 * fmax(fabs(fd), 1e-3))
				fail_msg("%s: param %ld grad %.10g fd %.10g", name, i,
				    g[i], fd);
			checked++;
		}
		assert_true(checked > 5);
		free(g);
	}
}

/* A 2-D flow's density sums to 1 over a fine grid. */
static void test_normalised(void **state)
{
	struct flow f;
	int m0[2] = {1, 0}, m1[2] = {0, 1};
	double w[2] = {1.0, -0.7}, u[2] = {0.8, 0.5}, z0[2] = {0.3, -0.2};
	flow_init(&f, 2, mem, sizeof mem / sizeof *mem);
	flow_add_coupling(&f, m0, 8);
	flow_add_spline_coupling(&f, m1, 8, 5, 3.0);
	flow_add_planar(&f, w, u, 0.1);
	flow_add_radial(&f, z0, 0.5, 0.8);
	flow_perturb(&f, 99, 0.3);
	int G = 600;
	double L = 9.0, step = 2 * L / G, total = 0, pts[2 * 600], lp[600];
	for (int i = 0; i < G; i++) {
		for (int j = 0; j < G; j++) {
			pts[2 * j] = -L + (i + 0.5) * step;
			pts[2 * j + 1] = -L + (j + 0.5) * step;
		}
		assert_int_equal(flow_log_prob(&f, pts, lp, G), 0);
		for (int j = 0; j < G; j++)
			total += exp(lp[j]) * step * step;
	}
	printf("density integrates to %.6f\n", total);
	assert_true(fabs(total - 1) < 1e-3);
}

static void test_reproducible(void **state)
{
	struct flow f;
	struct flow_rng r;
	struct flow_adam opt;
	double a[64 * 2], b[64 * 2], lpa[64], lpb[64], x[64 * 2];
	int m0[2] = {1, 0};
	double res[2][2];
	for (int run = 0; run < 2; run++) {
		flow_init(&f, 2, mem, sizeof mem / sizeof *mem);
		flow_seed(&f, 5);
		flow_add_coupling(&f, m0, 16);
		flow_add_reverse(&f);
		flow_add_spline_coupling(&f, m0, 16, 4, 3.0);
		assert_int_equal(flow_adam_init(&f, &opt, 1e-2), 0);
		flow_rng_seed(&r, 11);
		double nll = 0;
		for (int s = 0; s < 20; s++) {
			flow_toy_sample("moons", &r, x, 64);
			assert_int_equal(flow_train_step(&f, &opt, x, 64, &nll), 0);
		}
		flow_rng_seed(&r, 12);
		flow_sample_and_log_prob(&f, &r, run ? b : a, run ? lpb : lpa, 64);
		res[run][0] = nll;
		res[run][1] = f.param[f.nparam - 1];
	}
	assert_memory_equal(a, b, sizeof a);
	assert_memory_equal(lpa, lpb, sizeof lpa);
	assert_memory_equal(res[0], res[1], sizeof res[0]);
	/* sample_and_log_prob agrees with log_prob */
	double lp2[64];
	flow_log_prob(&f, b, lp2, 64);
	for (int i = 0; i < 64; i++)
		assert_true(fabs(lp2[i] - lpb[i]) < 1e-9);
	/* the generator's first outputs are fixed forever */
	flow_rng_seed(&r, 0);
	assert_true(flow_rng_next(&r) == 11091344671253066420ULL);
}

static void test_toy(void **state)
{
	const char *names[] = {"moons", "8gaussians", "checkerboard", "rings",
	    "2spirals", "pinwheel"};
	struct flow_rng r;
	double x[2000];
	for (int k = 0; k < 6; k++) {
		flow_rng_seed(&r, k);
		assert_int_equal(flow_toy_sample(names[k], &r, x, 1000), 0);
		double m = 0, v = 0;
		for (int i = 0; i < 2000; i++) {
			assert_true(isfinite(x[i]) && fabs(x[i]) < 12);
			m += x[i] / 2000;
		}
		for (int i = 0; i < 2000; i++)
			v += (x[i] - m) * (x[i] - m) / 2000;
		assert_true(v > 0.3 && v < 20);
	}
	/* checkerboard: only the dark squares of the 4x4 board */
	flow_rng_seed(&r, 1);
	flow_toy_sample("checkerboard", &r, x, 1000);
	for (int i = 0; i < 1000; i++) {
		int cx = (int)floor(x[2 * i] / 2), cy = (int)floor(x[2 * i + 1] / 2);
		assert_true(((cx + cy) & 1) == 0 || ((cx + cy) & 1) == 1);
		assert_true(((cx + cy + 4) & 1) == 0);
	}
	assert_int_equal(flow_toy_sample("swissroll", &r, x, 10), -1);
}

static void test_training(void **state)
{
	struct flow f;
	struct flow_rng r;
	struct flow_adam opt;
	int m0[2] = {1, 0}, m1[2] = {0, 1};
	static double x[256 * 2], test[2000 * 2], lp[2000];
	flow_init(&f, 2, mem, sizeof mem / sizeof *mem);
	flow_add_actnorm(&f);
	for (int k = 0; k < 4; k++)
		flow_add_coupling(&f, k % 2 ? m1 : m0, 32);
	flow_rng_seed(&r, 1);
	flow_toy_sample("8gaussians", &r, test, 2000);
	assert_int_equal(flow_data_init(&f, test, 2000), 0);
	assert_int_equal(flow_adam_init(&f, &opt, 3e-3), 0);
	double first = 0, nll;
	for (int s = 0; s < 300; s++) {
		flow_toy_sample("8gaussians", &r, x, 256);
		flow_train_step(&f, &opt, x, 256, &nll);
		if (s == 0)
			first = nll;
	}
	flow_log_prob(&f, test, lp, 2000);
	double t = 0;
	for (int i = 0; i < 2000; i++)
		t -= lp[i] / 2000;
	printf("8gaussians: NLL %.3f -> test %.3f after 300 steps\n", first, t);
	assert_true(t < first - 0.5);
	assert_true(t < 3.6);
}

static void test_errors(void **state)
{
	struct flow f;
	double small[8], A[4] = {1, 2, 2, 4};
	int bad[2] = {0, 0}, dup[2] = {1, 1}, all[2] = {1, 1};
	assert_int_equal(flow_init(&f, 0, mem, 100), -1);
	assert_int_equal(flow_init(&f, FLOW_MAX_DIM + 1, mem, 1000), -1);
	assert_int_equal(flow_init(&f, 2, small, 3), -1);
	assert_int_equal(flow_init(&f, 2, small, 8), 0);
	assert_int_equal(flow_add_coupling(&f, bad, 4), -1); /* arena full */
	double z[2] = {0, 0}, x[2];
	assert_int_equal(flow_forward(&f, z, x, 0, 1), -1); /* no scratch */
	flow_init(&f, 2, mem, 100000);
	assert_int_equal(flow_add_affine(&f, A, 0), -1);
	assert_int_equal(flow_add_radial(&f, z, 1.0, -1.5), -1);
	assert_int_equal(flow_add_radial(&f, z, 0.0, 1.0), -1);
	assert_int_equal(flow_add_permute(&f, dup), -1);
	assert_int_equal(flow_add_coupling(&f, all, 4), -1);
	assert_int_equal(flow_add_spline(&f, FLOW_MAX_BINS + 1, 3), -1);
	assert_int_equal(flow_add_spline(&f, 4, 0), -1);
	assert_int_equal(flow_layer_forward(&f, 0, z, x, 0, 1), -1);
	assert_int_equal(flow_add_coupling(&f, bad, 4), 0);
	assert_int_equal(flow_nll_grad(&f, z, 1, 0), 0);
	assert_int_equal(flow_add_reverse(&f), -1); /* after the gradient */
	double xk[3] = {-1, 0, 1}, yk[3] = {-1, 0.5, 1}, dk[3] = {1, 1, 1}, o;
	double xs[3] = {-1, -1, 1};
	assert_int_equal(flow_rqs_eval(2, xs, yk, dk, 0, 0, &o, 0), -1);
	assert_int_equal(flow_rqs_eval(2, xk, yk, dk, 5, 0, &o, 0), 0);
	assert_true(o == 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_math),
		cmocka_unit_test(test_witness_example),
		cmocka_unit_test(test_bijectors),
		cmocka_unit_test(test_gradients),
		cmocka_unit_test(test_normalised),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_toy),
		cmocka_unit_test(test_training),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
