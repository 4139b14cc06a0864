/*
 * test_witness_symbols.c -- the symbol table of src/witness/symbols.c
 * against the headers a witness sees: every function and extern object
 * that the prelude (the headers of src/witness/include) and
 * src/flow/flow.h declare must be in the table (or a witness using it
 * fails to link), and every entry of the table must be declared by one of
 * them.  And the witness host, which holds the code those entries name,
 * must say where every one of them is.
 * Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "witness/internal.h"

struct names {
	char **items;
	size_t nitems;
};

static void names_add(struct names *n, const char *s, size_t len)
{
	n->items = xrealloc(n->items, (n->nitems + 1) * sizeof *n->items);
	n->items[n->nitems++] = xstrndup(s, len);
}

static int names_has(const struct names *n, const char *s)
{
	for (size_t i = 0; i < n->nitems; i++)
		if (strcmp(n->items[i], s) == 0)
			return 1;
	return 0;
}

static void names_free(struct names *n)
{
	for (size_t i = 0; i < n->nitems; i++)
		free(n->items[i]);
	free(n->items);
}

static int ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* One top-level declaration without a body: "T name(...);" declares
 * function name (but "T (*name)(...)" is a pointer), "extern T name;" an
 * object; typedefs declare nothing to link. */
static void declaration(const char *s, size_t len, struct names *out)
{
	char *t = xstrndup(s, len);
	const char *p = t;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (strncmp(p, "typedef", 7) == 0 || !*p) {
		free(t);
		return;
	}
	const char *paren = strchr(p, '(');
	const char *end = paren ? paren : p + strlen(p);
	if (paren) {
		const char *q = paren + 1;
		while (*q == ' ')
			q++;
		if (*q == '*') {
			free(t);
			return;
		}
	} else if (strncmp(p, "extern", 6) != 0) {
		free(t);
		return;
	}
	while (end > p && !ident(end[-1]))
		end--;
	const char *start = end;
	while (start > p && ident(start[-1]))
		start--;
	if (end > start)
		names_add(out, start, (size_t)(end - start));
	free(t);
}

/* Collects the functions and extern objects that the header at path
 * declares: comments and preprocessor lines dropped, definitions with a
 * body (inline functions, struct types) skipped. */
static void header_scan(const char *path, struct names *out)
{
	char *text;
	struct diags d = {0};
	assert_int_equal(file_read(path, &text, NULL, &d, "test"), 0);
	struct buf clean = {0};
	for (const char *p = text; *p;) {
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			buf_putc(&clean, ' ');
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
		} else if (*p == '#' && (p == text || p[-1] == '\n')) {
			while (*p && !(*p == '\n' && p[-1] != '\\'))
				p++;
		} else {
			buf_putc(&clean, *p++);
		}
	}
	int depth = 0, body = 0;
	size_t start = 0;
	for (size_t i = 0; i < clean.len; i++) {
		char c = clean.data[i];
		if (c == '{') {
			depth++;
			body = 1;
		} else if (c == '}') {
			depth--;
			if (depth == 0) {
				/* a function body ends its definition */
				const char *s = clean.data + start;
				const char *brace = memchr(s, '{', i - start);
				const char *paren = memchr(s, '(', i - start);
				if (paren && paren < brace) {
					start = i + 1;
					body = 0;
				}
			}
		} else if (c == ';' && depth == 0) {
			if (!body)
				declaration(clean.data + start, i - start, out);
			start = i + 1;
			body = 0;
		}
	}
	buf_free(&clean);
	free(text);
	diags_free(&d);
}

static void prelude_scan(struct names *out)
{
	DIR *dir = opendir("src/witness/include");
	assert_non_null(dir);
	struct dirent *e;
	size_t headers = 0;
	while ((e = readdir(dir))) {
		if (!str_ends(e->d_name, ".h"))
			continue;
		char *path = path_join("src/witness/include", e->d_name);
		header_scan(path, out);
		free(path);
		headers++;
	}
	closedir(dir);
	assert_true(headers >= 6);
}

static void test_prelude_declared_are_registered(void **state)
{
	(void)state;
	struct names n = {0};
	prelude_scan(&n);
	assert_true(names_has(&n, "printf"));
	assert_true(names_has(&n, "stdout"));
	assert_true(names_has(&n, "sqrt"));
	assert_false(names_has(&n, "__folio_isnan"));     /* inline */
	int missing = 0;
	for (size_t i = 0; i < n.nitems; i++) {
		if (!witness_symbol_known(n.items[i])) {
			fprintf(stderr, "prelude declares `%s`, which "
			    "symbols.c does not register\n", n.items[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	names_free(&n);
}

static void test_flow_declared_are_registered(void **state)
{
	(void)state;
	if (!path_exists("src/flow/flow.h")) {
		fprintf(stderr, "note: src/flow/flow.h does not exist yet: the "
		    "flow symbols are not checked\n");
		skip();
	}
	struct names n = {0};
	header_scan("src/flow/flow.h", &n);
	assert_true(n.nitems > 0);
	int missing = 0;
	for (size_t i = 0; i < n.nitems; i++) {
		if (!witness_symbol_known(n.items[i])) {
			fprintf(stderr, "flow.h declares `%s`, which symbols.c "
			    "does not register\n", n.items[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	names_free(&n);
}

static void test_registered_are_declared(void **state)
{
	(void)state;
	struct names n = {0};
	prelude_scan(&n);
	if (path_exists("src/flow/flow.h"))
		header_scan("src/flow/flow.h", &n);
	int stray = 0;
	for (const struct witness_symbol *s = witness_symbols; s->name; s++) {
		if (!names_has(&n, s->name)) {
			fprintf(stderr, "symbols.c registers `%s`, which no "
			    "header declares\n", s->name);
			stray++;
		}
	}
	assert_int_equal(stray, 0);
	assert_false(witness_symbol_known("fopen"));
	assert_false(witness_symbol_known("fork"));
	assert_false(witness_symbol_known("system"));
	names_free(&n);
}

/* An area for compiled witnesses, as witness_run_all reserves one. */
static struct witness_area area_new(void)
{
	struct witness_area area = {NULL, 16 << 20};
	area.base = mmap(NULL, area.size, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(area.base != MAP_FAILED);
	return area;
}

/* The host's hello gives an address for every entry of the table, each
 * inside the host's own program (static, so below the heap and far below
 * the area), and the same ones each time it starts. */
static void test_host_knows_every_symbol(void **state)
{
	(void)state;
	struct witness_opts o = {.cpu_s = 2, .memory_mb = 16};
	struct witness_area area = area_new();
	struct witness_host z = {0}, again = {0};
	assert_int_equal(witness_host_start(&z, &o, &area), 0);
	assert_int_equal(witness_host_start(&again, &o, &area), 0);
	size_t n = 0;
	for (; witness_symbols[n].name; n++) {
		assert_true(z.addr[n] != 0);
		assert_true(z.addr[n] < (uint64_t)(uintptr_t)area.base);
		assert_true(z.addr[n] == again.addr[n]);
	}
	assert_true(n > 150);
	assert_int_equal(n, witness_symbol_count());
	witness_host_stop(&z);
	witness_host_stop(&again);
	free(z.addr);
	free(again.addr);
	munmap(area.base, area.size);
}

/* A field of /proc/PID/status ("Seccomp", "Uid"): its first number. */
static long status_field(pid_t pid, const char *name)
{
	char path[64], line[256];
	long v = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = strlen(name);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Whether a process of this test could become nobody (always, when not
 * root; when root, unless it lacks the capabilities, as in some
 * containers). */
static int can_become_nobody(void)
{
	if (getuid() != 0)
		return 1;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setgroups(0, NULL) == 0 &&
		    setresgid(65534, 65534, 65534) == 0 &&
		    setresuid(65534, 65534, 65534) == 0 ? 0 : 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Where the kernel has Landlock's signal scoping (version 6) and the host
 * can become nobody when started by root, the host puts itself and every
 * runner under one system-call filter (seccomp mode 2 from its start);
 * asked for a filter in each runner, or elsewhere, it has none of its
 * own. */
static void test_host_filter_mode(void **state)
{
	(void)state;
	struct witness_opts o = {.cpu_s = 2, .memory_mb = 16};
	struct witness_area area = area_new();
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	for (int per_runner = 0; per_runner <= 1; per_runner++) {
		o.filter_per_runner = per_runner;
		struct witness_host z = {0};
		assert_int_equal(witness_host_start(&z, &o, &area), 0);
		int shared = !per_runner && abi >= 6 && can_become_nobody();
		assert_int_equal(z.shared_filter, shared);
		assert_int_equal(status_field(z.pid, "Seccomp"), shared ? 2 : 0);
		assert_int_equal(status_field(z.pid, "Uid"),
		    shared && getuid() == 0 ? 65534 : (long)getuid());
		witness_host_stop(&z);
		free(z.addr);
	}
	munmap(area.base, area.size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prelude_declared_are_registered),
		cmocka_unit_test(test_flow_declared_are_registered),
		cmocka_unit_test(test_registered_are_declared),
		cmocka_unit_test(test_host_knows_every_symbol),
		cmocka_unit_test(test_host_filter_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
