/* doctor.c — see doctor.h.                                           (day 10) */
#include "doctor.h"
#include "cgroup.h"
#include "cli.h"
#include "fail.h"
#include "network.h"
#include "ns.h"
#include "rootfs.h"
#include "spawn.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_ROOTFS "rootfs/busybox" /* what 'make rootfs' builds */

/* Where the mount checks work: a tmpfs mounted over /tmp in the child's
 * own mount namespace, so not even the host's /tmp gets a file. */
#define SCRATCH "/tmp"

enum verdict { OK, NOTE, WARN, FAIL };

static int counts[4]; /* how many checks ended in each verdict */

/* One line per check: "ok    WHAT", or "FAIL  WHAT: DETAIL; FIX". */
static void report(enum verdict v, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(enum verdict v, const char *what, const char *fmt, ...)
{
	static const char *const label[] = {"ok", "note", "warn", "FAIL"};
	char detail[1024] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
	}
	printf("%-6s%s%s%s\n", label[v], what, *detail ? ": " : "", detail);
	counts[v]++;
}

/* What to do about EPERM: anyone but root should become root; root itself
 * gets EPERM when something around tdg (a container, a seccomp profile)
 * took the capability away. */
static const char *eperm_fix(void)
{
	return geteuid() != 0 ? "run as root: sudo tdg doctor"
			      : "root is not enough here: is tdg inside a container, "
				"or under a seccomp profile?";
}

/* What a throwaway child found: the errno it failed with (0: all worked)
 * and the step that failed. STEP points to a string literal, which has the
 * same address in both processes (fork copies the address space). */
struct outcome {
	int err;
	const char *step;
};

/* Run FN(ARG) in a forked child: whatever it changes (its namespaces, the
 * mounts of its own mount namespace) goes away when it exits. */
static struct outcome in_child(int (*fn)(int arg, const char **step), int arg)
{
	struct outcome o = {0, "pipe"};
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		o.err = errno;
		return o;
	}
	fflush(stdout); /* or the child's copy of the buffer is printed twice */
	pid_t pid = fork();
	if (pid == 0) {
		struct outcome r = {0, ""};
		r.err = fn(arg, &r.step);
		(void)!write(fds[1], &r, sizeof r);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0) {
		o = (struct outcome){errno, "fork"};
		close(fds[0]);
		return o;
	}
	ssize_t n;
	while ((n = read(fds[0], &o, sizeof o)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof o)
		o = (struct outcome){ECHILD, "the test process"}; /* killed */
	return o;
}

static void check_root(void)
{
	if (geteuid() == 0)
		report(OK, "root", NULL);
	else
		report(FAIL, "root", "running as uid %u; tdg needs root: sudo tdg ...",
		       (unsigned)geteuid());
}

static int try_unshare(int flag, const char **step)
{
	*step = "unshare";
	return unshare(flag) == 0 ? 0 : errno;
}

/* Each kind of namespace a container gets, tried for real: a kernel may
 * be built without one (its /proc/self/ns file is then missing), or a
 * sysctl may allow none (user.max_*_namespaces = 0: ENOSPC). */
static void check_namespaces(void)
{
	static const struct {
		const char *what, *file, *config;
		int flag;
	} kinds[] = {
		{"uts namespace", "uts", "CONFIG_UTS_NS", CLONE_NEWUTS},
		{"pid namespace", "pid", "CONFIG_PID_NS", CLONE_NEWPID},
		{"mount namespace", "mnt", "CONFIG_NAMESPACES", CLONE_NEWNS},
		{"ipc namespace", "ipc", "CONFIG_IPC_NS", CLONE_NEWIPC},
		{"network namespace", "net", "CONFIG_NET_NS", CLONE_NEWNET},
		{"user namespace", "user", "CONFIG_USER_NS", CLONE_NEWUSER},
	};
	bool have_proc = access("/proc/self/ns", F_OK) == 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		/* Only `run --userns` uses a user namespace (day 10): worth a
		 * line, but never a failure. */
		bool needed = kinds[i].flag != CLONE_NEWUSER;
		enum verdict bad = needed ? FAIL : NOTE;
		const char *aside = needed ? "" : " (only run --userns needs them)";
		char path[64], fix[160];
		snprintf(path, sizeof path, "/proc/self/ns/%s", kinds[i].file);
		if (!have_proc) {
			report(bad, kinds[i].what, "no /proc/self/ns; mount /proc: "
			       "mount -t proc proc /proc%s", aside);
			continue;
		}
		if (access(path, F_OK) != 0) {
			report(bad, kinds[i].what, "no %s: the kernel lacks them; it needs "
			       "%s=y%s", path, kinds[i].config, aside);
			continue;
		}
		struct outcome o = in_child(try_unshare, kinds[i].flag);
		if (o.err == 0) {
			report(OK, kinds[i].what, needed ? NULL : "available%s", aside);
			continue;
		}
		if (o.err == EPERM)
			snprintf(fix, sizeof fix, "%s", eperm_fix());
		else if (o.err == ENOSPC)
			snprintf(fix, sizeof fix, "none allowed: "
				 "sysctl user.max_%s_namespaces=10000", kinds[i].file);
		else if (o.err == EINVAL)
			snprintf(fix, sizeof fix, "the kernel lacks them; it needs %s=y",
				 kinds[i].config);
		else
			snprintf(fix, sizeof fix, "the kernel refuses them");
		report(bad, kinds[i].what, "%s: %s; %s%s", o.step, strerror(o.err), fix, aside);
	}
}

/* In the child: a mount namespace of its own, private (systemd makes /
 * shared: without this our mounts would show up on the host), and a tmpfs
 * over SCRATCH to work in. */
static int private_scratch(const char **step)
{
	*step = "unshare(CLONE_NEWNS)";
	if (unshare(CLONE_NEWNS) != 0)
		return errno;
	*step = "make mounts private";
	if (ns_private_mounts() != 0) /* as the container does */
		return errno;
	*step = "mount a tmpfs on " SCRATCH;
	if (mount("tmpfs", SCRATCH, "tmpfs", 0, "size=1m,mode=0700") != 0)
		return errno;
	return 0;
}

/* With `tdg run`'s own rootfs_overlay(), less the rootfs: a lower, an
 * upper and a work folder on one filesystem, merged. */
static int try_overlay(int unused, const char **step)
{
	static const char *const dirs[] = {SCRATCH "/lower", SCRATCH "/upper",
					   SCRATCH "/work", SCRATCH "/merged"};
	(void)unused;
	int err = private_scratch(step);
	if (err)
		return err;
	*step = "mkdir in the tmpfs";
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (mkdir(dirs[i], 0755) != 0)
			return errno;
	*step = "mount overlay";
	if (rootfs_overlay(dirs[0], dirs[1], dirs[2], dirs[3]) != 0)
		return errno;
	return 0;
}

static void check_overlay(void)
{
	struct outcome o = in_child(try_overlay, 0);
	if (o.err == 0)
		report(OK, "overlayfs", NULL);
	else if (o.err == EPERM)
		report(FAIL, "overlayfs", "%s: %s; %s", o.step, strerror(o.err), eperm_fix());
	else if (o.err == ENODEV && strcmp(o.step, "mount overlay") == 0)
		report(FAIL, "overlayfs", "%s: %s: the kernel lacks overlayfs; load it: "
		       "modprobe overlay (or run containers with --read-only, which "
		       "needs none)", o.step, strerror(o.err));
	else
		report(FAIL, "overlayfs", "%s: %s; containers can still run with "
		       "--read-only, which needs no overlay", o.step, strerror(o.err));
}

/* rootfs_enter()'s last step, rootfs_pivot(): pivot_root(".", ".") into a
 * mount point (the tmpfs), then detach the old root. */
static int try_pivot_root(int unused, const char **step)
{
	(void)unused;
	int err = private_scratch(step);
	if (err)
		return err;
	*step = "chdir " SCRATCH;
	if (chdir(SCRATCH) != 0)
		return errno;
	if (rootfs_pivot(SCRATCH) == 0)
		return 0;
	/* Which of its steps failed, as the record names it ("rootfs:
	 * pivot_root DIR: ...", "rootfs: detach the old root: ..."): only a
	 * pivot_root refused with EINVAL may mean an initramfs. */
	if (strstr(fail_last.msg, ": pivot_root "))
		*step = "pivot_root";
	else if (strstr(fail_last.msg, ": detach the old root"))
		*step = "detach the old root";
	else
		*step = "chdir /";
	return fail_last.errnum;
}

static void check_pivot_root(void)
{
	struct outcome o = in_child(try_pivot_root, 0);
	if (o.err == 0)
		report(OK, "pivot_root", NULL);
	else if (o.err == EPERM)
		report(FAIL, "pivot_root", "%s: %s; %s", o.step, strerror(o.err), eperm_fix());
	else if (o.err == EINVAL && strcmp(o.step, "pivot_root") == 0)
		/* The initramfs (rootfs) can never be unmounted, so no root
		 * can be pivoted away from it. */
		report(FAIL, "pivot_root", "%s: %s; the host's / may be an initramfs, "
		       "which pivot_root cannot leave: boot with a real root filesystem",
		       o.step, strerror(o.err));
	else
		report(FAIL, "pivot_root", "%s: %s; the kernel refuses it", o.step,
		       strerror(o.err));
}

static bool is_fs(const char *path, long magic)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && fs.f_type == magic;
}

/* "a b" + WORD = "a b WORD". */
static void add_word(char *list, size_t size, const char *word)
{
	size_t len = strlen(list);
	snprintf(list + len, size - len, "%s%s", len ? " " : "", word);
}

/* Read only: the controllers tdg writes limits to must be there, as
 * cgroup_create() will look for them. Nothing is written here. */
static void check_cgroups(const char *root)
{
	static const char *const need[] = {"memory", "cpu", "pids"};
	char path[PATH_MAX], missing[64] = "";
	enum cgroup_version v = cgroup_detect(root);

	if (v == CGROUP_NONE) {
		report(FAIL, "cgroups", "no cgroup filesystem at %s, so --memory, --cpus "
		       "and --pids-limit cannot work; mount one: mount -t cgroup2 none %s",
		       root, root);
		return;
	}
	if (v == CGROUP_V2) {
		report(OK, "cgroups", "v2 (unified) at %s", root);
		snprintf(path, sizeof path, "%s/cgroup.controllers", root);
		for (int i = 0; i < 3; i++)
			if (!cgroup_has_controller(root, need[i]))
				add_word(missing, sizeof missing, need[i]);
		if (*missing)
			report(FAIL, "cgroup controllers", "%s missing from %s: bound to a "
			       "v1 hierarchy, or disabled on the kernel command line "
			       "(cgroup_disable=); boot without it, with "
			       "systemd.unified_cgroup_hierarchy=1", missing, path);
		else
			report(OK, "cgroup controllers", "memory cpu pids");
		return;
	}
	snprintf(path, sizeof path, "%s/unified", root);
	if (is_fs(path, CGROUP2_SUPER_MAGIC))
		report(OK, "cgroups", "v1 at %s (hybrid: v2 at %s, unused)", root, path);
	else
		report(OK, "cgroups", "v1 at %s", root);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", root, need[i]);
		if (!is_fs(path, CGROUP_SUPER_MAGIC))
			add_word(missing, sizeof missing, need[i]);
	}
	if (*missing)
		report(FAIL, "cgroup controllers", "no %s hierarchy under %s; mount each "
		       "NAME: mkdir %s/NAME && mount -t cgroup -o NAME cgroup %s/NAME",
		       missing, root, root, root);
	else
		report(OK, "cgroup controllers", "memory cpu pids");
}

/* A read-only listing, run with spawn_capture() as nat.c runs iptables (no
 * shell; 127: not found); the first line of its stderr is the reason. */
static void check_iptables(void)
{
	char *const argv[] = {"iptables", "-w", "-t", "nat", "-S", NULL};
	char why[256] = "";
	int status = spawn_capture(argv, NULL, why, sizeof why);
	if (status == 0)
		report(OK, "iptables", NULL);
	else if (status < 0)
		report(FAIL, "iptables", "%s", fail_last.msg);
	else if (status == 127)
		report(FAIL, "iptables", "not found in PATH; install it: apt-get install iptables");
	else
		report(FAIL, "iptables", "'iptables -t nat -S' failed%s%s; %s", *why ? ": " : "",
		       why, geteuid() != 0 ? eperm_fix()
					   : "the kernel may lack NAT: modprobe iptable_nat");
}

/* Off is not a problem: nat.c turns it on while bridged containers run
 * and puts it back after (it is host-wide: a host that routes nothing
 * should not start to because of tdg). */
static void check_forwarding(void)
{
	char c = 0;
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &c, 1) != 1)
		report(FAIL, "IP forwarding", "cannot read /proc/sys/net/ipv4/ip_forward: %s; "
		       "bridged containers need it: mount /proc", strerror(errno));
	else if (c == '1')
		report(OK, "IP forwarding", "on");
	else
		report(NOTE, "IP forwarding", "off; tdg turns it on while bridged containers "
		       "run, and back off after");
	if (fd >= 0)
		close(fd);
}

/* What bridged containers keep on the host between them (network.h): the
 * bridge, its address and the subnet's rules. Not a problem either way;
 * shown so that nobody wonders where td0 came from, and what removes it. */
static void check_host_setup(void)
{
	char what[512];
	int whole = network_describe(what, sizeof what);
	if (!*what)
		report(OK, "host set-up", "none yet (the first bridged container makes the "
		       "bridge and its rules)");
	else if (whole > 0)
		report(OK, "host set-up", "%s; kept between containers, 'tdg network rm' "
		       "removes it", what);
	else if (whole == 0)
		report(WARN, "host set-up", "%s: rules are missing (flushed?); 'tdg network rm', "
		       "and the next bridged run makes them again", what);
	else
		report(NOTE, "host set-up", "%s; iptables cannot tell its rules", what);
}

/* $TDG_ROOT must be writable, and able to hold the containers' overlay
 * layers: overlayfs cannot be the upper layer of another overlay (tdg in a
 * Docker container, its state on the container's own root). */
static void check_state(void)
{
	const char *root = state_root();
	char dir[PATH_MAX], *slash;
	struct stat st;
	bool exists = stat(root, &st) == 0;

	/* Not there yet: the first run makes it, in the nearest folder that is. */
	snprintf(dir, sizeof dir, "%s", root);
	while (stat(dir, &st) != 0 && errno == ENOENT && strcmp(dir, "/") != 0 &&
	       strcmp(dir, ".") != 0) {
		if ((slash = strrchr(dir, '/')))
			slash[slash == dir] = '\0'; /* "/var" becomes "/", not "" */
		else
			strcpy(dir, ".");
	}
	if (stat(dir, &st) != 0)
		report(FAIL, "state folder", "%s: %s; set TDG_ROOT to a folder you can write",
		       dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		report(FAIL, "state folder", "%s is not a folder; set TDG_ROOT to a folder", dir);
	else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		report(FAIL, "state folder", "%s%s%s is not writable (%s); run as root, or "
		       "set TDG_ROOT to a folder you can write", exists ? "" : root,
		       exists ? "" : " cannot be made: ", dir, strerror(errno));
	else if (is_fs(dir, OVERLAYFS_SUPER_MAGIC))
		report(FAIL, "state folder", "%s is on overlayfs, which cannot hold the "
		       "containers' writable layers; set TDG_ROOT to a folder on another "
		       "filesystem (ext4, xfs, tmpfs)", dir);
	else
		report(OK, "state folder", "%s%s", root, exists ? "" : " (made by the first run)");
}

static void check_rootfs(const char *given)
{
	char abs[PATH_MAX], sh[PATH_MAX + 8];
	struct stat st;
	const char *dir = given;

	if (!dir) {
		if (stat(DEFAULT_ROOTFS, &st) != 0) {
			report(WARN, "rootfs", "none given and no ./%s here; build one with "
			       "'make rootfs' (or tdg import TARBALL NAME), then: tdg doctor "
			       "--rootfs DIR", DEFAULT_ROOTFS);
			return;
		}
		dir = DEFAULT_ROOTFS;
	}
	if (rootfs_check(dir, abs, sizeof abs) != 0) {
		report(FAIL, "rootfs", "%s: %s%s", dir, fail_last.msg,
		       strchr(fail_last.msg, ';') ? "" : "; build one with 'make rootfs'");
		return;
	}
	/* lstat: /bin/sh is often a symlink to an absolute path that means
	 * something only inside the container (/bin/busybox). */
	snprintf(sh, sizeof sh, "%s/bin/sh", abs);
	if (lstat(sh, &st) != 0)
		report(WARN, "rootfs", "%s has no /bin/sh: 'tdg run ... /bin/sh' and scripts "
		       "will not work in it; 'make rootfs' builds a busybox one", abs);
	else
		report(OK, "rootfs", "%s", abs);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg doctor [--rootfs DIR]\n"
		"\n"
		"Check that this host can run tdg's containers: root, each namespace,\n"
		"overlayfs, pivot_root, the cgroup layout and controllers, iptables,\n"
		"IP forwarding, the state folder ($TDG_ROOT) and a rootfs (DIR, default\n"
		"./" DEFAULT_ROOTFS "). One line per check: ok, note, warn or FAIL with\n"
		"what to do. Exits 0 unless a check FAILs (125). The checks change\n"
		"nothing on the host.\n"
		"\n"
		"Flags:\n"
		"      --rootfs DIR      the rootfs to check\n"
		"  -h, --help            this text\n");
}

int doctor_main(int argc, char **argv, const char *cgroup_root)
{
	static const struct option flags[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *rootfs = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", flags, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootfs = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return fail_with("doctor: flag %s needs a value; usage: tdg doctor "
					 "[--rootfs DIR]", argv[optind - 1]);
		default:
			return fail_with("doctor: unknown flag '%s'; usage: tdg doctor "
					 "[--rootfs DIR]", cli_bad_flag(argv, optind, optopt));
		}
	}
	if (optind < argc && cli_is_help(argv[optind])) {
		usage(stdout);
		return 0;
	}
	if (optind < argc)
		return fail_with("doctor: unexpected argument '%s'; usage: tdg doctor "
				 "[--rootfs DIR]", argv[optind]);

	check_root();
	check_namespaces();
	check_overlay();
	check_pivot_root();
	check_cgroups(cgroup_root);
	check_iptables();
	check_forwarding();
	check_host_setup();
	check_state();
	check_rootfs(rootfs);

	int total = counts[OK] + counts[NOTE] + counts[WARN] + counts[FAIL];
	fflush(stdout); /* the report first, then the verdict on stderr */
	if (counts[FAIL])
		return fail_with("doctor: %d of %d checks failed; each FAIL line says what to do",
				 counts[FAIL], total);
	printf("all %d checks pass (%d ok, %d note, %d warn)\n", total, counts[OK],
	       counts[NOTE], counts[WARN]);
	return 0;
}
