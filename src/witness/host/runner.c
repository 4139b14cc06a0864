/*
 * runner.c -- the process a witness runs in.  Runners are forked by the
 * witness host (host.c) when the builder asks for one (../run.c decides
 * when).  A new runner (a spare) moves its descriptors into place, sets
 * its limits, installs the system-call filter and reads a compiled image
 * from a socket (the builder sends it the compile server's answer,
 * ../compiler.c).  Given one, it maps it at the agreed address and calls
 * main.  When main returns (or the witness calls exit) it flushes and
 * closes its output before the process ends, so that the builder has the
 * whole result without waiting for the kernel to take the address space
 * down.  A spare that gets end of file instead of an image just exits.
 *
 * Descriptors in the runner: 0 the image socket (closed before main),
 * 1 stdout, 2 stderr, 3 the control channel ("R" when main is called, or
 * "F" + message when the sandbox could not be set up).
 */
#include "witness/internal.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CTL_FD 3

/* Reports a sandbox failure on the control channel and exits. */
static void fail(const char *what)
{
	char m[256];
	int n = snprintf(m, sizeof m, "F%s: %s", what, strerror(errno));
	witness_write_full(CTL_FD, m, (size_t)n < sizeof m ? (size_t)n :
	    sizeof m - 1);
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
    const struct witness_area *area, rlim_t as, int scope, const int fd[4])
{
	if (dup2(fd[0], 0) < 0 || dup2(fd[1], 1) < 0 || dup2(fd[2], 2) < 0 ||
	    dup2(fd[3], CTL_FD) < 0)
		_exit(127);
	/* Under the host's filter, a Landlock domain of its own keeps this
	 * runner from signalling any other process (sandbox.c). */
	if (scope >= 0 && witness_sandbox_scope(scope) < 0)
		fail("cannot confine the runner's signals");
	close_range(CTL_FD + 1, ~0u, 0);
	/* Signal handlers are the defaults already (the host set them). */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The filter goes on before the image is read, so it lets the
	 * runner read, which is harmless: descriptor 0 is closed before
	 * main, and no call that opens one is allowed. */
	if (witness_sandbox_limits(o, as) < 0)
		fail("cannot set resource limits");
	if (scope < 0 && witness_sandbox_filter() < 0)
		fail("cannot install the system-call filter");
	struct witness_runner_head h;
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
