/*
 * sandbox.c -- what a witness's child may do: resource limits, and a
 * seccomp filter on system calls.
 *
 * The prelude already keeps fopen, fork and system out of a witness's
 * reach (they are not linked), but a witness is C: it may declare its own
 * prototypes (tcc then fails to link them) or make raw system calls with
 * inline assembly.  So the child also runs under limits (RLIMIT_CPU,
 * RLIMIT_AS, RLIMIT_FSIZE 0, RLIMIT_NPROC 0, RLIMIT_CORE 0) and, since
 * RLIMIT_NPROC does not bind root, under a seccomp filter that lets through
 * only reading and writing open descriptors, memory management, signals
 * for abort() and exiting; every other call fails with EPERM.  (The runner
 * reads its image after the filter is on; see runner.c.)
 *
 * Where the kernel lets the rest of the sandbox hold without it, that
 * filter is not installed by each runner but once, by the host, for itself
 * and every runner it forks (see "one filter for all" below).
 *
 * Divisions: limits, filter, one filter for all.
 */
#include "witness/internal.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

/* ---- limits */

rlim_t witness_sandbox_address_limit(const struct witness_opts *o)
{
	/* A child inherits its parent's mappings, so the cap is on what it
	 * adds: pages mapped now (/proc/self/statm) plus memory_mb. */
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
	    (rlim_t)o->memory_mb * 1024 * 1024;
}

static int limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit r = {soft, hard};
	return setrlimit(resource, &r);
}

int witness_sandbox_limits(const struct witness_opts *o, rlim_t as)
{
	if (limit(RLIMIT_CPU, (rlim_t)o->cpu_s, (rlim_t)o->cpu_s + 1) < 0 ||
	    limit(RLIMIT_FSIZE, 0, 0) < 0 || limit(RLIMIT_CORE, 0, 0) < 0 ||
	    limit(RLIMIT_NPROC, 0, 0) < 0)
		return -1;
	if (as > 0 && limit(RLIMIT_AS, as, as) < 0)
		return -1;
	return 0;
}

/* ---- filter */

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* The low and high halves of a call's first argument (x86-64 is little
 * endian). */
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#define ARG0_HI (offsetof(struct seccomp_data, args[0]) + 4)
#define ARG2_LO offsetof(struct seccomp_data, args[2])

/* Every filter starts so: other architectures' calls kill the process,
 * and the call's number is loaded. */
#define FILTER_HEAD \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	    offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

#define DENY BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & 0xffff))

/* Call nr passes when its first argument is v, and fails otherwise; any
 * other call goes on with its number still loaded. */
#define ALLOW_IF_ARG0(nr, v) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 6), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (v), 0, 3), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_HI), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), \
	DENY

/* What every runner may call, in either kind of filter (after the first
 * jumps, with the call's number loaded). */
#define ALLOW_RUNNER \
	ALLOW(SYS_write), ALLOW(SYS_writev), ALLOW(SYS_read), \
	ALLOW(SYS_brk), \
	ALLOW(SYS_mmap), ALLOW(SYS_munmap), ALLOW(SYS_mremap), \
	ALLOW(SYS_mprotect), ALLOW(SYS_madvise), ALLOW(SYS_fstat), \
	ALLOW(SYS_newfstatat), ALLOW(SYS_lseek), ALLOW(SYS_futex), \
	ALLOW(SYS_rt_sigprocmask), ALLOW(SYS_rt_sigaction), \
	ALLOW(SYS_rt_sigreturn), ALLOW(SYS_getpid), ALLOW(SYS_gettid), \
	ALLOW(SYS_clock_gettime), \
	ALLOW(SYS_close), ALLOW(SYS_exit), ALLOW(SYS_exit_group)

#if defined(__x86_64__)
static int filter_install(struct sock_filter *prog, size_t n)
{
	struct sock_fprog fprog = {(unsigned short)n, prog};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
}
#endif

int witness_sandbox_filter(void)
{
#if defined(__x86_64__)
	/* tgkill is for abort(), which signals the process itself; aimed at
	 * any other process (the builder, or anything else of the same
	 * user) it is refused. */
	unsigned self = (unsigned)getpid();
	struct sock_filter prog[] = {
		FILTER_HEAD,
		ALLOW_IF_ARG0(SYS_tgkill, self),
		ALLOW_RUNNER,
		DENY,
	};
	return filter_install(prog, sizeof prog / sizeof prog[0]);
#else
	/* Other machines keep the limits only. */
	return 0;
#endif
}

/* ---- one filter for all
 *
 * A filter of its own costs a runner more than its witness does: on the
 * development machine, by hand, a fork, filter and exit took 1.0-1.3 ms
 * against 0.6-0.7 ms without the filter or with one its parent had
 * installed once (the kernel compiles each filter to machine code, and
 * frees it at exit); bench-witness, eight runs of each side by side: 510-593
 * witnesses a second against 478-545, the median witness 1.27-1.49 ms
 * against 1.40-1.60 ms.  So where it can, the host installs one filter, for
 * itself and every runner it forks: a runner's calls, and those the host
 * needs (clone to fork, wait4, poll, recvmsg and sendto on its socket;
 * dup2, close_range and landlock_restrict_self, with which a runner sets
 * itself up).  What those would give a witness is taken away otherwise:
 *   - clone: RLIMIT_NPROC 0 binds a process that is not root and lacks
 *     CAP_SYS_ADMIN and CAP_SYS_RESOURCE, and a host started as root
 *     becomes nobody (65534) first;
 *   - signals: kill is refused, tgkill passes for SIGABRT only (abort()),
 *     and each runner enters a Landlock domain of its own that may not
 *     signal any process outside it (Linux 6.12, Landlock version 6);
 *   - prlimit64 passes for the caller itself only (pid 0), where without
 *     privileges it cannot raise a hard limit;
 *   - recvmsg, sendto, poll, wait4, dup2, close_range: a runner has no
 *     socket (its image's is closed before main) and no child.
 * Where any of that is missing, each runner installs its own filter. */

#define NOBODY 65534

/* Whether this process has CAP_SYS_ADMIN or CAP_SYS_RESOURCE, with which
 * RLIMIT_NPROC does not bind it. */
static int nproc_exempt(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct c[2];
	if (syscall(SYS_capget, &h, c) < 0)
		return 1;
	return (c[0].effective & (1u << CAP_SYS_ADMIN)) != 0 ||
	    (c[0].effective & (1u << CAP_SYS_RESOURCE)) != 0;
}

static int filter_shared(void)
{
#if defined(__x86_64__)
	struct sock_filter prog[] = {
		FILTER_HEAD,
		/* tgkill: SIGABRT only */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG2_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGABRT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		DENY,
		ALLOW_IF_ARG0(SYS_prlimit64, 0),      /* the caller only */
		ALLOW_RUNNER,
		ALLOW(SYS_clone), ALLOW(SYS_wait4), ALLOW(SYS_poll),
		ALLOW(SYS_recvmsg), ALLOW(SYS_sendto), ALLOW(SYS_dup2),
		ALLOW(SYS_close_range), ALLOW(SYS_landlock_restrict_self),
		DENY,
	};
	return filter_install(prog, sizeof prog / sizeof prog[0]);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int witness_sandbox_share(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 6)
		return -1;
	struct witness_ruleset attr = {0, 0, WITNESS_SCOPE_SIGNAL};
	int scope = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof attr, 0);
	if (scope < 0)
		return -1;
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0))
		goto no;
	if (getuid() == 0 || geteuid() == 0 || nproc_exempt() ||
	    filter_shared() < 0)
		goto no;
	return scope;
no:
	close(scope);
	return -1;
}

int witness_sandbox_scope(int scope)
{
	int rc = (int)syscall(SYS_landlock_restrict_self, scope, 0);
	close(scope);
	return rc;
}
