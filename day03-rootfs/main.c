/* tdg, day 03 — a root filesystem of its own.
 *
 * `tdg run --rootfs DIR CMD [ARG...]` starts CMD in new namespaces (day 02)
 * with DIR as its `/`: pivot_root into it, a fresh /proc, a minimal /dev, a
 * read-only /sys, and the host's root detached, so no host path is left to
 * see. Without --rootfs, DIR is the rootfs/busybox that `make rootfs` builds
 * next to the days. Read from main() upwards. */
#include "cli.h"
#include "fail.h"
#include "ns.h"
#include "rootfs.h"
#include "signals.h"
#include "spawn.h"

#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TDG_DAY 3

struct run_options {
	const char *hostname; /* inside the container */
	char rootfs[PATH_MAX]; /* absolute path of the container's / */
	char **command;	      /* CMD and its arguments, untouched */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg COMMAND [ARG...]\n"
		"\n"
		"tdg day %02d (%s): run a command in its own namespaces and root.\n"
		"\n"
		"Commands:\n"
		"  run [flags] CMD [ARG...]   run CMD and exit with its status\n"
		"\n"
		"Later days add: ps, inspect (04), logs (05), stop, rm (06),\n"
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
		"      --hostname H      hostname inside the container (default: container)\n"
		"  -h, --help            this text\n");
}

static void parse_run(int argc, char **argv, struct run_options *o)
{
	static const struct option flags[] = {
		{"rootfs", required_argument, NULL, 'r'},
		{"hostname", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* "+": stop at the first non-flag, so CMD's own flags stay CMD's.
	 * ":": report a missing value as ':' instead of printing for us. */
	const char *rootfs = NULL;
	int c;
	opterr = 0;
	o->hostname = "container";
	while ((c = getopt_long(argc, argv, "+:h", flags, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootfs = optarg;
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

static int cmd_run(int argc, char **argv)
{
	struct run_options o = {0};
	parse_run(argc, argv, &o);

	/* Block signals before the child exists: one arriving between clone and
	 * the wait loop would otherwise kill tdg and orphan the command. */
	if (signals_block() < 0)
		return fail_report();
	fflush(NULL); /* or the child would print tdg's unflushed output too */
	pid_t pid = ns_clone(container_main, &o, TDG_NAMESPACES);
	if (pid < 0)
		return fail_report();
	return spawn_exit_status(signals_wait_forwarding(pid));
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
	cli_not_here(argv[1], TDG_DAY);
	return fail_report();
}
