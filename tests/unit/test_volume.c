/* test_volume.c — unit tests for common/volume.c: the -v HOST:CTR[:ro] spec.
 *
 * The forms users type come back with HOST resolved and CTR relative to the
 * container's root; every malformed spec is refused with the reason the
 * day 10 tests look for. Found by the fuzzer's invariant (tests/fuzz): a
 * CTR with ".." ("/../../etc") was joined to the root folder as it was, so
 * the child's mkdir -p and bind mount landed outside the container, on the
 * host; "/." and "//" were "/" itself. HOST is /tmp, which exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "volume.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void accepted(const char *spec, const char *ctr, bool ro)
{
	struct volume v;
	if (volume_parse(spec, &v) != 0)
		fail_msg("\"%s\" refused: %s", spec, fail_last.msg);
	if (strcmp(v.host, "/tmp") != 0 || strcmp(v.ctr, ctr) != 0 || v.ro != ro)
		fail_msg("\"%s\" gave %s on %s (%s), not %s", spec, v.host, v.ctr,
			 v.ro ? "ro" : "rw", ctr);
	volume_free(&v);
}

static void refused(const char *spec, const char *reason)
{
	struct volume v;
	fail_last.msg[0] = '\0';
	if (volume_parse(spec, &v) == 0)
		fail_msg("\"%s\" accepted as %s on %s", spec, v.host, v.ctr);
	if (strstr(fail_last.msg, reason) == NULL)
		fail_msg("\"%s\" refused with \"%s\", not \"%s\"", spec, fail_last.msg, reason);
	assert_null(v.host);
	assert_null(v.ctr);
}

static void test_accepted(void **state)
{
	(void)state;
	accepted("/tmp:/data", "data", false);
	accepted("/tmp:/data:ro", "data", true);
	accepted("/tmp:/data:rw", "data", false);
	accepted("/tmp/:/a/b/c", "a/b/c", false);
	accepted("/tmp/../tmp:/x", "x", false); /* HOST may have "..": it is resolved */
	accepted("/tmp:/data/", "data", false);
	accepted("/tmp://a//b/", "a/b", false);
	accepted("/tmp:/./a/./b", "a/b", false);
	accepted("/tmp:/a..b/...", "a..b/...", false); /* only ".." itself climbs */
}

static void test_refused(void **state)
{
	(void)state;
	refused("nocolon", "not HOST:CTR[:ro]");
	refused(":/data", "not HOST:CTR[:ro]");
	refused("", "not HOST:CTR[:ro]");
	refused("/tmp:/data:xx", "the mode must be ro or rw");
	refused("/tmp:/data:", "the mode must be ro or rw");
	refused("/tmp:/data:ro:ro", "the mode must be ro or rw");
	refused("/tmp:/data:rorororororo", "the mode must be ro or rw");
	refused("/tmp:relative", "CTR must be an absolute path other than /");
	refused("/tmp:", "CTR must be an absolute path other than /");
	refused("/tmp:/", "CTR must be an absolute path other than /");
	refused("/tmp:/:ro", "CTR must be an absolute path other than /");
	refused("/nonexistent-tdg-unit:/data", "/nonexistent-tdg-unit: No such file or directory");
}

/* The bug: each of these escaped the root folder, or was the root itself. */
static void test_ctr_stays_inside(void **state)
{
	(void)state;
	refused("/tmp:/..", "must not contain '..'");
	refused("/tmp:/../../../etc", "must not contain '..'");
	refused("/tmp:/data/../../x", "must not contain '..'");
	refused("/tmp:/data/..", "must not contain '..'");
	refused("/tmp:/.", "CTR must be an absolute path other than /");
	refused("/tmp://", "CTR must be an absolute path other than /");
	refused("/tmp:/././/.", "CTR must be an absolute path other than /");
}

static void test_host_too_long(void **state)
{
	(void)state;
	char *spec = malloc(PATH_MAX + 16);
	assert_non_null(spec);
	memset(spec, 'a', PATH_MAX + 5);
	strcpy(spec + PATH_MAX + 5, ":/data");
	refused(spec, "not HOST:CTR[:ro]");
	free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ctr_stays_inside),
		cmocka_unit_test(test_host_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
