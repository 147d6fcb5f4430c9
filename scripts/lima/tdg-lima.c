/* tdg-lima.c — see tdg-lima.h.                            (day 10, macOS)
 *
 * What this relies on in limactl (Lima 1.x, cmd/limactl in
 * github.com/lima-vm/lima):
 *  - `limactl list --format TEMPLATE NAME` runs a Go template over the
 *    instance: .Status is "Running", "Stopped", "Broken"...;
 *    .Config.Mounts[].Location is a host folder (~ expanded) and .MountPoint
 *    where the VM sees it (the same path unless the template says
 *    otherwise). For an unknown NAME it prints nothing (a warning on
 *    stderr) and exits 1.
 *  - `limactl shell --workdir DIR NAME CMD ARG...` runs
 *    `cd DIR || exit 1; exec $SHELL --login -c 'CMD ARG...'` over ssh with
 *    every word shell-quoted, so each ARG arrives as one word, spaces and
 *    all; it asks ssh for a terminal (-t) when its stdout is one, and exits
 *    with CMD's exit status.
 *  - `limactl start --tty=false --name=NAME [--mount=DIR:w] FILE.yaml`
 *    creates an instance from a template and starts it, waiting until its
 *    provisioning scripts are done; `limactl start --tty=false NAME`
 *    starts a stopped one. --tty=false: ask no questions.
 *  - `limactl edit NAME --mount=DIR:w` adds a mount (instance stopped). */
/* realpath() is POSIX 2008, but glibc declares it only for X/Open. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "tdg-lima.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
/* The repo on the host (the Makefile passes its own folder): where the
 * Linux tdg, the template and the busybox rootfs are. */
#ifndef TDG_REPO
#define TDG_REPO "."
#endif
#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define EXIT_FAILED 125 /* the contract's "tdg could not do what was asked" */
#define MAX_MOUNTS 32
#define TEMPLATE "scripts/lima/tdg.yaml"

extern char **environ;

/* Everything the front end learns about the VM, in preflight order. */
struct vm {
	const char *name;   /* the Lima instance */
	const char *repo;   /* the tdg repo, host side */
	char status[64];    /* "Running", "Stopped"...; "" if no such instance */
	int nmounts;
	struct mount {
		char *host;  /* Location: a host folder */
		char *real;  /* the same with symlinks resolved (macOS: /tmp is /private/tmp) */
		char *guest; /* MountPoint: where the VM sees it */
	} mounts[MAX_MOUNTS];
	char arch[32];      /* `uname -m` in the VM */
	char *bin;          /* the Linux tdg for that arch, host side */
	char *guest_bin;    /* ... and where the VM sees it */
};

static _Noreturn void fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* One line "tdg: lima: ...", exit 125: the error idiom of fail.h, which
 * this file cannot link (it builds alone on macOS). */
static void fail(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("tdg: lima: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILED);
}

static char *format(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* A new string, printf-style (asprintf is not POSIX). */
static char *format(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!s)
		fail("out of memory");
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A progress line of `tdg setup lima`; flushed before limactl writes. */
static void step(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void step(const char *fmt, ...)
{
	va_list ap;
	fputs("setup: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Is CMD an executable file in a folder of $PATH? Asked before running
 * it, so that a missing limactl is the one clear line, not a spawn error. */
static int on_path(const char *cmd)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *file = n ? format("%.*s/%s", (int)n, path, cmd) : format("./%s", cmd);
		struct stat st;
		int found = stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(file, X_OK) == 0;
		free(file);
		if (found)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

/* The child's pid while we wait for it, for the signal forwarder. */
static volatile sig_atomic_t child;

static void forward(int sig)
{
	if (child > 0)
		kill((pid_t)child, sig);
}

/* Start ARGV from $PATH; its stdout into OUT_FD unless that is -1. QUIET:
 * a probe, with stdin and stderr on /dev/null (ssh forwards its stdin to
 * the command, which would eat what the user piped in for the real one).
 * The child starts with the default action for the signals we ignore or
 * forward while it runs. */
static pid_t spawn(char *const argv[], int out_fd, int quiet)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t dfl;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	}
	posix_spawnattr_init(&at);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	fflush(stdout); /* our lines first, then the child's */
	int err = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err)
		fail("cannot run %s: %s", argv[0], strerror(err));
	return pid;
}

/* Wait for PID; its exit status the contract's way: its own, or 128+N
 * if signal N ended it. */
static int wait_for(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILED;
}

/* Run ARGV with our stdin, stdout and stderr (so limactl sees our
 * terminal and gives the VM one) and return how it ended. Like system(3),
 * ignore ^C and ^\ meanwhile: the terminal sends them to the whole
 * foreground group, limactl included, and how it ends is what we report.
 * A SIGTERM or SIGHUP meant for us goes on to it. */
static int run(char *const argv[])
{
	struct sigaction ign = {0}, fwd = {0}, old[4];
	ign.sa_handler = SIG_IGN;
	fwd.sa_handler = forward;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&fwd.sa_mask);
	sigaction(SIGINT, &ign, &old[0]);
	sigaction(SIGQUIT, &ign, &old[1]);
	sigaction(SIGTERM, &fwd, &old[2]);
	sigaction(SIGHUP, &fwd, &old[3]);
	pid_t pid = spawn(argv, -1, 0);
	child = pid;
	int status = wait_for(pid);
	child = 0;
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGQUIT, &old[1], NULL);
	sigaction(SIGTERM, &old[2], NULL);
	sigaction(SIGHUP, &old[3], NULL);
	return status;
}

/* Run ARGV quietly, its stdout (trailing blanks cut) into OUT; returns
 * its exit status. */
static int capture(char *out, size_t size, char *const argv[])
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe: %s", strerror(errno));
	/* Neither end may stay open in the child but as its stdout, or the
	 * read below would wait for the child's children too. */
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	pid_t pid = spawn(argv, p[1], 1);
	close(p[1]);
	size_t n = 0;
	for (;;) {
		char scratch[512];
		int full = n + 1 >= size;
		ssize_t r = read(p[0], full ? scratch : out + n, full ? sizeof scratch : size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!full)
			n += (size_t)r;
	}
	close(p[0]);
	while (n > 0 && strchr(" \t\r\n", out[n - 1]))
		n--;
	out[n] = '\0';
	return wait_for(pid);
}

static void vm_forget_mounts(struct vm *vm)
{
	for (int i = 0; i < vm->nmounts; i++) {
		free(vm->mounts[i].host);
		free(vm->mounts[i].real);
		free(vm->mounts[i].guest);
	}
	vm->nmounts = 0;
}

/* The instance's status and mounts, in one `limactl list` (a local file
 * read, no ssh): the status on the first line, then one mount a line. */
static void vm_read(struct vm *vm)
{
	static char out[65536];
	char *argv[] = {
		"limactl", "list", "--format",
		"{{.Status}}{{\"\\n\"}}{{range .Config.Mounts}}{{.Location}}"
		"{{\"\\t\"}}{{.MountPoint}}{{\"\\n\"}}{{end}}",
		(char *)vm->name, NULL,
	};
	capture(out, sizeof out, argv); /* unknown instance: no output */
	vm_forget_mounts(vm);
	vm->status[0] = '\0';
	char *line = out, *next;
	for (int first = 1; line; line = next, first = 0) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (first) {
			size_t n = strlen(line);
			n = n < sizeof vm->status ? n : sizeof vm->status - 1;
			memcpy(vm->status, line, n);
			vm->status[n] = '\0';
			continue;
		}
		char *tab = strchr(line, '\t');
		if (!tab || line[0] != '/' || vm->nmounts == MAX_MOUNTS)
			continue;
		*tab = '\0';
		struct mount *m = &vm->mounts[vm->nmounts++];
		char real[PATH_MAX];
		m->host = format("%s", line);
		m->real = format("%s", realpath(line, real) ? real : line);
		/* A MountPoint that is no path (unset: "<nil>") means the
		 * same path as on the host. */
		m->guest = format("%s", tab[1] == '/' ? tab + 1 : line);
	}
}

/* How much of PATH the folder DIR covers (0: none); *REST is what follows. */
static size_t covers(const char *dir, const char *path, const char **rest)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/') { /* the whole filesystem */
		*rest = path;
		return 1;
	}
	if (strncmp(dir, path, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return 0;
	*rest = path + n;
	return n;
}

/* Where the VM sees the absolute host path PATH (a new string), or NULL
 * if no mount holds it. The deepest mount wins, as in the VM. */
static char *to_guest(const struct vm *vm, const char *path)
{
	const struct mount *best = NULL;
	const char *best_rest = NULL;
	size_t best_n = 0;
	for (int i = 0; i < vm->nmounts; i++) {
		const char *dirs[2] = {vm->mounts[i].host, vm->mounts[i].real}, *rest;
		for (int j = 0; j < 2; j++) {
			size_t n = covers(dirs[j], path, &rest);
			if (n > best_n) {
				best = &vm->mounts[i];
				best_rest = rest;
				best_n = n;
			}
		}
	}
	if (!best)
		return NULL;
	size_t g = strlen(best->guest);
	while (g > 1 && best->guest[g - 1] == '/')
		g--;
	if (!*best_rest)
		return format("%.*s", (int)g, best->guest);
	return format("%.*s%s", g == 1 ? 0 : (int)g, best->guest, best_rest);
}

/* "/Users/me, /opt/tdg": the mounts, for error lines. */
static char *mount_list(const struct vm *vm)
{
	char *list = format("%s", vm->nmounts ? "" : "none");
	for (int i = 0; i < vm->nmounts; i++) {
		char *more = format("%s%s%s", list, i ? ", " : "", vm->mounts[i].host);
		free(list);
		list = more;
	}
	return list;
}

/* PATH made absolute, symlinks resolved where it exists: the VM must be
 * given the path the host means, not one relative to a cwd it lacks. */
static char *absolute(const char *path)
{
	char buf[PATH_MAX];
	if (realpath(path, buf))
		return format("%s", buf);
	if (path[0] == '/')
		return format("%s", path);
	if (!getcwd(buf, sizeof buf))
		fail("getcwd: %s", strerror(errno));
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return format("%s/%s", buf, path);
}

/* Run CMD ARG... in the VM, in /, quietly; stdout into OUT if OUT. */
static int in_vm(struct vm *vm, char *out, size_t size, char *const cmd[])
{
	char *argv[16] = {"limactl", "shell", "--workdir", "/", (char *)vm->name};
	int n = 5;
	for (int i = 0; cmd[i] && n < 15; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	char scratch[256];
	if (!out) {
		out = scratch;
		size = sizeof scratch;
	}
	return capture(out, size, argv);
}

/* Preflight 1-3: limactl, the instance, running. */
static void check_vm(struct vm *vm)
{
	if (!on_path("limactl"))
		fail("limactl not found on PATH; install Lima: brew install lima");
	vm_read(vm);
	if (!vm->status[0])
		fail("no Lima instance '%s'; run: tdg setup lima", vm->name);
	if (strcmp(vm->status, "Running") != 0)
		fail("instance '%s' is %s, not Running; run: limactl start %s", vm->name,
		     vm->status, vm->name);
}

/* The VM's architecture, from the VM itself: an Apple silicon Mac runs
 * aarch64 VMs, an Intel one x86_64, unless the template asked otherwise. */
static void read_arch(struct vm *vm)
{
	char *cmd[] = {"uname", "-m", NULL}, out[256];
	/* The last line: a login shell's profile may have printed before. */
	int status = in_vm(vm, out, sizeof out, cmd);
	const char *last = strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out;
	if (status != 0 || !*last || strlen(last) >= sizeof vm->arch ||
	    strcspn(last, "/ \t") != strlen(last))
		fail("cannot ask instance '%s' for its architecture; see why: limactl shell %s uname -m",
		     vm->name, vm->name);
	strcpy(vm->arch, last);
}

/* Preflight 4: the Linux tdg for the VM's architecture. It cannot be the
 * front end's own day10-final/tdg (on a Mac, that is this program), so
 * `make linux-tdg` in the VM writes build/linux-<arch>/tdg. */
static void check_binary(struct vm *vm)
{
	read_arch(vm);
	vm->bin = format("%s/build/linux-%s/tdg", vm->repo, vm->arch);
	if (access(vm->bin, X_OK) != 0)
		fail("no Linux tdg for %s at %s; run: tdg setup lima", vm->arch, vm->bin);
	vm->guest_bin = to_guest(vm, vm->bin);
	if (!vm->guest_bin)
		fail("the Linux tdg %s is in no folder instance '%s' mounts (%s); mount the repo: "
		     "limactl stop %s; limactl edit %s --mount=%s:w; limactl start %s",
		     vm->bin, vm->name, mount_list(vm), vm->name, vm->name, vm->repo, vm->name);
	char *test[] = {"test", "-x", vm->guest_bin, NULL};
	if (in_vm(vm, NULL, 0, test) != 0) {
		const char *rest;
		const struct mount *m = NULL;
		for (int i = 0; i < vm->nmounts && !m; i++)
			if (covers(vm->mounts[i].host, vm->bin, &rest) ||
			    covers(vm->mounts[i].real, vm->bin, &rest))
				m = &vm->mounts[i];
		fail("the Linux tdg is not visible in instance '%s' at %s; the mount of %s does not "
		     "work: limactl stop %s; limactl start %s",
		     vm->name, vm->guest_bin, m ? m->host : vm->repo, vm->name, vm->name);
	}
}

/* Preflight 5, for each host path on the command line: WHAT (e.g.
 * "rootfs") at PATH, made absolute; where the VM sees it. */
static char *shared(struct vm *vm, const char *what, const char *path)
{
	char *abs = absolute(path);
	char *guest = to_guest(vm, abs);
	if (!guest)
		fail("%s %s is in no folder instance '%s' mounts (%s); put it under one of them "
		     "(" TEMPLATE " mounts your home folder and the repo)",
		     what, abs, vm->name, mount_list(vm));
	free(abs);
	return guest;
}

/* --rootfs DIR: a host path, or the NAME of a rootfs `tdg import` made in
 * the VM (no slash, nothing of that name here). */
static char *rootfs_arg(struct vm *vm, const char *dir)
{
	struct stat st;
	if (!strchr(dir, '/') && stat(dir, &st) != 0)
		return format("%s", dir);
	return shared(vm, "rootfs", dir);
}

/* -v HOST:CTR[:ro]: only HOST is the host's. */
static char *volume_arg(struct vm *vm, const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec)
		return format("%s", spec); /* malformed: the Linux tdg says why */
	char *host = format("%.*s", (int)(colon - spec), spec);
	char *guest = shared(vm, "-v folder", host);
	char *arg = format("%s%s", guest, colon);
	free(host);
	free(guest);
	return arg;
}

static int is_one_of(const char *s, const char *const list[])
{
	for (int i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The environment the Linux tdg gets in the VM. `limactl shell` passes
 * none of ours, and sudo starts from a clean one; so the front end runs
 * `sudo env [-u KEY]... [KEY=VALUE]... TDG ARG...` with: every TDG_*
 * variable of ours (TDG_ROOT, TDG_SUBNET...; not TDG_LIMA_*, the front
 * end's own), sorted; and for each `-e KEY` of `run` (Docker's form: the
 * host's value), KEY=VALUE, or -u KEY if it is unset here, so that the
 * VM's own KEY does not stand in for it. The arguments stay as typed: the
 * Linux tdg reads KEY's value from its environment, as it does on Linux. */
struct passenv {
	int nunset, nset;
	char **unset, **set; /* KEY; KEY=VALUE */
};
static struct passenv pass;

static void pass_add(char ***list, int *n, char *item)
{
	char **more = realloc(*list, ((size_t)*n + 1) * sizeof *more);
	if (!more)
		fail("out of memory");
	more[(*n)++] = item;
	*list = more;
}

/* -e VALUE: only KEY alone takes the host's value; KEY=VAL is passed as
 * typed, and a malformed one is the Linux tdg's to refuse. */
static void env_arg(const char *kv)
{
	if (!*kv || *kv == '=' || strchr(kv, '='))
		return;
	const char *value = getenv(kv);
	if (value)
		pass_add(&pass.set, &pass.nset, format("%s=%s", kv, value));
	else
		pass_add(&pass.unset, &pass.nunset, format("%s", kv));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* TDG_* from our environment, in name order (environ's is any). */
static void pass_tdg_variables(void)
{
	int first = pass.nset;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "TDG_", 4) == 0 && strncmp(*e, "TDG_LIMA_", 9) != 0 &&
		    strchr(*e, '='))
			pass_add(&pass.set, &pass.nset, *e);
	qsort(pass.set + first, (size_t)(pass.nset - first), sizeof *pass.set, by_name);
}

/* The arguments for the Linux tdg: ARGV with every host path the VM's.
 * Only `run`'s flags (before CMD) and `import`'s TARBALL are host paths;
 * CMD and its arguments are passed on untouched. */
static char **translate(struct vm *vm, int argc, char **argv)
{
	static const char *const valued[] = {
		"--rootfs", "--name", "--memory", "--cpus", "--pids-limit", "--net",
		"--hostname", "--env", "--workdir", "--volume", "--publish", NULL,
	};
	char **out = calloc((size_t)argc + 1, sizeof *out);
	if (!out)
		fail("out of memory");
	for (int i = 0; i < argc; i++)
		out[i] = argv[i];
	if (argc > 2 && strcmp(argv[1], "import") == 0 && !strstr(argv[2], "://") &&
	    argv[2][0] != '-')
		out[2] = shared(vm, "import", argv[2]);
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return out;
	for (int i = 2; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[1] == '-') { /* --flag, --flag=VALUE, --flag VALUE */
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);
			char *flag = format("%.*s", (int)len, a);
			int rootfs = strcmp(flag, "--rootfs") == 0;
			int volume = strcmp(flag, "--volume") == 0;
			int env = strcmp(flag, "--env") == 0;
			int takes = is_one_of(flag, valued);
			free(flag);
			if (!takes)
				continue;
			if (env && (eq || i + 1 < argc))
				env_arg(eq ? eq + 1 : argv[i + 1]);
			if (eq && (rootfs || volume)) {
				char *v = rootfs ? rootfs_arg(vm, eq + 1) : volume_arg(vm, eq + 1);
				out[i] = format("%.*s%s", (int)len + 1, a, v);
			} else if (!eq && i + 1 < argc) {
				i++;
				if (rootfs)
					out[i] = rootfs_arg(vm, argv[i]);
				else if (volume)
					out[i] = volume_arg(vm, argv[i]);
			}
			continue;
		}
		/* -d, -dv HOST:CTR, -vHOST:CTR: getopt's short flag clusters.
		 * -e, -w, -v and -p take a value: the rest of the word, or the
		 * next word. */
		for (int j = 1; a[j]; j++) {
			if (!strchr("ewvp", a[j]))
				continue;
			if (a[j + 1]) {
				if (a[j] == 'v')
					out[i] = format("%.*s%s", j + 1, a, volume_arg(vm, a + j + 1));
				if (a[j] == 'e')
					env_arg(a + j + 1);
			} else if (i + 1 < argc) {
				i++;
				if (a[j] == 'v')
					out[i] = volume_arg(vm, argv[i]);
				if (a[j] == 'e')
					env_arg(argv[i]);
			}
			break;
		}
	}
	return out;
}

/* Preflight, then the Linux tdg in the VM with ARGV; its exit status. */
static int dispatch(struct vm *vm, int argc, char **argv)
{
	check_vm(vm);
	check_binary(vm);
	char **args = translate(vm, argc, argv);

	/* The same working directory in the VM, where it is shared; / if it
	 * is not (every path we pass is absolute by now). */
	char cwd[PATH_MAX], *workdir = NULL;
	if (getcwd(cwd, sizeof cwd))
		workdir = to_guest(vm, cwd);
	pass_tdg_variables();
	char **full = calloc((size_t)argc + 9 + 2 * (size_t)pass.nunset + (size_t)pass.nset,
			     sizeof *full);
	if (!full)
		fail("out of memory");
	int n = 0;
	full[n++] = "limactl";
	full[n++] = "shell";
	full[n++] = "--workdir";
	full[n++] = workdir ? workdir : "/";
	full[n++] = (char *)vm->name;
	/* Containers need root in the VM; Lima's user has sudo without a
	 * password. */
	full[n++] = "sudo";
	if (pass.nunset + pass.nset > 0) {
		full[n++] = "env"; /* -u first: env stops at its first KEY=VALUE */
		for (int i = 0; i < pass.nunset; i++) {
			full[n++] = "-u";
			full[n++] = pass.unset[i];
		}
		for (int i = 0; i < pass.nset; i++)
			full[n++] = pass.set[i];
	}
	full[n++] = vm->guest_bin;
	for (int i = 1; i < argc; i++)
		full[n++] = args[i];
	full[n] = NULL;
	return run(full);
}

static int under_home(const char *path)
{
	const char *home = getenv("HOME"), *rest;
	char real[PATH_MAX];
	if (!home || !*home)
		return 0;
	return covers(home, path, &rest) ||
	       (realpath(home, real) && covers(real, path, &rest));
}

/* Run `limactl shell --workdir REPO NAME CMD...` in the open, or fail
 * naming WHAT. */
static void in_repo(struct vm *vm, const char *repo, const char *what, char *const cmd[])
{
	char *argv[16] = {"limactl", "shell", "--workdir", (char *)repo, (char *)vm->name};
	int n = 5;
	for (int i = 0; cmd[i] && n < 15; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	int status = run(argv);
	if (status != 0)
		fail("setup: %s failed (exit %d); see the lines above", what, status);
}

/* `tdg setup lima`: every preflight made true, then a hello-world. */
static int setup(struct vm *vm, int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[2], "lima") != 0)
		fail("setup: usage: tdg setup lima");
	if (!on_path("limactl"))
		fail("limactl not found on PATH; install Lima: brew install lima");
	vm_read(vm);
	if (!vm->status[0]) {
		step("creating the Lima instance '%s' from " TEMPLATE
		     " (the first time, this downloads Debian 12: a few minutes)", vm->name);
		char *argv_start[8] = {"limactl", "start", "--tty=false",
				       format("--name=%s", vm->name)};
		int n = 4;
		/* The template mounts the home folder; a repo elsewhere needs
		 * its own mount (Lima refuses overlapping ones). */
		if (!under_home(vm->repo))
			argv_start[n++] = format("--mount=%s:w", vm->repo);
		argv_start[n++] = format("%s/" TEMPLATE, vm->repo);
		argv_start[n] = NULL;
		if (run(argv_start) != 0)
			fail("setup: limactl start failed; see the lines above");
	} else if (strcmp(vm->status, "Running") != 0) {
		step("starting the Lima instance '%s' (it is %s)", vm->name, vm->status);
		char *argv_start[] = {"limactl", "start", "--tty=false", (char *)vm->name, NULL};
		if (run(argv_start) != 0)
			fail("setup: limactl start failed; see the lines above");
	} else {
		step("the Lima instance '%s' is running", vm->name);
	}
	check_vm(vm); /* it runs now, and its mounts are known */
	read_arch(vm);
	char *repo = to_guest(vm, vm->repo);
	if (!repo)
		fail("setup: the repo %s is in no folder instance '%s' mounts (%s); mount it: "
		     "limactl stop %s; limactl edit %s --mount=%s:w; limactl start %s",
		     vm->repo, vm->name, mount_list(vm), vm->name, vm->name, vm->repo, vm->name);

	step("building the Linux tdg for %s in the VM: build/linux-%s/tdg", vm->arch, vm->arch);
	char *deps[] = {"sudo", "scripts/deps.sh", "build", NULL};
	in_repo(vm, repo, "installing the build dependencies", deps);
	char *build[] = {"make", "linux-tdg", NULL};
	in_repo(vm, repo, "make linux-tdg", build);

	step("preparing a rootfs in the VM: rootfs/busybox");
	char *rootfs[] = {"make", "rootfs", NULL};
	in_repo(vm, repo, "make rootfs", rootfs);

	step("hello-world: tdg run --rootfs rootfs/busybox /bin/echo hello from tdg");
	char *hello[] = {argv[0], "run", "--rootfs", format("%s/rootfs/busybox", vm->repo),
			 "/bin/echo", "hello", "from", "tdg", NULL};
	int status = dispatch(vm, 8, hello);
	if (status != 0)
		fail("setup: the hello-world failed (exit %d); see the lines above", status);
	step("done; try: %s run --rootfs %s/rootfs/busybox /bin/sh", argv[0], vm->repo);
	return 0;
}

static void usage(FILE *out, const char *name)
{
	fprintf(out,
		"Usage: tdg COMMAND [ARG...]\n"
		"\n"
		"tdg on macOS: this front end runs the Linux tdg in the Lima VM '%s'\n"
		"(TDG_LIMA_INSTANCE names another), with the same arguments and terminal.\n"
		"\n"
		"  setup lima    create and start the VM, build the Linux tdg, prepare a\n"
		"                rootfs and run a hello-world\n"
		"  run, ps, ...  run in the VM: see 'tdg run --help' there\n"
		"\n"
		"Host paths (--rootfs, -v) must be in a folder the VM mounts: your home\n"
		"folder and the repo. See docs/macos.md.\n",
		name);
}

int lima_main(int argc, char **argv)
{
	struct vm vm = {0};
	const char *name = getenv("TDG_LIMA_INSTANCE");
	const char *repo = getenv("TDG_LIMA_REPO"); /* tests, or a moved repo */
	char real[PATH_MAX];

	vm.name = name && *name ? name : "tdg";
	vm.repo = realpath(repo && *repo ? repo : TDG_REPO, real) ? real : TDG_REPO;
	if (argc < 2) {
		usage(stderr, vm.name);
		return EXIT_FAILED;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout, vm.name);
		return 0;
	}
	if (strcmp(argv[1], "setup") == 0)
		return setup(&vm, argc, argv);
	return dispatch(&vm, argc, argv);
}

int main(int argc, char **argv)
{
	return lima_main(argc, argv);
}
