/*
 * internal.h -- what the files of src/math share and nobody else needs.
 *
 * Answer chunks: where the KaTeX workers' answers land.  The pool reads
 * each worker's answer pipe straight into a chunk, parses every answer in
 * place, and points the items at it, so that no byte of an answer is
 * copied after the read.  A render's chunks hold its answers until the
 * next render on the pool, which reuses them; math_pool_free frees them.
 */
#ifndef FOLIO_MATH_INTERNAL_H
#define FOLIO_MATH_INTERNAL_H

#include <stddef.h>

struct answer_chunk;

/* The chunks of one pool. */
struct answer_store {
	struct answer_chunk *used;   /* holding the answers of this render */
	struct answer_chunk *spare;  /* freed by a new render, for reuse */
};

/* One worker's place in the chunks: bytes [at, len) of the current chunk
 * are read and not parsed yet. */
struct answer_buf {
	struct answer_chunk *ch;     /* NULL before the first read */
	size_t at, len;
};

/* The bytes of b's current chunk, from its start. */
char *answers_data(const struct answer_buf *b);

/* Room for the next read into b: at least min_room bytes, and room in one
 * chunk for `whole` bytes from b->at (the answer being read, when its
 * head told its length; 0 when not known).  When the current chunk has
 * not that much room, the bytes not parsed yet move to a new chunk (a
 * spare one when one is big enough).  Returns where to read; *room is how
 * many bytes fit there. */
char *answers_room(struct answer_store *s, struct answer_buf *b,
    size_t min_room, size_t whole, size_t *room);

/* The answers in the chunks are no longer anyone's: the chunks become
 * spare, and spare chunks beyond keep bytes in all are freed.  Every
 * answer_buf must be reset. */
void answers_recycle(struct answer_store *s, size_t keep);

void answers_free(struct answer_store *s);

#endif
