/*
 * anon_text.c -- the witness host's program moved into anonymous memory.
 *
 * fork copies the page-table entries of anonymous memory, but not those of
 * memory mapped from a file, which the child maps again one page fault at
 * a time.  The host is started from a file (a memfd), so each runner would
 * fault in every page of the C library, libm and the flow library it
 * touches: about a dozen faults for a small witness, which on a
 * paravirtual machine cost 10-15 us each.  So, once, at start-up, the host
 * copies its read-only segments (code and constants) into anonymous
 * memory and moves the copies over the originals (mremap), and every
 * runner starts with them mapped.  On the development machine, by hand, a
 * fork, run and exit of a small program went from 0.82-0.88 ms to
 * 0.76-0.78 ms; bench-witness's median witness from 3.07-3.38 ms to
 * 2.80-3.17 ms (four runs of each, side by side, at a busy time).
 *
 * Where it can, the copy goes on a transparent huge page: the host is
 * linked so that its code and constants are one segment alone in an
 * aligned 2 MiB span (module.mk), and the span becomes one anonymous huge
 * page.  fork then copies one page-table entry for all of it instead of
 * about three hundred, and a runner reaches any of it through that one
 * entry, where it paid for each small page it touched first.
 * bench-witness on the development machine, eight runs of each side by
 * side: 479-578 witnesses a second against 448-531 (more in every pair),
 * the median witness 1.64-2.01 ms against 1.70-1.95 ms.  When the kernel
 * gives no huge page the copy is made of small pages, as before.
 */
#include "witness/internal.h"

#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The pages of [lo, hi) that share no page with a writable segment of
 * info: *lo rounded up past such a page, *hi down. */
static void clip_to_own_pages(const struct dl_phdr_info *info,
    uintptr_t page, uintptr_t *lo, uintptr_t *hi)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *w = &info->dlpi_phdr[i];
		if (w->p_type != PT_LOAD || !(w->p_flags & PF_W))
			continue;
		uintptr_t ws = (info->dlpi_addr + w->p_vaddr) & ~(page - 1);
		uintptr_t we = (info->dlpi_addr + w->p_vaddr + w->p_memsz +
		    page - 1) & ~(page - 1);
		if (ws < *hi && we > *lo) {      /* they share pages */
			if (ws > *lo)
				*hi = ws;
			else
				*lo = we < *hi ? we : *hi;
		}
	}
}

/* Moves one segment's pages into anonymous memory; leaves them as they
 * were when any step fails. */
static void move_segment(uintptr_t lo, uintptr_t hi, int prot)
{
	size_t len = hi - lo;
	void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy == MAP_FAILED)
		return;
	memcpy(copy, (const void *)lo, len);
	if (mprotect(copy, len, prot) < 0 || mremap(copy, len, len,
	    MREMAP_MAYMOVE | MREMAP_FIXED, (void *)lo) == MAP_FAILED)
		munmap(copy, len);
}

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Whether [lo, hi) overlaps no mapping but the one at [own_lo, own_hi),
 * by /proc/self/maps. */
static int span_free(uintptr_t lo, uintptr_t hi, uintptr_t own_lo,
    uintptr_t own_hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	char line[512];
	int ok = 1;
	while (ok && fgets(line, sizeof line, f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		if (a < hi && b > lo && (a < own_lo || b > own_hi))
			ok = 0;
	}
	fclose(f);
	return ok;
}

/* Moves [lo, hi) onto huge pages covering its 2 MiB-aligned span, when
 * nothing else lies in that span.  Returns 0, or -1 having changed
 * nothing. */
static int move_segment_huge(uintptr_t lo, uintptr_t hi, int prot)
{
	uintptr_t span_lo = lo & ~(HUGE_PAGE - 1);
	uintptr_t span_hi = (hi + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	size_t span = span_hi - span_lo;
	if (!span_free(span_lo, span_hi, lo, hi))
		return -1;
	/* an aligned span inside a reservation one huge page larger */
	char *r = mmap(NULL, span + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return -1;
	char *c = (char *)(((uintptr_t)r + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	if (c > r)
		munmap(r, (size_t)(c - r));
	if (c + span < r + span + HUGE_PAGE)
		munmap(c + span, (size_t)(r + span + HUGE_PAGE - (c + span)));
	if (madvise(c, span, MADV_HUGEPAGE) < 0) {
		munmap(c, span);
		return -1;
	}
	memcpy(c + (lo - span_lo), (const void *)lo, hi - lo);
	if (mprotect(c, span, prot) < 0 || mremap(c, span, span,
	    MREMAP_MAYMOVE | MREMAP_FIXED, (void *)span_lo) == MAP_FAILED) {
		munmap(c, span);
		return -1;
	}
	return 0;
}

static int move_program(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		uintptr_t hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz +
		    page - 1) & ~(page - 1);
		clip_to_own_pages(info, page, &lo, &hi);
		int prot = PROT_READ | (ph->p_flags & PF_X ? PROT_EXEC : 0);
		if (lo < hi && move_segment_huge(lo, hi, prot) < 0)
			move_segment(lo, hi, prot);
	}
	return 1;                            /* the program only */
}

void witness_host_anon_text(void)
{
	dl_iterate_phdr(move_program, NULL);
}
