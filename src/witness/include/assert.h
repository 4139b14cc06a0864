/* assert.h -- folio witness prelude.  A failed assertion prints
 * "assertion failed: EXPR (line N)" on stderr and aborts; N is the line
 * of the assert in the page's .md file. */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
void __folio_assert_fail(const char *expr, int line);
#define assert(e) ((e) ? (void)0 : __folio_assert_fail(#e, __LINE__))
#endif
