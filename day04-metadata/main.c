/* tdg, day 04 — ids and metadata.
 *
 * Every `tdg run` is now a container with an id (and an optional --name),
 * recorded in $TDG_ROOT/containers/<id>/config.json as it is created, starts
 * and exits. `tdg ps` lists them and `tdg inspect` prints one, always telling
 * the truth about whether its process still runs. Read from main() upwards. */
#include "cli.h"
#include "container.h"
#include "fail.h"
#include "id.h"
#include "ns.h"
#include "rootfs.h"
#include "signals.h"
#include "spawn.h"
#include "state.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TDG_DAY 4

struct run_options {
	const char *name;     /* --name, or NULL */
	const char *hostname; /* inside the container (default: the id) */
	char rootfs[PATH_MAX]; /* absolute path of the container's / */
	char **command;	      /* CMD and its arguments, untouched */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg COMMAND [ARG...]\n"
		"\n"
		"tdg day %02d (%s): containers with ids, metadata, ps and inspect.\n"
		"\n"
		"Commands:\n"
		"  run [flags] CMD [ARG...]   run CMD and exit with its status\n"
		"  ps [-a]                    list running containers (-a: all)\n"
		"  inspect ID                 print a container's metadata (JSON)\n"
		"\n"
		"ID is a full id, a unique prefix of one, or a --name.\n"
		"Later days add: logs (05), stop, rm (06),\n"
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
		"      --hostname H      hostname inside the container (default: its id)\n"
		"  -h, --help            this text\n");
}

static void parse_run(int argc, char **argv, struct run_options *o)
{
	static const struct option flags[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"hostname", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* "+": stop at the first non-flag, so CMD's own flags stay CMD's.
	 * ":": report a missing value as ':' instead of printing for us. */
	const char *rootfs = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", flags, NULL)) != -1) {
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
	/* It holds nothing to release. Its stderr is tdg's, so it prints the
	 * one line itself; tdg passes the 125 on as its own status. */
	fail_report();
	_exit(TDG_EXIT_FAILED);
}

/* Acquire in order; on failure, `goto fail` releases in reverse what was
 * acquired (the fail: ladder at the end) and reports the one line. */
static int cmd_run(int argc, char **argv)
{
	struct run_options o = {0};
	pid_t pid = -1;
	parse_run(argc, argv, &o);
	json_t *c = container_new(o.command, o.name, o.hostname, o.rootfs);
	if (!c)
		return fail_report();
	o.hostname = state_str(c, "hostname");

	/* Block signals before the child exists: one arriving between clone and
	 * the wait loop would otherwise kill tdg and orphan the command. */
	if (signals_block() < 0)
		goto fail;
	fflush(NULL); /* or the child would print tdg's unflushed output too */
	pid = ns_clone(container_main, &o, TDG_NAMESPACES);
	if (pid < 0 || container_started(c, pid) < 0)
		goto fail;
	/* It runs: from now on its end is recorded, whatever happens. */
	int status = spawn_exit_status(signals_wait_forwarding(pid));
	container_exited(c, status);
	json_decref(c);
	return status;

fail: /* until it runs: no half-made container */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
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
	cli_not_here(argv[1], TDG_DAY);
	return fail_report();
}
