/*
 * internal.h -- what the files of src/witness/ share; not for other stages.
 */
#ifndef FOLIO_WITNESS_INTERNAL_H
#define FOLIO_WITNESS_INTERNAL_H

#include "witness/witness.h"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One function or object a witness may link against. */
struct witness_symbol {
	const char *name;        /* as the prelude or flow.h declares it */
	const void *addr;        /* its address in the witness host; NULL in
	                            the builder, which only needs the names */
};
/* The table, in symbols.c (compiled into folio and, with WITNESS_HOST
 * defined, into the host); ends with {NULL, NULL}. */
extern const struct witness_symbol witness_symbols[];
/* Its entries, the final {NULL, NULL} not counted. */
size_t witness_symbol_count(void);

/* The sandbox (host/sandbox.c).  witness_sandbox_address_limit, called in
 * the host (whose mappings every runner inherits), gives the RLIMIT_AS
 * that lets the child add o->memory_mb to what it inherits.  In the child,
 * witness_sandbox_limits sets that and the other limits, and
 * witness_sandbox_filter installs the system-call filter: from then on the
 * child may write to its open descriptors, allocate memory and exit,
 * nothing else.  Both return 0, or -1 with errno set. */
rlim_t witness_sandbox_address_limit(const struct witness_opts *o);
int witness_sandbox_limits(const struct witness_opts *o, rlim_t as);
int witness_sandbox_filter(void);
/* struct landlock_ruleset_attr as Linux 6.10 has it, for the compile
 * server's confinement (confine.c) and the runners' signals (sandbox.c);
 * older kernels take the shorter versions of it (and the headers may know
 * only those). */
struct witness_ruleset {
	uint64_t handled_access_fs;   /* Landlock version 1 */
	uint64_t handled_access_net;  /* version 4 */
	uint64_t scoped;              /* version 6 */
};
#define WITNESS_NET_BIND_TCP (1ULL << 0)
#define WITNESS_NET_CONNECT_TCP (1ULL << 1)
#define WITNESS_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define WITNESS_SCOPE_SIGNAL (1ULL << 1)

/* In the host, once: puts the host and every runner it will fork under
 * one filter (which lets the host fork), when the kernel lets a runner be
 * kept from forking and signalling otherwise; becomes nobody first when
 * root.  Returns a Landlock ruleset for the runners' signals (each runner
 * passes it to witness_sandbox_scope, which closes it), or -1 when each
 * runner must install witness_sandbox_filter instead. */
int witness_sandbox_share(void);
int witness_sandbox_scope(int scope);

/* In the witness host, at start-up: moves its code and constants into
 * anonymous memory, whose page-table entries fork copies (host/anon_text.c).
 * Leaves what it cannot move as it was. */
void witness_host_anon_text(void);

/* Whole reads and writes on a blocking descriptor, retrying after EINTR
 * (io.c).  Return 0, or -1 at an error or end of file. */
int witness_read_full(int fd, void *p, size_t n);
int witness_write_full(int fd, const void *p, size_t n);
/* In a helper just forked: closes every descriptor from 3 up but a and b
 * (which may be equal), so that no helper holds another's pipe open. */
void witness_close_except(int a, int b);

/* Where a compiled witness lives: address space the builder reserves
 * (PROT_NONE) before it forks the compile server, and the host reserves at
 * the same address before it forks runners, so that a witness compiled for
 * it finds it free (run.c). */
struct witness_area {
	void *base;
	size_t size;                 /* bytes, a multiple of the page size */
};
static inline size_t witness_page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

/* In the compile server, before it compiles anything: restricts the
 * process (Landlock) to reading o's prelude folders and tcc library, and
 * to opening no other file.  Returns 0, or -1 with errno set when the
 * kernel cannot (confine.c). */
int witness_confine_compiler(const struct witness_opts *o);

/* The compile server (compiler.c).  Its answer to one request: */
struct compiler_head {
	uint32_t ok;                 /* 1 when compiled and linked */
	uint32_t unconfined;         /* 0, or the errno of the server's
	                                failure to confine itself */
	uint64_t msgs_len;           /* compiler messages, each with its NUL */
	uint64_t image_len;          /* machine code, for area->base */
	uint64_t entry;              /* offset of main in the image */
};
struct witness_compiler {
	pid_t pid;                   /* the server, or -1 */
	int to, from;                /* request pipe, answer pipe (O_NONBLOCK) */
	struct buf answer;           /* the answer read so far */
};
/* Forks the server, which links witnesses against the host's addresses
 * addr (one per witness_symbols entry); returns 0, or -1 with errno set.
 * c->answer is left as it is (zeroed before the first start; the caller
 * frees it at the end). */
int witness_compiler_start(struct witness_compiler *c,
    const struct witness_opts *o, const struct witness_area *area,
    const uint64_t *addr);
/* Sends one witness's code (blocking); returns 0 or -1. */
int witness_compiler_send(struct witness_compiler *c, const char *code);
/* Reads what the server has written: 1 once c->answer holds the whole
 * answer (a struct compiler_head, then the messages, then the image), 0
 * while it does not, -1 when the server has gone away. */
int witness_compiler_read(struct witness_compiler *c);
/* Ends the server (with SIGKILL when kill_it) and returns its wait
 * status; c->answer keeps what was read. */
int witness_compiler_stop(struct witness_compiler *c, int kill_it);

/* A runner (host/runner.c; the builder's side in runner.c): a child
 * waiting for an image on img, its stdout, stderr and control channel on
 * fd[PIPE_*] (O_NONBLOCK). */
enum { PIPE_OUT, PIPE_ERR, PIPE_CTL, NPIPES };
struct witness_runner {
	pid_t pid;                   /* -1 until the host says */
	int img;                     /* socket to send the image, or -1 */
	int fd[NPIPES];              /* read ends, -1 once at end of file */
};
/* Makes r's socket and pipes; child_fd gets the runner's ends (image,
 * stdout, stderr, control), which the caller passes to the host and
 * then closes.  Returns 0, or -1 with errno set. */
int witness_runner_prepare(struct witness_runner *r, int child_fd[4]);
/* In a freshly forked child: becomes the runner for the descriptors fd
 * (as child_fd above) under the limits of o, as being its RLIMIT_AS.
 * Never returns. */
void witness_runner_main(const struct witness_opts *o,
    const struct witness_area *area, rlim_t as, int scope, const int fd[4])
    __attribute__((noreturn));
/* What the builder sends a runner before the image itself. */
struct witness_runner_head {
	uint64_t image_len;          /* bytes of machine code that follow */
	uint64_t entry;              /* offset of main in them */
	int64_t line_offset;         /* .md line of the first code line - 1 */
};
/* Sends the runner len bytes of image with main at entry, then closes
 * r->img; line_offset is the .md line of the code's first line, less
 * one.  Returns 0, or -1 when the runner has gone. */
int witness_runner_send(struct witness_runner *r, const void *image,
    size_t len, size_t entry, int line_offset);
/* How a runner ends, from main's return or from exit(): flushes and
 * closes stdout, stderr and the control channel, then _exit(status). */
void witness_child_exit(int status) __attribute__((noreturn));

/* The witness host (host/host.c; the builder's side in host_client.c):
 * forks runners on request and reports their pids and exits. */
struct witness_host {
	pid_t pid;                   /* -1 when not running */
	int sock;
	uint64_t *addr;              /* from its hello: where each symbol of
	                                witness_symbols is, in it; kept after
	                                it stops, freed by the caller */
	int shared_filter;           /* from its hello */
};
#define WITNESS_HOST_VERSION 2
struct witness_host_hello {
	uint32_t version;            /* WITNESS_HOST_VERSION */
	int32_t error;               /* 0, or errno: the area is not free */
	uint32_t shared_filter;      /* 1: one filter for the host and all
	                                runners (witness_sandbox_share);
	                                0: a filter in each runner */
	uint32_t unused;
	uint64_t nsymbols;           /* addresses that follow */
};
/* A request carries its descriptors; the byte only makes the message
 * non-empty, since an empty one would read as end of file. */
struct spawn_request {
	char fork;                   /* 'F' */
};
struct spawn_event {
	int kind;                    /* 'P' forked, 'W' ended */
	pid_t pid;                   /* -1 with 'P' when fork failed */
	int value;                   /* 'P': errno or 0; 'W': wait status */
};
/* Starts the host and reads its hello into z->addr; returns 0, or -1
 * with errno set. */
int witness_host_start(struct witness_host *z,
    const struct witness_opts *o, const struct witness_area *area);
/* Asks for a runner with the descriptors fd; its 'P' event follows,
 * after those of earlier requests.  Returns 0 or -1. */
int witness_host_request(struct witness_host *z, const int fd[4]);
/* Reads one event without blocking: 1 got one, 0 none yet, -1 the
 * host has gone. */
int witness_host_read(struct witness_host *z, struct spawn_event *e);
/* Ends the host (runners it forked run on until they end). */
void witness_host_stop(struct witness_host *z);

/* Cuts text into normalised lines (compare.c): "\r" and trailing blanks
 * dropped, trailing empty lines dropped.  *lines is an array of fresh
 * strings; witness_lines_free frees it. */
size_t witness_lines_split(const char *text, char ***lines);
void witness_lines_free(char **lines, size_t n);

/* What a finished child left behind (run.c), for witness_verdict. */
enum witness_kill {
	WITNESS_KILL_NONE,
	WITNESS_KILL_TIMEOUT,        /* past timeout_ms */
	WITNESS_KILL_OUTPUT,         /* past output_kb */
	WITNESS_KILL_CONTROL,        /* wrote a flood to the control channel */
};
struct witness_run {
	int wstatus;                 /* from waitpid */
	enum witness_kill killed;    /* why the parent killed it, if it did */
	const char *ctl;             /* "C", the compiler's messages each
	                                ending in NUL, then what the runner's
	                                control channel said: "R" (main was
	                                called) or "F" + message (the sandbox
	                                failed); nothing after the messages
	                                when it did not compile or run */
	size_t ctl_len;
};

/* Sets it->status and it->exit_code from r and it->stdout_text, and
 * appends the diagnostics (verdict.c).  o has its defaults filled in. */
void witness_verdict(const struct witness_opts *o, struct witness_item *it,
    const struct witness_run *r, struct diags *d);

/* In a witness's child: the .md line of its first code line, less one,
 * so that a failed assert names the page's line (symbols.c). */
extern int witness_line_offset;

/* ---- one runner's job (job.c), for run.c */

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
	double main_start;           /* when it said "R" (main called), or 0 */
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

/* Milliseconds on the monotonic clock. */
double witness_now_ms(void);
/* Closes j's pipe k, or every descriptor j still holds. */
void witness_job_close(struct job *j, int k);
void witness_job_close_all(struct job *j);
/* Kills j's runner for the given reason and stops reading from it. */
void witness_job_kill(struct job *j, enum witness_kill why);
/* Reads what pipe k of j has; kills the runner when its stdout and stderr
 * together pass cap bytes, or when it floods its control channel. */
void witness_job_read(struct job *j, int k, size_t cap);
/* 1 while any of j's pipes is open. */
int witness_job_output_open(const struct job *j);
/* Hands the image in rd (freed) to the spare j, for rd->it. */
void witness_job_dispatch(struct job *j, const struct witness_opts *o,
    struct ready *rd);
/* Gives j's witness its verdict once its runner is reaped, counting a
 * failure in *failed, and frees j. */
void witness_job_finish(const struct witness_opts *o, struct job *j,
    struct diags *d, size_t *failed);
/* A witness that never reached a runner: the compiler rejected it, went
 * away, or took too long.  msgs (len bytes) is what the compiler said. */
void witness_finish_unrun(const struct witness_opts *o,
    struct witness_item *it, const char *msgs, size_t len, int wstatus,
    enum witness_kill killed, double ms, struct diags *d, size_t *failed);
/* A witness that could not be started (errno tells why). */
void witness_start_failed(struct witness_item *it, struct diags *d,
    size_t *failed);

/* A witness whose main has run this long computes, and another may run
 * beside it (witness_runners_allowed). */
#define WITNESS_HEAVY_MS 1.0
/* How many runner processes may be alive (spare, running or ending) at
 * time now, among the n jobs: one, and one more for each witness whose
 * main has run WITNESS_HEAVY_MS or longer, up to max_jobs. */
size_t witness_runners_allowed(const struct job *jobs, size_t n,
    int max_jobs, double now);
/* Whether the compile server may compile now: while no runner is alive
 * but heavy ones (a spare, a runner not yet in main or in main for less
 * than WITNESS_HEAVY_MS, or one ending, is not). */
int witness_compile_allowed(const struct job *jobs, size_t n, double now);

#endif
