/*
 * watch.c -- what folio serve watches: the site's inputs (content/,
 * sources/, templates/), for a change that calls for a rebuild.
 *
 * The truth is a fingerprint of every input file (its name, size, inode
 * and modification time to the nanosecond): two files saved in the same
 * clock tick, a rebuild starting between them, must not leave the second
 * unseen.  inotify only says when to take the fingerprint again, so that
 * a saved file is seen at once rather than at the next look; a look is
 * still taken every few seconds, and every POLL_MS where inotify cannot
 * watch (no inotify, or the system's limit on watches reached).
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 400       /* between looks, without inotify */
#define SAFETY_MS 3000    /* between looks, with it */
#define QUIET_MS 25       /* an editor's save: events this close together */
#define SETTLE_MS 250     /* ... but a rebuild waits no longer than this */
#define EVENTS (IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | \
	IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
	IN_MOVE_SELF | IN_ONLYDIR)

static const char *const inputs[] = {"content", "sources", "templates"};

struct watch {
	int fd;           /* inotify, or -1: look every POLL_MS */
	char **dirs;      /* dirs[wd]: the folder of watch wd, or NULL */
	size_t ndirs;
	char seen[65];    /* the fingerprint of the last look */
};

/* Appends to b a line for path and each entry under it: its name, size,
 * inode and modification time to the nanosecond.  up are the folders path
 * is in: a folder that is one of them (a symbolic link loop, which the
 * build reports) is not entered again. */
static void list_tree(struct buf *b, const char *path,
    const struct dir_visit *up)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	buf_printf(b, "%s %lld %llu %lld.%09ld\n", path, (long long)st.st_size,
	    (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec,
	    st.st_mtim.tv_nsec);
	if (!S_ISDIR(st.st_mode) || dir_visit_loop(up, st.st_dev, st.st_ino))
		return;
	struct dir_visit here = {st.st_dev, st.st_ino, path, up};
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char *child = path_join(path, e->d_name);
		list_tree(b, child, &here);
		free(child);
	}
	closedir(dir);
}

static void fingerprint(char hex[65])
{
	struct buf b = {0};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
		list_tree(&b, inputs[i], NULL);
	sha256_hex(b.data ? b.data : "", b.len, hex);
	buf_free(&b);
}

/* Watches path and every folder under it (those that are already watched
 * keep their watch), up being the folders path is in, as in list_tree.
 * On failure (the limit on watches, say) inotify is given up for looks
 * every POLL_MS. */
static void watch_tree(struct watch *w, const char *path,
    const struct dir_visit *up)
{
	struct stat st;
	if (w->fd < 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    dir_visit_loop(up, st.st_dev, st.st_ino))
		return;
	struct dir_visit here = {st.st_dev, st.st_ino, path, up};
	int wd = inotify_add_watch(w->fd, path, EVENTS);
	if (wd < 0) {
		if (errno == ENOTDIR || errno == ENOENT)
			return;
		close(w->fd);
		w->fd = -1;
		return;
	}
	if ((size_t)wd >= w->ndirs) {
		size_t n = (size_t)wd + 64;
		w->dirs = xrealloc(w->dirs, n * sizeof *w->dirs);
		memset(w->dirs + w->ndirs, 0, (n - w->ndirs) * sizeof *w->dirs);
		w->ndirs = n;
	}
	free(w->dirs[wd]);
	w->dirs[wd] = xstrdup(path);
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || e->d_type == DT_REG)
			continue;
		char *child = path_join(path, e->d_name);
		watch_tree(w, child, &here);
		free(child);
	}
	closedir(dir);
}

static void watch_all(struct watch *w)
{
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
		watch_tree(w, inputs[i], NULL);
}

struct watch *watch_open(void)
{
	struct watch *w = xcalloc(1, sizeof *w);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	watch_all(w);
	fingerprint(w->seen);
	return w;
}

/* Reads every pending event; a new folder gets its watches.  Returns the
 * number of events read (0 when none were pending). */
static size_t drain(struct watch *w)
{
	char ev[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t n = 0;
	ssize_t k;
	while (w->fd >= 0 && (k = read(w->fd, ev, sizeof ev)) > 0) {
		for (char *p = ev; p < ev + k;) {
			const struct inotify_event *e = (const void *)p;
			n++;
			if (e->mask & IN_Q_OVERFLOW) {
				watch_all(w);
			} else if ((e->mask & IN_ISDIR) && e->len &&
			    (e->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    e->wd >= 0 && (size_t)e->wd < w->ndirs &&
			    w->dirs[e->wd]) {
				char *child = path_join(w->dirs[e->wd], e->name);
				watch_tree(w, child, NULL);
				free(child);
			}
			p += sizeof *e + e->len;
		}
	}
	return n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void watch_wait(struct watch *w)
{
	for (;;) {
		struct pollfd pf = {w->fd, POLLIN, 0};
		int r = poll(&pf, 1, w->fd >= 0 ? SAFETY_MS : POLL_MS);
		if (r > 0 && drain(w)) {
			/* An editor saves in several steps (a temporary
			 * file, a rename, a chmod): wait for them all. */
			double start = now_ms();
			while (now_ms() - start < SETTLE_MS &&
			    poll(&pf, 1, QUIET_MS) > 0 && drain(w))
				;
		} else if (r < 0 && errno != EINTR) {
			struct timespec ts = {0, POLL_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
		/* A root that did not exist may have been made. */
		if (r == 0)
			watch_all(w);
		char now[65];
		fingerprint(now);
		if (strcmp(now, w->seen)) {
			memcpy(w->seen, now, sizeof now);
			return;
		}
	}
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->ndirs; i++)
		free(w->dirs[i]);
	free(w->dirs);
	free(w);
}
