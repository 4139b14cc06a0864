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
 * the output cap.  Up to `jobs` witnesses run at once; while they run, the
 * server compiles the next ones and spare runners, forked ahead, wait for
 * them.
 *
 * A witness's time (it->ms) is its compile plus its run, from the moment
 * its image goes to a runner until the runner has closed its output.
 * Forking a spare, and the kernel's taking a finished runner down, happen
 * while other witnesses compile and run.
 *
 * Divisions: jobs, finishing, witness_run_all.
 */
#include "witness/internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- jobs */

enum job_state {
	JOB_FREE,
	JOB_SPARE,                   /* forked, waiting for an image */
	JOB_RUNNING,                 /* has its image; output still open */
	JOB_ENDING,                  /* output closed; not yet reaped */
};

struct job {
	enum job_state state;
	struct witness_runner r;
	struct witness_item *it;     /* NULL for a spare never used */
	struct buf data[NPIPES];     /* what each pipe said */
	struct buf ctl;              /* "C" + compiler messages, then data[CTL] */
	double start, deadline;      /* ms on the monotonic clock */
	double compile_ms;
	enum witness_kill killed;
	int reaped, wstatus;
};

/* A compiled witness waiting for a runner. */
struct ready {
	struct witness_item *it;
	char *answer;                /* compiler_head, messages, image */
	double compile_ms;
};

/* Where the area for compiled witnesses goes when it can: an address far
 * from where Linux puts programs, their heaps, libraries and stacks (and
 * from AddressSanitizer's shadow), so that it is free in the witness host
 * as well as in the builder. */
#define AREA_HINT ((void *)0x300000000000)

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void job_close(struct job *j, int k)
{
	if (j->r.fd[k] >= 0)
		close(j->r.fd[k]);
	j->r.fd[k] = -1;
}

/* Closes every descriptor j still holds. */
static void job_close_all(struct job *j)
{
	for (int k = 0; k < NPIPES; k++)
		job_close(j, k);
	if (j->r.img >= 0)
		close(j->r.img);
	j->r.img = -1;
}

/* Kills j's runner for the given reason and stops reading from it. */
static void job_kill(struct job *j, enum witness_kill why)
{
	if (j->killed == WITNESS_KILL_NONE)
		j->killed = why;
	if (j->r.pid > 0)
		kill(j->r.pid, SIGKILL);         /* else when its pid comes */
	job_close(j, PIPE_OUT);
	job_close(j, PIPE_ERR);
}

/* What a runner may write to its control channel. */
#define CTL_CAP 4096

/* Reads what pipe k of j has; kills the runner when its stdout and stderr
 * together pass cap bytes, or its control channel CTL_CAP. */
static void job_read(struct job *j, int k, size_t cap)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = read(j->r.fd[k], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;                  /* EAGAIN: nothing more now */
		if (r == 0) {
			job_close(j, k);
			return;
		}
		/* The control channel carries "R" or a short "F" message; more
		 * is a witness writing to it. */
		size_t have = k == PIPE_CTL ? j->data[k].len :
		    j->data[PIPE_OUT].len + j->data[PIPE_ERR].len;
		size_t limit = k == PIPE_CTL ? CTL_CAP : cap;
		size_t room = have < limit ? limit - have : 0;
		buf_put(&j->data[k], tmp, (size_t)r < room ? (size_t)r : room);
		if ((size_t)r > room) {
			job_kill(j, k == PIPE_CTL ? WITNESS_KILL_CONTROL :
			    WITNESS_KILL_OUTPUT);
			return;
		}
	}
}

static int job_output_open(const struct job *j)
{
	for (int k = 0; k < NPIPES; k++)
		if (j->r.fd[k] >= 0)
			return 1;
	return 0;
}

/* Hands the image in answer to the spare j, for it. */
static void job_dispatch(struct job *j, const struct witness_opts *o,
    struct ready *rd)
{
	struct compiler_head h;
	memcpy(&h, rd->answer, sizeof h);
	const char *msgs = rd->answer + sizeof h;
	j->it = rd->it;
	j->compile_ms = rd->compile_ms;
	buf_putc(&j->ctl, 'C');
	buf_put(&j->ctl, msgs, (size_t)h.msgs_len);
	j->state = JOB_RUNNING;
	j->start = now_ms();
	double left = o->timeout_ms - rd->compile_ms;
	j->deadline = j->start + (left > 1 ? left : 1);
	if (witness_runner_send(&j->r, msgs + h.msgs_len, (size_t)h.image_len,
	    (size_t)h.entry, j->it->code_line - 1) < 0)
		job_close_all(j);        /* the spare is gone: its wait status
		                            will tell why */
	free(rd->answer);
}

/* ---- finishing */

/* Gives it its verdict from what was said on the control channel and how
 * the process ended; counts a failure in *failed. */
static void finish(const struct witness_opts *o, struct witness_item *it,
    const struct buf *ctl, int wstatus, enum witness_kill killed,
    struct diags *d, size_t *failed)
{
	struct witness_run r = {wstatus, killed, ctl->data ? ctl->data : "",
	    ctl->len};
	witness_verdict(o, it, &r, d);
	if (it->status != WITNESS_PASS)
		(*failed)++;
}

/* Finishes j once its runner is reaped, and frees it. */
static void job_finish(const struct witness_opts *o, struct job *j,
    struct diags *d, size_t *failed)
{
	if (j->it) {
		struct witness_item *it = j->it;
		it->stdout_text = buf_detach(&j->data[PIPE_OUT]);
		it->stderr_text = buf_detach(&j->data[PIPE_ERR]);
		/* What the runner said: "R" (main was called), or "F" and a
		 * message.  Anything after "R" was written by the witness,
		 * and is not folio's to read. */
		struct buf *said = &j->data[PIPE_CTL];
		size_t n = said->len && said->data[0] == 'R' ? 1 : said->len;
		buf_put(&j->ctl, said->data, n);
		finish(o, it, &j->ctl, j->wstatus, j->killed, d, failed);
	}
	job_close_all(j);
	for (int k = 0; k < NPIPES; k++)
		buf_free(&j->data[k]);
	buf_free(&j->ctl);
	memset(j, 0, sizeof *j);
	j->state = JOB_FREE;
}

/* A witness that never reached a runner: the compiler rejected it, went
 * away, or took too long.  msgs is what it said so far. */
static void finish_unrun(const struct witness_opts *o, struct witness_item *it,
    const char *msgs, size_t len, int wstatus, enum witness_kill killed,
    double ms, struct diags *d, size_t *failed)
{
	struct buf ctl = {0};
	buf_putc(&ctl, 'C');
	buf_put(&ctl, msgs, len);
	it->ms = ms;
	finish(o, it, &ctl, wstatus, killed, d, failed);
	buf_free(&ctl);
}

static void start_failed(struct witness_item *it, struct diags *d,
    size_t *failed)
{
	it->status = WITNESS_SYSTEM_ERROR;
	diags_add(d, DIAG_ERROR, it->path, it->code_line, 1, "witness",
	    "witness `%s` could not be started: %s", it->name, strerror(errno));
	(*failed)++;
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

/* Sends the next witness to the server when it is idle and the queue of
 * compiled witnesses has room. */
static void compile_next(struct run *s)
{
	while (!s->compiling && s->next < s->n && s->nready < s->ready_cap) {
		struct witness_item *it = &s->items[s->next++];
		/* The server needs the host's addresses: the host first. */
		if (s->cc.pid < 0 && ((!s->host.addr && start_host(s) < 0) ||
		    witness_compiler_start(&s->cc, s->o, &s->area,
		    s->host.addr) < 0)) {
			start_failed(it, s->d, &s->failed);
			continue;
		}
		s->compile_start = now_ms();
		if (witness_compiler_send(&s->cc, it->code) < 0) {
			int st = witness_compiler_stop(&s->cc, 1);
			finish_unrun(s->o, it, NULL, 0, st, WITNESS_KILL_NONE,
			    now_ms() - s->compile_start, s->d, &s->failed);
			continue;
		}
		s->compiling = it;
	}
}

/* Takes in the server's answer, or its end (gone is set). */
static void compile_done(struct run *s, int gone, enum witness_kill killed)
{
	struct witness_item *it = s->compiling;
	double ms = now_ms() - s->compile_start;
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
	finish_unrun(s->o, it, msgs, len, st, killed, ms, s->d, &s->failed);
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
		job_close_all(j);
		errno = e;
		return -1;
	}
	s->awaiting[s->nawaiting++] = j;
	return 0;
}

/* Keeps a spare runner ready for each job slot while work remains. */
static void fork_spares(struct run *s)
{
	int work = s->compiling || s->nready > 0 || s->next < s->n;
	size_t slots = (size_t)s->o->jobs;
	while (work && count(s, JOB_SPARE) < slots) {
		struct job *j = find(s, JOB_FREE);
		if (!j)
			return;
		if (spare_request(s, j) < 0) {
			/* Try again when a runner has ended; with none in
			 * flight, the next compiled witness fails. */
			if (count(s, JOB_RUNNING) + count(s, JOB_ENDING) == 0 &&
			    s->nready > 0) {
				struct ready r = ready_pop(s);
				start_failed(r.it, s->d, &s->failed);
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
			job_close_all(j);
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
		job_dispatch(j, s->o, &r);
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
		job_finish(s->o, j, s->d, &s->failed);
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
			job_close_all(j);
			if (j->it) {
				errno = e.value;
				start_failed(j->it, s->d, &s->failed);
				j->it = NULL;
			}
			j->reaped = 1;
			job_finish(s->o, j, s->d, &s->failed);
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
	double t = now_ms(), wait = 1e9;
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
				job_read(j, q, cap);
	}
}

/* Deadlines, and jobs moving on: a runner whose output has closed has its
 * result in; once reaped it gets its verdict. */
static void advance(struct run *s)
{
	double t = now_ms();
	if (s->compiling && t >= s->compile_start + s->o->timeout_ms)
		compile_done(s, 1, WITNESS_KILL_TIMEOUT);
	for (size_t i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		if (j->state != JOB_RUNNING && j->state != JOB_ENDING)
			continue;
		if (j->it && !j->reaped && t >= j->deadline)
			job_kill(j, WITNESS_KILL_TIMEOUT);
		if (j->killed != WITNESS_KILL_NONE && j->r.fd[PIPE_CTL] >= 0) {
			job_read(j, PIPE_CTL, 0);
			job_close(j, PIPE_CTL);
		}
		if (j->state == JOB_RUNNING && !job_output_open(j)) {
			j->it->ms = j->compile_ms + now_ms() - j->start;
			j->state = JOB_ENDING;
		}
		if (j->state == JOB_ENDING && j->reaped)
			job_finish(s->o, j, s->d, &s->failed);
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
	s.ready_cap = (size_t)o.jobs + 1;
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
