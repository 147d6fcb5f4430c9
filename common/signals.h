/* signals.h — tdg waits for its container and passes signals on.    (day 01)
 *
 * A foreground `tdg run` stands between the user and the command: `kill
 * <tdg>` or a service manager's SIGTERM reaches tdg, not the command, so tdg
 * forwards it. Instead of asynchronous handlers, tdg blocks the signals
 * and takes them one at a time with sigwaitinfo(): no handler races, and
 * SIGCHLD arrives in the same loop as the signals to forward. */
#ifndef TDG_SIGNALS_H
#define TDG_SIGNALS_H

#include <sys/types.h>

/* Block the signals tdg forwards, and SIGCHLD. Call before starting the
 * child so that no signal can arrive between fork/clone and the wait.
 * 0, or -1 with the failure recorded. */
int signals_block(void);

/* (day 10) In a watcher that closed every fd it did not keep
 * (watcher_detach()), before it starts another child (run --restart): open
 * again the pidfd of ourselves that signals_block() opened for the
 * children's check below, whose number may now name another file. */
void signals_reopen_parent(void);

/* In the child, before exec: unblock them again (the mask is inherited
 * across fork, clone and exec) and ask the kernel to SIGKILL the child if
 * tdg dies, so a killed tdg does not leave its command running; if tdg
 * died already (before the child got this far), the child exits (137). */
void signals_child_setup(void);

/* Wait for CHILD to end, forwarding signals to it meanwhile; returns its
 * waitpid() status. The third SIGINT/SIGTERM kills it with SIGKILL, as
 * Docker's CLI does, for a command that ignores the first two. */
int signals_wait_forwarding(pid_t child);

/* (day 05) For a loop that waits on other fds too (the watcher): a
 * signalfd that becomes readable when one of the blocked signals arrives;
 * -1 with the failure recorded. */
int signals_fd(void);

/* (day 05) When the wait itself fails (it should not: only a bug makes
 * sigwaitinfo or poll fail): a command nobody watches must not run on, so
 * warn "WHAT: <errno's text>; ending the command", SIGKILL CHILD, reap it
 * and return its waitpid() status. Waiting never fails its caller: the
 * caller still has the end to record and resources to release. */
int signals_give_up(pid_t child, const char *what);

/* (day 05) Handle one signal read from signals_fd() (SIGNO and SI_CODE from
 * its signalfd_siginfo): forward it to CHILD, or, for SIGCHLD, reap. Returns
 * 1 and sets *STATUS once CHILD has ended, else 0. */
int signals_handle(pid_t child, int signo, int si_code, int *status);

#endif
