/*
 * compiler.c -- the compile server: one process, forked from the builder
 * when a run of witnesses starts, that compiles each witness with libtcc
 * and sends back its machine code, relocated for the address where a
 * runner (host/runner.c) will map it and linked to the witness host's
 * copies of the prelude's functions.
 *
 * Why a process of its own, and not a compile in each witness's child:
 * libtcc writes to about a hundred pages per compile, and in a freshly
 * forked child every one of them is a page fault, which on a paravirtual
 * machine costs 10-15 us.  Compiling in the child took about 1.8 ms, two
 * thirds of it in faults.  A process that never forks keeps its pages (its
 * malloc is told not to give memory back), so a compile costs about 0.5 ms.
 * The code refers to the prelude's functions by their addresses in the
 * host (host/host.c), which tells them in its hello; the area the image is
 * relocated for is reserved at the same address in the builder (so in
 * this server) and in the host.  libtcc 0.9.27 is not reentrant: the
 * server compiles one witness at a time.
 *
 * Protocol, over two pipes, in native byte order:
 *   request  uint64 length, then the code
 *   answer   struct compiler_head, then msgs_len bytes of compiler messages
 *            (each ending in NUL), then image_len bytes of machine code
 * The server exits when its request pipe reaches end of file.  Before its
 * first compile it confines itself to the prelude's files (confine.c).
 *
 * Divisions: the server, the client.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libtcc.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the server */

/* Memory libtcc may use beyond the witness's own memory limit. */
#define COMPILER_ROOM_MB 256

/* libtcc's error callback: each message into the buffer with its NUL. */
static void tcc_message(void *opaque, const char *msg)
{
	buf_put(opaque, msg, strlen(msg) + 1);
}

/* Compiles code for the address area->base; on success fills *head with
 * the image's size and entry, the image being at area->base.  Messages go
 * to msgs. */
static void compile_one(const struct witness_opts *o,
    const struct witness_area *area, const uint64_t *addr, const char *code,
    struct compiler_head *head, struct buf *msgs)
{
	memset(head, 0, sizeof *head);
	TCCState *s = tcc_new();
	if (!s) {
		tcc_message(msgs, "tcc: error: cannot start libtcc");
		return;
	}
	tcc_set_error_func(s, msgs, tcc_message);
	tcc_set_options(s, "-nostdinc -nostdlib");
	tcc_add_sysinclude_path(s, o->include_dir);
	if (o->flow_dir)
		tcc_add_sysinclude_path(s, o->flow_dir);
	if (tcc_set_output_type(s, TCC_OUTPUT_MEMORY) < 0 ||
	    tcc_compile_string(s, code) < 0 || tcc_add_file(s, o->tcc_lib) < 0)
		goto out;
	for (size_t i = 0; witness_symbols[i].name; i++)
		tcc_add_symbol(s, witness_symbols[i].name,
		    (const void *)(uintptr_t)addr[i]);
	int size = tcc_relocate(s, NULL);
	if (size < 0)
		goto out;
	if ((size_t)size > area->size) {
		char m[160];
		snprintf(m, sizeof m, "tcc: error: the compiled witness takes "
		    "%d KiB, more than its memory limit", size / 1024);
		tcc_message(msgs, m);
		goto out;
	}
	if (mprotect(area->base, witness_page_round((size_t)size),
	    PROT_READ | PROT_WRITE) < 0 || tcc_relocate(s, area->base) < 0)
		goto out;
	char *m = tcc_get_symbol(s, "main");
	if (!m) {
		tcc_message(msgs, "tcc: error: no main function");
		goto out;
	}
	head->ok = 1;
	head->image_len = (uint64_t)size;
	head->entry = (uint64_t)(m - (char *)area->base);
out:
	tcc_delete(s);
}

/* Caps the memory this process may add to what it has now (RLIMIT_DATA,
 * relative, so that it holds under AddressSanitizer's huge mappings too):
 * a witness's image fits in its memory limit, and libtcc needs some room
 * of its own besides.  Without this, a witness declaring gigabytes of
 * initialised data makes libtcc allocate them until the compile times
 * out. */
static void limit_data(const struct witness_opts *o)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kb = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmData: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	if (!kb)
		return;
	rlim_t cap = (rlim_t)kb * 1024 +
	    ((rlim_t)o->memory_mb + COMPILER_ROOM_MB) * 1024 * 1024;
	struct rlimit r = {cap, cap};
	setrlimit(RLIMIT_DATA, &r);
}

/* The server's loop: never returns. */
static void serve(const struct witness_opts *o,
    const struct witness_area *area, const uint64_t *addr, int in, int out)
{
	/* Keep freed memory mapped: a page given back is a fault next time. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_FSIZE, &none);
	setrlimit(RLIMIT_CORE, &none);
	signal(SIGPIPE, SIG_DFL);
	limit_data(o);
	uint32_t unconfined = witness_confine_compiler(o) < 0 ? (uint32_t)errno
	    : 0;
	struct buf msgs = {0}, answer = {0};
	char *code = NULL;
	for (;;) {
		uint64_t len;
		if (witness_read_full(in, &len, sizeof len) < 0)
			_exit(0);
		code = xrealloc(code, (size_t)len + 1);
		if (witness_read_full(in, code, (size_t)len) < 0)
			_exit(0);
		code[len] = '\0';
		msgs.len = 0;
		struct compiler_head head;
		compile_one(o, area, addr, code, &head, &msgs);
		head.unconfined = unconfined;
		head.msgs_len = msgs.len;
		/* One write, so that the builder wakes once. */
		answer.len = 0;
		buf_put(&answer, &head, sizeof head);
		buf_put(&answer, msgs.data, msgs.len);
		buf_put(&answer, area->base, (size_t)head.image_len);
		if (witness_write_full(out, answer.data, answer.len) < 0)
			_exit(0);
	}
}

/* ---- the client */

int witness_compiler_start(struct witness_compiler *c,
    const struct witness_opts *o, const struct witness_area *area,
    const uint64_t *addr)
{
	int req[2], ans[2];
	c->pid = -1;                 /* c->answer is kept for reuse */
	c->to = c->from = -1;
	if (pipe2(req, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ans, O_CLOEXEC) < 0) {
		int e = errno;
		close(req[0]);
		close(req[1]);
		errno = e;
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		witness_close_except(req[0], ans[1]);
		serve(o, area, addr, req[0], ans[1]);
	}
	int e = errno;
	close(req[0]);
	close(ans[1]);
	if (pid < 0) {
		close(req[1]);
		close(ans[0]);
		errno = e;
		return -1;
	}
	c->pid = pid;
	c->to = req[1];
	c->from = ans[0];
	fcntl(c->from, F_SETFL, O_NONBLOCK);
	return 0;
}

int witness_compiler_send(struct witness_compiler *c, const char *code)
{
	uint64_t len = strlen(code);
	c->answer.len = 0;
	/* One write, so that the server wakes once. */
	struct buf req = {0};
	buf_put(&req, &len, sizeof len);
	buf_put(&req, code, (size_t)len);
	int rc = witness_write_full(c->to, req.data, req.len);
	buf_free(&req);
	return rc;
}

int witness_compiler_read(struct witness_compiler *c)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = read(c->from, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;                   /* EAGAIN: nothing more now */
		if (r == 0)
			return -1;
		buf_put(&c->answer, tmp, (size_t)r);
	}
	if (c->answer.len < sizeof(struct compiler_head))
		return 0;
	struct compiler_head h;
	memcpy(&h, c->answer.data, sizeof h);
	return c->answer.len >= sizeof h + h.msgs_len + h.image_len;
}

int witness_compiler_stop(struct witness_compiler *c, int kill_it)
{
	int status = 0;
	if (c->pid < 0)
		return 0;
	if (kill_it)
		kill(c->pid, SIGKILL);
	close(c->to);
	close(c->from);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
	c->to = c->from = -1;
	return status;
}
