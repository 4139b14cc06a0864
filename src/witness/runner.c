/*
 * runner.c -- the process a witness runs in.  Runners are forked ahead of
 * need (spares) by the spawner (spawner.c).  A spare moves its descriptors
 * into place, sets its limits, installs the system-call filter and waits
 * on a socket for a compiled image from the compile server (compiler.c).
 * Given one, it maps it at the agreed address and calls main.  When main
 * returns (or the witness calls exit) it flushes and closes its output
 * before the process ends, so that the builder has the whole result
 * without waiting for the kernel to take the address space down.  A spare
 * that gets end of file instead of an image just exits.
 *
 * Descriptors in the runner: 0 the image socket (closed before main),
 * 1 stdout, 2 stderr, 3 the control channel ("R" when main is called, or
 * "F" + message when the sandbox could not be set up).
 *
 * Divisions: the child, the parent's side.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define CTL_FD 3

/* What the builder sends before the image itself. */
struct runner_head {
	uint64_t image_len;          /* bytes of machine code that follow */
	uint64_t entry;              /* offset of main in them */
	int64_t line_offset;         /* .md line of the first code line - 1 */
};

/* ---- the child */

/* Reports a sandbox failure on the control channel and exits. */
static void fail(const char *what)
{
	char *m = xasprintf("F%s: %s", what, strerror(errno));
	witness_write_full(CTL_FD, m, strlen(m));
	_exit(127);
}

void witness_child_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	close(1);
	close(2);
	close(CTL_FD);
	_exit(status & 0xff);
}

void witness_runner_main(const struct witness_opts *o,
    const struct witness_area *area, rlim_t as, const int fd[4])
{
	if (dup2(fd[0], 0) < 0 || dup2(fd[1], 1) < 0 || dup2(fd[2], 2) < 0 ||
	    dup2(fd[3], CTL_FD) < 0)
		_exit(127);
	close_range(CTL_FD + 1, ~0u, 0);
	/* Signal handlers are the defaults already (the spawner set them). */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The filter goes on before the image comes: installing it takes
	 * time (the kernel compiles it), which a spare spends while it
	 * waits.  It lets the runner read, which is harmless: descriptor 0
	 * is closed before main, and no call that opens one is allowed. */
	if (witness_sandbox_limits(o, as) < 0)
		fail("cannot set resource limits");
	if (witness_sandbox_filter() < 0)
		fail("cannot install the system-call filter");
	struct runner_head h;
	if (witness_read_full(0, &h, sizeof h) < 0)
		_exit(0);                        /* not needed after all */
	size_t span = witness_page_round((size_t)h.image_len);
	if (h.image_len > area->size || h.entry >= h.image_len)
		_exit(127);
	if (mprotect(area->base, span, PROT_READ | PROT_WRITE) < 0)
		fail("cannot map the compiled witness");
	if (witness_read_full(0, area->base, (size_t)h.image_len) < 0)
		_exit(127);
	if (mprotect(area->base, span, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		fail("cannot map the compiled witness");
	close(0);
	witness_write_full(CTL_FD, "R", 1);
	witness_line_offset = (int)h.line_offset;
	int (*m)(int, char **) =
	    (int (*)(int, char **))(void *)((char *)area->base + h.entry);
	char *argv[] = {(char *)"witness", NULL};
	witness_child_exit(m(1, argv));
}

/* ---- the parent's side */

int witness_runner_prepare(struct witness_runner *r, int child_fd[4])
{
	int sock[2], p[NPIPES][2];
	int made = 0;
	memset(r, 0, sizeof *r);
	r->pid = -1;
	r->img = -1;
	for (int k = 0; k < NPIPES; k++)
		r->fd[k] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
		return -1;
	for (; made < NPIPES; made++)
		if (pipe2(p[made], O_CLOEXEC) < 0)
			goto fail;
	r->img = sock[0];
	child_fd[0] = sock[1];
	for (int k = 0; k < NPIPES; k++) {
		r->fd[k] = p[k][0];
		fcntl(r->fd[k], F_SETFL, O_NONBLOCK);
		child_fd[1 + k] = p[k][1];
	}
	return 0;
fail:;
	int e = errno;
	close(sock[0]);
	close(sock[1]);
	for (int k = 0; k < made; k++) {
		close(p[k][0]);
		close(p[k][1]);
	}
	errno = e;
	return -1;
}

int witness_runner_send(struct witness_runner *r, const void *image,
    size_t len, size_t entry, int line_offset)
{
	/* One message, so that the runner wakes once. */
	struct runner_head h = {len, entry, line_offset};
	size_t n = sizeof h + len;
	char *msg = xmalloc(n), *s = msg;
	memcpy(msg, &h, sizeof h);
	memcpy(msg + sizeof h, image, len);
	int rc = 0;
	while (n > 0) {
		/* MSG_NOSIGNAL: a runner that died is an error, not a SIGPIPE
		 * in the builder. */
		ssize_t w = send(r->img, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		s += w;
		n -= (size_t)w;
	}
	free(msg);
	close(r->img);
	r->img = -1;
	return rc;
}
