/*
 * serve.c -- folio serve: a local preview on 127.0.0.1 with libmicrohttpd.
 * It builds the site, serves the output folder, and rebuilds when a file
 * under content/, sources/ or templates/ changes (watch.c); every HTML
 * page it serves carries a small script that asks /__folio/build?after=N,
 * N the build the page came from.  The server holds that question until a
 * rebuild ends (or HOLD_S seconds pass), and answers "N ok" or "N failed"
 * and the diagnostics: the page reloads after a rebuild that succeeded,
 * and shows the diagnostics of one that failed over itself (the previous
 * site stays in place, folio build's guarantee), until the next one
 * succeeds.  The diagnostics also go to standard error.
 *
 * libmicrohttpd is opened with dlopen when serve starts rather than
 * linked: linked, it brings GnuTLS and its start-up work (about 5 ms, most
 * of a warm folio check's fixed cost) into every run of folio, and only
 * serve uses it.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <dlfcn.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "math/math.h"

/* The body of the script each HTML page gets, a function of b, the build
 * the page came from (see handle).  Its first question is answered at
 * once, so that a page loaded after a failed rebuild shows the failure.
 * The diagnostics go into the page as text, never as markup.  A hidden
 * tab lets go of its question, so that tabs left open do not hold the
 * browser's few connections to the server; it asks again when shown. */
static const char reload_script[] =
    "var c=null,q='',box=null;"
    "function show(t){if(!box){box=document.createElement('pre');"
    "box.id='folio-build-failed';box.style.cssText='position:fixed;"
    "left:0;right:0;bottom:0;max-height:50vh;overflow:auto;margin:0;"
    "padding:1em;z-index:2147483647;background:#3b0a0a;color:#fde8e8;"
    "font:13px/1.4 monospace;white-space:pre-wrap;border-top:3px solid "
    "#e53e3e';document.body.appendChild(box)}box.textContent=t}"
    "function ask(){if(c||document.hidden)return;c=new AbortController();"
    "fetch('/__folio/build'+q,{cache:'no-store',signal:c.signal})"
    ".then(function(r){if(!r.ok)throw r;return r.text()})"
    ".then(function(t){c=null;var n=parseInt(t,10),"
    "ok=/^\\d+ ok/.test(t);if(n!==b&&ok){location.reload();return}"
    "if(!ok)show('folio: the build failed; what you see is from the "
    "last build that succeeded, if any.\\n\\n'+t.slice(t.indexOf('\\n')+1));"
    "b=n;q='?after='+n;ask()})"
    ".catch(function(){var h=c&&c.signal.aborted;c=null;"
    "if(!h)setTimeout(ask,1000)})}"
    "document.addEventListener('visibilitychange',function(){"
    "if(document.hidden&&c)c.abort();else ask()});ask()";

/* What a page is when there is no site to serve it from. */
static const char no_site_page[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Not found</title></head>\n<body><p>Nothing here: no build "
    "has succeeded yet, or this page does not exist.</p></body></html>\n";

/* How long the server holds a question about the build number. */
#define HOLD_S 25

/* The library's soname (Debian's libmicrohttpd12), and the functions
 * serve calls, typed from microhttpd.h. */
#define MHD_LIBRARY "libmicrohttpd.so.12"

static struct mhd_api {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response;
	__typeof__(&MHD_add_response_header) add_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_lookup_connection_value) lookup_value;
} mhd;

static const struct {
	const char *name;
	size_t offset;   /* of its pointer in struct mhd_api */
} mhd_functions[] = {
	{"MHD_start_daemon", offsetof(struct mhd_api, start_daemon)},
	{"MHD_stop_daemon", offsetof(struct mhd_api, stop_daemon)},
	{"MHD_create_response_from_buffer",
	    offsetof(struct mhd_api, create_response)},
	{"MHD_add_response_header", offsetof(struct mhd_api, add_header)},
	{"MHD_queue_response", offsetof(struct mhd_api, queue_response)},
	{"MHD_destroy_response", offsetof(struct mhd_api, destroy_response)},
	{"MHD_lookup_connection_value", offsetof(struct mhd_api, lookup_value)},
};

/* Opens the library and finds its functions.  Returns 0, or -1 with a
 * diagnostic that says what to install. */
static int mhd_open(struct diags *d)
{
	void *lib = dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	const char *why = lib ? NULL : dlerror();
	for (size_t i = 0; lib && !why &&
	    i < sizeof mhd_functions / sizeof *mhd_functions; i++) {
		void *f = dlsym(lib, mhd_functions[i].name);
		if (f)
			/* POSIX: a function's address from dlsym is
			 * stored through its object representation. */
			memcpy((char *)&mhd + mhd_functions[i].offset, &f,
			    sizeof f);
		else
			why = mhd_functions[i].name;
	}
	if (!why)
		return 0;
	diags_add(d, DIAG_ERROR, NULL, 0, 0, "serve",
	    "cannot load %s (%s); install it with: apt-get install "
	    "libmicrohttpd12", MHD_LIBRARY, why);
	if (lib)
		dlclose(lib);
	return -1;
}

struct server {
	char *root;            /* the output folder */
	long build;            /* bumps after each build, failed or not */
	char *failure;         /* the last build's diagnostics if it failed,
	                          else NULL */
	pthread_mutex_t lock;  /* guards build and failure */
	pthread_cond_t moved;  /* signalled when build bumps */
};

static long build_number(struct server *sv)
{
	pthread_mutex_lock(&sv->lock);
	long n = sv->build;
	pthread_mutex_unlock(&sv->lock);
	return n;
}

/* A build ended: status 0 or its diagnostics (d) as the failure. */
static void build_ended(struct server *sv, int status, const struct diags *d)
{
	char *text = NULL;
	size_t len = 0;
	if (status != 0) {
		FILE *f = open_memstream(&text, &len);
		if (f) {
			diags_print(f, d);
			fclose(f);
		}
		if (!text)
			text = xstrdup("");
	}
	pthread_mutex_lock(&sv->lock);
	sv->build++;
	free(sv->failure);
	sv->failure = text;
	pthread_cond_broadcast(&sv->moved);
	pthread_mutex_unlock(&sv->lock);
}

/* The answer about the build: "N ok", or "N failed" and the diagnostics
 * on the lines after.  With after >= 0, once the build number is no longer
 * `after`, or after HOLD_S seconds (each connection has a thread of its
 * own, so a held one blocks no other). */
static char *build_answer(struct server *sv, long after)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HOLD_S;
	pthread_mutex_lock(&sv->lock);
	while (after >= 0 && sv->build == after &&
	    pthread_cond_timedwait(&sv->moved, &sv->lock, &until) != ETIMEDOUT)
		;
	char *s = sv->failure ? xasprintf("%ld failed\n%s", sv->build,
	    sv->failure) : xasprintf("%ld ok", sv->build);
	pthread_mutex_unlock(&sv->lock);
	return s;
}

/* The type of a file by its extension, whatever its case (a camera's
 * IMG_0001.JPG), for the files a site holds: its pages, the theme, KaTeX's
 * fonts, the flow library's WebAssembly, and the media authors put under
 * content/. */
static const char *mime(const char *path)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".json", "application/json"}, {".map", "application/json"},
		{".xml", "application/xml"}, {".wasm", "application/wasm"},
		{".txt", "text/plain; charset=utf-8"},
		{".md", "text/markdown; charset=utf-8"},
		{".csv", "text/csv; charset=utf-8"},
		{".bib", "text/plain; charset=utf-8"},
		{".yaml", "text/plain; charset=utf-8"},
		{".yml", "text/plain; charset=utf-8"},
		{".svg", "image/svg+xml"}, {".png", "image/png"},
		{".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
		{".gif", "image/gif"}, {".webp", "image/webp"},
		{".avif", "image/avif"}, {".ico", "image/x-icon"},
		{".pdf", "application/pdf"},
		{".mp4", "video/mp4"}, {".webm", "video/webm"},
		{".mp3", "audio/mpeg"}, {".ogg", "audio/ogg"},
		{".woff2", "font/woff2"}, {".woff", "font/woff"},
		{".ttf", "font/ttf"}, {".otf", "font/otf"},
	};
	const char *dot = strrchr(path, '.');
	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof types / sizeof *types; i++)
			if (!strcasecmp(dot, types[i][0]))
				return types[i][1];
	return "application/octet-stream";
}

/* Queues data (len bytes, freed by libmicrohttpd; none when NULL) as the
 * answer with status code.  A file's answer says that ranges of it may be
 * asked for (ranged); header and value, when header is not NULL, are one
 * more (the range answered, where a redirect goes). */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned code,
    const char *type, void *data, size_t len, int ranged,
    const char *header, const char *value)
{
	struct MHD_Response *r = mhd.create_response(data ? len : 0, data,
	    data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (type)
		mhd.add_header(r, "Content-Type", type);
	mhd.add_header(r, "Cache-Control", "no-store");
	if (ranged)
		mhd.add_header(r, "Accept-Ranges", "bytes");
	if (header)
		mhd.add_header(r, header, value);
	enum MHD_Result ret = mhd.queue_response(c, code, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code,
    const char *type, void *data, size_t len)
{
	return respond(c, code, type, data, len, 0, NULL, NULL);
}

/* A file's bytes, or the one range of them the request asks for (a video
 * being seeked, a PDF viewer reading pages): 206 with that range, 416
 * when it starts beyond the file.  A request for several ranges, or a
 * Range header that is not one, gets the whole file, as HTTP allows. */
static enum MHD_Result reply_file(struct MHD_Connection *c, const char *type,
    char *data, size_t len)
{
	const char *range = mhd.lookup_value(c, MHD_HEADER_KIND, "Range");
	unsigned long long first, last;
	char *end, cr[80];
	if (!range || strncmp(range, "bytes=", 6) || strchr(range, ','))
		return respond(c, 200, type, data, len, 1, NULL, NULL);
	const char *spec = range + 6;
	int ok;
	if (*spec == '-') {                      /* the last N bytes */
		unsigned long long n = strtoull(spec + 1, &end, 10);
		ok = end != spec + 1 && !*end && n > 0;
		first = n >= len ? 0 : len - n;
		last = len ? len - 1 : 0;
	} else {
		first = strtoull(spec, &end, 10);
		ok = end != spec && *end == '-';
		if (ok && end[1]) {
			last = strtoull(end + 1, &end, 10);
			ok = !*end && last >= first;
		} else {
			last = ULLONG_MAX;   /* to the end */
		}
		if (last >= len)
			last = len ? len - 1 : 0;
	}
	if (!ok)
		return respond(c, 200, type, data, len, 1, NULL, NULL);
	if (first >= len) {
		free(data);
		snprintf(cr, sizeof cr, "bytes */%zu", len);
		return respond(c, 416, NULL, NULL, 0, 1, "Content-Range", cr);
	}
	size_t n = (size_t)(last - first + 1);
	memmove(data, data + first, n);
	snprintf(cr, sizeof cr, "bytes %llu-%llu/%zu", first, last, len);
	return respond(c, 206, type, data, n, 1, "Content-Range", cr);
}

/* url (as libmicrohttpd gives it: unescaped) with a slash added, escaped
 * again for a Location header.  Runs of slashes become one: "//t/a"
 * must not become "//t/a/", which a browser reads as host "t". */
static char *url_escape(const char *url)
{
	static const char keep[] = "-._~/!$&'()*+,;=:@";
	struct buf b = {0};
	for (const unsigned char *u = (const unsigned char *)url; *u; u++)
		if (*u == '/' && u[1] == '/')
			continue;
		else if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || (*u && strchr(keep, *u)))
			buf_put(&b, (const char *)u, 1);
		else
			buf_printf(&b, "%%%02X", *u);
	buf_puts(&b, "/");
	return buf_detach(&b);
}

/* libmicrohttpd's unescaping, but %00 is left as it is: decoded, it cut
 * the path short ("/a/index.html%00.css" answered /a/index.html). */
static size_t unescape_but_nul(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls; (void)c;
	char *out = s;
	for (const char *p = s; *p; p++) {
		unsigned v;
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2]) &&
		    sscanf(p + 1, "%2x", &v) == 1 && v != 0) {
			*out++ = (char)v;
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_len, void **state)
{
	struct server *sv = cls;
	(void)version; (void)upload; (void)upload_len; (void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, 405, "text/plain", xstrdup("method not allowed"),
		    18);
	if (!strcmp(url, "/__folio/build")) {
		const char *after = mhd.lookup_value(c, MHD_GET_ARGUMENT_KIND,
		    "after");
		char *end = NULL;
		long n = after ? strtol(after, &end, 10) : -1;
		char *s = build_answer(sv, after && *after && !*end ? n : -1);
		return reply(c, 200, "text/plain; charset=utf-8", s, strlen(s));
	}
	if (strstr(url, "..") || url[0] != '/')
		return reply(c, 403, "text/plain", xstrdup("forbidden"), 9);
	char *path = xasprintf("%s%s%s", sv->root, url,
	    url[strlen(url) - 1] == '/' ? "index.html" : "");
	if (path_is_dir(path)) {
		/* A folder asked for without its slash: its page's relative
		 * links would resolve one level too high. */
		free(path);
		char *to = url_escape(url);
		enum MHD_Result ret = respond(c, 301, NULL, NULL, 0, 0,
		    "Location", to);
		free(to);
		return ret;
	}
	char *data;
	size_t len;
	struct diags d = {0};
	unsigned code = 200;
	/* Read before the page: the page is then of this build or newer,
	 * and a newer one only makes the script reload once more. */
	long build = build_number(sv);
	if (file_read(path, &data, &len, &d, "serve") != 0) {
		free(path);
		path = xasprintf("%s/404.html", sv->root);
		diags_free(&d);
		code = 404;
		if (file_read(path, &data, &len, &d, "serve") != 0) {
			/* No site yet (its first build failed): a page that
			 * still carries the script, so that it shows why and
			 * reloads once a build succeeds. */
			data = xstrdup(no_site_page);
			len = strlen(data);
		}
	}
	diags_free(&d);
	const char *type = mime(path);
	if (str_ends(path, ".html")) {
		char *body = strstr(data, "</body>");
		struct buf b = {0};
		buf_put(&b, data, body ? (size_t)(body - data) : len);
		buf_printf(&b, "<script>(function(b){%s})(%ld)</script>",
		    reload_script, build);
		if (body)
			buf_puts(&b, body);
		free(data);
		len = b.len;
		data = buf_detach(&b);
	}
	int page = str_ends(path, ".html");
	free(path);
	if (code == 200 && !page)
		return reply_file(c, type, data, len);
	return reply(c, code, type, data, len);
}

/* A socket listening on 127.0.0.1:port (loopback only: a preview is not
 * a public server), or -1 with a diagnostic. */
static int listen_on(int port, struct diags *d)
{
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one) == 0 && bind(fd, (struct sockaddr *)&addr,
	    sizeof addr) == 0 && listen(fd, 64) == 0)
		return fd;
	int e = errno;
	if (fd >= 0)
		close(fd);
	diags_add(d, DIAG_ERROR, NULL, 0, 0, "serve",
	    "cannot listen on 127.0.0.1:%d: %s%s", port, strerror(e),
	    e == EADDRINUSE ? "; stop what holds it, or pass --port N" : "");
	return -1;
}

int site_serve(const struct site_opts *o, int port, struct diags *d)
{
	struct site_opts bo = *o;
	bo.quiet = 0;
	if (mhd_open(d) != 0)
		return 2;
	/* A relative --out is from where folio was started, as for build. */
	char *out = o->out ? path_resolve(o->out) : NULL;
	if (o->dir && chdir(o->dir) != 0) {
		diags_add(d, DIAG_ERROR, o->dir, 0, 0, "serve",
		    "cannot enter the site folder");
		free(out);
		return 2;
	}
	bo.dir = NULL;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd)) {
		free(out);
		return 2;
	}
	struct server sv = {0};
	sv.root = out ? out : path_join(cwd, "build/site");
	bo.out = sv.root;
	/* The port is taken before the first build, so that a port in use
	 * is said at once; until the server starts, after that build, the
	 * kernel holds the browser's connections. */
	int lfd = listen_on(port, d);
	if (lfd < 0) {
		free(sv.root);
		return 2;
	}
	/* KaTeX's workers stay up between rebuilds (math_step.c); when serve
	 * is killed they read the end of their input and exit. */
	struct math_pool *math = NULL;
	bo.keep_math = &math;
	/* The inputs' fingerprint is taken before each build: what changes
	 * while it runs brings another one. */
	struct watch *watch = watch_open();
	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.moved, NULL);
	int status = site_build(&bo, d);
	diags_print(stderr, d);
	build_ended(&sv, status, d);
	diags_free(d);
	struct MHD_Daemon *daemon = mhd.start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_ERROR_LOG,
	    (uint16_t)port, NULL, NULL, handle, &sv,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape_but_nul, NULL,
	    MHD_OPTION_END);
	if (!daemon) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "serve",
		    "cannot start the preview server (libmicrohttpd)");
		close(lfd);
		math_pool_free(math);
		watch_close(watch);
		free(sv.failure);
		free(sv.root);
		return 2;
	}
	fprintf(stderr, "folio: serving %s on http://localhost:%d/ "
	    "(Ctrl-C stops)\n", sv.root, port);
	for (;;) {
		watch_wait(watch);
		status = site_build(&bo, d);
		diags_print(stderr, d);
		build_ended(&sv, status, d);
		diags_free(d);
	}
	mhd.stop_daemon(daemon);
	math_pool_free(math);
	watch_close(watch);
	free(sv.failure);
	free(sv.root);
	return 0;
}
