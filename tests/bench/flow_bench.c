/*
 * flow_bench.c -- `make bench-flow`: log_prob throughput and training speed
 * of the flow library on the model PyTorch runs beside it (8 affine
 * coupling layers on 2-D data, conditioner 1 -> 64 -> 64 -> 2 with tanh).
 * Usage: flow_bench [TORCH_POINTS_PER_S TORCH_STEPS_PER_S]; prints the
 * figures and ratios on stderr and the JSON record on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "flow/flow.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double mem[1 << 23];

int main(int argc, char **argv)
{
	struct flow f;
	struct flow_rng r;
	struct flow_adam opt;
	int m0[2] = {1, 0}, m1[2] = {0, 1};
	static double x[4096 * 2], lp[4096];
	double torch_lp = argc > 2 ? atof(argv[1]) : 0;
	double torch_steps = argc > 2 ? atof(argv[2]) : 0;
	flow_init(&f, 2, mem, sizeof mem / sizeof *mem);
	for (int k = 0; k < 8; k++)
		flow_add_coupling(&f, k % 2 ? m1 : m0, 64);
	flow_perturb(&f, 1, 0.05);
	flow_rng_seed(&r, 1);
	for (int i = 0; i < 4096 * 2; i++)
		x[i] = flow_rng_normal(&r);
	flow_log_prob(&f, x, lp, 4096);
	long n = 0;
	double t0 = now(), t;
	do {
		flow_log_prob(&f, x, lp, 4096);
		n++;
	} while ((t = now() - t0) < 2.0);
	double pps = 4096.0 * n / t;
	flow_adam_init(&f, &opt, 1e-3);
	flow_train_step(&f, &opt, x, 512, 0);
	n = 0;
	t0 = now();
	do {
		flow_train_step(&f, &opt, x, 512, 0);
		n++;
	} while ((t = now() - t0) < 2.0);
	double sps = n / t;
	fprintf(stderr, "flow: log_prob %.0f points/s (batch 4096)", pps);
	if (torch_lp > 0)
		fprintf(stderr, ", PyTorch %.0f, ratio %.2fx", torch_lp, pps / torch_lp);
	fprintf(stderr, "\nflow: training %.1f steps/s (batch 512, Adam)", sps);
	if (torch_steps > 0)
		fprintf(stderr, ", PyTorch %.1f, ratio %.2fx", torch_steps,
		    sps / torch_steps);
	fprintf(stderr, "\n");
	printf("{\n  \"model\": \"8 affine couplings, MLP 1-64-64-2 tanh, float64, 1 thread\",\n");
	printf("  \"log_prob_points_per_s\": %.1f,\n  \"train_steps_per_s\": %.2f,\n",
	    pps, sps);
	if (torch_lp > 0)
		printf("  \"torch_log_prob_points_per_s\": %.1f,\n  \"torch_train_steps_per_s\": %.2f,\n"
		    "  \"log_prob_ratio\": %.3f,\n  \"train_ratio\": %.3f,\n",
		    torch_lp, torch_steps, pps / torch_lp, sps / torch_steps);
	printf("  \"torch\": %s\n}\n", torch_lp > 0 ? "true" : "false");
	return 0;
}
