/* init.c — see init.h.                                               (day 10) */
#include "init.h"
#include "fail.h"
#include "signals.h"
#include "spawn.h"

#include <unistd.h>

int init_run(char *const argv[])
{
	/* LAB(10b.4): --init: as the container's PID 1, fork the command (it
	 * becomes PID 2), pass signals on to it and reap every child, orphans
	 * included; end with the command's status, never returning.
	 * HINT: man 7 pid_namespaces: the kernel drops a signal to PID 1 that it
	 * has no handler for, so SIGTERM from `tdg stop` would be lost: block the
	 * signals (signals_block()) and take them with sigwaitinfo(), which
	 * signals_wait_forwarding() does, reaping as it waits (man 2 waitpid).
	 * The child: signals_child_setup(), then spawn_exec(). Run -d waits for
	 * the command's exec through a pipe: close our copy,
	 * spawn_report_failure_close(), or it never sees EOF. */
	/* Blocked, the signals reach us even as PID 1: the kernel drops only
	 * those that would take the default action, and a blocked one waits
	 * to be taken by sigwaitinfo(). */
	if (signals_block() < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return fail_with("init: fork: %m");
	if (pid == 0) {
		signals_child_setup();
		spawn_exec(argv);
	}
	/* Whoever waits for the command's exec (run -d) must see it through
	 * the command's copy of the pipe alone, not ours: we never exec. */
	spawn_report_failure_close();
	/* Reaps every child (orphans included) and returns the command's
	 * status once it has ended; the kernel then ends the rest. The exit
	 * status is the point: PID 1 ends here, never returning. */
	_exit(spawn_exit_status(signals_wait_forwarding(pid)));
	/* END LAB */
}
