/* spawn.h — running the user's command and reporting how it ended.  (day 01)
 *
 * The contract's exit statuses (Docker's): 126 when CMD exists but cannot be
 * executed, 127 when it is not found, 128+N when a signal N killed it, and
 * otherwise CMD's own status. */
#ifndef TDG_SPAWN_H
#define TDG_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#define TDG_EXIT_CANNOT_EXEC 126
#define TDG_EXIT_NOT_FOUND 127

/* execvp(argv), with no fd but 0, 1 and 2 left open across the exec; only
 * returns by exiting: on failure it prints one line "tdg: <cmd>: <why>"
 * and _exit()s with 126 or 127 (see below). */
_Noreturn void spawn_exec(char *const argv[]);

/* (day 10) At tdg's start: close every fd above 2 that tdg inherited from
 * whoever started it. tdg needs none, and its container's setup runs
 * before spawn_exec() closes them: with a host directory open as fd 7,
 * `run -w /proc/self/fd/7` would start the command with its working
 * directory on the host (runc's CVE-2024-21626, there through an fd runc
 * itself leaked). */
void spawn_close_inherited_fds(void);

/* (day 05) Where spawn_exec() also writes its exit status, as one byte,
 * when the exec fails: the watcher of a `run -d` listens there. */
void spawn_report_failure_to(int fd);

/* (day 10) Close that fd here, in a process that will not exec itself
 * (--init's PID 1) but has handed it on to one that will. */
void spawn_report_failure_close(void);

/* 127 for the errnos that mean "no such command", else 126. */
int spawn_exec_failure_status(int err);

/* A waitpid() status turned into tdg's own exit status. */
int spawn_exit_status(int wait_status);

/* Replace the environment with the one a container starts with (Docker's
 * defaults): PATH, HOSTNAME, HOME and, if the host has it, TERM. The host's
 * variables describe the host, not the container.                 (day 03) */
void spawn_container_env(const char *hostname);

/* (day 09) Run a helper program, ARGV (searched on PATH, no shell in
 * between), with stdin from /dev/null, and read what it prints: all of its
 * stdout into *OUT (malloc()ed, NUL-terminated; the caller frees it) unless
 * OUT is NULL (then it goes to /dev/null), and the first line of its stderr
 * into ERR (ERRSIZE bytes) unless ERR is NULL. The helper dies with tdg
 * (PR_SET_PDEATHSIG). Returns its status as spawn_exit_status() gives it
 * (127: not found on PATH), or -1 with fail_with() recorded if it could not be
 * started. iptables (day 09), doctor and import (day 10) use it: one
 * place that forks, pipes and reaps. */
int spawn_capture(char *const argv[], char **out, char *err, size_t errsize);

/* The helper spawn_capture() is running now, or 0: a signal handler may
 * forward a SIGTERM to it (import does, so ^C stops a download). */
extern volatile pid_t spawn_capture_child;

#endif
