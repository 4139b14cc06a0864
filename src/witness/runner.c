/*
 * runner.c -- the builder's side of a runner (host/runner.c is the
 * runner itself): the socket and pipes a runner is forked with, and the
 * compiled image sent to it.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
	struct witness_runner_head h = {len, entry, line_offset};
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
