/*
 * test_witness_run.c -- witness_run_all: every way a witness can fail, each
 * with its exact diagnostic, and the sandbox (no fork, no files).
 * Run from the repository root (the prelude is src/witness/include).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flow/flow.h"
#include "witness/internal.h"

#define CODE_LINE 10
#define EXPECTED_LINE 20

/* Whether the runs of a test use a filter in each runner instead of the
 * host's one for all (set by per_runner_on, for the sandbox's tests,
 * which run both ways). */
static int per_runner;

static int per_runner_on(void **state)
{
	(void)state;
	per_runner = 1;
	return 0;
}

static int per_runner_off(void **state)
{
	(void)state;
	per_runner = 0;
	return 0;
}

static struct witness_opts base_opts(void)
{
	struct witness_opts o = {0};
	o.filter_per_runner = per_runner;
	o.include_dir = "src/witness/include";
	o.flow_dir = "src/flow";
	o.timeout_ms = 1000;
	o.cpu_s = 2;
	o.memory_mb = 64;
	o.output_kb = 4;
	o.jobs = 2;
	return o;
}

/* Runs one witness named "w" of page.md whose code starts at line 10 and
 * output block at line 20; returns every diagnostic, formatted, with its
 * detail (fresh string). */
static char *run(const struct witness_opts *o, const char *code,
    const char *expected, double tol, int has_tol, struct witness_item *it)
{
	memset(it, 0, sizeof *it);
	it->path = "page.md";
	it->name = "w";
	it->code = code;
	it->code_line = CODE_LINE;
	it->expected = expected;
	it->expected_line = EXPECTED_LINE;
	it->tol = tol;
	it->has_tol = has_tol;
	struct diags d = {0};
	int rc = witness_run_all(o, it, 1, &d);
	assert_int_equal(rc, it->status == WITNESS_PASS ? 0 : -1);
	struct buf b = {0};
	for (size_t i = 0; i < d.nitems; i++) {
		char *s = diag_format(&d.items[i]);
		buf_printf(&b, "%s\n", s);
		free(s);
		if (d.items[i].detail)
			buf_puts(&b, d.items[i].detail);
	}
	diags_free(&d);
	return buf_detach(&b);
}

static void check(const char *code, const char *expected, int status,
    const char *diag)
{
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, code, expected, 0, 0, &it);
	assert_string_equal(got, diag);
	assert_int_equal(it.status, status);
	free(got);
	witness_item_clear(&it);
}

static void test_pass(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o,
	    "#include <stdio.h>\n#include <math.h>\n#include <string.h>\n"
	    "#include <stdlib.h>\n#include <stdint.h>\n#include <stdbool.h>\n"
	    "int main(void) {\n"
	    "  bool ok = true; uint64_t big = 1ull << 40;\n"
	    "  char *s = malloc(8); strcpy(s, \"flow\");\n"
	    "  printf(\"%s %.4f %d %llu\\n\", s, sqrt(2.0), ok, "
	    "(unsigned long long)big);\n"
	    "  unsigned long long u = 1e19; printf(\"%llu\\n\", u);\n"
	    "  free(s); return 0;\n}\n",
	    "flow 1.4142 1 1099511627776\n10000000000000000000\n", 0, 0, &it);
	assert_string_equal(got, "");
	assert_int_equal(it.status, WITNESS_PASS);
	assert_int_equal(it.exit_code, 0);
	assert_string_equal(it.stdout_text,
	    "flow 1.4142 1 1099511627776\n10000000000000000000\n");
	assert_true(it.ms > 0);
	free(got);
	witness_item_clear(&it);
	assert_null(it.stdout_text);
}

/* A witness linked against the flow library prints what the same calls
 * print natively. */
static void test_flow_library(void **state)
{
	(void)state;
	struct flow_rng r;
	flow_rng_seed(&r, 42);
	double u = flow_rng_normal(&r);
	double z[2] = {0.5, -1};
	char *want = xasprintf("%.17g\n%.17g\n", u,
	    flow_normal_log_prob(z, 2));
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, "#include <stdio.h>\n#include <flow.h>\n"
	    "int main(void) {\n  struct flow_rng r;\n  flow_rng_seed(&r, 42);\n"
	    "  printf(\"%.17g\\n\", flow_rng_normal(&r));\n"
	    "  double z[2] = {0.5, -1};\n"
	    "  printf(\"%.17g\\n\", flow_normal_log_prob(z, 2));\n"
	    "  return 0;\n}\n", want, 0, 0, &it);
	assert_string_equal(got, "");
	assert_string_equal(it.stdout_text, want);
	free(got);
	free(want);
	witness_item_clear(&it);
}

static void test_compile_error_line(void **state)
{
	(void)state;
	/* 'y' is on the third code line: .md line 10 + 2 */
	check("#include <stdio.h>\nint main(void) {\n  int x = y;\n"
	    "  return x;\n}\n", "", WITNESS_COMPILE_ERROR,
	    "page.md:12:1: error: witness: witness `w` does not compile: "
	    "'y' undeclared\n");
}

static void test_compile_error_missing_function(void **state)
{
	(void)state;
	/* fopen is not in the prelude: tcc warns about the implicit
	 * declaration, then cannot link it */
	check("#include <stdio.h>\nint main(void) {\n"
	    "  return fopen(\"out.txt\", \"w\") != 0;\n}\n",
	    "", WITNESS_COMPILE_ERROR,
	    "page.md:12:1: warning: witness: witness `w`: implicit "
	    "declaration of function 'fopen'\n"
	    "page.md:12:1: error: witness: witness `w` does not compile: "
	    "undefined symbol 'fopen' (a witness links only the functions "
	    "its prelude headers and flow.h declare)\n");
}

static void test_fork_not_linked(void **state)
{
	(void)state;
	check("int fork(void);\nint main(void) {\n  for (;;)\n    fork();\n}\n",
	    "", WITNESS_COMPILE_ERROR,
	    "page.md:10:1: error: witness: witness `w` does not compile: "
	    "undefined symbol 'fork' (a witness links only the functions "
	    "its prelude headers and flow.h declare)\n");
}

static void test_no_system_headers(void **state)
{
	(void)state;
	check("#include <unistd.h>\nint main(void) { return 0; }\n", "",
	    WITNESS_COMPILE_ERROR,
	    "page.md:10:1: error: witness: witness `w` does not compile: "
	    "include file 'unistd.h' not found\n");
}

/* A raw fork (system call 57) through inline assembly gets EPERM from the
 * system-call filter: the loop cannot make a single child. */
static void test_fork_bomb_raw(void **state)
{
	(void)state;
	check("#include <stdio.h>\n"
	    "static long sys0(long n) {\n  long r;\n"
	    "  __asm__ volatile (\"syscall\" : \"=a\"(r) : \"a\"(n) : "
	    "\"rcx\", \"r11\", \"memory\");\n  return r;\n}\n"
	    "int main(void) {\n  long r = 0;\n"
	    "  for (int i = 0; i < 1000 && r <= 0; i++)\n    r = sys0(57);\n"
	    "  printf(\"%ld\\n\", r);\n  return 0;\n}\n",
	    "-1\n", WITNESS_PASS, "");
}

/* A raw openat(AT_FDCWD, path, O_WRONLY|O_CREAT, 0644) fails too, and no
 * file appears. */
static void test_write_file_raw(void **state)
{
	(void)state;
	const char *path = "build/witness-should-not-exist.txt";
	unlink(path);
	check("#include <stdio.h>\n"
	    "static long sys4(long n, long a, long b, long c, long d) {\n"
	    "  long r;\n  register long r10 __asm__(\"r10\") = d;\n"
	    "  __asm__ volatile (\"syscall\" : \"=a\"(r) : \"a\"(n), \"D\"(a), "
	    "\"S\"(b), \"d\"(c), \"r\"(r10) : \"rcx\", \"r11\", \"memory\");\n"
	    "  return r;\n}\n"
	    "int main(void) {\n"
	    "  printf(\"%ld\\n\", sys4(257, -100, "
	    "(long)\"build/witness-should-not-exist.txt\", 0101, 0644));\n"
	    "  return 0;\n}\n",
	    "-1\n", WITNESS_PASS, "");
	assert_int_equal(access(path, F_OK), -1);
}

/* A witness's own raw system call with three arguments, by inline
 * assembly (as C lets any witness write one). */
#define RAW_SYSCALL3 \
	"static long sys3(long n, long a, long b, long c) {\n" \
	"  long r;\n" \
	"  __asm__ volatile (\"syscall\" : \"=a\"(r) : \"a\"(n), \"D\"(a), " \
	"\"S\"(b), \"d\"(c) : \"rcx\", \"r11\", \"memory\");\n" \
	"  return r;\n}\n"

/* tgkill is let through for abort(), which signals the runner itself;
 * aimed at another process (here this test, which started the witness),
 * even with signal 0, it is refused. */
static void test_signal_others_raw(void **state)
{
	(void)state;
	char *code = xasprintf("#include <stdio.h>\n"
	    RAW_SYSCALL3
	    "int main(void) {\n"
	    "  printf(\"%%ld\\n\", sys3(234, %d, %d, 0));\n"
	    "  return 0;\n}\n", (int)getpid(), (int)getpid());
	check(code, "-1\n", WITNESS_PASS, "");
	free(code);
}

/* Nor may it send SIGABRT, the one signal the host's filter lets through
 * (for abort()), to another process, here one of the runners' own user:
 * under the host's filter each runner has a Landlock domain of its own,
 * which refuses it. */
static void test_abort_others_raw(void **state)
{
	(void)state;
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t other = fork();
	assert_true(other >= 0);
	if (other == 0) {
		/* a process as the runners are: nobody, when this test is
		 * root (the host then becomes nobody, where it can; where
		 * neither can, each runner has a filter of its own) */
		int nobody = geteuid() == 0 && setgroups(0, NULL) == 0 &&
		    setresgid(65534, 65534, 65534) == 0 &&
		    setresuid(65534, 65534, 65534) == 0;
		(void)nobody;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	char *code = xasprintf("#include <stdio.h>\n"
	    RAW_SYSCALL3
	    "int main(void) {\n"
	    "  printf(\"%%ld\\n\", sys3(234, %d, %d, 6));\n"
	    "  return 0;\n}\n", (int)other, (int)other);
	check(code, "-1\n", WITNESS_PASS, "");
	free(code);
	int status;
	assert_int_equal(waitpid(other, &status, WNOHANG), 0);  /* alive */
	kill(other, SIGKILL);
	assert_int_equal(waitpid(other, &status, 0), other);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A raw clone(SIGCHLD), which the host's filter lets through for the
 * host's own forks, makes no process either: RLIMIT_NPROC 0 binds a
 * runner, which is never root. */
static void test_clone_raw(void **state)
{
	(void)state;
	check("#include <stdio.h>\n"
	    RAW_SYSCALL3
	    "int main(void) {\n  long r = 0;\n"
	    "  for (int i = 0; i < 1000 && r <= 0; i++) {\n"
	    "    r = sys3(56, 17, 0, 0);\n"
	    "    if (r == 0)\n      sys3(60, 0, 0, 0);\n  }\n"
	    "  puts(r < 0 ? \"refused\" : \"made\");\n  return 0;\n}\n",
	    "refused\n", WITNESS_PASS, "");
}

/* Descriptor 3 is folio's control channel; a witness that writes a flood
 * to it (with a raw write) is stopped, not buffered without end. */
static void test_control_channel_flood(void **state)
{
	(void)state;
	check("static char junk[1 << 16];\n"
	    RAW_SYSCALL3
	    "int main(void) {\n"
	    "  for (;;) sys3(1, 3, (long)junk, sizeof junk);\n"
	    "}\n", "", WITNESS_RUNTIME_ERROR,
	    "page.md:10:1: error: witness: witness `w` wrote more than 4 KiB "
	    "to descriptor 3, which is folio's control channel\n");
}

/* A witness reads no file but the prelude's, even at compile time: an
 * #include of any other file is not found (and so its text cannot leak
 * into a diagnostic).  The compile server is confined with Landlock; a
 * kernel without it cannot keep this promise, and the test says so. */
static void test_include_outside_prelude(void **state)
{
	(void)state;
	const char *path = "build/witness-secret.txt";
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("SECRET_TOKEN more\n", f);
	fclose(f);
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, "int x =\n#include \"build/witness-secret.txt\"\n;\n"
	    "int main(void) { return 0; }\n", "", 0, 0, &it);
	unlink(path);
	if (strstr(got, "cannot be confined")) {
		free(got);
		witness_item_clear(&it);
		skip();
	}
	assert_string_equal(got, "page.md:11:1: error: witness: witness `w` "
	    "does not compile: include file 'build/witness-secret.txt' not "
	    "found\n");
	assert_int_equal(it.status, WITNESS_COMPILE_ERROR);
	free(got);
	witness_item_clear(&it);
}

/* A witness declaring gigabytes of initialised data fails to compile at
 * once, instead of making the compile server allocate them until the
 * compile times out; the server goes on to compile the next witness. */
static void test_compile_memory(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	struct witness_item it[2];
	memset(it, 0, sizeof it);
	it[0] = (struct witness_item){.path = "page.md", .name = "huge",
	    .code = "static char a[2000000000] = {1};\n"
	    "static char b[2000000000] = {1};\n"
	    "int main(void) { return a[5] + b[5]; }\n",
	    .code_line = CODE_LINE, .expected = "",
	    .expected_line = EXPECTED_LINE};
	it[1] = (struct witness_item){.path = "page.md", .name = "small",
	    .code = "#include <stdio.h>\nint main(void) { puts(\"ok\"); "
	    "return 0; }\n", .code_line = 30, .expected = "ok\n",
	    .expected_line = 40};
	struct diags d = {0};
	assert_int_equal(witness_run_all(&o, it, 2, &d), -1);
	assert_int_equal(d.nitems, 1);
	char *s = diag_format(&d.items[0]);
	assert_string_equal(s, "page.md:10:1: error: witness: witness `huge` "
	    "does not compile: memory full (realloc)");
	free(s);
	assert_int_equal(it[0].status, WITNESS_COMPILE_ERROR);
	assert_int_equal(it[1].status, WITNESS_PASS);
	diags_free(&d);
	witness_item_clear(&it[0]);
	witness_item_clear(&it[1]);
}

static void test_timeout(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, "int main(void) {\n  for (;;) ;\n}\n", "", 0, 0,
	    &it);
	assert_string_equal(got, "page.md:10:1: error: witness: witness `w` "
	    "timed out after 1000 ms\n");
	assert_int_equal(it.status, WITNESS_TIMEOUT);
	assert_true(it.ms >= 1000 && it.ms < 2000);
	free(got);
	witness_item_clear(&it);
}

static void test_cpu_limit(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	o.timeout_ms = 5000;
	o.cpu_s = 1;
	struct witness_item it;
	char *got = run(&o, "int main(void) {\n  for (;;) ;\n}\n", "", 0, 0,
	    &it);
	assert_string_equal(got, "page.md:10:1: error: witness: witness `w` "
	    "exceeded its CPU limit of 1 s\n");
	assert_int_equal(it.status, WITNESS_TIMEOUT);
	free(got);
	witness_item_clear(&it);
}

static void test_segfault(void **state)
{
	(void)state;
	check("#include <stdio.h>\nint main(void) {\n  int *p = 0;\n"
	    "  fprintf(stderr, \"about to crash\\n\");\n  return *p;\n}\n", "",
	    WITNESS_RUNTIME_ERROR,
	    "page.md:10:1: error: witness: witness `w` was killed by signal 11 "
	    "(Segmentation fault)\nstderr:\nabout to crash\n");
}

static void test_abort_and_assert(void **state)
{
	(void)state;
	check("#include <stdlib.h>\nint main(void) {\n  abort();\n}\n", "",
	    WITNESS_RUNTIME_ERROR,
	    "page.md:10:1: error: witness: witness `w` was killed by signal 6 "
	    "(Aborted)\n");
	/* The assert is on the code's 4th line, which is line 13 of the page
	 * (the code starts at line 10). */
	check("#include <assert.h>\nint main(void) {\n  int n = 2;\n"
	    "  assert(n == 3);\n  return 0;\n}\n", "", WITNESS_RUNTIME_ERROR,
	    "page.md:10:1: error: witness: witness `w` was killed by signal 6 "
	    "(Aborted)\nstderr:\nassertion failed: n == 3 (line 13)\n");
}

static void test_exit_status(void **state)
{
	(void)state;
	check("#include <stdio.h>\nint main(void) {\n  puts(\"hi\");\n"
	    "  return 3;\n}\n", "hi\n", WITNESS_RUNTIME_ERROR,
	    "page.md:10:1: error: witness: witness `w` exited with status 3\n"
	    "stdout:\nhi\n");
	/* exit() flushes what was printed and ends with its status */
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, "#include <stdio.h>\n#include <stdlib.h>\n"
	    "int main(void) {\n  printf(\"partial\");\n  exit(0);\n}\n",
	    "partial\n", 0, 0, &it);
	assert_string_equal(got, "");
	assert_string_equal(it.stdout_text, "partial");
	free(got);
	witness_item_clear(&it);
}

static void test_output_flood(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	struct witness_item it;
	char *got = run(&o, "#include <stdio.h>\nint main(void) {\n"
	    "  for (;;)\n    puts(\"flood flood flood\");\n}\n", "", 0, 0, &it);
	assert_string_equal(got, "page.md:10:1: error: witness: witness `w` "
	    "output exceeds 4 KiB\n");
	assert_int_equal(it.status, WITNESS_OUTPUT_LIMIT);
	assert_true(strlen(it.stdout_text) <= 4096);
	assert_true(it.ms < 1000);
	free(got);
	witness_item_clear(&it);
}

/* memory_mb = 64: a 1 GiB allocation fails (under the sanitizers too:
 * witnesses run in the witness host, which is never sanitized). */
static void test_memory_limit(void **state)
{
	(void)state;
	check("#include <stdio.h>\n#include <stdlib.h>\nint main(void) {\n"
	    "  void *p = malloc(1ul << 30);\n"
	    "  printf(\"%s\\n\", p ? \"got it\" : \"refused\");\n"
	    "  return 0;\n}\n", "refused\n", WITNESS_PASS, "");
}

static void test_mismatch_diff(void **state)
{
	(void)state;
	check("#include <stdio.h>\nint main(void) {\n"
	    "  for (int i = 1; i <= 5; i++)\n    printf(\"step %d\\n\", i * i);\n"
	    "  return 0;\n}\n",
	    "step 1\nstep 4\nstep 10\nstep 16\nstep 25\n", WITNESS_MISMATCH,
	    "page.md:22:1: error: witness: witness `w` output differs from the "
	    "expected output\n"
	    "--- expected\n+++ actual\n@@ -1,5 +1,5 @@\n step 1\n step 4\n"
	    "-step 10\n+step 9\n step 16\n step 25\n");
	check("#include <stdio.h>\nint main(void) {\n  puts(\"a\");\n"
	    "  puts(\"b\");\n  return 0;\n}\n", "a\n", WITNESS_MISMATCH,
	    "page.md:21:1: error: witness: witness `w` printed more than the "
	    "expected output\n"
	    "--- expected\n+++ actual\n@@ -1,1 +1,2 @@\n a\n+b\n");
}

static void test_tol_and_ellipsis(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	struct witness_item it;
	const char *code = "#include <stdio.h>\n#include <math.h>\n"
	    "int main(void) {\n  printf(\"header\\n\");\n"
	    "  for (int i = 0; i < 50; i++)\n    printf(\"noise %d\\n\", i);\n"
	    "  printf(\"pi = %.9f, e = %.9f\\n\", M_PI, M_E);\n  return 0;\n}\n";
	char *got = run(&o, code, "header\n...\npi = 3.1415926, e = 2.7182818\n",
	    1e-6, 1, &it);
	assert_string_equal(got, "");
	assert_int_equal(it.status, WITNESS_PASS);
	free(got);
	witness_item_clear(&it);
	got = run(&o, code, "header\n...\npi = 3.14, e = 2.7182818\n", 1e-6, 1,
	    &it);
	assert_string_equal(got, "page.md:22:1: error: witness: witness `w` "
	    "output differs from the expected output\n"
	    "--- expected\n+++ actual\n@@ -3,1 +49,4 @@\n noise 47\n"
	    " noise 48\n noise 49\n"
	    "-pi = 3.14, e = 2.7182818\n+pi = 3.141592654, e = 2.718281828\n");
	assert_int_equal(it.status, WITNESS_MISMATCH);
	free(got);
	witness_item_clear(&it);
}

/* Several witnesses with two jobs: each gets its own output and verdict,
 * and the diagnostics name the right one. */
static void test_parallel(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	enum { N = 9 };
	struct witness_item it[N];
	char *code[N], *exp[N], name[N][16];
	memset(it, 0, sizeof it);
	for (int i = 0; i < N; i++) {
		code[i] = xasprintf("#include <stdio.h>\nint main(void) {\n"
		    "  printf(\"%%d\\n\", %d * 7);\n  return %d;\n}\n", i, i == 4);
		exp[i] = xasprintf("%d\n", i * 7 + (i == 6));
		snprintf(name[i], sizeof name[i], "w%d", i);
		it[i] = (struct witness_item){.path = "p.md", .name = name[i],
		    .code = code[i], .code_line = 100 * i + 1,
		    .expected = exp[i], .expected_line = 100 * i + 50};
	}
	struct diags d = {0};
	assert_int_equal(witness_run_all(&o, it, N, &d), -1);
	assert_int_equal(d.nitems, 2);
	diags_sort(&d);
	char *a = diag_format(&d.items[0]), *b = diag_format(&d.items[1]);
	assert_string_equal(a, "p.md:401:1: error: witness: witness `w4` "
	    "exited with status 1");
	assert_string_equal(b, "p.md:650:1: error: witness: witness `w6` "
	    "output differs from the expected output");
	for (int i = 0; i < N; i++) {
		char want[16];
		snprintf(want, sizeof want, "%d\n", i * 7);
		assert_string_equal(it[i].stdout_text, want);
		assert_int_equal(it[i].status, i == 4 ? WITNESS_RUNTIME_ERROR :
		    i == 6 ? WITNESS_MISMATCH : WITNESS_PASS);
		witness_item_clear(&it[i]);
		free(code[i]);
		free(exp[i]);
	}
	free(a);
	free(b);
	diags_free(&d);
}

/* The rule for how many runners may be alive: one, and one more for each
 * witness whose main has run WITNESS_HEAVY_MS or longer, never more than
 * the jobs.  Time before main (the fork, the sandbox) does not count;
 * spares and runners that are ending count as alive, not as heavy. */
static void test_runners_allowed(void **state)
{
	(void)state;
	struct job j[6];
	memset(j, 0, sizeof j);
	double now = 1000;
	assert_int_equal(witness_runners_allowed(j, 6, 4, now), 1);
	j[0].state = JOB_RUNNING;
	j[0].start = now - 10 * WITNESS_HEAVY_MS;    /* long since dispatch, */
	assert_int_equal(witness_runners_allowed(j, 6, 4, now), 1);
	j[0].main_start = now - WITNESS_HEAVY_MS / 2;  /* short in main */
	j[1].state = JOB_SPARE;
	j[2].state = JOB_ENDING;
	j[2].main_start = now - 10 * WITNESS_HEAVY_MS;
	assert_int_equal(witness_runners_allowed(j, 6, 4, now), 1);
	j[0].main_start = now - WITNESS_HEAVY_MS;    /* turns heavy */
	assert_int_equal(witness_runners_allowed(j, 6, 4, now), 2);
	j[3].state = JOB_RUNNING;
	j[3].main_start = now - 100 * WITNESS_HEAVY_MS;
	assert_int_equal(witness_runners_allowed(j, 6, 4, now), 3);
	assert_int_equal(witness_runners_allowed(j, 6, 2, now), 2);
	assert_int_equal(witness_runners_allowed(j, 6, 1, now), 1);
}

/* The rule for when the compile server may work: while every runner
 * alive is heavy.  A spare, a runner not yet in main or in main for less
 * than WITNESS_HEAVY_MS, and one that is ending all hold it back. */
static void test_compile_allowed(void **state)
{
	(void)state;
	struct job j[4];
	memset(j, 0, sizeof j);
	double now = 1000;
	assert_true(witness_compile_allowed(j, 4, now));   /* none alive */
	j[0].state = JOB_SPARE;
	assert_false(witness_compile_allowed(j, 4, now));
	j[0].state = JOB_RUNNING;                      /* before main */
	j[0].start = now - 10 * WITNESS_HEAVY_MS;
	assert_false(witness_compile_allowed(j, 4, now));
	j[0].main_start = now - WITNESS_HEAVY_MS / 2;  /* short in main */
	assert_false(witness_compile_allowed(j, 4, now));
	j[0].main_start = now - WITNESS_HEAVY_MS;      /* turns heavy */
	assert_true(witness_compile_allowed(j, 4, now));
	j[1].state = JOB_ENDING;                       /* beside an exit */
	j[1].main_start = now - 10 * WITNESS_HEAVY_MS;
	assert_false(witness_compile_allowed(j, 4, now));
	j[1].state = JOB_RUNNING;                      /* two heavy */
	assert_true(witness_compile_allowed(j, 4, now));
	j[3].state = JOB_SPARE;                        /* and a new one */
	assert_false(witness_compile_allowed(j, 4, now));
}

static void test_missing_prelude(void **state)
{
	(void)state;
	struct witness_opts o = base_opts();
	o.include_dir = "no/such/folder";
	struct witness_item it = {.path = "p.md", .name = "w",
	    .code = "int main(void) { return 0; }", .code_line = 1,
	    .expected = "", .expected_line = 3};
	struct diags d = {0};
	assert_int_equal(witness_run_all(&o, &it, 1, &d), -1);
	assert_int_equal(d.nitems, 1);
	char *s = diag_format(&d.items[0]);
	assert_string_equal(s, "folio: error: witness: cannot find the witness "
	    "prelude folder no/such/folder");
	free(s);
	diags_free(&d);
}

/* The host's program as folio carries it (host_image.S): its code and
 * constants are one segment, and no other segment has a page in that
 * segment's 2 MiB-aligned span, so that the host can put the span on one
 * huge page (host/anon_text.c). */
extern const char witness_host_image[], witness_host_image_end[];

static void test_host_code_alone_in_huge_span(void **state)
{
	(void)state;
	const char *img = witness_host_image;
	size_t len = (size_t)(witness_host_image_end - witness_host_image);
	Elf64_Ehdr eh;
	assert_true(len >= sizeof eh);
	memcpy(&eh, img, sizeof eh);
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_true(eh.e_phoff + (size_t)eh.e_phnum * sizeof(Elf64_Phdr) <= len);
	const uint64_t huge = (uint64_t)2 << 20, page = 4096;
	int code = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr c;
		memcpy(&c, img + eh.e_phoff + (size_t)i * sizeof c, sizeof c);
		if (c.p_type != PT_LOAD || !(c.p_flags & PF_X))
			continue;
		code++;
		assert_false(c.p_flags & PF_W);
		uint64_t lo = c.p_vaddr & ~(huge - 1);
		uint64_t hi = (c.p_vaddr + c.p_memsz + huge - 1) & ~(huge - 1);
		for (int k = 0; k < eh.e_phnum; k++) {
			Elf64_Phdr o;
			memcpy(&o, img + eh.e_phoff + (size_t)k * sizeof o, sizeof o);
			if (k == i || o.p_type != PT_LOAD)
				continue;
			uint64_t olo = o.p_vaddr & ~(page - 1);
			uint64_t ohi = (o.p_vaddr + o.p_memsz + page - 1) &
			    ~(page - 1);
			assert_false(olo < hi && ohi > lo);
		}
	}
	assert_int_equal(code, 1);
}

#define PER_RUNNER(t) \
	cmocka_unit_test_setup_teardown(t, per_runner_on, per_runner_off)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_flow_library),
		cmocka_unit_test(test_compile_error_line),
		cmocka_unit_test(test_compile_error_missing_function),
		cmocka_unit_test(test_fork_not_linked),
		cmocka_unit_test(test_no_system_headers),
		cmocka_unit_test(test_fork_bomb_raw),
		cmocka_unit_test(test_write_file_raw),
		cmocka_unit_test(test_signal_others_raw),
		cmocka_unit_test(test_abort_others_raw),
		cmocka_unit_test(test_clone_raw),
		cmocka_unit_test(test_control_channel_flood),
		cmocka_unit_test(test_include_outside_prelude),
		cmocka_unit_test(test_compile_memory),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_segfault),
		cmocka_unit_test(test_abort_and_assert),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_output_flood),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_mismatch_diff),
		cmocka_unit_test(test_tol_and_ellipsis),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_runners_allowed),
		cmocka_unit_test(test_compile_allowed),
		cmocka_unit_test(test_missing_prelude),
		cmocka_unit_test(test_host_code_alone_in_huge_span),
		/* the sandbox again, with a filter in each runner */
		PER_RUNNER(test_pass), PER_RUNNER(test_fork_bomb_raw),
		PER_RUNNER(test_write_file_raw),
		PER_RUNNER(test_signal_others_raw),
		PER_RUNNER(test_abort_others_raw), PER_RUNNER(test_clone_raw),
		PER_RUNNER(test_control_channel_flood),
		PER_RUNNER(test_cpu_limit), PER_RUNNER(test_segfault),
		PER_RUNNER(test_abort_and_assert), PER_RUNNER(test_exit_status),
		PER_RUNNER(test_memory_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
