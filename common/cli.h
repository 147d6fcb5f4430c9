/* cli.h — what every day's command line shares.                     (day 01)
 *
 * Each day's main.c parses its own flags (that is part of the lesson), but
 * the list of commands and the day that brings each one is the contract's,
 * so it lives here once: a day that does not have a command yet says which
 * day brings it instead of pretending it does not exist. */
#ifndef TDG_CLI_H
#define TDG_CLI_H

#include <stdbool.h>

/* The day (1..10) that introduces CMD, or 0 if tdg never has it. */
int cli_command_day(const char *cmd);

/* The folder of that day, e.g. "day04-metadata", or NULL. */
const char *cli_day_folder(int day);

/* For a command this day does not have: record the line naming the day
 * that brings it (or saying it is unknown) and return -1; main() then
 * ends with `return fail_report();` (125). */
int cli_not_here(const char *cmd, int this_day);

/* True for -h, --help and help. */
bool cli_is_help(const char *arg);

/* After getopt_long() returned '?': the unknown flag, for the error line
 * (getopt keeps only the letter of a short flag, and nothing of a long one
 * but its position). */
const char *cli_bad_flag(char **argv, int optind, int optopt);

/* The day (1..10) that brings `run`'s flag FLAG ("--restart", or
 * "--restart=x"), for the flags of day 10's later additions; 0 for any
 * other flag. */
int cli_run_flag_day(const char *flag);

/* After getopt_long() returned '?' in a day's `run`, before it holds
 * anything: one line and exit 125. A flag a later day brings says so
 * ("run: --restart arrives on day 10 (day10-final); this is the day 07
 * runtime"), any other is unknown ("run: unknown flag '-x'; see 'tdg run
 * --help'"). */
_Noreturn void cli_run_bad_flag(char **argv, int optind, int optopt, int this_day);

#endif
