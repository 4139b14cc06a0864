/*
 * flow_core.c -- the flow object: arena, base distribution, composition of
 * layers in both directions, log_prob and sampling.
 *
 * Divisions: arena, building, base distribution, evaluation, sampling.
 */
#include "flow_impl.h"

const struct layer_ops *flow__ops_of(int kind)
{
	switch (kind) {
	case FLOW_AFFINE: return &flow__ops_affine;
	case FLOW_ELEMENTWISE:
	case FLOW_ACTNORM: return &flow__ops_elementwise;
	case FLOW_PERMUTE: return &flow__ops_permute;
	case FLOW_PLANAR: return &flow__ops_planar;
	case FLOW_RADIAL: return &flow__ops_radial;
	case FLOW_COUPLING: return &flow__ops_coupling;
	case FLOW_SPLINE_COUPLING: return &flow__ops_spline_coupling;
	case FLOW_SPLINE: return &flow__ops_spline;
	case FLOW_MAF: return &flow__ops_maf;
	case FLOW_SIGMOID: return &flow__ops_sigmoid;
	case FLOW_LOGIT: return &flow__ops_logit;
	}
	return 0;
}

/* ---- arena */
double *flow__take(struct flow *f, long n)
{
	if (n < 0 || f->nmem - f->used < n)
		return 0;
	double *p = f->mem + f->used;
	f->used += n;
	return p;
}

long flow_mem_used(const struct flow *f)
{
	return f->used;
}

/* ---- building */
int flow_init(struct flow *f, int dim, double *mem, long nmem)
{
	if (!f || !mem || dim < 1 || dim > FLOW_MAX_DIM || nmem < 2 * dim)
		return -1;
	f->dim = dim;
	f->nlayers = 0;
	f->mem = mem;
	f->nmem = nmem;
	f->used = 2 * dim;
	f->param = mem;
	f->nparam = 2 * dim;
	f->grad = 0;
	f->base_trainable = 0;
	f->init_seed = 0x666c6f77ULL;
	for (int i = 0; i < 2 * dim; i++)
		mem[i] = 0;
	return 0;
}

void flow_seed(struct flow *f, unsigned long long seed)
{
	f->init_seed = seed;
}

/* One N(0,1) draw from the flow's initialisation stream. */
double flow__rand_normal(struct flow *f)
{
	struct flow_rng r;
	flow_rng_seed(&r, f->init_seed);
	f->init_seed = flow_rng_next(&r);
	return flow_rng_normal(&r);
}

struct flow_layer *flow__layer_new(struct flow *f, int kind, long nparam)
{
	/* parameters must stay contiguous: no layer after the gradient */
	if (f->grad || f->nlayers >= FLOW_MAX_LAYERS)
		return 0;
	long off = f->used;
	double *p = flow__take(f, nparam);
	if (!p)
		return 0;
	for (long i = 0; i < nparam; i++)
		p[i] = 0;
	struct flow_layer *L = &f->layer[f->nlayers++];
	L->kind = kind;
	L->hidden = L->bins = L->nin = L->nout = 0;
	L->bound = 0;
	L->off = off;
	L->nparam = nparam;
	L->initialised = 1;
	for (int i = 0; i < FLOW_MAX_DIM; i++)
		L->perm[i] = i;
	f->nparam = off + nparam;
	return L;
}

void flow_perturb(struct flow *f, unsigned long long seed, double scale)
{
	struct flow_rng r;
	flow_rng_seed(&r, seed);
	for (long i = 2 * f->dim; i < f->nparam; i++)
		f->param[i] += scale * flow_rng_normal(&r);
	for (int k = 0; k < f->nlayers; k++)
		if (f->layer[k].kind == FLOW_MAF)
			flow__maf_mask(f, &f->layer[k]);
}

/* ---- base distribution */
int flow_set_base(struct flow *f, const double *mean, const double *log_std,
    int trainable)
{
	for (int i = 0; i < f->dim; i++) {
		f->param[i] = mean ? mean[i] : 0;
		f->param[f->dim + i] = log_std ? log_std[i] : 0;
	}
	f->base_trainable = trainable != 0;
	return 0;
}

double flow_normal_log_prob(const double *z, int d)
{
	double s = 0;
	for (int i = 0; i < d; i++)
		s += z[i] * z[i];
	return -0.5 * s - 0.5 * d * LOG_2PI;
}

double flow_base_log_prob(const struct flow *f, const double *z)
{
	int d = f->dim;
	const double *mu = f->param, *ls = f->param + d;
	double s = 0, t = 0;
	for (int i = 0; i < d; i++) {
		double e = (z[i] - mu[i]) * flow_exp(-ls[i]);
		s += e * e;
		t += ls[i];
	}
	return -0.5 * s - t - 0.5 * d * LOG_2PI;
}

/* ---- evaluation */
/* Layer k alone, forward or inverse, into scratch space first so that a
 * failure leaves the outputs untouched. */
static int layer_apply(struct flow *f, int k, const double *in, double *out,
    double *logdet, int n, int inverse)
{
	if (k < 0 || k >= f->nlayers || n < 0)
		return -1;
	long mark = f->used, nd = (long)n * f->dim;
	double *tmp = flow__take(f, nd), *ld = flow__take(f, n);
	if (!ld)
		goto fail;
	for (int i = 0; i < n; i++)
		ld[i] = 0;
	struct flow_layer *L = &f->layer[k];
	const struct layer_ops *op = flow__ops_of(L->kind);
	if (inverse ? op->inv(f, L, in, tmp, ld, n, 0)
		    : op->fwd(f, L, in, tmp, ld, n))
		goto fail;
	for (long i = 0; i < nd; i++)
		out[i] = tmp[i];
	if (logdet)
		for (int i = 0; i < n; i++)
			logdet[i] = ld[i];
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

int flow_layer_forward(struct flow *f, int k, const double *z, double *x,
    double *logdet, int n)
{
	return layer_apply(f, k, z, x, logdet, n, 0);
}

int flow_layer_inverse(struct flow *f, int k, const double *x, double *z,
    double *logdet, int n)
{
	return layer_apply(f, k, x, z, logdet, n, 1);
}

/* Points per pass through the layers: small enough that the conditioner's
 * activations stay in cache.  Each point's result does not depend on it. */
enum { CHUNK = 128 };

/* Runs every layer forward (dir > 0) or inverse, CHUNK points at a time
 * through two scratch buffers; the result is copied out at the end of each
 * chunk so out may alias in. */
static int run(struct flow *f, int dir, const double *in, double *out,
    double *logdet, int n)
{
	if (n < 0)
		return -1;
	int d = f->dim;
	long mark = f->used, cd = (long)(n < CHUNK ? n : CHUNK) * d;
	double *a0 = flow__take(f, cd), *b0 = flow__take(f, cd);
	double *ld = flow__take(f, n < CHUNK ? n : CHUNK);
	if (!ld)
		goto fail;
	for (int c0 = 0; c0 < n; c0 += CHUNK) {
		int m = n - c0 < CHUNK ? n - c0 : CHUNK;
		long md = (long)m * d;
		double *a = a0, *b = b0;
		for (int i = 0; i < m; i++)
			ld[i] = 0;
		for (long i = 0; i < md; i++)
			a[i] = in[(long)c0 * d + i];
		for (int s = 0; s < f->nlayers; s++) {
			int k = dir > 0 ? s : f->nlayers - 1 - s;
			struct flow_layer *L = &f->layer[k];
			const struct layer_ops *op = flow__ops_of(L->kind);
			int rc = dir > 0 ? op->fwd(f, L, a, b, ld, m)
			    : op->inv(f, L, a, b, ld, m, 0);
			if (rc)
				goto fail;
			double *t = a;
			a = b;
			b = t;
		}
		for (long i = 0; i < md; i++)
			out[(long)c0 * d + i] = a[i];
		if (logdet)
			for (int i = 0; i < m; i++)
				logdet[c0 + i] = ld[i];
	}
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

int flow_forward(struct flow *f, const double *z, double *x, double *logdet,
    int n)
{
	return run(f, 1, z, x, logdet, n);
}

int flow_inverse(struct flow *f, const double *x, double *z, double *logdet,
    int n)
{
	return run(f, -1, x, z, logdet, n);
}

int flow_log_prob(struct flow *f, const double *x, double *lp, int n)
{
	long mark = f->used;
	double *z = flow__take(f, (long)n * f->dim);
	if (!z || flow_inverse(f, x, z, lp, n)) {
		f->used = mark;
		return -1;
	}
	for (int i = 0; i < n; i++)
		lp[i] += flow_base_log_prob(f, z + (long)i * f->dim);
	f->used = mark;
	return 0;
}

/* ---- sampling */
int flow_sample_and_log_prob(struct flow *f, struct flow_rng *r, double *x,
    double *lp, int n)
{
	if (n < 0)
		return -1;
	int d = f->dim;
	long mark = f->used;
	double *z = flow__take(f, (long)n * d), *ld = flow__take(f, n);
	if (!ld)
		goto fail;
	const double *mu = f->param, *ls = f->param + d;
	for (long i = 0; i < (long)n * d; i++) {
		int j = (int)(i % d);
		z[i] = mu[j] + flow_exp(ls[j]) * flow_rng_normal(r);
	}
	if (flow_forward(f, z, x, ld, n))
		goto fail;
	if (lp)
		for (int i = 0; i < n; i++)
			lp[i] = flow_base_log_prob(f, z + (long)i * d) - ld[i];
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

int flow_sample(struct flow *f, struct flow_rng *r, double *x, int n)
{
	return flow_sample_and_log_prob(f, r, x, 0, n);
}
