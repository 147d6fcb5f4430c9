/* test_cli.c — unit tests for common/cli.c, the command table of the contract.
 *
 * Every day's main() asks cli_command_day() whether a command exists and
 * cli_not_here() to refuse one politely, so these tests pin the contract's
 * table: each command with the day that brings it, and unknown words
 * (including "" and a wrong case, since matching must be exact). The day
 * folder table is checked at its edges (0, 1, 10, 11), where an off-by-one
 * would read outside the array. cli_not_here() records the one exact line
 * main() reports (and returns -1): no fork needed, it never exits.
 * cli_bad_flag() is checked with a real getopt_long() run, as main() uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli.h"
#include "fail.h"

#include <getopt.h>

static void test_contract_commands_and_their_day(void **state)
{
	(void)state;
	assert_int_equal(cli_command_day("run"), 1);
	assert_int_equal(cli_command_day("ps"), 4);
	assert_int_equal(cli_command_day("inspect"), 4);
	assert_int_equal(cli_command_day("logs"), 5);
	assert_int_equal(cli_command_day("stop"), 6);
	assert_int_equal(cli_command_day("rm"), 6);
	assert_int_equal(cli_command_day("exec"), 10);
	assert_int_equal(cli_command_day("doctor"), 10);
	assert_int_equal(cli_command_day("import"), 10);
	assert_int_equal(cli_command_day("setup"), 10);
}

static void test_unknown_commands_are_day_0(void **state)
{
	(void)state;
	assert_int_equal(cli_command_day("bogus"), 0);
	assert_int_equal(cli_command_day(""), 0);
	assert_int_equal(cli_command_day("RUN"), 0); /* exact match, no case folding */
	assert_int_equal(cli_command_day("ru"), 0);  /* no prefixes either */
	assert_int_equal(cli_command_day("runx"), 0);
}

static void test_day_folder_bounds(void **state)
{
	(void)state;
	assert_null(cli_day_folder(0));
	assert_string_equal(cli_day_folder(1), "day01-cli");
	assert_string_equal(cli_day_folder(4), "day04-metadata");
	assert_string_equal(cli_day_folder(10), "day10-final");
	assert_null(cli_day_folder(11));
	assert_null(cli_day_folder(-1));
}

static void test_is_help(void **state)
{
	(void)state;
	assert_true(cli_is_help("-h"));
	assert_true(cli_is_help("--help"));
	assert_true(cli_is_help("help"));
	assert_false(cli_is_help(""));
	assert_false(cli_is_help("-help"));
	assert_false(cli_is_help("--HELP"));
	assert_false(cli_is_help("run"));
}

/* cli_not_here() must return -1 with exactly the reason LINE recorded. */
static void expect_not_here(const char *cmd, int this_day, const char *line)
{
	fail_last.msg[0] = '\0';
	assert_int_equal(cli_not_here(cmd, this_day), -1);
	assert_string_equal(fail_last.msg, line);
}

static void test_not_here_names_the_day_that_brings_it(void **state)
{
	(void)state;
	expect_not_here("ps", 1,
			"ps: arrives on day 04 (day04-metadata); this is the day 01 runtime");
	expect_not_here("exec", 3,
			"exec: arrives on day 10 (day10-final); this is the day 03 runtime");
}

static void test_not_here_unknown_command(void **state)
{
	(void)state;
	expect_not_here("bogus", 2, "'bogus' is not a tdg command; see 'tdg --help'");
	expect_not_here("RUN", 1, "'RUN' is not a tdg command; see 'tdg --help'");
}

/* Parse ARGV as day01's parse_run() does; return the flag cli_bad_flag()
 * names for the first '?' (or NULL if getopt found no bad flag). */
static const char *bad_flag_in(int argc, char **argv)
{
	static const struct option flags[] = {
		{"help", no_argument, NULL, 'h'},
		{"hostname", required_argument, NULL, 'H'},
		{0},
	};
	int c;
	opterr = 0;
	optind = 0; /* 0, not 1: also resets getopt's state from a previous parse */
	while ((c = getopt_long(argc, argv, "+:h", flags, NULL)) != -1)
		if (c == '?')
			return cli_bad_flag(argv, optind, optopt);
	return NULL;
}

static void test_bad_flag_names_the_flag_as_typed(void **state)
{
	(void)state;
	char *short_flag[] = {"run", "-x", "true", NULL};
	char *in_a_bundle[] = {"run", "-hx", "true", NULL};
	char *long_flag[] = {"run", "--bogus", "true", NULL};
	char *fine[] = {"run", "-h", "true", NULL};

	assert_string_equal(bad_flag_in(3, short_flag), "-x");
	assert_string_equal(bad_flag_in(3, long_flag), "--bogus");
	assert_null(bad_flag_in(3, fine));
	/* -h is fine, so the bad one in "-hx" is the x. */
	assert_string_equal(bad_flag_in(3, in_a_bundle), "-x");
}

/* A flag of a later day names that day; a flag of no day, or of this
 * day or an earlier one, is just unknown (0, nothing recorded). */
static void test_later_flag_names_its_day(void **state)
{
	(void)state;
	fail_last.msg[0] = '\0';
	assert_int_equal(cli_later_flag("run", "--rm", 9), -1);
	assert_string_equal(fail_last.msg,
			    "--rm: arrives on day 10 (day10-final); this is the day 09 runtime");
	assert_int_equal(cli_later_flag("logs", "--tail=5", 5), -1);
	assert_string_equal(fail_last.msg,
			    "--tail: arrives on day 10 (day10-final); this is the day 05 runtime");
	assert_int_equal(cli_later_flag("run", "--memory", 3), -1);
	assert_string_equal(fail_last.msg,
			    "--memory: arrives on day 07 (day07-cgroups); this is the day 03 runtime");
	fail_last.msg[0] = '\0';
	assert_int_equal(cli_later_flag("run", "--memory", 7), 0);
	assert_int_equal(cli_later_flag("run", "--bogus", 1), 0);
	assert_int_equal(cli_later_flag("run", "-", 1), 0);
	assert_int_equal(cli_later_flag("ps", "--rm", 4), 0); /* run's, not ps's */
	assert_string_equal(fail_last.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract_commands_and_their_day),
		cmocka_unit_test(test_unknown_commands_are_day_0),
		cmocka_unit_test(test_day_folder_bounds),
		cmocka_unit_test(test_is_help),
		cmocka_unit_test(test_not_here_names_the_day_that_brings_it),
		cmocka_unit_test(test_not_here_unknown_command),
		cmocka_unit_test(test_later_flag_names_its_day),
		cmocka_unit_test(test_bad_flag_names_the_flag_as_typed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
