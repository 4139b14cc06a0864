/*
 * answers.c -- the chunks the KaTeX workers' answers are read into (see
 * internal.h).
 */
#include "math/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/util.h"

#define CHUNK_BYTES ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

struct answer_chunk {
	struct answer_chunk *next;
	size_t cap;       /* bytes of data */
	char *data;       /* aligned to a huge page */
	void *block;      /* what was allocated */
};

char *answers_data(const struct answer_buf *b)
{
	return b->ch->data;
}

/* A chunk of at least cap bytes on s->used: a spare one if one is big
 * enough, else a new one.  A new one asks for huge pages, where the system
 * gives them on request: a cold build fills tens of megabytes of chunks,
 * and on a virtual machine each 4 KiB page fault is dear. */
static struct answer_chunk *chunk_get(struct answer_store *s, size_t cap)
{
	struct answer_chunk **pp = &s->spare, *c;
	while (*pp && (*pp)->cap < cap)
		pp = &(*pp)->next;
	if ((c = *pp)) {
		*pp = c->next;
	} else {
		c = xmalloc(sizeof *c);
		c->cap = cap < CHUNK_BYTES ? CHUNK_BYTES : cap;
		c->block = xmalloc(c->cap + HUGE_PAGE);
		c->data = (char *)(((uintptr_t)c->block + HUGE_PAGE - 1) &
		    ~(uintptr_t)(HUGE_PAGE - 1));
		(void)madvise(c->data, c->cap & ~(HUGE_PAGE - 1),
		    MADV_HUGEPAGE);
	}
	c->next = s->used;
	s->used = c;
	return c;
}

char *answers_room(struct answer_store *s, struct answer_buf *b,
    size_t min_room, size_t whole, size_t *room)
{
	struct answer_chunk *c = b->ch;
	if (!c || c->cap - b->len < min_room || c->cap - b->at < whole) {
		size_t pending = c ? b->len - b->at : 0;
		size_t need = (whole > pending ? whole : pending) + min_room;
		struct answer_chunk *n = chunk_get(s, need);
		if (pending)
			memcpy(n->data, c->data + b->at, pending);
		b->ch = n;
		b->at = 0;
		b->len = pending;
	}
	*room = b->ch->cap - b->len;
	return b->ch->data + b->len;
}

void answers_recycle(struct answer_store *s, size_t keep)
{
	struct answer_chunk **tail = &s->used, **pp, *c;
	size_t kept = 0;
	while (*tail)
		tail = &(*tail)->next;
	*tail = s->spare;
	s->spare = s->used;
	s->used = NULL;
	for (pp = &s->spare; (c = *pp);) {
		if (kept + c->cap <= keep) {
			kept += c->cap;
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		free(c->block);
		free(c);
	}
}

void answers_free(struct answer_store *s)
{
	answers_recycle(s, 0);
}
