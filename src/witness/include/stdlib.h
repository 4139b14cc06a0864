/* stdlib.h -- folio witness prelude (hermetic: not the system header).
 * No getenv, system or atexit: a witness's output depends on its code
 * alone. */
#ifndef _FOLIO_STDLIB_H
#define _FOLIO_STDLIB_H
#include <stddef.h>
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 2147483647
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
void exit(int status);
void _Exit(int status);
void abort(void);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);
double atof(const char *s);
double strtod(const char *s, char **end);
float strtof(const char *s, char **end);
long strtol(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int abs(int x);
long labs(long x);
long long llabs(long long x);
void qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));
int rand(void);
void srand(unsigned seed);
#endif
