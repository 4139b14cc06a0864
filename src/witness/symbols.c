/*
 * symbols.c -- the functions and objects a witness may link against: every
 * function the prelude (the headers of include/) and flow.h declare.
 * tests/unit/test_witness_symbols.c parses the headers and fails when one
 * is missing here.  Compiled twice: into the witness host (WITNESS_HOST
 * defined), where the table holds the addresses witnesses are linked to,
 * and into folio, which needs only the names (the compile server takes
 * the addresses from the host's hello).
 *
 * Divisions: assert, the table.
 */
#include "witness/internal.h"

#include "flow/flow.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- assert */

#ifdef WITNESS_HOST

/* The prelude's assert(); line is the line within the witness. */
int witness_line_offset;

static void witness_assert_fail(const char *expr, int line)
{
	fflush(stdout);
	fprintf(stderr, "assertion failed: %s (line %d)\n", expr,
	    line + witness_line_offset);
	fflush(stderr);
	abort();
}
#endif

/* ---- the table */

#ifdef WITNESS_HOST
#define SYM_AS(name, f) {name, (const void *)&f}
#else
#define SYM_AS(name, f) {name, NULL}
#endif
#define SYM(f) SYM_AS(#f, f)

const struct witness_symbol witness_symbols[] = {
	/* stdio.h */
	SYM(stdout), SYM(stderr),
	SYM(printf), SYM(fprintf), SYM(sprintf), SYM(snprintf), SYM(vprintf),
	SYM(vfprintf), SYM(vsprintf), SYM(vsnprintf), SYM(sscanf), SYM(puts),
	SYM(putchar), SYM(fputs), SYM(fputc), SYM(putc), SYM(fwrite),
	SYM(fflush), SYM(perror),
	/* stdlib.h */
	SYM(malloc), SYM(calloc), SYM(realloc), SYM(free),
	/* exit() must not run the builder's atexit handlers (SQLite, the
	 * test harness): the runner's own exit flushes and leaves. */
	SYM_AS("exit", witness_child_exit), SYM_AS("_Exit", _exit),
	SYM(abort), SYM(atoi), SYM(atol), SYM(atoll), SYM(atof), SYM(strtod),
	SYM(strtof), SYM(strtol), SYM(strtoll), SYM(strtoul), SYM(strtoull),
	SYM(abs), SYM(labs), SYM(llabs), SYM(qsort), SYM(bsearch), SYM(rand),
	SYM(srand),
	/* string.h (tcc also calls memcpy, memmove and memset itself) */
	SYM(memcpy), SYM(memmove), SYM(memset), SYM(memcmp), SYM(memchr),
	SYM(strlen), SYM(strnlen), SYM(strcmp), SYM(strncmp), SYM(strcpy),
	SYM(strncpy), SYM(strcat), SYM(strncat), SYM(strchr), SYM(strrchr),
	SYM(strstr), SYM(strspn), SYM(strcspn), SYM(strdup), SYM(strndup),
	SYM(strerror),
	/* ctype.h */
	SYM(isalnum), SYM(isalpha), SYM(isdigit), SYM(isxdigit), SYM(islower),
	SYM(isupper), SYM(isspace), SYM(ispunct), SYM(isprint), SYM(tolower),
	SYM(toupper),
	/* math.h */
	SYM(sin), SYM(cos), SYM(tan), SYM(asin), SYM(acos), SYM(atan),
	SYM(atan2), SYM(sinh), SYM(cosh), SYM(tanh), SYM(asinh), SYM(acosh),
	SYM(atanh), SYM(exp), SYM(exp2), SYM(expm1), SYM(log), SYM(log2),
	SYM(log10), SYM(log1p), SYM(pow), SYM(sqrt), SYM(cbrt), SYM(hypot),
	SYM(fabs), SYM(floor), SYM(ceil), SYM(round), SYM(trunc), SYM(rint),
	SYM(nearbyint), SYM(lround), SYM(fmod), SYM(remainder), SYM(fmin),
	SYM(fmax), SYM(fdim), SYM(fma), SYM(copysign), SYM(nextafter),
	SYM(ldexp), SYM(frexp), SYM(modf), SYM(erf), SYM(erfc), SYM(tgamma),
	SYM(lgamma), SYM(sinf), SYM(cosf), SYM(tanf), SYM(atan2f), SYM(tanhf),
	SYM(expf), SYM(logf), SYM(log1pf), SYM(powf), SYM(sqrtf), SYM(fabsf),
	SYM(floorf), SYM(ceilf), SYM(roundf), SYM(fminf), SYM(fmaxf),
	/* assert.h */
	SYM_AS("__folio_assert_fail", witness_assert_fail),
	/* flow.h */
	SYM(flow_adam_init), SYM(flow_adam_step), SYM(flow_add_actnorm),
	SYM(flow_add_affine), SYM(flow_add_coupling),
	SYM(flow_add_elementwise), SYM(flow_add_logit), SYM(flow_add_maf),
	SYM(flow_add_permute), SYM(flow_add_planar), SYM(flow_add_radial),
	SYM(flow_add_reverse), SYM(flow_add_sigmoid), SYM(flow_add_spline),
	SYM(flow_add_spline_coupling), SYM(flow_base_log_prob), SYM(flow_cos),
	SYM(flow_data_init), SYM(flow_exp), SYM(flow_expm1),
	SYM(flow_forward), SYM(flow_init), SYM(flow_inverse),
	SYM(flow_layer_forward), SYM(flow_layer_inverse), SYM(flow_log),
	SYM(flow_log1p), SYM(flow_log_prob), SYM(flow_mem_used),
	SYM(flow_nll_grad), SYM(flow_normal_log_prob), SYM(flow_perturb),
	SYM(flow_rng_next), SYM(flow_rng_normal), SYM(flow_rng_seed),
	SYM(flow_rng_uniform), SYM(flow_rqs_eval), SYM(flow_sample),
	SYM(flow_sample_and_log_prob), SYM(flow_seed), SYM(flow_set_base),
	SYM(flow_sigmoid), SYM(flow_sin), SYM(flow_softplus),
	SYM(flow_spline_set_knots), SYM(flow_sqrt), SYM(flow_tanh),
	SYM(flow_toy_sample), SYM(flow_train_step),
	{NULL, NULL},
};

size_t witness_symbol_count(void)
{
	static const size_t n = sizeof witness_symbols /
	    sizeof witness_symbols[0] - 1;
	return n;
}

int witness_symbol_known(const char *name)
{
	for (const struct witness_symbol *s = witness_symbols; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return 1;
	return 0;
}
