/* spawn.h — running the user's command and reporting how it ended.  (day 01)
 *
 * The contract's exit statuses (Docker's): 126 when CMD exists but cannot be
 * executed, 127 when it is not found, 128+N when a signal N killed it, and
 * otherwise CMD's own status. */
#ifndef TDG_SPAWN_H
#define TDG_SPAWN_H

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

#endif
