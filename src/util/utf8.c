/*
 * utf8.c -- checking UTF-8, and text made safe to print on a terminal.
 */
#include "util/util.h"

int utf8_char_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	int n;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

/* Diagnostics quote what pages and witnesses hold, and a witness's output
 * may carry escape sequences that a terminal or a CI log would obey
 * (colours, moving the cursor, OSC 52 writing the clipboard).  Such
 * characters are shown as \xHH (C0 controls but TAB and LF, and DEL) or
 * \uHHHH (C1 controls, which some terminals obey in UTF-8 too), and bytes
 * that are not UTF-8 as U+FFFD. */
void buf_put_terminal(struct buf *b, const char *s)
{
	while (*s) {
		int n = utf8_char_len(s);
		unsigned char c = (unsigned char)*s;
		if (n == 0) {
			buf_puts(b, "\xEF\xBF\xBD");
			s++;
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
			buf_printf(b, "\\x%02x", c);
			s++;
		} else if (n == 2 && c == 0xC2 &&
		    (unsigned char)s[1] < 0xA0) {
			buf_printf(b, "\\u%04x", (unsigned char)s[1]);
			s += 2;
		} else {
			buf_put(b, s, (size_t)n);
			s += n;
		}
	}
}
