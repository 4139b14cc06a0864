/*
 * flow_planar.c -- planar and radial flows (Rezende & Mohamed 2015).
 *
 * Both are trained through their inverse, so back() uses implicit
 * differentiation: with x = f(z; p) and z = f^-1(x), dz = J^-1 (dx - f_p dp),
 * hence gx = J^-T G and gp = -gx . f_p (plus the direct logdet terms), where
 * G is gz plus the logdet's own dependence on z.  J is the identity plus a
 * rank-one term in both layers, so J^-T comes from Sherman-Morrison.
 */
#include "flow_impl.h"

static double dot(const double *a, const double *b, int d)
{
	double s = 0;
	for (int i = 0; i < d; i++)
		s += a[i] * b[i];
	return s;
}

/* ---- planar.  Parameters: w (d), u (d), b (1). */

/* u_hat = u + (softplus(w.u) - 1 - w.u) w / |w|^2; also k and p = w.u. */
static void planar_uhat(const double *w, const double *u, int d, double *uh,
    double *kp, double *pp)
{
	double p = dot(w, u, d), ww = dot(w, w, d);
	double k = ww > 0 ? (flow_softplus(p) - 1.0 - p) / ww : 0;
	for (int i = 0; i < d; i++)
		uh[i] = u[i] + k * w[i];
	if (kp)
		*kp = k;
	if (pp)
		*pp = p;
}

int flow_add_planar(struct flow *f, const double *w, const double *u,
    double b)
{
	int d = f->dim;
	struct flow_layer *L = flow__layer_new(f, FLOW_PLANAR, 2 * d + 1);
	if (!L)
		return -1;
	double *P = f->param + L->off;
	for (int i = 0; i < d; i++) {
		P[i] = w ? w[i] : 0;
		P[d + i] = u ? u[i] : 0;
	}
	P[2 * d] = b;
	return 0;
}

static int planar_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim;
	const double *w = f->param + L->off, *u = w + d, b = w[2 * d];
	double uh[FLOW_MAX_DIM];
	planar_uhat(w, u, d, uh, 0, 0);
	double beta = dot(w, uh, d);
	for (long k = 0; k < n; k++) {
		const double *zk = z + k * d;
		double h = flow_tanh(dot(w, zk, d) + b);
		for (int i = 0; i < d; i++)
			x[k * d + i] = zk[i] + uh[i] * h;
		double D = 1.0 + (1.0 - h * h) * beta;
		ld[k] += flow_log(D < 0 ? -D : D);
	}
	return 0;
}

/* Solves a + beta tanh(a) = c for a (beta >= -1, so the left side is
 * monotone): Newton steps kept inside a shrinking bracket, bisection when a
 * step leaves it. */
static double planar_solve(double c, double beta)
{
	double ab = beta < 0 ? -beta : beta;
	double lo = c - ab, hi = c + ab, a = c;
	for (int it = 0; it < 200; it++) {
		double t = flow_tanh(a);
		double g = a + beta * t - c;
		if (g == 0)
			break;
		if (g < 0)
			lo = a;
		else
			hi = a;
		double gp = 1.0 + beta * (1.0 - t * t);
		double na = gp > 0 ? a - g / gp : 0.5 * (lo + hi);
		if (!(na > lo && na < hi))
			na = 0.5 * (lo + hi);
		double step = na - a;
		a = na;
		if ((step < 0 ? -step : step) <= 1e-16 * (1.0 + (a < 0 ? -a : a))
		    || hi - lo <= 0)
			break;
	}
	return a;
}

static int planar_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim;
	const double *w = f->param + L->off, *u = w + d, b = w[2 * d];
	double uh[FLOW_MAX_DIM];
	planar_uhat(w, u, d, uh, 0, 0);
	double beta = dot(w, uh, d);
	for (long k = 0; k < n; k++) {
		const double *xk = x + k * d;
		double a = planar_solve(dot(w, xk, d) + b, beta);
		double h = flow_tanh(a);
		for (int i = 0; i < d; i++)
			z[k * d + i] = xk[i] - uh[i] * h;
		double D = 1.0 + (1.0 - h * h) * beta;
		ld[k] -= flow_log(D < 0 ? -D : D);
	}
	return 0;
}

static long no_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return 0;
}

static int planar_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim;
	const double *w = f->param + L->off, *u = w + d, b = w[2 * d];
	double uh[FLOW_MAX_DIM], guh[FLOW_MAX_DIM] = {0}, G[FLOW_MAX_DIM];
	double *gw = grad, *gu = grad + d, *gb = grad + 2 * d;
	double kk, p;
	planar_uhat(w, u, d, uh, &kk, &p);
	double beta = dot(w, uh, d);
	for (long s = 0; s < n; s++) {
		const double *zs = z + s * d;
		double h = flow_tanh(dot(w, zs, d) + b), h1 = 1.0 - h * h;
		double h2 = -2.0 * h * h1, D = 1.0 + h1 * beta;
		for (int i = 0; i < d; i++)
			G[i] = gz[s * d + i] - c * h2 * beta / D * w[i];
		double ug = dot(uh, G, d);
		double *g = gx + s * d;
		for (int i = 0; i < d; i++)
			g[i] = G[i] - h1 * w[i] * ug / D;
		double gu_ = dot(g, uh, d);
		for (int i = 0; i < d; i++) {
			guh[i] += -g[i] * h - c / D * h1 * w[i];
			gw[i] += -gu_ * h1 * zs[i] - c / D * (h2 * beta * zs[i]
			    + h1 * uh[i]);
		}
		*gb += -gu_ * h1 - c / D * h2 * beta;
	}
	/* u_hat = u + k w, k = (softplus(p) - 1 - p) / |w|^2, p = w.u */
	double ww = dot(w, w, d);
	if (ww > 0) {
		double gw_ = dot(guh, w, d), sp = flow_sigmoid(p) - 1.0;
		for (int i = 0; i < d; i++) {
			gu[i] += guh[i] + gw_ * sp / ww * w[i];
			gw[i] += kk * guh[i] + gw_ * (sp * u[i] / ww
			    - 2.0 * kk * w[i] / ww);
		}
	} else {
		for (int i = 0; i < d; i++)
			gu[i] += guh[i];
	}
	return 0;
}

const struct layer_ops flow__ops_planar = {
	planar_fwd, planar_inv, no_tape, planar_back,
};

/* ---- radial.  Parameters: z0 (d), alpha_raw, beta_raw with
 * alpha = softplus(alpha_raw), beta = -alpha + softplus(beta_raw). */

/* softplus^-1(y) = log(expm1(y)) for y > 0 */
static double softplus_inv(double y)
{
	return y > 36 ? y + flow_log1p(-flow_exp(-y)) : flow_log(flow_expm1(y));
}

int flow_add_radial(struct flow *f, const double *z0, double alpha,
    double beta)
{
	int d = f->dim;
	if (!(alpha > 0) || !(beta + alpha > 0))
		return -1;
	struct flow_layer *L = flow__layer_new(f, FLOW_RADIAL, d + 2);
	if (!L)
		return -1;
	double *P = f->param + L->off;
	for (int i = 0; i < d; i++)
		P[i] = z0 ? z0[i] : 0;
	P[d] = softplus_inv(alpha);
	P[d + 1] = softplus_inv(beta + alpha);
	return 0;
}

static void radial_ab(const double *P, int d, double *al, double *be)
{
	*al = flow_softplus(P[d]);
	*be = -*al + flow_softplus(P[d + 1]);
}

/* forward logdet at radius r: (d-1) log(1 + b h) + log(1 + a b h^2) */
static double radial_ld(double al, double be, double r, int d)
{
	double h = 1.0 / (al + r);
	return (d - 1) * flow_log(1.0 + be * h) + flow_log(1.0 + al * be * h * h);
}

static int radial_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim;
	const double *z0 = f->param + L->off;
	double al, be;
	radial_ab(z0, d, &al, &be);
	for (long k = 0; k < n; k++) {
		double e[FLOW_MAX_DIM];
		for (int i = 0; i < d; i++)
			e[i] = z[k * d + i] - z0[i];
		double r = flow_sqrt(dot(e, e, d)), g = be / (al + r);
		for (int i = 0; i < d; i++)
			x[k * d + i] = z[k * d + i] + g * e[i];
		ld[k] += radial_ld(al, be, r, d);
	}
	return 0;
}

static int radial_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim;
	const double *z0 = f->param + L->off;
	double al, be;
	radial_ab(z0, d, &al, &be);
	for (long k = 0; k < n; k++) {
		double e[FLOW_MAX_DIM];
		for (int i = 0; i < d; i++)
			e[i] = x[k * d + i] - z0[i];
		/* |x - z0| = r (1 + b/(a + r)): r^2 + (a + b - R) r - R a = 0 */
		double R = flow_sqrt(dot(e, e, d)), p = al + be - R;
		double q = flow_sqrt(p * p + 4.0 * R * al);
		double r = p >= 0 ? 2.0 * R * al / (p + q) : 0.5 * (q - p);
		if (R == 0)
			r = 0;
		double s = 1.0 / (1.0 + be / (al + r));
		for (int i = 0; i < d; i++)
			z[k * d + i] = z0[i] + e[i] * s;
		ld[k] -= radial_ld(al, be, r, d);
	}
	return 0;
}

static int radial_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim;
	const double *P = f->param + L->off, *z0 = P;
	double al, be, gal = 0, gbe = 0;
	radial_ab(P, d, &al, &be);
	for (long s = 0; s < n; s++) {
		double e[FLOW_MAX_DIM], dv[FLOW_MAX_DIM], G[FLOW_MAX_DIM];
		for (int i = 0; i < d; i++)
			dv[i] = z[s * d + i] - z0[i];
		double r = flow_sqrt(dot(dv, dv, d));
		for (int i = 0; i < d; i++)
			e[i] = r > 0 ? dv[i] / r : 0;
		double h = 1.0 / (al + r), a = 1.0 + be * h;
		double bb = -be * h * h * r, ab = a + bb;
		double dldr = -(d - 1) * be * h * h / a
		    - 2.0 * al * be * h * h * h / ab;
		for (int i = 0; i < d; i++)
			G[i] = gz[s * d + i] - c * dldr * e[i];
		double eg = dot(e, G, d);
		double *g = gx + s * d;
		for (int i = 0; i < d; i++)
			g[i] = (G[i] - bb / ab * eg * e[i]) / a;
		double gd = dot(g, dv, d);
		for (int i = 0; i < d; i++)
			grad[i] += be * h * g[i] - be * h * h * gd * e[i]
			    + c * dldr * e[i];
		gal += be * h * h * gd;
		gbe += -h * gd;
		gbe += -c * ((d - 1) * h / a + al * h * h / ab);
		gal += -c * (-(d - 1) * be * h * h / a
		    + be * h * h * (1.0 - 2.0 * al * h) / ab);
	}
	grad[d] += (gal - gbe) * flow_sigmoid(P[d]);
	grad[d + 1] += gbe * flow_sigmoid(P[d + 1]);
	return 0;
}

const struct layer_ops flow__ops_radial = {
	radial_fwd, radial_inv, no_tape, radial_back,
};
