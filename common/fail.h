/* fail.h — the one way tdg reports its own failures.              (day 01)
 *
 * The contract follows Docker: when tdg itself cannot do what was asked
 * (bad flag, missing rootfs, a syscall the host refuses) it prints exactly
 * one line "tdg: <what failed>: <why>" on stderr and exits 125, so a script
 * can tell "tdg failed" (125) from "your command failed" (its own status).
 *
 * Who prints and exits: only a day's main.c. A function of common/ never
 * exits; when it fails it records why with fail_with() and returns -1 (or NULL),
 * as a system call sets errno and returns -1:
 *
 *     if (pivot_root(".", ".") != 0)
 *             return fail_with("pivot_root: %m");
 *
 * and its caller passes the -1 up, undoing what it had made. Only main()
 * turns the recorded failure into the line and the 125, after its own
 * `fail:` ladder has released, in reverse, what the command acquired, with
 * no lock held any more (a library that exits can run that release while
 * it still holds a lock, and a second flock() of the same file in the same
 * process then waits for ever). crun does the same (src/libcrun/error.h);
 * a library function that exits cannot be tested without a fork, either.
 *
 * The record is one per process, like errno: a failure is reported by the
 * process it happened in. The container's first process reports its own:
 * its stderr is tdg's (or the log the watcher keeps and `run -d` shows), so
 * its one line reaches the user as it is, and tdg passes its status on. */
#ifndef TDG_FAIL_H
#define TDG_FAIL_H

#include <stdbool.h>

#define TDG_EXIT_FAILED 125 /* tdg could not do what was asked */

/* The last failure: what fail_with() recorded. */
struct failure {
	int errnum;     /* errno at the failure (0: none) */
	bool host;      /* (day 10) the host's doing, not the request's */
	char msg[1024]; /* "pivot_root: Invalid argument" */
};
extern struct failure fail_last;

/* Record "<message>" as the failure (%m: errno's text) and return -1.
 * errno is left as it was, so the caller may still look at it. */
int fail_with(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* (day 10) fail_with() for a failure the host causes rather than the user's
 * request: not root, a kernel feature or a tool missing, a mount the kernel
 * refuses. Reported with "; HINT" once main() has set one with
 * fail_host_hint(): day 10 points to `tdg doctor`. Earlier days set none,
 * so their lines read as they always did. */
int fail_host(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail_host_hint(const char *hint);

/* Put "<context>: " in front of the recorded failure (a caller that knows
 * more, "run: rootfs '/x'"); returns -1. */
int fail_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* main() only: print the recorded failure as tdg's one line and return
 * 125, for `return fail_report();`. */
int fail_report(void);

/* main() only, before it holds anything: record, print and exit 125. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_host(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* main() only, before it holds anything: fail_context(), print and exit
 * 125, for a check of common/ that refused an argument:
 *     if (rootfs_check(rootfs, ...) != 0)
 *             die_context("run: rootfs '%s'", rootfs);
 * prints "tdg: run: rootfs 'x': is not a directory". */
_Noreturn void die_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lab mode (scripts/lab): what stands in a hole a student has not
 * written yet, so the skeleton builds and fails at run time with one
 * clear line, "TODO(03.2) not written yet; ...", never a crash. */
int fail_todo(const char *hole);
/* The same line as a warning, for a hole whose step the container can
 * run without (day 10c's walls): it runs, the checks see the wall
 * missing, and the line says which hole. Returns 0. */
int warn_todo(const char *hole);

/* Print "tdg: <message>" and carry on (for things worth saying but not
 * fatal, and for release functions, which never fail their caller). */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
