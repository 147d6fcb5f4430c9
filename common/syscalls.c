/* syscalls.c — see syscalls.h.                                       (day 10) */
#include "syscalls.h"
#include "fail.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The rules, turned into BPF by libseccomp at build time; tdg itself
 * holds only the result (syscalls_filter(), at the end). */
#ifdef SYSCALLS_GEN
#include <seccomp.h>

/* Denied with EPERM. Each group names why; all are absent from Docker's
 * allowlist or allowed there only with a capability tdg drops
 * (moby profiles/seccomp/default_linux.go). A name this libseccomp does not
 * know is skipped; one that exists only on another ABI (umount, stime:
 * i386) is filtered there. */
static const char *const denied[] = {
	/* Kernel modules: code into the host's kernel (CAP_SYS_MODULE). */
	"init_module", "finit_module", "delete_module", "create_module",
	"query_module", "get_kernel_syms",
	/* Replace the running kernel, or stop it (CAP_SYS_BOOT). */
	"kexec_load", "kexec_file_load", "reboot",
	/* Mounts, the old API and the new one (CAP_SYS_ADMIN): a container
	 * that could mount could uncover what tdg masked or made read-only. */
	"mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
	/* Kernel keyrings are not namespaced: keys of the host and of other
	 * containers would be in reach. */
	"add_key", "request_key", "keyctl",
	/* bpf and perf_event reach deep into the kernel (CAP_BPF,
	 * CAP_PERFMON, CAP_SYS_ADMIN). */
	"bpf", "perf_event_open", "lookup_dcookie",
	/* The clock is the host's, not the container's (CAP_SYS_TIME).
	 * Docker lets adjtimex and clock_adjtime through to read the clock
	 * (the kernel refuses changes without the capability); tdg denies
	 * them whole, reading included. */
	"settimeofday", "stime", "clock_settime", "clock_settime64",
	"adjtimex", "clock_adjtime", "clock_adjtime64",
	/* Swap, process accounting, disk quotas, the NFS server, syslog,
	 * hanging up the terminal: host-wide switches. */
	"swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "nfsservctl",
	"syslog", "vhangup",
	/* open_by_handle_at opens a file by its inode handle, with no path
	 * and so no mount to stay inside: the 2014 "shocker" exploit read
	 * the host's /etc/shadow with it (CAP_DAC_READ_SEARCH, Docker 0.11).
	 * name_to_handle_at only makes the handles; nothing needs it then. */
	"open_by_handle_at", "name_to_handle_at",
	/* Raw I/O ports and old x86 modes (CAP_SYS_RAWIO). */
	"iopl", "ioperm", "vm86", "vm86old",
	/* Obsolete or information leaks nobody needs. */
	"uselib", "ustat", "sysfs", "_sysctl",
	/* Another process's memory policy and fds (CAP_SYS_NICE,
	 * CAP_SYS_PTRACE). ptrace and process_vm_* stay allowed, as in
	 * Docker since kernel 4.8 closed the seccomp bypass through ptrace. */
	"kcmp", "pidfd_getfd", "process_madvise", "get_mempolicy",
	"set_mempolicy", "set_mempolicy_home_node", "mbind", "migrate_pages",
	"move_pages",
	/* userfaultfd stops the kernel mid-copy at a chosen page, the lever
	 * of many race exploits. io_uring does I/O that seccomp never sees
	 * (Docker 25 denies it: moby#46762). fanotify_init watches the whole
	 * filesystem (CAP_SYS_ADMIN). */
	"userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
	"fanotify_init",
	/* Joining other namespaces: one through an fd that leaked in would
	 * be a way out (CAP_SYS_ADMIN). */
	"setns",
};

/* The namespace flags of clone() and unshare(). CLONE_NEWUSER is the one
 * that matters: a user namespace needs no capability at all, and inside
 * it the process has every capability again (over the new namespace's
 * objects) and a much larger kernel surface (mounting filesystems, netfilter)
 * to attack. The others need CAP_SYS_ADMIN, which is dropped. */
static const unsigned long ns_flags[] = {
	CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWUTS,    CLONE_NEWIPC,
	CLONE_NEWPID,  CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};

/* libseccomp returns -errno rather than setting errno. */
static int add(scmp_filter_ctx ctx, uint32_t action, const char *name,
	       unsigned int n, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* newer than this libseccomp */
	int err = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (err < 0)
		return fail_with("seccomp: rule for %s: %s", name, strerror(-err));
	return 0;
}

/* Device nodes. Docker keeps CAP_MKNOD because its device cgroup
 * refuses to open any device but /dev/null & co.; tdg has no device
 * cgroup, so `mknod /tmp/disk b 254 0` would hand the container the
 * host's disk. Making fifos and sockets stays allowed. */
static int device_rules(scmp_filter_ctx ctx)
{
	static const unsigned int node_types[] = {S_IFBLK, S_IFCHR};
	for (size_t i = 0; i < 2; i++) {
		struct scmp_arg_cmp mode1 = SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, node_types[i]);
		struct scmp_arg_cmp mode2 = SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, node_types[i]);
		if (add(ctx, SCMP_ACT_ERRNO(EPERM), "mknod", 1, &mode1) != 0 ||
		    add(ctx, SCMP_ACT_ERRNO(EPERM), "mknodat", 1, &mode2) != 0)
			return -1;
	}
	return 0;
}

/* A bundle's own profile (Docker's, podman's) allows mknod: their
 * runtimes guard devices with the device cgroup, which tdg has not. So
 * under a profile, a second filter, device_rules() alone, goes on top:
 * the kernel runs every loaded filter and the strictest answer wins (man
 * 2 seccomp, "If multiple filters exist, ... the return value ... with
 * the highest precedence"). */
static int build_devices(int fd);

/* The build's generator (Makefile: build/gen/seccomp-gen): libseccomp
 * turns the rules below into BPF, printed as a C array for
 * syscalls_filter() to load; and device_rules() alone, the same way. */
static int build(int fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return fail_with("seccomp: init: out of memory");
	/* The kernel runs the filter on every system call, and once more for
	 * each call number when it is loaded (to cache the calls it always
	 * allows). Written as a list, an allowed call is compared with every
	 * entry (about 70 per ABI); as a binary tree over the call numbers,
	 * with about ten. Loading is ~0.08 ms faster too (docs/bench.md). */
	int err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (err < 0) {
		fail_with("seccomp: binary tree: %s", strerror(-err));
		goto fail;
	}
	/* An x86_64 process can also make i386 system calls (int 0x80) and
	 * x32 ones (numbers with bit 30 set): three tables with different
	 * numbers for the same call. A filter written for one would let the
	 * same call through another, so the rules go into all three, like
	 * Docker's (arches() in default_linux.go). Calls of any other
	 * architecture meet libseccomp's default "bad arch" action: kill. */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		if ((err = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 ||
		    (err = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0) {
			fail_with("seccomp: add the i386/x32 ABIs: %s", strerror(-err));
			goto fail;
		}
	}

	uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	/* LAB(10c.4): the denylist: every call of DENIED fails with EPERM; and
	 * unshare() and clone() fail with EPERM when their flags hold any of
	 * NS_FLAGS (one rule per flag: rules for one call are OR-ed).
	 * HINT: man 3 seccomp_rule_add, man 3 seccomp_syscall_resolve_name;
	 * add() above wraps both. Argument rules compare a register:
	 * SCMP_A0(SCMP_CMP_MASKED_EQ, mask, value) is (arg0 & mask) == value,
	 * as device_rules() above does with arg 1. A user namespace needs no
	 * capability at all: only this rule stops `unshare -U`. Until written
	 * the filter loads without these rules.
	 * STUB: warn_todo("10c.4"); (void)denied; (void)ns_flags; */
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		if (add(ctx, eperm, denied[i], 0, NULL) != 0)
			goto fail;

	/* No new namespaces. Several rules for one call are OR-ed: each
	 * catches one flag (MASKED_EQ: (arg & flag) == flag). clone's flags
	 * are its first argument on x86 (not on s390, which tdg does not
	 * build for). */
	for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
		struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		if (add(ctx, eperm, "unshare", 1, &a0) != 0 ||
		    add(ctx, eperm, "clone", 1, &a0) != 0)
			goto fail;
	}
	/* END LAB */
	/* clone3 takes its flags in a struct in memory, which a filter cannot
	 * read. ENOSYS, not EPERM: "this kernel has no clone3", and glibc
	 * then falls back to clone, whose flags the rules above see (what
	 * Docker does). */
	if (add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL) != 0)
		goto fail;

	if (device_rules(ctx) != 0)
		goto fail;

	/* Typing into the terminal: TIOCSTI pushes characters into a tty's
	 * input as if typed, TIOCLINUX can paste into a virtual console. A
	 * foreground `tdg run` or `tdg exec` hands the container the user's
	 * own terminal, so a container could type commands into the host's
	 * shell, to run once it exits (bubblewrap's CVE-2017-5226). The
	 * command is an unsigned int but the register is 64 bits: compare
	 * only the low 32, or a set high bit would slip past the rule while
	 * the kernel ignores it (Flatpak's CVE-2019-10063). */
	static const unsigned long tty_cmds[] = {TIOCSTI, TIOCLINUX};
	for (size_t i = 0; i < 2; i++) {
		struct scmp_arg_cmp cmd = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, tty_cmds[i]);
		if (add(ctx, eperm, "ioctl", 1, &cmd) != 0)
			goto fail;
	}

	err = seccomp_export_bpf(ctx, fd);
	if (err < 0) {
		fail_with("seccomp: export the filter: %s", strerror(-err));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

static int build_devices(int fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return fail_with("seccomp: init: out of memory");
	int err = 0;
	if (seccomp_arch_native() == SCMP_ARCH_X86_64 && /* all three ABIs, as build() */
	    ((err = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 ||
	     (err = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0))
		fail_with("seccomp: add the i386/x32 ABIs: %s", strerror(-err));
	else if (device_rules(ctx) == 0 && (err = seccomp_export_bpf(ctx, fd)) < 0)
		fail_with("seccomp: export the device rules: %s", strerror(-err));
	seccomp_release(ctx);
	return err < 0 || fail_last.msg[0] ? -1 : 0;
}

/* BUILD's BPF, exported raw into a pipe, printed as the instructions of
 * the C array NAME (struct sock_filter: code, jt, jf, k). 0, or -1 with
 * the failure recorded: main() reports it, and make stops. */
static int print(const char *name, int (*build)(int fd))
{
	int p[2];
	struct sock_filter insn[4096];
	size_t n = 0;
	ssize_t got;
	if (pipe(p) != 0)
		return fail_with("seccomp-gen: pipe: %m");
	if (build(p[1]) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	while (n < sizeof insn && (got = read(p[0], (char *)insn + n, sizeof insn - n)) > 0)
		n += (size_t)got;
	close(p[0]);
	if (n == 0 || n % sizeof insn[0] != 0 || n == sizeof insn)
		return fail_with("seccomp-gen: %s: %zu bytes of BPF", name, n);
	printf("static const struct sock_filter %s[] = {\n", name);
	for (size_t i = 0; i < n / sizeof insn[0]; i++)
		printf("\t{0x%04x, %u, %u, 0x%08x},\n", insn[i].code, insn[i].jt, insn[i].jf,
		       insn[i].k);
	printf("};\n");
	return 0;
}

int main(void)
{
	printf("/* Generated by the build (common/syscalls.c, SYSCALLS_GEN) with\n"
	       " * libseccomp %u.%u.%u: do not edit. */\n",
	       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
	if (print("syscalls_bpf", build) != 0 ||
	    print("syscalls_devices_bpf", build_devices) != 0)
		return fail_report();
	return fflush(stdout) == 0 ? 0 : 1;
}
#else
#include "seccomp_bpf.h" /* build/gen/, made by the code above */

static json_t *profile; /* syscalls_use_profile()'s; NULL: tdg's list */

void syscalls_use_profile(json_t *p)
{
	profile = p;
}

/* Hand PROG (N instructions) to the kernel: no_new_privs must be set. */
static int load(const struct sock_filter *prog, size_t n, const char *what)
{
	struct sock_fprog fprog = {.len = (unsigned short)n, .filter = (struct sock_filter *)prog};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0)
		return fail_with("seccomp: load %s: %m", what);
	return 0;
}

int syscalls_filter(void)
{
	/* A bundle's own profile is JSON known only now: libseccomp builds
	 * it here, at run time (seccomp_profile.h); tdg's device rules go
	 * on top (build_devices() above). */
	if (profile)
		return seccomp_profile(profile, true) != 0
			       ? -1
			       : load(syscalls_devices_bpf,
				      sizeof syscalls_devices_bpf / sizeof syscalls_devices_bpf[0],
				      "the device rules");
	/* Written once, at build time: libseccomp needs ~0.7 ms to turn the
	 * rules into ~300 BPF instructions for three ABIs, and a run would
	 * pay it every time for the same result (docs/bench.md). The kernel
	 * checks the program as it loads it, as it would libseccomp's. */
	return load(syscalls_bpf, sizeof syscalls_bpf / sizeof syscalls_bpf[0], "the filter");
}
#endif
