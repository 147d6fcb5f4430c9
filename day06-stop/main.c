/* tdg, day 06 — stop and the container's life cycle.
 *
 * `tdg stop [-t N] ID` asks the container's PID 1 to end (SIGTERM), gives it
 * N seconds, then ends it (SIGKILL); its watcher records 143 or 137. `tdg rm
 * [-f] ID` removes an exited container's state (-f: stop it first). Read
 * from main() upwards. */
#include "cli.h"
#include "container.h"
#include "fail.h"
#include "logs.h"
#include "id.h"
#include "ns.h"
#include "rootfs.h"
#include "signals.h"
#include "spawn.h"
#include "state.h"
#include "watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TDG_DAY 6

struct run_options {
	const char *name;     /* --name, or NULL */
	bool detach;	      /* -d: run in the background, print the id */
	const char *hostname; /* inside the container (default: the id) */
	char rootfs[PATH_MAX]; /* absolute path of the container's / */
	char **command;	      /* CMD and its arguments, untouched */
	struct watcher watcher; /* the container's stdio, its log */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg COMMAND [ARG...]\n"
		"\n"
		"tdg day %02d (%s): stopping and removing containers.\n"
		"\n"
		"Commands:\n"
		"  run [flags] CMD [ARG...]   run CMD and exit with its status\n"
		"  ps [-a]                    list running containers (-a: all)\n"
		"  inspect ID                 print a container's metadata (JSON)\n"
		"  logs [-f] ID               print its output (-f: follow until it exits)\n"
		"  stop [-t SECONDS] ID       SIGTERM, then SIGKILL after SECONDS (10)\n"
		"  rm [-f] ID                 remove an exited container (-f: stop it first)\n"
		"\n"
		"ID is a full id, a unique prefix of one, or a --name.\n"
		"Later days add:\n"
		"exec, doctor, import, setup (10).\n"
		"Run 'tdg run --help' for the flags of run.\n",
		TDG_DAY, cli_day_folder(TDG_DAY));
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg run [flags] [CMD [ARG...]]\n"
		"\n"
		"Run CMD and exit with its status (126: cannot execute, 127: not\n"
		"found, 128+N: killed by signal N, 125: tdg itself failed). Without\n"
		"CMD, /bin/sh: interactive on a terminal, else it reads stdin.\n"
		"\n"
		"Flags:\n"
		"      --rootfs DIR      the container's / (default: $TDG_ROOTFS, else the\n"
		"                        rootfs/busybox that 'make rootfs' builds in the\n"
		"                        tree this tdg was built in)\n"
		"      --name NAME       a unique name to refer to the container by\n"
		"  -d, --detach          run in the background and print the id\n"
		"      --hostname H      hostname inside the container (default: its id)\n"
		"  -h, --help            this text\n");
}

static void parse_run(int argc, char **argv, struct run_options *o)
{
	static const struct option flags[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"detach", no_argument, NULL, 'd'},
		{"hostname", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* "+": stop at the first non-flag, so CMD's own flags stay CMD's.
	 * ":": report a missing value as ':' instead of printing for us. */
	const char *rootfs = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dh", flags, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootfs = optarg;
			break;
		case 'n':
			if (!id_name_valid(optarg))
				die("run: --name '%s': not a valid name (a letter or "
				    "digit, then letters, digits, '_', '.', '-')",
				    optarg);
			o->name = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'H':
			if (!ns_hostname_valid(optarg))
				die("run: --hostname '%s': not a valid hostname "
				    "(1-64 letters, digits, '-' and '.')", optarg);
			o->hostname = optarg;
			break;
		case 'h':
			run_usage(stdout);
			exit(0);
		case ':':
			die("run: flag %s needs a value; see 'tdg run --help'",
			    argv[optind - 1]);
		default: /* a flag of a later day says so */
			if (cli_later_flag("run", cli_bad_flag(argv, optind, optopt), TDG_DAY) != 0)
				die_context("run");
			die("run: unknown flag '%s'; see 'tdg run --help'",
			    cli_bad_flag(argv, optind, optopt));
		}
	}
	/* No CMD: a shell, as Docker's busybox image has; on a terminal it is
	 * interactive, otherwise it reads its commands from stdin. */
	static char *shell[] = {"/bin/sh", NULL};
	if (optind < argc && argv[optind][0] == '\0')
		die("run: the command is an empty string");
	/* Checked here, in tdg, so a bad path is one clear line before any
	 * namespace exists, not a mount error from inside the child. Without
	 * --rootfs: $TDG_ROOTFS, else what 'make rootfs' built in tdg's tree. */
	char dir[PATH_MAX];
	if (rootfs_find(rootfs, NULL, dir, sizeof dir) != 0 ||
	    rootfs_check(dir, o->rootfs, sizeof o->rootfs) != 0)
		die_context("run: rootfs '%s'", rootfs ? rootfs : dir);
	o->command = optind < argc ? &argv[optind] : shell;
}

/* The first code that runs inside the new namespaces. Its errors end the
 * child with 125, which tdg passes on as its own status. */
static int container_main(void *arg)
{
	struct run_options *o = arg;

	watcher_child_stdio(&o->watcher);
	signals_child_setup();
	/* LAB(02.2): give the container its hostname, o->hostname; a refusal is
	 * fail_with("sethostname: %m") and `goto fail`.
	 * HINT: man 2 sethostname: it changes the UTS namespace of the caller,
	 * which is the container's only because clone had CLONE_NEWUTS (without
	 * it, this renames the host); the name is not NUL-terminated for it.
	 * STUB: fail_todo("02.2"); goto fail; */
	if (sethostname(o->hostname, strlen(o->hostname)) != 0) {
		fail_with("sethostname: %m");
		goto fail;
	}
	/* END LAB */
	if (ns_private_mounts() < 0) /* before any mount of ours, or it leaks out */
		goto fail;
	if (rootfs_enter(o->rootfs) < 0)
		goto fail;
	spawn_container_env(o->hostname);
	spawn_exec(o->command);
fail:
	/* It holds nothing to release. Its stderr is tdg's, or the log (the
	 * watcher copies it to the terminal; `run -d` shows it), so it prints
	 * the one line itself; tdg passes the 125 on as its own status. */
	fail_report();
	watcher_child_failed(&o->watcher); /* run -d: the watcher waits for it */
	_exit(TDG_EXIT_FAILED);
}

/* Acquire in order; on failure, `goto fail` releases in reverse what was
 * acquired (the fail: ladder at the end) and reports the one line. */
static int cmd_run(int argc, char **argv)
{
	struct run_options o = {0};
	pid_t pid = -1;
	bool discard = true; /* the container, on failure (not a -d watcher's job) */
	parse_run(argc, argv, &o);
	json_t *c = container_new(o.command, o.name, o.hostname, o.rootfs);
	if (!c)
		return fail_report();
	o.hostname = state_str(c, "hostname");
	/* A foreground run on a terminal keeps it (a shell needs a tty);
	 * anything else goes through the watcher into the log. */
	if (watcher_prepare(&o.watcher, c, o.detach || !isatty(STDOUT_FILENO), o.detach) < 0)
		goto fail;

	fflush(NULL); /* or the children would print tdg's unflushed output too */
	if (o.detach) {
		/* Fork the watcher; this process only waits for its word that
		 * the command runs, prints the id and returns to the shell. */
		pid_t watcher = fork();
		if (watcher < 0) {
			fail_with("fork: %m");
			goto fail;
		}
		if (watcher > 0) {
			int started = watcher_wait_started(&o.watcher, state_str(c, "id"));
			if (started < 0) {
				/* It died saying why, before the container ran
				 * (or taking it along: PDEATHSIG). */
				container_discard(c);
				started = TDG_EXIT_FAILED;
			} else if (started == 0) {
				printf("%s\n", state_str(c, "id"));
			} /* else it failed before its exec, like Docker says */
			json_decref(c);
			return started;
		}
		discard = false; /* tdg run above cleans up if we fail */
		/* A session of its own: closing the terminal (SIGHUP to its
		 * session) no longer reaches the watcher or the container. */
		setsid();
	}

	/* Block signals before the child exists: one arriving between clone and
	 * the wait loop would otherwise kill tdg and orphan the command. */
	if (signals_block() < 0)
		goto fail;
	pid = ns_clone(container_main, &o, TDG_NAMESPACES);
	if (pid < 0 || container_started(c, pid) < 0)
		goto fail;
	/* It runs: from now on its end is recorded, whatever happens. */
	if (o.detach) {
		watcher_tell_started(&o.watcher);
		watcher_detach(&o.watcher);
	}
	int status = spawn_exit_status(watcher_run(&o.watcher, pid));
	container_exited(c, status);
	json_decref(c);
	return o.detach ? 0 : status;

fail: /* until it runs: no half-made container */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (discard)
		container_discard(c);
	json_decref(c);
	return fail_report();
}

static int cmd_ps(int argc, char **argv)
{
	bool all = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
			all = true;
		else if (cli_is_help(argv[i])) {
			printf("Usage: tdg ps [-a]\n\nList running containers "
			       "(-a, --all: also created and exited ones).\n");
			return 0;
		} else if (cli_later_flag("ps", argv[i], TDG_DAY) != 0)
			die_context("ps");
		else
			die("ps: unknown flag '%s'; usage: tdg ps [-a]", argv[i]);
	}
	size_t n;
	json_t **list = state_list(&n);
	if (!list)
		return fail_report();
	/* What the files say may be stale (a killed tdg never wrote "exited"):
	 * check each running one against the kernel before showing it. */
	for (size_t i = 0; i < n; i++) {
		json_t *fresh = container_reconcile(state_str(list[i], "id"));
		if (fresh) {
			json_decref(list[i]);
			list[i] = fresh;
		}
	}
	container_print_table(stdout, list, n, all);
	state_free_list(list, n);
	return 0;
}

static int cmd_logs(int argc, char **argv)
{
	bool follow = false;
	const char *ref = NULL;
	char id[TDG_ID_LEN + 1];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--follow") == 0)
			follow = true;
		else if (cli_is_help(argv[i])) {
			printf("Usage: tdg logs [-f] ID\n\nPrint what the container "
			       "wrote to stdout and stderr\n(-f, --follow: keep "
			       "printing until it exits).\n");
			return 0;
		} else if (argv[i][0] == '-' && cli_later_flag("logs", argv[i], TDG_DAY) != 0)
			die_context("logs");
		else if (argv[i][0] == '-')
			die("logs: unknown flag '%s'; usage: tdg logs [-f] ID", argv[i]);
		else if (!ref)
			ref = argv[i];
		else
			die("logs: usage: tdg logs [-f] ID");
	}
	if (!ref)
		die("logs: usage: tdg logs [-f] ID");
	if (state_find(ref, id) < 0 || logs_print(id, follow) < 0)
		return fail_report();
	return 0;
}

static int cmd_stop(int argc, char **argv)
{
	static const char usage_line[] = "usage: tdg stop [-t SECONDS] ID";
	int timeout = 10;
	char id[TDG_ID_LEN + 1], *end;
	int i = 1;
	if (argc == 2 && cli_is_help(argv[1])) {
		printf("Usage: tdg stop [-t SECONDS] ID\n\nSend SIGTERM to the "
		       "container's PID 1, wait up to SECONDS (default 10),\nthen "
		       "SIGKILL. Stopping an exited container is not an error.\n");
		return 0;
	}
	if (i < argc && (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--time") == 0)) {
		if (i + 1 >= argc)
			die("stop: flag %s needs a value; %s", argv[i], usage_line);
		errno = 0;
		long t = strtol(argv[i + 1], &end, 10);
		if (errno || end == argv[i + 1] || *end || t < 0 || t > 86400)
			die("stop: -t '%s': not a number of seconds (0-86400)", argv[i + 1]);
		timeout = (int)t;
		i += 2;
	}
	if (i < argc && argv[i][0] == '-')
		die("stop: unknown flag '%s'; %s", argv[i], usage_line);
	if (i + 1 != argc)
		die("stop: %s", usage_line);
	if (state_find(argv[i], id) < 0 || container_stop(id, timeout) < 0)
		return fail_report();
	printf("%s\n", argv[i]);
	return 0;
}

static int cmd_rm(int argc, char **argv)
{
	bool force = false;
	const char *ref = NULL;
	char id[TDG_ID_LEN + 1];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0)
			force = true;
		else if (cli_is_help(argv[i])) {
			printf("Usage: tdg rm [-f] ID\n\nRemove an exited container's "
			       "state (-f, --force: kill it first if it runs).\n");
			return 0;
		} else if (argv[i][0] == '-')
			die("rm: unknown flag '%s'; usage: tdg rm [-f] ID", argv[i]);
		else if (!ref)
			ref = argv[i];
		else
			die("rm: usage: tdg rm [-f] ID");
	}
	if (!ref)
		die("rm: usage: tdg rm [-f] ID");
	if (state_find(ref, id) < 0)
		return fail_report();
	/* LAB(06.3): remove container ID: refuse a running one unless -f (then
	 * stop it with no grace period), release what it still holds, remove
	 * its state; print REF.
	 * HINT: reconcile first (its watcher may be dead: "running" may be
	 * stale); discard and remove holding state_lock_all() (the lock order,
	 * state.h), so no other tdg sees a half-removed container
	 * STUB: fail_todo("06.3"); return fail_report(); */
	json_t *c = container_reconcile(id);
	bool running = c && strcmp(state_str(c, "status"), "running") == 0;
	json_decref(c);
	if (running && !force)
		die("rm: container %s is running; stop it first, or use rm -f", ref);
	if (running && container_stop(id, 0) < 0) /* Docker's rm -f: no grace period */
		return fail_report();
	int lock = state_lock_all();
	if (lock < 0)
		return fail_report();
	/* Its state, and anything it still holds: holding containers/, a
	 * release may take lease_lock (the lock order, state.h). */
	c = state_load(id);
	if (c)
		container_discard(c);
	json_decref(c);
	state_remove(id);
	state_unlock(lock);
	printf("%s\n", ref);
	return 0;
	/* END LAB */
}

static int cmd_inspect(int argc, char **argv)
{
	char id[TDG_ID_LEN + 1];
	if (argc == 2 && cli_is_help(argv[1])) {
		printf("Usage: tdg inspect ID\n\nPrint a container's metadata as JSON.\n");
		return 0;
	}
	if (argc != 2)
		die("inspect: usage: tdg inspect ID");
	if (state_find(argv[1], id) < 0)
		return fail_report();
	json_t *c = container_reconcile(id);
	if (!c)
		die("inspect: %s: %s; remove its folder (tdg rm %s, from day 06)", id,
		    errno == EINVAL ? "config.json is not valid tdg metadata"
				    : "no such container", id);
	json_dumpf(c, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TDG_EXIT_FAILED;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "ps") == 0)
		return cmd_ps(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (strcmp(argv[1], "logs") == 0)
		return cmd_logs(argc - 1, argv + 1);
	if (strcmp(argv[1], "stop") == 0)
		return cmd_stop(argc - 1, argv + 1);
	if (strcmp(argv[1], "rm") == 0)
		return cmd_rm(argc - 1, argv + 1);
	cli_not_here(argv[1], TDG_DAY);
	return fail_report();
}
