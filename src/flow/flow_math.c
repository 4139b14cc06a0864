/*
 * flow_math.c -- the elementary functions and the random generator of the
 * flow library.  Written here (not taken from libm) so that the same inputs
 * give the same bits natively and in WebAssembly: only +, -, *, / and sqrt,
 * which IEEE 754 rounds the same everywhere (the flow objects are compiled
 * with -ffp-contract=off so no multiply-add is fused).
 *
 * Divisions: bit helpers, exp family, log family, tanh (scalar and array),
 * sin/cos, random numbers.
 */
#include "flow_impl.h"

/* ---- bit helpers */
static inline unsigned long long bits(double x)
{
	union { double d; unsigned long long u; } c = { x };
	return c.u;
}

static inline double from_bits(unsigned long long u)
{
	union { unsigned long long u; double d; } c = { u };
	return c.d;
}

static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double LOG2E = 1.44269504088896338700e+00;
static const double SHIFT = 6755399441055744.0; /* 1.5 * 2^52 */

/* ---- exp family.  x = k ln2 + r, |r| <= ln2/2; 2^k from the bits of the
 * rounded k (the SHIFT trick rounds to nearest without a conversion). */

/* exp(r) - 1 for |r| <= 0.35, Taylor to degree 14. */
static inline double expm1_small(double r)
{
	double p = 1.0 / 87178291200.0;
	p = p * r + 1.0 / 6227020800.0;
	p = p * r + 1.0 / 479001600.0;
	p = p * r + 1.0 / 39916800.0;
	p = p * r + 1.0 / 3628800.0;
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	p = p * r + 0.5;
	return r + r * r * p;
}

/* expm1 for 0 <= y <= 60: relative accuracy at every y, no branch. */
double flow__expm1_pos(double y)
{
	double kd = y * LOG2E + SHIFT;
	unsigned long long k = bits(kd) - bits(SHIFT);
	kd -= SHIFT;
	double r = (y - kd * LN2_HI) - kd * LN2_LO;
	double q = expm1_small(r);
	double s = from_bits((k + 1023ULL) << 52);
	return s * q + (s - 1.0);
}

double flow_exp(double x)
{
	if (x != x)
		return x;
	if (x > 709.782712893384)
		return from_bits(0x7ff0000000000000ULL);
	if (x < -745.2)
		return 0.0;
	double kd = x * LOG2E + SHIFT;
	long long k = (long long)(bits(kd) - bits(SHIFT));
	kd -= SHIFT;
	double r = (x - kd * LN2_HI) - kd * LN2_LO;
	double p = 1.0 + expm1_small(r);
	if (k > 1023) /* x near the top: 2^k overflows, split it */
		return p * 2.0 * from_bits((unsigned long long)(k - 1 + 1023) << 52);
	if (k < -1021) /* subnormal result: scale in two steps */
		return p * from_bits((unsigned long long)(k + 60 + 1023) << 52)
		    * from_bits((unsigned long long)(-60 + 1023) << 52);
	return p * from_bits((unsigned long long)(k + 1023) << 52);
}

double flow_expm1(double x)
{
	if (x != x)
		return x;
	if (x >= 0)
		return x > 60 ? flow_exp(x) - 1.0 : flow__expm1_pos(x);
	if (x > -0.34657359)
		return expm1_small(x);
	return flow_exp(x) - 1.0;
}

/* ---- log family */

/* log(m) for m in [sqrt(1/2), sqrt(2)]: 2 atanh(s), s = (m-1)/(m+1). */
static double log_reduced(double m)
{
	double f = m - 1.0;
	double s = f / (2.0 + f);
	double z = s * s;
	double p = 1.0 / 25;
	p = p * z + 1.0 / 23;
	p = p * z + 1.0 / 21;
	p = p * z + 1.0 / 19;
	p = p * z + 1.0 / 17;
	p = p * z + 1.0 / 15;
	p = p * z + 1.0 / 13;
	p = p * z + 1.0 / 11;
	p = p * z + 1.0 / 9;
	p = p * z + 1.0 / 7;
	p = p * z + 1.0 / 5;
	p = p * z + 1.0 / 3;
	/* log m = 2s + 2s z p, and 2s = f - s f exactly in real arithmetic:
	 * f is exact, so only the small correction carries rounding. */
	return f - s * (f - 2.0 * z * p);
}

double flow_log(double x)
{
	if (x != x || x < 0)
		return (x - x) / (x - x); /* NaN */
	if (x == 0)
		return -1.0 / (x * x);    /* -inf */
	unsigned long long u = bits(x);
	if (u >= 0x7ff0000000000000ULL)
		return x;                 /* +inf */
	int k = 0;
	if (u < 0x0010000000000000ULL) { /* subnormal */
		x *= 18014398509481984.0;    /* 2^54 */
		u = bits(x);
		k = -54;
	}
	k += (int)(u >> 52) - 1023;
	double m = from_bits((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
	if (m > 1.4142135623730951) {
		m *= 0.5;
		k++;
	}
	double lm = log_reduced(m);
	return (k * LN2_HI + (k * LN2_LO + lm));
}

double flow_log1p(double x)
{
	double u = 1.0 + x;
	if (u == 1.0)
		return x;
	if (u == from_bits(0x7ff0000000000000ULL))
		return u;
	/* log(u) * x / (u - 1) corrects the rounding of 1 + x. */
	return flow_log(u) * (x / (u - 1.0));
}

double flow_sqrt(double x)
{
	return __builtin_sqrt(x);
}

double flow_sigmoid(double x)
{
	if (x >= 0)
		return 1.0 / (1.0 + flow_exp(-x));
	double e = flow_exp(x);
	return e / (1.0 + e);
}

/* log(1 + exp(x)), accurate for every x. */
double flow_softplus(double x)
{
	if (x > 36)
		return x + flow_exp(-x);
	return (x > 0 ? x : 0.0) + flow_log1p(flow_exp(-(x > 0 ? x : -x)));
}

/* ---- tanh: tanh|x| = e / (e + 2) with e = expm1(2|x|). */
static inline double tanh_one(double x)
{
	double a = x < 0 ? -x : x;
	double y = a > 20 ? 40.0 : 2.0 * a;
	double e = flow__expm1_pos(y);
	double t = e / (e + 2.0);
	return x < 0 ? -t : t;
}

double flow_tanh(double x)
{
	if (x != x)
		return x;
	return tanh_one(x);
}

/* y[i] = tanh(x[i]); written branch-free so the compiler vectorises it;
 * each element gets exactly the bits of flow_tanh. */
void flow__tanh_array(double *y, const double *x, long n)
{
	for (long i = 0; i < n; i++)
		y[i] = tanh_one(x[i]);
}

/* ---- sin and cos: x = k pi/2 + r (three-part pi/2), |r| <= pi/4. */
static const double PIO2_1 = 1.57079632673412561417e+00;
static const double PIO2_2 = 6.07710050650619224932e-11;
static const double PIO2_3 = 2.02226624879595063154e-21;

static double sin_poly(double r)
{
	double z = r * r;
	double p = -1.0 / 121645100408832000.0;
	p = p * z + 1.0 / 355687428096000.0;
	p = p * z - 1.0 / 1307674368000.0;
	p = p * z + 1.0 / 6227020800.0;
	p = p * z - 1.0 / 39916800.0;
	p = p * z + 1.0 / 362880.0;
	p = p * z - 1.0 / 5040.0;
	p = p * z + 1.0 / 120.0;
	p = p * z - 1.0 / 6.0;
	return r + r * z * p;
}

static double cos_poly(double r)
{
	double z = r * r;
	double p = 1.0 / 2432902008176640000.0;
	p = p * z - 1.0 / 6402373705728000.0;
	p = p * z + 1.0 / 20922789888000.0;
	p = p * z - 1.0 / 87178291200.0;
	p = p * z + 1.0 / 479001600.0;
	p = p * z - 1.0 / 3628800.0;
	p = p * z + 1.0 / 40320.0;
	p = p * z - 1.0 / 720.0;
	p = p * z + 1.0 / 24.0;
	double hz = 0.5 * z;
	return (1.0 - hz) + (((1.0 - (1.0 - hz)) - hz) + z * z * p);
}

static double trig(double x, int cosine)
{
	if (x != x || x - x != 0)
		return (x - x) / (x - x);
	double kd = x * 0.63661977236758134308 + SHIFT;
	long long k = (long long)(bits(kd) - bits(SHIFT));
	kd -= SHIFT;
	double r = ((x - kd * PIO2_1) - kd * PIO2_2) - kd * PIO2_3;
	int q = (int)((k + cosine) & 3);
	switch (q) {
	case 0: return sin_poly(r);
	case 1: return cos_poly(r);
	case 2: return -sin_poly(r);
	default: return -cos_poly(r);
	}
}

double flow_sin(double x)
{
	return trig(x, 0);
}

double flow_cos(double x)
{
	return trig(x, 1);
}

/* ---- random numbers: xoshiro256** seeded through splitmix64. */
void flow_rng_seed(struct flow_rng *r, unsigned long long seed)
{
	for (int i = 0; i < 4; i++) {
		unsigned long long z = (seed += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
	r->has_spare = 0;
	r->spare = 0;
}

static inline unsigned long long rotl(unsigned long long x, int k)
{
	return (x << k) | (x >> (64 - k));
}

unsigned long long flow_rng_next(struct flow_rng *r)
{
	unsigned long long *s = r->s;
	unsigned long long out = rotl(s[1] * 5, 7) * 9;
	unsigned long long t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double flow_rng_uniform(struct flow_rng *r)
{
	return (double)(flow_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double flow_rng_normal(struct flow_rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	double u, v, s;
	do {
		u = 2.0 * flow_rng_uniform(r) - 1.0;
		v = 2.0 * flow_rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	double m = flow_sqrt(-2.0 * flow_log(s) / s);
	r->spare = v * m;
	r->has_spare = 1;
	return u * m;
}
