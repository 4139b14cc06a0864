/*
 * verdict.c -- what a witness's run means, worded like a compiler: the
 * status of a finished run and its diagnostics.  (Fences and their pairing
 * are the markdown stage's.)
 *
 * Divisions: compiler messages, witness_verdict.
 */
#include "witness/internal.h"

#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define STAGE "witness"
/* How much of a failed witness's stderr goes into the diagnostic. */
#define STDERR_DETAIL_MAX 4096

/* ---- compiler messages */

/* The first line (1-based, within the witness) where word occurs as a
 * whole identifier, or 1. */
static int word_line(const char *code, const char *word)
{
	size_t n = strlen(word);
	int line = 1;
	for (const char *p = code; *p; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (strncmp(p, word, n) == 0 &&
		    (p == code || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return line;
	}
	return 1;
}

/* One libtcc message to one diagnostic.  tcc writes
 *   "<string>:LINE: error: TEXT"           in the witness itself
 *   "In file included from <string>:LINE:\nHEADER:L: error: TEXT"
 *   "tcc: error: TEXT"                     at link time
 * and "warning:" for warnings.  Returns 1 for an error, 0 otherwise. */
static int compile_diag(const struct witness_item *it, const char *msg,
    struct diags *d)
{
	const char *last = strrchr(msg, '\n');
	last = last ? last + 1 : msg;
	int error = 1;
	const char *text = strstr(last, ": error: ");
	if (text) {
		text += strlen(": error: ");
	} else if ((text = strstr(last, ": warning: "))) {
		text += strlen(": warning: ");
		error = 0;
	} else {
		text = last;
	}
	int line = 1;
	const char *p, *at = NULL;
	for (p = msg; (p = strstr(p, "<string>:")); p++)
		at = p;
	if (at)
		line = atoi(at + strlen("<string>:"));
	const char *sym = "undefined symbol '";
	char *where = NULL;
	char *extra = NULL;
	if (strncmp(text, sym, strlen(sym)) == 0) {
		char *name = xstrdup(text + strlen(sym));
		char *q = strchr(name, '\'');
		if (q)
			*q = '\0';
		line = word_line(it->code, name);
		extra = xstrdup(" (a witness links only the functions its "
		    "prelude headers and flow.h declare)");
		free(name);
	} else if (!str_starts(last, "<string>:") &&
	    !str_starts(last, "tcc:") && text != last) {
		/* in a header: name it by its file name */
		const char *end = strstr(last, ": ");
		const char *base = last;
		for (const char *q = last; q < end; q++)
			if (*q == '/')
				base = q + 1;
		where = xstrndup(base, (size_t)(end - base));
	}
	if (line < 1)
		line = 1;
	struct buf m = {0};
	if (error)
		buf_printf(&m, "witness `%s` does not compile: %s", it->name, text);
	else
		buf_printf(&m, "witness `%s`: %s", it->name, text);
	if (extra)
		buf_puts(&m, extra);
	if (where)
		buf_printf(&m, " (in %s)", where);
	diags_add(d, error ? DIAG_ERROR : DIAG_WARNING, it->path,
	    it->code_line + line - 1, 1, STAGE, "%s", m.data);
	buf_free(&m);
	free(where);
	free(extra);
	return error;
}

/* ---- witness_verdict */

/* stderr as a diagnostic's detail: at most STDERR_DETAIL_MAX bytes, ending
 * with a newline; NULL when empty. */
static char *stderr_detail(const char *err)
{
	if (!err || !*err)
		return NULL;
	struct buf b = {0};
	size_t n = strlen(err);
	buf_puts(&b, "stderr:\n");
	buf_put(&b, err, n < STDERR_DETAIL_MAX ? n : STDERR_DETAIL_MAX);
	if (n > STDERR_DETAIL_MAX)
		buf_puts(&b, "\n[...]");
	if (b.data[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	return buf_detach(&b);
}

/* The last lines a witness printed before it failed (at most
 * STDOUT_TAIL_LINES, and STDERR_DETAIL_MAX bytes), as a detail: where a
 * crashing program got to.  NULL when it printed nothing. */
#define STDOUT_TAIL_LINES 10
static char *stdout_detail(const char *out)
{
	if (!out || !*out)
		return NULL;
	size_t n = strlen(out), from = n;
	if (from && out[from - 1] == '\n')
		from--;
	for (int lines = 0; from > 0 && n - from < STDERR_DETAIL_MAX; from--)
		if (out[from - 1] == '\n' && ++lines == STDOUT_TAIL_LINES)
			break;
	if (n - from > STDERR_DETAIL_MAX)
		from = n - STDERR_DETAIL_MAX;
	struct buf b = {0};
	buf_puts(&b, from ? "stdout, its last lines:\n[...]\n" : "stdout:\n");
	buf_put(&b, out + from, n - from);
	if (b.data[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	return buf_detach(&b);
}

/* A failure at run time: one error at the first code line, "witness
 * `NAME` WHAT", with what the witness printed on stdout (its end) and on
 * stderr as detail. */
static void runtime_diag(struct witness_item *it, int status,
    struct diags *d, const char *what)
{
	it->status = status;
	struct diag *g = diags_add(d, DIAG_ERROR, it->path, it->code_line, 1,
	    STAGE, "witness `%s` %s", it->name, what);
	/* (a flood's end, or text a NUL cut, would say nothing) */
	char *out = status == WITNESS_OUTPUT_LIMIT || it->stdout_nul ? NULL :
	    stdout_detail(it->stdout_text);
	char *err = stderr_detail(it->stderr_text);
	g->detail = out && err ? xasprintf("%s%s", out, err) : out ? out : err;
	if (out && err) {
		free(out);
		free(err);
	}
}

void witness_verdict(const struct witness_opts *o, struct witness_item *it,
    const struct witness_run *r, struct diags *d)
{
	const char *ctl = r->ctl;
	size_t len = r->ctl_len;
	int ran = 0, compile_errors = 0;
	const char *sandbox = NULL;
	if (len > 0 && ctl[0] == 'C') {
		/* "C", messages each ending in NUL, then "R" or "F..." */
		size_t k = 1, tail = 1;
		for (size_t q = 1; q < len; q++)
			if (ctl[q] == '\0')
				tail = q + 1;
		while (k < tail) {
			compile_errors += compile_diag(it, ctl + k, d);
			k += strlen(ctl + k) + 1;
		}
		if (tail < len && ctl[tail] == 'R')
			ran = 1;
		else if (tail < len && ctl[tail] == 'F')
			sandbox = ctl + tail + 1;
	} else if (len > 0 && ctl[0] == 'F') {
		sandbox = ctl + 1;
	}
	int sig = WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0;
	int code = WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : 0;
	it->exit_code = sig ? 128 + sig : code;
	char *what = NULL;
	if (r->killed == WITNESS_KILL_TIMEOUT) {
		what = xasprintf("timed out after %d ms%s", o->timeout_ms,
		    ran ? "" : " while compiling");
		runtime_diag(it, WITNESS_TIMEOUT, d, what);
	} else if (r->killed == WITNESS_KILL_OUTPUT) {
		what = xasprintf("output exceeds %d KiB", o->output_kb);
		runtime_diag(it, WITNESS_OUTPUT_LIMIT, d, what);
	} else if (r->killed == WITNESS_KILL_CONTROL) {
		what = xstrdup("wrote more than 4 KiB to descriptor 3, which is "
		    "folio's control channel");
		runtime_diag(it, WITNESS_RUNTIME_ERROR, d, what);
	} else if (sandbox) {
		it->status = WITNESS_SYSTEM_ERROR;
		diags_add(d, DIAG_ERROR, it->path, it->code_line, 1, STAGE,
		    "witness `%s` could not be run: %.*s", it->name,
		    (int)(len - (size_t)(sandbox - ctl)), sandbox);
	} else if (!ran && compile_errors) {
		it->status = WITNESS_COMPILE_ERROR;
	} else if (sig == SIGXCPU) {
		what = xasprintf("exceeded its CPU limit of %d s", o->cpu_s);
		runtime_diag(it, WITNESS_TIMEOUT, d, what);
	} else if (sig) {
		what = xasprintf("was killed by signal %d (%s)%s", sig,
		    strsignal(sig), ran ? "" : " while compiling");
		runtime_diag(it, WITNESS_RUNTIME_ERROR, d, what);
	} else if (!ran) {
		what = xasprintf("stopped before it ran (exit status %d)", code);
		runtime_diag(it, WITNESS_SYSTEM_ERROR, d, what);
	} else if (code != 0) {
		what = xasprintf("exited with status %d", code);
		runtime_diag(it, WITNESS_RUNTIME_ERROR, d, what);
	} else if (it->stdout_nul) {
		/* Output is compared as text: what follows a NUL would not
		 * be compared at all. */
		what = xstrdup("printed a NUL byte; its output is compared as "
		    "text, so it may print only text");
		runtime_diag(it, WITNESS_RUNTIME_ERROR, d, what);
	} else {
		size_t bad = 0;
		char *diff = NULL;
		if (witness_compare(it->expected, it->stdout_text, it->tol,
		    it->has_tol, &bad, &diff)) {
			it->status = WITNESS_PASS;
		} else {
			it->status = WITNESS_MISMATCH;
			char **lines;
			size_t ne = witness_lines_split(it->expected, &lines);
			witness_lines_free(lines, ne);
			struct diag *g = diags_add(d, DIAG_ERROR, it->path,
			    it->expected_line + (int)bad, 1, STAGE,
			    bad < ne ? "witness `%s` output differs from the "
			    "expected output" : "witness `%s` printed more than "
			    "the expected output", it->name);
			g->detail = diff;
			diff = NULL;
		}
		free(diff);
	}
	free(what);
}

