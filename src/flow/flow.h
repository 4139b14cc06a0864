/*
 * flow.h -- folio's normalizing-flow library: the one header a code witness
 * includes (`#include <flow.h>`), and the same sources the live demos run as
 * WebAssembly.
 *
 * Conventions.
 *   - A flow maps a latent point z (drawn from the base distribution) to a
 *     data point x: x = f(z) = f_{L-1}(...f_1(f_0(z))).  "forward" is z -> x,
 *     "inverse" is x -> z.  Every logdet is a natural log of |det J|: the
 *     forward one is log|det df/dz| at z, the inverse one log|det df^-1/dx|
 *     at x (so they sum to 0).
 *   - Arrays are batch-major doubles: n points of dimension d are n*d values,
 *     point i at [i*d, i*d+d).  Matrices are row-major.
 *   - No allocation: flow_init hands the flow one block of doubles (an
 *     arena).  Layers and optimizer state take their parameters from it for
 *     good; each batch call borrows scratch space above them and returns it.
 *     A call that does not fit returns -1 and changes nothing in its outputs.
 *   - Every function returns 0 on success and -1 on bad arguments or a full
 *     arena, unless its comment says otherwise.
 *   - Reproducible: the library uses its own exp/log/tanh/sin/cos and its own
 *     random generator, so the same seed gives the same bits natively and in
 *     WebAssembly.
 *   - The struct fields are readable; change them only through functions.
 */
#ifndef FOLIO_FLOW_H
#define FOLIO_FLOW_H

enum {
	FLOW_MAX_DIM = 32,      /* largest point dimension */
	FLOW_MAX_LAYERS = 48,   /* most layers in one flow */
	FLOW_MAX_BINS = 64,     /* most bins in a spline */
};

/* Layer kinds (struct flow_layer.kind). */
enum flow_kind {
	FLOW_AFFINE = 1,        /* x = A z + b, A dense d*d */
	FLOW_ELEMENTWISE,       /* x = z * exp(s) + t */
	FLOW_ACTNORM,           /* elementwise, initialised from data */
	FLOW_PERMUTE,           /* x[i] = z[perm[i]] */
	FLOW_PLANAR,            /* x = z + u_hat tanh(w.z + b) */
	FLOW_RADIAL,            /* x = z + beta/(alpha+r) (z - z0) */
	FLOW_COUPLING,          /* RealNVP affine coupling, MLP conditioner */
	FLOW_SPLINE_COUPLING,   /* rational-quadratic spline coupling */
	FLOW_SPLINE,            /* elementwise rational-quadratic spline */
	FLOW_MAF,               /* masked affine autoregressive (MADE) */
	FLOW_SIGMOID,           /* x = 1 / (1 + exp(-z)) */
	FLOW_LOGIT,             /* x = log(z / (1 - z)) */
};

/* One layer.  Its parameters are f->param[off .. off+nparam). */
struct flow_layer {
	int kind;               /* enum flow_kind */
	int hidden;             /* MLP width (couplings, MAF) */
	int bins;               /* spline bins */
	int nin;                /* conditioner inputs (couplings) */
	int nout;               /* transformed dimensions (couplings) */
	double bound;           /* spline tail bound B: identity outside [-B,B] */
	long off;               /* first parameter in f->param */
	long nparam;            /* number of parameters */
	int perm[FLOW_MAX_DIM]; /* permutation; couplings: conditioner dims
	                           first, then transformed dims */
	int initialised;        /* ActNorm: set from data yet */
};

/* A flow: base distribution (diagonal normal, standard by default) and
 * layers, all stored in the caller's arena. */
struct flow {
	int dim;                /* d */
	int nlayers;            /* layers in use */
	struct flow_layer layer[FLOW_MAX_LAYERS];
	double *mem;            /* the arena */
	long nmem;              /* its size in doubles */
	long used;              /* doubles taken for good */
	double *param;          /* all parameters, contiguous: base mean (d),
	                           base log-std (d), then layer by layer */
	long nparam;            /* number of parameters */
	double *grad;           /* gradients, same layout (after first use) */
	int base_trainable;     /* 0: base parameters get no gradient */
	unsigned long long init_seed; /* seeds the next layer's random init */
};

/* A seeded generator (xoshiro256**); same seed, same stream everywhere. */
struct flow_rng {
	unsigned long long s[4];
	int has_spare;          /* a second normal deviate is cached */
	double spare;
};

/* Adam optimiser state; m and v live in the flow's arena. */
struct flow_adam {
	double lr, beta1, beta2, eps;
	long t;                 /* steps taken */
	double b1t, b2t;        /* beta1^t, beta2^t */
	double *m, *v;          /* moment estimates, one per parameter */
};

/* ---- math: portable, bit-identical on every target */
double flow_exp(double x);
double flow_log(double x);
double flow_log1p(double x);
double flow_expm1(double x);
double flow_tanh(double x);
double flow_sin(double x);
double flow_cos(double x);
double flow_sqrt(double x);
double flow_sigmoid(double x);
double flow_softplus(double x);

/* ---- random numbers */
void flow_rng_seed(struct flow_rng *r, unsigned long long seed);
unsigned long long flow_rng_next(struct flow_rng *r);
/* Uniform on [0, 1), 53 random bits. */
double flow_rng_uniform(struct flow_rng *r);
/* Standard normal (Marsaglia's polar method). */
double flow_rng_normal(struct flow_rng *r);

/* ---- building a flow.  Layers are applied to z in the order added. */

/* Starts an empty flow of dimension dim (1..FLOW_MAX_DIM) with a standard
 * normal base in the arena mem[0..nmem).  The arena must outlive f. */
int flow_init(struct flow *f, int dim, double *mem, long nmem);
/* Seeds the random initialisation of the layers added afterwards. */
void flow_seed(struct flow *f, unsigned long long seed);
/* Sets the base to N(mean, diag(exp(log_std))^2); trainable says whether
 * training moves it.  NULL mean or log_std means 0. */
int flow_set_base(struct flow *f, const double *mean, const double *log_std, int trainable);
/* x = A z + b; A is d*d row-major and must be invertible; b may be NULL. */
int flow_add_affine(struct flow *f, const double *A, const double *b);
/* x = z * exp(log_scale) + shift, elementwise; NULL means 0. */
int flow_add_elementwise(struct flow *f, const double *log_scale, const double *shift);
/* Elementwise affine whose first flow_data_init makes the data seen at its
 * output map to zero mean and unit variance per dimension. */
int flow_add_actnorm(struct flow *f);
/* x[i] = z[perm[i]]; perm is a permutation of 0..d-1. */
int flow_add_permute(struct flow *f, const int *perm);
/* x[i] = z[d-1-i]. */
int flow_add_reverse(struct flow *f);
/* Planar (Rezende & Mohamed 2015): x = z + u_hat tanh(w.z + b) with
 * u_hat = u + (softplus(w.u) - 1 - w.u) w / |w|^2, so w.u_hat >= -1. */
int flow_add_planar(struct flow *f, const double *w, const double *u, double b);
/* Radial: x = z + beta/(alpha + r) (z - z0), r = |z - z0|; needs alpha > 0
 * and beta >= -alpha (stored as softplus parameters). */
int flow_add_radial(struct flow *f, const double *z0, double alpha, double beta);
/* Affine coupling (RealNVP): the dims with mask[i] != 0 pass through and
 * condition an MLP (in -> hidden -> hidden -> 2 per other dim, tanh) giving
 * (raw, t); the others become x = z * exp(tanh(raw)) + t.  Starts near the
 * identity (small random output layer). */
int flow_add_coupling(struct flow *f, const int *mask, int hidden);
/* Rational-quadratic spline coupling (Durkan et al. 2019): like the affine
 * coupling, but each transformed dim goes through a monotone spline with
 * `bins` bins on [-bound, bound], linear tails (identity) outside. */
int flow_add_spline_coupling(struct flow *f, const int *mask, int hidden, int bins, double bound);
/* Elementwise rational-quadratic spline, its own parameters per dim;
 * starts near the identity. */
int flow_add_spline(struct flow *f, int bins, double bound);
/* Sets dimension i of the last-added FLOW_SPLINE layer to the spline with
 * explicit knots xk, yk (bins+1 each, from -bound to bound, increasing) and
 * knot derivatives deriv (bins+1, the ends are taken as 1). */
int flow_spline_set_knots(struct flow *f, int i, const double *xk, const double *yk, const double *deriv);
/* MAF (Papamakarios et al. 2017): x_i = z_i exp(tanh(a_i)) + m_i, with
 * (a_i, m_i) from a MADE network (hidden -> hidden, tanh) of x_1..x_{i-1}.
 * Density (inverse) is one pass; sampling (forward) is d passes. */
int flow_add_maf(struct flow *f, int hidden);
/* x = sigmoid(z) elementwise; and its inverse, x = logit(z). */
int flow_add_sigmoid(struct flow *f);
int flow_add_logit(struct flow *f);
/* Adds scale * N(0,1) noise, seeded, to every layer parameter (tests). */
void flow_perturb(struct flow *f, unsigned long long seed, double scale);
/* Initialises every ActNorm layer from the data x (n points). */
int flow_data_init(struct flow *f, const double *x, int n);
/* Doubles of arena in use (parameters, gradients, optimiser state). */
long flow_mem_used(const struct flow *f);

/* ---- evaluating: logdet may be NULL in each. */

/* x = f(z) for n points; logdet[i] = log|det df/dz| at z_i. */
int flow_forward(struct flow *f, const double *z, double *x, double *logdet, int n);
/* z = f^-1(x); logdet[i] = log|det df^-1/dx| at x_i. */
int flow_inverse(struct flow *f, const double *x, double *z, double *logdet, int n);
/* The same for layer k alone. */
int flow_layer_forward(struct flow *f, int k, const double *z, double *x, double *logdet, int n);
int flow_layer_inverse(struct flow *f, int k, const double *x, double *z, double *logdet, int n);
/* lp[i] = log p_x(x_i) = log p_base(f^-1(x_i)) + inverse logdet. */
int flow_log_prob(struct flow *f, const double *x, double *lp, int n);
/* log density of the base at z (one point). */
double flow_base_log_prob(const struct flow *f, const double *z);
/* log density of N(0, I) at z (d values). */
double flow_normal_log_prob(const double *z, int d);
/* Draws n points x = f(z), z from the base. */
int flow_sample(struct flow *f, struct flow_rng *r, double *x, int n);
/* Draws n points and their log-densities in one pass. */
int flow_sample_and_log_prob(struct flow *f, struct flow_rng *r, double *x, double *lp, int n);

/* ---- one rational-quadratic spline (explicit knots, 1-D) */

/* Maps v through the spline with knots xk, yk, derivatives deriv (bins+1
 * each; outside [xk[0], xk[bins]] the identity), or through its inverse when
 * inverse != 0.  *out gets the image, *logdet log|d out / d v|. */
int flow_rqs_eval(int bins, const double *xk, const double *yk, const double *deriv, double v, int inverse, double *out, double *logdet);

/* ---- training by maximum likelihood */

/* Mean negative log-likelihood of x (n points) and its exact gradient with
 * respect to every parameter, written to f->grad (allocated on first call;
 * no layer can be added after it).  *nll may be NULL. */
int flow_nll_grad(struct flow *f, const double *x, int n, double *nll);
/* Prepares Adam with learning rate lr (beta1 0.9, beta2 0.999, eps 1e-8). */
int flow_adam_init(struct flow *f, struct flow_adam *opt, double lr);
/* One Adam update of f->param from f->grad. */
void flow_adam_step(struct flow *f, struct flow_adam *opt);
/* flow_nll_grad on the minibatch, then flow_adam_step. */
int flow_train_step(struct flow *f, struct flow_adam *opt, const double *x, int n, double *nll);

/* ---- toy 2-D data sets (the FFJORD recipes) */

/* Fills x with n points of the named set: "moons", "8gaussians",
 * "checkerboard", "rings", "2spirals", "pinwheel".  Returns -1 for an
 * unknown name. */
int flow_toy_sample(const char *name, struct flow_rng *r, double *x, int n);

#endif
