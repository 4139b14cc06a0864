/*
 * host_client.c -- the builder's side of the witness host (host/host.c): it
 * starts the host, takes its hello (the addresses witnesses link against),
 * asks it for runners and reads what it says about them.  The protocol is
 * described in host/host.c.
 *
 * The host is a static executable embedded in folio (host_image.S).  It is
 * written once per process to an anonymous file (memfd) and started from
 * there, so that folio needs no file beside it, wherever it is installed.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The host's executable, from host_image.S. */
extern const char witness_host_image[], witness_host_image_end[];

#define HELLO_TIMEOUT_MS 10000

/* Linux 6.3 and later can make anonymous files unexecutable by default
 * (sysctl vm.memfd_noexec); this flag asks for an executable one.  Older
 * kernels reject it, and make them executable anyway. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* The executable as an open anonymous file, made on first use; -1 when it
 * cannot be made. */
static int host_file(void)
{
	static int fd = -1;
	if (fd >= 0)
		return fd;
	int f = memfd_create("folio-witness-host", MFD_CLOEXEC | MFD_EXEC);
	if (f < 0 && errno == EINVAL)
		f = memfd_create("folio-witness-host", MFD_CLOEXEC);
	if (f >= 0 && f <= 3) {
		/* The host is started by this descriptor's /proc path after
		 * its socket has been moved to 3: keep clear of 0-3. */
		int g = fcntl(f, F_DUPFD_CLOEXEC, 4);
		close(f);
		f = g;
	}
	if (f < 0)
		return -1;
	size_t n = (size_t)(witness_host_image_end - witness_host_image);
	if (witness_write_full(f, witness_host_image, n) < 0) {
		int e = errno;
		close(f);
		errno = e;
		return -1;
	}
	return fd = f;
}

/* Reads the host's hello into z->addr; returns 0, or -1 with errno set. */
static int read_hello(struct witness_host *z)
{
	size_t want = witness_symbol_count();
	size_t len = sizeof(struct witness_host_hello) + want * sizeof(uint64_t);
	char *msg = xmalloc(len + 1);
	struct pollfd pf = {z->sock, POLLIN, 0};
	ssize_t r = -1;
	int ready;
	while ((ready = poll(&pf, 1, HELLO_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (ready == 0)
		errno = ETIMEDOUT;
	if (ready == 1)
		r = recv(z->sock, msg, len + 1, 0);
	struct witness_host_hello h = {0};
	if (r >= (ssize_t)sizeof h)
		memcpy(&h, msg, sizeof h);
	int e = r < 0 ? errno : 0;
	if (r >= (ssize_t)sizeof h && h.error)
		e = h.error;              /* it could not reserve the area */
	else if (r != (ssize_t)len || h.version != WITNESS_HOST_VERSION ||
	    h.nsymbols != want)
		e = e ? e : EPROTO;       /* gone, or from another build */
	if (!e) {
		free(z->addr);
		z->addr = xmalloc(want * sizeof *z->addr);
		memcpy(z->addr, msg + sizeof h, want * sizeof *z->addr);
		z->shared_filter = h.shared_filter != 0;
	}
	free(msg);
	errno = e;
	return e ? -1 : 0;
}

int witness_host_start(struct witness_host *z,
    const struct witness_opts *o, const struct witness_area *area)
{
	int sv[2], exe = host_file();
	z->pid = -1;
	z->sock = -1;
	if (exe < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv) < 0)
		return -1;
	char path[64], cpu[16], mem[16], base[32], size[32];
	snprintf(path, sizeof path, "/proc/self/fd/%d", exe);
	snprintf(cpu, sizeof cpu, "%d", o->cpu_s);
	snprintf(mem, sizeof mem, "%d", o->memory_mb);
	snprintf(base, sizeof base, "%jx", (uintmax_t)(uintptr_t)area->base);
	snprintf(size, sizeof size, "%zx", area->size);
	char *argv[] = {"folio-witness-host", cpu, mem, base, size,
	    o->filter_per_runner ? "1" : "0", NULL};
	char *envp[] = {NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	fflush(NULL);
	int rc = posix_spawn(&z->pid, path, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		z->pid = -1;
		errno = rc;
		return -1;
	}
	z->sock = sv[0];
	if (read_hello(z) < 0) {
		int e = errno;
		kill(z->pid, SIGKILL);
		witness_host_stop(z);
		errno = e;
		return -1;
	}
	return 0;
}

int witness_host_request(struct witness_host *z, const int fd[4])
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

int witness_host_read(struct witness_host *z, struct spawn_event *e)
{
	ssize_t r;
	do
		r = recv(z->sock, e, sizeof *e, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return r == (ssize_t)sizeof *e ? 1 : -1;
}

void witness_host_stop(struct witness_host *z)
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
