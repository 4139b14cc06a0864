/*
 * flow_coupling.c -- affine coupling (RealNVP, Dinh et al. 2017) and masked
 * affine autoregressive flow (MAF, Papamakarios et al. 2017, with MADE
 * masks).  Both transform x_i = z_i exp(s_i) + t_i with s_i = tanh(raw_i);
 * the conditioner is the MLP of flow_mlp.c.
 *
 * Layout of a coupling layer: perm[0..nin) are the conditioning dims,
 * perm[nin..d) the transformed ones; MLP outputs raw scale (nout) then
 * shift (nout).  MAF: MLP of all d inputs, outputs raw scale (d), shift (d).
 */
#include "flow_impl.h"

/* Copies the columns cols[0..m) of the n*d array A into B (n*m). */
static void gather(const double *A, int d, const int *cols, int m, double *B,
    int n)
{
	for (long k = 0; k < n; k++)
		for (int j = 0; j < m; j++)
			B[k * m + j] = A[k * d + cols[j]];
}

/* Reads mask into L->perm / nin / nout; -1 unless both parts non-empty. */
int flow__coupling_mask(struct flow *f, struct flow_layer *L, const int *mask)
{
	int d = f->dim, m = 0;
	if (!mask)
		return -1;
	for (int i = 0; i < d; i++)
		if (mask[i])
			L->perm[m++] = i;
	L->nin = m;
	for (int i = 0; i < d; i++)
		if (!mask[i])
			L->perm[m++] = i;
	L->nout = d - L->nin;
	return L->nout > 0 ? 0 : -1;
}

int flow_add_coupling(struct flow *f, const int *mask, int hidden)
{
	int d = f->dim, nin = 0;
	if (!mask || hidden < 1)
		return -1;
	for (int i = 0; i < d; i++)
		nin += mask[i] != 0;
	if (nin == d)
		return -1;
	long np = flow__mlp_nparam(nin, hidden, 2 * (d - nin));
	struct flow_layer *L = flow__layer_new(f, FLOW_COUPLING, np);
	if (!L)
		return -1;
	flow__coupling_mask(f, L, mask);
	L->hidden = hidden;
	flow__mlp_init(f, f->param + L->off, L->nin, hidden, 2 * L->nout, 0.01);
	return 0;
}

static long coup_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return (long)n * (2 * L->hidden + 2 * L->nout);
}

/* Runs the conditioner on the conditioning dims of a (n*d): H1, H2, Y. */
static int conditioner(struct flow *f, struct flow_layer *L, const double *a,
    double *H1, double *H2, double *Y, int n)
{
	long mark = f->used;
	double *X = flow__take(f, (long)n * (L->nin ? L->nin : 1));
	if (!X)
		return -1;
	gather(a, f->dim, L->perm, L->nin, X, n);
	flow__mlp_forward(f, f->param + L->off, L->nin, L->hidden,
	    2 * L->nout, X, H1, H2, Y, n);
	f->used = mark;
	return 0;
}

static int coup_run(struct flow *f, struct flow_layer *L, const double *in,
    double *out, double *ld, int n, double *tape, int dir)
{
	int d = f->dim, no = L->nout, h = L->hidden;
	long mark = f->used;
	double *H = tape ? tape : flow__take(f, coup_tape(f, L, n));
	if (!H || conditioner(f, L, in, H, H + (long)n * h,
	    H + 2L * n * h, n)) {
		f->used = mark;
		return -1;
	}
	const double *Y = H + 2L * n * h;
	for (long k = 0; k < n; k++) {
		for (int j = 0; j < L->nin; j++)
			out[k * d + L->perm[j]] = in[k * d + L->perm[j]];
		for (int j = 0; j < no; j++) {
			int c = L->perm[L->nin + j];
			double s = flow_tanh(Y[k * 2 * no + j]);
			double t = Y[k * 2 * no + no + j];
			if (dir > 0) {
				out[k * d + c] = in[k * d + c] * flow_exp(s) + t;
				ld[k] += s;
			} else {
				out[k * d + c] = (in[k * d + c] - t) * flow_exp(-s);
				ld[k] -= s;
			}
		}
	}
	f->used = mark;
	return 0;
}

static int coup_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	return coup_run(f, L, z, x, ld, n, 0, 1);
}

static int coup_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	return coup_run(f, L, x, z, ld, n, tape, -1);
}

/* z_t = (x_t - t) exp(-s): gx_t = gz_t e^-s, dt = -gx_t,
 * ds = -gz_t z_t - c, draw = ds (1 - s^2); conditioning dims add the
 * conditioner's input gradient to gz. */
static int coup_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim, no = L->nout, h = L->hidden, ni = L->nin;
	long mark = f->used;
	const double *H1 = tape, *H2 = tape + (long)n * h, *Y = H2 + (long)n * h;
	double *dY = flow__take(f, (long)n * 2 * no);
	double *X = flow__take(f, (long)n * (ni ? ni : 1));
	double *dX = flow__take(f, (long)n * (ni ? ni : 1));
	if (!dX)
		goto fail;
	for (long k = 0; k < n; k++)
		for (int j = 0; j < no; j++) {
			int col = L->perm[ni + j];
			double s = flow_tanh(Y[k * 2 * no + j]), e = flow_exp(-s);
			double g = gz[k * d + col];
			gx[k * d + col] = g * e;
			dY[k * 2 * no + no + j] = -g * e;
			dY[k * 2 * no + j] = (-g * z[k * d + col] - c) * (1 - s * s);
		}
	gather(x, d, L->perm, ni, X, n);
	if (flow__mlp_backward(f, f->param + L->off, ni, h, 2 * no, X, H1, H2,
	    dY, dX, grad, n))
		goto fail;
	for (long k = 0; k < n; k++)
		for (int j = 0; j < ni; j++) {
			int col = L->perm[j];
			gx[k * d + col] = gz[k * d + col] + dX[k * ni + j];
		}
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

const struct layer_ops flow__ops_coupling = {
	coup_fwd, coup_inv, coup_tape, coup_back,
};

/* ---- MAF */

/* MADE degree of hidden unit k in dimension d. */
static int hdeg(int k, int d)
{
	return 1 + k % (d > 1 ? d - 1 : 1);
}

/* Calls fn on every weight index the masks forbid: W1 (input p to hidden
 * k) needs deg(k) >= p+1, W2 needs deg(k2) >= deg(k1), W3 (hidden k to
 * output of dim i) needs i+1 > deg(k). */
static void maf_zero(double *P, int d, int h)
{
	double *W1 = P, *W2 = W1 + (long)d * h + h, *W3 = W2 + (long)h * h + h;
	for (int p = 0; p < d; p++)
		for (int k = 0; k < h; k++)
			if (!(hdeg(k, d) >= p + 1))
				W1[(long)p * h + k] = 0;
	for (int a = 0; a < h; a++)
		for (int b = 0; b < h; b++)
			if (!(hdeg(b, d) >= hdeg(a, d)))
				W2[(long)a * h + b] = 0;
	for (int k = 0; k < h; k++)
		for (int o = 0; o < 2 * d; o++)
			if (!(o % d + 1 > hdeg(k, d)))
				W3[(long)k * 2 * d + o] = 0;
}

void flow__maf_mask(struct flow *f, struct flow_layer *L)
{
	maf_zero(f->param + L->off, f->dim, L->hidden);
}

int flow_add_maf(struct flow *f, int hidden)
{
	int d = f->dim;
	if (hidden < 1)
		return -1;
	struct flow_layer *L = flow__layer_new(f, FLOW_MAF,
	    flow__mlp_nparam(d, hidden, 2 * d));
	if (!L)
		return -1;
	L->hidden = hidden;
	L->nin = d;
	L->nout = d;
	flow__mlp_init(f, f->param + L->off, d, hidden, 2 * d, 0.01);
	flow__maf_mask(f, L);
	return 0;
}

static long maf_tape(const struct flow *f, const struct flow_layer *L, int n)
{
	return (long)n * (2 * L->hidden + 2 * f->dim);
}

static int maf_inv(struct flow *f, struct flow_layer *L, const double *x,
    double *z, double *ld, int n, double *tape)
{
	int d = f->dim, h = L->hidden;
	long mark = f->used;
	double *H = tape ? tape : flow__take(f, maf_tape(f, L, n));
	if (!H)
		return -1;
	double *Y = H + 2L * n * h;
	flow__mlp_forward(f, f->param + L->off, d, h, 2 * d, x, H,
	    H + (long)n * h, Y, n);
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++) {
			double s = flow_tanh(Y[k * 2 * d + i]);
			z[k * d + i] = (x[k * d + i] - Y[k * 2 * d + d + i])
			    * flow_exp(-s);
			ld[k] -= s;
		}
	f->used = mark;
	return 0;
}

/* Sampling direction: one network pass per dimension. */
static int maf_fwd(struct flow *f, struct flow_layer *L, const double *z,
    double *x, double *ld, int n)
{
	int d = f->dim, h = L->hidden;
	long mark = f->used;
	double *H = flow__take(f, maf_tape(f, L, n));
	if (!H)
		return -1;
	double *Y = H + 2L * n * h;
	for (long k = 0; k < (long)n * d; k++)
		x[k] = 0;
	for (int i = 0; i < d; i++) {
		flow__mlp_forward(f, f->param + L->off, d, h, 2 * d, x, H,
		    H + (long)n * h, Y, n);
		for (long k = 0; k < n; k++) {
			double s = flow_tanh(Y[k * 2 * d + i]);
			x[k * d + i] = z[k * d + i] * flow_exp(s)
			    + Y[k * 2 * d + d + i];
			if (i == d - 1)
				for (int j = 0; j < d; j++)
					ld[k] += flow_tanh(Y[k * 2 * d + j]);
		}
	}
	f->used = mark;
	return 0;
}

static int maf_back(struct flow *f, struct flow_layer *L, const double *x,
    const double *z, const double *tape, const double *gz, double *gx,
    double c, double *grad, int n)
{
	int d = f->dim, h = L->hidden;
	long mark = f->used;
	const double *H1 = tape, *H2 = tape + (long)n * h, *Y = H2 + (long)n * h;
	double *dY = flow__take(f, (long)n * 2 * d);
	double *dX = flow__take(f, (long)n * d);
	if (!dX)
		goto fail;
	for (long k = 0; k < n; k++)
		for (int i = 0; i < d; i++) {
			double s = flow_tanh(Y[k * 2 * d + i]), e = flow_exp(-s);
			double g = gz[k * d + i];
			gx[k * d + i] = g * e;
			dY[k * 2 * d + d + i] = -g * e;
			dY[k * 2 * d + i] = (-g * z[k * d + i] - c) * (1 - s * s);
		}
	if (flow__mlp_backward(f, f->param + L->off, d, h, 2 * d, x, H1, H2, dY,
	    dX, grad, n))
		goto fail;
	maf_zero(grad, d, h);
	for (long k = 0; k < (long)n * d; k++)
		gx[k] += dX[k];
	f->used = mark;
	return 0;
fail:
	f->used = mark;
	return -1;
}

const struct layer_ops flow__ops_maf = {
	maf_fwd, maf_inv, maf_tape, maf_back,
};
