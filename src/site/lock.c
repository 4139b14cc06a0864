/*
 * lock.c -- one build or check of a site at a time.
 *
 * Two builds of one site at once (folio serve rebuilding while someone
 * runs make site) share build/site, its staging folder build/site.prev
 * and build/folio.db: each sweeps and renames what the other is writing,
 * and both can end "successfully" with files missing from the site.  So a
 * build or check holds an exclusive flock(2) on build/folio.lock in the
 * site folder from before it reads anything until it has swapped its
 * output in; a second one waits for it, as cargo does, and says so once.
 *
 * The lock belongs to the open file, so the kernel lets go of it when the
 * holder exits or is killed: there is never a stale lock to remove.  The
 * file itself stays (removing it would let a third build lock a new file
 * while a second still waits on the old one).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LOCK_FILE "build/folio.lock"

int site_lock(struct diags *d)
{
	if (dir_make("build") != 0) {
		diags_add(d, DIAG_ERROR, "build", 0, 0, "site",
		    "cannot create folder: %s", strerror(errno));
		return -1;
	}
	/* O_CLOEXEC: a KaTeX worker that serve keeps between builds must
	 * not hold the lock after the build that started it. */
	int fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		diags_add(d, DIAG_ERROR, LOCK_FILE, 0, 0, "site",
		    "cannot open the lock file: %s", strerror(errno));
		return -1;
	}
	int r = flock(fd, LOCK_EX | LOCK_NB);
	if (r != 0 && errno == EWOULDBLOCK) {
		fprintf(stderr, "folio: waiting for another build of this "
		    "site to finish\n");
		fflush(stderr);
		while ((r = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
			;
	}
	if (r != 0) {
		diags_add(d, DIAG_ERROR, LOCK_FILE, 0, 0, "site",
		    "cannot lock: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void site_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
