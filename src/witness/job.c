/*
 * job.c -- one runner's job, for run.c: its descriptors, what it reads from
 * the runner (within the output caps), handing it its image, and giving
 * its witness a verdict once the runner has been reaped.
 *
 * Divisions: jobs, how many at once, finishing.
 */
#include "witness/internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- jobs */

double witness_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

void witness_job_close(struct job *j, int k)
{
	if (j->r.fd[k] >= 0)
		close(j->r.fd[k]);
	j->r.fd[k] = -1;
}

/* Closes every descriptor j still holds. */
void witness_job_close_all(struct job *j)
{
	for (int k = 0; k < NPIPES; k++)
		witness_job_close(j, k);
	if (j->r.img >= 0)
		close(j->r.img);
	j->r.img = -1;
}

/* Kills j's runner for the given reason and stops reading from it. */
void witness_job_kill(struct job *j, enum witness_kill why)
{
	if (j->killed == WITNESS_KILL_NONE)
		j->killed = why;
	if (j->r.pid > 0)
		kill(j->r.pid, SIGKILL);         /* else when its pid comes */
	witness_job_close(j, PIPE_OUT);
	witness_job_close(j, PIPE_ERR);
}

/* What a runner may write to its control channel. */
#define CTL_CAP 4096

/* Reads what pipe k of j has; kills the runner when its stdout and stderr
 * together pass cap bytes, or its control channel CTL_CAP. */
void witness_job_read(struct job *j, int k, size_t cap)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = read(j->r.fd[k], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;                  /* EAGAIN: nothing more now */
		if (r == 0) {
			witness_job_close(j, k);
			return;
		}
		/* The control channel carries "R" or a short "F" message; more
		 * is a witness writing to it. */
		size_t have = k == PIPE_CTL ? j->data[k].len :
		    j->data[PIPE_OUT].len + j->data[PIPE_ERR].len;
		size_t limit = k == PIPE_CTL ? CTL_CAP : cap;
		size_t room = have < limit ? limit - have : 0;
		if (k == PIPE_CTL && have == 0 && tmp[0] == 'R')
			j->main_start = witness_now_ms();
		buf_put(&j->data[k], tmp, (size_t)r < room ? (size_t)r : room);
		if ((size_t)r > room) {
			witness_job_kill(j, k == PIPE_CTL ? WITNESS_KILL_CONTROL :
			    WITNESS_KILL_OUTPUT);
			return;
		}
	}
}

int witness_job_output_open(const struct job *j)
{
	for (int k = 0; k < NPIPES; k++)
		if (j->r.fd[k] >= 0)
			return 1;
	return 0;
}

/* Hands the image in answer to the spare j, for it. */
void witness_job_dispatch(struct job *j, const struct witness_opts *o,
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
	j->start = witness_now_ms();
	double left = o->timeout_ms - rd->compile_ms;
	j->deadline = j->start + (left > 1 ? left : 1);
	if (witness_runner_send(&j->r, msgs + h.msgs_len, (size_t)h.image_len,
	    (size_t)h.entry, j->it->code_line - 1) < 0)
		witness_job_close_all(j);        /* the spare is gone: its wait status
		                            will tell why */
	free(rd->answer);
}

/* ---- how many at once
 *
 * Most witnesses are done in a millisecond or two, and then their time
 * goes to the kernel making and taking down their process.  On a virtual
 * machine that work contends across cores: two bare forks at a time make
 * fewer processes per second than one at a time (make bench-witness
 * measures it), a witness runs slower beside another's fork or exit, and
 * so does a compile: libtcc took 250 us instead of 155 us for the same
 * witness while another process forked and exited, and 460 us when it
 * ran beside the runners (by hand, on the development machine).  So such
 * witnesses go one at a time through compile, fork, run and exit, with
 * nothing of folio's beside them.  A witness whose main computes for
 * longer gets company, up to the number of jobs: while it computes, the
 * server compiles and another runner starts.  (Its time is counted from
 * main, not from the fork: the fork and the sandbox take a millisecond
 * here.) */

static int heavy(const struct job *j, double now)
{
	return j->state == JOB_RUNNING && j->main_start > 0 &&
	    now - j->main_start >= WITNESS_HEAVY_MS;
}

size_t witness_runners_allowed(const struct job *jobs, size_t n,
    int max_jobs, double now)
{
	size_t allowed = 1;
	for (size_t i = 0; i < n; i++)
		allowed += heavy(&jobs[i], now);
	return max_jobs < 1 || allowed < (size_t)max_jobs ? allowed :
	    (size_t)max_jobs;
}

int witness_compile_allowed(const struct job *jobs, size_t n, double now)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i].state != JOB_FREE && !heavy(&jobs[i], now))
			return 0;
	return 1;
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
void witness_job_finish(const struct witness_opts *o, struct job *j,
    struct diags *d, size_t *failed)
{
	if (j->it) {
		struct witness_item *it = j->it;
		struct buf *out = &j->data[PIPE_OUT];
		it->stdout_nul = out->len && memchr(out->data, 0, out->len);
		it->stdout_text = buf_detach(out);
		it->stderr_text = buf_detach(&j->data[PIPE_ERR]);
		/* What the runner said: "R" (main was called), or "F" and a
		 * message.  Anything after "R" was written by the witness,
		 * and is not folio's to read. */
		struct buf *said = &j->data[PIPE_CTL];
		size_t n = said->len && said->data[0] == 'R' ? 1 : said->len;
		buf_put(&j->ctl, said->data, n);
		finish(o, it, &j->ctl, j->wstatus, j->killed, d, failed);
	}
	witness_job_close_all(j);
	for (int k = 0; k < NPIPES; k++)
		buf_free(&j->data[k]);
	buf_free(&j->ctl);
	memset(j, 0, sizeof *j);
	j->state = JOB_FREE;
}

/* A witness that never reached a runner: the compiler rejected it, went
 * away, or took too long.  msgs is what it said so far. */
void witness_finish_unrun(const struct witness_opts *o,
    struct witness_item *it, const char *msgs, size_t len, int wstatus,
    enum witness_kill killed, double ms, struct diags *d, size_t *failed)
{
	struct buf ctl = {0};
	buf_putc(&ctl, 'C');
	buf_put(&ctl, msgs, len);
	it->ms = ms;
	finish(o, it, &ctl, wstatus, killed, d, failed);
	buf_free(&ctl);
}

void witness_start_failed(struct witness_item *it, struct diags *d,
    size_t *failed)
{
	it->status = WITNESS_SYSTEM_ERROR;
	diags_add(d, DIAG_ERROR, it->path, it->code_line, 1, "witness",
	    "witness `%s` could not be started: %s", it->name, strerror(errno));
	(*failed)++;
}
