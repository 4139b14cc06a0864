/*
 * host.c -- the witness host: a small static program, embedded in folio
 * (../host_image.S) and started by the builder once per run of witnesses,
 * that forks the runners witnesses run in (runner.c).
 *
 * Why a program of its own, and not forks of the builder: on a paravirtual
 * machine, making and tearing down an address space costs in proportion
 * to its mappings and page tables, and folio maps twenty shared libraries
 * that a witness never calls.  This program holds only the C library,
 * libm, the flow library and the sandbox, and a witness in a fork of it
 * costs less: 500 witnesses took 2.5 s of CPU time instead of 2.9 s, side
 * by side on the development machine.  It also runs witnesses in a clean
 * process: no handler, lock, locale or buffer of the builder's carries
 * over.  Being static and not position-independent, it has the same
 * addresses every time it starts; it tells the builder the address of
 * every symbol a witness may link against, and the compile server (a fork
 * of the builder) links each witness to them.
 *
 * Usage (by the builder): HOST CPU_S MEMORY_MB AREA_BASE AREA_SIZE
 * PER_RUNNER, with a SOCK_SEQPACKET socket to the builder as descriptor 3.
 * AREA_BASE and AREA_SIZE (hexadecimal, bytes) are the address range the
 * builder has reserved for compiled witnesses; the host reserves the same
 * range, so that a runner finds it free.  PER_RUNNER is 1 when each runner
 * must install its own system-call filter (witness_opts), else 0.
 *
 * Protocol, over the socket:
 *   host -> builder     struct witness_host_hello, then the symbols'
 *                       addresses (uint64, in witness_symbols order), in
 *                       one message, once
 *   builder -> host     struct spawn_request, carrying the runner's four
 *                       descriptors (SCM_RIGHTS): "fork a runner with these"
 *   host -> builder     struct spawn_event: 'P' with the new runner's pid
 *                       (or with pid -1 and errno when fork failed), one per
 *                       request, in order; 'W' with a pid and its wait
 *                       status when a runner has ended
 * The host exits when the builder closes its end.
 */
#include "witness/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOCK_FD 3

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

/* Says hello: error is 0, or the errno of reserving the area. */
static void send_hello(int sock, int error, int shared_filter)
{
	size_t n = witness_symbol_count();
	size_t len = sizeof(struct witness_host_hello) + n * sizeof(uint64_t);
	char *msg = calloc(1, len);
	if (!msg)
		_exit(127);
	struct witness_host_hello h = {WITNESS_HOST_VERSION, error,
	    (uint32_t)shared_filter, 0, n};
	memcpy(msg, &h, sizeof h);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = (uint64_t)(uintptr_t)witness_symbols[i].addr;
		memcpy(msg + sizeof h + i * sizeof a, &a, sizeof a);
	}
	while (send(sock, msg, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	free(msg);
}

/* Forks a runner per request and reports on them; never returns.  as is
 * the runners' RLIMIT_AS, scope their Landlock ruleset or -1
 * (witness_sandbox_share), sfd a signalfd for SIGCHLD. */
static void serve(const struct witness_opts *o,
    const struct witness_area *area, rlim_t as, int scope, int sock,
    int sfd)
{
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
			witness_runner_main(o, area, as, scope, fd);
		}
		send_event(sock, 'P', pid, pid < 0 ? errno : 0);
		for (int k = 0; k < 4; k++)
			close(fd[k]);
	}
}

int main(int argc, char **argv)
{
	if (argc != 6)
		return 2;
	/* Only the builder's socket stays open, and every signal has its
	 * default action (an ignored SIGPIPE survives exec, and a runner
	 * must die of it like any program). */
	close_range(SOCK_FD + 1, ~0u, 0);
	witness_host_anon_text();
	/* A runner's stdout is a pipe, for which the C library would make a
	 * 4 KiB buffer at the first printf, with an fstat and a malloc whose
	 * pages the runner then faults in.  One buffer of this program's own,
	 * set once here, saves every runner that.  bench-witness, ten runs of
	 * each side by side: median witness 1.53-1.70 ms against 1.63-1.75 ms
	 * (lower in all ten), 449-495 witnesses a second against 423-476. */
	static char stdout_buf[4096] __attribute__((aligned(4096)));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	struct witness_opts o = {.cpu_s = atoi(argv[1]),
	    .memory_mb = atoi(argv[2])};
	struct witness_area area = {
		(void *)(uintptr_t)strtoull(argv[3], NULL, 16),
		(size_t)strtoull(argv[4], NULL, 16),
	};
	void *got = mmap(area.base, area.size, PROT_NONE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	int error = got == MAP_FAILED ? errno : got != area.base ? EEXIST : 0;
	/* Runners inherit this process's mappings, which hardly change. */
	rlim_t as = witness_sandbox_address_limit(&o);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		error = errno;
	/* The last step of setting up: from here on, only the calls the
	 * filter lets through. */
	int scope = error || argv[5][0] == '1' ? -1 : witness_sandbox_share();
	send_hello(SOCK_FD, error, scope >= 0);
	if (error)
		return 1;
	serve(&o, &area, as, scope, SOCK_FD, sfd);
}
