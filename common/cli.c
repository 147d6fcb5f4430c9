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
	{"import", 10}, {"setup", 10}, {"prune", 10}, {"container", 10},
	{"pull", 10},  {"images", 10}, {"rmi", 10}, /* images: docs/day-by-day/day10-images.md */
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

/* The flags a later day adds to a command an earlier day has. */
static const struct {
	const char *cmd, *flags; /* FLAGS: " -a --all " */
	int day;
} later_flags[] = {
	{"run", " --hostname ", 2},
	{"run", " --rootfs ", 3},
	{"run", " --name ", 4},
	{"run", " -d --detach ", 5},
	{"run", " --memory --cpus --pids-limit ", 7},
	{"run", " --net ", 8},
	{"run", " -e --env -w --workdir -v --volume -p --publish -i --interactive -t --tty "
		"--read-only --init --privileged --userns --rm -u --user --env-file ", 10},
	{"ps", " -q --quiet -f --filter ", 10},
	{"logs", " -n --tail -t --timestamps --since ", 10},
};

int cli_later_flag(const char *cmd, const char *flag, int this_day)
{
	char word[64];
	/* "--tail=5" is the flag --tail. */
	int n = snprintf(word, sizeof word, " %.*s ", (int)strcspn(flag, "="), flag);
	if (n <= 2 || n >= (int)sizeof word)
		return 0;
	for (size_t i = 0; i < sizeof later_flags / sizeof later_flags[0]; i++)
		if (later_flags[i].day > this_day && strcmp(later_flags[i].cmd, cmd) == 0 &&
		    strstr(later_flags[i].flags, word))
			return fail_with("%.*s: arrives on day %02d (%s); this is the day %02d "
					 "runtime", n - 2, word + 1, later_flags[i].day,
					 cli_day_folder(later_flags[i].day), this_day);
	return 0;
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
