/*
 * pool.c -- the KaTeX worker pool: Node processes that render TeX.
 *
 * Divisions:
 *   checks    finding node, KaTeX and the worker script before starting
 *   workers   spawning a worker, its hello line, stopping it
 *   render    the poll loop that feeds formulas and reads results
 *
 * Each worker gets its requests on a socket (so that writing to a worker
 * that died gives EPIPE, with MSG_NOSIGNAL, instead of SIGPIPE) and answers
 * on a pipe.  The protocol is described in katex-worker.js.  Answers are
 * read into chunks the pool keeps (answers.c) and parsed where they land.
 */
#include "math/math.h"
#include "math/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define WINDOW 256           /* formulas in flight per worker, at most */
#define MIN_WINDOW 16        /* ... and at least, while formulas remain */
#define ANSWER_PIPE (1 << 20)  /* bytes the answer pipe holds, if allowed */
#define READ_MIN (64 << 10)  /* room for a read of answers, at least */
#define MAX_ANSWER ((size_t)1 << 30)  /* bytes an answer may have */
#define SPARE_ANSWERS ((size_t)16 << 20)  /* answer memory kept for reuse */
#define HELLO_TIMEOUT_MS 30000
#define STALL_TIMEOUT_MS 60000

struct worker {
	pid_t pid;        /* 0 when not running */
	int wfd;          /* requests: our end of the socket, or -1 */
	int rfd;          /* answers: read end of the pipe, or -1 */
	struct buf out;   /* request bytes not yet written */
	size_t out_off;   /* bytes of out already written */
	struct buf hello; /* the hello, while it is read */
	struct answer_buf ans;  /* answers read, parsed in place */
	size_t whole;     /* bytes from ans.at of the answer being read, once
	                     its head is in; else 0 */
	size_t *fly;      /* indices of the items in flight: a ring of WINDOW */
	size_t fly_head;  /* where the oldest is */
	size_t nfly;
};

struct math_pool {
	char *node, *worker, *katex_dir, *macros;  /* copies of the options */
	char *version;           /* from the workers' hello */
	struct answer_store answers;  /* the last render's answers */
	struct worker *w;
	int nw;
	pthread_mutex_t lock;    /* one render at a time */
};

/* ---- checks */

/* The executable name is found when it holds a '/' and is executable, or
 * when some PATH entry holds it. */
static int exe_found(const char *name)
{
	const char *path = getenv("PATH"), *p;
	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	for (p = path;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *f = xasprintf("%.*s/%s", (int)n, n ? p : ".", name);
		int ok = access(f, X_OK) == 0 && !path_is_dir(f);
		free(f);
		if (ok)
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* ---- workers */

static void worker_stop(struct worker *w, int force)
{
	if (w->wfd >= 0)
		close(w->wfd);
	if (w->rfd >= 0)
		close(w->rfd);
	w->wfd = w->rfd = -1;
	if (w->pid > 0) {
		int status, waited = 0;
		if (force)
			kill(w->pid, SIGKILL);
		while (waitpid(w->pid, &status, WNOHANG) == 0) {
			if (waited >= 2000) {
				kill(w->pid, SIGKILL);
				waitpid(w->pid, &status, 0);
				break;
			}
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, NULL);
			waited += 5;
		}
	}
	w->pid = 0;
	w->out.len = w->out_off = 0;
	w->hello.len = 0;
	w->ans = (struct answer_buf){0};
	w->whole = 0;
	w->nfly = w->fly_head = 0;
}

/* Reads until w->hello holds a complete hello ("K ver\n" or "X len\nmsg").
 * Returns 1 when complete, 0 on EOF or timeout. */
static int hello_read(struct worker *w)
{
	struct buf *h = &w->hello;
	for (;;) {
		char *nl = h->len ? memchr(h->data, '\n', h->len) : NULL;
		if (nl && h->data[0] == 'K')
			return 1;
		if (nl && h->data[0] == 'X') {
			size_t need = strtoul(h->data + 2, NULL, 10);
			if (h->len - (size_t)(nl + 1 - h->data) >= need)
				return 1;
		} else if (nl) {
			return 0;
		}
		struct pollfd pf = {w->rfd, POLLIN, 0};
		int r = poll(&pf, 1, HELLO_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		ssize_t k = read(w->rfd, buf_room(h, 4096), 4096);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return 0;
		buf_grew(h, (size_t)k);
	}
}

/* Spawns worker w, without waiting for its hello (worker_greet reads it),
 * so that several workers can load KaTeX at once.  Returns 0, or -1 with
 * a diagnostic. */
static int worker_spawn(struct math_pool *p, struct worker *w,
    struct diags *d)
{
	int sv[2] = {-1, -1}, pv[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	char *argv[6];
	int a = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pipe2(pv, O_CLOEXEC) != 0) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "cannot create a pipe for the KaTeX worker: %s",
		    strerror(errno));
		goto fail;
	}
	argv[a++] = p->node;
	/* With a worker for every core, V8's background threads (its
	 * optimizing compiler, its parallel and concurrent collector) find no
	 * idle core: they only take turns with the other workers, and each
	 * worker does that work faster on its own thread.  By hand, a pool of
	 * two on two cores, started and given the bench-math corpus once: 779
	 * ms against 906-909 ms (means of 8, two runs alternating); warm, two
	 * pools in one process taking turns, 40 passes each: 2.6-3.5% less
	 * time in three runs.  A worker with a core to spare keeps them: alone
	 * on two cores it did the cold pass 15-20% slower without. */
	if (p->nw >= sysconf(_SC_NPROCESSORS_ONLN))
		argv[a++] = "--single-threaded";
	argv[a++] = p->worker;
	argv[a++] = p->katex_dir;
	argv[a++] = p->macros;
	argv[a] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, pv[1], 1);
	rc = posix_spawnp(&w->pid, p->node, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	close(pv[1]);
	sv[1] = pv[1] = -1;
	if (rc != 0) {
		w->pid = 0;
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "cannot start %s: %s; run `make deps`", p->node,
		    strerror(rc));
		goto fail;
	}
	w->wfd = sv[0];
	w->rfd = pv[0];
	/* A worker writes about 256 KiB at a time (katex-worker.js); a pipe
	 * that holds several such writes lets the builder wake up once per
	 * write.  Where the system refuses, the default pipe only means more
	 * wake-ups. */
	(void)fcntl(w->rfd, F_SETPIPE_SZ, ANSWER_PIPE);
	fcntl(w->wfd, F_SETFL, fcntl(w->wfd, F_GETFL) | O_NONBLOCK);
	fcntl(w->rfd, F_SETFL, fcntl(w->rfd, F_GETFL) | O_NONBLOCK);
	w->hello.len = 0;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (pv[i] >= 0)
			close(pv[i]);
	}
	return -1;
}

/* Reads the hello of worker w, spawned by worker_spawn.  Returns 0, or -1
 * with a diagnostic after stopping the worker. */
static int worker_greet(struct math_pool *p, struct worker *w,
    struct diags *d)
{
	if (!hello_read(w)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "the KaTeX worker (%s %s) did not start", p->node,
		    p->worker);
		worker_stop(w, 1);
		return -1;
	}
	if (w->hello.data[0] == 'X') {
		char *msg = memchr(w->hello.data, '\n', w->hello.len) + 1;
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "the KaTeX worker failed to start: %s", msg);
		worker_stop(w, 1);
		return -1;
	}
	*(char *)memchr(w->hello.data, '\n', w->hello.len) = 0;
	if (!p->version)
		p->version = xstrdup(w->hello.data + 2);
	w->hello.len = 0;
	return 0;
}

/* Starts the workers of p that are not running: all are spawned before
 * any hello is read, so that they load Node and KaTeX at the same time
 * (each takes about a quarter of a second).  Returns 0, or -1 with a
 * diagnostic. */
static int workers_start(struct math_pool *p, struct diags *d)
{
	int rc = 0;
	char *spawned = xcalloc((size_t)p->nw, 1);
	for (int i = 0; i < p->nw && rc == 0; i++)
		if (p->w[i].pid == 0) {
			rc = worker_spawn(p, &p->w[i], d);
			spawned[i] = rc == 0;
		}
	/* After a failure, the other workers spawned are stopped, so that
	 * one cause gives one diagnostic. */
	for (int i = 0; i < p->nw; i++)
		if (spawned[i] && rc != 0)
			worker_stop(&p->w[i], 1);
		else if (spawned[i] && worker_greet(p, &p->w[i], d) != 0)
			rc = -1;
	free(spawned);
	return rc;
}

/* A light check that macros_json is a JSON object: '{' ... '}'.  The
 * worker parses it for real and reports a syntax error at start-up. */
static int looks_like_object(const char *s)
{
	size_t n;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
	    s[n - 1] == '\r'))
		n--;
	return n >= 2 && s[0] == '{' && s[n - 1] == '}';
}

struct math_pool *math_pool_new(const struct math_opts *o, struct diags *d)
{
	const char *node = o->node ? o->node : "node";
	struct math_pool *p;
	char *probe;
	int ok;

	if (!exe_found(node)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "%s not found; run `make deps`", node);
		return NULL;
	}
	probe = path_join(o->katex_dir, "dist/katex.js");
	ok = path_exists(probe);
	free(probe);
	if (!ok) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "KaTeX not installed (%s); run `npm ci`", o->katex_dir);
		return NULL;
	}
	if (!o->worker || !path_exists(o->worker)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "KaTeX worker script not found (%s)",
		    o->worker ? o->worker : "(none)");
		return NULL;
	}
	if (o->macros_json && !looks_like_object(o->macros_json)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "KaTeX macros must be a JSON object");
		return NULL;
	}

	p = xcalloc(1, sizeof *p);
	p->node = xstrdup(node);
	p->worker = xstrdup(o->worker);
	p->katex_dir = xstrdup(o->katex_dir);
	p->macros = xstrdup(o->macros_json ? o->macros_json : "{}");
	p->nw = o->workers > 1 ? o->workers : 1;
	p->w = xcalloc((size_t)p->nw, sizeof *p->w);
	pthread_mutex_init(&p->lock, NULL);
	for (int i = 0; i < p->nw; i++) {
		p->w[i].wfd = p->w[i].rfd = -1;
		p->w[i].fly = xmalloc(WINDOW * sizeof *p->w[i].fly);
	}
	if (workers_start(p, d) != 0) {
		math_pool_free(p);
		return NULL;
	}
	return p;
}

int math_pool_fits(const struct math_pool *p, const struct math_opts *o)
{
	return !strcmp(p->node, o->node ? o->node : "node") &&
	    !strcmp(p->worker, o->worker ? o->worker : "") &&
	    !strcmp(p->katex_dir, o->katex_dir ? o->katex_dir : "") &&
	    !strcmp(p->macros, o->macros_json ? o->macros_json : "{}");
}

const char *math_pool_katex_version(const struct math_pool *p)
{
	return p->version;
}

void math_pool_free(struct math_pool *p)
{
	if (!p)
		return;
	/* Close every input first so that the workers exit in parallel. */
	for (int i = 0; i < p->nw; i++)
		if (p->w[i].wfd >= 0) {
			close(p->w[i].wfd);
			p->w[i].wfd = -1;
		}
	for (int i = 0; i < p->nw; i++) {
		worker_stop(&p->w[i], 0);
		buf_free(&p->w[i].out);
		buf_free(&p->w[i].hello);
		free(p->w[i].fly);
	}
	answers_free(&p->answers);
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p->node);
	free(p->worker);
	free(p->katex_dir);
	free(p->macros);
	free(p->version);
	free(p);
}

/* ---- render */

/* The last render's answers are no longer anyone's: the next render
 * reuses their memory, up to SPARE_ANSWERS bytes of it. */
static void release_locked(struct math_pool *p)
{
	answers_recycle(&p->answers, SPARE_ANSWERS);
	for (int i = 0; i < p->nw; i++) {
		p->w[i].ans = (struct answer_buf){0};
		p->w[i].whole = 0;
	}
}

void math_pool_release(struct math_pool *p)
{
	pthread_mutex_lock(&p->lock);
	release_locked(p);
	pthread_mutex_unlock(&p->lock);
}

/* The state of one math_pool_render call. */
struct job {
	struct math_item *items;
	size_t n;
	size_t next;     /* next item never sent */
	size_t *redo;    /* items to send again (their worker died) */
	size_t nredo;
	size_t done;
};

static void send_item(struct worker *w, struct job *j, size_t i)
{
	const char *tex = j->items[i].tex ? j->items[i].tex : "";
	size_t len = strlen(tex);
	char head[64];
	int n = snprintf(head, sizeof head, "R %zu %d %zu\n", i,
	    j->items[i].display ? 1 : 0, len);
	buf_put(&w->out, head, (size_t)n);
	buf_put(&w->out, tex, len);
	w->fly[(w->fly_head + w->nfly++) % WINDOW] = i;
}

/* Parses every complete answer read from worker w, in place: the item
 * points at its text, which the worker ended with a NUL.  Returns 0, or
 * -1 when the worker said something that is not the protocol. */
static int parse_answers(struct worker *w, struct job *j)
{
	char *data = answers_data(&w->ans);
	size_t at = w->ans.at, end = w->ans.len;
	w->whole = 0;
	while (at < end) {
		char *s = data + at, *nl, *e;
		size_t id, off = 0, len, body;
		nl = memchr(s, '\n', end - at);
		if (!nl)
			break;
		if ((s[0] != 'O' && s[0] != 'E') || s[1] != ' ')
			return -1;
		id = strtoul(s + 2, &e, 10);
		if (s[0] == 'E')
			off = strtoul(e, &e, 10);
		len = strtoul(e, &e, 10);
		if (e != nl || len > MAX_ANSWER)
			return -1;
		body = (size_t)(nl + 1 - data);
		if (end - body < len + 1) {
			w->whole = body + len + 1 - at;
			break;
		}
		if (data[body + len] != '\0' || w->nfly == 0 ||
		    w->fly[w->fly_head] != id || id >= j->n)
			return -1;
		struct math_item *it = &j->items[id];
		if (s[0] == 'O') {
			it->html = data + body;
		} else {
			it->error = data + body;
			it->error_offset = off;
		}
		w->fly_head = (w->fly_head + 1) % WINDOW;
		w->nfly--;
		j->done++;
		at = body + len + 1;
	}
	w->ans.at = at;
	return 0;
}

/* Describes how worker w ended (after worker_stop reaped it) and restarts
 * it, putting its formulas back in the queue. */
static int worker_restart(struct math_pool *p, struct worker *w,
    struct job *j, int *deaths, struct diags *d)
{
	for (size_t k = 0; k < w->nfly; k++)
		j->redo[j->nredo++] = w->fly[(w->fly_head + k) % WINDOW];
	w->nfly = w->fly_head = 0;
	worker_stop(w, 1);
	if (++*deaths > 2 + p->nw) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "KaTeX workers keep exiting (%d restarts); giving up",
		    *deaths - 1);
		return -1;
	}
	return workers_start(p, d);
}

static int render_locked(struct math_pool *p, struct job *j,
    struct diags *d)
{
	struct pollfd *pf = xcalloc((size_t)p->nw * 2, sizeof *pf);
	int deaths = 0, rc = -1;

	while (j->done < j->n) {
		int nfds = 0, r;
		for (int i = 0; i < p->nw; i++) {
			struct worker *w = &p->w[i];
			/* Top a worker up in bulk, not one formula at a
			 * time, so that each side handles many formulas per
			 * wake-up; near the end of the batch the window
			 * shrinks so that no worker is left with a long
			 * queue while another one idles. */
			size_t left = j->nredo + (j->n - j->next);
			size_t win = left / (size_t)p->nw;
			win = win > WINDOW ? WINDOW : win < MIN_WINDOW ?
			    MIN_WINDOW : win;
			if (w->nfly <= win / 2)
				while (w->nfly < win &&
				    (j->nredo || j->next < j->n))
					send_item(w, j, j->nredo ?
					    j->redo[--j->nredo] : j->next++);
			pf[nfds++] = (struct pollfd){w->rfd, POLLIN, 0};
			pf[nfds++] = (struct pollfd){w->wfd,
			    w->out_off < w->out.len ? POLLOUT : 0, 0};
		}
		r = poll(pf, (nfds_t)nfds, STALL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diags_add(d, DIAG_ERROR, NULL, 0, 0, "math", "poll: %s",
			    strerror(errno));
			goto out;
		}
		if (r == 0) {
			diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
			    "KaTeX workers made no progress for %d s",
			    STALL_TIMEOUT_MS / 1000);
			for (int i = 0; i < p->nw; i++)
				worker_stop(&p->w[i], 1);
			goto out;
		}
		for (int i = 0; i < p->nw; i++) {
			struct worker *w = &p->w[i];
			int dead = 0;
			if (pf[2 * i + 1].revents & (POLLOUT | POLLERR | POLLHUP)) {
				ssize_t k = send(w->wfd, w->out.data + w->out_off,
				    w->out.len - w->out_off,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
				if (k > 0) {
					w->out_off += (size_t)k;
					if (w->out_off == w->out.len)
						w->out.len = w->out_off = 0;
				} else if (k < 0 && errno != EAGAIN &&
				    errno != EINTR) {
					dead = 1;
				}
			}
			if (!dead && pf[2 * i].revents & (POLLIN | POLLERR | POLLHUP)) {
				size_t room;
				char *to = answers_room(&p->answers, &w->ans,
				    READ_MIN, w->whole, &room);
				ssize_t k = read(w->rfd, to, room);
				if (k > 0) {
					w->ans.len += (size_t)k;
					if (parse_answers(w, j) != 0)
						dead = 1;
				} else if (k == 0 || (errno != EAGAIN &&
				    errno != EINTR)) {
					dead = 1;
				}
			}
			if (dead && worker_restart(p, w, j, &deaths, d) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(pf);
	return rc;
}

int math_pool_render(struct math_pool *p, struct math_item *items, size_t n,
    struct diags *d)
{
	struct job j = {items, n, 0, NULL, 0, 0};
	int rc;

	for (size_t i = 0; i < n; i++) {
		items[i].html = items[i].error = NULL;
		items[i].error_offset = 0;
	}
	if (n == 0)
		return 0;
	j.redo = xmalloc((size_t)p->nw * WINDOW * sizeof *j.redo);
	pthread_mutex_lock(&p->lock);
	release_locked(p);
	if (workers_start(p, d) != 0) {
		pthread_mutex_unlock(&p->lock);
		free(j.redo);
		return -1;
	}
	/* While the workers render, this thread only moves bytes between
	 * them and the items.  As a batch thread it does not take a core from
	 * a worker each time an answer wakes it: it reads when a core is free
	 * or at the next tick, and meanwhile each answer pipe holds up to
	 * ANSWER_PIPE bytes.
	 * bench-math, twelve quiet runs side by side: the pool 1.38-1.57
	 * times KaTeX in one process against 1.33-1.48, higher in eleven. */
	struct sched_param none = {0};
	int batch = sched_getscheduler(0) == SCHED_OTHER &&
	    sched_setscheduler(0, SCHED_BATCH, &none) == 0;
	rc = render_locked(p, &j, d);
	if (batch)
		sched_setscheduler(0, SCHED_OTHER, &none);
	/* After a failure, stale requests or answers may sit in the
	 * buffers: start those workers afresh next time. */
	if (rc != 0)
		for (int i = 0; i < p->nw; i++)
			worker_stop(&p->w[i], 1);
	pthread_mutex_unlock(&p->lock);
	free(j.redo);
	return rc;
}
