/* stddef.h -- folio witness prelude (hermetic: not the system header). */
#ifndef _FOLIO_STDDEF_H
#define _FOLIO_STDDEF_H
typedef unsigned long size_t;
typedef long ptrdiff_t;
typedef int wchar_t;
typedef long max_align_t;
#define NULL ((void *)0)
#define offsetof(type, field) ((size_t)&((type *)0)->field)
#endif
