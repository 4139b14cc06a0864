/*
 * flow_impl.h -- private to src/flow: the layer operations table, the
 * arena helpers and the shared kernels (MLP, spline).
 *
 * Direction words: each layer implements forward (z -> x), inverse
 * (x -> z) and the reverse-mode derivative of the inverse ("back"), which is
 * what maximum likelihood needs.  All logdets are accumulated (+=).
 */
#ifndef FOLIO_FLOW_IMPL_H
#define FOLIO_FLOW_IMPL_H

#include "flow.h"

#define LOG_2PI 1.83787706640934548356

/* The operations of one layer kind.  in and out never alias.  `tape`, when
 * not NULL, receives tape_size doubles that back() reads again; back gets
 * the inverse's input x and output z, the gradient gz of the loss with
 * respect to z, the weight c of the inverse logdet in the loss, and adds
 * the parameter gradients to grad (the layer's slice) and writes gx. */
struct layer_ops {
	int (*fwd)(struct flow *f, struct flow_layer *L, const double *z,
	    double *x, double *ld, int n);
	int (*inv)(struct flow *f, struct flow_layer *L, const double *x,
	    double *z, double *ld, int n, double *tape);
	long (*tape_size)(const struct flow *f, const struct flow_layer *L,
	    int n);
	int (*back)(struct flow *f, struct flow_layer *L, const double *x,
	    const double *z, const double *tape, const double *gz, double *gx,
	    double c, double *grad, int n);
};

extern const struct layer_ops flow__ops_affine, flow__ops_elementwise,
    flow__ops_permute, flow__ops_planar, flow__ops_radial,
    flow__ops_coupling, flow__ops_spline_coupling, flow__ops_spline,
    flow__ops_maf, flow__ops_sigmoid, flow__ops_logit;
/* The operations of a layer kind (enum flow_kind); NULL for no kind. */
const struct layer_ops *flow__ops_of(int kind);

/* Borrows n doubles above f->used, or NULL when the arena is full; give
 * them back by restoring f->used. */
double *flow__take(struct flow *f, long n);
/* Adds a layer of kind with nparam parameters (zeroed); NULL if full. */
struct flow_layer *flow__layer_new(struct flow *f, int kind, long nparam);
double flow__rand_normal(struct flow *f);
/* Zeroes the weights a MAF layer's MADE masks forbid. */
void flow__maf_mask(struct flow *f, struct flow_layer *L);
/* Sets ActNorm layer L from the points x seen at its output. */
void flow__actnorm_set(struct flow *f, struct flow_layer *L, const double *x,
    int n);

/* math internals */
double flow__expm1_pos(double y);
void flow__tanh_array(double *y, const double *x, long n);

/* ---- MLP: in -> h (tanh) -> h (tanh) -> out, parameters W1 b1 W2 b2 W3
 * b3 (W row-major in*out).  Activations H1, H2 are n*h. */
long flow__mlp_nparam(int in, int h, int out);
void flow__mlp_init(struct flow *f, double *P, int in, int h, int out,
    double out_scale);
int flow__mlp_forward(struct flow *f, const double *P, int in, int h,
    int out, const double *X, double *H1, double *H2, double *Y, int n);
/* Given dY, adds parameter gradients to G and writes dX (may be NULL). */
int flow__mlp_backward(struct flow *f, const double *P, int in, int h,
    int out, const double *X, const double *H1, const double *H2,
    const double *dY, double *dX, double *G, int n);

/* ---- rational-quadratic spline from raw parameters (3K-1 per dim) */
/* Knots and derivatives from raw parameters; returns 0. */
void flow__rqs_knots(const double *raw, int K, double B, double *xk,
    double *yk, double *dk);
/* Evaluates the spline at v (inverse != 0: its inverse) and adds
 * log|d out/dv| to *logdet; the identity outside the knots. */
double flow__rqs_apply(const double *xk, const double *yk, const double *dk,
    int K, double v, int inverse, double *logdet);
/* Back-propagation of the inverse spline x -> z: given gz and the logdet
 * weight c, returns dL/dx and adds dL/draw to graw (3K-1 values). */
double flow__rqs_back(const double *raw, int K, double B, double x,
    double z, double gz, double c, double *graw);
/* Coupling masks: conditioning dims then transformed dims into L->perm. */
int flow__coupling_mask(struct flow *f, struct flow_layer *L, const int *mask);

#endif
