/*
 * test_witness_compare.c -- witness_compare (table-driven), the fence info
 * strings, the pairing diagnostics and the cache key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "witness/witness.h"

struct compare_case {
	int line;                /* of this file, printed on failure */
	const char *expected, *actual;
	double tol;
	int has_tol;
	int same;
	size_t bad;              /* when !same */
	const char *diff;        /* when !same and not NULL */
};

static const struct compare_case cases[] = {
	{__LINE__, "a\nb\n", "a\nb\n", 0, 0, 1, 0, NULL},
	/* CRLF, trailing blanks, trailing empty lines, missing last newline */
	{__LINE__, "a\r\nb  \r\n\n\n", "a \t\nb", 0, 0, 1, 0, NULL},
	{__LINE__, "", "\n\n", 0, 0, 1, 0, NULL},
	/* leading blanks count */
	{__LINE__, "a\n b\n", "a\nb\n", 0, 0, 0, 1,
	    "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n a\n- b\n+b\n"},
	/* missing output */
	{__LINE__, "a\nb\nc\n", "a\n", 0, 0, 0, 1,
	    "--- expected\n+++ actual\n@@ -1,3 +1,1 @@\n a\n-b\n-c\n"},
	/* extra output: bad is one past the last expected line */
	{__LINE__, "a\n", "a\nz\n", 0, 0, 0, 1,
	    "--- expected\n+++ actual\n@@ -1,1 +1,2 @@\n a\n+z\n"},
	/* exact: numbers compared as text */
	{__LINE__, "x = 0.1\n", "x = 0.10\n", 0, 0, 0, 0, NULL},
	/* tol: relative or absolute */
	{__LINE__, "x = 0.1\n", "x = 0.10\n", 1e-6, 1, 1, 0, NULL},
	{__LINE__, "p 1000000.0\n", "p 1000000.5\n", 1e-6, 1, 1, 0, NULL},
	{__LINE__, "p 1000000.0\n", "p 1000002.5\n", 1e-6, 1, 0, 0, NULL},
	{__LINE__, "t 0.0000001\n", "t -0.0000002\n", 1e-6, 1, 1, 0, NULL},
	{__LINE__, "t 0.5\n", "t 0.5000011\n", 1e-6, 1, 0, 0,
	    "--- expected\n+++ actual\n@@ -1,1 +1,1 @@\n-t 0.5\n+t 0.5000011\n"},
	{__LINE__, "v [1.0, -2.0e-3, nan, inf]\n",
	    "v [1.0000001, -0.0020000001, nan, inf]\n", 1e-6, 1, 1, 0, NULL},
	{__LINE__, "v nan\n", "v 1\n", 1e-6, 1, 0, 0, NULL},
	/* tol: the text between numbers must be equal */
	{__LINE__, "loss: 1.0\n", "loss 1.0\n", 1e-6, 1, 0, 0, NULL},
	{__LINE__, "a 1 2\n", "a 1 2 3\n", 1e-6, 1, 0, 0, NULL},
	/* digits glued to a word are text: float32 is not float 32 */
	{__LINE__, "float32\n", "float33\n", 1, 1, 0, 0, NULL},
	/* "..." matches zero or more lines */
	{__LINE__, "a\n...\nz\n", "a\nz\n", 0, 0, 1, 0, NULL},
	{__LINE__, "a\n...\nz\n", "a\nb\nc\nd\nz\n", 0, 0, 1, 0, NULL},
	{__LINE__, "...\n", "anything\nat all\n", 0, 0, 1, 0, NULL},
	{__LINE__, "a\n...\n", "a\n", 0, 0, 1, 0, NULL},
	{__LINE__, "a\n...\nm\n...\nz\n", "a\n1\nm\n2\n3\nz\n", 0, 0, 1, 0,
	    NULL},
	/* "..." does not excuse a wrong line after it */
	{__LINE__, "a\n...\nz\n", "a\nb\ny\n", 0, 0, 0, 2,
	    "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n ...\n b\n-z\n"
	    "+y\n"},
	/* "..." needs the line before it */
	{__LINE__, "a\n...\n", "b\nc\n", 0, 0, 0, 0, NULL},
	/* a " ..." line is text */
	{__LINE__, "a\n ...\n", "a\nb\n", 0, 0, 0, 1, NULL},
	/* a change in the middle of a long output: 3 lines of context */
	{__LINE__, "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
	    0, 0, 0, 4,
	    "--- expected\n+++ actual\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n"
	    " 6\n 7\n 8\n"},
};

static void test_compare_table(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const struct compare_case *c = &cases[k];
		size_t bad = 999;
		char *diff = NULL;
		int same = witness_compare(c->expected, c->actual, c->tol,
		    c->has_tol, &bad, &diff);
		if (same != c->same || (!same && bad != c->bad) ||
		    (!same && c->diff && strcmp(diff, c->diff) != 0)) {
			fprintf(stderr, "%s:%d: same %d bad %zu diff:\n%s\n",
			    __FILE__, c->line, same, bad, diff ? diff : "");
			fail();
		}
		if (same)
			assert_null(diff);
		free(diff);
	}
}

/* Outputs too large for the table fall back to a greedy walk. */
static void test_compare_large(void **state)
{
	(void)state;
	struct buf e = {0}, a = {0};
	for (int i = 0; i < 3000; i++) {
		buf_printf(&e, "line %d\n", i);
		buf_printf(&a, "line %d\n", i == 2500 ? -1 : i);
	}
	size_t bad = 0;
	char *diff = NULL;
	assert_int_equal(witness_compare(e.data, a.data, 0, 0, &bad, &diff), 0);
	assert_int_equal(bad, 2500);
	assert_non_null(strstr(diff, "-line 2500\n"));
	assert_non_null(strstr(diff, "+line -1\n"));
	free(diff);
	assert_int_equal(witness_compare("line 0\n...\nline 2999\n", e.data, 0,
	    0, NULL, NULL), 1);
	assert_int_equal(witness_compare(e.data, e.data, 0, 0, NULL, NULL), 1);
	buf_free(&e);
	buf_free(&a);
}

static void test_cache_key(void **state)
{
	(void)state;
	struct witness_item it = {.code = "int main(void) { return 0; }\n",
	    .expected = "", .tol = 0, .has_tol = 0};
	struct witness_opts o = {.timeout_ms = 2000, .cpu_s = 2,
	    .memory_mb = 256, .output_kb = 64};
	char k1[65], k2[65];
	witness_cache_key(&o, &it, k1);
	assert_int_equal(strlen(k1), 64);
	witness_cache_key(&o, &it, k2);
	assert_string_equal(k1, k2);
	/* the path, name and lines do not matter */
	it.path = "other.md";
	it.code_line = 99;
	witness_cache_key(&o, &it, k2);
	assert_string_equal(k1, k2);
	/* each input does */
	it.code = "int main(void) { return 1; }\n";
	witness_cache_key(&o, &it, k2);
	assert_string_not_equal(k1, k2);
	it.code = "int main(void) { return 0; }\n";
	it.expected = "x\n";
	witness_cache_key(&o, &it, k2);
	assert_string_not_equal(k1, k2);
	it.expected = "";
	it.has_tol = 1;
	witness_cache_key(&o, &it, k2);
	assert_string_not_equal(k1, k2);
	char k3[65];
	it.tol = 1e-6;
	witness_cache_key(&o, &it, k3);
	assert_string_not_equal(k2, k3);
	it.has_tol = 0;
	it.tol = 0;
	o.timeout_ms = 100;
	witness_cache_key(&o, &it, k2);
	assert_string_not_equal(k1, k2);
	/* code and expected are framed: moving text across them changes it */
	struct witness_item a = {.code = "ab", .expected = "c"};
	struct witness_item b = {.code = "a", .expected = "bc"};
	witness_cache_key(NULL, &a, k1);
	witness_cache_key(NULL, &b, k2);
	assert_string_not_equal(k1, k2);
	assert_int_equal(strlen(witness_flow_hash()), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_table),
		cmocka_unit_test(test_compare_large),
		cmocka_unit_test(test_cache_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
