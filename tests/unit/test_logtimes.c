/* test_logtimes.c — unit tests for common/logtimes.c and the day 10 parts
 * of common/logs.c: a container's log times, read back; `logs --since`.
 *
 * The writer notes each chunk's offset before appending it, so a reader
 * finds the time of any byte it can see; the times only grow, so the
 * first chunk since a time is where `--since` starts. Runs in a TDG_ROOT
 * of its own under /tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "logs.h"
#include "logtimes.h"
#include "state.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/tdg-unit-logtimes.XXXXXX";
static const char *id = "0123456789ab";

static int setup(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	if (!mkdtemp(root))
		return -1;
	setenv("TDG_ROOT", root, 1);
	snprintf(dir, sizeof dir, "%s/containers", root);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/containers/%s", root, id);
	return mkdir(dir, 0700);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	return system(cmd);
}

static void append(int times, int log, const char *chunk)
{
	logtimes_note(times, log);
	assert_int_equal(write(log, chunk, strlen(chunk)), (ssize_t)strlen(chunk));
}

static void test_each_chunk_has_its_offset_and_time(void **state)
{
	(void)state;
	char path[PATH_MAX];
	struct logtimes lt;
	struct timespec before, t;
	assert_int_equal(logtimes_open(id, &lt), 1); /* none yet: a day 05 log */
	state_path(path, sizeof path, id, "container.log");
	int log = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	int times = logtimes_create(id);
	assert_true(log >= 0 && times >= 0);
	clock_gettime(CLOCK_REALTIME, &before);
	append(times, log, "one\n");
	dprintf(log, "a watcher's own warning\n"); /* no time of its own */
	append(times, log, "two\nthree");

	assert_int_equal(logtimes_open(id, &lt), 0);
	assert_int_equal(lt.n, 2);
	assert_int_equal(lt.v[0].off, 0);
	assert_int_equal(lt.v[1].off, 4 + 24);
	assert_true(lt.v[0].at.tv_sec >= before.tv_sec);
	/* A byte is as old as the chunk it came in; the warning takes the
	 * time of the chunk before it. */
	t = logtimes_at(&lt, 10);
	assert_true(t.tv_sec == lt.v[0].at.tv_sec && t.tv_nsec == lt.v[0].at.tv_nsec);
	t = logtimes_at(&lt, 30);
	assert_true(t.tv_sec == lt.v[1].at.tv_sec && t.tv_nsec == lt.v[1].at.tv_nsec);
	/* The first chunk at or after a time: where --since starts. */
	assert_int_equal(logtimes_first_since(&lt, lt.v[1].at, 100), 28);
	assert_int_equal(logtimes_first_since(&lt, (struct timespec){0}, 100), 0);
	assert_int_equal(logtimes_first_since(&lt, (struct timespec){lt.v[1].at.tv_sec + 1, 0}, 100),
			 100);

	/* logs -f: what the watcher adds later is read on the next refresh. */
	append(times, log, "four\n");
	logtimes_refresh(&lt);
	assert_int_equal(lt.n, 3);
	logtimes_close(&lt);
	close(times);
	close(log);
}

static void test_since_accepts_times_and_durations(void **state)
{
	(void)state;
	struct timespec t, now;
	assert_int_equal(logs_parse_since("2026-12-04T10:00:00Z", &t), 0);
	assert_int_equal(t.tv_sec, 1796378400);
	assert_int_equal(t.tv_nsec, 0);
	assert_int_equal(logs_parse_since("2026-12-04T11:00:00.5+01:00", &t), 0);
	assert_int_equal(t.tv_sec, 1796378400);
	assert_int_equal(t.tv_nsec, 500000000);
	assert_int_equal(logs_parse_since("1796378400.25", &t), 0);
	assert_int_equal(t.tv_sec, 1796378400);
	assert_int_equal(t.tv_nsec, 250000000);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_int_equal(logs_parse_since("1h30m", &t), 0);
	assert_true(now.tv_sec - t.tv_sec >= 5399 && now.tv_sec - t.tv_sec <= 5401);
	assert_int_equal(logs_parse_since("250ms", &t), 0);
	assert_true(now.tv_sec - t.tv_sec <= 1);
}

static void test_since_refuses_with_a_reason(void **state)
{
	(void)state;
	struct timespec t;
	const char *bad[] = {"", "yesterday", "-5s", "5 s", "5d", "1e400s", "inf",
			     "2026-12-04T10:00:00", "2026-12-04T10:00:00Zjunk", "1969-12-31T23:00:00Z",
			     NULL};
	for (int i = 0; bad[i]; i++) {
		fail_last.msg[0] = '\0';
		if (logs_parse_since(bad[i], &t) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		if (!fail_last.msg[0])
			fail_msg("\"%s\" refused without a reason", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_chunk_has_its_offset_and_time),
		cmocka_unit_test(test_since_accepts_times_and_durations),
		cmocka_unit_test(test_since_refuses_with_a_reason),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
