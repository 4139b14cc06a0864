/*
 * files.c -- whole-file reads and writes, folder trees, SHA-256.
 * The only includer of OpenSSL's headers.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

int file_read(const char *path, char **out, size_t *len, struct diags *d,
    const char *stage)
{
	*out = NULL;
	/* Only a regular file is read: a fifo would block (opening one
	 * without O_NONBLOCK waits for a writer), a device may never end. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		diags_add(d, DIAG_ERROR, path, 0, 0, stage, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	struct stat st;
	int err = fstat(fd, &st) != 0 ? errno : 0;
	if (err || !S_ISREG(st.st_mode)) {
		diags_add(d, DIAG_ERROR, path, 0, 0, stage, "%s",
		    err ? strerror(err) : "not a regular file");
		close(fd);
		return -1;
	}
	/* Read straight into a buffer of the file's size (plus the NUL and
	 * one byte to see the end), growing it only when the file is longer
	 * than fstat said (a file being written, or one under /proc). */
	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
	char *data = xmalloc(cap);
	size_t n = 0;
	for (;;) {
		if (n + 1 == cap) {
			cap *= 2;
			data = xrealloc(data, cap);
		}
		ssize_t got = read(fd, data + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			diags_add(d, DIAG_ERROR, path, 0, 0, stage,
			    "cannot read: %s", strerror(errno));
			close(fd);
			free(data);
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	data[n] = '\0';
	if (len)
		*len = n;
	*out = data;
	return 0;
}

int file_write(const char *path, const void *p, size_t n, struct diags *d,
    const char *stage)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		diags_add(d, DIAG_ERROR, path, 0, 0, stage,
		    "cannot create: %s", strerror(errno));
		return -1;
	}
	size_t w = n ? fwrite(p, 1, n, f) : 0;
	int err = (w != n) | (fclose(f) != 0);
	if (err) {
		diags_add(d, DIAG_ERROR, path, 0, 0, stage,
		    "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int dir_make(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0755);
	free(p);
	return r != 0 && errno != EEXIST ? -1 : 0;
}

int dir_remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	struct dirent *e;
	int r = 0;
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *child = path_join(path, e->d_name);
		if (dir_remove(child) != 0)
			r = -1;
		free(child);
	}
	closedir(dir);
	if (rmdir(path) != 0)
		r = -1;
	return r;
}

int file_copy(const char *from, const char *to, struct diags *d,
    const char *stage)
{
	char *data;
	size_t len;
	if (file_read(from, &data, &len, d, stage) != 0)
		return -1;
	int r = file_write(to, data, len, d, stage);
	free(data);
	return r;
}

int dir_copy(const char *from, const char *to, struct diags *d,
    const char *stage)
{
	DIR *dir = opendir(from);
	if (!dir) {
		diags_add(d, DIAG_ERROR, from, 0, 0, stage,
		    "cannot open folder: %s", strerror(errno));
		return -1;
	}
	if (dir_make(to) != 0) {
		diags_add(d, DIAG_ERROR, to, 0, 0, stage,
		    "cannot create folder: %s", strerror(errno));
		closedir(dir);
		return -1;
	}
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char *src = path_join(from, e->d_name);
		char *dst = path_join(to, e->d_name);
		r = path_is_dir(src) ? dir_copy(src, dst, d, stage)
				     : file_copy(src, dst, d, stage);
		free(src);
		free(dst);
	}
	closedir(dir);
	return r;
}

int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_join(const char *a, const char *b)
{
	if (!*a || !strcmp(a, "."))
		return xstrdup(b);
	size_t la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *path_resolve(const char *path)
{
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return xstrdup(path);
		char *abs = path_join(cwd, path);
		char *r = path_resolve(abs);
		free(abs);
		return r;
	}
	char *real = realpath(path, NULL);
	if (real)
		return real;
	const char *slash = strrchr(path, '/');
	/* The last part does not exist (or cannot be looked at): resolve
	 * the folder it is in, and add the part by its name. */
	char *up = slash == path ? xstrdup("/")
	    : xstrndup(path, (size_t)(slash - path));
	char *base = path_resolve(up);
	free(up);
	const char *name = slash + 1;
	if (!*name || !strcmp(name, "."))
		return base;
	if (!strcmp(name, "..")) {
		char *last = strrchr(base, '/');
		if (last)
			*(last == base ? last + 1 : last) = '\0';
		return base;
	}
	char *r = path_join(base, name);
	free(base);
	return r;
}

int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || !path[n]);
}

/* SHA-256 fetched once: in OpenSSL 3, SHA256() looks the algorithm up on
 * every call, which costs five times the hashing of a formula. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void sha256_hex(const void *p, size_t n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256_md || !EVP_Digest(p, n, md, NULL, sha256_md, NULL))
		SHA256(p, n, md);  /* the fetch failed: look it up each time */
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}
