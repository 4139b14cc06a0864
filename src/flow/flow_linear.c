/*
 * flow_linear.c -- the layers without a network: dense affine (LU),
 * elementwise affine and ActNorm, permutation, sigmoid and logit.
 */
#include "flow_impl.h"

/* ---- dense affine x = A z + b.  Parameters: A (d*d), b (d). */

/* LU with partial pivoting of the d*d matrix A into lu, row swaps in piv
 * (step k swapped rows k and piv[k]).  Returns log|det A|, or NaN when A is
 * singular. */
static double lu_factor(const double *A, int d, double *lu, int *piv)
{
	for (int i = 0; i < d * d; i++)
		lu[i] = A[i];
	double ld = 0;
	for (int k = 0; k < d; k++) {
		int p = k;
		double best = lu[k * d + k] < 0 ? -lu[k * d + k] : lu[k * d + k];
		for (int i = k + 1; i < d; i++) {
			double v = lu[i * d + k] < 0 ? -lu[i * d + k] : lu[i * d + k];
			if (v > best) {
				best = v;
				p = i;
			}
		}
		piv[k] = p;
		if (best == 0)
			return (best - best) / (best - best);
		if (p != k)
			for (int j = 0; j < d; j++) {
				double t = lu[k * d + j];
				lu[k * d + j] = lu[p * d + j];
				lu[p * d + j] = t;
			}
		ld += flow_log(best);
		for (int i = k + 1; i < d; i++) {
			double m = lu[i * d + k] /= lu[k * d + k];
			for (int j = k + 1; j < d; j++)
				lu[i * d + j] -= m * lu[k * d + j];
		}
	}
	return ld;
}

/* Solves A y = y in place. */
static void lu_solve(const double *lu, const int *piv, int d, double *y)
{
	for (int k = 0; k < d; k++)
		if (piv[k] != k) {
			double t = y[k];
			y[k] = y[piv[k]];
			y[piv[k]] = t;
		}
	for (int i = 0; i < d; i++)
		for (int j = 0; j < i; j++)
			y[i] -= lu[i * d + j] * y[j];
	for (int i = d - 1; i >= 0; i--) {
		for (int j = i + 1; j < d; j++)
			y[i] -= lu[i * d + j] * y[j];
		y[i] /= lu[i * d + i];
	}
}

/* Solves A^T y = y in place. */
static void lu_solve_t(const double *lu, const int *piv, int d, double *y)
{
	for (int i = 0; i < d; i++) {
		for (int j = 0; j < i; j++)
			y[i] -= lu[j * d + i] * y[j];
		y[i] /= lu[i * d + i];
	}
	for (int i = d - 1; i >= 0; i--)
		for (int j = i + 1; j < d; j++)
			y[i] -= lu[j * d + i] * y[j];
	for (int k = d - 1; k >= 0; k--)
		if (piv[k] != k) {
			double t = y[k];
			y[k] = y[piv[k]];
			y[piv[k]] = t;
		}
}

int flow_add_affine(struct flow *f, const double *A, const double *b)
{
	int d = f->dim, piv[FLOW_MAX_DIM];
	double lu[FLOW_MAX_DIM * FLOW_MAX_DIM];
	if (!A || lu_factor(A, d, lu, piv) != lu_factor(A, d, lu, piv))
		return -1;
	struct flow_layer *L = flow__layer_new(f, FLOW_AFFINE, d * d + d);
	if (!L)
		return -1;
	double *P = f->param + L->off;
	for (int i = 0; i < d * d; i++)
		P[i] = A[i];
	for (int i = 0; i < d; i++)
		P[d * d + i] = b ? b[i] : 0;
	return 0;
}

static int affine_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim, piv[FLOW_MAX_DIM];
	double lu[FLOW_MAX_DIM * FLOW_MAX_DIM];
	const double *A = f->param + L->off, *b = A + d * d;
	double l = lu_factor(A, d, lu, piv);
	if (l != l)
		return -1;
	for (int s = 0; s < n; s++) {
		const double *zs = z + (long)s * d;
		double *xs = x + (long)s * d;
		for (int i = 0; i < d; i++) {
			double v = b[i];
			for (int j = 0; j < d; j++)
				v += A[i * d + j] * zs[j];
			xs[i] = v;
		}
		ld[s] += l;
	}
	return 0;
}

static int affine_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim, piv[FLOW_MAX_DIM];
	double lu[FLOW_MAX_DIM * FLOW_MAX_DIM];
	const double *A = f->param + L->off, *b = A + d * d;
	double l = lu_factor(A, d, lu, piv);
	if (l != l)
		return -1;
	for (int s = 0; s < n; s++) {
		double *zs = z + (long)s * d;
		for (int i = 0; i < d; i++)
			zs[i] = x[(long)s * d + i] - b[i];
		lu_solve(lu, piv, d, zs);
		ld[s] -= l;
	}
	return 0;
}

static long no_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return 0;
}

/* z = A^-1 (x - b): gx = A^-T gz, gA = -gx z^T - c A^-T, gb = -gx. */
static int affine_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim, piv[FLOW_MAX_DIM];
	double lu[FLOW_MAX_DIM * FLOW_MAX_DIM], col[FLOW_MAX_DIM];
	const double *A = f->param + L->off;
	double *gA = grad, *gb = grad + d * d;
	if (lu_factor(A, d, lu, piv) != lu_factor(A, d, lu, piv))
		return -1;
	for (int s = 0; s < n; s++) {
		double *v = gx + (long)s * d;
		const double *zs = z + (long)s * d;
		for (int i = 0; i < d; i++)
			v[i] = gz[(long)s * d + i];
		lu_solve_t(lu, piv, d, v);
		for (int i = 0; i < d; i++) {
			gb[i] -= v[i];
			for (int j = 0; j < d; j++)
				gA[i * d + j] -= v[i] * zs[j];
		}
	}
	/* d log|det A| / dA = A^-T, column j of A^-T solves A^T y = e_j */
	for (int j = 0; j < d; j++) {
		for (int i = 0; i < d; i++)
			col[i] = i == j;
		lu_solve_t(lu, piv, d, col);
		for (int i = 0; i < d; i++)
			gA[i * d + j] -= c * n * col[i];
	}
	return 0;
}

const struct layer_ops flow__ops_affine = {
	affine_fwd, affine_inv, no_tape, affine_back,
};

/* ---- elementwise affine x = z exp(s) + t.  Parameters: s (d), t (d). */
int flow_add_elementwise(struct flow *f, const double *log_scale,
    const double *shift)
{
	int d = f->dim;
	struct flow_layer *L = flow__layer_new(f, FLOW_ELEMENTWISE, 2 * d);
	if (!L)
		return -1;
	for (int i = 0; i < d; i++) {
		f->param[L->off + i] = log_scale ? log_scale[i] : 0;
		f->param[L->off + d + i] = shift ? shift[i] : 0;
	}
	return 0;
}

int flow_add_actnorm(struct flow *f)
{
	struct flow_layer *L = flow__layer_new(f, FLOW_ACTNORM, 2 * f->dim);
	if (!L)
		return -1;
	L->initialised = 0;
	return 0;
}

static int elem_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim;
	const double *s = f->param + L->off, *t = s + d;
	double e[FLOW_MAX_DIM], l = 0;
	for (int i = 0; i < d; i++) {
		e[i] = flow_exp(s[i]);
		l += s[i];
	}
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < d; i++)
			x[(long)k * d + i] = z[(long)k * d + i] * e[i] + t[i];
		ld[k] += l;
	}
	return 0;
}

static int elem_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim;
	const double *s = f->param + L->off, *t = s + d;
	double e[FLOW_MAX_DIM], l = 0;
	for (int i = 0; i < d; i++) {
		e[i] = flow_exp(-s[i]);
		l += s[i];
	}
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < d; i++)
			z[(long)k * d + i] = (x[(long)k * d + i] - t[i]) * e[i];
		ld[k] -= l;
	}
	return 0;
}

static int elem_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim;
	const double *s = f->param + L->off;
	double e[FLOW_MAX_DIM];
	for (int i = 0; i < d; i++) {
		e[i] = flow_exp(-s[i]);
		grad[i] -= c * n;
	}
	for (int k = 0; k < n; k++)
		for (int i = 0; i < d; i++) {
			long j = (long)k * d + i;
			gx[j] = gz[j] * e[i];
			grad[d + i] -= gx[j];
			grad[i] -= gz[j] * z[j];
		}
	return 0;
}

const struct layer_ops flow__ops_elementwise = {
	elem_fwd, elem_inv, no_tape, elem_back,
};

/* Sets ActNorm layer L so that the points x (its output side) map to zero
 * mean, unit variance. */
void flow__actnorm_set(struct flow *f, struct flow_layer *L, const double *x,
    int n)
{
	int d = f->dim;
	double *s = f->param + L->off, *t = s + d;
	for (int i = 0; i < d; i++) {
		double m = 0, v = 0;
		for (int k = 0; k < n; k++)
			m += x[(long)k * d + i];
		m /= n;
		for (int k = 0; k < n; k++) {
			double e = x[(long)k * d + i] - m;
			v += e * e;
		}
		v /= n;
		t[i] = m;
		s[i] = v > 0 ? 0.5 * flow_log(v) : 0;
	}
	L->initialised = 1;
}

/* ---- permutation x[i] = z[perm[i]] */
int flow_add_permute(struct flow *f, const int *perm)
{
	int d = f->dim, seen[FLOW_MAX_DIM] = {0};
	if (!perm)
		return -1;
	for (int i = 0; i < d; i++) {
		if (perm[i] < 0 || perm[i] >= d || seen[perm[i]])
			return -1;
		seen[perm[i]] = 1;
	}
	struct flow_layer *L = flow__layer_new(f, FLOW_PERMUTE, 0);
	if (!L)
		return -1;
	for (int i = 0; i < d; i++)
		L->perm[i] = perm[i];
	return 0;
}

int flow_add_reverse(struct flow *f)
{
	int perm[FLOW_MAX_DIM];
	for (int i = 0; i < f->dim; i++)
		perm[i] = f->dim - 1 - i;
	return flow_add_permute(f, perm);
}

static int perm_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++)
			x[k * d + i] = z[k * d + L->perm[i]];
	return 0;
}

static int perm_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++)
			z[k * d + L->perm[i]] = x[k * d + i];
	return 0;
}

static int perm_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++)
			gx[k * d + i] = gz[k * d + L->perm[i]];
	return 0;
}

const struct layer_ops flow__ops_permute = {
	perm_fwd, perm_inv, no_tape, perm_back,
};

/* ---- sigmoid and logit (no parameters) */
int flow_add_sigmoid(struct flow *f)
{
	return flow__layer_new(f, FLOW_SIGMOID, 0) ? 0 : -1;
}

int flow_add_logit(struct flow *f)
{
	return flow__layer_new(f, FLOW_LOGIT, 0) ? 0 : -1;
}

/* log sigmoid'(v) = -softplus(v) - softplus(-v) */
static double log_dsig(double v)
{
	return -flow_softplus(v) - flow_softplus(-v);
}

/* logit with its log-derivative -log u - log(1-u) */
static double logit(double u, double *ldv)
{
	double lu = flow_log(u), l1 = flow_log1p(-u);
	*ldv = -lu - l1;
	return lu - l1;
}

static int sig_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++) {
			double v = z[k * d + i];
			x[k * d + i] = flow_sigmoid(v);
			ld[k] += log_dsig(v);
		}
	return 0;
}

static int sig_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++) {
			double l;
			z[k * d + i] = logit(x[k * d + i], &l);
			ld[k] += l;
		}
	return 0;
}

static int sig_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	long nd = (long)n * f->dim;
	for (long j = 0; j < nd; j++) {
		double u = x[j];
		gx[j] = gz[j] / (u * (1 - u)) + c * (1 / (1 - u) - 1 / u);
	}
	return 0;
}

const struct layer_ops flow__ops_sigmoid = {
	sig_fwd, sig_inv, no_tape, sig_back,
};

static int logit_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	long nd = (long)n * f->dim;
	for (long j = 0; j < nd; j++) {
		double u = z[j];
		gx[j] = gz[j] * u * (1 - u) + c * (1 - 2 * u);
	}
	return 0;
}

static int logit_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	return sig_inv(f, L, z, x, ld, n, 0);
}

static int logit_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	return sig_fwd(f, L, x, z, ld, n);
}

const struct layer_ops flow__ops_logit = {
	logit_fwd, logit_inv, no_tape, logit_back,
};
