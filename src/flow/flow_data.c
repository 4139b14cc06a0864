/*
 * flow_data.c -- the 2-D toy data sets of FFJORD (Grathwohl et al. 2019,
 * lib/toy_data.py), drawn from a seeded generator.  Where the original
 * places points on a grid (linspace) or in fixed class blocks, each point
 * here draws its angle or class at random, so every point is independent.
 */
#include "flow_impl.h"

static const double PI = 3.14159265358979323846;

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void moons(struct flow_rng *r, double *p)
{
	double t = PI * flow_rng_uniform(r), x, y;
	if (flow_rng_uniform(r) < 0.5) {
		x = flow_cos(t);
		y = flow_sin(t);
	} else {
		x = 1.0 - flow_cos(t);
		y = 1.0 - flow_sin(t) - 0.5;
	}
	x += 0.1 * flow_rng_normal(r);
	y += 0.1 * flow_rng_normal(r);
	p[0] = 2.0 * x - 1.0;
	p[1] = 2.0 * y - 0.2;
}

static void gaussians8(struct flow_rng *r, double *p)
{
	static const double c[8][2] = {
		{1, 0}, {-1, 0}, {0, 1}, {0, -1},
		{0.70710678118654752, 0.70710678118654752},
		{0.70710678118654752, -0.70710678118654752},
		{-0.70710678118654752, 0.70710678118654752},
		{-0.70710678118654752, -0.70710678118654752},
	};
	int k = (int)(flow_rng_next(r) >> 61);
	p[0] = (0.5 * flow_rng_normal(r) + 4.0 * c[k][0]) / 1.414;
	p[1] = (0.5 * flow_rng_normal(r) + 4.0 * c[k][1]) / 1.414;
}

static void checkerboard(struct flow_rng *r, double *p)
{
	double x1 = 4.0 * flow_rng_uniform(r) - 2.0;
	double x2 = flow_rng_uniform(r) - 2.0 * (double)(flow_rng_next(r) >> 63);
	double fl = x1 < -1 ? -2 : x1 < 0 ? -1 : x1 < 1 ? 0 : 1;
	x2 += (fl == -1 || fl == 1) ? 1.0 : 0.0; /* floor(x1) mod 2 */
	p[0] = 2.0 * x1;
	p[1] = 2.0 * x2;
}

static void rings(struct flow_rng *r, double *p)
{
	static const double rad[4] = {1.0, 0.75, 0.5, 0.25};
	int k = (int)(flow_rng_next(r) >> 62);
	double t = 2.0 * PI * flow_rng_uniform(r);
	p[0] = 3.0 * rad[k] * flow_cos(t) + 0.08 * flow_rng_normal(r);
	p[1] = 3.0 * rad[k] * flow_sin(t) + 0.08 * flow_rng_normal(r);
}

static void spirals(struct flow_rng *r, double *p)
{
	double t = flow_sqrt(flow_rng_uniform(r)) * 540.0 * (2.0 * PI / 360.0);
	double x = -flow_cos(t) * t + 0.5 * flow_rng_uniform(r);
	double y = flow_sin(t) * t + 0.5 * flow_rng_uniform(r);
	double s = (flow_rng_next(r) >> 63) ? -1.0 : 1.0;
	p[0] = s * x / 3.0 + 0.1 * flow_rng_normal(r);
	p[1] = s * y / 3.0 + 0.1 * flow_rng_normal(r);
}

static void pinwheel(struct flow_rng *r, double *p)
{
	int k = (int)((flow_rng_next(r) >> 32) % 5);
	double f0 = 0.3 * flow_rng_normal(r) + 1.0, f1 = 0.1 * flow_rng_normal(r);
	double a = 2.0 * PI * k / 5.0 + 0.25 * flow_exp(f0);
	double c = flow_cos(a), s = flow_sin(a);
	p[0] = 2.0 * (f0 * c + f1 * s);
	p[1] = 2.0 * (-f0 * s + f1 * c);
}

int flow_toy_sample(const char *name, struct flow_rng *r, double *x, int n)
{
	void (*fn)(struct flow_rng *, double *) = 0;
	if (!name || !r || !x || n < 0)
		return -1;
	if (same(name, "moons"))
		fn = moons;
	else if (same(name, "8gaussians"))
		fn = gaussians8;
	else if (same(name, "checkerboard"))
		fn = checkerboard;
	else if (same(name, "rings"))
		fn = rings;
	else if (same(name, "2spirals"))
		fn = spirals;
	else if (same(name, "pinwheel"))
		fn = pinwheel;
	else
		return -1;
	for (long i = 0; i < n; i++)
		fn(r, x + 2 * i);
	return 0;
}
