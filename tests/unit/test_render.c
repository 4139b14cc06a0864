/*
 * test_render.c -- the template engine beyond the spec: located syntax
 * errors, the limits that end runaway templates, folders of templates, the
 * choices the spec leaves open, and rendering from several threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "render/render.h"
#include "util/util.h"

/* Every diagnostic of d, formatted, one per line. */
static char *diags_text(const struct diags *d)
{
	struct buf b = {0};
	for (size_t i = 0; i < d->nitems; i++) {
		char *s = diag_format(&d->items[i]);
		buf_printf(&b, "%s\n", s);
		free(s);
	}
	return buf_detach(&b);
}

/* ---- syntax errors: each template, and the exact diagnostic */

static const struct {
	const char *text;
	const char *diag;
} bad[] = {
	{"{{#a}}x",
	 "t.mustache:1:1: error: render: '{{#a}}' is never closed: no "
	 "'{{/a}}' follows"},
	{"{{#a}}{{#b}}\n",
	 "t.mustache:1:7: error: render: '{{#b}}' is never closed: no "
	 "'{{/b}}' follows"},
	{"ab\n  {{#a}}{{/b}}",
	 "t.mustache:2:9: error: render: '{{/b}}' does not close '{{#a}}' "
	 "opened at 2:3"},
	{"x{{/a}}",
	 "t.mustache:1:2: error: render: '{{/a}}' closes nothing: no section "
	 "is open"},
	{"hello {{name",
	 "t.mustache:1:7: error: render: unclosed tag: '{{' without '}}'"},
	{"l1\nl2 {{{x}}",
	 "t.mustache:2:4: error: render: unclosed tag: '{{{' without '}}}'"},
	{"{{!\ncomment",
	 "t.mustache:1:1: error: render: unclosed tag: '{{!' without '}}'"},
	{"a\n{{=<% =}}",
	 "t.mustache:2:1: error: render: bad set-delimiter tag '{{=<% =}}': "
	 "expected two delimiters separated by white space, without '='"},
	{"{{= a=b c =}}",
	 "t.mustache:1:1: error: render: bad set-delimiter tag '{{= a=b c =}}'"
	 ": expected two delimiters separated by white space, without '='"},
	{"{{=<% %>=}}<%#a%><%/b%>",
	 "t.mustache:1:18: error: render: '<%/b%>' does not close '<%#a%>' "
	 "opened at 1:12"},
	{"{{=<% %>=}}<%#a%>",
	 "t.mustache:1:12: error: render: '<%#a%>' is never closed: no "
	 "'<%/a%>' follows"},
	{"x {{}}",
	 "t.mustache:1:3: error: render: empty name in tag '{{}}'"},
	{"{{# }}",
	 "t.mustache:1:1: error: render: empty name in tag '{{# }}'"},
	{"{{a..b}}",
	 "t.mustache:1:1: error: render: bad name in tag '{{a..b}}': expected "
	 "'.' or names joined by single dots, without white space"},
	{"{{#a b}}{{/a b}}",
	 "t.mustache:1:1: error: render: bad name in tag '{{#a b}}': expected "
	 "'.' or names joined by single dots, without white space"},
	{"{{> my partial}}",
	 "t.mustache:1:1: error: render: bad name in tag '{{> my partial}}': "
	 "white space inside the name"},
	{"h\xc3\xa9llo {{#x}}",
	 "t.mustache:1:7: error: render: '{{#x}}' is never closed: no "
	 "'{{/x}}' follows"},
	{"{{<p}}{{$b}}x{{/p}}",
	 "t.mustache:1:14: error: render: '{{/p}}' does not close '{{$b}}' "
	 "opened at 1:7"},
	{"{{^a}}\n\n  {{/a}}\n{{/a}}",
	 "t.mustache:4:1: error: render: '{{/a}}' closes nothing: no section "
	 "is open"},
};

static void test_syntax_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct render_set *s = render_set_new();
		struct diags d = {0};
		int rc = render_set_add(s, "t", "t.mustache", bad[i].text,
		    strlen(bad[i].text), &d);
		char *got = diags_text(&d);
		char *want = xasprintf("%s\n", bad[i].diag);
		if (rc != -1 || strcmp(got, want) != 0)
			fail_msg("case %zu %s\n want: %s got:  %s", i,
			    bad[i].text, want, got);
		/* a template that failed is not in the set */
		assert_false(render_set_has(s, "t"));
		free(got);
		free(want);
		diags_free(&d);
		render_set_free(s);
	}
}

static void test_nesting_limit(void **state)
{
	(void)state;
	struct buf t = {0};
	for (int i = 0; i < 101; i++)
		buf_puts(&t, "{{#a}}");
	struct render_set *s = render_set_new();
	struct diags d = {0};
	assert_int_equal(render_set_add(s, "t", NULL, t.data, t.len, &d), -1);
	char *got = diags_text(&d);
	assert_string_equal(got, "t:1:601: error: render: '{{#a}}' nests "
	    "sections deeper than 100 levels\n");
	free(got);
	diags_free(&d);
	render_set_free(s);
	buf_free(&t);
}

/* ---- rendering helpers */

/* A set from name=text pairs (NULL-terminated); aborts the test on a
 * syntax error. */
static struct render_set *set_of(const char *name, ...)
{
	struct render_set *s = render_set_new();
	struct diags d = {0};
	va_list ap;
	va_start(ap, name);
	for (const char *n = name; n; n = va_arg(ap, const char *)) {
		const char *text = va_arg(ap, const char *);
		char *path = xasprintf("%s.mustache", n);
		if (render_set_add(s, n, path, text, strlen(text), &d) < 0) {
			diags_print(stderr, &d);
			fail();
		}
		free(path);
	}
	va_end(ap);
	diags_free(&d);
	return s;
}

/* Renders template name with the JSON text data; returns the output, or
 * the diagnostics prefixed by "ERR " when it fails. */
static char *render(struct render_set *s, const char *name, const char *data)
{
	json_error_t e;
	json_t *ctx = json_loads(data, JSON_DECODE_ANY, &e);
	assert_non_null(ctx);
	struct buf out = {0};
	struct diags d = {0};
	char *res;
	if (render_run(s, name, ctx, &out, &d) == 0) {
		assert_int_equal(d.nitems, 0);
		res = buf_detach(&out);
	} else {
		assert_int_equal(out.len, 0);
		char *t = diags_text(&d);
		res = xasprintf("ERR %s", t);
		free(t);
	}
	buf_free(&out);
	diags_free(&d);
	json_decref(ctx);
	return res;
}

#define EXPECT_RENDER(s, name, data, want) do { \
		char *got_ = render(s, name, data); \
		assert_string_equal(got_, want); \
		free(got_); \
	} while (0)

/* ---- limits */

static void test_recursion_limit(void **state)
{
	(void)state;
	/* a partial that includes itself whatever the data: an error at the
	 * tag that went one level too deep, not a stack overflow */
	struct render_set *s = set_of("a", "x{{>a}}", NULL);
	EXPECT_RENDER(s, "a", "{}", "ERR a.mustache:1:2: error: render: "
	    "partial 'a' nested deeper than 200 levels (endless recursion?)\n");
	render_set_free(s);

	s = set_of("p", "{{<p}}{{$b}}{{/b}}{{/p}}", NULL);
	EXPECT_RENDER(s, "p", "{}", "ERR p.mustache:1:1: error: render: "
	    "parent 'p' nested deeper than 200 levels (endless recursion?)\n");
	render_set_free(s);

	/* recursion that the data ends is fine ... */
	s = set_of("page", "{{>node}}",
	    "node", "{{n}}{{#kids}}({{>node}}){{/kids}}", NULL);
	const char *tree = "{\"n\":1,\"kids\":[{\"n\":2,\"kids\":[{\"n\":3,"
	    "\"kids\":[{\"n\":4,\"kids\":[]}]}]},{\"n\":5,\"kids\":[]}]}";
	EXPECT_RENDER(s, "page", tree, "1(2(3(4)))(5)");
	/* (a leaf without "kids" finds its parent's on the context stack: the
	 * classic endless recursion, caught) */
	EXPECT_RENDER(s, "page", "{\"n\":1,\"kids\":[{\"n\":2}]}",
	    "ERR node.mustache:1:16: error: render: partial 'node' nested "
	    "deeper than 200 levels (endless recursion?)\n");
	/* ... until it is deeper than the limit: partial (1), section (2),
	 * partial (3), section (4), partial (5), and section 'kids' is the
	 * sixth level */
	struct render_limits lim = {.max_depth = 5};
	render_set_limits(s, &lim);
	EXPECT_RENDER(s, "page", tree, "ERR node.mustache:1:6: error: render: "
	    "section 'kids' nested deeper than 5 levels (endless recursion?)\n");
	/* and a failed run leaves the caller's buffer as it was */
	struct buf out = {0};
	buf_puts(&out, "before");
	struct diags d = {0};
	json_t *ctx = json_loads(tree, 0, NULL);
	assert_int_equal(render_run(s, "page", ctx, &out, &d), -1);
	assert_string_equal(out.data, "before");
	assert_int_equal(d.nitems, 1);
	json_decref(ctx);
	diags_free(&d);
	buf_free(&out);
	render_set_free(s);
}

static void test_output_and_step_limits(void **state)
{
	(void)state;
	struct render_set *s = set_of("t",
	    "{{#l}}{{#l}}{{#l}}0123456789{{/l}}{{/l}}{{/l}}", NULL);
	const char *data = "{\"l\":[1,2,3,4,5,6,7,8,9,10]}";
	char *full = render(s, "t", data);
	assert_int_equal(strlen(full), 10000);
	free(full);
	struct render_limits lim = {.max_output = 1000};
	render_set_limits(s, &lim);
	EXPECT_RENDER(s, "t", data, "ERR t.mustache:1:19: error: render: "
	    "output larger than 1000 bytes (a runaway template?)\n");
	render_set_free(s);

	/* loops that write nothing still end */
	s = set_of("t", "{{#l}}{{#l}}{{#l}}{{#l}}{{x}}{{/l}}{{/l}}{{/l}}{{/l}}",
	    NULL);
	lim = (struct render_limits){.max_steps = 5000};
	render_set_limits(s, &lim);
	EXPECT_RENDER(s, "t", data, "ERR t.mustache:1:25: error: render: "
	    "rendering takes more than 5000 steps (a runaway template?)\n");
	render_set_free(s);
}

static void test_missing(void **state)
{
	(void)state;
	struct render_set *s = set_of("page", "[{{>nope}}|{{<nope}}{{/nope}}]",
	    "header", "h", NULL);
	/* missing partials and parents render as nothing (the spec) */
	EXPECT_RENDER(s, "page", "{}", "[|]");
	/* a missing template to render is an error, with a hint */
	EXPECT_RENDER(s, "headr", "{}", "ERR folio: error: render: no template "
	    "named 'headr' (did you mean 'header'?)\n");
	EXPECT_RENDER(s, "zzz", "{}", "ERR folio: error: render: no template "
	    "named 'zzz'\n");
	render_set_free(s);
}

/* ---- the choices the spec leaves open */

static void test_values(void **state)
{
	(void)state;
	struct render_set *s = set_of("t",
	    "{{q}}|{{{q}}}|{{&q}}|{{i}}|{{r}}|{{big}}|{{tiny}}|{{t}}|{{f}}|"
	    "{{n}}|{{o}}|{{a}}", NULL);
	EXPECT_RENDER(s, "t",
	    "{\"q\":\"<a href='x'>&\\\"</a>\",\"i\":-42,\"r\":0.1,"
	    "\"big\":1e300,\"tiny\":3.0,\"t\":true,\"f\":false,\"n\":null,"
	    "\"o\":{\"k\":1},\"a\":[1,2]}",
	    "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;|"
	    "<a href='x'>&\"</a>|<a href='x'>&\"</a>|-42|0.1|1e+300|3|true|"
	    "false|||");
	render_set_free(s);

	/* "", 0 and [] are falsy; {} and "0" are not */
	s = set_of("t", "{{#v}}T{{/v}}{{^v}}F{{/v}}", NULL);
	const char *cases[][2] = {
		{"{\"v\":\"\"}", "F"}, {"{\"v\":0}", "F"}, {"{\"v\":0.0}", "F"},
		{"{\"v\":[]}", "F"}, {"{\"v\":null}", "F"}, {"{}", "F"},
		{"{\"v\":false}", "F"}, {"{\"v\":{}}", "T"}, {"{\"v\":\"0\"}", "T"},
		{"{\"v\":1}", "T"}, {"{\"v\":[0]}", "T"}, {"{\"v\":true}", "T"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = render(s, "t", cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("%s: want %s, got %s", cases[i][0], cases[i][1],
			    got);
		free(got);
	}
	render_set_free(s);
}

static void test_replace_and_layout(void **state)
{
	(void)state;
	/* a layout with blocks, a page that fills them, a partial inside */
	struct render_set *s = set_of(
	    "layout", "<html>\n  <title>{{$title}}folio{{/title}}</title>\n"
	    "  <body>\n    {{$main}}\n    {{/main}}\n  </body>\n</html>\n",
	    "page", "{{<layout}}\n{{$title}}{{title}}{{/title}}\n{{$main}}\n"
	    "<h1>{{title}}</h1>\n{{>list}}\n{{/main}}\n{{/layout}}\n",
	    "list", "<ul>\n{{#items}}\n  <li>{{.}}</li>\n{{/items}}\n</ul>\n",
	    NULL);
	EXPECT_RENDER(s, "page", "{\"title\":\"A & B\",\"items\":[\"x\",\"y\"]}",
	    "<html>\n  <title>A &amp; B</title>\n  <body>\n"
	    "    <h1>A &amp; B</h1>\n    <ul>\n      <li>x</li>\n"
	    "      <li>y</li>\n    </ul>\n  </body>\n</html>\n");
	/* adding a template of the same name replaces it */
	struct diags d = {0};
	const char *list = "[{{#items}}{{.}}{{/items}}]";
	assert_int_equal(render_set_add(s, "list", NULL, list, strlen(list),
	    &d), 0);
	EXPECT_RENDER(s, "page", "{\"title\":\"T\",\"items\":[\"x\",\"y\"]}",
	    "<html>\n  <title>T</title>\n  <body>\n    <h1>T</h1>\n"
	    "    [xy]  </body>\n</html>\n");
	/* a failed add leaves the old template in place */
	assert_int_equal(render_set_add(s, "list", "new.mustache", "{{#x}}", 6,
	    &d), -1);
	assert_int_equal(d.nitems, 1);
	EXPECT_RENDER(s, "list", "{\"items\":[1]}", "[1]");
	diags_free(&d);
	render_set_free(s);
}

/* ---- folders */

static void put_file(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	struct diags d = {0};
	assert_int_equal(file_write(path, text, strlen(text), &d, "test"), 0);
	free(path);
}

static void test_load_dir(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/folio-render-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	put_file(tmpl, "page.mustache", "<{{>header}}|{{x}}>");
	put_file(tmpl, "header.html", "H");
	put_file(tmpl, "notes.txt", "{{#not a template");
	put_file(tmpl, ".hidden.html", "{{#ignored");
	struct render_set *s = render_set_new();
	struct diags d = {0};
	assert_int_equal(render_set_load_dir(s, tmpl, &d), 0);
	assert_int_equal(d.nitems, 0);
	EXPECT_RENDER(s, "page", "{\"x\":1}", "<H|1>");
	assert_false(render_set_has(s, "notes"));
	render_set_free(s);

	/* two files for one name, and a syntax error: both reported, the
	 * other templates still loaded */
	put_file(tmpl, "page.html", "again");
	put_file(tmpl, "broken.html", "ok\n {{/x}}");
	s = render_set_new();
	assert_int_equal(render_set_load_dir(s, tmpl, &d), -1);
	char *got = diags_text(&d);
	char *want = xasprintf(
	    "%s/broken.html:2:2: error: render: '{{/x}}' closes nothing: no "
	    "section is open\n"
	    "%s/page.mustache: error: render: template 'page' is also defined "
	    "by %s/page.html\n", tmpl, tmpl, tmpl);
	assert_string_equal(got, want);
	assert_true(render_set_has(s, "header"));
	assert_true(render_set_has(s, "page"));
	assert_false(render_set_has(s, "broken"));
	free(got);
	free(want);
	diags_free(&d);
	render_set_free(s);

	/* a folder that is not there */
	s = render_set_new();
	char *missing = path_join(tmpl, "none");
	assert_int_equal(render_set_load_dir(s, missing, &d), -1);
	got = diags_text(&d);
	want = xasprintf("%s: error: render: cannot open template folder: No "
	    "such file or directory\n", missing);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(missing);
	diags_free(&d);
	render_set_free(s);
	assert_int_equal(dir_remove(tmpl), 0);
}

/* ---- threads: one set, rendered from several threads at once */

struct job {
	const struct render_set *s;
	json_t *ctx;
	char *out;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct buf all = {0};
	for (int i = 0; i < 200; i++) {
		struct buf out = {0};
		struct diags d = {0};
		if (render_run(j->s, "page", j->ctx, &out, &d) == 0 && i == 0)
			buf_put(&all, out.data, out.len);
		else if (d.nitems)
			buf_puts(&all, "ERROR");
		buf_free(&out);
		diags_free(&d);
	}
	j->out = buf_detach(&all);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct render_set *s = set_of("page",
	    "{{<layout}}{{$b}}{{#items}}{{>item}}{{/items}}{{/b}}{{/layout}}",
	    "layout", "<{{$b}}{{/b}}>", "item", "[{{name}}]", NULL);
	struct job jobs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		char *data = xasprintf("{\"items\":[{\"name\":\"t%d\"},"
		    "{\"name\":\"u%d\"}]}", i, i);
		jobs[i] = (struct job){s, json_loads(data, 0, NULL), NULL};
		free(data);
		assert_int_equal(pthread_create(&th[i], NULL, job_run,
		    &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		char *want = xasprintf("<[t%d][u%d]>", i, i);
		assert_string_equal(jobs[i].out, want);
		free(want);
		free(jobs[i].out);
		json_decref(jobs[i].ctx);
	}
	render_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_recursion_limit),
		cmocka_unit_test(test_output_and_step_limits),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_replace_and_layout),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
