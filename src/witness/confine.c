/*
 * confine.c -- keeping the compile server to the prelude's files.
 *
 * A witness is compiled by libtcc in the compile server (compiler.c), and
 * C lets it #include any path: "/home/me/.netrc" would be read, and its
 * words would come back in the compiler's messages, which end up in the
 * build's output (a CI log, say).  So the server confines itself with
 * Landlock before its first compile: from then on it may read the prelude
 * folder, flow.h's folder and tcc's runtime library, and open no other
 * file at all, for reading or for writing; where the kernel can, it may
 * also neither bind nor connect TCP sockets, nor signal a process outside
 * itself (should a bug in libtcc ever let witness code run in it).
 * Landlock needs no privilege; a kernel without it (before Linux 5.13, or
 * with it turned off) leaves the server as it was, and the builder says
 * so.
 */
#include "witness/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rights newer than the kernel headers this may be built against. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* Every file-system right the kernel's Landlock, of version abi, knows:
 * all of them are taken away but those a rule gives back. */
static uint64_t all_rights(long abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  /* version 1 */
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* Gives back rights on path (and, for a folder, everything below it). */
static int allow(int ruleset, const char *path, uint64_t rights)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct landlock_path_beneath_attr rule = {rights, fd};
	long rc = syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	int e = errno;
	close(fd);
	errno = e;
	return rc < 0 ? -1 : 0;
}

int witness_confine_compiler(const struct witness_opts *o)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return -1;
	struct witness_ruleset attr = {all_rights(abi), 0, 0};
	size_t size = sizeof attr.handled_access_fs;
	if (abi >= 4) {
		attr.handled_access_net = WITNESS_NET_BIND_TCP |
		    WITNESS_NET_CONNECT_TCP;
		size += sizeof attr.handled_access_net;
	}
	if (abi >= 6) {
		attr.scoped = WITNESS_SCOPE_ABSTRACT_UNIX_SOCKET |
		    WITNESS_SCOPE_SIGNAL;
		size += sizeof attr.scoped;
	}
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size,
	    0);
	if (ruleset < 0)
		return -1;
	const uint64_t read_dir = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR;
	int rc = allow(ruleset, o->include_dir, read_dir);
	if (rc == 0 && o->flow_dir)
		rc = allow(ruleset, o->flow_dir, read_dir);
	if (rc == 0)
		rc = allow(ruleset, o->tcc_lib, LANDLOCK_ACCESS_FS_READ_FILE);
	if (rc == 0)
		rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (rc == 0)
		rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
	int e = errno;
	close(ruleset);
	errno = e;
	return rc < 0 ? -1 : 0;
}
