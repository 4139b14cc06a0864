/*
 * mathsyntax.h -- TeX math in Markdown, private to the markdown stage.
 *
 * Grammar (what counts as math; everything else is ordinary Markdown):
 *
 *   inline   := '$' TEX '$'      TEX starts and ends with a non-blank
 *                                character; the closing '$' is the first
 *                                unescaped '$' after the opening one and
 *                                is not followed by a digit ("$5 and $6"
 *                                is text, so is "$x$5").
 *   display  := '$$' TEX '$$'    inside a paragraph (one line or several);
 *                                TEX holds at least one non-blank character;
 *                                the closing '$$' is the first unescaped one.
 *   block    := a line holding only '$$' ... a line holding only '$$'
 *                                (rewritten into a ```math fence by
 *                                mathsyntax_prepass), or a ```math fence.
 *
 * Inside TEX a backslash escapes the next character for the purpose of
 * finding the closing delimiter only: TEX is kept byte for byte ("\$" stays
 * "\$", which KaTeX renders as a dollar sign).  Outside math, "\$" is
 * CommonMark's backslash escape: a literal dollar.  Nothing inside TEX is
 * Markdown.
 *
 * Math nodes are CMARK_NODE_CODE nodes tagged with the extension
 * (cmark_node_set_syntax_extension) and carrying private user data (freed
 * with the node); a custom node type would be dropped inside table cells,
 * which accept only the built-in inline types.  Do not replace their user
 * data.
 */
#ifndef FOLIO_MATHSYNTAX_H
#define FOLIO_MATHSYNTAX_H

#include <stddef.h>
#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>

/* Rewrites every line that holds only `$$` (after its container prefixes
 * and up to 3 spaces of indent, with trailing blanks) into a math fence:
 * the first of a pair becomes "```math", the second "```" (longer when a
 * content line starts with backticks), each keeping its prefix and line
 * ending.  The two lines of a pair belong to the same container (block
 * quote or list item, or the document) and every line between continues
 * it, as a fence's lines must; a `$$` line with no such partner stays
 * text, like any unclosed `$$`.  Lines inside ``` or ~~~ code fences
 * (opened on a list-marker line too) are left alone.  The number of lines
 * never changes.  Returns a fresh NUL-terminated string (the caller frees
 * it); *outlen gets its length.  Implemented in prepass.c. */
char *mathsyntax_prepass(const char *text, size_t len, size_t *outlen);

/* A new inline syntax extension named "math" for $..$ and $$..$$.  The
 * caller attaches it to a parser (cmark_parser_attach_syntax_extension)
 * together with the GFM core extensions and CMARK_OPT_FOOTNOTES, and frees
 * it with mathsyntax_extension_free after the parser and every document
 * parsed with it are gone.  It holds no mutable state, so one extension may
 * serve parsers in several threads. */
cmark_syntax_extension *mathsyntax_extension_new(void);
/* Frees an extension from mathsyntax_extension_new; NULL is fine. */
void mathsyntax_extension_free(cmark_syntax_extension *ext);

/* Returns 0 when node is not math, 1 for inline math ($..$), 2 for display
 * math written inline ($$..$$).  The TeX is cmark_node_get_literal(node).
 * ```math fences are ordinary CMARK_NODE_CODE_BLOCK nodes with the info
 * string "math ..."; see mathsyntax_locate_block. */
int mathsyntax_node_math(cmark_node *node);

/* Maps byte offset off within the TeX of the math node `node` to the
 * 1-based line and column of that character in the Markdown text `body`
 * (the text that was parsed; the text before mathsyntax_prepass is as good,
 * since the prepass keeps line numbers).  Columns count UTF-8 code points.
 * An offset at or past the end of the TeX points at the closing delimiter.
 * Cmark's own inline positions are not used: they drift after a multi-line
 * span and ignore stripped continuation indentation.  When node is not
 * math, gives cmark's start position of the node. */
void mathsyntax_locate(const char *body, size_t body_len, cmark_node *node,
    size_t off, int *line, int *col);

/* The line mathsyntax_locate gives for offset 0, at the cost of finding
 * the block's first line only: the column takes a match of the text
 * before the formula on its line, which for a line of N formulas would
 * cost N times the line's length in all. */
int mathsyntax_line(const char *body, size_t body_len, cmark_node *node);

/* The same for a ```math fenced code block (node of type
 * CMARK_NODE_CODE_BLOCK): off is an offset into cmark_node_get_literal. */
void mathsyntax_locate_block(const char *body, size_t body_len,
    cmark_node *node, size_t off, int *line, int *col);

#endif
