/*
 * spawner.c -- the process that forks runners.  A fork write-protects
 * every page of the process that forks, and each page it writes afterwards
 * costs a copy-on-write fault and, on a machine with more than one CPU, a
 * TLB shoot-down to the others.  The builder writes a great deal between
 * forks (it reads output, keeps buffers, gives verdicts); the spawner,
 * forked from the builder once per run of witnesses, writes almost
 * nothing, and forks in its place.  Being a fork of the builder, it and
 * its runners keep the builder's address layout (see compiler.c).
 *
 * Protocol, over a SOCK_SEQPACKET socket:
 *   builder -> spawner  struct spawn_request, carrying the runner's four
 *                       descriptors (SCM_RIGHTS): "fork a runner with these"
 *   spawner -> builder  struct spawn_event: 'P' with the new runner's pid
 *                       (or with pid -1 and errno when fork failed), one per
 *                       request, in order; 'W' with a pid and its wait
 *                       status when a runner has ended
 * The spawner exits when the builder closes its end.
 *
 * Divisions: the spawner, the builder's side.
 */
#include "witness/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A request carries its descriptors; the byte only makes the message
 * non-empty, since an empty one would read as end of file. */
struct spawn_request {
	char fork;                   /* 'F' */
};

/* ---- the spawner */

static void send_event(int sock, int kind, pid_t pid, int value)
{
	struct spawn_event e = {kind, pid, value};
	while (send(sock, &e, sizeof e, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Receives one request and its descriptors; returns 1, 0 at end of file,
 * -1 on a malformed message. */
static int recv_request(int sock, struct spawn_request *rq, int fd[4])
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = {rq, sizeof *rq};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r < 0 && errno != ECONNRESET ? -1 : 0;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if ((size_t)r != sizeof *rq || !c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(4 * sizeof(int)))
		return -1;
	memcpy(fd, CMSG_DATA(c), 4 * sizeof(int));
	return 1;
}

static void spawner_main(const struct witness_opts *o,
    const struct witness_area *area, int sock)
{
	/* The builder's handlers (AddressSanitizer's, a test harness's) must
	 * not turn a runner's crash into something else; runners inherit
	 * these defaults. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		_exit(127);
	/* Runners inherit this process's mappings, which hardly change. */
	rlim_t as = witness_sandbox_address_limit(o);
	for (;;) {
		struct pollfd pf[2] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			_exit(127);
		if (pf[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) > 0)
				;
			int st;
			pid_t pid;
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
				send_event(sock, 'W', pid, st);
		}
		if (!pf[0].revents)
			continue;
		struct spawn_request rq;
		int fd[4];
		int r = recv_request(sock, &rq, fd);
		if (r == 0)
			_exit(0);
		if (r < 0)
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			close(sock);
			close(sfd);
			witness_runner_main(o, area, as, fd);
		}
		send_event(sock, 'P', pid, pid < 0 ? errno : 0);
		for (int k = 0; k < 4; k++)
			close(fd[k]);
	}
}

/* ---- the builder's side */

int witness_spawner_start(struct witness_spawner *z,
    const struct witness_opts *o, const struct witness_area *area)
{
	int sv[2];
	z->pid = -1;
	z->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		witness_close_except(sv[1], sv[1]);
		spawner_main(o, area, sv[1]);
	}
	int e = errno;
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		errno = e;
		return -1;
	}
	z->pid = pid;
	z->sock = sv[0];
	return 0;
}

int witness_spawner_request(struct witness_spawner *z, const int fd[4])
{
	struct spawn_request rq = {'F'};
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec iov = {&rq, sizeof rq};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(4 * sizeof(int));
	memcpy(CMSG_DATA(c), fd, 4 * sizeof(int));
	ssize_t r;
	do
		r = sendmsg(z->sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof rq ? 0 : -1;
}

int witness_spawner_read(struct witness_spawner *z, struct spawn_event *e)
{
	ssize_t r;
	do
		r = recv(z->sock, e, sizeof *e, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return r == (ssize_t)sizeof *e ? 1 : -1;
}

void witness_spawner_stop(struct witness_spawner *z)
{
	if (z->pid < 0)
		return;
	close(z->sock);
	int st;
	while (waitpid(z->pid, &st, 0) < 0 && errno == EINTR)
		;
	z->pid = -1;
	z->sock = -1;
}
