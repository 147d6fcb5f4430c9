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

/* Print "tdg: <message>" and carry on (for things worth saying but not fatal). */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
