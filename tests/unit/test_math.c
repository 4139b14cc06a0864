/* test_math.c -- the KaTeX worker pool, the cache key, KaTeX's assets.
 * Runs from the repository root: it uses node_modules/katex and
 * src/math/katex-worker.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>

#include "math/math.h"
#include "util/util.h"

extern char **environ;

#define KATEX "node_modules/katex"
#define WORKER "src/math/katex-worker.js"
#define TMP "build/tests/tmp-math"

static struct math_pool *pool_open(int workers, const char *macros,
    const char *worker)
{
	struct math_opts o = {NULL, worker ? worker : WORKER, KATEX, macros,
	    workers};
	struct diags d = {0};
	struct math_pool *p = math_pool_new(&o, &d);
	if (!p) {
		diags_print(stderr, &d);
		fail_msg("math_pool_new failed");
	}
	assert_int_equal(d.nitems, 0);
	diags_free(&d);
	return p;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The version KaTeX's package.json states, read independently. */
static char *katex_version_on_disk(void)
{
	char *json, *v, *e;
	struct diags d = {0};
	assert_int_equal(file_read(KATEX "/package.json", &json, NULL, &d,
	    "test"), 0);
	v = strstr(json, "\"version\"");
	assert_non_null(v);
	v = strchr(v + 9, '"') + 1;
	e = strchr(v, '"');
	v = xstrndup(v, (size_t)(e - v));
	free(json);
	return v;
}

static void test_render(void **state)
{
	struct math_pool *p = pool_open(1, NULL, NULL);
	struct math_item it[] = {
		{"x^2 + y_i", 0, NULL, NULL, 0},
		{"\\frac{a}{b} < c", 1, NULL, NULL, 0},
		{"\\text{caf\xc3\xa9} \\$", 0, NULL, NULL, 0},
	};
	struct diags d = {0};
	char *v = katex_version_on_disk();
	(void)state;
	assert_string_equal(math_pool_katex_version(p), v);
	assert_int_equal(math_pool_render(p, it, 3, &d), 0);
	assert_int_equal(d.nitems, 0);
	for (int i = 0; i < 3; i++) {
		assert_non_null(it[i].html);
		assert_null(it[i].error);
		assert_non_null(strstr(it[i].html, "<math"));
		assert_non_null(strstr(it[i].html, "class=\"katex"));
	}
	assert_non_null(strstr(it[0].html, "<annotation encoding=\"application/x-tex\">x^2 + y_i</annotation>"));
	assert_null(strstr(it[0].html, "katex-display"));
	assert_non_null(strstr(it[1].html, "katex-display"));
	assert_non_null(strstr(it[1].html, "display=\"block\""));
	assert_non_null(strstr(it[1].html, "&lt;"));
	assert_non_null(strstr(it[2].html, "caf\xc3\xa9"));
	assert_int_equal(math_pool_render(p, it, 0, &d), 0);
	free(v);
	math_pool_free(p);
	math_pool_free(NULL);
}

struct error_case {
	const char *tex;
	const char *message;
	size_t offset;
};

static const struct error_case error_cases[] = {
	{"a + \\foo b", "Undefined control sequence: \\foo", 4},
	{"\\frac{a}{b", "Unexpected end of input in a macro argument, expected '}'", 10},
	{"{a", "Expected '}', got 'EOF'", 2},
	{"a}", "Expected 'EOF', got '}'", 1},
	{"a^b^c", "Double superscript", 3},
	{"x_1_2", "Double subscript", 3},
	{"x^", "Expected group after '^'", 1},
	{"\\left( x", "Expected '\\right', got 'EOF'", 8},
	{"\xc3\xa9\xc3\xa9 + \\foo", "Undefined control sequence: \\foo", 7},
	{"\\begin{foo} x \\end{foo}", "No such environment: foo", 6},
};

/* Each error comes back with KaTeX's message and the byte offset it blames;
 * good formulas in the same batch are unaffected. */
static void test_errors(void **state)
{
	enum { N = sizeof error_cases / sizeof *error_cases };
	struct math_pool *p = pool_open(2, NULL, NULL);
	struct math_item it[2 * N];
	struct diags d = {0};
	(void)state;
	memset(it, 0, sizeof it);
	for (size_t i = 0; i < N; i++) {
		it[2 * i].tex = error_cases[i].tex;
		it[2 * i + 1].tex = "a_i";
	}
	assert_int_equal(math_pool_render(p, it, 2 * N, &d), 0);
	assert_int_equal(d.nitems, 0);
	for (size_t i = 0; i < N; i++) {
		struct math_item *e = &it[2 * i];
		if (!e->error || strcmp(e->error, error_cases[i].message) != 0 ||
		    e->error_offset != error_cases[i].offset)
			fail_msg("error case %zu (%s): %s at %zu", i,
			    error_cases[i].tex, e->error ? e->error : "(none)",
			    e->error_offset);
		assert_null(e->html);
		assert_non_null(it[2 * i + 1].html);
		assert_null(it[2 * i + 1].error);
	}
	math_pool_free(p);
}

static void test_macros(void **state)
{
	struct math_pool *p = pool_open(1, "{\"\\\\RR\": \"\\\\mathbb{R}\", \"\\\\norm\": \"\\\\lVert #1 \\\\rVert\"}", NULL);
	struct math_pool *plain = pool_open(1, NULL, NULL);
	struct math_item it[] = {
		{"x \\in \\RR", 0, NULL, NULL, 0},
		{"\\norm{v}", 0, NULL, NULL, 0},
		{"\\gdef\\leak{q} \\leak", 0, NULL, NULL, 0},
		{"\\leak", 0, NULL, NULL, 0},
	};
	struct math_item it2[] = {{"x \\in \\RR", 0, NULL, NULL, 0}};
	struct diags d = {0};
	(void)state;
	assert_int_equal(math_pool_render(p, it, 4, &d), 0);
	assert_non_null(it[0].html);
	assert_non_null(strstr(it[0].html, "mathvariant=\"double-struck\""));
	assert_non_null(it[1].html);
	assert_non_null(strstr(it[1].html, "\xe2\x88\xa5"));  /* U+2225 */
	assert_non_null(it[2].html);
	/* \gdef in one formula does not reach the next. */
	assert_string_equal(it[3].error, "Undefined control sequence: \\leak");
	assert_int_equal(math_pool_render(plain, it2, 1, &d), 0);
	assert_string_equal(it2[0].error, "Undefined control sequence: \\RR");
	assert_int_equal(it2[0].error_offset, 6);
	math_pool_free(p);
	math_pool_free(plain);
}

/* An error of KaTeX's own that is not a ParseError (here from a macro
 * the pool is given as a JSON number, which site.yaml no longer yields)
 * is the item's error, said to be KaTeX's, at the formula's start. */
static void test_internal_error(void **state)
{
	struct math_pool *p = pool_open(1, "{\"\\\\five\": 5}", NULL);
	struct math_item it[] = {
		{"x + \\five", 0, NULL, NULL, 0},
		{"x + 1", 0, NULL, NULL, 0},
	};
	struct diags d = {0};
	(void)state;
	assert_int_equal(math_pool_render(p, it, 2, &d), 0);
	assert_int_equal(d.nitems, 0);
	assert_null(it[0].html);
	assert_non_null(it[0].error);
	assert_true(str_starts(it[0].error, "internal KaTeX error: "));
	assert_int_equal(it[0].error_offset, 0);
	assert_non_null(it[1].html);
	math_pool_free(p);
}

/* Creating a pool that cannot work fails with one exact diagnostic. */
static void expect_new_fails(const struct math_opts *o, const char *want)
{
	struct diags d = {0};
	struct math_pool *p = math_pool_new(o, &d);
	char *s;
	assert_null(p);
	assert_int_equal(d.nitems, 1);
	s = diag_format(&d.items[0]);
	assert_string_equal(s, want);
	free(s);
	diags_free(&d);
}

static void test_missing(void **state)
{
	struct math_opts o = {NULL, WORKER, KATEX, NULL, 1};
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	(void)state;

	setenv("PATH", "/nonexistent-folio-test", 1);
	expect_new_fails(&o, "folio: error: math: node not found; run `make deps`");
	setenv("PATH", path, 1);
	free(path);

	o.node = "/nonexistent/node";
	expect_new_fails(&o, "folio: error: math: /nonexistent/node not found; run `make deps`");
	o.node = NULL;
	o.katex_dir = "build/no-such-katex";
	expect_new_fails(&o, "folio: error: math: KaTeX not installed (build/no-such-katex); run `npm ci`");
	o.katex_dir = KATEX;
	o.worker = "build/no-such-worker.js";
	expect_new_fails(&o, "folio: error: math: KaTeX worker script not found (build/no-such-worker.js)");
	o.worker = WORKER;
	o.macros_json = "[\"\\\\R\"]";
	expect_new_fails(&o, "folio: error: math: KaTeX macros must be a JSON object");
	o.macros_json = "{\"\\\\R\": }";
	/* Several workers start at once and all fail the same way: one
	 * diagnostic. */
	for (o.workers = 1; o.workers <= 3; o.workers += 2) {
		struct diags d = {0};
		assert_null(math_pool_new(&o, &d));
		assert_int_equal(d.nitems, 1);
		assert_true(str_starts(d.items[0].message,
		    "the KaTeX worker failed to start: "));
		diags_free(&d);
	}
}

/* A big batch over two workers neither deadlocks nor loses a formula, and
 * each answer lands on its own item. */
static void test_big_batch(void **state)
{
	enum { N = 5000 };
	struct math_pool *p = pool_open(2, NULL, NULL);
	struct math_item *it = xcalloc(N, sizeof *it);
	char **tex = xcalloc(N, sizeof *tex);
	struct diags d = {0};
	(void)state;
	for (size_t i = 0; i < N; i++) {
		tex[i] = i % 97 == 0 ? xasprintf("x_{%zu} \\bad%c%c", i,
		    'a' + (int)(i / 26 % 26), 'a' + (int)(i % 26))
		    : xasprintf("\\sum_{k=1}^{%zu} \\frac{k^2}{%zu + x_k}", i, i + 1);
		it[i].tex = tex[i];
		it[i].display = (int)(i % 3 == 0);
	}
	assert_int_equal(math_pool_render(p, it, N, &d), 0);
	/* the render ran as a batch thread and gave the policy back */
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
	for (size_t i = 0; i < N; i++) {
		char want[64];
		if (i % 97 == 0) {
			snprintf(want, sizeof want,
			    "Undefined control sequence: \\bad%c%c",
			    'a' + (int)(i / 26 % 26), 'a' + (int)(i % 26));
			assert_string_equal(it[i].error, want);
			assert_int_equal(it[i].error_offset,
			    strstr(tex[i], "\\bad") - tex[i]);
			continue;
		}
		assert_non_null(it[i].html);
		snprintf(want, sizeof want, "<mn>%zu</mn>", i + 1);
		assert_non_null(strstr(it[i].html, want));
		assert_int_equal(strstr(it[i].html, "katex-display") != NULL,
		    i % 3 == 0);
	}
	for (size_t i = 0; i < N; i++)
		free(tex[i]);
	free(tex);
	free(it);
	math_pool_free(p);
}

/* Each render's answers stay whole until the next render, which reuses
 * their memory, and after math_pool_release; the memory of a render
 * bigger than what the pool keeps for reuse is given back and taken
 * anew. */
static void test_answers_reused(void **state)
{
	enum { N = 3000 };
	/* %s is '&' in the TeX, "&amp;" in its annotation in the MathML */
	static const char form[] = "\\sum_{k=%zu}^{%zu} \\sqrt{k} + "
	    "\\begin{pmatrix}a_{%zu} %s b\\\\ c %s d\\end{pmatrix}^{%zu}"
	    "\\cdot \\int_0^{%zu} e^{-x^2}\\,dx";
	struct math_pool *p = pool_open(2, NULL, NULL);
	struct math_item *it = xcalloc(N, sizeof *it);
	char **tex = xcalloc(N, sizeof *tex);
	struct diags d = {0};
	(void)state;
	/* rounds of 300, 3000 (well over the 16 MiB kept: about 25 MB) and
	 * 300 formulas, each with numbers of its own */
	const size_t sizes[] = {300, N, 300};
	for (size_t r = 0; r < 3; r++) {
		for (size_t i = 0; i < sizes[r]; i++) {
			free(tex[i]);
			tex[i] = xasprintf(form, r, i, i, "&", "&", i, i);
			it[i].tex = tex[i];
		}
		assert_int_equal(math_pool_render(p, it, sizes[r], &d), 0);
		for (size_t i = 0; i < sizes[r]; i++) {
			char *tail = xasprintf(form, r, i, i, "&amp;", "&amp;", i, i);
			char *want = xasprintf("<annotation encoding=\"application/"
			    "x-tex\">%s</annotation>", tail);
			assert_non_null(it[i].html);
			assert_non_null(strstr(it[i].html, want));
			free(tail);
			free(want);
		}
		if (r == 1)
			math_pool_release(p);
	}
	assert_int_equal(d.nitems, 0);
	for (size_t i = 0; i < N; i++)
		free(tex[i]);
	free(tex);
	free(it);
	math_pool_free(p);
}

/* Answers of every size arrive whole and in their own items through one
 * worker: non-ASCII text as UTF-8; an answer of 250 KB that stays in the
 * worker's 1 MiB output buffer (it flushes from 256 KiB on); one of
 * 300 KB, which the worker cannot be sure fits beside it (it reserves 3
 * bytes a UTF-16 unit), so it flushes first; one larger than the buffer;
 * and one larger than the chunks of 4 MiB the builder reads answers
 * into. */
static void test_answer_sizes(void **state)
{
	/* "x+" repeated: 250,000, 301,200, 1,280,400 and 4,480,400 bytes of
	 * HTML and MathML (KaTeX 0.19.1) */
	const size_t terms[] = {0, 780, 940, 0, 4000, 0, 14000, 0};
	const size_t at_least[] = {0, 240 << 10, 290 << 10, 0, 1 << 20, 0,
	    (size_t)4 << 20, 0};
	enum { N = sizeof terms / sizeof *terms };
	struct math_pool *p = pool_open(1, NULL, NULL);
	struct math_item it[N] = {{0}};
	char *tex[N];
	struct diags d = {0};
	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct buf b = {0};
		if (terms[i] == 0)
			buf_printf(&b, "\\mathbb{R}_{%zu} \\ni \\text{\xc3\xa9}", i);
		for (size_t k = 0; k < terms[i]; k++)
			buf_puts(&b, "x+");
		if (terms[i])
			buf_puts(&b, "x");
		tex[i] = buf_detach(&b);
		it[i].tex = tex[i];
	}
	assert_int_equal(math_pool_render(p, it, N, &d), 0);
	assert_int_equal(d.nitems, 0);
	for (size_t i = 0; i < N; i++) {
		assert_non_null(it[i].html);
		assert_null(it[i].error);
		if (terms[i]) {
			assert_true(strlen(it[i].html) > at_least[i]);
			assert_int_equal(count_of(it[i].html, "<mi>x</mi>"),
			    terms[i] + 1);
			continue;
		}
		char want[32];
		snprintf(want, sizeof want, "<mn>%zu</mn>", i);
		assert_int_equal(count_of(it[i].html, want), 1);
		/* U+220B and U+00E9 in UTF-8 */
		assert_int_equal(count_of(it[i].html, "\xe2\x88\x8b"), 2);
		assert_non_null(strstr(it[i].html, "\xc3\xa9"));
	}
	for (size_t i = 0; i < N; i++)
		free(tex[i]);
	math_pool_free(p);
}

/* The worker itself, its answers read only after a pause: its output pipe
 * fills, its writes wait, and every answer must still come out whole and
 * in order. */
static void test_worker_backpressure(void **state)
{
	enum { N = 300, TERMS = 100 };
	int in[2], out[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = {"node", WORKER, KATEX, NULL};
	struct buf req = {0}, got = {0};
	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct buf tex = {0};
		buf_printf(&tex, "%zu+", i);
		for (size_t k = 0; k < TERMS; k++)
			buf_puts(&tex, "x+");
		buf_puts(&tex, "x");
		buf_printf(&req, "R %zu 0 %zu\n", i, tex.len);
		buf_put(&req, tex.data, tex.len);
		buf_free(&tex);
	}
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	assert_int_equal(posix_spawnp(&pid, "node", &fa, NULL, argv, environ),
	    0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	/* the requests fit the pipe's 64 KiB; the answers, 10 MB, do not */
	assert_true(req.len < 65536);
	assert_int_equal(write(in[1], req.data, req.len), (ssize_t)req.len);
	close(in[1]);
	sleep(1);
	char chunk[65536];
	ssize_t k;
	while ((k = read(out[0], chunk, sizeof chunk)) > 0)
		buf_put(&got, chunk, (size_t)k);
	close(out[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	buf_putc(&got, 0);
	char *at = strchr(got.data, '\n');      /* past the hello */
	assert_non_null(at);
	at++;
	for (size_t i = 0; i < N; i++) {
		size_t id, len;
		int used;
		assert_int_equal(sscanf(at, "O %zu %zu\n%n", &id, &len, &used), 2);
		assert_int_equal(id, i);
		char *html = xstrndup(at + used, len);
		char want[32];
		snprintf(want, sizeof want, "<mn>%zu</mn>", i);
		assert_int_equal(count_of(html, want), 1);
		assert_int_equal(count_of(html, "<mi>x</mi>"), TERMS + 1);
		free(html);
		assert_int_equal(at[used + len], 0);   /* the NUL after each */
		at += used + len + 1;
	}
	assert_int_equal(*at, 0);
	buf_free(&req);
	buf_free(&got);
}

static void write_script(const char *path, const char *text)
{
	struct diags d = {0};
	assert_int_equal(dir_make(TMP), 0);
	assert_int_equal(file_write(path, text, strlen(text), &d, "test"), 0);
}

/* A worker that is killed once in the middle of a batch is restarted and
 * its formulas are sent again. */
static void test_worker_dies_once(void **state)
{
	enum { N = 600 };
	const char *marker = TMP "/died";
	struct math_item it[N];
	struct diags d = {0};
	struct math_pool *p;
	(void)state;
	/* The worker writes with fs.writeSync: its hello, then answers.
	 * Right after its first answers, the first worker to get there dies
	 * (the marker file makes it once in all). */
	write_script(TMP "/dies-once.js",
	    "const fs = require('fs');\n"
	    "const write = fs.writeSync;\n"
	    "let writes = 0;\n"
	    "fs.writeSync = function (...a) {\n"
	    "  const n = write.apply(fs, a);\n"
	    "  if (++writes === 2) {\n"
	    "    try { fs.closeSync(fs.openSync(process.env.FOLIO_TEST_MARKER, 'wx')); }\n"
	    "    catch (e) { return n; }\n"
	    "    process.kill(process.pid, 'SIGKILL');\n"
	    "  }\n"
	    "  return n;\n"
	    "};\n"
	    "require(require('path').resolve('" WORKER "'));\n");
	unlink(marker);
	setenv("FOLIO_TEST_MARKER", marker, 1);
	p = pool_open(2, NULL, TMP "/dies-once.js");
	memset(it, 0, sizeof it);
	for (size_t i = 0; i < N; i++)
		it[i].tex = i % 2 ? "\\sqrt{x^2+y^2}" : "\\int_0^1 f";
	assert_int_equal(math_pool_render(p, it, N, &d), 0);
	assert_int_equal(access(marker, F_OK), 0);
	for (size_t i = 0; i < N; i++)
		assert_non_null(it[i].html);
	math_pool_free(p);
	unsetenv("FOLIO_TEST_MARKER");
}

/* A formula that kills every worker makes the call fail with a system
 * diagnostic instead of hanging; the pool works again afterwards. */
static void test_worker_keeps_dying(void **state)
{
	struct math_item it[3];
	struct diags d = {0};
	struct math_pool *p;
	char *s;
	(void)state;
	/* The worker reads with fs.readSync; it dies on reading \poison. */
	write_script(TMP "/poison.js",
	    "const fs = require('fs');\n"
	    "const read = fs.readSync;\n"
	    "fs.readSync = function (fd, b, off, len, pos) {\n"
	    "  const n = read.call(fs, fd, b, off, len, pos);\n"
	    "  if (b.subarray(off, off + n).includes('\\\\poison'))\n"
	    "    process.kill(process.pid, 'SIGKILL');\n"
	    "  return n;\n"
	    "};\n"
	    "require(require('path').resolve('" WORKER "'));\n");
	p = pool_open(2, NULL, TMP "/poison.js");
	memset(it, 0, sizeof it);
	it[0].tex = "a";
	it[1].tex = "\\poison";
	it[2].tex = "b";
	assert_int_equal(math_pool_render(p, it, 3, &d), -1);
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
	assert_int_equal(d.nitems, 1);
	s = diag_format(&d.items[0]);
	assert_string_equal(s, "folio: error: math: KaTeX workers keep exiting (4 restarts); giving up");
	free(s);
	assert_null(it[1].html);
	assert_null(it[1].error);
	diags_free(&d);
	it[1].tex = "c";
	assert_int_equal(math_pool_render(p, it, 3, &d), 0);
	assert_non_null(it[1].html);
	math_pool_free(p);
}

static void test_cache_key(void **state)
{
	char a[65], b[65];
	(void)state;
	math_cache_key("x^2", 0, "{}", "0.19.1", a);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	math_cache_key("x^2", 0, "{}", "0.19.1", b);
	assert_string_equal(a, b);
	math_cache_key("x^3", 0, "{}", "0.19.1", b);
	assert_string_not_equal(a, b);
	math_cache_key("x^2", 1, "{}", "0.19.1", b);
	assert_string_not_equal(a, b);
	math_cache_key("x^2", 0, "{\"\\\\R\":\"\\\\mathbb{R}\"}", "0.19.1", b);
	assert_string_not_equal(a, b);
	math_cache_key("x^2", 0, "{}", "0.16.9", b);
	assert_string_not_equal(a, b);
	/* Field boundaries cannot be shifted. */
	math_cache_key("x", 0, "{}", "1", a);
	math_cache_key("", 0, "{}x", "1", b);
	assert_string_not_equal(a, b);
	math_cache_key("x", 0, NULL, "1", a);
	math_cache_key("x", 0, "", "1", b);
	assert_string_equal(a, b);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* How many of this process's children are KaTeX workers, and how many of
 * those run with V8's background threads off (from /proc). */
static void count_workers(int *workers, int *single)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	*workers = *single = 0;
	assert_non_null(proc);
	while ((e = readdir(proc))) {
		char path[300], stat[512], cmd[4096], *rp;
		int ppid = 0;
		size_t n;
		FILE *f;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(stat, sizeof stat, f) && (rp = strrchr(stat, ')')))
			sscanf(rp + 2, "%*c %d", &ppid);
		fclose(f);
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if (ppid != (int)getpid() || !(f = fopen(path, "r")))
			continue;
		n = fread(cmd, 1, sizeof cmd - 1, f);
		fclose(f);
		int worker = 0, st = 0;
		for (size_t k = 0; k < n; k += strlen(cmd + k) + 1) {
			worker |= strstr(cmd + k, "katex-worker.js") != NULL;
			st |= !strcmp(cmd + k, "--single-threaded");
		}
		*workers += worker;
		*single += worker && st;
	}
	closedir(proc);
}

/* With a worker for every core, the workers run without V8's background
 * threads; with a core to spare, they keep them.  (A machine of more than
 * four cores skips the first half rather than start a worker a core.) */
static void test_background_threads(void **state)
{
	int cores = (int)sysconf(_SC_NPROCESSORS_ONLN), workers, single;
	struct math_pool *p;
	(void)state;
	if (cores <= 4) {
		p = pool_open(cores, NULL, NULL);
		count_workers(&workers, &single);
		assert_int_equal(workers, cores);
		assert_int_equal(single, cores);
		math_pool_free(p);
	}
	if (cores >= 2) {
		p = pool_open(1, NULL, NULL);
		count_workers(&workers, &single);
		assert_int_equal(workers, 1);
		assert_int_equal(single, 0);
		math_pool_free(p);
	}
}

static void test_assets(void **state)
{
	struct diags d = {0};
	char *s;
	(void)state;
	dir_remove(TMP "/site");
	assert_int_equal(math_assets_copy(KATEX, TMP "/site/katex", &d), 0);
	assert_int_equal(d.nitems, 0);
	assert_true(file_size(TMP "/site/katex/katex.min.css") > 1000);
	assert_int_equal(file_size(TMP "/site/katex/katex.min.css"),
	    file_size(KATEX "/dist/katex.min.css"));
	assert_int_equal(file_size(TMP "/site/katex/fonts/KaTeX_Main-Regular.woff2"),
	    file_size(KATEX "/dist/fonts/KaTeX_Main-Regular.woff2"));
	assert_int_equal(math_assets_copy("build/no-such-katex", TMP "/x", &d), -1);
	assert_int_equal(d.nitems, 1);
	s = diag_format(&d.items[0]);
	assert_string_equal(s, "folio: error: math: KaTeX not installed (build/no-such-katex); run `npm ci`");
	free(s);
	diags_free(&d);
	dir_remove(TMP "/site");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_internal_error),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_big_batch),
		cmocka_unit_test(test_answers_reused),
		cmocka_unit_test(test_answer_sizes),
		cmocka_unit_test(test_worker_backpressure),
		cmocka_unit_test(test_worker_dies_once),
		cmocka_unit_test(test_worker_keeps_dying),
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test(test_background_threads),
		cmocka_unit_test(test_assets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
