/*
 * flow_spline.c -- rational-quadratic splines (Durkan et al. 2019, "Neural
 * Spline Flows"): the spline itself, its derivative for back-propagation,
 * and the two layers built on it (elementwise spline, spline coupling).
 *
 * Raw parameters per transformed dimension, 3K-1 of them: K widths and K
 * heights (softmax, each bin at least MIN_BIN of the interval), K-1
 * interior knot derivatives (MIN_DERIV + softplus); the end derivatives are
 * 1 so the linear tails (the identity outside [-B, B]) join smoothly.
 */
#include "flow_impl.h"

#define MIN_BIN 1e-3
#define MIN_DERIV 1e-3

/* ---- the spline with explicit knots */

/* Bin k with a[k] <= v < a[k+1] (the last bin includes a[K]). */
static int find_bin(const double *a, int K, double v)
{
	int lo = 0, hi = K - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (v >= a[mid])
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

double flow__rqs_apply(const double *xk, const double *yk, const double *dk,
    int K, double v, int inverse, double *logdet)
{
	const double *in = inverse ? yk : xk;
	if (!(v >= in[0] && v <= in[K]))
		return v;
	int k = find_bin(in, K, v);
	double w = xk[k + 1] - xk[k], h = yk[k + 1] - yk[k], s = h / w;
	double d0 = dk[k], d1 = dk[k + 1], xi;
	if (!inverse) {
		xi = (v - xk[k]) / w;
	} else {
		/* a xi^2 + b xi + c = 0 with the root in [0,1] taken in the
		 * form 2c / (-b - sqrt(b^2 - 4ac)), stable for a -> 0 */
		double dy = v - yk[k], t = d1 + d0 - 2.0 * s;
		double a = h * (s - d0) + dy * t;
		double b = h * d0 - dy * t;
		double c = -s * dy;
		double disc = b * b - 4.0 * a * c;
		xi = 2.0 * c / (-b - flow_sqrt(disc > 0 ? disc : 0));
	}
	double om = 1.0 - xi, q = xi * om;
	double den = s + (d0 + d1 - 2.0 * s) * q;
	double fpn = d1 * xi * xi + 2.0 * s * q + d0 * om * om;
	double lg = 2.0 * flow_log(s) + flow_log(fpn) - 2.0 * flow_log(den);
	if (!inverse) {
		*logdet += lg;
		return yk[k] + h * (s * xi * xi + d0 * q) / den;
	}
	*logdet -= lg;
	return xk[k] + xi * w;
}

int flow_rqs_eval(int bins, const double *xk, const double *yk,
    const double *deriv, double v, int inverse, double *out, double *logdet)
{
	if (bins < 1 || !xk || !yk || !deriv || !out)
		return -1;
	for (int k = 0; k < bins; k++)
		if (!(xk[k + 1] > xk[k]) || !(yk[k + 1] > yk[k]) ||
		    !(deriv[k] > 0))
			return -1;
	double ld = 0;
	*out = flow__rqs_apply(xk, yk, deriv, bins, v, inverse, &ld);
	if (logdet)
		*logdet = ld;
	return 0;
}

/* ---- knots from raw parameters */
static void softmax(const double *r, int K, double *p)
{
	double m = r[0], s = 0;
	for (int i = 1; i < K; i++)
		m = r[i] > m ? r[i] : m;
	for (int i = 0; i < K; i++)
		s += p[i] = flow_exp(r[i] - m);
	for (int i = 0; i < K; i++)
		p[i] /= s;
}

static void cum_knots(const double *r, int K, double B, double *a)
{
	double p[FLOW_MAX_BINS], acc = 0;
	softmax(r, K, p);
	a[0] = -B;
	for (int i = 0; i < K - 1; i++) {
		acc += MIN_BIN + (1.0 - MIN_BIN * K) * p[i];
		a[i + 1] = -B + 2.0 * B * acc;
	}
	a[K] = B;
}

void flow__rqs_knots(const double *raw, int K, double B, double *xk,
    double *yk, double *dk)
{
	cum_knots(raw, K, B, xk);
	cum_knots(raw + K, K, B, yk);
	dk[0] = dk[K] = 1.0;
	for (int i = 1; i < K; i++)
		dk[i] = MIN_DERIV + flow_softplus(raw[2 * K + i - 1]);
}

/* ---- back-propagation */

/* Adjoints of one bin's f = y_k + num/den and l = log f' with respect to
 * (u, x_k, w, y_k, h, d_k, d_k1), given the output adjoints af and al. */
static void bin_adj(double u, double xk, double w, double h, double d0,
    double d1, double af, double al, double g[7])
{
	double s = h / w, xi = (u - xk) / w, om = 1.0 - xi, q = xi * om;
	double t = d0 + d1 - 2.0 * s;
	double den = s + t * q, numr = s * xi * xi + d0 * q, num = h * numr;
	double fpn = d1 * xi * xi + 2.0 * s * q + d0 * om * om;
	double gnum = af / den;
	double gden = -af * num / (den * den) - 2.0 * al / den;
	double gs = 2.0 * al / s, gfpn = al / fpn;
	double gxi = 0, gq = 0, gom = 0, gh = 0, gd0 = 0, gd1 = 0, gw = 0;
	gd1 += gfpn * xi * xi;
	gxi += gfpn * 2.0 * d1 * xi;
	gs += gfpn * 2.0 * q;
	gq += gfpn * 2.0 * s;
	gd0 += gfpn * om * om;
	gom += gfpn * 2.0 * d0 * om;
	gh += gnum * numr;
	gs += gnum * h * xi * xi;
	gxi += gnum * h * 2.0 * s * xi;
	gd0 += gnum * h * q;
	gq += gnum * h * d0;
	gs += gden * (1.0 - 2.0 * q);
	gd0 += gden * q;
	gd1 += gden * q;
	gq += gden * t;
	gxi += gq * om;
	gom += gq * xi;
	gxi -= gom;
	g[0] = gxi / w;
	g[1] = -gxi / w;
	gw += -gxi * xi / w;
	gh += gs / w;
	gw += -gs * s / w;
	g[2] = gw;
	g[3] = af;
	g[4] = gh;
	g[5] = gd0;
	g[6] = gd1;
}

/* gr += d/draw of knots a = cum_knots(raw) given ga = dL/da. */
static void cum_back(const double *r, int K, double B, const double *ga,
    double *gr)
{
	double p[FLOW_MAX_BINS], gw[FLOW_MAX_BINS], acc = 0, dotp = 0;
	softmax(r, K, p);
	/* a[j] = -B + 2B sum_{i<j} w_i for 0 < j < K */
	for (int i = K - 2; i >= 0; i--) {
		acc += ga[i + 1];
		gw[i] = 2.0 * B * acc;
	}
	gw[K - 1] = 0;
	for (int i = 0; i < K; i++)
		dotp += p[i] * gw[i];
	for (int i = 0; i < K; i++)
		gr[i] += (1.0 - MIN_BIN * K) * p[i] * (gw[i] - dotp);
}

double flow__rqs_back(const double *raw, int K, double B, double x, double z,
    double gz, double c, double *graw)
{
	double xk[FLOW_MAX_BINS + 1], yk[FLOW_MAX_BINS + 1], dk[FLOW_MAX_BINS + 1];
	flow__rqs_knots(raw, K, B, xk, yk, dk);
	if (!(x >= -B && x <= B))
		return gz;
	int k = find_bin(xk, K, z);
	double w = xk[k + 1] - xk[k], h = yk[k + 1] - yk[k], g[7];
	double ld = 0;
	flow__rqs_apply(xk, yk, dk, K, z, 0, &ld);
	double fp = flow_exp(ld);
	bin_adj(z, xk[k], w, h, dk[k], dk[k + 1], 0, 1, g);
	double G = gz - c * g[0];
	bin_adj(z, xk[k], w, h, dk[k], dk[k + 1], -G / fp, -c, g);
	double gx_[FLOW_MAX_BINS + 1] = {0}, gy[FLOW_MAX_BINS + 1] = {0};
	gx_[k] += g[1] - g[2];
	gx_[k + 1] += g[2];
	gy[k] += g[3] - g[4];
	gy[k + 1] += g[4];
	cum_back(raw, K, B, gx_, graw);
	cum_back(raw + K, K, B, gy, graw + K);
	if (k > 0)
		graw[2 * K + k - 1] += g[5] * flow_sigmoid(raw[2 * K + k - 1]);
	if (k + 1 < K)
		graw[2 * K + k] += g[6] * flow_sigmoid(raw[2 * K + k]);
	return G / fp;
}

/* ---- elementwise spline layer: d * (3K-1) raw parameters */
static double softplus_inv(double y)
{
	return flow_log(flow_expm1(y));
}

static void raw_identity(double *raw, int K)
{
	for (int i = 0; i < 2 * K; i++)
		raw[i] = 0;
	for (int i = 0; i < K - 1; i++)
		raw[2 * K + i] = softplus_inv(1.0 - MIN_DERIV);
}

int flow_add_spline(struct flow *f, int bins, double bound)
{
	int d = f->dim, np = 3 * bins - 1;
	if (bins < 1 || bins > FLOW_MAX_BINS || !(bound > 0))
		return -1;
	struct flow_layer *L = flow__layer_new(f, FLOW_SPLINE, (long)d * np);
	if (!L)
		return -1;
	L->bins = bins;
	L->bound = bound;
	for (int i = 0; i < d; i++)
		raw_identity(f->param + L->off + (long)i * np, bins);
	return 0;
}

int flow_spline_set_knots(struct flow *f, int i, const double *xk,
    const double *yk, const double *deriv)
{
	struct flow_layer *L = 0;
	for (int k = f->nlayers - 1; k >= 0 && !L; k--)
		if (f->layer[k].kind == FLOW_SPLINE)
			L = &f->layer[k];
	if (!L || i < 0 || i >= f->dim || !xk || !yk || !deriv)
		return -1;
	int K = L->bins;
	double B = L->bound, *raw = f->param + L->off + (long)i * (3 * K - 1);
	double tmp[3 * FLOW_MAX_BINS];
	for (int k = 0; k < K; k++) {
		double w = (xk[k + 1] - xk[k]) / (2 * B), h = (yk[k + 1] - yk[k]) / (2 * B);
		if (!(w > MIN_BIN) || !(h > MIN_BIN))
			return -1;
		tmp[k] = flow_log((w - MIN_BIN) / (1.0 - MIN_BIN * K));
		tmp[K + k] = flow_log((h - MIN_BIN) / (1.0 - MIN_BIN * K));
	}
	for (int k = 1; k < K; k++) {
		if (!(deriv[k] > MIN_DERIV))
			return -1;
		tmp[2 * K + k - 1] = softplus_inv(deriv[k] - MIN_DERIV);
	}
	for (int k = 0; k < 3 * K - 1; k++)
		raw[k] = tmp[k];
	return 0;
}

static int spl_run(struct flow *f, struct flow_layer *L, const double *in,
    double *out, double *ld, int n, int inverse)
{
	int d = f->dim, K = L->bins, np = 3 * K - 1;
	double xk[FLOW_MAX_BINS + 1], yk[FLOW_MAX_BINS + 1], dk[FLOW_MAX_BINS + 1];
	for (int i = 0; i < d; i++) {
		flow__rqs_knots(f->param + L->off + (long)i * np, K, L->bound, xk,
		    yk, dk);
		for (long k = 0; k < n; k++)
			out[k * d + i] = flow__rqs_apply(xk, yk, dk, K, in[k * d + i],
			    inverse, &ld[k]);
	}
	return 0;
}

static int spl_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	return spl_run(f, L, z, x, ld, n, 0);
}

static int spl_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	return spl_run(f, L, x, z, ld, n, 1);
}

static long no_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return 0;
}

static int spl_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim, K = L->bins, np = 3 * K - 1;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++)
			gx[k * d + i] = flow__rqs_back(f->param + L->off + (long)i * np,
			    K, L->bound, x[k * d + i], z[k * d + i], gz[k * d + i], c,
			    grad + (long)i * np);
	return 0;
}

const struct layer_ops flow__ops_spline = {
	spl_fwd, spl_inv, no_tape, spl_back,
};

/* ---- spline coupling: conditioner outputs nout * (3K-1) raw values */
int flow_add_spline_coupling(struct flow *f, const int *mask, int hidden,
    int bins, double bound)
{
	int d = f->dim, nin = 0;
	if (!mask || hidden < 1 || bins < 1 || bins > FLOW_MAX_BINS ||
	    !(bound > 0))
		return -1;
	for (int i = 0; i < d; i++)
		nin += mask[i] != 0;
	if (nin == d)
		return -1;
	int no = d - nin, np = 3 * bins - 1;
	struct flow_layer *L = flow__layer_new(f, FLOW_SPLINE_COUPLING,
	    flow__mlp_nparam(nin, hidden, no * np));
	if (!L)
		return -1;
	flow__coupling_mask(f, L, mask);
	L->hidden = hidden;
	L->bins = bins;
	L->bound = bound;
	double *P = f->param + L->off;
	flow__mlp_init(f, P, nin, hidden, no * np, 0.01);
	double *b3 = P + flow__mlp_nparam(nin, hidden, no * np) - no * np;
	for (int j = 0; j < no; j++)
		raw_identity(b3 + (long)j * np, bins);
	return 0;
}

static long sc_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return (long)n * (2 * L->hidden + L->nout * (3 * L->bins - 1));
}

static int sc_run(struct flow *f, struct flow_layer *L, const double *in,
    double *out, double *ld, int n, double *tape, int inverse)
{
	int d = f->dim, h = L->hidden, ni = L->nin, no = L->nout, K = L->bins;
	int np = 3 * K - 1;
	long mark = f->used;
	double *H = tape ? tape : flow__take(f, sc_tape(f, L, n));
	double *X = flow__take(f, (long)n * (ni ? ni : 1));
	if (!H || !X) {
		f->used = mark;
		return -1;
	}
	double *Y = H + 2L * n * h;
	for (long k = 0; k < n; k++)
		for (int j = 0; j < ni; j++)
			X[k * ni + j] = in[k * d + L->perm[j]];
	flow__mlp_forward(f, f->param + L->off, ni, h, no * np, X, H,
	    H + (long)n * h, Y, n);
	double xk[FLOW_MAX_BINS + 1], yk[FLOW_MAX_BINS + 1], dk[FLOW_MAX_BINS + 1];
	for (long k = 0; k < n; k++) {
		for (int j = 0; j < ni; j++)
			out[k * d + L->perm[j]] = in[k * d + L->perm[j]];
		for (int j = 0; j < no; j++) {
			int col = L->perm[ni + j];
			flow__rqs_knots(Y + (k * no + j) * np, K, L->bound, xk, yk, dk);
			out[k * d + col] = flow__rqs_apply(xk, yk, dk, K,
			    in[k * d + col], inverse, &ld[k]);
		}
	}
	f->used = mark;
	return 0;
}

static int sc_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	return sc_run(f, L, z, x, ld, n, 0, 0);
}

static int sc_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	return sc_run(f, L, x, z, ld, n, tape, 1);
}

static int sc_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim, h = L->hidden, ni = L->nin, no = L->nout, K = L->bins;
	int np = 3 * K - 1;
	long mark = f->used;
	const double *H1 = tape, *H2 = tape + (long)n * h, *Y = H2 + (long)n * h;
	double *dY = flow__take(f, (long)n * no * np);
	double *X = flow__take(f, (long)n * (ni ? ni : 1));
	double *dX = flow__take(f, (long)n * (ni ? ni : 1));
	if (!dX) {
		f->used = mark;
		return -1;
	}
	for (long i = 0; i < (long)n * no * np; i++)
		dY[i] = 0;
	for (long k = 0; k < n; k++) {
		for (int j = 0; j < ni; j++)
			X[k * ni + j] = x[k * d + L->perm[j]];
		for (int j = 0; j < no; j++) {
			int col = L->perm[ni + j];
			gx[k * d + col] = flow__rqs_back(Y + (k * no + j) * np, K,
			    L->bound, x[k * d + col], z[k * d + col], gz[k * d + col],
			    c, dY + (k * no + j) * np);
		}
	}
	int rc = flow__mlp_backward(f, f->param + L->off, ni, h, no * np, X, H1,
	    H2, dY, dX, grad, n);
	for (long k = 0; k < n && !rc; k++)
		for (int j = 0; j < ni; j++)
			gx[k * d + L->perm[j]] = gz[k * d + L->perm[j]] + dX[k * ni + j];
	f->used = mark;
	return rc;
}

const struct layer_ops flow__ops_spline_coupling = {
	sc_fwd, sc_inv, sc_tape, sc_back,
};
