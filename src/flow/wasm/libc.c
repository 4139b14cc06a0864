/*
 * libc.c -- the two memory functions clang may call on its own when it
 * compiles the flow library for WebAssembly with -nostdlib (struct copies,
 * zeroed arrays).  Only the wasm build links this file.
 */
#include <stddef.h>

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
