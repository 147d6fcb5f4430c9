/* fail.h — the one way tdg reports its own failures.              (day 01)
 *
 * The contract follows Docker: when tdg itself cannot do what was asked
 * (bad flag, missing rootfs, a syscall the host refuses) it prints exactly
 * one line "tdg: <what failed>: <why>" on stderr and exits 125, so a script
 * can tell "tdg failed" (125) from "your command failed" (its own status).
 * Every day uses die() for that; glibc's %m expands to strerror(errno). */
#ifndef TDG_FAIL_H
#define TDG_FAIL_H

#define TDG_EXIT_FAILED 125 /* tdg could not do what was asked */

/* Print "tdg: <message>" and exit 125. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* (day 04) What die() must undo before exiting, in this process only: a
 * container that was recorded (and on day 07 given a cgroup) but never
 * started must not be left behind. FN(ARG) runs once; a child process that
 * inherited the registration does not run it. fail_undo(NULL, NULL) clears
 * it, once the container runs and its watcher owns the cleanup. */
void fail_undo(void (*fn)(void *arg), void *arg);

/* (day 10) die() for a failure the host causes rather than the user's
 * request: not root, a kernel feature or a tool missing, a mount the kernel
 * refuses. The same line, plus "; HINT" once the day's main() has set one
 * with fail_host_hint(): day 10 points to `tdg doctor`, which checks the
 * host and says what to fix. Earlier days set none, so their lines read
 * as they always did. */
_Noreturn void die_host(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail_host_hint(const char *hint);

/* Print "tdg: <message>" and carry on (for things worth saying but not fatal). */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
