/*
 * report_step.c -- folio check's report: text to stderr (like a compiler),
 * the other formats to --output FILE or stdout.  With --output the text
 * report still goes to stderr, so that a CI log shows what failed.
 */
#include "internal.h"

static const enum report_format formats[] = {REPORT_TEXT, REPORT_GITHUB,
	REPORT_JSON, REPORT_JUNIT};

int site_report(const struct site *s, const struct diags *d,
    struct diags *errors)
{
	const struct site_opts *o = s->opts;
	enum report_format f = formats[o->format];
	if (o->report) {
		if (report_write(stderr, REPORT_TEXT, d, &s->report) != 0)
			return -1;
		return report_write_file(o->report, f, d, &s->report, errors);
	}
	return report_write(f == REPORT_TEXT ? stderr : stdout, f, d,
	    &s->report);
}
