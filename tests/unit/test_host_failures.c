/* test_host_failures.c — failure paths of the modules that talk to the
 * host (iptables, netlink, the watcher's files, doctor's flags, the
 * capability sets), which used to end tdg with exit(125) from inside the
 * library. Each now returns -1 with the reason recorded (fail.h), so the
 * test calls it in this very process and reads the reason: no fork.
 * Every case is made to fail without changing the host: a PATH with no
 * iptables, a link that does not exist, a state folder that does not
 * exist, a bad flag, CAP_SETPCAP taken out of our effective set (and put
 * back) — never a rule, a link or a mount made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "caps.h"
#include "doctor.h"
#include "fail.h"
#include "nat.h"
#include "spawn.h"
#include "netlink.h"
#include "watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

static char *saved_path;

static int keep_path(void **state)
{
	(void)state;
	const char *p = getenv("PATH");
	saved_path = p ? strdup(p) : NULL;
	return 0;
}

static int restore_path(void **state)
{
	(void)state;
	if (saved_path)
		setenv("PATH", saved_path, 1);
	free(saved_path);
	return 0;
}

/* nat.c: without iptables, setting up NAT is one recorded line, not an
 * exit; spawn_capture() reports the missing program as 127. */
static void test_nat_without_iptables(void **state)
{
	(void)state;
	setenv("PATH", "/nonexistent-tdg-test", 1);
	fail_last.msg[0] = '\0';
	assert_int_equal(nat_setup("tdgtest0", "10.254.0.0/24"), -1);
	assert_string_equal(fail_last.msg, "iptables is not installed; apt-get install iptables");
	assert_true(fail_last.host); /* day 10 adds "'tdg doctor' checks this host" */
	char *argv[] = {"iptables", "-S", NULL};
	assert_int_equal(spawn_capture(argv, NULL, NULL, 0), 127);
}

/* netlink.c: a link that is not there is -1 with errno, like a system
 * call (its callers put the words around it). */
static void test_netlink_missing_link(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(netlink_link_up("tdgnosuch0"), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(netlink_link_delete("tdgnosuch0") == 0 || errno == ENODEV, 1);
	/* A bridge that is gone (another tdg removed it): -1, not a crash in
	 * libnl's veth release (ASan found that one). */
	assert_int_equal(netlink_veth_create("tdgunit0", "tdgnosuchbr0", "eth0",
						(struct in_addr){0}, getpid()), -1);
	assert_int_equal(system("ip link show tdgunit0 >/dev/null 2>&1"), 256);
}

/* watcher.c: a container whose state folder is gone cannot get a log:
 * -1, the reason, and no fd of ours left open. */
static void test_watcher_without_state_folder(void **state)
{
	(void)state;
	char root[] = "/tmp/tdg-unit-XXXXXX";
	assert_non_null(mkdtemp(root));
	setenv("TDG_ROOT", root, 1);
	json_t *c = json_pack("{s:s}", "id", "0123456789ab");
	int before = open("/dev/null", O_RDONLY); /* the next free fd number */
	close(before);
	struct watcher w;
	fail_last.msg[0] = '\0';
	assert_int_equal(watcher_prepare(&w, c, true, true), -1);
	assert_non_null(strstr(fail_last.msg, "container.log"));
	assert_non_null(strstr(fail_last.msg, "No such file or directory"));
	int after = open("/dev/null", O_RDONLY);
	assert_int_equal(after, before); /* nothing leaked */
	close(after);
	json_decref(c);
	rmdir(root);
	unsetenv("TDG_ROOT");
}

/* doctor.c: a bad flag is the usage line, returned. */
static void test_doctor_bad_flag(void **state)
{
	(void)state;
	char *argv[] = {"doctor", "--bogus", NULL};
	fail_last.msg[0] = '\0';
	assert_int_equal(doctor_main(2, argv, "/sys/fs/cgroup"), -1);
	assert_non_null(strstr(fail_last.msg, "doctor: unknown flag '--bogus'"));
}

/* caps.c: without CAP_SETPCAP in our effective set the bounding set
 * cannot shrink: -1 and the reason, and our own sets are as they were
 * (the failure happened before anything was dropped). */
static void test_caps_without_setpcap(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	cap_t before = cap_get_proc();
	cap_t less = cap_dup(before);
	cap_value_t v = CAP_SETPCAP;
	assert_int_equal(cap_set_flag(less, CAP_EFFECTIVE, 1, &v, CAP_CLEAR), 0);
	assert_int_equal(cap_set_proc(less), 0);
	fail_last.msg[0] = '\0';
	assert_int_equal(caps_drop_to_default(), -1);
	assert_string_equal(fail_last.msg, "capabilities: drop cap_dac_read_search from "
					   "the bounding set: Operation not permitted");
	assert_int_equal(cap_set_proc(before), 0); /* back as we were */
	assert_int_equal(prctl(PR_CAPBSET_READ, CAP_SETPCAP), 1);
	cap_free(less);
	cap_free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nat_without_iptables, keep_path, restore_path),
		cmocka_unit_test(test_netlink_missing_link),
		cmocka_unit_test(test_watcher_without_state_folder),
		cmocka_unit_test(test_doctor_bad_flag),
		cmocka_unit_test(test_caps_without_setpcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
