/*
 * compare.c -- a witness's actual output against its ```output block.
 *
 * Divisions: lines (normalising), numbers (tol=), alignment (the "..."
 * wildcard and the diff), witness_compare.
 */
#include "witness/internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- lines */

size_t witness_lines_split(const char *text, char ***lines)
{
	size_t n = 0, cap = 0;
	char **v = NULL;
	const char *p = text ? text : "";
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t keep = len;
		while (keep > 0 && (p[keep - 1] == '\r' || p[keep - 1] == ' ' ||
		    p[keep - 1] == '\t'))
			keep--;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrndup(p, keep);
		p += len + (e ? 1 : 0);
	}
	while (n > 0 && v[n - 1][0] == '\0')
		free(v[--n]);
	*lines = v;
	return n;
}

void witness_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ---- numbers */

/* number := [+-]? ( digits [. digits?] | . digits ) ( [eE] [+-]? digits )?
 *         | [+-]? ( "nan" | "inf" )
 * Returns the length of the number at s, 0 when there is none; *v gets its
 * value. */
static size_t number_scan(const char *s, double *v)
{
	size_t i = 0, digits = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (strncmp(s + i, "nan", 3) == 0 || strncmp(s + i, "inf", 3) == 0) {
		i += 3;
		*v = s[i - 3] == 'n' ? NAN : (s[0] == '-' ? -INFINITY : INFINITY);
		return i;
	}
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t j = i + 1;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (s[j] >= '0' && s[j] <= '9') {
			while (s[j] >= '0' && s[j] <= '9')
				j++;
			i = j;
		}
	}
	char *tmp = xstrndup(s, i);
	*v = strtod(tmp, NULL);
	free(tmp);
	return i;
}

static int number_close(double a, double b, double tol)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (a == b)
		return 1;
	/* An infinity is close only to itself (inf - x is inf, which the
	 * relative test below would take as within tol * inf). */
	if (isinf(a) || isinf(b))
		return 0;
	double diff = fabs(a - b);
	double big = fmax(fabs(a), fabs(b));
	return diff <= tol || diff <= tol * big;
}

/* Whether a number may start at s[i]: not glued to a word before it, so
 * that "x1" and "float32" keep their digits as text (the scan of a word
 * goes on character by character). */
static int number_may_start(const char *s, size_t i)
{
	if (i == 0)
		return 1;
	char c = s[i - 1];
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_');
}

/* Whether line a (expected) and line b (actual) match under tol. */
static int line_match(const char *a, const char *b, double tol, int has_tol)
{
	if (!has_tol)
		return strcmp(a, b) == 0;
	size_t i = 0, j = 0;
	for (;;) {
		double x, y;
		size_t na = number_may_start(a, i) ? number_scan(a + i, &x) : 0;
		size_t nb = number_may_start(b, j) ? number_scan(b + j, &y) : 0;
		if (na && nb) {
			if (!number_close(x, y, tol))
				return 0;
			i += na, j += nb;
			continue;
		}
		if (na || nb || a[i] != b[j])
			return 0;
		if (!a[i])
			return 1;
		i++, j++;
	}
}

/* ---- alignment */

/* An edit-distance table over expected lines e (ne) and actual lines a
 * (na): cost(i, j) is the fewest expected lines dropped, actual lines added
 * or lines replaced (one each) to match e[i..] with a[j..], where a "..."
 * line consumes any run of actual lines for free.  (Replacing costs as much
 * as dropping, so that "..." never swallows the line that differs.)  The
 * cheapest path is the diff of outputs that differ (outputs_match says
 * whether they do).  Past MAX_CELLS the table is not built and a greedy
 * walk stands in for the diff. */
#define MAX_CELLS (4u << 20)

struct align {
	char **e, **a;
	size_t ne, na;
	double tol;
	int has_tol;
	uint32_t *cost;              /* (ne + 1) * (na + 1), row-major */
};

#define COST(al, i, j) ((al)->cost[(i) * ((al)->na + 1) + (j)])

static int is_ellipsis(const char *s)
{
	return strcmp(s, "...") == 0;
}

/* Whether the outputs match, each "..." line standing for any run of
 * lines: the two-pointer wildcard match, which on a mismatch goes back
 * only to the last "..." seen (a match found with an earlier "..."
 * taking fewer lines is never lost that way).  No memory, whatever the
 * sizes; the table below is for the diff of outputs that differ. */
static int outputs_match(const struct align *al)
{
	size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;
	while (j < al->na) {
		if (i < al->ne && is_ellipsis(al->e[i])) {
			star = i++;
			mark = j;
		} else if (i < al->ne && line_match(al->e[i], al->a[j],
		    al->tol, al->has_tol)) {
			i++;
			j++;
		} else if (star != SIZE_MAX) {
			i = star + 1;
			j = ++mark;
		} else {
			return 0;
		}
	}
	while (i < al->ne && is_ellipsis(al->e[i]))
		i++;
	return i == al->ne;
}

static void align_fill(struct align *al)
{
	size_t ne = al->ne, na = al->na;
	al->cost = xmalloc((ne + 1) * (na + 1) * sizeof *al->cost);
	for (size_t i = ne + 1; i-- > 0;) {
		for (size_t j = na + 1; j-- > 0;) {
			uint32_t best = UINT32_MAX;
			if (i == ne && j == na) {
				best = 0;
			} else if (i < ne && is_ellipsis(al->e[i])) {
				best = COST(al, i + 1, j);
				if (j < na && COST(al, i, j + 1) < best)
					best = COST(al, i, j + 1);
			} else {
				if (i < ne && j < na && line_match(al->e[i],
				    al->a[j], al->tol, al->has_tol))
					best = COST(al, i + 1, j + 1);
				if (i < ne && j < na &&
				    COST(al, i + 1, j + 1) + 1 < best)
					best = COST(al, i + 1, j + 1) + 1;
				if (i < ne && COST(al, i + 1, j) + 1 < best)
					best = COST(al, i + 1, j) + 1;
				if (j < na && COST(al, i, j + 1) + 1 < best)
					best = COST(al, i, j + 1) + 1;
			}
			COST(al, i, j) = best;
		}
	}
}

/* One step of the path: ' ' both advance, '-' expected line dropped, '+'
 * actual line added, 'x' a "..." line shown, '.' an actual line it
 * consumed. */
struct step {
	char op;
	size_t i, j;                 /* positions before the step */
};

/* Walks the cheapest path from (0, 0); returns its steps (fresh array) and
 * their count.  Prefers, at a tie, matching over dropping over adding, so
 * that a diff shows "-expected" before "+actual". */
static size_t align_path(struct align *al, struct step **out)
{
	size_t cap = al->ne + al->na + 1, n = 0, i = 0, j = 0;
	struct step *s = xmalloc(cap * sizeof *s);
	size_t entered = SIZE_MAX;       /* the "..." line shown last */
	while (i < al->ne || j < al->na) {
		uint32_t c = COST(al, i, j);
		char op;
		if (i < al->ne && is_ellipsis(al->e[i])) {
			if (entered != i) {
				s[n++] = (struct step){'x', i, j};
				entered = i;
			}
			if (j < al->na && COST(al, i, j + 1) == c &&
			    COST(al, i + 1, j) != c) {
				s[n++] = (struct step){'.', i + 1, j++};
			} else {
				i++;
			}
			continue;
		} else if (i < al->ne && j < al->na &&
		    line_match(al->e[i], al->a[j], al->tol, al->has_tol) &&
		    COST(al, i + 1, j + 1) == c) {
			op = ' ';
		} else if (i < al->ne && j < al->na &&
		    COST(al, i + 1, j + 1) + 1 == c) {
			op = 's';
		} else if (i < al->ne && COST(al, i + 1, j) + 1 == c) {
			op = '-';
		} else {
			op = '+';
		}
		if (op == 's') {
			s[n++] = (struct step){'-', i, j};
			s[n++] = (struct step){'+', i + 1, j};
			i++, j++;
			continue;
		}
		s[n++] = (struct step){op, i, j};
		if (op == ' ')
			i++, j++;
		else if (op == '+')
			j++;
		else
			i++;
	}
	*out = s;
	return n;
}

/* Greedy stand-in for outputs too big for the table: match line by line,
 * a "..." line skipping to the first actual line that matches the line
 * after it, until the first difference; everything after that is one
 * change. */
static size_t greedy_path(struct align *al, struct step **out)
{
	size_t cap = al->ne + al->na + 1, n = 0, i = 0, j = 0;
	struct step *s = xmalloc(cap * sizeof *s);
	while (i < al->ne) {
		if (is_ellipsis(al->e[i])) {
			/* skip to the next line matching what follows "..." */
			size_t k = j;
			if (i + 1 < al->ne)
				while (k < al->na && (is_ellipsis(al->e[i + 1]) ||
				    !line_match(al->e[i + 1], al->a[k], al->tol,
				    al->has_tol)))
					k++;
			else
				k = al->na;
			if (k == al->na && i + 1 < al->ne)
				break;
			s[n++] = (struct step){'x', i, j};
			for (; j < k; j++)
				s[n++] = (struct step){'.', i + 1, j};
			i++;
		} else if (j < al->na && line_match(al->e[i], al->a[j],
		    al->tol, al->has_tol)) {
			s[n++] = (struct step){' ', i, j};
			i++, j++;
		} else {
			break;
		}
	}
	for (; i < al->ne; i++)
		s[n++] = (struct step){'-', i, j};
	for (; j < al->na; j++)
		s[n++] = (struct step){'+', i, j};
	*out = s;
	return n;
}

/* ---- the diff */

#define CONTEXT 3

static int step_changes(const struct step *s)
{
	return s->op == '-' || s->op == '+';
}

/* Writes the steps as a unified diff: hunks of changes with CONTEXT lines
 * around them; a "..." line is shown as context, and so are the actual
 * lines it consumed. */
static char *diff_write(struct align *al, const struct step *s, size_t n)
{
	struct buf b = {0};
	buf_puts(&b, "--- expected\n+++ actual\n");
	size_t k = 0;
	while (k < n) {
		while (k < n && !step_changes(&s[k]))
			k++;
		if (k == n)
			break;
		size_t start = k >= CONTEXT ? k - CONTEXT : 0, end = k;
		/* extend over changes separated by at most 2 * CONTEXT */
		for (size_t gap = 0; end < n; end++) {
			if (step_changes(&s[end]))
				gap = 0;
			else if (++gap > 2 * CONTEXT)
				break;
		}
		size_t stop = end;
		while (stop > k && !step_changes(&s[stop - 1]))
			stop--;
		stop = stop + CONTEXT < n ? stop + CONTEXT : n;
		size_t le = 0, la = 0;
		for (size_t q = start; q < stop; q++) {
			if (s[q].op == ' ' || s[q].op == '-' || s[q].op == 'x')
				le++;
			if (s[q].op == ' ' || s[q].op == '+' || s[q].op == '.')
				la++;
		}
		size_t fe = s[start].i + (le ? 1 : 0);
		size_t fa = s[start].j + (la ? 1 : 0);
		buf_printf(&b, "@@ -%zu,%zu +%zu,%zu @@\n", fe, le, fa, la);
		for (size_t q = start; q < stop; q++) {
			if (step_changes(&s[q])) {
				/* a run of changes: its "-" lines, then its "+" */
				size_t r = q;
				while (r < stop && step_changes(&s[r]))
					r++;
				for (size_t x = q; x < r; x++)
					if (s[x].op == '-')
						buf_printf(&b, "-%s\n",
						    al->e[s[x].i]);
				for (size_t x = q; x < r; x++)
					if (s[x].op == '+')
						buf_printf(&b, "+%s\n",
						    al->a[s[x].j]);
				q = r - 1;
				continue;
			}
			switch (s[q].op) {
			case ' ':
				buf_printf(&b, " %s\n", al->a[s[q].j]);
				break;
			case '.':
				buf_printf(&b, " %s\n", al->a[s[q].j]);
				break;
			case 'x':
				buf_printf(&b, " %s\n", al->e[s[q].i]);
				break;
			case '-':
				buf_printf(&b, "-%s\n", al->e[s[q].i]);
				break;
			default:
				buf_printf(&b, "+%s\n", al->a[s[q].j]);
			}
		}
		k = stop;
	}
	return buf_detach(&b);
}

/* ---- witness_compare */

int witness_compare(const char *expected, const char *actual, double tol,
    int has_tol, size_t *bad_line, char **diff)
{
	struct align al = {0};
	al.ne = witness_lines_split(expected, &al.e);
	al.na = witness_lines_split(actual, &al.a);
	al.tol = tol;
	al.has_tol = has_tol;
	struct step *s = NULL;
	size_t n;
	int same;
	same = outputs_match(&al);
	if (same) {
		n = 0;
	} else if ((al.ne + 1) * (al.na + 1) <= MAX_CELLS) {
		align_fill(&al);
		n = align_path(&al, &s);
	} else {
		n = greedy_path(&al, &s);
	}
	if (!same) {
		size_t first = al.ne;
		for (size_t k = 0; k < n; k++) {
			if (step_changes(&s[k])) {
				first = s[k].i;
				break;
			}
		}
		if (bad_line)
			*bad_line = first;
		if (diff)
			*diff = diff_write(&al, s, n);
	}
	free(s);
	free(al.cost);
	witness_lines_free(al.e, al.ne);
	witness_lines_free(al.a, al.na);
	return same;
}
