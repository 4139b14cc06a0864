/*
 * test_mustache_spec.c -- the official mustache specification, as is.
 *
 * Loads every *.json file of the conformance folder (FOLIO_CONFORMANCE, or
 * ../shared/conformance/mustache relative to the repository root, where the
 * tests run) and renders each case: its template, with its partials, against
 * its data, compared byte for byte with its expected output.  Optional
 * modules whose name starts with "~lambdas" are skipped (lambdas are out of
 * scope).  One cmocka test per file, then a summary that prints
 * "mustache conformance: N/N passed" and fails unless every case passed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "render/render.h"
#include "util/util.h"

#define MAX_FILES 32

static const char *folder;
static char *files[MAX_FILES];
static size_t nfiles;
static int total, passed;

/* Renders one case; 1 when the output is the expected one, else prints the
 * difference and returns 0. */
static int run_case(const char *file, json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	json_t *tpl = json_object_get(c, "template");
	json_t *exp = json_object_get(c, "expected");
	json_t *partials = json_object_get(c, "partials");
	if (!name || !json_is_string(tpl) || !json_is_string(exp)) {
		printf("  %s: malformed case\n", file);
		return 0;
	}
	struct render_set *s = render_set_new();
	struct diags d = {0};
	struct buf out = {0};
	int ok = 1;
	const char *key;
	json_t *v;
	json_object_foreach(partials, key, v) {
		if (render_set_add(s, key, key, json_string_value(v),
		    json_string_length(v), &d) < 0)
			ok = 0;
	}
	/* a name no partial of the suite uses */
	const char *self = "\001spec-case";
	if (render_set_add(s, self, name, json_string_value(tpl),
	    json_string_length(tpl), &d) < 0)
		ok = 0;
	if (ok && render_run(s, self, json_object_get(c, "data"), &out, &d) < 0)
		ok = 0;
	if (ok && (out.len != json_string_length(exp) ||
	    memcmp(out.data, json_string_value(exp), out.len) != 0))
		ok = 0;
	if (!ok) {
		char *t = json_dumps(tpl, JSON_ENCODE_ANY);
		char *e = json_dumps(exp, JSON_ENCODE_ANY);
		json_t *got = json_stringn(out.data ? out.data : "", out.len);
		char *g = json_dumps(got, JSON_ENCODE_ANY);
		printf("  FAIL %s: %s\n    template: %s\n    expected: %s\n"
		    "    got:      %s\n", file, name, t, e, g);
		diags_print(stdout, &d);
		free(t);
		free(e);
		free(g);
		json_decref(got);
	}
	buf_free(&out);
	diags_free(&d);
	render_set_free(s);
	return ok;
}

static void test_file(void **state)
{
	const char *file = *state;
	char *path = path_join(folder, file);
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	if (!root)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	json_t *tests = json_object_get(root, "tests");
	assert_true(json_is_array(tests));
	assert_true(json_array_size(tests) > 0);
	size_t i;
	json_t *c;
	int fails = 0;
	json_array_foreach(tests, i, c) {
		total++;
		if (run_case(file, c))
			passed++;
		else
			fails++;
	}
	printf("  %s: %zu cases, %d failed\n", file, json_array_size(tests),
	    fails);
	json_decref(root);
	free(path);
	assert_int_equal(fails, 0);
}

static void test_summary(void **state)
{
	(void)state;
	printf("mustache conformance: %d/%d passed\n", passed, total);
	assert_true(total > 0);
	assert_int_equal(passed, total);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	folder = getenv("FOLIO_CONFORMANCE");
	if (!folder || !*folder)
		folder = "../shared/conformance/mustache";
	DIR *dp = opendir(folder);
	if (!dp) {
		fprintf(stderr, "test_mustache_spec: cannot open %s (set "
		    "FOLIO_CONFORMANCE to the mustache conformance folder)\n",
		    folder);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(dp)) != NULL && nfiles < MAX_FILES) {
		if (!str_ends(e->d_name, ".json") ||
		    str_starts(e->d_name, "~lambdas"))
			continue;
		files[nfiles++] = xstrdup(e->d_name);
	}
	closedir(dp);
	qsort(files, nfiles, sizeof *files, cmp);

	struct CMUnitTest tests[MAX_FILES + 1];
	for (size_t i = 0; i < nfiles; i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test(test_file);
		tests[i].name = files[i];
		tests[i].initial_state = files[i];
	}
	tests[nfiles] = (struct CMUnitTest)cmocka_unit_test(test_summary);
	int rc = _cmocka_run_group_tests("mustache_spec", tests, nfiles + 1,
	    NULL, NULL);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	return rc;
}
