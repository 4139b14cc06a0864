/*
 * flow_train.c -- the full-accuracy training check of the flow library:
 * fits a rational-quadratic spline coupling flow to each toy set by maximum
 * likelihood (fixed seed, one core) and compares the held-out NLL with the
 * set's true entropy.  Exit status 1 if any set misses its tolerance.
 * Usage: flow_train [set ...]   (default: moons 8gaussians checkerboard)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"

struct target {
	const char *name;
	double entropy, tol;
	int steps;
};

static const struct target targets[] = {
	{"moons", 2.393, 0.05, 3000},
	{"8gaussians", 2.831, 0.05, 3000},
	{"checkerboard", 3.466, 0.15, 4000},
};

enum { BATCH = 256, NTEST = 20000 };

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int run(const struct target *t)
{
	static double mem[1 << 23], x[BATCH * 2], test[NTEST * 2], lp[NTEST];
	struct flow f;
	struct flow_rng r;
	struct flow_adam opt;
	int m0[2] = {1, 0}, m1[2] = {0, 1};
	double t0 = now();
	flow_init(&f, 2, mem, sizeof mem / sizeof *mem);
	flow_seed(&f, 1);
	flow_add_actnorm(&f);
	for (int k = 0; k < 4; k++)
		flow_add_spline_coupling(&f, k % 2 ? m1 : m0, 48, 10, 4.5);
	flow_rng_seed(&r, 2024);
	flow_toy_sample(t->name, &r, test, NTEST);   /* held out */
	flow_data_init(&f, test, NTEST);
	flow_adam_init(&f, &opt, 3e-3);
	for (int s = 0; s < t->steps; s++) {
		/* cosine decay of the learning rate */
		opt.lr = 3e-3 * 0.5 * (1 + cos(M_PI * s / t->steps));
		flow_toy_sample(t->name, &r, x, BATCH);
		if (flow_train_step(&f, &opt, x, BATCH, 0))
			return 1;
	}
	flow_log_prob(&f, test, lp, NTEST);
	double nll = 0;
	for (int i = 0; i < NTEST; i++)
		nll -= lp[i] / NTEST;
	double gap = nll - t->entropy;
	int ok = fabs(gap) <= t->tol || (gap < 0 && -gap <= t->tol);
	printf("%-12s test NLL %.4f  entropy %.3f  gap %+.4f (tol %.2f)  %d steps  %.1f s  %s\n",
	    t->name, nll, t->entropy, gap, t->tol, t->steps, now() - t0,
	    ok ? "ok" : "MISSED");
	return !ok;
}

int main(int argc, char **argv)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
		int want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], targets[i].name);
		if (want)
			bad |= run(&targets[i]);
	}
	return bad;
}
