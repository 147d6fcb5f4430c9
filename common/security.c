/* security.c — see security.h.                                       (day 10) */
#include "security.h"
#include "caps.h"
#include "fail.h"
#include "mask.h"
#include "syscalls.h"

#include <sys/prctl.h>

int security_join(bool privileged)
{
	if (privileged)
		return 0;
	/* Before the filter: without CAP_SYS_ADMIN (gone next line), the
	 * kernel loads a filter only for a process with no_new_privs, so a
	 * setuid program cannot be started under a filter it does not
	 * expect. It is inherited and can never be unset. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail_with("no_new_privs: %m");
	if (caps_drop_to_default() != 0)
		return -1;
	return syscalls_filter();
}

int security_enter(bool privileged)
{
	if (!privileged && mask_paths() != 0)
		return -1;
	return security_join(privileged);
}
