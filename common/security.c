/* security.c — see security.h.                                       (day 10) */
#include "security.h"
#include "caps.h"
#include "fail.h"
#include "mask.h"
#include "syscalls.h"

#include <sys/prctl.h>

void security_join(bool privileged)
{
	if (privileged)
		return;
	/* Before the filter: without CAP_SYS_ADMIN (gone next line), the
	 * kernel loads a filter only for a process with no_new_privs, so a
	 * setuid program cannot be started under a filter it does not
	 * expect. It is inherited and can never be unset. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die("no_new_privs: %m");
	caps_drop_to_default();
	syscalls_filter();
}

void security_enter(bool privileged)
{
	if (!privileged)
		mask_paths();
	security_join(privileged);
}
