/*
 * report.c -- the check report of `folio check --format
 * text|github|json|junit [--output FILE]`: the diagnostics and the "test
 * cases" (witness runs and claims) in one of four formats.  Every format
 * is written into a buffer first, so output is all or nothing per call.
 *
 * Untrusted text (messages quote page content) is escaped for each format:
 * GitHub workflow commands (% CR LF in data, and : , too in properties),
 * JSON strings, XML text and attributes.  Bytes that are not valid UTF-8,
 * and control characters XML cannot hold, become U+FFFD.
 *
 * Divisions: cases; counts and summary; escaping; the four formats;
 * report_write.
 */
#include "check/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- cases */

int report_format_parse(const char *name, enum report_format *out)
{
	static const char *const names[] = {"text", "github", "json", "junit"};
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

static struct report_case *add_case(struct report *r)
{
	if (r->nitems == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->items = xrealloc(r->items, r->cap * sizeof *r->items);
	}
	struct report_case *c = &r->items[r->nitems++];
	memset(c, 0, sizeof *c);
	return c;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void report_add_witness(struct report *r, const char *name,
    const char *page, int line, const char *status, double ms, int cached,
    const char *message)
{
	struct report_case *c = add_case(r);
	c->kind = xstrdup("witness");
	c->name = xstrdup(name);
	c->page = xstrdup(page ? page : "");
	c->line = line;
	c->status = xstrdup(status);
	c->ms = ms;
	c->cached = cached != 0;
	c->failed = strcmp(status, "pass") != 0;
	c->message = dup_or_null(message);
}

void report_add_claims(struct report *r, const struct check_result *res)
{
	for (size_t i = 0; i < res->nclaims; i++) {
		const struct check_claim *cc = &res->claims[i];
		struct report_case *c = add_case(r);
		c->kind = xstrdup("claim");
		c->name = xstrdup(cc->claim->id.s);
		c->page = xstrdup(cc->page->path);
		c->line = cc->claim->id.line;
		c->status = xstrdup(check_claim_state_name(cc->state));
		c->failed = cc->failed;
		if (cc->state == CLAIM_STALE)
			c->message = xasprintf("reviewed at pin %s; current "
			    "pin %s", cc->review->pin.s, cc->pin);
		else if (cc->state == CLAIM_UNREVIEWED)
			c->message = xstrdup("no review");
	}
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nitems; i++) {
		struct report_case *c = &r->items[i];
		free(c->kind);
		free(c->name);
		free(c->page);
		free(c->status);
		free(c->message);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* ---- counts and summary */

struct counts {
	size_t errors, warnings, notes;
	size_t passed, failed, cached;           /* witnesses */
	size_t reviewed, stale, unreviewed;      /* claims */
	size_t nwitness, nclaim, failures, skipped;
	size_t other_errors;  /* errors that are not a witness or claim case */
	double ms;                               /* witnesses, total */
};

/* An error that a witness or claim case of the report already stands for
 * (so that JUnit counts each failure once): the witness stage's about a
 * witness on a page (not a system error of the stage), and the claim
 * states that --strict makes errors. */
static int is_case_error(const struct diag *g)
{
	return (!strcmp(g->stage, "witness") && g->path) || (g->code &&
	    (!strcmp(g->code, "stale-review") ||
	    !strcmp(g->code, "unreviewed-claim")));
}

static int is_kind(const struct report_case *c, const char *kind)
{
	return strcmp(c->kind, kind) == 0;
}

static void count(const struct diags *d, const struct report *r,
    struct counts *n)
{
	memset(n, 0, sizeof *n);
	n->errors = diags_count(d, DIAG_ERROR);
	n->warnings = diags_count(d, DIAG_WARNING);
	n->notes = diags_count(d, DIAG_NOTE);
	for (size_t i = 0; i < d->nitems; i++)
		n->other_errors += d->items[i].level == DIAG_ERROR &&
		    !is_case_error(&d->items[i]);
	for (size_t i = 0; r && i < r->nitems; i++) {
		const struct report_case *c = &r->items[i];
		if (is_kind(c, "witness")) {
			n->nwitness++;
			if (c->failed)
				n->failed++;
			else
				n->passed++;
			n->cached += c->cached != 0;
			n->ms += c->ms;
		} else if (is_kind(c, "claim")) {
			n->nclaim++;
			if (strcmp(c->status, "reviewed") == 0)
				n->reviewed++;
			else if (strcmp(c->status, "stale") == 0)
				n->stale++;
			else
				n->unreviewed++;
		}
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

char *report_summary(const struct diags *d, const struct report *r)
{
	struct counts n;
	count(d, r, &n);
	return xasprintf("check: %zu %s, %zu %s; witnesses: %zu passed, %zu "
	    "failed (%zu cached); claims: %zu reviewed, %zu stale, %zu "
	    "unreviewed", n.errors, plural(n.errors, "error", "errors"),
	    n.warnings, plural(n.warnings, "warning", "warnings"), n.passed,
	    n.failed, n.cached, n.reviewed, n.stale, n.unreviewed);
}

/* ---- escaping */

static const char REPLACEMENT[] = "\xEF\xBF\xBD";   /* U+FFFD */

/* GitHub workflow command: data escapes % CR LF; a property value also
 * : and ,.  The text is made safe for the log first (buf_put_terminal),
 * which already shows a CR as \x0d. */
static void gh_escape(struct buf *b, const char *text, int property)
{
	struct buf safe = {0};
	buf_put_terminal(&safe, text);
	for (const char *s = safe.data ? safe.data : ""; *s; s++) {
		switch (*s) {
		case '%': buf_puts(b, "%25"); break;
		case '\n': buf_puts(b, "%0A"); break;
		case ':':
			buf_puts(b, property ? "%3A" : ":");
			break;
		case ',':
			buf_puts(b, property ? "%2C" : ",");
			break;
		default: buf_putc(b, *s); break;
		}
	}
	buf_free(&safe);
}

static void json_string(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = utf8_char_len((const char *)p);
		if (n == 0) {
			buf_puts(b, "\\ufffd");
			p++;
			continue;
		}
		switch (*p) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_put(b, p, (size_t)n);
		}
		p += n;
	}
	buf_putc(b, '"');
}

/* XML 1.0 text (attr 0) or attribute value (attr 1): the five markup
 * characters as entities; in attributes also TAB CR LF as character
 * references, so that attribute normalization keeps them. */
static void xml_escape(struct buf *b, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = utf8_char_len((const char *)p);
		if (n == 0) {
			buf_puts(b, REPLACEMENT);
			p++;
			continue;
		}
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		case '\t': buf_puts(b, attr ? "&#9;" : "\t"); break;
		case '\n': buf_puts(b, attr ? "&#10;" : "\n"); break;
		case '\r': buf_puts(b, "&#13;"); break;
		default:
			if (*p < 0x20)
				buf_puts(b, REPLACEMENT);
			else
				buf_put(b, p, (size_t)n);
		}
		p += n;
	}
}

/* The message and, when present, the detail lines after a newline,
 * without the detail's trailing newline. */
static char *full_message(const struct diag *g)
{
	if (!g->detail || !*g->detail)
		return xstrdup(g->message);
	size_t n = strlen(g->detail);
	while (n > 0 && g->detail[n - 1] == '\n')
		n--;
	return xasprintf("%s\n%.*s", g->message, (int)n, g->detail);
}

/* ---- the four formats */

static void write_text(struct buf *b, const struct diags *d,
    const struct report *r)
{
	for (size_t i = 0; i < d->nitems; i++) {
		char *s = diag_format(&d->items[i]);
		char *detail = diag_detail_format(&d->items[i]);
		buf_printf(b, "%s\n%s", s, detail ? detail : "");
		free(s);
		free(detail);
	}
	char *s = report_summary(d, r);
	buf_printf(b, "%s\n", s);
	free(s);
}

static void write_github(struct buf *b, const struct diags *d,
    const struct report *r)
{
	static const char *const cmd[] = {"notice", "warning", "error"};
	for (size_t i = 0; i < d->nitems; i++) {
		const struct diag *g = &d->items[i];
		buf_printf(b, "::%s ", cmd[g->level]);
		if (g->path) {
			buf_puts(b, "file=");
			gh_escape(b, g->path, 1);
			if (g->line > 0)
				buf_printf(b, ",line=%d", g->line);
			if (g->line > 0 && g->col > 0)
				buf_printf(b, ",col=%d", g->col);
			buf_putc(b, ',');
		}
		buf_puts(b, "title=");
		char *title = xasprintf("folio %s", g->stage);
		gh_escape(b, title, 1);
		free(title);
		buf_puts(b, "::");
		char *m = full_message(g);
		gh_escape(b, m, 0);
		free(m);
		buf_putc(b, '\n');
	}
	char *s = report_summary(d, r);
	buf_printf(b, "%s\n", s);
	free(s);
}

static void write_json(struct buf *b, const struct diags *d,
    const struct report *r)
{
	buf_puts(b, "{\n  \"diagnostics\": [");
	for (size_t i = 0; i < d->nitems; i++) {
		const struct diag *g = &d->items[i];
		buf_puts(b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
		json_string(b, g->path);
		buf_printf(b, ", \"line\": %d, \"col\": %d, \"level\": \"%s\", "
		    "\"stage\": ", g->line, g->col, diag_level_name(g->level));
		json_string(b, g->stage);
		buf_puts(b, ", \"code\": ");
		json_string(b, g->code);
		buf_puts(b, ", \"message\": ");
		json_string(b, g->message);
		buf_puts(b, ", \"detail\": ");
		json_string(b, g->detail);
		buf_putc(b, '}');
	}
	buf_puts(b, d->nitems ? "\n  ],\n  \"tests\": [" :
	    "],\n  \"tests\": [");
	size_t nr = r ? r->nitems : 0;
	for (size_t i = 0; i < nr; i++) {
		const struct report_case *c = &r->items[i];
		buf_puts(b, i ? ",\n    {\"kind\": " : "\n    {\"kind\": ");
		json_string(b, c->kind);
		buf_puts(b, ", \"name\": ");
		json_string(b, c->name);
		buf_puts(b, ", \"page\": ");
		json_string(b, c->page);
		buf_printf(b, ", \"line\": %d, \"status\": ", c->line);
		json_string(b, c->status);
		buf_printf(b, ", \"ms\": %.3f, \"cached\": %s, \"failed\": %s, "
		    "\"message\": ", c->ms >= 0 && c->ms < 1e15 ? c->ms : 0.0,
		    c->cached ? "true" : "false",
		    c->failed ? "true" : "false");
		json_string(b, c->message);
		buf_putc(b, '}');
	}
	struct counts n;
	count(d, r, &n);
	buf_puts(b, nr ? "\n  ],\n" : "],\n");
	buf_printf(b, "  \"counts\": {\"errors\": %zu, \"warnings\": %zu, "
	    "\"notes\": %zu,\n    \"witnesses\": {\"passed\": %zu, "
	    "\"failed\": %zu, \"cached\": %zu},\n    \"claims\": "
	    "{\"reviewed\": %zu, \"stale\": %zu, \"unreviewed\": %zu}}\n}\n",
	    n.errors, n.warnings, n.notes, n.passed, n.failed, n.cached,
	    n.reviewed, n.stale, n.unreviewed);
}

static void junit_case(struct buf *b, const struct report_case *c)
{
	buf_puts(b, "    <testcase name=\"");
	xml_escape(b, c->name, 1);
	buf_puts(b, "\" classname=\"");
	xml_escape(b, c->page, 1);
	buf_puts(b, "\" file=\"");
	xml_escape(b, c->page, 1);
	buf_printf(b, "\" line=\"%d\" time=\"%.3f\"", c->line,
	    c->ms >= 0 && c->ms < 1e15 ? c->ms / 1000 : 0.0);
	int skipped = !c->failed && is_kind(c, "claim") &&
	    strcmp(c->status, "reviewed") != 0;
	if (!c->failed && !skipped) {
		buf_puts(b, "/>\n");
		return;
	}
	buf_puts(b, ">\n      <");
	buf_puts(b, c->failed ? "failure" : "skipped");
	buf_puts(b, " message=\"");
	xml_escape(b, c->failed || !c->message ? c->status : c->message, 1);
	buf_puts(b, "\"");
	if (c->failed) {
		buf_puts(b, " type=\"");
		xml_escape(b, c->status, 1);
		buf_puts(b, "\">");
		xml_escape(b, c->message ? c->message : c->status, 0);
		buf_puts(b, "</failure>\n");
	} else {
		buf_puts(b, "/>\n");
	}
	buf_puts(b, "    </testcase>\n");
}

static void write_junit(struct buf *b, const struct diags *d,
    const struct report *r)
{
	struct counts n;
	count(d, r, &n);
	size_t nr = r ? r->nitems : 0;
	size_t wfail = 0, cfail = 0, cskip = 0;
	for (size_t i = 0; i < nr; i++) {
		const struct report_case *c = &r->items[i];
		if (is_kind(c, "witness"))
			wfail += c->failed != 0;
		else if (c->failed)
			cfail++;
		else if (strcmp(c->status, "reviewed") != 0)
			cskip++;
	}
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(b, "<testsuites name=\"folio check\" tests=\"%zu\" "
	    "failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
	    n.nwitness + n.nclaim + n.other_errors,
	    wfail + cfail + n.other_errors, cskip,
	    n.ms / 1000);
	buf_printf(b, "  <testsuite name=\"witnesses\" tests=\"%zu\" "
	    "failures=\"%zu\" skipped=\"0\" time=\"%.3f\">\n", n.nwitness,
	    wfail, n.ms / 1000);
	for (size_t i = 0; i < nr; i++)
		if (is_kind(&r->items[i], "witness"))
			junit_case(b, &r->items[i]);
	buf_printf(b, "  </testsuite>\n  <testsuite name=\"claims\" "
	    "tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"0.000\">\n",
	    n.nclaim, cfail, cskip);
	for (size_t i = 0; i < nr; i++)
		if (is_kind(&r->items[i], "claim"))
			junit_case(b, &r->items[i]);
	buf_printf(b, "  </testsuite>\n  <testsuite name=\"errors\" "
	    "tests=\"%zu\" failures=\"%zu\" skipped=\"0\" time=\"0.000\">\n",
	    n.other_errors, n.other_errors);
	for (size_t i = 0; i < d->nitems; i++) {
		const struct diag *g = &d->items[i];
		if (g->level != DIAG_ERROR || is_case_error(g))
			continue;
		char *where = diag_format(g);
		char *colon = strstr(where, ": error: ");
		if (colon)
			*colon = '\0';
		char *m = full_message(g);
		buf_puts(b, "    <testcase name=\"");
		xml_escape(b, where, 1);
		buf_puts(b, "\" classname=\"");
		xml_escape(b, g->stage, 1);
		buf_puts(b, "\" time=\"0.000\">\n      <failure message=\"");
		xml_escape(b, g->message, 1);
		buf_puts(b, "\" type=\"");
		xml_escape(b, g->code ? g->code : g->stage, 1);
		buf_puts(b, "\">");
		xml_escape(b, m, 0);
		buf_puts(b, "</failure>\n    </testcase>\n");
		free(m);
		free(where);
	}
	buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

/* ---- report_write */

int report_write(FILE *f, enum report_format fmt, const struct diags *d,
    const struct report *r)
{
	struct buf b = {0};
	switch (fmt) {
	case REPORT_TEXT: write_text(&b, d, r); break;
	case REPORT_GITHUB: write_github(&b, d, r); break;
	case REPORT_JSON: write_json(&b, d, r); break;
	case REPORT_JUNIT: write_junit(&b, d, r); break;
	}
	errno = 0;
	size_t n = fwrite(b.data ? b.data : "", 1, b.len, f);
	int rc = n == b.len && fflush(f) == 0 && !ferror(f) ? 0 : -1;
	if (rc && errno == 0)
		errno = EIO;
	buf_free(&b);
	return rc;
}

int report_write_file(const char *path, enum report_format fmt,
    const struct diags *d, const struct report *r, struct diags *out)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		diags_add(out, DIAG_ERROR, path, 0, 0, "check",
		    "cannot write report: %s", strerror(errno));
		return -1;
	}
	int rc = report_write(f, fmt, d, r);
	int saved = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc)
		diags_add(out, DIAG_ERROR, path, 0, 0, "check",
		    "cannot write report: %s", strerror(saved));
	return rc;
}
