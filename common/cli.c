/* cli.c — see cli.h.                                                 (day 01) */
#include "cli.h"
#include "fail.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *cmd;
	int day;
} commands[] = {
	{"run", 1},    {"ps", 4},	{"inspect", 4}, {"logs", 5},
	{"stop", 6},   {"rm", 6},	{"exec", 10},	{"doctor", 10},
	{"import", 10}, {"setup", 10},	{"stats", 10},	{"top", 10},
};

static const char *folders[] = {
	NULL,	       "day01-cli",	"day02-namespaces", "day03-rootfs",
	"day04-metadata", "day05-logs", "day06-stop",	   "day07-cgroups",
	"day08-netns", "day09-bridge", "day10-final",
};

int cli_command_day(const char *cmd)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].cmd) == 0)
			return commands[i].day;
	return 0;
}

const char *cli_day_folder(int day)
{
	return day >= 1 && day <= 10 ? folders[day] : NULL;
}

int cli_not_here(const char *cmd, int this_day)
{
	int day = cli_command_day(cmd);
	if (day == 0)
		return fail_with("'%s' is not a tdg command; see 'tdg --help'", cmd);
	return fail_with("%s: arrives on day %02d (%s); this is the day %02d runtime",
			 cmd, day, cli_day_folder(day), this_day);
}

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 ||
	       strcmp(arg, "help") == 0;
}

const char *cli_bad_flag(char **argv, int optind, int optopt)
{
	static char shortflag[3] = "-?";
	/* A long flag given a value it does not take ("--help=x") also sets
	 * optopt (to its short letter): name the word the user typed. */
	if (strncmp(argv[optind - 1], "--", 2) == 0)
		return argv[optind - 1];
	if (optopt > 0 && optopt < 256) { /* a short flag: only its letter was kept */
		shortflag[1] = (char)optopt;
		return shortflag;
	}
	return argv[optind - 1]; /* a long flag: the whole word */
}

/* `run`'s flags that come after the day a student's runtime may be at;
 * the earlier flags are each day's own lesson and say nothing of this. */
static const struct {
	const char *flag;
	int day;
} later_run_flags[] = {
	{"--restart", 10},
};

int cli_run_flag_day(const char *flag)
{
	size_t len = strcspn(flag, "=");
	for (size_t i = 0; i < sizeof later_run_flags / sizeof later_run_flags[0]; i++)
		if (strlen(later_run_flags[i].flag) == len &&
		    strncmp(flag, later_run_flags[i].flag, len) == 0)
			return later_run_flags[i].day;
	return 0;
}

void cli_run_bad_flag(char **argv, int optind, int optopt, int this_day)
{
	const char *flag = cli_bad_flag(argv, optind, optopt);
	int day = cli_run_flag_day(flag);
	if (day > this_day)
		die("run: %.*s arrives on day %02d (%s); this is the day %02d runtime",
		    (int)strcspn(flag, "="), flag, day, cli_day_folder(day), this_day);
	die("run: unknown flag '%s'; see 'tdg run --help'", flag);
}
