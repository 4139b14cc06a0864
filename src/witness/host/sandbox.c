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
 * Divisions: limits, filter.
 */
#include "witness/internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
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

int witness_sandbox_filter(void)
{
#if defined(__x86_64__)
	/* tgkill is for abort(), which signals the process itself; aimed at
	 * any other process (the builder, or anything else of the same
	 * user) it is refused. */
	unsigned self = (unsigned)getpid();
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & 0xffff)),
		/* not tgkill: nr is still loaded */
		ALLOW(SYS_write), ALLOW(SYS_writev), ALLOW(SYS_read),
		ALLOW(SYS_brk),
		ALLOW(SYS_mmap), ALLOW(SYS_munmap), ALLOW(SYS_mremap),
		ALLOW(SYS_mprotect), ALLOW(SYS_madvise), ALLOW(SYS_fstat),
		ALLOW(SYS_newfstatat), ALLOW(SYS_lseek), ALLOW(SYS_futex),
		ALLOW(SYS_rt_sigprocmask), ALLOW(SYS_rt_sigaction),
		ALLOW(SYS_rt_sigreturn), ALLOW(SYS_getpid), ALLOW(SYS_gettid),
		ALLOW(SYS_clock_gettime),
		ALLOW(SYS_close), ALLOW(SYS_exit), ALLOW(SYS_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & 0xffff)),
	};
	struct sock_fprog fprog = {
		(unsigned short)(sizeof prog / sizeof prog[0]), prog,
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
#else
	/* Other machines keep the limits only. */
	return 0;
#endif
}
