/* test_seccomp_profile.c — unit tests for common/seccomp_profile.c, for
 * real: each profile that should load is loaded, in a forked child (a
 * filter can never be removed), and the child reports what its system
 * calls then return; each one tdg cannot honour is refused with a message
 * naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fail.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	return j;
}

/* Load PROFILE in a child, run PROBE there; the child's wait status. */
static int status_under(const char *profile, int (*probe)(void))
{
	json_t *j = parse(profile);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_profile(j, true) != 0)
			_exit(100);
		_exit(probe());
	}
	json_decref(j);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* What PROBE returns (an errno, or 0) under PROFILE. */
static int under(const char *profile, int (*probe)(void))
{
	int status = status_under(profile, probe);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A folder made before any filter (mkdtemp is a mkdir too). */
static char dir[] = "/tmp/tdg-unit-seccomp.XXXXXX";
static char sub[sizeof dir + 2];

static int try_mkdir(void)
{
	int rc = mkdir(sub, 0700) == 0 ? 0 : errno;
	rmdir(sub);
	return rc;
}

/* kill(self, 0) is denied by the rule on its second argument; kill(self,
 * SIGCONT) is not (the AND of args[] is on the signal only). */
static int try_kill(void)
{
	int zero = kill(getpid(), 0) == 0 ? 0 : errno;
	int cont = kill(getpid(), SIGCONT) == 0 ? 0 : errno;
	return zero == EDOM && cont == 0 ? 0 : zero ? zero : 98;
}

static void test_errno_of_a_rule_and_of_the_default(void **state)
{
	(void)state;
	assert_int_equal(under("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			       "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}",
			       try_mkdir),
			 EACCES);
	/* No errnoRet: EPERM. */
	assert_int_equal(under("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			       "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
			       try_mkdir),
			 EPERM);
	/* An allowlist without mkdir: the default action, with defaultErrnoRet. */
	assert_int_equal(under("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
			       "\"syscalls\": [{\"names\": [\"exit_group\", \"exit\", \"openat\", \"open\", "
			       "\"rmdir\", \"getrandom\", \"getpid\", \"write\", \"brk\", \"mmap\", "
			       "\"munmap\", \"fstat\", \"newfstatat\", \"getdents64\", \"close\", \"lseek\", "
			       /* what ASan's runtime calls on its own (make asan) */
			       "\"sigaltstack\", \"rt_sigaction\", \"rt_sigprocmask\", \"gettid\", "
			       "\"tgkill\", \"madvise\", \"mprotect\", \"futex\", \"sched_yield\", "
			       "\"prctl\", \"readlink\"], "
			       "\"action\": \"SCMP_ACT_ALLOW\"}]}",
			       try_mkdir),
			 ENOSYS);
	/* The profile's own architectures, a name libseccomp does not know. */
	assert_int_equal(under("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
			       "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": "
			       "[{\"names\": [\"nosuchcall\", \"mkdir\", \"mkdirat\"], \"action\": "
			       "\"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
			       try_mkdir),
			 EPERM);
}

/* SCMP_ACT_KILL is 0 in libseccomp: still an action. */
static void test_kill(void **state)
{
	(void)state;
	int status = status_under("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
				  "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_KILL\"}]}",
				  try_mkdir);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void test_arguments(void **state)
{
	(void)state;
	assert_int_equal(under("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			       "[\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33, \"args\": "
			       "[{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
			       try_kill),
			 0);
}

static void refused(const char *profile, const char *msg)
{
	json_t *j = parse(profile);
	fail_last.msg[0] = '\0';
	assert_int_equal(seccomp_profile(j, false), -1);
	assert_string_equal(fail_last.msg, msg);
	json_decref(j);
}

static void test_what_tdg_cannot_honour_is_named(void **state)
{
	(void)state;
	refused("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
		"config.json: linux.seccomp.defaultAction 'SCMP_ACT_NOTIFY': not supported by tdg");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/x.sock\"}",
		"config.json: linux.seccomp.listenerPath: not supported by tdg");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}",
		"config.json: linux.seccomp.flags: not supported by tdg");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
		"config.json: linux.seccomp.architectures[0] 'SCMP_ARCH_VAX': not known to libseccomp");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 0, \"op\": "
		"\"SCMP_CMP_EQ\"}]}]}",
		"config.json: linux.seccomp.syscalls[0].args[0].index: not 0 to 5");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": -1.5, \"op\": "
		"\"SCMP_CMP_EQ\"}]}]}",
		"config.json: linux.seccomp.syscalls[0].args[0]: a value that is not a 64-bit number");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"kill\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}",
		"config.json: linux.seccomp.syscalls[0].includes: not supported by tdg");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(sub, sizeof sub, "%s/d", dir);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_of_a_rule_and_of_the_default),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_what_tdg_cannot_honour_is_named),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(sub);
	rmdir(dir);
	return failed;
}
