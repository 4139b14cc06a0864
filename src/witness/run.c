/*
 * run.c -- running witnesses: one forked child per witness, which compiles
 * the code with libtcc (0.9.27 is not reentrant; a child per compile makes
 * parallel compiles safe) and runs its main under the sandbox, while the
 * parent collects stdout, stderr and a control channel through pipes,
 * enforces the wall clock and the output cap, and keeps `jobs` children
 * going at once.
 *
 * Divisions: the child, jobs (start, read, finish), witness_run_all.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libtcc.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the child */

#define CTL_FD 3

static void ctl_write(const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		ssize_t w = write(CTL_FD, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* libtcc's error callback: each message goes to the control channel with
 * its NUL. */
static void tcc_message(void *opaque, const char *msg)
{
	(void)opaque;
	ctl_write(msg, strlen(msg) + 1);
}

/* Compiles it->code; returns its main, or NULL after sending the compiler's
 * messages (the control channel then reads "C" + messages). */
static void *child_compile(const struct witness_opts *o,
    const struct witness_item *it)
{
	ctl_write("C", 1);
	TCCState *s = tcc_new();
	if (!s) {
		tcc_message(NULL, "tcc: error: cannot start libtcc");
		return NULL;
	}
	tcc_set_error_func(s, NULL, tcc_message);
	tcc_set_options(s, "-nostdinc -nostdlib");
	tcc_add_sysinclude_path(s, o->include_dir);
	if (o->flow_dir)
		tcc_add_sysinclude_path(s, o->flow_dir);
	if (tcc_set_output_type(s, TCC_OUTPUT_MEMORY) < 0 ||
	    tcc_compile_string(s, it->code) < 0)
		return NULL;
	if (tcc_add_file(s, o->tcc_lib) < 0)
		return NULL;
	for (const struct witness_symbol *y = witness_symbols; y->name; y++)
		tcc_add_symbol(s, y->name, y->addr);
	if (tcc_relocate(s, TCC_RELOCATE_AUTO) < 0)
		return NULL;
	void *m = tcc_get_symbol(s, "main");
	if (!m)
		tcc_message(NULL, "tcc: error: no main function");
	/* s stays alive: main's code lives in it until the child exits. */
	return m;
}

/* The forked child: never returns. */
static void child(const struct witness_opts *o, const struct witness_item *it,
    int out, int err, int ctl)
{
	if (dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup2(ctl, CTL_FD) < 0)
		_exit(127);
	close(0);
	close_range(CTL_FD + 1, ~0u, 0);
	/* The builder's handlers (AddressSanitizer's, a test harness's) must
	 * not turn a crash into something else. */
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	if (witness_sandbox_limits(o) < 0) {
		char *m = xasprintf("Fcannot set resource limits: %s",
		    strerror(errno));
		ctl_write(m, strlen(m));
		_exit(127);
	}
	int (*m)(int, char **) = (int (*)(int, char **))child_compile(o, it);
	if (!m)
		_exit(0);
	if (witness_sandbox_filter() < 0) {
		char *e = xasprintf("Fcannot install the system-call filter: "
		    "%s", strerror(errno));
		ctl_write(e, strlen(e));
		_exit(127);
	}
	ctl_write("R", 1);
	close(CTL_FD);
	witness_line_offset = it->code_line - 1;
	char *argv[] = {(char *)"witness", NULL};
	int rc = m(1, argv);
	fflush(stdout);
	fflush(stderr);
	_exit(rc & 0xff);
}

/* ---- jobs */

enum { PIPE_OUT, PIPE_ERR, PIPE_CTL, NPIPES };

struct job {
	struct witness_item *it;
	pid_t pid;
	int fd[NPIPES];              /* read ends, -1 once at end of file */
	int pidfd;                   /* readable when the child exits, or -1 */
	struct buf data[NPIPES];
	double start, deadline;      /* ms on the monotonic clock */
	enum witness_kill killed;
	int reaped, wstatus;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void job_close(struct job *j, int k)
{
	if (j->fd[k] >= 0)
		close(j->fd[k]);
	j->fd[k] = -1;
}

/* Forks the child for j->it.  Returns 0, or -1 with errno set. */
static int job_start(const struct witness_opts *o, struct job *j)
{
	int p[NPIPES][2];
	int made = 0;
	for (; made < NPIPES; made++)
		if (pipe2(p[made], O_CLOEXEC) < 0)
			goto fail;
	fflush(NULL);
	j->start = now_ms();
	j->deadline = j->start + o->timeout_ms;
	j->pid = fork();
	if (j->pid < 0)
		goto fail;
	if (j->pid == 0)
		child(o, j->it, p[PIPE_OUT][1], p[PIPE_ERR][1], p[PIPE_CTL][1]);
	for (int k = 0; k < NPIPES; k++) {
		close(p[k][1]);
		j->fd[k] = p[k][0];
		fcntl(j->fd[k], F_SETFL, O_NONBLOCK);
	}
#ifdef SYS_pidfd_open
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
#else
	j->pidfd = -1;
#endif
	return 0;
fail:;
	int e = errno;
	for (int k = 0; k < made; k++) {
		close(p[k][0]);
		close(p[k][1]);
	}
	errno = e;
	return -1;
}

/* Kills j's child for the given reason and stops reading from it. */
static void job_kill(struct job *j, enum witness_kill why)
{
	if (j->killed == WITNESS_KILL_NONE)
		j->killed = why;
	kill(j->pid, SIGKILL);
	job_close(j, PIPE_OUT);
	job_close(j, PIPE_ERR);
}

/* Reads what pipe k of j has; kills the child when its stdout and stderr
 * together pass cap bytes. */
static void job_read(struct job *j, int k, size_t cap)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = read(j->fd[k], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;                  /* EAGAIN: nothing more now */
		if (r == 0) {
			job_close(j, k);
			return;
		}
		if (k == PIPE_CTL) {
			buf_put(&j->data[k], tmp, (size_t)r);
			continue;
		}
		size_t have = j->data[PIPE_OUT].len + j->data[PIPE_ERR].len;
		size_t room = have < cap ? cap - have : 0;
		buf_put(&j->data[k], tmp, (size_t)r < room ? (size_t)r : room);
		if ((size_t)r > room) {
			job_kill(j, WITNESS_KILL_OUTPUT);
			return;
		}
	}
}

/* Reaps j's child if it has exited (blocking when it was killed).
 * Returns 1 once reaped. */
static int job_reap(struct job *j)
{
	if (j->reaped)
		return 1;
	int flags = j->killed != WITNESS_KILL_NONE ? 0 : WNOHANG;
	pid_t r;
	do
		r = waitpid(j->pid, &j->wstatus, flags);
	while (r < 0 && errno == EINTR);
	if (r == j->pid)
		j->reaped = 1;
	return j->reaped;
}

static int job_done(const struct job *j)
{
	return j->reaped && j->fd[PIPE_OUT] < 0 && j->fd[PIPE_ERR] < 0 &&
	    j->fd[PIPE_CTL] < 0;
}

static void job_finish(const struct witness_opts *o, struct job *j,
    struct diags *d)
{
	struct witness_item *it = j->it;
	it->ms = now_ms() - j->start;
	it->stdout_text = buf_detach(&j->data[PIPE_OUT]);
	it->stderr_text = buf_detach(&j->data[PIPE_ERR]);
	size_t ctl_len = j->data[PIPE_CTL].len;  /* it holds NULs */
	char *ctl = buf_detach(&j->data[PIPE_CTL]);
	struct witness_run r = {j->wstatus, j->killed, ctl, ctl_len};
	witness_verdict(o, it, &r, d);
	free(ctl);
	if (j->pidfd >= 0)
		close(j->pidfd);
	j->pidfd = -1;
}

/* ---- witness_run_all */

void witness_item_clear(struct witness_item *it)
{
	if (!it)
		return;
	free(it->stdout_text);
	free(it->stderr_text);
	it->stdout_text = it->stderr_text = NULL;
	it->status = WITNESS_PENDING;
	it->exit_code = 0;
	it->ms = 0;
}

static void opts_fill(struct witness_opts *o)
{
	if (o->timeout_ms <= 0)
		o->timeout_ms = WITNESS_DEFAULT_TIMEOUT_MS;
	if (o->cpu_s <= 0)
		o->cpu_s = WITNESS_DEFAULT_CPU_S;
	if (o->memory_mb <= 0)
		o->memory_mb = WITNESS_DEFAULT_MEMORY_MB;
	if (o->output_kb <= 0)
		o->output_kb = WITNESS_DEFAULT_OUTPUT_KB;
	if (o->jobs <= 0)
		o->jobs = 1;
	if (!o->tcc_lib)
		o->tcc_lib = WITNESS_DEFAULT_TCC_LIB;
}

int witness_run_all(const struct witness_opts *opts, struct witness_item *items,
    size_t n, struct diags *d)
{
	struct witness_opts o = *opts;
	opts_fill(&o);
	for (size_t i = 0; i < n; i++)
		witness_item_clear(&items[i]);
	if (n == 0)
		return 0;
	if (!o.include_dir || !path_is_dir(o.include_dir)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot find the witness prelude folder %s",
		    o.include_dir ? o.include_dir : "(none given)");
		return -1;
	}
	if (!path_exists(o.tcc_lib)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot find tcc's runtime library %s", o.tcc_lib);
		return -1;
	}
	size_t cap = (size_t)o.output_kb * 1024;
	size_t nslots = (size_t)o.jobs < n ? (size_t)o.jobs : n;
	struct job *jobs = xcalloc(nslots, sizeof *jobs);
	struct pollfd *pf = xcalloc(nslots * (NPIPES + 1), sizeof *pf);
	struct job **owner = xcalloc(nslots * (NPIPES + 1), sizeof *owner);
	size_t next = 0, running = 0, failed = 0;
	for (;;) {
		/* fill free slots */
		for (size_t s = 0; s < nslots && next < n; s++) {
			if (jobs[s].it)
				continue;
			struct job *j = &jobs[s];
			memset(j, 0, sizeof *j);
			j->it = &items[next++];
			if (job_start(&o, j) < 0) {
				j->it->status = WITNESS_SYSTEM_ERROR;
				diags_add(d, DIAG_ERROR, j->it->path,
				    j->it->code_line, 1, "witness",
				    "witness `%s` could not be started: %s",
				    j->it->name, strerror(errno));
				failed++;
				j->it = NULL;
				continue;
			}
			running++;
		}
		if (running == 0)
			break;
		/* wait for data, an exit, or the nearest deadline */
		size_t npf = 0;
		double t = now_ms(), wait = 1e9;
		int unreaped_eof = 0;
		for (size_t s = 0; s < nslots; s++) {
			struct job *j = &jobs[s];
			if (!j->it)
				continue;
			for (int k = 0; k < NPIPES; k++) {
				if (j->fd[k] < 0)
					continue;
				pf[npf] = (struct pollfd){j->fd[k], POLLIN, 0};
				owner[npf++] = j;
			}
			if (j->pidfd >= 0 && !j->reaped) {
				pf[npf] = (struct pollfd){j->pidfd, POLLIN, 0};
				owner[npf++] = j;
			} else if (j->pidfd < 0 && !j->reaped) {
				unreaped_eof = 1;
			}
			if (j->deadline - t < wait)
				wait = j->deadline - t;
		}
		if (unreaped_eof && wait > 1)
			wait = 1;                /* no pidfd: poll for the exit */
		int ms = wait <= 0 ? 0 : (int)wait + 1;
		if (poll(pf, npf, ms) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < npf; k++) {
			struct job *j = owner[k];
			if (!pf[k].revents)
				continue;
			if (pf[k].fd == j->pidfd) {
				job_reap(j);
				continue;
			}
			for (int q = 0; q < NPIPES; q++)
				if (j->fd[q] == pf[k].fd)
					job_read(j, q, cap);
		}
		t = now_ms();
		for (size_t s = 0; s < nslots; s++) {
			struct job *j = &jobs[s];
			if (!j->it)
				continue;
			if (!j->reaped && t >= j->deadline)
				job_kill(j, WITNESS_KILL_TIMEOUT);
			if (j->killed != WITNESS_KILL_NONE) {
				/* drain what the control channel has */
				if (j->fd[PIPE_CTL] >= 0)
					job_read(j, PIPE_CTL, cap);
				job_close(j, PIPE_CTL);
				job_reap(j);
			} else if (j->pidfd < 0) {
				job_reap(j);
			}
			if (!job_done(j))
				continue;
			job_finish(&o, j, d);
			if (j->it->status != WITNESS_PASS)
				failed++;
			j->it = NULL;
			running--;
		}
	}
	free(owner);
	free(pf);
	free(jobs);
	return failed ? -1 : 0;
}
