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
 */
#include "witness/internal.h"

#include <link.h>
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
		if (lo < hi)
			move_segment(lo, hi, PROT_READ |
			    (ph->p_flags & PF_X ? PROT_EXEC : 0));
	}
	return 1;                            /* the program only */
}

void witness_host_anon_text(void)
{
	dl_iterate_phdr(move_program, NULL);
}
