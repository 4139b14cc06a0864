/*
 * run.c -- running witnesses.  Four kinds of process take part: the
 * witness host (host/host.c), a small static program that forks runners
 * and tells where the functions witnesses call are in it; the compile
 * server (compiler.c), a fork of the builder that compiles one witness at
 * a time into machine code for a reserved area, linked to those
 * addresses; runners (host/runner.c), each of which runs one compiled
 * witness under the sandbox; and the builder itself, which here passes
 * code to the server and images to runners, and collects each runner's
 * stdout, stderr and control channel while it enforces the wall clock and
 * the output cap.  Up to `jobs` witnesses run at once, but the server
 * compiles, and a runner is forked, only when witness_compile_allowed and
 * witness_runners_allowed (job.c) say so: short witnesses go one after
 * another through compile, fork, run and exit, and a witness whose main
 * computes for a while lets the next one compile and start beside it.
 *
 * A witness's time (it->ms) is its compile plus its run, from the moment
 * its image goes to a runner (which may still be being forked) until the
 * runner has closed its output.  The kernel's taking a finished runner
 * down happens after that (for short witnesses, before the next runner is
 * forked).
 *
 * One runner's job, from spare to verdict, is in job.c.
 */
#include "witness/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where the area for compiled witnesses goes when it can: an address far
 * from where Linux puts programs, their heaps, libraries and stacks (and
 * from AddressSanitizer's shadow), so that it is free in the witness host
 * as well as in the builder. */
#define AREA_HINT ((void *)0x300000000000)

/* ---- witness_run_all */

void witness_item_clear(struct witness_item *it)
{
	if (!it)
		return;
	free(it->stdout_text);
	free(it->stderr_text);
	it->stdout_text = it->stderr_text = NULL;
	it->stdout_nul = 0;
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

static int opts_check(const struct witness_opts *o, struct diags *d)
{
	if (!o->include_dir || !path_is_dir(o->include_dir)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot find the witness prelude folder %s",
		    o->include_dir ? o->include_dir : "(none given)");
		return -1;
	}
	if (!path_exists(o->tcc_lib)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot find tcc's runtime library %s", o->tcc_lib);
		return -1;
	}
	return 0;
}

/* Everything one witness_run_all call keeps track of. */
struct run {
	const struct witness_opts *o;
	struct witness_item *items;
	size_t n, next;              /* items[next] is the next to compile */
	struct diags *d;
	size_t failed;
	struct witness_area area;
	struct witness_compiler cc;
	struct witness_item *compiling;  /* with the server, or NULL */
	double compile_start;
	struct ready *ready;         /* FIFO of compiled witnesses */
	size_t nready, ready_cap;
	struct job *jobs;
	size_t njobs;                /* 4 per job slot: running, spare, ending */
	struct witness_host host;
	struct job **awaiting;       /* FIFO of jobs waiting for their pid */
	size_t nawaiting;
	int host_failed;             /* times the host did not start */
	int said_unconfined;         /* the note about Landlock is out */
};

static size_t count(const struct run *s, enum job_state state)
{
	size_t c = 0;
	for (size_t i = 0; i < s->njobs; i++)
		c += s->jobs[i].state == state;
	return c;
}

static struct job *find(struct run *s, enum job_state state)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (s->jobs[i].state == state)
			return &s->jobs[i];
	return NULL;
}

/* Starts the witness host; returns 0, or -1 with errno set after saying
 * why (once per run: each witness it fails says so as well). */
static int start_host(struct run *s)
{
	if (witness_host_start(&s->host, s->o, &s->area) == 0)
		return 0;
	int e = errno;
	if (!s->host_failed++)
		diags_add(s->d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot start the witness host (a program folio carries "
		    "and runs from an anonymous file): %s", strerror(e));
	errno = e;
	return -1;
}

/* Sends the next witness to the server when it is idle, the queue of
 * compiled witnesses has room and no runner but heavy ones is alive
 * (witness_compile_allowed). */
static void compile_next(struct run *s)
{
	while (!s->compiling && s->next < s->n && s->nready < s->ready_cap &&
	    witness_compile_allowed(s->jobs, s->njobs, witness_now_ms())) {
		struct witness_item *it = &s->items[s->next++];
		/* The server needs the host's addresses: the host first. */
		if (s->cc.pid < 0 && ((!s->host.addr && start_host(s) < 0) ||
		    witness_compiler_start(&s->cc, s->o, &s->area,
		    s->host.addr) < 0)) {
			witness_start_failed(it, s->d, &s->failed);
			continue;
		}
		s->compile_start = witness_now_ms();
		if (witness_compiler_send(&s->cc, it->code) < 0) {
			int st = witness_compiler_stop(&s->cc, 1);
			witness_finish_unrun(s->o, it, NULL, 0, st, WITNESS_KILL_NONE,
			    witness_now_ms() - s->compile_start, s->d, &s->failed);
			continue;
		}
		s->compiling = it;
	}
}

/* Takes in the server's answer, or its end (gone is set). */
static void compile_done(struct run *s, int gone, enum witness_kill killed)
{
	struct witness_item *it = s->compiling;
	double ms = witness_now_ms() - s->compile_start;
	s->compiling = NULL;
	struct compiler_head h = {0};
	if (!gone)
		memcpy(&h, s->cc.answer.data, sizeof h);
	if (!gone && h.unconfined && !s->said_unconfined++)
		diags_add(s->d, DIAG_NOTE, NULL, 0, 0, "witness",
		    "witnesses are compiled by a process that cannot be "
		    "confined to the prelude's files (Landlock: %s): a "
		    "witness may #include any file folio can read",
		    strerror((int)h.unconfined));
	if (!gone && h.ok) {
		s->ready[s->nready++] = (struct ready){it,
		    buf_detach(&s->cc.answer), ms};
		return;
	}
	const char *msgs = NULL;         /* the messages, if any */
	size_t len = 0;
	if (s->cc.answer.len > sizeof h) {
		msgs = s->cc.answer.data + sizeof h;
		len = s->cc.answer.len - sizeof h;
	}
	if (!gone && len > h.msgs_len)
		len = (size_t)h.msgs_len;
	int st = gone ? witness_compiler_stop(&s->cc, killed != 0) : 0;
	witness_finish_unrun(s->o, it, msgs, len, st, killed, ms, s->d, &s->failed);
	s->cc.answer.len = 0;
}

/* Takes the oldest compiled witness off the queue. */
static struct ready ready_pop(struct run *s)
{
	struct ready r = s->ready[0];
	memmove(s->ready, s->ready + 1, --s->nready * sizeof *s->ready);
	return r;
}

/* Asks the host (started when needed) for a runner for j. */
static int spare_request(struct run *s, struct job *j)
{
	int fd[4];
	if (s->host.pid < 0 && start_host(s) < 0)
		return -1;
	if (witness_runner_prepare(&j->r, fd) < 0)
		return -1;
	int rc = witness_host_request(&s->host, fd);
	int e = errno;
	for (int k = 0; k < 4; k++)
		close(fd[k]);
	if (rc < 0) {
		witness_job_close_all(j);
		errno = e;
		return -1;
	}
	s->awaiting[s->nawaiting++] = j;
	return 0;
}

/* Forks a runner for each compiled witness that waits for one, as many
 * as witness_runners_allowed lets be alive.  (None is forked ahead of its
 * image: a fork beside a compile slows both.) */
static void fork_spares(struct run *s)
{
	int work = s->compiling || s->nready > 0 || s->next < s->n;
	size_t allowed = witness_runners_allowed(s->jobs, s->njobs, s->o->jobs,
	    witness_now_ms());
	while (s->nready > count(s, JOB_SPARE) && count(s, JOB_SPARE) +
	    count(s, JOB_RUNNING) + count(s, JOB_ENDING) < allowed) {
		struct job *j = find(s, JOB_FREE);
		if (!j)
			return;
		if (spare_request(s, j) < 0) {
			/* Try again when a runner has ended; with none in
			 * flight, the next compiled witness fails. */
			if (count(s, JOB_RUNNING) + count(s, JOB_ENDING) == 0 &&
			    s->nready > 0) {
				struct ready r = ready_pop(s);
				witness_start_failed(r.it, s->d, &s->failed);
				free(r.answer);
			}
			return;
		}
		j->state = JOB_SPARE;
	}
	if (!work) {
		/* Spares left over: end of file tells them to exit. */
		for (size_t i = 0; i < s->njobs; i++) {
			struct job *j = &s->jobs[i];
			if (j->state != JOB_SPARE)
				continue;
			witness_job_close_all(j);
			j->state = JOB_ENDING;
		}
	}
}

static void dispatch(struct run *s)
{
	while (s->nready > 0 && count(s, JOB_RUNNING) < (size_t)s->o->jobs) {
		struct job *j = find(s, JOB_SPARE);
		if (!j)
			return;
		struct ready r = ready_pop(s);
		witness_job_dispatch(j, s->o, &r);
	}
}

static struct job *find_pid(struct run *s, pid_t pid)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (s->jobs[i].state != JOB_FREE && s->jobs[i].r.pid == pid)
			return &s->jobs[i];
	return NULL;
}

/* The host has gone: every runner it had is lost. */
static void host_lost(struct run *s)
{
	witness_host_stop(&s->host);
	s->nawaiting = 0;
	for (size_t i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		if (j->state == JOB_FREE)
			continue;
		if (j->r.pid > 0)
			kill(j->r.pid, SIGKILL);
		if (j->it) {
			j->it->status = WITNESS_SYSTEM_ERROR;
			diags_add(s->d, DIAG_ERROR, j->it->path,
			    j->it->code_line, 1, "witness", "witness `%s` was "
			    "lost: the process that starts witnesses ended",
			    j->it->name);
			s->failed++;
			j->it = NULL;
		}
		j->reaped = 1;
		witness_job_finish(s->o, j, s->d, &s->failed);
	}
}

/* Takes in what the host says: pids of new runners, ends of old
 * ones. */
static void host_events(struct run *s)
{
	struct spawn_event e;
	int r;
	while ((r = witness_host_read(&s->host, &e)) == 1) {
		if (e.kind == 'P' && s->nawaiting > 0) {
			struct job *j = s->awaiting[0];
			memmove(s->awaiting, s->awaiting + 1,
			    --s->nawaiting * sizeof *s->awaiting);
			j->r.pid = e.pid;
			if (e.pid > 0 && j->killed != WITNESS_KILL_NONE)
				kill(e.pid, SIGKILL);
			if (e.pid > 0)
				continue;
			/* fork failed: the job ends here */
			witness_job_close_all(j);
			if (j->it) {
				errno = e.value;
				witness_start_failed(j->it, s->d, &s->failed);
				j->it = NULL;
			}
			j->reaped = 1;
			witness_job_finish(s->o, j, s->d, &s->failed);
		} else if (e.kind == 'W') {
			struct job *j = find_pid(s, e.pid);
			if (j) {
				j->reaped = 1;
				j->wstatus = e.value;
			}
		}
	}
	if (r < 0)
		host_lost(s);
}

/* Waits for output, an exit, an answer or the nearest deadline, and takes
 * in what came. */
static void wait_and_read(struct run *s, struct pollfd *pf,
    struct job **owner)
{
	size_t npf = 0, cap = (size_t)s->o->output_kb * 1024;
	double t = witness_now_ms(), wait = 1e9;
	if (s->host.pid >= 0) {
		pf[npf] = (struct pollfd){s->host.sock, POLLIN, 0};
		owner[npf++] = NULL;
	}
	if (s->compiling) {
		pf[npf] = (struct pollfd){s->cc.from, POLLIN, 0};
		owner[npf++] = NULL;
		wait = s->compile_start + s->o->timeout_ms - t;
	}
	for (size_t i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		if (j->state != JOB_RUNNING && j->state != JOB_ENDING)
			continue;
		for (int k = 0; k < NPIPES; k++) {
			if (j->r.fd[k] < 0)
				continue;
			pf[npf] = (struct pollfd){j->r.fd[k], POLLIN, 0};
			owner[npf++] = j;
		}
		if (j->it && j->deadline - t < wait)
			wait = j->deadline - t;
		/* wake up when it turns heavy, to let another one start */
		double heavy = j->main_start + WITNESS_HEAVY_MS;
		if (j->state == JOB_RUNNING && j->main_start > 0 && heavy > t &&
		    heavy - t < wait)
			wait = heavy - t;
	}
	if (npf == 0 && wait > 1)
		wait = 1;
	int ms = wait <= 0 ? 0 : (int)wait + 1;
	if (poll(pf, npf, ms) < 0 && errno != EINTR)
		return;
	for (size_t k = 0; k < npf; k++) {
		struct job *j = owner[k];
		if (!pf[k].revents)
			continue;
		if (!j && s->host.pid >= 0 && pf[k].fd == s->host.sock) {
			host_events(s);
			continue;
		}
		if (!j) {
			int r = witness_compiler_read(&s->cc);
			if (r != 0)
				compile_done(s, r < 0, WITNESS_KILL_NONE);
			continue;
		}
		for (int q = 0; q < NPIPES; q++)
			if (j->r.fd[q] == pf[k].fd)
				witness_job_read(j, q, cap);
	}
}

/* Deadlines, and jobs moving on: a runner whose output has closed has its
 * result in; once reaped it gets its verdict. */
static void advance(struct run *s)
{
	double t = witness_now_ms();
	if (s->compiling && t >= s->compile_start + s->o->timeout_ms)
		compile_done(s, 1, WITNESS_KILL_TIMEOUT);
	for (size_t i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		if (j->state != JOB_RUNNING && j->state != JOB_ENDING)
			continue;
		if (j->it && !j->reaped && t >= j->deadline)
			witness_job_kill(j, WITNESS_KILL_TIMEOUT);
		if (j->killed != WITNESS_KILL_NONE && j->r.fd[PIPE_CTL] >= 0) {
			witness_job_read(j, PIPE_CTL, 0);
			witness_job_close(j, PIPE_CTL);
		}
		if (j->state == JOB_RUNNING && !witness_job_output_open(j)) {
			j->it->ms = j->compile_ms + witness_now_ms() - j->start;
			j->state = JOB_ENDING;
		}
		if (j->state == JOB_ENDING && j->reaped)
			witness_job_finish(s->o, j, s->d, &s->failed);
	}
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
	if (opts_check(&o, d) < 0)
		return -1;
	struct run s = {.o = &o, .items = items, .n = n, .d = d};
	s.area.size = witness_page_round((size_t)o.memory_mb << 20);
	s.area.base = mmap(AREA_HINT, s.area.size, PROT_NONE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (s.area.base == MAP_FAILED)
		s.area.base = mmap(NULL, s.area.size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s.area.base == MAP_FAILED) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "witness",
		    "cannot reserve %d MB of address space for witnesses: %s",
		    o.memory_mb, strerror(errno));
		return -1;
	}
	s.cc.pid = -1;
	/* One compiled witness waits at most: the server compiles only
	 * beside heavy witnesses (witness_compile_allowed), and each of those
	 * lets one more runner start. */
	s.ready_cap = 1;
	s.ready = xcalloc(s.ready_cap, sizeof *s.ready);
	s.njobs = 4 * (size_t)o.jobs;
	s.jobs = xcalloc(s.njobs, sizeof *s.jobs);
	s.awaiting = xcalloc(s.njobs, sizeof *s.awaiting);
	s.host.pid = -1;
	/* every job's pipes, the host's socket, the server's answers */
	size_t npoll = s.njobs * NPIPES + 2;
	struct pollfd *pf = xcalloc(npoll, sizeof *pf);
	struct job **owner = xcalloc(npoll, sizeof *owner);
	for (;;) {
		compile_next(&s);
		fork_spares(&s);
		dispatch(&s);
		compile_next(&s);        /* the next one, now that there is room */
		if (!s.compiling && s.nready == 0 && s.next == n &&
		    count(&s, JOB_FREE) == s.njobs)
			break;
		wait_and_read(&s, pf, owner);
		advance(&s);
	}
	witness_compiler_stop(&s.cc, 0);
	buf_free(&s.cc.answer);
	witness_host_stop(&s.host);
	free(s.host.addr);
	munmap(s.area.base, s.area.size);
	free(owner);
	free(pf);
	free(s.jobs);
	free(s.awaiting);
	free(s.ready);
	return s.failed ? -1 : 0;
}
