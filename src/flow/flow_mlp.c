/*
 * flow_mlp.c -- the conditioner network of the couplings and of MAF, and
 * the batched matrix kernels it runs on.
 *
 * The kernels fix the order of every sum in the source (no reassociation,
 * no fused multiply-add), so their results do not depend on the vector
 * width the compiler picks: the blocking only decides which sums run side
 * by side.
 */
#include "flow_impl.h"

/* The blocking of mm: RB rows by QB vectors of VL doubles. */
#ifndef MM_RB
#define MM_RB 8
#endif
#ifndef MM_QB
#define MM_QB 2
#endif
enum { RB = MM_RB, QB = MM_QB, VL = 8, CB = QB * VL };

/* Eight doubles side by side (GCC/clang vector extension; lowered to
 * whatever the target has: one AVX-512 register, two AVX ones, plain
 * scalars in WebAssembly). */
typedef double vd __attribute__((vector_size(VL * 8), aligned(8)));

/* Y (n*m) = X (n*k) W (k*m) + b (b may be NULL).  Blocks of RB rows by
 * CB columns keep their RB * QB vector accumulators in registers; each sum
 * runs over p in order. */
static void mm(const double *X, const double *W, const double *b, double *Y,
    int n, int k, int m)
{
	int i = 0;
	for (; i + RB <= n; i += RB) {
		const double *x = X + (long)i * k;
		int j0 = 0;
		for (; j0 + CB <= m; j0 += CB) {
			vd a[RB][QB];
			for (int q = 0; q < QB; q++) {
				vd v = {0};
				if (b)
					v = *(const vd *)(b + j0 + VL * q);
				for (int r = 0; r < RB; r++)
					a[r][q] = v;
			}
			for (int p = 0; p < k; p++) {
				const double *w = W + (long)p * m + j0;
				vd wq[QB];
				for (int q = 0; q < QB; q++)
					wq[q] = *(const vd *)(w + VL * q);
				for (int r = 0; r < RB; r++) {
					double v = x[(long)r * k + p];
					for (int q = 0; q < QB; q++)
						a[r][q] += v * wq[q];
				}
			}
			for (int r = 0; r < RB; r++)
				for (int q = 0; q < QB; q++)
					*(vd *)(Y + (long)(i + r) * m + j0 + VL * q) =
					    a[r][q];
		}
		for (int r = 0; r < RB; r++)
			for (int j = j0; j < m; j++) {
				double a = b ? b[j] : 0;
				for (int p = 0; p < k; p++)
					a += X[(long)(i + r) * k + p] * W[(long)p * m + j];
				Y[(long)(i + r) * m + j] = a;
			}
	}
	for (; i < n; i++)
		for (int j = 0; j < m; j++) {
			double a = b ? b[j] : 0;
			for (int p = 0; p < k; p++)
				a += X[(long)i * k + p] * W[(long)p * m + j];
			Y[(long)i * m + j] = a;
		}
}

/* G (k*m) += X^T (k*n) dY (n*m), summing over the batch in order, four
 * rows of the batch at a time. */
static void mm_at(const double *X, const double *dY, double *G, int n, int k,
    int m)
{
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		const double *y0 = dY + (long)i * m, *y1 = y0 + m, *y2 = y1 + m,
		    *y3 = y2 + m;
		for (int p = 0; p < k; p++) {
			double v0 = X[(long)i * k + p], v1 = X[(long)(i + 1) * k + p];
			double v2 = X[(long)(i + 2) * k + p];
			double v3 = X[(long)(i + 3) * k + p];
			double *g = G + (long)p * m;
			for (int j = 0; j < m; j++) {
				double a = g[j];
				a += v0 * y0[j];
				a += v1 * y1[j];
				a += v2 * y2[j];
				a += v3 * y3[j];
				g[j] = a;
			}
		}
	}
	for (; i < n; i++)
		for (int p = 0; p < k; p++) {
			double v = X[(long)i * k + p];
			for (int j = 0; j < m; j++)
				G[(long)p * m + j] += v * dY[(long)i * m + j];
		}
}

static void transpose(const double *W, double *T, int k, int m)
{
	for (int p = 0; p < k; p++)
		for (int j = 0; j < m; j++)
			T[(long)j * k + p] = W[(long)p * m + j];
}

/* The backward pass of one dense layer Y = Hin W + b (n rows, kin -> kout):
 * adds the gradients of W and b to gW and gb and, when dIn is not NULL,
 * sets dIn = dOut W^T (T is scratch for W^T). */
static void dense_back(const double *Hin, const double *dOut,
    const double *W, double *gW, double *gb, double *T, double *dIn, int n,
    int kin, int kout)
{
	mm_at(Hin, dOut, gW, n, kin, kout);
	for (long i = 0; i < n; i++)
		for (int j = 0; j < kout; j++)
			gb[j] += dOut[i * kout + j];
	if (dIn) {
		transpose(W, T, kin, kout);
		mm(dOut, T, 0, dIn, n, kout, kin);
	}
}

long flow__mlp_nparam(int in, int h, int out)
{
	return (long)in * h + h + (long)h * h + h + (long)h * out + out;
}

void flow__mlp_init(struct flow *f, double *P, int in, int h, int out,
    double out_scale)
{
	double s1 = flow_sqrt(1.0 / (in > 0 ? in : 1)), s2 = flow_sqrt(1.0 / h);
	long i = 0;
	for (long j = 0; j < (long)in * h; j++)
		P[i++] = s1 * flow__rand_normal(f);
	i += h;
	for (long j = 0; j < (long)h * h; j++)
		P[i++] = s2 * flow__rand_normal(f);
	i += h;
	for (long j = 0; j < (long)h * out; j++)
		P[i++] = out_scale * s2 * flow__rand_normal(f);
}

int flow__mlp_forward(struct flow *f, const double *P, int in, int h,
    int out, const double *X, double *H1, double *H2, double *Y, int n)
{
	const double *W1 = P, *b1 = W1 + (long)in * h, *W2 = b1 + h,
	    *b2 = W2 + (long)h * h, *W3 = b2 + h, *b3 = W3 + (long)h * out;
	mm(X, W1, b1, H1, n, in, h);
	flow__tanh_array(H1, H1, (long)n * h);
	mm(H1, W2, b2, H2, n, h, h);
	flow__tanh_array(H2, H2, (long)n * h);
	mm(H2, W3, b3, Y, n, h, out);
	return 0;
}

int flow__mlp_backward(struct flow *f, const double *P, int in, int h,
    int out, const double *X, const double *H1, const double *H2,
    const double *dY, double *dX, double *G, int n)
{
	const double *W1 = P, *b1 = W1 + (long)in * h, *W2 = b1 + h,
	    *b2 = W2 + (long)h * h, *W3 = b2 + h;
	double *gW1 = G, *gb1 = gW1 + (long)in * h, *gW2 = gb1 + h,
	    *gb2 = gW2 + (long)h * h, *gW3 = gb2 + h, *gb3 = gW3 + (long)h * out;
	long mark = f->used, nh = (long)n * h;
	int big = in > out ? in : out;
	double *T = flow__take(f, (long)h * (big > h ? big : h));
	double *D = flow__take(f, nh), *E = flow__take(f, nh);
	if (!E) {
		f->used = mark;
		return -1;
	}
	(void)b1;
	(void)b2;
	/* output layer, then each hidden layer through tanh' = 1 - tanh^2 */
	dense_back(H2, dY, W3, gW3, gb3, T, D, n, h, out);
	for (long i = 0; i < nh; i++)
		D[i] *= 1.0 - H2[i] * H2[i];
	dense_back(H1, D, W2, gW2, gb2, T, E, n, h, h);
	for (long i = 0; i < nh; i++)
		E[i] *= 1.0 - H1[i] * H1[i];
	dense_back(X, E, W1, gW1, gb1, T, dX && in > 0 ? dX : 0, n, in, h);
	f->used = mark;
	return 0;
}
