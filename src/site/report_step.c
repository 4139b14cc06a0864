/*
 * report_step.c -- writing folio check's report.
 */
#include "internal.h"

int site_report(const struct site_opts *o, const struct diags *d)
{
	(void)o;
	diags_print(stderr, d);
	return 0;
}
