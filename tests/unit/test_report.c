/*
 * test_report.c -- the four formats of `folio check --format`, each with
 * its exact output for one small, hostile input: a path with ':' and ',',
 * a message with % CR LF and markup characters, a diagnostic without a
 * file and with detail lines, a witness message with a control character
 * and a byte that is not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "check/check.h"

struct input {
	struct diags d;
	struct report r;
	struct page page;
	struct page_claim claims[3];
	struct page_review reviews[2];
	struct check_claim cc[3];
	struct check_result res;
};

static void input_init(struct input *in)
{
	memset(in, 0, sizeof *in);
	struct diag *g = diags_add(&in->d, DIAG_ERROR,
	    "content/we:ird,name.md", 3, 5, "check",
	    "claim 'c' cites source '50%%\r\n<b>&\"x\"</b>'");
	g->code = xstrdup("unknown-source");
	g = diags_add(&in->d, DIAG_WARNING, "sources/s.yaml", 0, 0, "check",
	    "source 's' is not used by any page");
	g->code = xstrdup("unused-source");
	g = diags_add(&in->d, DIAG_ERROR, NULL, 0, 0, "witness",
	    "tcc: cannot load");
	g->detail = xstrdup("line one\nline two\n");

	report_add_witness(&in->r, "code:lin", "content/a.md", 12, "pass",
	    2.0, 1, NULL);
	report_add_witness(&in->r, "code:bad", "content/a.md", 30, "fail",
	    20.0, 0, "expected 1\n got \x01\xff <&>");

	in->page.path = "content/a.md";
	in->claims[0].id = (struct located){"ok", 5, 9};
	in->claims[1].id = (struct located){"old", 6, 9};
	in->claims[2].id = (struct located){"new", 7, 9};
	in->reviews[0].pin = (struct located){"aaaaaaaaaaaa", 9, 10};
	in->reviews[1].pin = (struct located){"bbbbbbbbbbbb", 10, 10};
	in->cc[0] = (struct check_claim){&in->page, &in->claims[0],
	    CLAIM_REVIEWED, &in->reviews[0], "aaaaaaaaaaaa", 0};
	in->cc[1] = (struct check_claim){&in->page, &in->claims[1],
	    CLAIM_STALE, &in->reviews[1], "cccccccccccc", 0};
	in->cc[2] = (struct check_claim){&in->page, &in->claims[2],
	    CLAIM_UNREVIEWED, NULL, "dddddddddddd", 1};
	in->res = (struct check_result){in->cc, 3};
	report_add_claims(&in->r, &in->res);
}

static void input_free(struct input *in)
{
	diags_free(&in->d);
	report_free(&in->r);
}

static char *render(const struct input *in, enum report_format fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(report_write(f, fmt, &in->d, &in->r), 0);
	fclose(f);
	return out;
}

#define SUMMARY "check: 2 errors, 1 warning; witnesses: 1 passed, " \
	"1 failed (1 cached); claims: 1 reviewed, 1 stale, 1 unreviewed\n"

static void test_text(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char *got = render(&in, REPORT_TEXT);
	assert_string_equal(got,
	    "content/we:ird,name.md:3:5: error: check: claim 'c' cites "
	    "source '50%\\x0d\n<b>&\"x\"</b>'\n"
	    "sources/s.yaml: warning: check: source 's' is not used by any "
	    "page\n"
	    "folio: error: witness: tcc: cannot load\n"
	    "line one\nline two\n"
	    SUMMARY);
	/* The same as diags_print, then the summary. */
	char *dp = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&dp, &len);
	diags_print(f, &in.d);
	fclose(f);
	assert_int_equal(strncmp(got, dp, len), 0);
	assert_string_equal(got + len, SUMMARY);
	free(dp);
	free(got);
	input_free(&in);
}

static void test_github(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char *got = render(&in, REPORT_GITHUB);
	assert_string_equal(got,
	    "::error file=content/we%3Aird%2Cname.md,line=3,col=5,"
	    "title=folio check::claim 'c' cites source "
	    "'50%25\\x0d%0A<b>&\"x\"</b>'\n"
	    "::warning file=sources/s.yaml,title=folio check::source 's' is "
	    "not used by any page\n"
	    "::error title=folio witness::tcc: cannot load%0Aline one%0A"
	    "line two\n"
	    SUMMARY);
	free(got);

	/* A note is a notice; a line without a column drops col. */
	struct diags d = {0};
	diags_add(&d, DIAG_NOTE, "a.md", 4, 0, "math", "100%% done: ok");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(report_write(f, REPORT_GITHUB, &d, NULL), 0);
	fclose(f);
	assert_string_equal(out, "::notice file=a.md,line=4,title=folio "
	    "math::100%25 done: ok\n"
	    "check: 0 errors, 0 warnings; witnesses: 0 passed, 0 failed "
	    "(0 cached); claims: 0 reviewed, 0 stale, 0 unreviewed\n");
	free(out);
	diags_free(&d);
	input_free(&in);
}

static void test_json(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char *got = render(&in, REPORT_JSON);
	assert_string_equal(got,
	    "{\n"
	    "  \"diagnostics\": [\n"
	    "    {\"file\": \"content/we:ird,name.md\", \"line\": 3, "
	    "\"col\": 5, \"level\": \"error\", \"stage\": \"check\", "
	    "\"code\": \"unknown-source\", \"message\": \"claim 'c' cites "
	    "source '50%\\r\\n<b>&\\\"x\\\"</b>'\", \"detail\": null},\n"
	    "    {\"file\": \"sources/s.yaml\", \"line\": 0, \"col\": 0, "
	    "\"level\": \"warning\", \"stage\": \"check\", \"code\": "
	    "\"unused-source\", \"message\": \"source 's' is not used by any "
	    "page\", \"detail\": null},\n"
	    "    {\"file\": null, \"line\": 0, \"col\": 0, \"level\": "
	    "\"error\", \"stage\": \"witness\", \"code\": null, \"message\": "
	    "\"tcc: cannot load\", \"detail\": \"line one\\nline two\\n\"}\n"
	    "  ],\n"
	    "  \"tests\": [\n"
	    "    {\"kind\": \"witness\", \"name\": \"code:lin\", \"page\": "
	    "\"content/a.md\", \"line\": 12, \"status\": \"pass\", \"ms\": "
	    "2.000, \"cached\": true, \"failed\": false, \"message\": null},\n"
	    "    {\"kind\": \"witness\", \"name\": \"code:bad\", \"page\": "
	    "\"content/a.md\", \"line\": 30, \"status\": \"fail\", \"ms\": "
	    "20.000, \"cached\": false, \"failed\": true, \"message\": "
	    "\"expected 1\\n got \\u0001\\ufffd <&>\"},\n"
	    "    {\"kind\": \"claim\", \"name\": \"ok\", \"page\": "
	    "\"content/a.md\", \"line\": 5, \"status\": \"reviewed\", \"ms\": "
	    "0.000, \"cached\": false, \"failed\": false, \"message\": "
	    "null},\n"
	    "    {\"kind\": \"claim\", \"name\": \"old\", \"page\": "
	    "\"content/a.md\", \"line\": 6, \"status\": \"stale\", \"ms\": "
	    "0.000, \"cached\": false, \"failed\": false, \"message\": "
	    "\"reviewed at pin bbbbbbbbbbbb; current pin cccccccccccc\"},\n"
	    "    {\"kind\": \"claim\", \"name\": \"new\", \"page\": "
	    "\"content/a.md\", \"line\": 7, \"status\": \"unreviewed\", "
	    "\"ms\": 0.000, \"cached\": false, \"failed\": true, "
	    "\"message\": \"no review\"}\n"
	    "  ],\n"
	    "  \"counts\": {\"errors\": 2, \"warnings\": 1, \"notes\": 0,\n"
	    "    \"witnesses\": {\"passed\": 1, \"failed\": 1, \"cached\": "
	    "1},\n"
	    "    \"claims\": {\"reviewed\": 1, \"stale\": 1, \"unreviewed\": "
	    "1}}\n"
	    "}\n");

	/* A JSON parser reads it back to the same strings. */
	json_error_t err;
	json_t *root = json_loads(got, 0, &err);
	if (!root)
		fail_msg("json: %s at line %d", err.text, err.line);
	json_t *d0 = json_array_get(json_object_get(root, "diagnostics"), 0);
	assert_string_equal(json_string_value(json_object_get(d0, "message")),
	    "claim 'c' cites source '50%\r\n<b>&\"x\"</b>'");
	json_t *t1 = json_array_get(json_object_get(root, "tests"), 1);
	assert_string_equal(json_string_value(json_object_get(t1, "message")),
	    "expected 1\n got \x01\xEF\xBF\xBD <&>");
	json_decref(root);
	free(got);

	/* Nothing at all. */
	struct diags none = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(report_write(f, REPORT_JSON, &none, NULL), 0);
	fclose(f);
	assert_string_equal(out, "{\n  \"diagnostics\": [],\n  \"tests\": [],\n"
	    "  \"counts\": {\"errors\": 0, \"warnings\": 0, \"notes\": 0,\n"
	    "    \"witnesses\": {\"passed\": 0, \"failed\": 0, \"cached\": "
	    "0},\n    \"claims\": {\"reviewed\": 0, \"stale\": 0, "
	    "\"unreviewed\": 0}}\n}\n");
	root = json_loads(out, 0, &err);
	assert_non_null(root);
	json_decref(root);
	free(out);
	input_free(&in);
}

static void test_junit(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char *got = render(&in, REPORT_JUNIT);
	assert_string_equal(got,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"folio check\" tests=\"7\" failures=\"4\" "
	    "skipped=\"1\" time=\"0.022\">\n"
	    "  <testsuite name=\"witnesses\" tests=\"2\" failures=\"1\" "
	    "skipped=\"0\" time=\"0.022\">\n"
	    "    <testcase name=\"code:lin\" classname=\"content/a.md\" "
	    "file=\"content/a.md\" line=\"12\" time=\"0.002\"/>\n"
	    "    <testcase name=\"code:bad\" classname=\"content/a.md\" "
	    "file=\"content/a.md\" line=\"30\" time=\"0.020\">\n"
	    "      <failure message=\"fail\" type=\"fail\">expected 1\n"
	    " got \xEF\xBF\xBD\xEF\xBF\xBD &lt;&amp;&gt;</failure>\n"
	    "    </testcase>\n"
	    "  </testsuite>\n"
	    "  <testsuite name=\"claims\" tests=\"3\" failures=\"1\" "
	    "skipped=\"1\" time=\"0.000\">\n"
	    "    <testcase name=\"ok\" classname=\"content/a.md\" "
	    "file=\"content/a.md\" line=\"5\" time=\"0.000\"/>\n"
	    "    <testcase name=\"old\" classname=\"content/a.md\" "
	    "file=\"content/a.md\" line=\"6\" time=\"0.000\">\n"
	    "      <skipped message=\"reviewed at pin bbbbbbbbbbbb; current "
	    "pin cccccccccccc\"/>\n"
	    "    </testcase>\n"
	    "    <testcase name=\"new\" classname=\"content/a.md\" "
	    "file=\"content/a.md\" line=\"7\" time=\"0.000\">\n"
	    "      <failure message=\"unreviewed\" type=\"unreviewed\">no "
	    "review</failure>\n"
	    "    </testcase>\n"
	    "  </testsuite>\n"
	    "  <testsuite name=\"errors\" tests=\"2\" failures=\"2\" "
	    "skipped=\"0\" time=\"0.000\">\n"
	    "    <testcase name=\"content/we:ird,name.md:3:5\" "
	    "classname=\"check\" time=\"0.000\">\n"
	    "      <failure message=\"claim &apos;c&apos; cites source "
	    "&apos;50%&#13;&#10;&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;&apos;\" "
	    "type=\"unknown-source\">claim &apos;c&apos; cites source "
	    "&apos;50%&#13;\n&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;&apos;"
	    "</failure>\n"
	    "    </testcase>\n"
	    "    <testcase name=\"folio\" classname=\"witness\" "
	    "time=\"0.000\">\n"
	    "      <failure message=\"tcc: cannot load\" type=\"witness\">tcc: "
	    "cannot load\nline one\nline two</failure>\n"
	    "    </testcase>\n"
	    "  </testsuite>\n"
	    "</testsuites>\n");
	free(got);
	input_free(&in);
}

static void test_summary_and_parse(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char *s = report_summary(&in.d, &in.r);
	assert_string_equal(s, "check: 2 errors, 1 warning; witnesses: 1 "
	    "passed, 1 failed (1 cached); claims: 1 reviewed, 1 stale, 1 "
	    "unreviewed");
	free(s);
	enum report_format fmt = REPORT_TEXT;
	assert_int_equal(report_format_parse("junit", &fmt), 0);
	assert_int_equal(fmt, REPORT_JUNIT);
	assert_int_equal(report_format_parse("github", &fmt), 0);
	assert_int_equal(fmt, REPORT_GITHUB);
	assert_int_equal(report_format_parse("json", &fmt), 0);
	assert_int_equal(fmt, REPORT_JSON);
	assert_int_equal(report_format_parse("text", &fmt), 0);
	assert_int_equal(fmt, REPORT_TEXT);
	assert_int_equal(report_format_parse("xml", &fmt), -1);
	assert_int_equal(report_format_parse("", &fmt), -1);
	assert_int_equal(fmt, REPORT_TEXT);
	report_free(NULL);
	input_free(&in);
}

static void test_write_file(void **state)
{
	(void)state;
	struct input in;
	input_init(&in);
	char dir[] = "/tmp/folio-test-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = path_join(dir, "report.xml");
	struct diags out = {0};
	assert_int_equal(report_write_file(path, REPORT_JUNIT, &in.d, &in.r,
	    &out), 0);
	assert_int_equal(out.nitems, 0);
	char *text, *want = render(&in, REPORT_JUNIT);
	assert_int_equal(file_read(path, &text, NULL, &out, "t"), 0);
	assert_string_equal(text, want);
	free(text);
	free(want);
	free(path);

	path = path_join(dir, "no/such/dir/report.xml");
	assert_int_equal(report_write_file(path, REPORT_JSON, &in.d, &in.r,
	    &out), -1);
	char *msg = diag_format(&out.items[0]);
	char *expect = xasprintf("%s: error: check: cannot write report: No "
	    "such file or directory", path);
	assert_string_equal(msg, expect);
	free(msg);
	free(expect);
	free(path);
	diags_free(&out);
	dir_remove(dir);
	input_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_github),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_summary_and_parse),
		cmocka_unit_test(test_write_file),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
