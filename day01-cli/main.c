/* tdg, day 01 — the command line.
 *
 * `tdg run CMD [ARG...]` starts CMD as a child process, waits for it and
 * exits with its status. Nothing is isolated yet: this is the skeleton every
 * later day grows (parse, start a child, wait, report), and the contract's
 * rules for errors and exit statuses. Read from main() upwards. */
#include "cli.h"
#include "fail.h"
#include "signals.h"
#include "spawn.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TDG_DAY 1

struct run_options {
	char **command; /* CMD and its arguments, untouched */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tdg COMMAND [ARG...]\n"
		"\n"
		"tdg day %02d (%s): run a command as a child process.\n"
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
		"  -h, --help            this text\n");
}

static void parse_run(int argc, char **argv, struct run_options *o)
{
	static const struct option flags[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* "+": stop at the first non-flag, so CMD's own flags stay CMD's.
	 * ":": report a missing value as ':' instead of printing for us. */
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", flags, NULL)) != -1) {
		switch (c) {
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
	o->command = optind < argc ? &argv[optind] : shell;
}

static int cmd_run(int argc, char **argv)
{
	struct run_options o = {0};
	parse_run(argc, argv, &o);

	/* Block signals before the child exists: one arriving between fork and
	 * the wait loop would otherwise kill tdg and orphan the command. */
	if (signals_block() < 0)
		return fail_report();
	/* LAB(01.1): start the command as a child process: fork; the child
	 * sets up its signals (signals_child_setup) and becomes the command
	 * (spawn_exec); the parent waits, forwarding signals, and returns the
	 * child's end as tdg's exit status (signals_wait_forwarding, spawn_exit_status).
	 * HINT: man 2 fork: it returns twice (0 in the child, the child's pid in
	 * the parent); flush stdio first, or the child inherits tdg's unwritten
	 * buffer and prints it a second time.
	 * STUB: fail_todo("01.1"); return fail_report(); */
	fflush(NULL); /* or the child would print tdg's unflushed output too */
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		signals_child_setup();
		spawn_exec(o.command);
	}
	return spawn_exit_status(signals_wait_forwarding(pid));
	/* END LAB */
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
