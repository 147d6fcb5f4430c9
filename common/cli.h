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

/* FLAG (as typed: "--rm", "-u", "--tail=5"), unknown to CMD on THIS_DAY:
 * if a later day brings it, record "FLAG: arrives on day NN (folder);
 * this is the day MM runtime" and return -1 (main() then dies with the
 * command's name in front: die_context("run")); else 0, and it is just
 * an unknown flag. */
int cli_later_flag(const char *cmd, const char *flag, int this_day);

/* True for -h, --help and help. */
bool cli_is_help(const char *arg);

/* After getopt_long() returned '?': the unknown flag, for the error line
 * (getopt keeps only the letter of a short flag, and nothing of a long one
 * but its position). */
const char *cli_bad_flag(char **argv, int optind, int optopt);

#endif
