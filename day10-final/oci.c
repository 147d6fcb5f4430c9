/* oci.c — see oci.h. The OCI runtime's commands, on day 10's mechanisms.
 *
 * The lifecycle (opencontainers/runtime-spec, runtime.md):
 *
 *   create --bundle B --pid-file P ID   the container process exists, in its
 *                                       namespaces and cgroup, its root
 *                                       pivoted, blocked before its exec;
 *                                       tdg writes P and exits
 *   start ID                            let it exec process.args
 *   state ID                            created | running | stopped, as JSON
 *   kill ID [SIGNAL]                    signal it
 *   delete [--force] ID                 remove what create made
 *
 * Why two steps: between them the caller sets up what needs the container
 * to exist but must be ready before its command runs (podman and
 * containerd start the I/O relay, CNI/netavark configure a network namespace
 * by the pid). The container process holds back by opening
 * ROOT/ID/exec.fifo for writing: a FIFO's open blocks until someone opens
 * the other end, which is what `start` does (runc's and crun's way).
 *
 * Unlike `tdg run`, nobody from tdg stays with the container: `create`
 * exits, and the caller (conmon, containerd-shim; a subreaper) adopts the
 * container process, reaps it and keeps its exit status. So `state` tells
 * "stopped" from the kernel (proc.h), not from a watcher's record. */
#include "oci.h"
#include "caps.h"
#include "cgroup.h"
#include "exe.h"
#include "fail.h"
#include "mask.h"
#include "netlink.h"
#include "ns.h"
#include "oci_spec.h"
#include "proc.h"
#include "rootfs.h"
#include "security.h"
#include "spawn.h"
#include "timestamp.h"
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* podman never passes --root: its containers live here. */
#define OCI_DEFAULT_ROOT "/run/tdg-oci"
#define OCI_VERSION "1.0.2"
#define CGROUP_ROOT (getenv("TDG_CGROUP_ROOT") ? getenv("TDG_CGROUP_ROOT") : "/sys/fs/cgroup")

static const char *oci_root = OCI_DEFAULT_ROOT;
static const char *log_file; /* --log: failures go there, as JSON lines */

static const char *const commands[] = {"create", "start", "state", "kill", "delete",
				       "features", NULL};
/* exec is tdg's own command too (`tdg exec -it ID CMD`): the OCI one is
 * told apart by its long flags (conmon: exec --pid-file P --process F). */
static const char *const exec_flags[] = {"--process", "--pid-file", "--detach",
					 "--console-socket", "--tty", NULL};

/* "--x v" or "--x=v": the value of flag NAME at argv[*i], or NULL. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

bool oci_wants(int argc, char **argv)
{
	static const char *const globals[] = {"--root", "--log", "--log-format",
					      "--systemd-cgroup", "--version", "--debug", NULL};
	if (argc < 2)
		return false;
	for (int i = 0; globals[i]; i++) {
		size_t n = strlen(globals[i]);
		if (strncmp(argv[1], globals[i], n) == 0 && (!argv[1][n] || argv[1][n] == '='))
			return true;
	}
	for (int i = 0; commands[i]; i++)
		if (strcmp(argv[1], commands[i]) == 0)
			return true;
	/* ps too: containerd's shim asks `ps --format json ID` (with --root
	 * first, so it lands here anyway); tdg's own ps takes only -a. */
	if (strcmp(argv[1], "ps") == 0 && argc > 2 && strncmp(argv[2], "--format", 8) == 0)
		return true;
	if (strcmp(argv[1], "exec") == 0 && argc > 2)
		for (int i = 0; exec_flags[i]; i++)
			if (strncmp(argv[2], exec_flags[i], strlen(exec_flags[i])) == 0)
				return true;
	return false;
}

static bool id_valid(const char *id)
{
	if (!*id || strlen(id) > 128 || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("_.-", *p))
			return false;
	return true;
}

static void state_file(char *out, const char *id, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s/%s", oci_root, id, name);
}

/* ROOT/ID/state.json, or NULL with "container ID does not exist" (the
 * words containerd's shim looks for). */
static json_t *load(const char *id)
{
	char path[PATH_MAX];
	if (!id_valid(id)) {
		fail_with("container %s does not exist", id);
		return NULL;
	}
	state_file(path, id, "state.json");
	json_t *c = json_load_file(path, 0, NULL);
	if (!c)
		fail_with("container %s does not exist", id);
	return c;
}

static bool alive(json_t *c)
{
	return proc_same((pid_t)json_integer_value(json_object_get(c, "pid")),
			 json_integer_value(json_object_get(c, "start_time")),
			 json_string_value(json_object_get(c, "boot_id")));
}

static const char *status_of(json_t *c)
{
	char fifo[PATH_MAX];
	if (!alive(c))
		return "stopped";
	state_file(fifo, json_string_value(json_object_get(c, "id")), "exec.fifo");
	return access(fifo, F_OK) == 0 ? "created" : "running";
}

/* Write TEXT to NAME in the folder DIR (AT_FDCWD: here) through a
 * temporary file and a rename: a reader (conmon reads the pid file) never
 * sees half of it. */
static int write_atomic_at(int dir, const char *name, const char *text)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", name);
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_with("%s: %m", tmp);
	ssize_t n = write(fd, text, strlen(text));
	if (close(fd) != 0 || n != (ssize_t)strlen(text) || renameat(dir, tmp, dir, name) != 0) {
		unlinkat(dir, tmp, 0);
		return fail_with("%s: %m", name);
	}
	return 0;
}

static int write_atomic(const char *path, const char *text)
{
	return write_atomic_at(AT_FDCWD, path, text);
}

static json_t *state_json(json_t *c);

/* Run the hooks of KIND ("prestart", ...) that C's record keeps, each
 * with the container's state on its stdin (the runtime spec's rule), one
 * after the other; a hook that fails or outlasts its "timeout" fails the
 * step (poststop's only warn: delete goes on). */
static int run_hooks(json_t *c, const char *kind)
{
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(json_object_get(c, "hooks"), kind), i, h) {
		const char *path = json_string_value(json_object_get(h, "path"));
		json_t *st = state_json(c);
		char *text = json_dumps(st, JSON_COMPACT);
		json_decref(st);
		char **args = NULL, **env = NULL;
		size_t k, n = json_array_size(json_object_get(h, "args"));
		args = calloc(n + 2, sizeof *args);
		env = calloc(json_array_size(json_object_get(h, "env")) + 1, sizeof *env);
		int in[2] = {-1, -1};
		if (!text || !args || !env || pipe2(in, O_CLOEXEC) != 0) {
			free(text), free(args), free(env);
			return fail_with("hooks.%s[%zu]: %m", kind, i);
		}
		json_t *v;
		args[0] = (char *)path;
		json_array_foreach(json_object_get(h, "args"), k, v)
			args[k] = (char *)json_string_value(v); /* args[0] is argv[0] */
		if (n == 0)
			args[1] = NULL;
		json_array_foreach(json_object_get(h, "env"), k, v)
			env[k] = (char *)json_string_value(v);
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			dup2(in[0], STDIN_FILENO);
			execve(path, args, env);
			_exit(127);
		}
		close(in[0]);
		if (pid > 0) { /* a hook that does not read its stdin gets EPIPE, not us */
			signal(SIGPIPE, SIG_IGN);
			ssize_t w = write(in[1], text, strlen(text));
			(void)w;
		}
		close(in[1]);
		free(text), free(args), free(env);
		if (pid < 0)
			return fail_with("hooks.%s[%zu]: fork: %m", kind, i);
		long timeout = json_integer_value(json_object_get(h, "timeout"));
		int status = 0, waited = 0;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (timeout > 0 && waited++ >= timeout * 100) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return fail_with("hooks.%s[%zu] %s: timed out after %ld s", kind, i,
						 path, timeout);
			}
			usleep(10000);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return fail_with("hooks.%s[%zu] %s: failed (status %d)", kind, i, path,
					 spawn_exit_status(status));
	}
	return 0;
}

/* ---- create: what runs in the container process ---- */

struct child {
	struct oci_spec *spec;
	struct cgroup *cgroup;
	int sync[2];	/* its word to create: "\0" ready, or why it failed */
	int fifo;	/* exec.fifo, O_PATH: reopened for writing to wait */
	int console;	/* process.terminal: connected to --console-socket */
	int binds[OCI_MAX]; /* each bind's source, cloned (open_tree) before the pivot */
	enum cgroup_version cgv; /* the host's, seen before the pivot */
};

/* mkdir -p of PATH's parents, and PATH itself as a folder or (FILE) an
 * empty file: a mount point must be of the kind mounted on it. */
static int make_mount_point(const char *path, bool file)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	if (file) {
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EISDIR)
			return fail_with("mount point %s: %m", path);
		if (fd >= 0)
			close(fd);
	} else if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return fail_with("mount point %s: %m", path);
	return 0;
}

/* One of config.json's mounts, after the pivot (paths are the
 * container's). A bind's source is SRC_FD, a copy of the host's mount made
 * with open_tree() before the pivot (the host's paths are gone by now):
 * move_mount() attaches it here (runc does the same since 1.2). */
static int mount_one(const struct oci_mount *m, int src_fd, enum cgroup_version cgv)
{
	const char *type = m->type, *source = m->source;
	unsigned long flags = m->flags;
	if (m->bind) {
		struct stat st;
		if (fstat(src_fd, &st) != 0)
			return fail_with("mount %s: %m", m->source);
		if (make_mount_point(m->dest, !S_ISDIR(st.st_mode)) < 0)
			return -1;
		if (move_mount(src_fd, "", AT_FDCWD, m->dest, MOVE_MOUNT_F_EMPTY_PATH) != 0)
			return fail_host("mount: bind %s on %s: %m", m->source, m->dest);
		/* A bind ignores every other flag until a remount (rootfs.h). */
		unsigned long rest = flags & ~(MS_BIND | MS_REC);
		if (rest && mount(NULL, m->dest, NULL, MS_REMOUNT | MS_BIND | rest, NULL) != 0)
			return fail_host("mount: remount %s: %m", m->dest);
	} else {
		/* cgroup v1 has one tree per controller; the container gets an
		 * empty, read-only /sys/fs/cgroup instead (tdg's run does the
		 * same: its containers do not see their limits there). */
		if (strcmp(type, "cgroup") == 0 && cgv != CGROUP_V2) {
			type = "tmpfs";
			source = "tmpfs";
		}
		if (strcmp(type, "cgroup") == 0)
			type = "cgroup2";
		static const char *const types[] = {"proc", "sysfs", "tmpfs", "devpts", "mqueue",
						    "cgroup2", NULL};
		int i = 0;
		while (types[i] && strcmp(types[i], type) != 0)
			i++;
		if (!types[i])
			return fail_with("config.json: mounts: %s: type '%s': not supported by tdg",
					 m->dest, m->type);
		if (make_mount_point(m->dest, false) < 0)
			return -1;
		if (mount(source ? source : type, m->dest, type, flags & ~MS_REC,
			  m->data[0] ? m->data : NULL) != 0)
			return fail_host("mount %s on %s: %m", m->type, m->dest);
	}
	if (m->propagation && mount(NULL, m->dest, NULL, m->propagation, NULL) != 0)
		return fail_host("mount: propagation of %s: %m", m->dest);
	return 0;
}

/* Mounts rootfs_enter() makes itself, with the options Docker's and
 * podman's configs ask for: /proc, a /dev tmpfs with the default devices
 * (and devpts, /dev/shm), a read-only /sys. */
static bool made_by_rootfs_enter(const struct oci_mount *m)
{
	return (strcmp(m->dest, "/proc") == 0 && strcmp(m->type, "proc") == 0) ||
	       (strcmp(m->dest, "/dev") == 0 && strcmp(m->type, "tmpfs") == 0) ||
	       (strcmp(m->dest, "/sys") == 0 && strcmp(m->type, "sysfs") == 0);
}

static int write_proc(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_with("%s: %m", path);
	ssize_t n = write(fd, value, strlen(value));
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(value) ? 0 : fail_with("%s: %m", path);
}

static int set_rlimits(const struct oci_spec *s)
{
	for (int i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = {s->rlim_soft[i], s->rlim_hard[i]};
		if (setrlimit(s->rlimit[i], &rl) != 0)
			return fail_with("process.rlimits[%d]: %m", i);
	}
	return 0;
}

static int container_setup(struct child *ch)
{
	struct oci_spec *s = ch->spec;
	if (ch->cgroup->ndirs && cgroup_join(ch->cgroup) < 0)
		return -1;
	if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname)) != 0)
		return fail_with("sethostname: %m");
	/* A network namespace made here has a loopback, down (day 08). */
	if ((s->clone_flags & CLONE_NEWNET) && netlink_link_up("lo") != 0)
		return fail_host("net: bring up lo: %m");
	if (ns_private_mounts() < 0)
		return -1;
	for (int i = 0; i < s->nmounts; i++) {
		ch->binds[i] = -1;
		if (s->mounts[i].bind &&
		    (ch->binds[i] = open_tree(AT_FDCWD, s->mounts[i].source,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						      (s->mounts[i].flags & MS_REC ? AT_RECURSIVE : 0))) < 0)
			return fail_with("config.json: mounts[%d].source %s: %m", i,
					 s->mounts[i].source);
	}
	if (rootfs_enter(s->root) < 0)
		return -1;
	for (int i = 0; i < s->nmounts; i++)
		if (!made_by_rootfs_enter(&s->mounts[i]) && mount_one(&s->mounts[i], ch->binds[i], ch->cgv) < 0)
			return -1;
	/* process.terminal: the pty is made in the container's own
	 * /dev/pts (the config's devpts, mounted just now), its master sent
	 * to the caller (conmon) over the console socket, one SCM_RIGHTS
	 * message, as `run -t` sends it to tdg. */
	if (s->terminal) {
		struct winsize ws = {.ws_row = s->rows, .ws_col = s->cols};
		if (tty_console_child(ch->console, &ws) != 0)
			return -1;
		close(ch->console);
	}
	/* root.readonly: once the mount points are made (podman's /run, /tmp
	 * may be missing from the image), as runc does; the mounts on top
	 * keep their own flags. */
	if (s->readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
		return fail_host("root.readonly: remount / read-only: %m");
	for (int i = 0; i < s->nsysctl; i++) {
		char path[PATH_MAX];
		int n = snprintf(path, sizeof path, "/proc/sys/%s", s->sysctl_key[i]);
		for (char *p = path + 10; p < path + n; p++)
			if (*p == '.')
				*p = '/';
		if (write_proc(path, s->sysctl_value[i]) < 0)
			return fail_context("linux.sysctl %s", s->sysctl_key[i]);
	}
	if (set_rlimits(s) < 0)
		return -1;
	if (s->has_oom_score_adj) {
		char v[16];
		snprintf(v, sizeof v, "%d", s->oom_score_adj);
		if (write_proc("/proc/self/oom_score_adj", v) < 0)
			return -1;
	}
	clearenv();
	for (int i = 0; s->env[i]; i++)
		putenv(s->env[i]);
	if (rootfs_workdir(s->cwd) < 0)
		return -1;
	/* security_enter(), with the bundle's masked and read-only paths in
	 * place of tdg's own list. */
	if (mask_these(s->masked, s->nmasked, s->readonly_paths, s->nreadonly) != 0 ||
	    security_join(false) != 0)
		return -1;
	if (s->umask >= 0)
		umask((mode_t)s->umask);
	return 0;
}

/* process.user and process.capabilities, after the wait: a process that
 * changed its uid is no longer "dumpable", and /proc/self/fd (the way to
 * exec.fifo) becomes root's, closed to it. The groups while CAP_SETGID is
 * still there, then the bundle's capabilities, then the uid (a setuid() to
 * a user other than root clears what is left). */
static int become_user(const struct oci_spec *s)
{
	if (setgroups((size_t)s->ngids, s->gids) != 0 || setgid(s->gid) != 0)
		return fail_with("process.user %u:%u: %m", s->uid, s->gid);
	if (s->has_bounding &&
	    caps_bound_to_names(s->bounding, (size_t)s->nbounding, s->uid != 0) != 0)
		return -1;
	if (setuid(s->uid) != 0)
		return fail_with("process.user %u:%u: %m", s->uid, s->gid);
	return 0;
}

static int container_main(void *arg)
{
	struct child *ch = arg;
	char fifo[64];
	close(ch->sync[0]);
	if (container_setup(ch) < 0) {
		/* Its stderr is the container's (conmon's pipe): the reason
		 * goes to create, which reports it as its own. */
		ssize_t n = write(ch->sync[1], fail_last.msg, strlen(fail_last.msg));
		(void)n;
		_exit(TDG_EXIT_FAILED);
	}
	if (write(ch->sync[1], "", 1) != 1)
		_exit(TDG_EXIT_FAILED);
	close(ch->sync[1]);
	/* Here it waits for `start`: the open returns once start opens the
	 * FIFO for reading. */
	snprintf(fifo, sizeof fifo, "/proc/self/fd/%d", ch->fifo);
	int fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(TDG_EXIT_FAILED);
	close(fd);
	close(ch->fifo);
	if (become_user(ch->spec) < 0) { /* too late for create: its own stderr */
		fail_report();
		_exit(TDG_EXIT_FAILED);
	}
	spawn_exec(ch->spec->args);
}

/* Into the namespaces the bundle names by path (podman's netns that
 * netavark configured): setns here, before the clone, so the container
 * is born in them (a PID namespace is only ever entered by children). */
static int join_namespaces(const struct oci_spec *s)
{
	for (int i = 0; i < s->njoin; i++) {
		int fd = open(s->join[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail_with("config.json: linux.namespaces: %s: %m", s->join[i].path);
		/* The bundle's sysctls (oci_spec.h) would retune the host if the
		 * namespace named were the host's own, ours. */
		struct stat joined, mine;
		char self[64];
		static const char *const names[] = {[0] = "net", [1] = "ipc"};
		int k = s->join[i].type == CLONE_NEWNET ? 0 : s->join[i].type == CLONE_NEWIPC ? 1 : -1;
		snprintf(self, sizeof self, "/proc/self/ns/%s", k >= 0 ? names[k] : "");
		if (k >= 0 && s->nsysctl && fstat(fd, &joined) == 0 && stat(self, &mine) == 0 &&
		    joined.st_ino == mine.st_ino && joined.st_dev == mine.st_dev) {
			close(fd);
			return fail_with("config.json: linux.sysctl: %s is the host's %s namespace",
					 s->join[i].path, names[k]);
		}
		int r = setns(fd, s->join[i].type);
		close(fd);
		if (r != 0)
			return fail_host("setns %s: %m", s->join[i].path);
	}
	return 0;
}

/* The caller's console socket (conmon listens on it): the container's
 * pty master goes there. */
static int connect_console(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr.sun_path)
		return fail_with("create: --console-socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		fail_with("create: --console-socket %s: %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int cmd_create(int argc, char **argv)
{
	const char *bundle = ".", *pid_file = NULL, *id = NULL, *console = NULL, *v;
	char dir[PATH_MAX], path[PATH_MAX], abs_bundle[PATH_MAX];
	struct oci_spec spec = {0};
	struct cgroup cg = {0};
	struct child ch = {.spec = &spec, .cgroup = &cg, .sync = {-1, -1}, .fifo = -1,
			   .console = -1};
	bool made_dir = false;
	pid_t pid = -1;
	for (int i = 1; i < argc; i++) {
		if ((v = flag_value(argc, argv, &i, "--bundle")) || (v = flag_value(argc, argv, &i, "-b")))
			bundle = v;
		else if ((v = flag_value(argc, argv, &i, "--pid-file")))
			pid_file = v;
		else if ((v = flag_value(argc, argv, &i, "--console-socket")))
			console = v;
		else if (strcmp(argv[i], "--no-new-keyring") == 0)
			; /* tdg makes no session keyring to begin with */
		else if ((v = flag_value(argc, argv, &i, "--preserve-fds"))) {
			if (strcmp(v, "0") != 0)
				return fail_with("create: --preserve-fds %s: not supported by tdg", v);
		} else if (argv[i][0] == '-')
			return fail_with("create: %s: not supported by tdg", argv[i]);
		else if (!id)
			id = argv[i];
		else
			return fail_with("create: usage: tdg create [--bundle DIR] [--pid-file FILE] ID");
	}
	if (!id || !id_valid(id))
		return fail_with("create: '%s': not a container id", id ? id : "");
	if (!realpath(bundle, abs_bundle))
		return fail_with("create: bundle %s: %m", bundle);
	if (oci_spec_load(abs_bundle, &spec) < 0)
		return -1;
	if (spec.terminal != (console != NULL)) {
		fail_with(console ? "create: --console-socket without process.terminal in config.json"
				  : "create: process.terminal needs --console-socket");
		goto fail;
	}
	if (console && (ch.console = connect_console(console)) < 0)
		goto fail;
	/* mkdir -p: containerd's shim names a --root it has not made. */
	char parents[PATH_MAX];
	snprintf(parents, sizeof parents, "%s", oci_root);
	for (char *p = parents + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(parents, 0700);
		*p = '/';
	}
	if (mkdir(oci_root, 0700) != 0 && errno != EEXIST) {
		fail_with("create: mkdir %s: %m", oci_root);
		goto fail;
	}
	snprintf(dir, sizeof dir, "%s/%s", oci_root, id);
	if (mkdir(dir, 0700) != 0) {
		fail_with(errno == EEXIST ? "create: container %s already exists"
					  : "create: mkdir %s: %m", errno == EEXIST ? id : dir);
		goto fail;
	}
	made_dir = true;
	state_file(path, id, "exec.fifo");
	if (mkfifo(path, 0600) != 0 || (ch.fifo = open(path, O_PATH | O_CLOEXEC)) < 0) {
		fail_with("create: %s: %m", path);
		goto fail;
	}
	enum cgroup_version cv = ch.cgv = cgroup_detect(CGROUP_ROOT);
	if (cv != CGROUP_NONE) {
		const char *cp = spec.cgroups_path;
		while (cp && *cp == '/')
			cp++;
		if (cp && *cp)
			cgroup_plan_at(&cg, CGROUP_ROOT, cv, cp);
		else
			cgroup_plan(&cg, CGROUP_ROOT, cv, id);
		if (cgroup_create(&cg, &spec.limits) != 0) {
			cg.ndirs = 0;
			fail_context("create: cgroup");
			goto fail;
		}
	} else if (spec.limits.memory || spec.limits.pids || spec.limits.cpu_quota) {
		fail_host("create: no cgroup filesystem at %s for linux.resources", CGROUP_ROOT);
		goto fail;
	}
	if (pipe2(ch.sync, O_CLOEXEC) != 0) {
		fail_with("pipe: %m");
		goto fail;
	}
	if (join_namespaces(&spec) < 0)
		goto fail;
	pid = ns_clone(container_main, &ch, spec.clone_flags);
	if (pid < 0)
		goto fail;
	close(ch.sync[1]);
	ch.sync[1] = -1;
	char word[sizeof fail_last.msg] = "";
	ssize_t n = 0, r;
	while ((r = read(ch.sync[0], word + n, sizeof word - 1 - (size_t)n)) > 0)
		n += r;
	if (n != 1 || word[0] != '\0') {
		word[n] = '\0';
		fail_with("%s", n ? word : "the container ended before it was ready");
		goto fail;
	}

	/* It waits on exec.fifo: record it, then tell the caller its pid. */
	char created[TDG_TIMESTAMP_LEN], boot[37];
	timestamp_now(created);
	proc_boot_id(boot);
	json_t *c = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:O*}", "id", id, "pid", pid,
			      "start_time", (json_int_t)proc_start_time(pid), "boot_id", boot,
			      "bundle", abs_bundle, "rootfs", spec.root, "created", created,
			      "annotations", json_object_get(spec.json, "annotations"));
	json_t *dirs = json_array();
	for (int i = 0; i < cg.ndirs; i++)
		json_array_append_new(dirs, json_string(cg.dirs[i]));
	json_object_set_new(c, "cgroup", dirs);
	if (spec.hooks)
		json_object_set(c, "hooks", spec.hooks);
	char *text = json_dumps(c, JSON_COMPACT);
	state_file(path, id, "state.json");
	int w = text ? write_atomic(path, text) : fail_with("out of memory");
	free(text);
	/* The container exists, its command has not run: what the network
	 * hooks need (Docker's prestart configures the netns by its pid).
	 * runc runs them a step earlier, before the pivot. */
	if (w == 0 && (run_hooks(c, "createRuntime") < 0 || run_hooks(c, "prestart") < 0))
		w = -1;
	json_decref(c);
	if (w < 0)
		goto fail;
	if (pid_file) {
		char num[32];
		snprintf(num, sizeof num, "%d", pid);
		if (write_atomic(pid_file, num) < 0)
			goto fail;
	}
	close(ch.sync[0]);
	close(ch.fifo);
	if (ch.console >= 0)
		close(ch.console);
	oci_spec_free(&spec);
	return 0;
fail:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < cg.ndirs; i++)
		cgroup_remove(cg.dirs[i]);
	if (ch.sync[0] >= 0)
		close(ch.sync[0]);
	if (ch.sync[1] >= 0)
		close(ch.sync[1]);
	if (ch.fifo >= 0)
		close(ch.fifo);
	if (ch.console >= 0)
		close(ch.console);
	if (made_dir) {
		state_file(path, id, "exec.fifo");
		unlink(path);
		state_file(path, id, "state.json");
		unlink(path);
		rmdir(dir);
	}
	oci_spec_free(&spec);
	return -1;
}

/* ---- start, state, kill, delete ---- */

static int cmd_start(int argc, char **argv)
{
	char fifo[PATH_MAX];
	if (argc != 2)
		return fail_with("start: usage: tdg start ID");
	json_t *c = load(argv[1]);
	if (!c)
		return -1;
	state_file(fifo, argv[1], "exec.fifo");
	/* Non-blocking, so a container that died before it opened its end
	 * cannot make start wait for ever: poll, and check it lives. */
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fail_with(alive(c) ? "start: container %s is running already"
				   : "start: container %s is not running (it has stopped)", argv[1]);
		json_decref(c);
		return -1;
	}
	char byte;
	int ok = -1;
	while (ok < 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 100);
		if (r > 0 && read(fd, &byte, 1) == 1)
			ok = 1;
		else if (!alive(c))
			break;
	}
	close(fd);
	json_decref(c);
	c = NULL;
	if (ok < 0)
		return fail_with("start: container %s is not running (it ended before start)",
				 argv[1]);
	unlink(fifo); /* from now on, state says "running" */
	c = load(argv[1]);
	int r = c ? run_hooks(c, "poststart") : -1;
	json_decref(c);
	return r;
}

/* The runtime spec's state of C: what `state` prints and hooks read. */
static json_t *state_json(json_t *c)
{
	const char *status = status_of(c);
	return json_pack(
		"{s:s, s:O, s:I, s:s, s:O, s:O, s:O, s:s, s:o}", "ociVersion", OCI_VERSION, "id",
		json_object_get(c, "id"),
		"pid", strcmp(status, "stopped") == 0 ? 0 : json_integer_value(json_object_get(c, "pid")),
		"status", status, "bundle", json_object_get(c, "bundle"), "rootfs",
		json_object_get(c, "rootfs"), "created", json_object_get(c, "created"), "owner", "",
		"annotations", json_object_get(c, "annotations")
				       ? json_incref(json_object_get(c, "annotations"))
				       : json_object());
}

static int cmd_state(int argc, char **argv)
{
	if (argc != 2)
		return fail_with("state: usage: tdg state ID");
	json_t *c = load(argv[1]);
	if (!c)
		return -1;
	json_t *out = state_json(c);
	json_dumpf(out, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(out);
	json_decref(c);
	return 0;
}

/* Every process of the container's cgroup (kill --all). */
static void kill_cgroup(json_t *c, int sig)
{
	char path[PATH_MAX];
	json_t *dirs = json_object_get(c, "cgroup");
	if (!json_array_size(dirs))
		return;
	snprintf(path, sizeof path, "%s/cgroup.procs", json_string_value(json_array_get(dirs, 0)));
	FILE *f = fopen(path, "re");
	int pid;
	while (f && fscanf(f, "%d", &pid) == 1)
		kill(pid, sig);
	if (f)
		fclose(f);
}

static int signal_container(json_t *c, int sig)
{
	int pidfd = proc_pidfd((pid_t)json_integer_value(json_object_get(c, "pid")),
			       json_integer_value(json_object_get(c, "start_time")),
			       json_string_value(json_object_get(c, "boot_id")));
	if (pidfd < 0) /* containerd matches these words */
		return fail_with("container not running");
	int r = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	close(pidfd);
	return r == 0 ? 0 : fail_with("kill: %m");
}

static int cmd_kill(int argc, char **argv)
{
	bool all = false;
	const char *id = NULL, *sig = "SIGTERM";
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else if (argv[i][0] == '-')
			return fail_with("kill: %s: not supported by tdg", argv[i]);
		else if (n++ == 0)
			id = argv[i];
		else
			sig = argv[i];
	}
	if (!id || n > 2)
		return fail_with("kill: usage: tdg kill [--all] ID [SIGNAL]");
	int num = oci_signal_number(sig);
	if (num < 0)
		return fail_with("kill: '%s': not a signal", sig);
	json_t *c = load(id);
	if (!c)
		return -1;
	int r = signal_container(c, num);
	if (r == 0 && all)
		kill_cgroup(c, num);
	json_decref(c);
	return r;
}

static int cmd_delete(int argc, char **argv)
{
	bool force = false;
	const char *id = NULL;
	char path[PATH_MAX];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else if (argv[i][0] == '-' || id)
			return fail_with("delete: usage: tdg delete [--force] ID");
		else
			id = argv[i];
	}
	if (!id)
		return fail_with("delete: usage: tdg delete [--force] ID");
	json_t *c = load(id);
	if (!c)
		return -1;
	/* A created container never ran its command: deleting it is what
	 * undoes a create (runc does the same). */
	const char *status = status_of(c);
	if (strcmp(status, "running") == 0 && !force) {
		json_decref(c);
		return fail_with("delete: container %s is running; stop it first, or use --force",
				 id);
	}
	if (strcmp(status, "stopped") != 0 && signal_container(c, SIGKILL) == 0) {
		/* Wait for it to end (it is the caller's child, not ours: poll
		 * its pidfd, which says when it has). */
		int pidfd = proc_pidfd((pid_t)json_integer_value(json_object_get(c, "pid")),
				       json_integer_value(json_object_get(c, "start_time")),
				       json_string_value(json_object_get(c, "boot_id")));
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			poll(&p, 1, 10000);
			close(pidfd);
		}
	}
	size_t i;
	json_t *dir;
	json_array_foreach(json_object_get(c, "cgroup"), i, dir)
		cgroup_remove(json_string_value(dir)); /* kills what is left in it */
	if (run_hooks(c, "poststop") < 0) /* the spec: a warning, delete goes on */
		warn("delete: %s", fail_last.msg);
	json_decref(c);
	state_file(path, id, "exec.fifo");
	unlink(path);
	state_file(path, id, "state.json");
	unlink(path);
	snprintf(path, sizeof path, "%s/%s", oci_root, id);
	if (rmdir(path) != 0)
		return fail_with("delete: rmdir %s: %m", path);
	return 0;
}

/* In the forked process of `exec`, inside the container: the process
 * object's settings, the container's walls, then its command. */
static _Noreturn void exec_child(struct oci_spec *p, int console)
{
	if (p->terminal) {
		struct winsize ws = {.ws_row = p->rows, .ws_col = p->cols};
		if (tty_console_child(console, &ws) != 0)
			goto fail;
		close(console);
	}
	if (set_rlimits(p) < 0)
		goto fail;
	clearenv();
	for (int i = 0; p->env[i]; i++)
		putenv(p->env[i]);
	if (chdir(p->cwd) != 0) {
		fail_with("process.cwd %s: %m", p->cwd);
		goto fail;
	}
	if (security_join(false) != 0)
		goto fail;
	if (p->umask >= 0)
		umask((mode_t)p->umask);
	if (become_user(p) < 0)
		goto fail;
	spawn_exec(p->args);
fail:
	fail_report();
	_exit(TDG_EXIT_FAILED);
}

/* `exec [--detach] [--pid-file P] [--console-socket S] --process F ID`:
 * a second process in a running container, as `tdg exec` (main.c) does
 * it: its cgroup, its namespaces through a pidfd, then a fork (a PID
 * namespace takes only children). With --detach, tdg writes its pid and
 * exits; the caller (conmon, a subreaper) adopts it. */
static int cmd_exec(int argc, char **argv)
{
	const char *process = NULL, *pid_file = NULL, *console = NULL, *id = NULL, *v;
	bool detach = false;
	struct oci_spec p = {0};
	int pidfd = -1, sock = -1, dirfd = -1;
	json_t *c = NULL;
	for (int i = 1; i < argc; i++) {
		if ((v = flag_value(argc, argv, &i, "--process")))
			process = v;
		else if ((v = flag_value(argc, argv, &i, "--pid-file")))
			pid_file = v;
		else if ((v = flag_value(argc, argv, &i, "--console-socket")))
			console = v;
		else if (strcmp(argv[i], "--detach") == 0 || strcmp(argv[i], "-d") == 0)
			detach = true;
		else if (strcmp(argv[i], "--tty") == 0 || strcmp(argv[i], "-t") == 0)
			; /* process.terminal says it too */
		else if ((v = flag_value(argc, argv, &i, "--preserve-fds"))) {
			if (strcmp(v, "0") != 0)
				return fail_with("exec: --preserve-fds %s: not supported by tdg", v);
		} else if (argv[i][0] == '-')
			return fail_with("exec: %s: not supported by tdg", argv[i]);
		else if (!id)
			id = argv[i];
		else
			return fail_with("exec: tdg's OCI exec takes --process FILE, not a command");
	}
	if (!id || !process)
		return fail_with("exec: usage: tdg exec [--detach] [--pid-file P] --process FILE ID");
	if (oci_process_load(process, &p) < 0)
		return -1;
	if (p.terminal != (console != NULL)) {
		fail_with(console ? "exec: --console-socket without process.terminal"
				  : "exec: process.terminal needs --console-socket");
		goto fail;
	}
	if (!(c = load(id)))
		goto fail;
	pidfd = proc_pidfd((pid_t)json_integer_value(json_object_get(c, "pid")),
			   json_integer_value(json_object_get(c, "start_time")),
			   json_string_value(json_object_get(c, "boot_id")));
	if (pidfd < 0 || strcmp(status_of(c), "running") != 0) {
		fail_with("exec: container %s is not running", id);
		goto fail;
	}
	if (console && (sock = connect_console(console)) < 0)
		goto fail;
	/* The pid file is a host path: its folder is opened now, before
	 * setns() puts us in the container's mount namespace. */
	char piddir[PATH_MAX];
	const char *pidname = NULL;
	if (pid_file) {
		snprintf(piddir, sizeof piddir, "%s", pid_file);
		char *slash = strrchr(piddir, '/');
		pidname = slash ? pid_file + (slash - piddir) + 1 : pid_file;
		if (slash == piddir)
			strcpy(piddir, "/");
		else if (slash)
			*slash = '\0';
		else
			strcpy(piddir, ".");
		if ((dirfd = open(piddir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			fail_with("exec: --pid-file %s: %m", pid_file);
			goto fail;
		}
	}
	size_t i;
	json_t *dir;
	json_array_foreach(json_object_get(c, "cgroup"), i, dir)
		if (cgroup_enter(json_string_value(dir)) != 0) {
			fail_host("exec: join %s: %m", json_string_value(dir));
			goto fail;
		}
	if (ns_enter(pidfd) != 0) {
		fail_host("exec: setns into %s: %m", id);
		goto fail;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fail_with("exec: fork: %m");
		goto fail;
	}
	if (pid == 0)
		exec_child(&p, sock);
	if (sock >= 0)
		close(sock);
	close(pidfd);
	json_decref(c);
	oci_spec_free(&p);
	if (pid_file) {
		char num[32];
		snprintf(num, sizeof num, "%d", pid);
		int w = write_atomic_at(dirfd, pidname, num);
		close(dirfd);
		if (w < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
	}
	if (detach)
		return 0;
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return fail_with("exec: wait: %m");
	exit(spawn_exit_status(status));
fail:
	if (sock >= 0)
		close(sock);
	if (pidfd >= 0)
		close(pidfd);
	if (dirfd >= 0)
		close(dirfd);
	json_decref(c);
	oci_spec_free(&p);
	return -1;
}

/* `ps --format json ID`: the pids of the container's cgroup, as a JSON
 * array (containerd's `ctr task ps`). */
static int cmd_ps(int argc, char **argv)
{
	const char *id = NULL, *v;
	for (int i = 1; i < argc; i++) {
		if ((v = flag_value(argc, argv, &i, "--format")) || (v = flag_value(argc, argv, &i, "-f"))) {
			if (strcmp(v, "json") != 0)
				return fail_with("ps: --format %s: tdg prints json only", v);
		} else if (argv[i][0] == '-' || id)
			return fail_with("ps: usage: tdg ps --format json ID");
		else
			id = argv[i];
	}
	if (!id)
		return fail_with("ps: usage: tdg ps --format json ID");
	json_t *c = load(id);
	if (!c)
		return -1;
	json_t *pids = json_array();
	json_t *dirs = json_object_get(c, "cgroup");
	char path[PATH_MAX];
	int pid;
	snprintf(path, sizeof path, "%s/cgroup.procs", json_string_value(json_array_get(dirs, 0)));
	FILE *f = json_array_size(dirs) ? fopen(path, "re") : NULL;
	while (f && fscanf(f, "%d", &pid) == 1)
		json_array_append_new(pids, json_integer(pid));
	if (f)
		fclose(f);
	else if (alive(c)) /* no cgroup: its first process at least */
		json_array_append_new(pids, json_integer(json_integer_value(json_object_get(c, "pid"))));
	json_dumpf(pids, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(pids);
	json_decref(c);
	return 0;
}

static int cmd_features(void)
{
	printf("{\n  \"ociVersionMin\": \"1.0.0\",\n  \"ociVersionMax\": \"%s\",\n"
	       "  \"hooks\": [\"prestart\", \"createRuntime\", \"poststart\", \"poststop\"],\n"
	       "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"nosuid\", \"nodev\", "
	       "\"noexec\", \"relatime\", \"strictatime\", \"private\", \"rprivate\"],\n"
	       "  \"linux\": {\n"
	       "    \"namespaces\": [\"pid\", \"network\", \"ipc\", \"uts\", \"mount\", \"cgroup\"],\n"
	       "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false}\n  }\n}\n",
	       OCI_VERSION);
	return 0;
}

/* The failure as a JSON line in --log FILE (runc's logrus format, which
 * containerd's shim and podman read back), else tdg's one line. */
static int report(void)
{
	if (!log_file)
		return fail_report();
	char now[TDG_TIMESTAMP_LEN];
	timestamp_now(now);
	json_t *line = json_pack("{s:s, s:s, s:s}", "level", "error", "msg",
				 fail_last.msg, "time", now);
	FILE *f = fopen(log_file, "ae");
	if (f && line) {
		json_dumpf(line, f, JSON_COMPACT);
		fputc('\n', f);
	}
	if (f)
		fclose(f);
	json_decref(line);
	return fail_report();
}

static const char oci_usage[] =
	"Usage: tdg [--root DIR] [--log FILE --log-format json] COMMAND [ARG...]\n"
	"\n"
	"tdg as an OCI runtime, the way podman (conmon) and containerd's runc shim\n"
	"call one (see docs/day-by-day/day10-oci.md). Each container lives in\n"
	"DIR/ID (default " OCI_DEFAULT_ROOT "); with --log, failures are also JSON lines\n"
	"in FILE.\n"
	"\n"
	"Commands:\n"
	"  create [--bundle DIR] [--pid-file F] [--console-socket S] ID\n"
	"                  make the container from DIR/config.json; it waits for start\n"
	"  start ID        run its process.args\n"
	"  state ID        print created|running|stopped, as the runtime spec's JSON\n"
	"  kill [--all] ID [SIGNAL]   send SIGNAL (default SIGTERM; a name or number)\n"
	"  delete [--force] ID        remove it (--force: kill it first if it runs)\n"
	"  exec [--detach] [--pid-file F] [--console-socket S] --process FILE ID\n"
	"                  run the process object in FILE in the running container\n"
	"  ps --format json ID        the pids of its cgroup, as a JSON array\n"
	"  features        what this runtime supports, as JSON\n"
	"  --version       the version and the runtime spec's\n"
	"\n"
	"--systemd-cgroup is not supported: run podman with --cgroup-manager=cgroupfs,\n"
	"containerd with SystemdCgroup = false.\n";

int oci_main(int argc, char **argv)
{
	int i = 1;
	const char *v;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((v = flag_value(argc, argv, &i, "--root")))
			oci_root = v;
		else if ((v = flag_value(argc, argv, &i, "--log-format"))) {
			if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
				fail_with("--log-format %s: json or text", v);
				return report();
			}
		} else if ((v = flag_value(argc, argv, &i, "--log")))
			log_file = v;
		else if (strcmp(argv[i], "--debug") == 0)
			;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("tdg version 10 (day10-final)\nspec: %s\n", OCI_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--systemd-cgroup") == 0) {
			fail_with("--systemd-cgroup: not supported by tdg; run podman with "
				  "--cgroup-manager=cgroupfs (containerd: SystemdCgroup = false)");
			return report();
		} else {
			fail_with("%s: not a flag of tdg's OCI commands", argv[i]);
			return report();
		}
	}
	if (i >= argc) {
		fail_with("usage: tdg [--root DIR] [--log FILE] create|start|state|kill|delete ...");
		return report();
	}
	char **a = argv + i;
	int n = argc - i, r;
	if (n > 1 && (strcmp(a[1], "--help") == 0 || strcmp(a[1], "-h") == 0)) {
		fputs(oci_usage, stdout);
		return 0;
	}
	if (strcmp(a[0], "create") == 0)
		r = cmd_create(n, a);
	else if (strcmp(a[0], "start") == 0)
		r = cmd_start(n, a);
	else if (strcmp(a[0], "state") == 0)
		r = cmd_state(n, a);
	else if (strcmp(a[0], "kill") == 0)
		r = cmd_kill(n, a);
	else if (strcmp(a[0], "delete") == 0)
		r = cmd_delete(n, a);
	else if (strcmp(a[0], "features") == 0)
		r = cmd_features();
	else if (strcmp(a[0], "ps") == 0)
		r = cmd_ps(n, a);
	else if (strcmp(a[0], "exec") == 0) {
		/* As tdg's own exec: the host's binary out of the container's
		 * reach before we go near it (exe.h). */
		r = exe_reexec_sealed(argv);
		if (r == 0)
			r = cmd_exec(n, a);
	}
	else
		r = fail_with("%s: not one of tdg's OCI commands (create, start, state, kill, "
			      "delete, features)", a[0]);
	return r == 0 ? 0 : report();
}
