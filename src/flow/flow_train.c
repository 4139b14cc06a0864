/*
 * flow_train.c -- maximum-likelihood training: the exact gradient of the
 * mean negative log-likelihood by reverse mode through every layer, Adam,
 * and the data-dependent initialisation of ActNorm.
 */
#include "flow_impl.h"

int flow_nll_grad(struct flow *f, const double *x, int n, double *nll)
{
	int d = f->dim, L = f->nlayers;
	if (n < 1 || !x)
		return -1;
	if (!f->grad && !(f->grad = flow__take(f, f->nparam)))
		return -1;
	long mark = f->used, nd = (long)n * d;
	double *hs = flow__take(f, (L + 1) * nd), *ld = flow__take(f, n);
	double *tape[FLOW_MAX_LAYERS];
	for (int s = 0; s < L; s++) {
		long ts = flow__ops_of(f->layer[s].kind)->tape_size(f,
		    &f->layer[s], n);
		tape[s] = flow__take(f, ts > 0 ? ts : 1);
	}
	double *gz = flow__take(f, nd), *gx = flow__take(f, nd);
	if (!gx || !hs || !ld)
		goto fail;
	for (long i = 0; i < f->nparam; i++)
		f->grad[i] = 0;
	for (int i = 0; i < n; i++)
		ld[i] = 0;
	for (long i = 0; i < nd; i++)
		hs[L * nd + i] = x[i];
	for (int s = L - 1; s >= 0; s--) {
		struct flow_layer *Ly = &f->layer[s];
		if (flow__ops_of(Ly->kind)->inv(f, Ly, hs + (s + 1) * nd,
		    hs + s * nd, ld, n, tape[s]))
			goto fail;
	}
	/* base: log N((z - mu) e^-ls) - sum ls */
	const double *mu = f->param, *ls = f->param + d;
	double *gmu = f->grad, *gls = f->grad + d, total = 0, inv = 1.0 / n;
	for (int k = 0; k < n; k++) {
		const double *z = hs + (long)k * d;
		total += flow_base_log_prob(f, z) + ld[k];
		for (int i = 0; i < d; i++) {
			double is = flow_exp(-ls[i]), e = (z[i] - mu[i]) * is;
			gz[(long)k * d + i] = inv * e * is;
			if (f->base_trainable) {
				gmu[i] -= inv * e * is;
				gls[i] -= inv * (e * e - 1.0);
			}
		}
	}
	for (int s = 0; s < L; s++) {
		struct flow_layer *Ly = &f->layer[s];
		if (flow__ops_of(Ly->kind)->back(f, Ly, hs + (s + 1) * nd, hs + s * nd,
		    tape[s], gz, gx, -inv, f->grad + Ly->off, n))
			goto fail;
		double *t = gz;
		gz = gx;
		gx = t;
	}
	if (nll)
		*nll = -total * inv;
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

int flow_adam_init(struct flow *f, struct flow_adam *opt, double lr)
{
	if (!f->grad && !(f->grad = flow__take(f, f->nparam)))
		return -1;
	long mark = f->used;
	opt->m = flow__take(f, f->nparam);
	opt->v = flow__take(f, f->nparam);
	if (!opt->v) {
		f->used = mark;
		return -1;
	}
	for (long i = 0; i < f->nparam; i++)
		opt->m[i] = opt->v[i] = f->grad[i] = 0;
	opt->lr = lr;
	opt->beta1 = 0.9;
	opt->beta2 = 0.999;
	opt->eps = 1e-8;
	opt->t = 0;
	opt->b1t = opt->b2t = 1.0;
	return 0;
}

void flow_adam_step(struct flow *f, struct flow_adam *opt)
{
	opt->t++;
	opt->b1t *= opt->beta1;
	opt->b2t *= opt->beta2;
	double c1 = 1.0 / (1.0 - opt->b1t), c2 = 1.0 / (1.0 - opt->b2t);
	long i0 = f->base_trainable ? 0 : 2 * f->dim;
	for (long i = i0; i < f->nparam; i++) {
		double g = f->grad[i];
		opt->m[i] = opt->beta1 * opt->m[i] + (1.0 - opt->beta1) * g;
		opt->v[i] = opt->beta2 * opt->v[i] + (1.0 - opt->beta2) * g * g;
		f->param[i] -= opt->lr * (opt->m[i] * c1)
		    / (flow_sqrt(opt->v[i] * c2) + opt->eps);
	}
}

int flow_train_step(struct flow *f, struct flow_adam *opt, const double *x,
    int n, double *nll)
{
	if (flow_nll_grad(f, x, n, nll))
		return -1;
	flow_adam_step(f, opt);
	return 0;
}

int flow_data_init(struct flow *f, const double *x, int n)
{
	int d = f->dim;
	if (n < 1 || !x)
		return -1;
	long mark = f->used, nd = (long)n * d;
	double *a = flow__take(f, nd), *b = flow__take(f, nd);
	double *ld = flow__take(f, n);
	if (!ld) {
		f->used = mark;
		return -1;
	}
	for (long i = 0; i < nd; i++)
		a[i] = x[i];
	for (int s = f->nlayers - 1; s >= 0; s--) {
		struct flow_layer *L = &f->layer[s];
		if (L->kind == FLOW_ACTNORM && !L->initialised)
			flow__actnorm_set(f, L, a, n);
		if (flow__ops_of(L->kind)->inv(f, L, a, b, ld, n, 0)) {
			f->used = mark;
			return -1;
		}
		double *t = a;
		a = b;
		b = t;
	}
	f->used = mark;
	return 0;
}
