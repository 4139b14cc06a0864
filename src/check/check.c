/*
 * check.c -- the checks of claims, sources and reviews (check.h lists the
 * diagnostics).  Nothing here reads files: the pages and sources come
 * loaded, the objects of each page come from the markdown stage.
 *
 * Divisions: helpers; review state; the checks of one page; check_run.
 */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers */

static const char STAGE[] = "check";

/* Everything check_run looks up while it walks the pages. */
struct ctx {
	struct source *const *sources;
	size_t nsources;
	const char **source_ids;   /* NULL-terminated, for closest_word */
	char **folded;             /* folded snapshot per source, lazily */
	int *used;                 /* per source: listed by some page */
	const struct check_opts *opts;
	struct diags *d;
	int errors;
};

static long find_source(const struct ctx *x, const char *id)
{
	for (size_t i = 0; i < x->nsources; i++)
		if (strcmp(x->sources[i]->id, id) == 0)
			return (long)i;
	return -1;
}

static struct diag *report(struct ctx *x, enum diag_level level,
    const char *path, const struct located *at, const char *code,
    const char *msg)
{
	if (level == DIAG_ERROR)
		x->errors++;
	struct diag *g = diags_add(x->d, level, path, at ? at->line : 0,
	    at ? at->col : 0, STAGE, "%s", msg);
	g->code = xstrdup(code);
	return g;
}

/* Appends "; did you mean 'W'?" to b when word is close to a candidate. */
static void hint(struct buf *b, const char *word, const char *const *cands)
{
	const char *w = closest_word(word, cands);
	if (w)
		buf_printf(b, "; did you mean '%s'?", w);
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

char *check_fold_space(const char *s)
{
	struct buf b = {0};
	int pending = 0;
	for (; *s; s++) {
		if (is_space((unsigned char)*s)) {
			pending = b.len > 0;
			continue;
		}
		if (pending)
			buf_putc(&b, ' ');
		buf_putc(&b, *s);
		pending = 0;
	}
	return buf_detach(&b);
}

static int page_lists(const struct page *p, const char *source)
{
	for (size_t i = 0; i < p->meta.nsources; i++)
		if (strcmp(p->meta.sources[i].id.s, source) == 0)
			return 1;
	return 0;
}

/* ---- review state */

const char *check_claim_state_name(enum claim_state s)
{
	switch (s) {
	case CLAIM_REVIEWED: return "reviewed";
	case CLAIM_STALE: return "stale";
	default: return "unreviewed";
	}
}

void check_claim_status(const struct page *p, size_t i,
    struct check_claim *out)
{
	const struct page_claim *c = &p->meta.claims[i];
	memset(out, 0, sizeof *out);
	out->page = p;
	out->claim = c;
	page_claim_pin(c, out->pin);
	const struct page_review *last = NULL, *current = NULL;
	for (size_t j = 0; j < p->meta.nreviews; j++) {
		const struct page_review *r = &p->meta.reviews[j];
		if (strcmp(r->claim.s, c->id.s) != 0)
			continue;
		last = r;
		if (r->pin.s && strcmp(r->pin.s, out->pin) == 0)
			current = r;
	}
	if (current) {
		out->state = CLAIM_REVIEWED;
		out->review = current;
	} else if (last) {
		out->state = CLAIM_STALE;
		out->review = last;
	} else {
		out->state = CLAIM_UNREVIEWED;
	}
}

/* ---- the checks of one page */

/* A source id cited by a claim or a support quote (what: "claim 'C'" or
 * "support quote of claim 'C'").  Returns the source's index, or -1 when
 * it does not exist (reported unless the page lists it: the listing got
 * the error already). */
static long check_cited(struct ctx *x, const struct page *p,
    const char *what, const struct located *src)
{
	long k = find_source(x, src->s);
	int listed = page_lists(p, src->s);
	struct buf b = {0};
	if (k < 0 && !listed) {
		buf_printf(&b, "%s cites source '%s', but there is no "
		    "sources/%s.yaml", what, src->s, src->s);
		hint(&b, src->s, x->source_ids);
		report(x, DIAG_ERROR, p->path, src, "unknown-source", b.data);
	} else if (k >= 0 && !listed) {
		buf_printf(&b, "%s cites source '%s', which the page does not "
		    "list under sources", what, src->s);
		report(x, DIAG_ERROR, p->path, src, "unlisted-source", b.data);
	}
	buf_free(&b);
	return k;
}

static void check_witness(struct ctx *x, const struct check_page *cp,
    const struct page_claim *c, const struct located *w)
{
	for (size_t i = 0; i < cp->nobjects; i++)
		if (strcmp(cp->objects[i], w->s) == 0)
			return;
	const char **cands = xcalloc(cp->nobjects + 1, sizeof *cands);
	for (size_t i = 0; i < cp->nobjects; i++)
		cands[i] = cp->objects[i];
	struct buf b = {0};
	int well_formed = str_starts(w->s, "eq:") ||
	    str_starts(w->s, "code:") || str_starts(w->s, "demo:");
	if (well_formed) {
		buf_printf(&b, "claim '%s' names witness '%s', which is not "
		    "on this page", c->id.s, w->s);
		hint(&b, w->s, cands);
		report(x, DIAG_ERROR, cp->page->path, w, "unknown-witness",
		    b.data);
	} else {
		buf_printf(&b, "claim '%s' names witness '%s'; a witness is "
		    "eq:NAME, code:NAME or demo:NAME", c->id.s, w->s);
		/* "linear-flow" for "code:linear-flow": match the name. */
		const char *match = NULL;
		for (size_t i = 0; i < cp->nobjects && !match; i++) {
			const char *colon = strchr(cp->objects[i], ':');
			if (colon && strcmp(colon + 1, w->s) == 0)
				match = cp->objects[i];
		}
		if (match)
			buf_printf(&b, "; did you mean '%s'?", match);
		report(x, DIAG_ERROR, cp->page->path, w, "bad-witness",
		    b.data);
	}
	buf_free(&b);
	free(cands);
}

/* Where a folded quote q stops matching the folded snapshot: the longest
 * prefix of q that occurs in it (found by bisection: every prefix of an
 * occurring prefix occurs).  Returns the detail lines for the diagnostic,
 * or NULL when not even the first character occurs. */
static char *quote_detail(const char *snapshot, const char *q)
{
	size_t lo = 0, hi = strlen(q);   /* prefix lo occurs, hi does not */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		while (mid > lo && ((unsigned char)q[mid] & 0xC0) == 0x80)
			mid--;   /* whole UTF-8 characters only */
		if (mid == lo)
			break;
		char *pre = xstrndup(q, mid);
		if (strstr(snapshot, pre))
			lo = mid;
		else
			hi = mid;
		free(pre);
	}
	if (lo == 0)
		return NULL;
	/* Show the last 40 bytes of the match, cut at a character start. */
	size_t from = lo > 40 ? lo - 40 : 0;
	while (from > 0 && ((unsigned char)q[from] & 0xC0) == 0x80)
		from++;
	return xasprintf("    the snapshot has the quote's first %d of %d "
	    "characters, up to \"%s%.*s\"\n", utf8_columns(q, lo),
	    utf8_columns(q, strlen(q)), from ? "..." : "", (int)(lo - from),
	    q + from);
}

/* Warnings that --strict makes errors: every warning of this stage. */
static enum diag_level strict_level(const struct ctx *x)
{
	return x->opts && x->opts->strict ? DIAG_ERROR : DIAG_WARNING;
}

static void check_quote(struct ctx *x, const struct page *p,
    const struct page_claim *c, const struct page_support *u)
{
	struct buf what = {0};
	buf_printf(&what, "support quote of claim '%s'", c->id.s);
	long k = check_cited(x, p, what.data, &u->source);
	buf_free(&what);
	if (k < 0)
		return;
	const struct source *s = x->sources[k];
	struct buf b = {0};
	if (!s->snapshot) {
		buf_printf(&b, "quote for claim '%s' cannot be checked: source "
		    "'%s' has no snapshot sources/%s.txt", c->id.s, s->id,
		    s->id);
		report(x, strict_level(x), p->path, &u->quote, "no-snapshot",
		    b.data);
		buf_free(&b);
		return;
	}
	if (!x->folded[k])
		x->folded[k] = check_fold_space(s->snapshot);
	char *q = check_fold_space(u->quote.s);
	if (!*q || !strcmp(q, " ")) {
		/* An empty text occurs everywhere: it would vouch for
		 * nothing. */
		buf_printf(&b, "the support quote of claim '%s' is empty: "
		    "quote the words of sources/%s.txt that support it",
		    c->id.s, s->id);
		report(x, DIAG_ERROR, p->path, &u->quote, "quote-empty",
		    b.data);
	} else if (!strstr(x->folded[k], q)) {
		buf_printf(&b, "quote for claim '%s' does not occur in "
		    "sources/%s.txt", c->id.s, s->id);
		struct diag *g = report(x, DIAG_ERROR, p->path, &u->quote,
		    "quote-not-found", b.data);
		g->detail = quote_detail(x->folded[k], q);
	}
	free(q);
	buf_free(&b);
}

/* Reports id when an earlier item of a list (ids[0..n)) names the same
 * thing: a list given twice the same id would count it twice (a claim's
 * pin hashes its sources as listed). */
static void check_listed_once(struct ctx *x, const struct page *p,
    const struct located *id, const struct located *const *ids, size_t n,
    const char *where)
{
	for (size_t j = 0; j < n; j++) {
		if (strcmp(ids[j]->s, id->s))
			continue;
		char *m = xasprintf("'%s' is listed twice in %s (first at "
		    "%d:%d)", id->s, where, ids[j]->line, ids[j]->col);
		report(x, DIAG_ERROR, p->path, id, "duplicate-id", m);
		free(m);
		return;
	}
}

static void check_list_once(struct ctx *x, const struct page *p,
    const struct located_list *l, const char *where)
{
	const struct located **ids = xcalloc(l->nitems + 1, sizeof *ids);
	for (size_t i = 0; i < l->nitems; i++) {
		check_listed_once(x, p, &l->items[i], ids, i, where);
		ids[i] = &l->items[i];
	}
	free(ids);
}

static void check_page_sources(struct ctx *x, const struct page *p)
{
	const struct located **seen = xcalloc(p->meta.nsources + 1,
	    sizeof *seen);
	for (size_t i = 0; i < p->meta.nsources; i++) {
		check_listed_once(x, p, &p->meta.sources[i].id, seen, i,
		    "the page's sources");
		seen[i] = &p->meta.sources[i].id;
	}
	free(seen);
	for (size_t i = 0; i < p->meta.nsources; i++) {
		const struct located *id = &p->meta.sources[i].id;
		long k = find_source(x, id->s);
		if (k >= 0) {
			x->used[k] = 1;
			continue;
		}
		struct buf b = {0};
		buf_printf(&b, "page lists source '%s', but there is no "
		    "sources/%s.yaml", id->s, id->s);
		hint(&b, id->s, x->source_ids);
		report(x, DIAG_ERROR, p->path, id, "unknown-source", b.data);
		buf_free(&b);
	}
}

static void check_claims(struct ctx *x, const struct check_page *cp)
{
	const struct page *p = cp->page;
	for (size_t i = 0; i < p->meta.nclaims; i++) {
		const struct page_claim *c = &p->meta.claims[i];
		for (size_t j = 0; j < i; j++) {
			const struct page_claim *e = &p->meta.claims[j];
			if (strcmp(e->id.s, c->id.s) != 0)
				continue;
			char *m = xasprintf("duplicate claim id '%s' (first at "
			    "line %d)", c->id.s, e->id.line);
			report(x, DIAG_ERROR, p->path, &c->id,
			    "duplicate-claim", m);
			free(m);
			break;
		}
		char *what = xasprintf("claim '%s'", c->id.s);
		for (size_t j = 0; j < c->sources.nitems; j++)
			check_cited(x, p, what, &c->sources.items[j]);
		char *where = xasprintf("the sources of claim '%s'", c->id.s);
		check_list_once(x, p, &c->sources, where);
		free(where);
		where = xasprintf("the witnesses of claim '%s'", c->id.s);
		check_list_once(x, p, &c->witnesses, where);
		free(where);
		free(what);
		for (size_t j = 0; j < c->witnesses.nitems; j++)
			check_witness(x, cp, c, &c->witnesses.items[j]);
		for (size_t j = 0; j < c->nsupport; j++)
			check_quote(x, p, c, &c->support[j]);
	}
}

static void check_reviews(struct ctx *x, const struct page *p)
{
	const char **ids = xcalloc(p->meta.nclaims + 1, sizeof *ids);
	for (size_t i = 0; i < p->meta.nclaims; i++)
		ids[i] = p->meta.claims[i].id.s;
	for (size_t i = 0; i < p->meta.nreviews; i++) {
		const struct page_review *r = &p->meta.reviews[i];
		int found = 0;
		for (size_t j = 0; j < p->meta.nclaims && !found; j++)
			found = strcmp(ids[j], r->claim.s) == 0;
		if (found)
			continue;
		struct buf b = {0};
		buf_printf(&b, "review of unknown claim '%s'", r->claim.s);
		hint(&b, r->claim.s, ids);
		report(x, DIAG_ERROR, p->path, &r->claim, "unknown-claim",
		    b.data);
		buf_free(&b);
	}
	free(ids);
}

/* Adds the page's claims to res and reports their review states. */
static void check_states(struct ctx *x, const struct page *p,
    struct check_result *res)
{
	for (size_t i = 0; i < p->meta.nclaims; i++) {
		struct check_claim *cc = &res->claims[res->nclaims++];
		check_claim_status(p, i, cc);
		enum diag_level level = strict_level(x);
		char *m = NULL;
		if (cc->state == CLAIM_STALE) {
			m = xasprintf("claim '%s' changed since it was reviewed "
			    "(review pin %s, current pin %s); review it again "
			    "and set pin: %s", cc->claim->id.s,
			    cc->review->pin.s, cc->pin, cc->pin);
			report(x, level, p->path, &cc->review->pin,
			    "stale-review", m);
		} else if (cc->state == CLAIM_UNREVIEWED &&
		    p->meta.status == PAGE_PUBLISHED) {
			m = xasprintf("claim '%s' on a published page has no "
			    "review", cc->claim->id.s);
			report(x, level, p->path, &cc->claim->id,
			    "unreviewed-claim", m);
		}
		if (m && level == DIAG_ERROR)
			cc->failed = 1;
		free(m);
	}
}

/* ---- check_run */

int check_run(const struct check_page *pages, size_t npages,
    struct source *const *sources, size_t nsources,
    const struct check_opts *opts, struct check_result *res,
    struct diags *d)
{
	struct ctx x = {0};
	x.sources = sources;
	x.nsources = nsources;
	x.source_ids = xcalloc(nsources + 1, sizeof *x.source_ids);
	for (size_t i = 0; i < nsources; i++)
		x.source_ids[i] = sources[i]->id;
	x.folded = xcalloc(nsources + 1, sizeof *x.folded);
	x.used = xcalloc(nsources + 1, sizeof *x.used);
	x.opts = opts;
	x.d = d;

	size_t total = 0;
	for (size_t i = 0; i < npages; i++)
		total += pages[i].page->meta.nclaims;
	res->claims = xcalloc(total + 1, sizeof *res->claims);
	res->nclaims = 0;

	for (size_t i = 0; i < npages; i++) {
		const struct page *p = pages[i].page;
		check_page_sources(&x, p);
		check_claims(&x, &pages[i]);
		check_reviews(&x, p);
		check_states(&x, p, res);
	}
	for (size_t i = 0; i < nsources; i++) {
		if (x.used[i])
			continue;
		char *m = xasprintf("source '%s' is not used by any page",
		    sources[i]->id);
		report(&x, strict_level(&x), sources[i]->path, NULL,
		    "unused-source", m);
		free(m);
	}

	for (size_t i = 0; i < nsources; i++)
		free(x.folded[i]);
	free(x.folded);
	free(x.used);
	free(x.source_ids);
	return x.errors ? -1 : 0;
}

void check_result_free(struct check_result *res)
{
	if (!res)
		return;
	free(res->claims);
	res->claims = NULL;
	res->nclaims = 0;
}
