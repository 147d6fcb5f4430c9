/* init.h — a tiny PID 1 for the container (`run --init`).            (day 10)
 *
 * The first process of a PID namespace has two jobs the kernel gives no
 * one else: signals without a handler are dropped on the way to it (so a
 * plain `sleep` as PID 1 ignores `tdg stop`'s SIGTERM), and every orphan
 * in the namespace becomes its child (so someone must wait() for them, or
 * zombies pile up). Programs are rarely written to be PID 1. With --init,
 * tdg's own code stays PID 1: it starts the command as PID 2, passes every
 * signal on to it, reaps whatever dies, and exits with the command's
 * status, like tini or docker run --init. */
#ifndef TDG_INIT_H
#define TDG_INIT_H

/* In the container, instead of spawn_exec(ARGV): become that PID 1, which
 * exits with the command's status. Like execve(), it returns only if it
 * fails: -1, with the failure recorded (fail.h). */
int init_run(char *const argv[]);

#endif
