/* math.h -- folio witness prelude (hermetic: not the system header).
 * isnan, isinf, isfinite and signbit are macros over inline functions of
 * double (a float argument is widened, which keeps the answer). */
#ifndef _FOLIO_MATH_H
#define _FOLIO_MATH_H
#define M_E 2.7182818284590452354
#define M_LOG2E 1.4426950408889634074
#define M_LOG10E 0.43429448190325182765
#define M_LN2 0.69314718055994530942
#define M_LN10 2.30258509299404568402
#define M_PI 3.14159265358979323846
#define M_PI_2 1.57079632679489661923
#define M_PI_4 0.78539816339744830962
#define M_1_PI 0.31830988618379067154
#define M_2_PI 0.63661977236758134308
#define M_2_SQRTPI 1.12837916709551257390
#define M_SQRT2 1.41421356237309504880
#define M_SQRT1_2 0.70710678118654752440
#define INFINITY (1e300 * 1e300)
#define HUGE_VAL INFINITY
#define NAN (INFINITY - INFINITY)
double sin(double x);
double cos(double x);
double tan(double x);
double asin(double x);
double acos(double x);
double atan(double x);
double atan2(double y, double x);
double sinh(double x);
double cosh(double x);
double tanh(double x);
double asinh(double x);
double acosh(double x);
double atanh(double x);
double exp(double x);
double exp2(double x);
double expm1(double x);
double log(double x);
double log2(double x);
double log10(double x);
double log1p(double x);
double pow(double x, double y);
double sqrt(double x);
double cbrt(double x);
double hypot(double x, double y);
double fabs(double x);
double floor(double x);
double ceil(double x);
double round(double x);
double trunc(double x);
double rint(double x);
double nearbyint(double x);
long lround(double x);
double fmod(double x, double y);
double remainder(double x, double y);
double fmin(double x, double y);
double fmax(double x, double y);
double fdim(double x, double y);
double fma(double x, double y, double z);
double copysign(double x, double y);
double nextafter(double x, double y);
double ldexp(double x, int e);
double frexp(double x, int *e);
double modf(double x, double *ip);
double erf(double x);
double erfc(double x);
double tgamma(double x);
double lgamma(double x);
float sinf(float x);
float cosf(float x);
float tanf(float x);
float atan2f(float y, float x);
float tanhf(float x);
float expf(float x);
float logf(float x);
float log1pf(float x);
float powf(float x, float y);
float sqrtf(float x);
float fabsf(float x);
float floorf(float x);
float ceilf(float x);
float roundf(float x);
float fminf(float x, float y);
float fmaxf(float x, float y);
static inline int __folio_isnan(double x) { return x != x; }
static inline int __folio_isinf(double x)
{ return x == INFINITY || x == -INFINITY; }
static inline int __folio_isfinite(double x)
{ return !__folio_isnan(x) && !__folio_isinf(x); }
static inline int __folio_signbit(double x) { return copysign(1.0, x) < 0; }
#define isnan(x) __folio_isnan(x)
#define isinf(x) __folio_isinf(x)
#define isfinite(x) __folio_isfinite(x)
#define signbit(x) __folio_signbit(x)
#endif
